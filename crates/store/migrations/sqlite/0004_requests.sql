-- The request loop: categories, routing, requests with their timeline, SLA events, inbox.

-- Staff of a unit (a department, a property company …) act for it on requests.
ALTER TABLE users ADD COLUMN organisation_id INTEGER REFERENCES organisations (id);
CREATE INDEX users_organisation ON users (organisation_id);

CREATE TABLE request_categories (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    group_name TEXT NOT NULL,
    severity TEXT NOT NULL,
    resolve_days INTEGER,
    hint TEXT NOT NULL DEFAULT '',
    questions_json TEXT NOT NULL DEFAULT '[]',
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Category × territory → desk and suggested lead unit. A NULL category covers every category; a
-- NULL desk leaves the request with the street (else district) desk above its place.
CREATE TABLE routing_rules (
    id INTEGER PRIMARY KEY,
    category_id INTEGER REFERENCES request_categories (id),
    node_id INTEGER NOT NULL REFERENCES nodes (id),
    node_path TEXT NOT NULL,
    desk_node_id INTEGER REFERENCES nodes (id),
    desk_path TEXT,
    lead_org_id INTEGER REFERENCES organisations (id),
    auto_dispatch BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL
);
CREATE INDEX routing_rules_node ON routing_rules (node_path);

CREATE TABLE requests (
    id INTEGER PRIMARY KEY,
    category_id INTEGER NOT NULL REFERENCES request_categories (id),
    severity TEXT NOT NULL,
    channel TEXT NOT NULL,
    description TEXT NOT NULL,
    answers_json TEXT NOT NULL DEFAULT '{}',
    requester_user_id INTEGER REFERENCES users (id),
    requester_name TEXT NOT NULL DEFAULT '',
    requester_phone_sealed TEXT,
    requester_phone_masked TEXT,
    recorded_by_user_id INTEGER REFERENCES users (id),
    place_node_id INTEGER NOT NULL REFERENCES nodes (id),
    place_path TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    longitude REAL,
    latitude REAL,
    desk_path TEXT NOT NULL,
    suggested_org_id INTEGER REFERENCES organisations (id),
    lead_org_id INTEGER REFERENCES organisations (id),
    status TEXT NOT NULL,
    stage TEXT,
    due_at TEXT,
    warn_at TEXT,
    -- Set by the SLA ticker once it has raised the overdue event for the current deadline.
    due_flagged BOOLEAN NOT NULL DEFAULT FALSE,
    resolve_days INTEGER NOT NULL,
    extension_days INTEGER NOT NULL DEFAULT 0,
    extension_pending_days INTEGER,
    submitted_at TEXT NOT NULL,
    accepted_at TEXT,
    dispatched_at TEXT,
    claimed_at TEXT,
    resolved_at TEXT,
    closed_at TEXT,
    suspended_at TEXT,
    rating TEXT,
    result TEXT NOT NULL DEFAULT '',
    reopen_count INTEGER NOT NULL DEFAULT 0,
    return_count INTEGER NOT NULL DEFAULT 0,
    overdue_count INTEGER NOT NULL DEFAULT 0,
    merged_into_id INTEGER REFERENCES requests (id),
    updated_at TEXT NOT NULL
);
-- Queues read open requests only; these stay small however long the history grows.
CREATE INDEX requests_open_place ON requests (place_path, due_at)
    WHERE status IN ('submitted', 'accepted', 'dispatched', 'returned', 'claimed', 'in_progress', 'suspended', 'resolved', 'verified');
CREATE INDEX requests_open_desk ON requests (desk_path, due_at)
    WHERE status IN ('submitted', 'accepted', 'dispatched', 'returned', 'claimed', 'in_progress', 'suspended', 'resolved', 'verified');
CREATE INDEX requests_open_lead ON requests (lead_org_id, due_at)
    WHERE status IN ('submitted', 'accepted', 'dispatched', 'returned', 'claimed', 'in_progress', 'suspended', 'resolved', 'verified');
CREATE INDEX requests_open_same ON requests (category_id, place_node_id)
    WHERE status IN ('submitted', 'accepted', 'dispatched', 'returned', 'claimed', 'in_progress', 'suspended', 'resolved', 'verified');
-- The SLA ticker's work list: deadlines not yet flagged.
CREATE INDEX requests_due ON requests (due_at) WHERE due_flagged = FALSE AND due_at IS NOT NULL;
CREATE INDEX requests_place ON requests (place_path, submitted_at);
CREATE INDEX requests_requester ON requests (requester_user_id, submitted_at);

-- Lead and assisting units of a request (协同处置).
CREATE TABLE request_units (
    request_id INTEGER NOT NULL REFERENCES requests (id),
    org_id INTEGER NOT NULL REFERENCES organisations (id),
    role TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (request_id, org_id)
);
CREATE INDEX request_units_org ON request_units (org_id, request_id);

-- The timeline: every step with its actor, the states before and after, and what was said.
CREATE TABLE request_events (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests (id),
    at TEXT NOT NULL,
    actor_user_id INTEGER,
    actor_login TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    actor_unit TEXT NOT NULL,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT,
    note TEXT NOT NULL DEFAULT '',
    data_json TEXT
);
CREATE INDEX request_events_request ON request_events (request_id, id);

-- Suspensions (挂起): the clock stands still between start and end.
CREATE TABLE request_pauses (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests (id),
    started_at TEXT NOT NULL,
    ended_at TEXT
);
CREATE INDEX request_pauses_request ON request_pauses (request_id);

CREATE TABLE request_photos (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests (id),
    event_id INTEGER REFERENCES request_events (id),
    content_type TEXT NOT NULL,
    bytes BLOB NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX request_photos_request ON request_photos (request_id);

-- One row per deadline passed: the unique key makes a second raise of the same event a no-op.
CREATE TABLE sla_events (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests (id),
    stage TEXT NOT NULL,
    due_at TEXT NOT NULL,
    raised_at TEXT NOT NULL,
    UNIQUE (request_id, stage, due_at)
);

-- In-app inbox: to a unit's staff, a desk's dispatchers, or one user.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    request_id INTEGER REFERENCES requests (id),
    org_id INTEGER REFERENCES organisations (id),
    desk_path TEXT,
    user_id INTEGER REFERENCES users (id),
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX notifications_org ON notifications (org_id, id);
CREATE INDEX notifications_desk ON notifications (desk_path, id);
CREATE INDEX notifications_user ON notifications (user_id, id);

-- How far each user has read their inbox.
CREATE TABLE notification_marks (
    user_id INTEGER PRIMARY KEY REFERENCES users (id),
    seen_id INTEGER NOT NULL
);
