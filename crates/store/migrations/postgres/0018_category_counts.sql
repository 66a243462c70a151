-- Requests by category under each place, kept as counters (kind `place_category`, key
-- `<path>#<month>#<category id>`, figures `submitted`, `closed` and `overdue`, monthly rows only)
-- and moved with every write to the request, like the place counters. Two pages counted them
-- from the records on every view: the dashboard's by-category chart (1.5 s for the demo
-- county's year, on the page a district admin opens first) and the public board, which anyone
-- may open (1.5 s as well). The month leads the category in the key so that one month's rows of
-- a place sit together (`counters::place_category_key`).
--
-- The requests already there are counted here under every place above them (`request_places`),
-- by the month of submission in Beijing time, as `counters::membership` counts them.
INSERT INTO request_counters (kind, key, month, metric, value)
SELECT 'place_category', p.prefix || '#' || to_char((r.submitted_at AT TIME ZONE 'UTC') + interval '8 hours', 'YYYY-MM') || '#' || r.category_id,
       to_char((r.submitted_at AT TIME ZONE 'UTC') + interval '8 hours', 'YYYY-MM'), 'submitted', COUNT(*)
FROM request_places p
JOIN requests r ON r.id = p.request_id
GROUP BY p.prefix, r.category_id, to_char((r.submitted_at AT TIME ZONE 'UTC') + interval '8 hours', 'YYYY-MM');

INSERT INTO request_counters (kind, key, month, metric, value)
SELECT 'place_category', p.prefix || '#' || to_char((r.submitted_at AT TIME ZONE 'UTC') + interval '8 hours', 'YYYY-MM') || '#' || r.category_id,
       to_char((r.submitted_at AT TIME ZONE 'UTC') + interval '8 hours', 'YYYY-MM'), 'closed', COUNT(*)
FROM request_places p
JOIN requests r ON r.id = p.request_id
WHERE r.status = 'closed'
GROUP BY p.prefix, r.category_id, to_char((r.submitted_at AT TIME ZONE 'UTC') + interval '8 hours', 'YYYY-MM');

INSERT INTO request_counters (kind, key, month, metric, value)
SELECT 'place_category', p.prefix || '#' || to_char((r.submitted_at AT TIME ZONE 'UTC') + interval '8 hours', 'YYYY-MM') || '#' || r.category_id,
       to_char((r.submitted_at AT TIME ZONE 'UTC') + interval '8 hours', 'YYYY-MM'), 'overdue', COUNT(*)
FROM request_places p
JOIN requests r ON r.id = p.request_id
WHERE r.overdue_count > 0
GROUP BY p.prefix, r.category_id, to_char((r.submitted_at AT TIME ZONE 'UTC') + interval '8 hours', 'YYYY-MM');
