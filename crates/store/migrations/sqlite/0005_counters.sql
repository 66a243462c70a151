-- Figures of the loop (docs/RATES.md), kept as counters in the same transaction as the requests
-- they count. `kind` is `place` (key: a node path — every place above the request) or `unit`
-- (key: an organisation id — every unit that led the request); `month` is the month of
-- submission in Beijing time.
ALTER TABLE requests ADD COLUMN claim_late BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE requests ADD COLUMN resolve_late BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE request_counters (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    month TEXT NOT NULL,
    metric TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (kind, key, month, metric)
);
