//! Setting up a county from a spreadsheet (issue 20): units (with their parent, kind and
//! scoring class) and accounts, read from the two sheets of an .xlsx file. Every row is checked
//! before anything is written, and every error is given by sheet and row, in words; nothing is
//! imported unless every row passes. The server reads the file and writes the plan; this module
//! is the rule, so the admin page's check and the `import` command say the same thing.

use crate::role::Role;
use crate::text::normalize_name;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The sheet of units and its columns (the template's header row).
pub const UNIT_SHEET: &str = "单位";
pub const UNIT_COLUMNS: [&str; 4] = ["单位名称", "上级单位", "类型", "考核类别"];
/// The sheet of accounts and its columns.
pub const ACCOUNT_SHEET: &str = "账号";
pub const ACCOUNT_COLUMNS: [&str; 4] = ["用户名", "姓名", "所属单位", "角色"];
/// A sheet's cells as text, row by row (row 1, the header, first).
pub type Sheet = Vec<Vec<String>>;

/// Rows beyond this in one sheet are refused: a county has 50+ units and 80+ officers, and the
/// new accounts' passwords are hashed while the administrator waits.
pub const MAX_ROWS: usize = 500;

/// What the database already holds that a row may name, within what the importing administrator
/// manages.
#[derive(Clone, Debug, Default)]
pub struct Known {
    /// Units by id and name (normalised).
    pub units: Vec<(i64, String)>,
    /// User names already taken anywhere on the server (normalised).
    pub usernames: BTreeSet<String>,
    /// Each unit's reviewing office (an office is its own), for the scoring classes.
    pub office_of: BTreeMap<i64, i64>,
    /// Scoring classes by id, name and the office whose table they belong to.
    pub classes: Vec<(i64, String, i64)>,
    /// A new office (审核单位) may be created: the server's administrator only.
    pub may_create_office: bool,
}

/// A unit a row names: one already there, or one this file creates (index into `Plan::units`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UnitRef {
    Existing(i64),
    New(usize),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedUnit {
    pub row: u32,
    pub name: String,
    pub parent: UnitRef,
    /// `office`, `township` or `department`.
    pub kind: String,
    pub class_id: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedAccount {
    pub row: u32,
    pub username: String,
    pub display_name: String,
    pub unit: UnitRef,
    pub role: Role,
}

/// What the file will create, units in an order where every parent comes first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub units: Vec<PlannedUnit>,
    pub accounts: Vec<PlannedAccount>,
}

/// One row's problem: the sheet, the row number as the spreadsheet shows it (the header is row
/// 1), and what is wrong.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    pub sheet: String,
    pub row: u32,
    pub zh: String,
    pub en: String,
}

fn err(sheet: &str, row: u32, zh: String, en: String) -> RowError {
    RowError { sheet: sheet.to_owned(), row, zh, en }
}

/// The kinds of unit, as the sheet may write them.
fn parse_kind(text: &str) -> Option<&'static str> {
    match text.trim() {
        "" | "乡镇" | "乡" | "镇" | "街道" | "乡镇（街道）" | "township" => Some("township"),
        "部门" | "单位" | "department" => Some("department"),
        "办公室" | "审核单位" | "office" => Some("office"),
        _ => None,
    }
}

/// A role, as the sheet may write it: its Chinese label or its code.
pub fn parse_role(text: &str) -> Option<Role> {
    let t = text.trim();
    Role::ALL.into_iter().find(|r| r.label().zh == t || r.as_str().eq_ignore_ascii_case(t) || r.label().en.eq_ignore_ascii_case(t))
}

/// The cells of a sheet by column name: the header row gives each column's position, in any
/// order; a missing column is an error on row 1.
struct Columns {
    at: Vec<usize>,
}

