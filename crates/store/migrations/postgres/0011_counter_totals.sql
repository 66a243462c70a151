-- All-time totals of the request counters (docs/RATES.md), one row per (kind, key, metric), moved
-- in the same transaction and by the same deltas as the monthly rows of 0005: a dashboard without
-- a month range reads one row per place and figure instead of summing every month of history
-- (bench S4). `jiceng recount` checks them and `--rebuild` rebuilds them with the monthly rows.
CREATE TABLE request_counter_totals (
    kind TEXT NOT NULL,
    key TEXT COLLATE "C" NOT NULL,
    metric TEXT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (kind, key, metric)
);

INSERT INTO request_counter_totals (kind, key, metric, value)
SELECT kind, key, metric, SUM(value) FROM request_counters
GROUP BY kind, key, metric HAVING SUM(value) <> 0;
