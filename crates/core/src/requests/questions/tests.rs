use super::*;

fn q(key: &str, label: &str, kind: QuestionKind, required: bool, options: &[&str]) -> Question {
    Question {
        key: key.into(),
        label: label.into(),
        kind,
        required,
        options: options.iter().map(|o| o.to_string()).collect(),
    }
}

fn text(s: &str) -> Answer {
    Answer::Text(s.into())
}

fn many(v: &[&str]) -> Answer {
    Answer::Many(v.iter().map(|s| s.to_string()).collect())
}

fn answers(pairs: &[(&str, Answer)]) -> Answers {
    pairs
        .iter()
        .map(|(k, a)| (k.to_string(), a.clone()))
        .collect()
}

/// The questions of a made-up category covering every kind.
fn form() -> Vec<Question> {
    use QuestionKind::*;
    vec![
        q("indoor_temp", "室内温度", Number, true, &[]),
        q("households", "影响户数", Number, false, &[]),
        q("since", "开始日期", Date, false, &[]),
        q("trapped", "是否有人被困", Single, false, &["是", "否"]),
        q("times", "噪音时段", Multi, false, &["白天", "夜间", "凌晨"]),
        q("note", "补充说明", Text, false, &[]),
    ]
}

#[test]
fn a_well_formed_question_list_is_accepted() {
    assert_eq!(validate_questions(&form()), Ok(()));
    assert_eq!(validate_questions(&[]), Ok(()));
}

#[test]
fn malformed_question_lists_are_rejected_with_a_code_and_a_message_naming_the_question() {
    use QuestionKind::*;
    let ok = q("households", "影响户数", Number, false, &[]);
    let cases: Vec<(&str, Vec<Question>, &str, &str)> = vec![
        (
            "an empty key",
            vec![q("", "影响户数", Number, false, &[])],
            "invalid_question_key",
            "影响户数",
        ),
        (
            "an upper-case key",
            vec![q("Households", "影响户数", Number, false, &[])],
            "invalid_question_key",
            "Households",
        ),
        (
            "a key starting with a digit",
            vec![q("1st", "影响户数", Number, false, &[])],
            "invalid_question_key",
            "1st",
        ),
        (
            "a key with a hyphen",
            vec![q("house-holds", "影响户数", Number, false, &[])],
            "invalid_question_key",
            "house-holds",
        ),
        (
            "a repeated key",
            vec![ok.clone(), q("households", "户数", Number, false, &[])],
            "duplicate_question",
            "households",
        ),
        (
            "a repeated label",
            vec![ok.clone(), q("homes", "影响户数", Number, false, &[])],
            "duplicate_question",
            "影响户数",
        ),
        (
            "a blank label",
            vec![q("households", "  ", Number, false, &[])],
            "invalid_question_label",
            "households",
        ),
        (
            "a single choice without options",
            vec![q("trapped", "是否有人被困", Single, true, &[])],
            "invalid_question_options",
            "问题「是否有人被困」的选项不能为空",
        ),
        (
            "a multiple choice with one option",
            vec![q("times", "噪音时段", Multi, false, &["夜间"])],
            "invalid_question_options",
            "噪音时段",
        ),
        (
            "a choice whose two options are the same",
            vec![q("trapped", "是否有人被困", Single, false, &["是", "是"])],
            "invalid_question_options",
            "「是」重复",
        ),
        (
            "a choice with a blank option",
            vec![q(
                "trapped",
                "是否有人被困",
                Single,
                false,
                &["是", "否", " "],
            )],
            "invalid_question_options",
            "是否有人被困",
        ),
        (
            "an option with surrounding spaces",
            vec![q("trapped", "是否有人被困", Single, false, &["是 ", "否"])],
            "invalid_question_options",
            "是否有人被困",
        ),
        (
            "a number question with options",
            vec![q("households", "影响户数", Number, false, &["1", "2"])],
            "invalid_question_options",
            "问题「影响户数」是数字题",
        ),
        (
            "a text question with options",
            vec![q("note", "补充说明", Text, false, &["甲", "乙"])],
            "invalid_question_options",
            "补充说明",
        ),
    ];
    for (what, questions, code, named) in cases {
        let e = validate_questions(&questions).expect_err(what);
        assert_eq!(e.code, code, "{what}: {}", e.message);
        assert_eq!(e.field, "questions", "{what}");
        assert!(e.message.contains(named), "{what}: {}", e.message);
    }
}

#[test]
fn answers_are_normalised() {
    let got = check_answers(
        &form(),
        &answers(&[
            ("indoor_temp", text(" 18.5 ")),
            ("households", Answer::Number(12.0)),
            ("since", text("2025-1-5")),
            ("trapped", text(" 否 ")),
            ("times", many(&["凌晨", "夜间", "凌晨", " "])),
            ("note", text("  三号楼二单元  ")),
        ]),
    )
    .unwrap();
    let want = answers(&[
        ("indoor_temp", Answer::Number(18.5)),
        ("households", Answer::Number(12.0)),
        ("since", text("2025-01-05")),
        ("trapped", text("否")),
        ("times", many(&["夜间", "凌晨"])),
        ("note", text("三号楼二单元")),
    ]);
    assert_eq!(got, want);
}