impl Columns {
    fn of(
        sheet: &str,
        (header_row, header): (u32, &[String]),
        wanted: &[&str],
        required: &[&str],
        errors: &mut Vec<RowError>,
    ) -> Option<Columns> {
        let clean: Vec<String> = header.iter().map(|h| h.trim().replace(['*', '＊'], "")).collect();
        let mut at = Vec::with_capacity(wanted.len());
        let mut ok = true;
        for name in wanted {
            match clean.iter().position(|h| h == name) {
                Some(i) => at.push(i),
                None if required.contains(name) => {
                    ok = false;
                    errors.push(err(
                        sheet,
                        header_row,
                        format!("缺少“{name}”列：请使用模板的表头"),
                        format!("The column {name} is missing: use the template's header"),
                    ));
                }
                None => at.push(usize::MAX),
            }
        }
        ok.then_some(Columns { at })
    }

    fn get<'a>(&self, row: &'a [String], column: usize) -> &'a str {
        self.at.get(column).and_then(|&i| row.get(i)).map_or("", |s| s.trim())
    }
}

fn is_blank(row: &[String]) -> bool {
    row.iter().all(|c| c.trim().is_empty())
}

/// A header row: its number as the spreadsheet shows it, and its cells.
type Header<'a> = (u32, &'a [String]);

/// The header (the row naming the sheet's first column; else the first row with anything in
/// it: a title or blank rows may stand above it), and the rows below it with the number the
/// spreadsheet shows for each.
fn header_and_body<'a>(rows: &'a [Vec<String>], first_column: &str) -> Option<(Header<'a>, impl Iterator<Item = (u32, &'a Vec<String>)>)> {
    let names_it =
        |r: &Vec<String>| r.iter().any(|c| c.trim().trim_start_matches(['*', '＊']).trim_end_matches(['*', '＊']) == first_column);
    let at = rows.iter().position(names_it).or_else(|| rows.iter().position(|r| !is_blank(r)))?;
    Some(((at as u32 + 1, rows[at].as_slice()), rows[at + 1..].iter().enumerate().map(move |(i, r)| ((at + i) as u32 + 2, r))))
}

fn filled(rows: &[Vec<String>]) -> usize {
    rows.iter().filter(|r| !is_blank(r)).count()
}

