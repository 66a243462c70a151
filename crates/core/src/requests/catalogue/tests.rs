use super::*;
use crate::requests::questions::check_answers;
use crate::requests::questions::{Answer, Answers};
use std::collections::BTreeSet;

/// A small valid catalogue; the bad cases below each change one thing in it.
const GOOD: &str = r#"
[[department]]
key = "zhujian"
name = "住房和城乡建设局"
short = "住建"

[[department]]
key = "chengguan"
name = "综合行政执法局"
short = "城管"

[[category]]
code = "heating"
name = "供暖"
group = "市政公用"
severity = "general"
department = "zhujian"
hint = "暖气不热"

[[category.questions]]
key = "indoor_temp"
label = "室内温度"
kind = "number"
required = true

[[category]]
code = "street_vending"
name = "占道经营"
group = "城市管理"
severity = "一般"
resolve_days = 5
department = "chengguan"

[[category.questions]]
key = "times"
label = "经营时段"
kind = "multi"
options = ["白天", "夜间"]
"#;

#[test]
fn the_shipped_catalogue_parses_and_has_the_categories_residents_raise() {
    let c = Catalogue::shipped();
    let names: BTreeSet<&str> = c.categories.iter().map(|c| c.name.as_str()).collect();
    let required = [
        "供水",
        "供暖",
        "老旧小区改造",
        "停车难",
        "路面积水",
        "违章搭建",
        "乱停车",
        "占道经营",
        "物业服务",
        "消防安全",
        "噪音扰民",
        "环境卫生",
        "食品安全",
        "矛盾纠纷",
        "安全隐患",
        "路灯照明",
        "燃气",
        "电梯故障",
        "房屋漏水",
        "绿化养护",
        "下水道堵塞",
        "其他",
    ];
    for name in required {
        assert!(names.contains(name), "missing category {name}");
    }
    assert!(
        (8..=15).contains(&c.departments.len()),
        "{} departments",
        c.departments.len()
    );
}

#[test]
fn every_shipped_category_names_a_known_department_and_every_department_leads_something() {
    let c = Catalogue::shipped();
    for cat in &c.categories {
        assert!(
            c.department(&cat.department).is_some(),
            "{}: {}",
            cat.name,
            cat.department
        );
        assert!(!cat.hint.is_empty(), "{} has no hint", cat.name);
        assert!(cat.questions.len() <= 3, "{} asks too much", cat.name);
    }
    for d in &c.departments {
        assert!(
            c.categories.iter().any(|cat| cat.department == d.key),
            "{} leads no category",
            d.name
        );
    }
}

#[test]
fn the_shipped_severities_and_questions_fit_the_brief() {
    let c = Catalogue::shipped();
    let cat = |code: &str| c.category(code).unwrap_or_else(|| panic!("{code}"));
    // (code, severity, resolve days)
    let cases = [
        ("heating", Severity::General, None),
        ("water_supply", Severity::General, None),
        ("fire_safety", Severity::Important, None),
        ("elevator_fault", Severity::Important, None),
        ("gas", Severity::Major, Some(3)),
        ("old_community_renovation", Severity::Major, Some(30)),
    ];
    for (code, severity, days) in cases {
        assert_eq!(cat(code).severity, severity, "{code}");
        assert_eq!(cat(code).resolve_days, days, "{code}");
    }
    let general = c
        .categories
        .iter()
        .filter(|c| c.severity == Severity::General)
        .count();
    assert!(general * 2 > c.categories.len(), "mostly general");

    let heating = cat("heating");
    let ok = check_answers(
        &heating.questions,
        &Answers::from([("indoor_temp".into(), Answer::Text("15".into()))]),
    );
    assert_eq!(ok.unwrap()["indoor_temp"], Answer::Number(15.0));
    let e = check_answers(&heating.questions, &Answers::new()).unwrap_err();
    assert_eq!(e.message, "请填写「室内温度」");

    let trapped = &cat("elevator_fault").questions[0];
    assert_eq!(
        (trapped.label.as_str(), trapped.required),
        ("是否有人被困", true)
    );
    assert_eq!(trapped.options, ["是", "否"]);
    let depth = &cat("waterlogging").questions[0];
    assert_eq!(depth.options, ["没过脚踝", "没过小腿", "没过膝盖"]);
    let noise_times = &cat("noise").questions[1];
    assert_eq!(noise_times.kind, QuestionKind::Multi);
    assert_eq!(noise_times.options, ["白天", "夜间", "凌晨"]);
}

