-- The general list, newest first, answered from indexes in its own order whatever the caller's
-- level (bench S3): one stream per way of seeing a request, each read newest-first and cut at
-- the page, then merged.

-- Every place at and above a request's place (the root excepted), with the request's time: a
-- street's or a grid's requests newest first are one index range, however long the history.
CREATE TABLE request_places (
    prefix TEXT NOT NULL,
    submitted_at TIMESTAMPTZ NOT NULL,
    request_id BIGINT NOT NULL REFERENCES requests (id),
    PRIMARY KEY (prefix, submitted_at, request_id)
);

WITH RECURSIVE cut (id, at, path, n) AS (
    SELECT id, submitted_at, place_path, strpos(substr(place_path, 2), '/') + 1
    FROM requests WHERE length(place_path) > 1
    UNION ALL
    SELECT id, at, path, n + strpos(substr(path, n + 1), '/') FROM cut WHERE n < length(path)
)
INSERT INTO request_places (prefix, submitted_at, request_id)
SELECT substr(path, 1, n), at, id FROM cut;

-- A unit's requests newest first (the unit's stream).
ALTER TABLE request_units ADD COLUMN submitted_at TIMESTAMPTZ;
UPDATE request_units u SET submitted_at = r.submitted_at FROM requests r WHERE r.id = u.request_id;
CREATE INDEX request_units_org_time ON request_units (org_id, submitted_at, request_id);

-- The requester's and the recorder's streams ("mine").
DROP INDEX requests_requester;
CREATE INDEX requests_requester ON requests (requester_user_id, submitted_at, id);
CREATE INDEX requests_recorder ON requests (recorded_by_user_id, submitted_at, id);

-- Requests whose desk is not at or above their place (a routing rule sent them across): the
-- only ones a desk sees that its place streams do not hold. Normally none.
CREATE INDEX requests_desk_across ON requests (desk_path, submitted_at, id)
    WHERE substr(place_path, 1, length(desk_path)) <> desk_path;
