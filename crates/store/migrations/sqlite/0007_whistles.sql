-- 吹哨报到: a street or community summons units to a problem with a deadline to check in; each
-- unit checks in once and says what it will do, and the whistler rates its response.
CREATE TABLE whistles (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    place_node_id INTEGER NOT NULL REFERENCES nodes (id),
    place_path TEXT NOT NULL,
    -- The request the whistle was blown about, if any.
    request_id INTEGER REFERENCES requests (id),
    whistler_user_id INTEGER NOT NULL REFERENCES users (id),
    whistler_name TEXT NOT NULL,
    whistler_unit TEXT NOT NULL,
    deadline_at TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    closed_at TEXT,
    close_note TEXT NOT NULL DEFAULT ''
);
-- The board reads open whistles only, most urgent first; it stays small however long the
-- history grows.
CREATE INDEX whistles_open_place ON whistles (place_path, deadline_at) WHERE status = 'open';
CREATE INDEX whistles_place ON whistles (place_path, created_at);
CREATE INDEX whistles_request ON whistles (request_id) WHERE request_id IS NOT NULL;

CREATE TABLE whistle_units (
    whistle_id INTEGER NOT NULL REFERENCES whistles (id),
    org_id INTEGER NOT NULL REFERENCES organisations (id),
    checked_in_at TEXT,
    checked_in_by_user_id INTEGER REFERENCES users (id),
    checked_in_by_name TEXT NOT NULL DEFAULT '',
    check_in_note TEXT NOT NULL DEFAULT '',
    -- Checked in after the deadline; a deadline never moves, so this flag never goes stale.
    late BOOLEAN NOT NULL DEFAULT FALSE,
    rating TEXT,
    rated_at TEXT,
    rated_by_user_id INTEGER REFERENCES users (id),
    rating_note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (whistle_id, org_id)
);
-- A unit's board and its figures.
CREATE INDEX whistle_units_org ON whistle_units (org_id, whistle_id);