#[test]
fn a_small_catalogue_parses_into_departments_and_categories() {
    let c = Catalogue::from_toml(GOOD).unwrap();
    assert_eq!(c.departments.len(), 2);
    assert_eq!(c.departments[0].short, "住建");
    let vending = c.category("street_vending").unwrap();
    assert_eq!(
        vending.severity,
        Severity::General,
        "Chinese label accepted"
    );
    assert_eq!(vending.resolve_days, Some(5));
    assert_eq!(vending.hint, "");
    assert_eq!(vending.questions[0].kind, QuestionKind::Multi);
    assert!(!vending.questions[0].required);
    assert_eq!(c.category("heating").unwrap().resolve_days, None);
}

#[test]
fn bad_catalogues_are_rejected_with_a_message_naming_the_culprit() {
    // (what, text to replace in GOOD, replacement, words the message must contain)
    let cases: [(&str, &str, &str, &[&str]); 16] = [
        (
            "a duplicate category code",
            r#"code = "street_vending""#,
            r#"code = "heating""#,
            &["heating", "重复"],
        ),
        (
            "a duplicate category name",
            r#"name = "占道经营""#,
            r#"name = "供暖""#,
            &["供暖", "重复"],
        ),
        (
            "a category code with upper case",
            r#"code = "heating""#,
            r#"code = "Heating""#,
            &["供暖", "Heating"],
        ),
        (
            "an unknown department",
            r#"department = "chengguan""#,
            r#"department = "gongan""#,
            &["占道经营", "gongan"],
        ),
        (
            "a duplicate department key",
            r#"key = "chengguan""#,
            r#"key = "zhujian""#,
            &["zhujian", "重复"],
        ),
        (
            "a department without a short name",
            r#"short = "城管""#,
            r#"short = """#,
            &["综合行政执法局", "short"],
        ),
        (
            "a choice question without options",
            r#"options = ["白天", "夜间"]"#,
            "",
            &["占道经营", "经营时段", "选项不能为空"],
        ),
        (
            "a choice question with one option",
            r#"options = ["白天", "夜间"]"#,
            r#"options = ["白天"]"#,
            &["占道经营", "经营时段"],
        ),
        (
            "a bad severity",
            r#"severity = "general""#,
            r#"severity = "urgent""#,
            &["供暖", "urgent"],
        ),
        (
            "a bad question kind",
            r#"kind = "number""#,
            r#"kind = "integer""#,
            &["供暖", "室内温度", "integer"],
        ),
        (
            "a bad question key",
            r#"key = "indoor_temp""#,
            r#"key = "indoor temp""#,
            &["供暖", "室内温度", "indoor temp"],
        ),
        (
            "resolve days of zero",
            "resolve_days = 5",
            "resolve_days = 0",
            &["占道经营", "0"],
        ),
        (
            "resolve days over the limit",
            "resolve_days = 5",
            "resolve_days = 61",
            &["占道经营", "61"],
        ),
        (
            "a category without a group",
            r#"group = "市政公用""#,
            "",
            &["供暖", "group"],
        ),
        (
            "a misspelt field",
            "resolve_days = 5",
            "resolve_day = 5",
            &["resolve_day"],
        ),
        (
            "a misspelt table",
            "[[department]]\nkey = \"zhujian\"",
            "[[departments]]\nkey = \"zhujian\"",
            &["departments"],
        ),
    ];
    for (what, from, to, named) in cases {
        assert!(GOOD.contains(from), "{what}: the case does not apply");
        let text = GOOD.replacen(from, to, 1);
        let e = Catalogue::from_toml(&text).expect_err(what);
        let message = e.to_string();
        assert!(
            message.starts_with("事项分类目录有误："),
            "{what}: {message}"
        );
        for word in named {
            assert!(message.contains(word), "{what}: {message}");
        }
    }
}

#[test]
fn a_catalogue_without_categories_or_with_broken_toml_is_rejected() {
    let cases = [
        ("an empty file", "", "没有任何分类"),
        ("broken TOML", "[[category]\ncode = ", "TOML"),
        (
            "departments only",
            "[[department]]\nkey = \"a\"\nname = \"甲局\"\nshort = \"甲\"\n",
            "没有任何分类",
        ),
    ];
    for (what, text, named) in cases {
        let e = Catalogue::from_toml(text).expect_err(what);
        assert!(e.0.contains(named), "{what}: {}", e.0);
    }
}
