-- An audit of which indexes the queries use (EXPLAIN QUERY PLAN on a bench dataset):
-- request_units_org (org_id, request_id) repeats the lead column of request_units_org_time
-- (org_id, submitted_at, request_id), which serves every lookup by unit; each create and each
-- dispatch paid for both.
DROP INDEX request_units_org;
