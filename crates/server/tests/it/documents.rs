//! The Word and Excel files open in LibreOffice with their Chinese intact: each is converted
//! to PDF by `libreoffice --headless --convert-to pdf`, and the PDF's text (pdftotext) holds
//! the title, every unit in rank order and the remarks, set in a CJK font (pdffonts) — no
//! tofu. `cargo xtask test` installs LibreOffice, poppler-utils and fonts-noto-cjk.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use xinbao_core::scores::{BoardKey, Notice, Period, Quota, Scoreboard, Tally, from_ymd};

fn notice() -> Notice {
    let q = Period::quarter(2026, 4);
    let names = ["河西镇", "兰州湾镇", "大丰镇", "农业农村局"];
    let keys: Vec<BoardKey> = names
        .iter()
        .enumerate()
        .map(|(i, n)| BoardKey {
            id: i as i64 + 1,
            name: (*n).into(),
            group: if i < 3 { "一类乡镇".into() } else { "县直部门".into() },
            unit: String::new(),
            quota: Some(Quota::Monthly(if i < 3 { 6 } else { 2 })),
        })
        .collect();
    let tallies: BTreeMap<i64, Tally> = [
        (1, Tally { submitted: 25, adopted: 9, centi: 7300 }),
        (2, Tally { submitted: 18, adopted: 4, centi: 3850 }),
        (3, Tally { submitted: 6, adopted: 1, centi: 1100 }),
        (4, Tally { submitted: 7, adopted: 3, centi: 2200 }),
    ]
    .into_iter()
    .collect();
    let units = Scoreboard::build(q.title(), q, 30, &keys, &tallies);
    let people_keys =
        vec![BoardKey { id: 9, name: "李明".into(), group: String::new(), unit: "河西镇".into(), quota: Some(Quota::Weekly(1)) }];
    let people_t: BTreeMap<i64, Tally> = [(9, Tally { submitted: 14, adopted: 6, centi: 5000 })].into_iter().collect();
    let people = Scoreboard::build(q.title(), q, 30, &people_keys, &people_t);
    Notice::build("林双县人民政府办公室", q, from_ymd(2027, 1, 6), &units, &units, &people)
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xinbao-docs-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("scratch dir: {e}"));
    dir
}

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program} ({e}): install LibreOffice and poppler-utils, as `cargo xtask test` does"));
    assert!(out.status.success(), "{program} {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Converts `file` to PDF in its directory with a LibreOffice profile of its own (tests run in
/// parallel; two instances must not share one) and returns (text, fonts) of the PDF.
fn to_pdf(file: &Path) -> (String, String) {
    let dir = file.parent().unwrap_or(Path::new("."));
    let profile = format!("file://{}", dir.join("profile").display());
    run(
        "libreoffice",
        &[
            &format!("-env:UserInstallation={profile}"),
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            &dir.display().to_string(),
            &file.display().to_string(),
        ],
    );
    let pdf = file.with_extension("pdf");
    assert!(pdf.exists(), "LibreOffice wrote no {}", pdf.display());
    let pdf = pdf.display().to_string();
    (run("pdftotext", &["-layout", &pdf, "-"]), run("pdffonts", &[&pdf]))
}

/// `needles` must all be in `text`, in this order. White space is left out of both: the PDF's
/// text puts spaces between Chinese and digits and breaks long lines where the page did.
fn in_order(text: &str, needles: &[&str]) {
    let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let (full, text) = (text, squeeze(text));
    let mut from = 0;
    for n in needles {
        let n = squeeze(n);
        match text[from..].find(&n) {
            Some(at) => from += at + n.len(),
            None => panic!("{n:?} is missing (or out of order) in:\n{full}"),
        }
    }
}

#[test]
fn the_word_notice_opens_in_libreoffice_with_its_chinese_in_order() {
    let n = notice();
    let dir = scratch("docx");
    let file = dir.join("notice.docx");
    let bytes = xinbao_server::documents::docx_bytes(xinbao_server::notice::docx(&n)).unwrap_or_else(|e| panic!("{e:?}"));
    std::fs::write(&file, bytes).unwrap_or_else(|e| panic!("{e}"));
    let (text, fonts) = to_pdf(&file);
    in_order(
        &text,
        &[
            "林双县人民政府办公室",
            "关于2026年第4季度政务信息工作情况的季度通报",
            "一、一类乡镇",
            "河西镇",
            "兰州湾镇",
            "大丰镇",
            "二、县直部门",
            "农业农村局",
            "信息员个人排名",
            "李明",
            "先进单位（一类乡镇）：河西镇、兰州湾镇、大丰镇",
            "未完成报送定额的单位：大丰镇。",
            "2027年1月6日",
        ],
    );
    assert!(fonts.contains("CJK"), "no CJK font in the PDF — Chinese would show as boxes:\n{fonts}");
}

#[test]
fn the_excel_notice_opens_in_libreoffice_with_its_chinese_in_order() {
    let n = notice();
    let dir = scratch("xlsx");
    let file = dir.join("notice.xlsx");
    let bytes = xinbao_server::notice::xlsx(&n).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&file, bytes).unwrap_or_else(|e| panic!("{e}"));
    let (text, fonts) = to_pdf(&file);
    in_order(&text, &["关于2026年第4季度政务信息工作情况的季度通报", "排名", "河西镇", "73", "兰州湾镇", "38.5", "大丰镇", "农业农村局"]);
    assert!(text.contains("李明"), "the people's sheet is missing:\n{text}");
    assert!(text.contains("采用率低于30%的单位：兰州湾镇、大丰镇。"), "the remarks are missing:\n{text}");
    assert!(fonts.contains("CJK"), "no CJK font in the PDF:\n{fonts}");
}