#[test]
fn lenient_shapes_become_the_normal_form() {
    // (question key, given, normal form)
    let cases = [
        ("times", text("夜间"), many(&["夜间"])),
        ("trapped", many(&["是"]), text("是")),
        ("indoor_temp", text("-3"), Answer::Number(-3.0)),
        ("note", Answer::Number(101.0), text("101")),
        ("since", text("2024-02-29"), text("2024-02-29")),
    ];
    for (key, given, want) in cases {
        let mut given = answers(&[(key, given)]);
        given
            .entry("indoor_temp".into())
            .or_insert(Answer::Number(16.0));
        let got = check_answers(&form(), &given).unwrap();
        assert_eq!(got.get(key), Some(&want), "{key}");
    }
}

#[test]
fn empty_optional_answers_are_dropped() {
    let got = check_answers(
        &form(),
        &answers(&[
            ("indoor_temp", Answer::Number(16.0)),
            ("households", text("")),
            ("since", text("   ")),
            ("trapped", many(&[])),
            ("times", many(&["", " "])),
            ("note", text("\n")),
        ]),
    )
    .unwrap();
    assert_eq!(got, answers(&[("indoor_temp", Answer::Number(16.0))]));
}

#[test]
fn bad_answers_are_rejected_with_a_code_and_a_message_naming_the_question() {
    let long = "很".repeat(MAX_TEXT_CHARS + 1);
    let cases = [
        (
            "an unknown key",
            "floor",
            text("3"),
            "unknown_question",
            "floor",
        ),
        (
            "a missing required answer",
            "households",
            Answer::Number(3.0),
            "missing_answer",
            "请填写「室内温度」",
        ),
        (
            "a blank required answer",
            "indoor_temp",
            text("  "),
            "missing_answer",
            "请填写「室内温度」",
        ),
        (
            "a word for a number",
            "indoor_temp",
            text("很冷"),
            "invalid_answer",
            "室内温度",
        ),
        (
            "a number that is not finite",
            "indoor_temp",
            Answer::Number(f64::NAN),
            "invalid_answer",
            "室内温度",
        ),
        (
            "infinity spelled out",
            "indoor_temp",
            text("inf"),
            "invalid_answer",
            "室内温度",
        ),
        (
            "a list for a number",
            "indoor_temp",
            many(&["18"]),
            "invalid_answer",
            "室内温度",
        ),
        (
            "a date in another format",
            "since",
            text("2025/01/05"),
            "invalid_answer",
            "开始日期",
        ),
        (
            "a date that does not exist",
            "since",
            text("2025-02-30"),
            "invalid_answer",
            "开始日期",
        ),
        (
            "a date with a two-digit year",
            "since",
            text("25-01-05"),
            "invalid_answer",
            "开始日期",
        ),
        (
            "a number for a date",
            "since",
            Answer::Number(20250105.0),
            "invalid_answer",
            "开始日期",
        ),
        (
            "a single choice not in the list",
            "trapped",
            text("不确定"),
            "invalid_option",
            "不确定",
        ),
        (
            "two answers for a single choice",
            "trapped",
            many(&["是", "否"]),
            "invalid_answer",
            "是否有人被困",
        ),
        (
            "a multiple choice with an unknown option",
            "times",
            many(&["夜间", "中午"]),
            "invalid_option",
            "中午",
        ),
        (
            "a text answer that is too long",
            "note",
            text(&long),
            "answer_too_long",
            "补充说明",
        ),
        (
            "a list for a text question",
            "note",
            many(&["甲"]),
            "invalid_answer",
            "补充说明",
        ),
    ];
    for (what, key, given, code, named) in cases {
        let mut given = answers(&[(key, given)]);
        if key != "indoor_temp" {
            given.insert("indoor_temp".into(), Answer::Number(16.0));
        }
        if what == "a missing required answer" {
            given.remove("indoor_temp");
        }
        let e = check_answers(&form(), &given).expect_err(what);
        assert_eq!(e.code, code, "{what}: {}", e.message);
        assert_eq!(e.field, "answers", "{what}");
        assert!(e.message.contains(named), "{what}: {}", e.message);
    }
}

#[test]
fn an_option_error_lists_the_choices() {
    let e = check_answers(
        &form(),
        &answers(&[
            ("indoor_temp", Answer::Number(16.0)),
            ("trapped", text("也许")),
        ]),
    )
    .unwrap_err();
    assert_eq!(
        e.message,
        "「是否有人被困」的「也许」不在选项中，可选：是、否"
    );
}

#[test]
fn answers_deserialize_from_a_number_a_string_or_a_list() {
    // Untagged: a number (integer or not), a string or a list of strings.
    let got: Answers = toml::from_str(
        r#"
        indoor_temp = 16.5
        households = 12
        since = "2025-01-05"
        times = ["夜间"]
        "#,
    )
    .unwrap();
    assert_eq!(got["indoor_temp"], Answer::Number(16.5));
    assert_eq!(got["households"], Answer::Number(12.0));
    assert_eq!(got["since"], text("2025-01-05"));
    assert_eq!(got["times"], many(&["夜间"]));
}
