//! Strings of the Open311 key page (see `i18n`).

/// (key, 中文, English)
pub const STRINGS: &[(&str, &str, &str)] = &[
    ("nav.open311", "Open311 接入", "Open311 access"),
    ("open311.title", "Open311 接入密钥", "Open311 API keys"),
    (
        "open311.intro",
        "其他系统（市民App、热线平台等）通过 Open311 GeoReport v2 接口查询诉求分类、提交和查询诉求。每个接入系统一个密钥；提交的诉求进入所选范围的派单队列。",
        "Other systems (a residents' app, a hotline platform …) list categories and submit and follow requests over Open311 GeoReport v2. One key per system; what it submits enters the dispatch queue of the territory chosen.",
    ),
    ("open311.endpoint", "接口地址", "Endpoint"),
    (
        "open311.issued",
        "密钥已签发。它只显示这一次，请立即复制并安全地转交给对方系统：",
        "Key issued. It is shown only this once: copy it now and hand it over safely:",
    ),
    ("open311.name", "接入系统", "System"),
    ("open311.name.hint", "如：市民通App", "e.g. the city app"),
    ("open311.node", "接入范围", "Territory"),
    (
        "open311.node.hint",
        "未给出网格编码（address_id）的诉求放在这里",
        "Requests without a grid code (address_id) are placed here",
    ),
    ("open311.created_by", "签发人", "Issued by"),
    ("open311.state", "状态", "State"),
    ("open311.active", "有效", "Active"),
    ("open311.revoked", "已吊销", "Revoked"),
    ("open311.revoke", "吊销", "Revoke"),
    ("open311.new", "签发新密钥", "Issue a key"),
    ("open311.create", "签发", "Issue"),
    (
        "action.open311_key.create",
        "签发 Open311 密钥",
        "Issue Open311 key",
    ),
    (
        "action.open311_key.revoke",
        "吊销 Open311 密钥",
        "Revoke Open311 key",
    ),
];
