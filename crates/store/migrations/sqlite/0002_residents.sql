-- Residents. 身份证 and phone are sealed (AES-GCM, see store::vault); `id_card_index` is a keyed
-- hash that keeps one row per person and lets re-imports update instead of duplicating.
CREATE TABLE residents (
    id INTEGER PRIMARY KEY,
    node_id INTEGER NOT NULL REFERENCES nodes (id),
    -- The path of `node_id`, kept here so scope checks need no join; moving a node rewrites it.
    node_path TEXT NOT NULL,
    name TEXT NOT NULL,
    gender TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    id_card_sealed TEXT NOT NULL,
    id_card_index TEXT NOT NULL UNIQUE,
    id_card_masked TEXT NOT NULL,
    phone_sealed TEXT,
    phone_tail TEXT,
    phone_masked TEXT,
    household_relation TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX residents_path ON residents (node_path);
CREATE INDEX residents_name ON residents (name);
CREATE INDEX residents_phone_tail ON residents (phone_tail);
CREATE INDEX residents_masked ON residents (id_card_masked);
