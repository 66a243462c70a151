-- 督办 and 分级响应 on requests: how often a request was supervised, and how often its desk
-- called the level above (呼叫上级) — the level that holds it is the kind of its desk's node.
ALTER TABLE requests ADD COLUMN supervise_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE requests ADD COLUMN escalation_count BIGINT NOT NULL DEFAULT 0;
