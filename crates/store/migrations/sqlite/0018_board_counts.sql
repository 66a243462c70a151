-- The public board's counts: closed requests by category under each place, kept as counters
-- (kind `place_category`, key `<path>#<category id>`, figure `closed`) and moved with the
-- request when it is closed or reopened. The board read them from every closed request under
-- the place: 1.5 s a view for a county of the demo's size, with no sign-in needed.
--
-- Those already closed are counted here under every place above them (`request_places`), by
-- the month of submission in Beijing time, as `counters::membership` counts them.
INSERT INTO request_counters (kind, key, month, metric, value)
SELECT 'place_category', p.prefix || '#' || r.category_id,
       strftime('%Y-%m', r.submitted_at, '+8 hours'), 'closed', COUNT(*)
FROM request_places p
JOIN requests r ON r.id = p.request_id
WHERE r.status = 'closed'
GROUP BY p.prefix, r.category_id, strftime('%Y-%m', r.submitted_at, '+8 hours');

INSERT INTO request_counter_totals (kind, key, metric, value)
SELECT kind, key, metric, SUM(value) FROM request_counters
WHERE kind = 'place_category'
GROUP BY kind, key, metric;