/// Checks both sheets (each given with its header row first; either may be empty) against what
/// is known, and returns the plan, or every error found.
pub fn check(units: &[Vec<String>], accounts: &[Vec<String>], known: &Known) -> Result<Plan, Vec<RowError>> {
    let mut errors = Vec::new();
    if filled(units) <= 1 && filled(accounts) <= 1 {
        errors.push(err(
            UNIT_SHEET,
            1,
            format!("文件中没有可导入的行：请在模板的“{UNIT_SHEET}”和“{ACCOUNT_SHEET}”工作表中填写"),
            format!("Nothing to import: fill in the template's {UNIT_SHEET} and {ACCOUNT_SHEET} sheets"),
        ));
        return Err(errors);
    }
    for (sheet, rows) in [(UNIT_SHEET, units), (ACCOUNT_SHEET, accounts)] {
        let n = filled(rows).saturating_sub(1);
        if n > MAX_ROWS {
            errors.push(err(
                sheet,
                1,
                format!("行数太多（{n}行）：一次最多导入{MAX_ROWS}行"),
                format!("Too many rows ({n}): at most {MAX_ROWS} at a time"),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    // Existing units by name; a name used twice cannot be named in a sheet.
    let mut existing: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for (id, name) in &known.units {
        existing.entry(name.as_str()).or_default().push(*id);
    }

    // Units: first every row's own fields, then the parents (which may come later in the file).
    struct Row {
        row: u32,
        name: String,
        parent: String,
        kind: &'static str,
        class: String,
    }
    let mut rows: Vec<Row> = Vec::new();
    let mut new_names: BTreeMap<String, u32> = BTreeMap::new();
    if let Some((header, body)) = header_and_body(units, UNIT_COLUMNS[0])
        && let Some(cols) = Columns::of(UNIT_SHEET, header, &UNIT_COLUMNS, &UNIT_COLUMNS[..2], &mut errors)
    {
        for (row, cells) in body {
            if is_blank(cells) {
                continue;
            }
            let e = |zh: String, en: String| err(UNIT_SHEET, row, zh, en);
            let name = match normalize_name(cols.get(cells, 0), 64) {
                Ok(n) => n,
                Err(t) => {
                    errors.push(e(format!("单位名称：{}", t.zh), format!("Unit name: {}", t.en)));
                    continue;
                }
            };
            let parent = match normalize_name(cols.get(cells, 1), 64) {
                Ok(p) => p,
                Err(_) => {
                    errors.push(e(format!("“{name}”缺少上级单位"), format!("{name}: the parent unit is missing")));
                    continue;
                }
            };
            let kind_text = cols.get(cells, 2);
            let Some(kind) = parse_kind(kind_text) else {
                errors.push(e(
                    format!("类型“{kind_text}”无法识别：请填写 乡镇、部门 或 办公室"),
                    format!("Unknown kind {kind_text:?}: use 乡镇, 部门 or 办公室"),
                ));
                continue;
            };
            if kind == "office" && !known.may_create_office {
                errors.push(e(
                    "只有系统管理员可以新建审核单位（办公室）".to_owned(),
                    "Only the server administrator creates offices".to_owned(),
                ));
                continue;
            }
            let class = cols.get(cells, 3).to_owned();
            if let Some(first) = new_names.get(&name) {
                errors.push(e(format!("单位“{name}”与第{first}行重复"), format!("{name} repeats row {first}")));
                continue;
            }
            if existing.contains_key(name.as_str()) {
                errors.push(e(format!("单位“{name}”已存在"), format!("The unit {name} already exists")));
                continue;
            }
            new_names.insert(name.clone(), row);
            rows.push(Row { row, name, parent, kind, class });
        }
    }

    // Resolves a unit named in a sheet: one already there, or a row of this file.
    let index: BTreeMap<&str, usize> = rows.iter().enumerate().map(|(i, r)| (r.name.as_str(), i)).collect();
    let resolve = |name: &str| -> Result<UnitRef, (String, String)> {
        if let Some(&i) = index.get(name) {
            return Ok(UnitRef::New(i));
        }
        match existing.get(name).map(Vec::as_slice) {
            Some([id]) => Ok(UnitRef::Existing(*id)),
            Some(_) => Err((
                format!("有多个名为“{name}”的单位，无法确定是哪一个：请先在管理页改名"),
                format!("Several units are called {name}: rename them on the admin page first"),
            )),
            None => Err((
                format!("单位“{name}”不存在（既不在系统中，也不在“{UNIT_SHEET}”表中）"),
                format!("No unit {name}, neither on the server nor in the {UNIT_SHEET} sheet"),
            )),
        }
    };

    // Parents, and the order that creates every parent first (a loop among new rows is an error).
    let mut parents: Vec<Option<UnitRef>> = Vec::with_capacity(rows.len());
    for r in &rows {
        match resolve(&r.parent) {
            Ok(UnitRef::New(i)) if rows[i].name == r.name => {
                errors.push(err(
                    UNIT_SHEET,
                    r.row,
                    format!("“{}”的上级单位不能是它自己", r.name),
                    format!("{} cannot be its own parent", r.name),
                ));
                parents.push(None);
            }
            Ok(p) => parents.push(Some(p)),
            Err((zh, en)) => {
                errors.push(err(UNIT_SHEET, r.row, format!("上级{zh}"), format!("Parent: {en}")));
                parents.push(None);
            }
        }
    }
    let mut order: Vec<usize> = Vec::with_capacity(rows.len());
    let mut placed = vec![false; rows.len()];
    loop {
        let before = order.len();
        for i in 0..rows.len() {
            if placed[i] {
                continue;
            }
            let ready = match parents[i] {
                Some(UnitRef::Existing(_)) => true,
                Some(UnitRef::New(p)) => placed[p],
                None => false,
            };
            if ready {
                placed[i] = true;
                order.push(i);
            }
        }
        if order.len() == before {
            break;
        }
    }
    for (i, r) in rows.iter().enumerate() {
        if !placed[i] && parents[i].is_some() {
            errors.push(err(
                UNIT_SHEET,
                r.row,
                format!("“{}”的上级单位形成循环（或其上级有错）", r.name),
                format!("{}: its parents form a loop (or a parent has an error)", r.name),
            ));
        }
    }
    // Scoring classes: each unit's class is one of its own office's (new offices have none yet).
    let mut office_of_new: Vec<Option<i64>> = vec![None; rows.len()];
    let mut class_of: Vec<Option<i64>> = vec![None; rows.len()];
    for &i in &order {
        let r = &rows[i];
        let office = match parents[i] {
            _ if r.kind == "office" => None,
            Some(UnitRef::Existing(p)) => known.office_of.get(&p).copied(),
            Some(UnitRef::New(p)) => office_of_new[p],
            None => None,
        };
        office_of_new[i] = office;
        if r.class.is_empty() {
            continue;
        }
        let found: Vec<i64> = known.classes.iter().filter(|(_, n, o)| *n == r.class && Some(*o) == office).map(|(id, ..)| *id).collect();
        match found.as_slice() {
            [id] => class_of[i] = Some(*id),
            _ => errors.push(err(
                UNIT_SHEET,
                r.row,
                format!("考核类别“{}”不是“{}”所属办公室的类别：请先在“积分设置”中建立，或留空", r.class, r.name),
                format!(
                    "{:?} is not a scoring class of {}'s office: create it under scoring settings first, or leave it empty",
                    r.class, r.name
                ),
            )),
        }
    }
    let position: BTreeMap<usize, usize> = order.iter().enumerate().map(|(pos, &i)| (i, pos)).collect();
    let renumber = |u: UnitRef| match u {
        UnitRef::New(i) => UnitRef::New(position.get(&i).copied().unwrap_or(usize::MAX)),
        e => e,
    };
    let planned_units: Vec<PlannedUnit> = order
        .iter()
        .filter_map(|&i| {
            let r = &rows[i];
            Some(PlannedUnit {
                row: r.row,
                name: r.name.clone(),
                parent: renumber(parents[i]?),
                kind: r.kind.to_owned(),
                class_id: class_of[i],
            })
        })
        .collect();

    // Accounts.
    let mut planned_accounts = Vec::new();
    let mut taken: BTreeMap<String, u32> = BTreeMap::new();
    if let Some((header, body)) = header_and_body(accounts, ACCOUNT_COLUMNS[0])
        && let Some(cols) = Columns::of(ACCOUNT_SHEET, header, &ACCOUNT_COLUMNS, &ACCOUNT_COLUMNS, &mut errors)
    {
        for (row, cells) in body {
            if is_blank(cells) {
                continue;
            }
            let mut problems: Vec<(String, String)> = Vec::new();
            let username = match normalize_name(cols.get(cells, 0), 64) {
                Ok(u) if u.contains(' ') => {
                    problems.push(("用户名不能含空格".to_owned(), "A user name has no spaces".to_owned()));
                    u
                }
                Ok(u) => u.to_lowercase(),
                Err(t) => {
                    problems.push((format!("用户名：{}", t.zh), format!("User name: {}", t.en)));
                    String::new()
                }
            };
            if !username.is_empty() {
                if known.usernames.contains(&username) {
                    problems.push((format!("用户名“{username}”已被使用"), format!("The user name {username} is taken")));
                } else if let Some(first) = taken.get(&username) {
                    problems.push((format!("用户名“{username}”与第{first}行重复"), format!("{username} repeats row {first}")));
                } else {
                    taken.insert(username.clone(), row);
                }
            }
            let display_name = match normalize_name(cols.get(cells, 1), 64) {
                Ok(n) => n,
                Err(t) => {
                    problems.push((format!("姓名：{}", t.zh), format!("Name: {}", t.en)));
                    String::new()
                }
            };
            let unit_text = cols.get(cells, 2);
            let unit = match normalize_name(unit_text, 64) {
                Ok(name) => match resolve(&name) {
                    Ok(UnitRef::New(i)) if !placed[i] => {
                        problems.push((
                            format!("所属单位“{name}”在“{UNIT_SHEET}”表中有错"),
                            format!("The unit {name} has an error in its sheet"),
                        ));
                        None
                    }
                    Ok(u) => Some(renumber(u)),
                    Err(p) => {
                        problems.push(p);
                        None
                    }
                },
                Err(_) => {
                    problems.push(("缺少所属单位".to_owned(), "The unit is missing".to_owned()));
                    None
                }
            };
            let role_text = cols.get(cells, 3);
            let role = parse_role(role_text);
            if role.is_none() {
                problems.push((
                    format!("角色“{role_text}”无法识别：请填写 信息员、编辑、签发人、管理员 或 阅读人"),
                    format!("Unknown role {role_text:?}: use 信息员, 编辑, 签发人, 管理员 or 阅读人"),
                ));
            }
            if problems.is_empty()
                && let (Some(unit), Some(role)) = (unit, role)
            {
                planned_accounts.push(PlannedAccount { row, username, display_name, unit, role });
            }
            errors.extend(problems.into_iter().map(|(zh, en)| err(ACCOUNT_SHEET, row, zh, en)));
        }
    }

    if errors.is_empty() && planned_units.is_empty() && planned_accounts.is_empty() {
        errors.push(err(UNIT_SHEET, 1, "文件中没有可导入的行（只有空行）".to_owned(), "Nothing to import: the rows are empty".to_owned()));
    }
    if errors.is_empty() {
        Ok(Plan { units: planned_units, accounts: planned_accounts })
    } else {
        errors.sort_by_key(|e| (e.sheet != UNIT_SHEET, e.row));
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
    }

    fn known() -> Known {
        Known {
            units: vec![(1, "林双县人民政府办公室".into()), (2, "兰州湾镇".into())],
            usernames: ["admin".to_owned(), "lijj".to_owned()].into(),
            office_of: [(1, 1), (2, 1)].into(),
            classes: vec![(7, "一类乡镇".into(), 1), (8, "二类乡镇".into(), 1), (9, "一类乡镇".into(), 5)],
            may_create_office: false,
        }
    }

    #[test]
    fn a_county_in_any_order_is_planned_parents_first() {
        let units = sheet(&[
            &["单位名称", "上级单位", "类型", "考核类别"],
            &["城关社区", "城关镇", "乡镇", ""],
            &["城关镇", "林双县人民政府办公室", "乡镇", "一类乡镇"],
            &["县农业农村局", "林双县人民政府办公室", "部门", ""],
            &["", "", "", ""],
        ]);
        let accounts = sheet(&[
            &["姓名", "用户名", "角色", "所属单位"],
            &["王小红", "WangXH", "信息员", "城关镇"],
            &["赵刚", "zhaog", "editor", "林双县人民政府办公室"],
        ]);
        let plan = check(&units, &accounts, &known()).expect("a clean file");
        let names: Vec<&str> = plan.units.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(names, ["城关镇", "县农业农村局", "城关社区"]);
        assert_eq!(plan.units[0].parent, UnitRef::Existing(1));
        assert_eq!(plan.units[0].class_id, Some(7));
        assert_eq!(plan.units[2].parent, UnitRef::New(0));
        assert_eq!(plan.units[1].kind, "department");
        assert_eq!(plan.accounts[0].username, "wangxh");
        assert_eq!(plan.accounts[0].unit, UnitRef::New(0));
        assert_eq!(plan.accounts[0].role, Role::Officer);
        assert_eq!(plan.accounts[1].unit, UnitRef::Existing(1));
        assert_eq!(plan.accounts[1].row, 3);
    }

    #[test]
    fn every_bad_row_is_reported_by_sheet_and_row_in_chinese() {
        let units = sheet(&[
            &["单位名称", "上级单位", "类型", "考核类别"],
            &["甲镇", "乙镇", "乡镇", ""],
            &["乙镇", "甲镇", "乡镇", ""],
            &["兰州湾镇", "林双县人民政府办公室", "乡镇", ""],
            &["丙镇", "不存在的县", "乡镇", ""],
            &["丁镇", "林双县人民政府办公室", "村", ""],
            &["戊镇", "林双县人民政府办公室", "乡镇", "三类乡镇"],
            &["新办公室", "林双县人民政府办公室", "办公室", ""],
            &["己\u{200b}镇", "林双县人民政府办公室", "乡镇", ""],
        ]);
        let accounts = sheet(&[
            &["用户名", "姓名", "所属单位", "角色"],
            &["LIJJ", "李建军", "兰州湾镇", "信息员"],
            &["wangw", "王伟", "兰州湾镇", "科长"],
            &["wangw", "王伟", "无此镇", "信息员"],
            &["", "", "兰州湾镇", "信息员"],
        ]);
        let errors = check(&units, &accounts, &known()).expect_err("nothing passes");
        let at: Vec<(String, u32)> = errors.iter().map(|e| (e.sheet.clone(), e.row)).collect();
        let u = |r| (UNIT_SHEET.to_owned(), r);
        let a = |r| (ACCOUNT_SHEET.to_owned(), r);
        assert_eq!(at, [u(2), u(3), u(4), u(5), u(6), u(7), u(8), u(9), a(2), a(3), a(4), a(4), a(5), a(5)], "{errors:#?}");
        let text = |sheet: &str, row: u32| {
            errors.iter().filter(|e| e.sheet == sheet && e.row == row).map(|e| e.zh.as_str()).collect::<Vec<_>>().join("；")
        };
        assert!(text(UNIT_SHEET, 2).contains("循环"));
        assert!(text(UNIT_SHEET, 4).contains("已存在"));
        assert!(text(UNIT_SHEET, 5).contains("“不存在的县”不存在"));
        assert!(text(UNIT_SHEET, 6).contains("类型“村”无法识别"));
        assert!(text(UNIT_SHEET, 7).contains("考核类别“三类乡镇”不是“戊镇”所属办公室的类别"));
        assert!(text(UNIT_SHEET, 8).contains("系统管理员"));
        assert!(text(UNIT_SHEET, 9).contains("看不见的字符"));
        assert!(text(ACCOUNT_SHEET, 2).contains("“lijj”已被使用"), "user names compare in lower case");
        assert!(text(ACCOUNT_SHEET, 3).contains("角色“科长”无法识别"));
        assert!(text(ACCOUNT_SHEET, 4).contains("与第3行重复") && text(ACCOUNT_SHEET, 4).contains("“无此镇”不存在"));
        assert!(text(ACCOUNT_SHEET, 5).contains("用户名") && text(ACCOUNT_SHEET, 5).contains("姓名"));
    }

    #[test]
    fn a_sheet_without_its_columns_or_rows_says_so() {
        let errors = check(&sheet(&[&["名称", "上级"], &["甲镇", "乙镇"]]), &[], &known()).expect_err("no columns");
        assert_eq!(errors.len(), 2);
        assert!(errors.iter().all(|e| e.row == 1 && e.zh.contains("列")));
        let empty = check(&sheet(&[&["单位名称", "上级单位"]]), &sheet(&[&["用户名", "姓名", "所属单位", "角色"]]), &known());
        assert!(empty.expect_err("nothing").first().is_some_and(|e| e.zh.contains("没有可导入的行")));
        let many: Vec<Vec<String>> = std::iter::once(vec!["单位名称".to_owned(), "上级单位".to_owned()])
            .chain((0..=MAX_ROWS).map(|i| vec![format!("镇{i}"), "兰州湾镇".to_owned()]))
            .collect();
        assert!(check(&many, &[], &known()).expect_err("too many")[0].zh.contains("行数太多"));
    }

    #[test]
    fn units_whose_name_is_used_twice_cannot_be_named() {
        let mut k = known();
        k.units.push((3, "兰州湾镇".into()));
        let accounts = sheet(&[&["用户名", "姓名", "所属单位", "角色"], &["zhangs", "张三", "兰州湾镇", "信息员"]]);
        let errors = check(&[], &accounts, &k).expect_err("ambiguous");
        assert!(errors[0].zh.contains("有多个名为“兰州湾镇”的单位"), "{errors:?}");
    }
}
