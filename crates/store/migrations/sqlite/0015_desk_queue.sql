-- A desk's queue in an index of its own: only what waits for a desk (to accept, dispatch again,
-- verify or close, or an extension to decide), not every open request under it. A street desk's
-- queue is a third of its open requests; counting it and choosing its page walked all of them
-- (bench S3, street desk queue). The condition is spelled exactly as `requests::queue_status`
-- writes it: SQLite uses a partial index only for a query term identical to its WHERE.
DROP INDEX requests_open_desk;
CREATE INDEX requests_desk_queue ON requests (desk_path, due_at, status, extension_pending_days)
    WHERE (status IN ('submitted', 'accepted', 'returned', 'resolved', 'verified') OR extension_pending_days IS NOT NULL);
