//! Interface strings, zh-CN first with English beside. One table (in several files: this one and
//! the `i18n_*` modules beside it), so a missing translation is a test failure rather than a blank
//! on screen.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn from_cookie(v: Option<&str>) -> Self {
        match v {
            Some("en") => Lang::En,
            _ => Lang::Zh,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }
    /// The value of `<html lang>`.
    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
    pub fn other(self) -> Self {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

/// (key, 中文, English)
pub const STRINGS: &[(&str, &str, &str)] = &[
    ("app.name", "基层治理平台", "Jiceng Governance"),
    (
        "app.tagline",
        "党建引领 · 城市基层治理",
        "Party-building-led urban grassroots governance",
    ),
    ("lang.switch", "English", "中文"),
    ("nav.home", "工作台", "Workbench"),
    ("nav.nodes", "区划与组织", "Territory & organisations"),
    ("nav.users", "账号与角色", "Accounts & roles"),
    ("nav.residents", "居民信息", "Residents"),
    ("nav.coverage", "覆盖情况", "Coverage"),
    ("nav.trees", "两棵树对照", "Both trees"),
    (
        "nodes.import_places",
        "批量导入网格/小区/楼栋",
        "Import grids, estates and buildings",
    ),
    ("nodes.places_template", "下载模板", "Download the template"),
    ("nodes.move", "划转到其他上级", "Move to another parent"),
    ("nodes.move.to", "新的上级", "New parent"),
    (
        "nodes.move.note",
        "其下网格、小区、居民、网格员和组织随之划转，原隶属关系记入审计日志。",
        "Everything under it moves along; the old place stays in the audit log.",
    ),
    (
        "trees.title",
        "区划与党组织对照",
        "Territory and party organisation side by side",
    ),
    ("trees.territory", "地域（区划与网格）", "Territory"),
    ("trees.org", "党组织", "Party organisation"),
    ("coverage.title", "覆盖情况", "Coverage"),
    ("coverage.norm", "网格员配备标准", "Grid staffing norm"),
    ("coverage.estates", "小区数", "Estates"),
    (
        "coverage.estates_without_branch",
        "无党支部小区",
        "Estates without a branch",
    ),
    (
        "coverage.estates_without_owners_committee",
        "无业委会小区",
        "Estates without owners' committee",
    ),
    (
        "coverage.estates_without_property_company",
        "无物业小区",
        "Estates without property company",
    ),
    ("coverage.grids", "网格数", "Grids"),
    (
        "coverage.grids_short_staffed",
        "配备不足网格",
        "Grids short of staff",
    ),
    ("coverage.branches", "党支部数", "Branches"),
    ("coverage.party_members", "党员数", "Party members"),
    ("nodes.subtype", "网格类型", "Grid type"),
    (
        "nodes.code.hint",
        "社区以下可留空，自动生成",
        "May be left empty below a community",
    ),
    (
        "links.covers",
        "对应地域（支部建在网格上）",
        "Places it covers",
    ),
    (
        "links.covered_by",
        "对应党组织",
        "Party organisations covering it",
    ),
    ("links.anchor_to", "对应到", "Cover"),
    ("links.anchor", "建立对应", "Link"),
    (
        "links.serving",
        "服务组织（物业、业委会等）",
        "Organisations serving it",
    ),
    ("links.staff", "网格员（1+1+X+N）", "Grid staff (1+1+X+N)"),
    ("links.grid_role", "网格角色", "Grid role"),
    ("links.members", "党员", "Party members"),
    ("links.resident", "居民", "Resident"),
    ("links.category", "党员类别", "Category"),
    ("links.member_household", "党员中心户", "Member household"),
    ("links.building_captain", "党员楼栋长", "Building captain"),
    ("links.enrol", "编入本组织", "Enrol"),
    ("residents.title", "居民信息", "Residents"),
    ("residents.new", "登记居民", "Register a resident"),
    (
        "residents.search",
        "姓名/地址/手机尾号/证件号",
        "Name, address, phone tail or ID",
    ),
    (
        "residents.search.hint",
        "如：张、1234、3717**********123X",
        "e.g. Zhang, 1234, 3717**********123X",
    ),
    ("residents.name", "姓名", "Name"),
    ("residents.gender", "性别", "Gender"),
    ("residents.gender.male", "男", "Male"),
    ("residents.gender.female", "女", "Female"),
    ("residents.birth_date", "出生日期", "Born"),
    ("residents.id_card_no", "身份证号", "ID card no."),
    ("residents.phone", "联系电话", "Phone"),
    ("residents.relation", "与户主关系", "Relation to head"),
    ("residents.place", "所在网格/小区/楼栋", "Lives at"),
    ("residents.address", "详细地址", "Address"),
    ("residents.reveal", "查看完整号码", "Show full number"),
    (
        "residents.revealed_note",
        "本次查看已记入审计日志",
        "This view has been written to the audit log",
    ),
    ("residents.import", "批量导入", "Import from Excel"),
    ("nav.audit", "审计日志", "Audit log"),
    ("nav.password", "修改密码", "Change password"),
    ("nav.api", "接口文档", "API document"),
    ("nav.group.governance", "基层治理", "Governance"),
    ("nav.group.system", "系统管理", "Administration"),
    ("nav.group.me", "个人", "Me"),
    ("top.unit", "单位", "Unit"),
    ("top.scope", "权限范围", "Scope"),
    ("top.logout", "退出登录", "Sign out"),
    ("top.menu", "菜单", "Menu"),
    ("login.title", "登录", "Sign in"),
    ("login.login", "登录名", "Login"),
    ("login.password", "密码", "Password"),
    ("login.submit", "登录", "Sign in"),
    (
        "login.hint",
        "请使用单位分配的账号登录。",
        "Sign in with the account your unit gave you.",
    ),
    ("home.welcome", "您好", "Hello"),
    ("home.roles", "我的角色", "My roles"),
    ("home.role", "角色", "Role"),
    ("home.node", "所在节点", "At node"),
    ("home.figures", "辖区概况", "Within my scope"),
    ("home.todo", "我的待办", "Waiting for me"),
    ("home.todo.all", "辖区内诉求", "Requests in my area"),
    ("home.todo.waiting", "待处理", "Waiting"),
    ("home.todo.overdue", "已超期", "Overdue"),
    ("home.todo.due_soon", "临近时限", "Due soon"),
    ("home.todo.open", "未办结", "Not closed"),
    ("home.todo.to_rate", "待我评价", "Awaiting my rating"),
    (
        "home.figures.note",
        "每个数字均由记录实时计算，点击查看明细。",
        "Every figure is computed from records; click to see them.",
    ),
    ("nodes.title", "区划与组织", "Territory & organisations"),
    ("nodes.roots", "我的辖区", "My scope"),
    ("nodes.children", "下级节点", "Children"),
    ("nodes.none", "暂无下级节点", "No child nodes yet"),
    ("nodes.kind", "类型", "Kind"),
    ("nodes.code", "编码", "Code"),
    ("nodes.name", "名称", "Name"),
    ("nodes.path", "路径", "Path"),
    ("nodes.create", "新建下级节点", "Add a child node"),
    ("nodes.up", "上级", "Up"),
    ("nodes.count", "个", " total"),
    ("common.save", "保存", "Save"),
    ("common.create", "创建", "Create"),
    ("common.search", "查询", "Search"),
    ("common.reset", "重置", "Reset"),
    ("common.export_xlsx", "导出Excel", "Export Excel"),
    ("common.export_csv", "导出CSV", "Export CSV"),
    ("common.prev", "上一页", "Previous"),
    ("common.next", "下一页", "Next"),
    ("common.total", "共", "Total"),
    ("common.items", "条", "rows"),
    ("common.page", "页", "page"),
    ("common.actions", "操作", "Actions"),
    ("common.view", "查看", "View"),
    ("common.back", "返回", "Back"),
    ("common.created_at", "创建时间", "Created"),
    ("common.empty", "暂无数据", "Nothing here yet"),
    ("users.title", "账号与角色", "Accounts & roles"),
    ("users.new", "新建账号", "New account"),
    ("users.login", "登录名", "Login"),
    ("users.display_name", "姓名", "Name"),
    ("users.unit_name", "单位", "Unit"),
    ("users.password", "初始密码", "Initial password"),
    ("users.role", "角色", "Role"),
    ("users.node", "授权节点", "At node"),
    ("users.active", "状态", "Status"),
    ("users.active.yes", "启用", "Active"),
    ("users.active.no", "停用", "Disabled"),
    ("users.grants", "角色授权", "Roles"),
    (
        "users.password_rule",
        "至少 8 位，须含字母和数字",
        "At least 8 characters, letters and digits",
    ),
    ("password.title", "修改密码", "Change password"),
    ("password.current", "当前密码", "Current password"),
    ("password.new", "新密码", "New password"),
    ("password.confirm", "确认新密码", "Confirm new password"),
    (
        "password.done",
        "密码已修改，其他设备上的登录已退出。",
        "Password changed; other sessions were signed out.",
    ),
    (
        "password.mismatch",
        "两次输入的新密码不一致",
        "The two new passwords differ",
    ),
    ("error.title", "出错了", "Something went wrong"),
    ("error.home", "返回工作台", "Back to the workbench"),
    ("node.created", "节点已创建", "Node created"),
    ("user.created", "账号已创建", "Account created"),
];

/// Every string: this table, then the audit log's, the rosters' and lists', the requests', and
/// the other parts (kept apart to keep files short).
pub fn all_strings() -> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
    STRINGS
        .iter()
        .chain(super::i18n_audit::STRINGS)
        .chain(super::i18n_rosters::STRINGS)
        .chain(super::i18n_requests::STRINGS)
        .chain(super::i18n_open311::STRINGS)
        .chain(super::i18n_setup::STRINGS)
        .chain(super::i18n_whistles::STRINGS)
        .chain(super::i18n_dashboard::STRINGS)
}