#[test]
fn an_issue_opens_in_libreoffice_with_its_masthead_and_every_title_in_order() {
    use xinbao_core::periodical::{Circulation, IssueFields, IssueItem, IssueState, IssueView};
    let items: Vec<IssueItem> = ["兰州湾镇抢收小麦1.2万亩", "大丰镇推进秸秆还田", "县应急管理局开展安全检查"]
        .iter()
        .enumerate()
        .map(|(i, t)| IssueItem {
            id: format!("{i}"),
            title: (*t).into(),
            body: "6月3日，全镇组织收割机320台，抢收小麦1.2万亩，同比提前3天。\n下一步，将加快烘干仓储。".into(),
            unit: "兰州湾镇".into(),
            author: "李建军".into(),
        })
        .collect();
    let v = IssueView {
        id: 1,
        state: IssueState::Published,
        publication: "林双政务信息".into(),
        office: "林双县人民政府办公室".into(),
        fields: IssueFields {
            publication_id: 1,
            year: 2026,
            number: 12,
            total_number: 345,
            date: "2026-11-25".into(),
            signer: "赵主任".into(),
            editor_note: "本期刊发“三夏”工作动态。".into(),
            circulation: Circulation {
                report_to: "市政府办公室".into(),
                copy_to: "县委办公室".into(),
                send_to: "各乡镇、县直各部门".into(),
            },
            items: items.iter().map(|i| i.id.clone()).collect(),
            rev: 0,
        },
        items,
    };
    let dir = scratch("issue");
    let file = dir.join("issue.docx");
    let bytes = xinbao_server::documents::docx_bytes(xinbao_server::periodical::issue_docx(&v)).unwrap_or_else(|e| panic!("{e:?}"));
    std::fs::write(&file, bytes).unwrap_or_else(|e| panic!("{e}"));
    let (text, fonts) = to_pdf(&file);
    in_order(
        &text,
        &[
            "林双政务信息",
            "2026年第12期",
            "总第345期",
            "林双县人民政府办公室",
            "2026年11月25日",
            "【编者按】本期刊发“三夏”工作动态。",
            "兰州湾镇抢收小麦1.2万亩",
            "大丰镇推进秸秆还田",
            "县应急管理局开展安全检查",
            "报：市政府办公室",
            "签发：赵主任",
        ],
    );
    assert!(fonts.contains("CJK"), "no CJK font in the PDF:\n{fonts}");
}

