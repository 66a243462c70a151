-- A desk's queue in an index of its own: only what waits for a desk (to accept, dispatch again,
-- verify or close, or an extension to decide), not every open request under it. A street desk's
-- queue is a third of its open requests; counting it and choosing its page walked all of them
-- (bench S3, street desk queue). The condition is spelled as `requests::queue_status` writes
-- it, as in the SQLite migration. The id is included so PostgreSQL can answer the count and
-- the page from the index alone (SQLite's indexes carry the rowid anyway); the inbox's index
-- likewise.
DROP INDEX requests_open_desk;
CREATE INDEX requests_desk_queue ON requests (desk_path, due_at, status, extension_pending_days) INCLUDE (id)
    WHERE (status IN ('submitted', 'accepted', 'returned', 'resolved', 'verified') OR extension_pending_days IS NOT NULL);
DROP INDEX requests_open_lead;
CREATE INDEX requests_open_lead ON requests (lead_org_id, status, due_at) INCLUDE (id)
    WHERE status IN ('submitted', 'accepted', 'dispatched', 'returned', 'claimed', 'in_progress', 'suspended', 'resolved', 'verified');