#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Self {
        Self { lang }
    }

    /// The string for `key`; the key itself if it is missing (a test keeps that from happening).
    pub fn s<'a>(&self, key: &'a str) -> &'a str {
        match all_strings().find(|(k, _, _)| *k == key) {
            Some((_, zh, en)) => match self.lang {
                Lang::Zh => zh,
                Lang::En => en,
            },
            None => key,
        }
    }

    /// A label for a stable code (an audit action, an object type): the code itself when no
    /// label exists yet, so a new action is never shown blank.
    pub fn label(&self, prefix: &str, code: &str) -> String {
        let key = format!("{prefix}.{code}");
        match self.s(&key) {
            k if k == key => code.to_owned(),
            v => v.to_owned(),
        }
    }

    pub fn role(&self, r: jiceng_core::role::Role) -> &'static str {
        match self.lang {
            Lang::Zh => r.label_zh(),
            Lang::En => r.label_en(),
        }
    }

    pub fn kind(&self, raw: &str) -> &'static str {
        match jiceng_core::node::NodeKind::parse(raw) {
            Some(k) => match self.lang {
                Lang::Zh => k.label_zh(),
                Lang::En => k.label_en(),
            },
            None => "—",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_unique_and_translated() {
        let mut seen = std::collections::HashSet::new();
        for (k, zh, en) in all_strings() {
            assert!(seen.insert(k), "duplicate key {k}");
            assert!(!zh.is_empty() && !en.is_empty(), "{k} lacks a translation");
        }
    }

    #[test]
    fn every_key_used_by_a_template_exists() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        let known: std::collections::HashSet<_> = all_strings().map(|(k, _, _)| *k).collect();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for part in text.split(".s(\"").skip(1) {
                let key = part.split('"').next().unwrap();
                assert!(
                    known.contains(key),
                    "{} uses unknown key {key}",
                    path.display()
                );
            }
        }
    }
}
