-- Fewer pages per new request (bench S1: a create wrote about 18 log pages, most of them one
-- index entry each at its own place in an index; see docs/BENCHMARKS.md).
--
-- The monthly counters keyed by their primary key alone: as a rowid table every counter row
-- moved a page of the table and a page of its key's index.
CREATE TABLE request_counters_by_key (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    month TEXT NOT NULL,
    metric TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (kind, key, month, metric)
) WITHOUT ROWID;
INSERT INTO request_counters_by_key (kind, key, month, metric, value)
SELECT kind, key, month, metric, value FROM request_counters;
DROP TABLE request_counters;
ALTER TABLE request_counters_by_key RENAME TO request_counters;

-- The duplicate check (same category, same place, still open) reads the open requests at the
-- place from `requests_open_place`: a place has a handful open at a time, so the category is
-- checked on those rows and needs no index of its own.
DROP INDEX requests_open_same;

-- "What I recorded" needs its own index only for requests recorded for someone else (hotline,
-- 代办): a request people submit themselves has them as its requester, found by
-- `requests_requester`. `View::Mine` spells the condition as the index does.
DROP INDEX requests_recorder;
CREATE INDEX requests_recorder ON requests (recorded_by_user_id, submitted_at, id)
    WHERE requester_user_id IS NULL;