/// An item goes up as its 审签单: the office, unit, author, phone, type, the submission date, the
/// editor who sent it for sign-off, the signer and the date, then the text — and a batch holds
/// each item on a page of its own, in the order picked. Both open in LibreOffice with their
/// Chinese in order. Someone who may not read one of the items gets nothing of the batch.
#[tokio::test]
async fn an_item_goes_up_as_its_sheet_and_a_batch_as_one_file_opening_in_libreoffice() {
    use crate::common::office::{id, office, submitted};
    use crate::common::{TestApp, bytes, json};
    use axum::http::StatusCode;
    let t = TestApp::spawn().await;
    let mut o = office(&t).await;
    submitted(&t, &mut o, false, 1, true).await;
    submitted(&t, &mut o, true, 2, false).await;
    let today_zh = xinbao_core::scores::day_text_zh(xinbao_core::scores::day_of(xinbao_server::db::now_ms()));

    let sheet = json(t.get(&format!("/api/items/{}/sheet", id(1)), Some(&o.editor.cookie)).await).await;
    assert_eq!(sheet["trail"]["editor"], "editor", "{sheet}");
    assert_eq!(sheet["trail"]["signer"], "signer", "{sheet}");
    assert_eq!(sheet["unit"], "河西镇");
    let office_name = sheet["office"].as_str().unwrap_or_default().to_owned();
    assert!(!office_name.is_empty(), "{sheet}");

    let dir = scratch("sheet");
    let res = t.get(&format!("/api/items/{}/sheet.docx", id(1)), Some(&o.signer.cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let file = dir.join("one.docx");
    std::fs::write(&file, bytes(res).await).unwrap_or_else(|e| panic!("{e}"));
    let (text, fonts) = to_pdf(&file);
    in_order(
        &text,
        &[
            &office_name,
            "信息审签单",
            "报送单位",
            "河西镇",
            "撰稿人",
            "officer",
            "联系电话",
            "13912345678",
            "信息类别",
            "动态信息",
            "报送日期",
            &today_zh,
            "责任编辑",
            "editor",
            "签发人",
            "signer",
            "签发日期",
            &today_zh,
            "第1篇：河西镇抢收小麦",
            "6月3日，全镇抢收小麦1.2万亩。",
        ],
    );
    assert!(fonts.contains("CJK"), "no CJK font in the PDF:\n{fonts}");

    // A batch in the order picked: the unsigned one first, as a 报送单 with its signing lines empty.
    let res = t.get(&format!("/api/items/sheets.docx?ids={},{}", id(2), id(1)), Some(&o.editor.cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let file = dir.join("batch.docx");
    std::fs::write(&file, bytes(res).await).unwrap_or_else(|e| panic!("{e}"));
    let (text, _) = to_pdf(&file);
    in_order(&text, &["信息报送单", "兰州湾镇", "officer2", "第2篇", "信息审签单", "河西镇", "signer", "第1篇"]);
    let pages = run("pdfinfo", &[&file.with_extension("pdf").display().to_string()]);
    assert!(pages.lines().any(|l| l.starts_with("Pages:") && l.trim_end().ends_with('2')), "one page each:\n{pages}");

    // The officer may take out their own item, not the other unit's — nor a batch holding it,
    // which answers exactly as an id that names nothing.
    assert_eq!(t.get(&format!("/api/items/{}/sheet.docx", id(1)), Some(&o.officer.cookie)).await.status(), StatusCode::OK);
    let theirs = t.get(&format!("/api/items/sheets.docx?ids={},{}", id(1), id(2)), Some(&o.officer.cookie)).await;
    let nothing = t.get(&format!("/api/items/sheets.docx?ids={},{}", id(1), id(99)), Some(&o.officer.cookie)).await;
    assert_eq!((theirs.status(), nothing.status()), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
    assert_eq!(bytes(theirs).await, bytes(nothing).await);
    // Nothing picked: said in words.
    let res = t.get("/api/items/sheets.docx?ids=", Some(&o.editor.cookie)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json(res).await["detail"].as_str().unwrap_or_default().contains("请先选择"));
}
