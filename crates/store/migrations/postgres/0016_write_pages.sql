-- Fewer index entries per new request (bench S1; docs/BENCHMARKS.md), as in the SQLite
-- migration. PostgreSQL keeps every table's rows apart from its primary key's index, so the
-- counters stay as they are.
--
-- The duplicate check (same category, same place, still open) reads the open requests at the
-- place from `requests_open_place`; the category is checked on those rows.
DROP INDEX requests_open_same;

-- "What I recorded" needs its own index only for requests recorded for someone else (hotline,
-- 代办): a request people submit themselves has them as its requester (`requests_requester`).
DROP INDEX requests_recorder;
CREATE INDEX requests_recorder ON requests (recorded_by_user_id, submitted_at, id)
    WHERE requester_user_id IS NULL;
