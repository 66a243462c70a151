//! What the public board may print of a unit's result text. The board never shows the
//! resident's own description; the result is written by staff but often names the resident
//! ("已联系居民张三（13812345678）"), so before it is published this removes:
//! - every run of three or more digits (phones, 身份证 numbers, house numbers, codes), with any
//!   letters stuck to it (the `X` that ends an ID number);
//! - anything that reads as an address below the estate: a number (Arabic, full-width or
//!   Chinese) followed by 号楼, 栋, 单元, 室, 层 … and whatever numbers follow it
//!   ("3号楼2单元501", "五栋一单元");
//! - the requester's name wherever it appears, and names in the two shapes staff write them: a
//!   surname before an honorific ("王师傅", "李阿姨") and a name after a label ("居民张三",
//!   "业主：王小明").
//!
//! It errs on the side of removing too much: a date written "5号" goes too. A bare name with no
//! such context cannot be recognised without a register of names, which is why the requester's
//! name is passed in, and why the board shows no free text of the resident at all.

const CUT: &str = "＊";
const SOMEONE: &str = "某";

/// Address units, longest first so "号楼" wins over "号".
const UNITS: [&str; 15] = [
    "号楼", "号院", "单元", "号", "栋", "幢", "座", "室", "层", "楼", "户", "门", "排", "弄", "巷",
];

const HONORIFICS: [&str; 14] = [
    "先生", "女士", "小姐", "师傅", "阿姨", "大爷", "大妈", "大娘", "奶奶", "爷爷", "大姐", "大哥",
    "老师", "同志",
];

const LABELS: [&str; 16] = [
    "居民",
    "业主",
    "住户",
    "户主",
    "联系人",
    "姓名",
    "诉求人",
    "群众",
    "租户",
    "村民",
    "市民",
    "反映人",
    "当事人",
    "老人",
    "来电人",
    "报告人",
];

/// Common surnames: a name is recognised only where one starts it, which keeps ordinary words
/// after a label ("居民反映") from being cut.
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝";

/// Characters that end a name after a label ("居民张三反映" → 张三).
const AFTER_NAME: &str = "的反称家说表对已于在等和及同先女师阿大老来致诉要";

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

fn is_numeral(c: char) -> bool {
    is_digit(c) || "〇零一二三四五六七八九十百两".contains(c)
}

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// The unit word starting at `i`, if any: its length in chars.
fn unit_at(s: &[char], i: usize) -> Option<usize> {
    UNITS.iter().find_map(|u| {
        let u: Vec<char> = u.chars().collect();
        s.get(i..i + u.len())
            .is_some_and(|w| w == u.as_slice())
            .then_some(u.len())
    })
}

/// A run of numerals and ASCII letters starting at `i`: (end, digits in it). A run must start
/// with a numeral, so English words are left alone.
fn run_at(s: &[char], i: usize) -> Option<(usize, usize)> {
    if !s.get(i).is_some_and(|c| is_numeral(*c)) {
        return None;
    }
    let mut end = i;
    while s
        .get(end)
        .is_some_and(|c| is_numeral(*c) || c.is_ascii_alphabetic())
    {
        end += 1;
    }
    Some((end, s[i..end].iter().filter(|c| is_digit(**c)).count()))
}

/// Numbers: house-number chains and runs of three or more digits become one `＊`.
fn numbers(text: &str) -> String {
    let s: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < s.len() {
        let Some((end, digits)) = run_at(&s, i) else {
            out.push(s[i]);
            i += 1;
            continue;
        };
        let Some(u) = unit_at(&s, end) else {
            out.push_str(&if digits >= 3 {
                CUT.to_owned()
            } else {
                s[i..end].iter().collect()
            });
            i = end;
            continue;
        };
        // An address: swallow every number and unit that follows ("3号楼2单元501室").
        let mut j = end + u;
        loop {
            let k = if matches!(s.get(j), Some('-' | '—' | '－' | '之')) {
                j + 1
            } else {
                j
            };
            let Some((e, _)) = run_at(&s, k) else { break };
            j = e + unit_at(&s, e).unwrap_or(0);
        }
        out.push_str(CUT);
        i = j;
    }
    out
}

fn is_surname(c: char) -> bool {
    SURNAMES.contains(c)
}

/// Names before an honorific and after a label become `某`.
fn names(text: &str) -> String {
    let s: Vec<char> = text.chars().collect();
    let mut cut = vec![false; s.len()];
    let at = |i: usize, w: &str| {
        let w: Vec<char> = w.chars().collect();
        s.get(i..i + w.len()).is_some_and(|x| x == w.as_slice())
    };
    for i in 0..s.len() {
        if HONORIFICS.iter().any(|h| at(i, h)) {
            // "王五师傅": the surname may stand one or two characters before the honorific.
            if i >= 2 && is_surname(s[i - 2]) && is_han(s[i - 1]) {
                cut[i - 2] = true;
                cut[i - 1] = true;
            } else if i >= 1 && is_surname(s[i - 1]) {
                cut[i - 1] = true;
            }
        }
        if let Some(l) = LABELS.iter().find(|l| at(i, l)) {
            let mut j = i + l.chars().count();
            while matches!(s.get(j), Some(':' | '：' | ' ' | '　')) {
                j += 1;
            }
            if s.get(j).is_some_and(|c| is_surname(*c)) {
                let mut k = j;
                while k < j + 3 && s.get(k).is_some_and(|c| is_han(*c)) {
                    if k > j && AFTER_NAME.contains(s[k]) {
                        break;
                    }
                    cut[k] = true;
                    k += 1;
                }
            }
        }
    }
    let mut out = String::new();
    for (i, c) in s.iter().enumerate() {
        match (cut[i], i > 0 && cut[i - 1]) {
            (true, true) => {}
            (true, false) => out.push_str(SOMEONE),
            _ => out.push(*c),
        }
    }
    out
}

/// The result text as the public board prints it. `known` are names to remove wherever they
/// appear (the requester's).
pub fn scrub(text: &str, known: &[&str]) -> String {
    let mut t = text.to_owned();
    for name in known {
        let name = name.trim();
        if name.chars().count() >= 2 {
            t = t.replace(name, SOMEONE);
        }
    }
    names(&numbers(&t))
}

#[cfg(test)]
mod tests {
    use super::scrub;

    #[test]
    fn numbers_and_addresses_go() {
        let cases = [
            ("电话13812345678已回访", "电话＊已回访"),
            ("身份证37172219900101123X", "身份证＊"),
            ("5号楼3单元402漏水已修复", "＊漏水已修复"),
            ("３号楼２单元５０１室", "＊"),
            ("五栋一单元楼道灯已更换", "＊楼道灯已更换"),
            ("0530-5512345", "＊-＊"),
            ("12月3日前完成，共2处", "12月3日前完成，共2处"),
            ("APP已上线", "APP已上线"),
        ];
        for (text, want) in cases {
            assert_eq!(scrub(text, &[]), want, "{text}");
        }
    }

    #[test]
    fn names_go() {
        let cases = [
            ("已联系居民张三反映的问题", "已联系居民某反映的问题"),
            ("业主：王小明家水管已修", "业主：某家水管已修"),
            ("王五师傅上门维修", "某师傅上门维修"),
            ("李阿姨表示满意", "某阿姨表示满意"),
            (
                "物业维修师傅已处理，居民反映属实",
                "物业维修师傅已处理，居民反映属实",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(scrub(text, &[]), want, "{text}");
        }
        assert_eq!(scrub("赵铁柱已签字确认", &["赵铁柱", " "]), "某已签字确认");
    }
}
