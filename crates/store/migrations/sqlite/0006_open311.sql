-- Open311 GeoReport v2: API keys issued to integrating systems, and which key submitted which
-- request. Each key acts through its own service account (inactive, no usable password), so the
-- requests it records reference users(id) like any other.
CREATE TABLE open311_keys (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    -- Only a SHA-256 of the key is stored, like session tokens.
    key_hash TEXT NOT NULL UNIQUE,
    -- The territory the system submits into: requests without an address_id are placed here.
    node_id INTEGER NOT NULL REFERENCES nodes (id),
    node_path TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX open311_keys_node ON open311_keys (node_path);

CREATE TABLE open311_requests (
    request_id INTEGER PRIMARY KEY REFERENCES requests (id),
    key_id INTEGER NOT NULL REFERENCES open311_keys (id),
    -- The submitting system's own account id for its user, echoed back; never shown in reads.
    account_id TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX open311_requests_key ON open311_requests (key_id);

-- Open311 reads are by time window over the whole installation, newest first.
CREATE INDEX requests_submitted ON requests (submitted_at);
