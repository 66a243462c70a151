-- Nodes of the territory and organisation trees. `path` is the materialized path of codes
-- ("/371722/371722001/"); scope checks are prefix matches on it.
CREATE TABLE nodes (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES nodes (id),
    tree TEXT NOT NULL,
    kind TEXT NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    path TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX nodes_parent ON nodes (parent_id);

INSERT INTO nodes (parent_id, tree, kind, code, name, path, created_at, updated_at)
VALUES (NULL, 'root', 'root', 'ROOT', '全域', '/', strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'),
        strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'));

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    unit_name TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- A role held at a node; a user's scope is the union of these subtrees.
CREATE TABLE grants (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    node_id INTEGER NOT NULL REFERENCES nodes (id),
    created_at TEXT NOT NULL,
    UNIQUE (user_id, role, node_id)
);
CREATE INDEX grants_node ON grants (node_id);

-- Browser sessions and API tokens. Only a hash of the token is stored.
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX sessions_user ON sessions (user_id);

-- Failed logins, counted per login name and per address in a sliding window.
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL,
    ip TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_failures_login ON login_failures (login, at);
CREATE INDEX login_failures_ip ON login_failures (ip, at);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id INTEGER,
    actor_login TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    object_path TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    ip TEXT
);
CREATE INDEX audit_at ON audit_log (at);
CREATE INDEX audit_actor ON audit_log (actor_login, at);
CREATE INDEX audit_object ON audit_log (object_type, object_id);
CREATE INDEX audit_path ON audit_log (object_path);
