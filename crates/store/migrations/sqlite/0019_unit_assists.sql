-- A unit's assists (协办), the second way into its inbox. The inbox found them by the unit's
-- time-ordered index and read each row for its role: every request the unit ever led, about 40 ms
-- twice per page for the demo county's busiest department (32,000 led, none assisting). Only
-- assists are in this index, so a new request (always a lead) writes nothing to it.
CREATE INDEX request_units_assist ON request_units (org_id, request_id) WHERE role = 'assist';
