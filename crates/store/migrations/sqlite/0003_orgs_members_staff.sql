-- A finer type for some nodes: grids are residential or dedicated (school, hospital, 商圈 …).
ALTER TABLE nodes ADD COLUMN subtype TEXT;

-- 支部建在网格上: which territory nodes a party organisation covers.
CREATE TABLE org_anchors (
    id INTEGER PRIMARY KEY,
    org_node_id INTEGER NOT NULL REFERENCES nodes (id),
    territory_node_id INTEGER NOT NULL REFERENCES nodes (id),
    created_at TEXT NOT NULL,
    UNIQUE (org_node_id, territory_node_id)
);
CREATE INDEX org_anchors_territory ON org_anchors (territory_node_id);

-- Organisations beside the party tree: owners' committees, property companies, resident units,
-- departments, new organisations, volunteer teams. `home_path` scopes them.
CREATE TABLE organisations (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    home_node_id INTEGER NOT NULL REFERENCES nodes (id),
    home_path TEXT NOT NULL,
    credit_code TEXT NOT NULL DEFAULT '',
    contact_name TEXT NOT NULL DEFAULT '',
    contact_phone TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (kind, name, home_node_id)
);
CREATE INDEX organisations_home ON organisations (home_path);

-- Which estates (or other places) an organisation serves: a property company, an owners' committee.
CREATE TABLE organisation_serves (
    id INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    node_id INTEGER NOT NULL REFERENCES nodes (id),
    created_at TEXT NOT NULL,
    UNIQUE (organisation_id, node_id)
);
CREATE INDEX organisation_serves_node ON organisation_serves (node_id);

-- Party membership of a registered resident: visible through the resident's place and through
-- the branch, so both paths are kept.
CREATE TABLE party_members (
    id INTEGER PRIMARY KEY,
    resident_id INTEGER NOT NULL UNIQUE REFERENCES residents (id),
    resident_path TEXT NOT NULL,
    org_node_id INTEGER NOT NULL REFERENCES nodes (id),
    org_path TEXT NOT NULL,
    category TEXT NOT NULL,
    management_mode TEXT NOT NULL,
    member_household BOOLEAN NOT NULL DEFAULT FALSE,
    building_captain BOOLEAN NOT NULL DEFAULT FALSE,
    joined_on TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX party_members_org ON party_members (org_node_id);
CREATE INDEX party_members_org_path ON party_members (org_path);
CREATE INDEX party_members_resident_path ON party_members (resident_path);

-- Grid staffing ("1+1+X+N"). Phones are the staff's own: sealed like residents'.
CREATE TABLE grid_staff (
    id INTEGER PRIMARY KEY,
    grid_node_id INTEGER NOT NULL REFERENCES nodes (id),
    grid_path TEXT NOT NULL,
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    phone_sealed TEXT,
    phone_masked TEXT,
    user_id INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX grid_staff_grid ON grid_staff (grid_node_id);
CREATE INDEX grid_staff_path ON grid_staff (grid_path);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
