//! Tests of the writing checks: behaviour on texts written for these tests, and agreement with
//! the labelled corpus (`fixtures/corpus.jsonl`), which must not regress.

use super::*;

fn report(title: &str, body: &str, t: ItemType) -> Report {
    check(Input { title, body, item_type: t }, Context::default(), &Rules::default())
}

#[test]
fn a_plain_report_with_figures_causes_and_measures_is_good() {
    let r = report(
        "河西镇暴雨致3个村农田受淹4200亩",
        "7月8日凌晨，河西镇遭遇强降雨，4小时降雨量达86毫米。东沟村、西沟村、南湾村3个村农田受淹4200亩，倒塌圈舍12间，无人员伤亡。\
         从排查情况看，受淹地块集中在排洪渠下游，主要原因是渠道多年未清淤，过水能力不足。\
         镇政府已组织机械疏通渠道2.6公里，计划于7月15日前完成全部清淤。建议县水利局将该渠纳入今年维修计划。",
        ItemType::Dynamic,
    );
    assert_eq!(
        r.labels,
        Labels {
            situation: true,
            data: true,
            analysis: true,
            suggestion: true,
            filler_heavy: false,
            long_sentence: false,
            literary_style: false,
            title_ok: true
        },
        "{:#?}",
        r.findings
    );
    assert_eq!(r.verdict, Verdict::Good);
    assert_eq!(r.summary(Lang::Zh), "四有：情况✓ 数据✓ 分析✓ 建议✓");
}

#[test]
fn formula_without_facts_is_three_no_and_filler_heavy() {
    let r = report(
        "我镇扎实推进重点工作",
        "近期，我镇高度重视，精心组织，狠抓落实，各项工作扎实推进，取得了明显成效。下一步，我镇将继续凝心聚力，真抓实干，推动各项工作再上新台阶。",
        ItemType::Dynamic,
    );
    assert!(!r.labels.situation && !r.labels.data && !r.labels.analysis && !r.labels.suggestion);
    assert!(r.labels.filler_heavy);
    assert!(!r.labels.title_ok);
    assert_eq!(r.verdict, Verdict::Poor);
    assert!(r.findings.iter().any(|f| f.kind == FindingKind::ThreeNo && f.severity == Severity::Error));
    assert!(r.findings.iter().any(|f| f.kind == FindingKind::HollowSuggestion));
    let filler: Vec<&Finding> = r.findings.iter().filter(|f| matches!(f.kind, FindingKind::Filler { .. })).collect();
    assert!(filler.len() >= 5);
    // Spans point at the phrase itself.
    let body: Vec<char> = "近期，我镇高度重视".chars().collect();
    let first = filler.iter().filter_map(|f| f.span).min_by_key(|s| s.start).unwrap_or(Span { start: 0, end: 0 });
    assert_eq!(body[first.start..first.end].iter().collect::<String>(), "高度重视");
}

#[test]
fn dates_alone_are_not_data() {
    let r = report("东沟村召开村民大会", "3月5日，东沟村召开村民大会，讨论村规民约修订。会议于3月5日下午举行。", ItemType::Dynamic);
    assert!(r.labels.situation);
    assert!(!r.labels.data);
    assert!(r.findings.iter().any(|f| f.kind == FindingKind::Missing { element: Element::Data }));
}

#[test]
fn a_hollow_cause_section_is_not_analysis() {
    let r = report(
        "河西镇村级道路养护情况",
        "河西镇共有村级道路126公里，其中破损路段18公里。究其原因，既有主观原因，也有客观原因，既有历史原因，也有现实原因。",
        ItemType::Problem,
    );
    assert!(!r.labels.analysis);
    assert!(r.findings.iter().any(|f| f.kind == FindingKind::HollowAnalysis));
}

#[test]
fn a_run_on_sentence_is_flagged_with_its_span() {
    let long = "全镇上下".repeat(40);
    let body = format!("2月3日，河西镇开展排查。{long}。");
    let r = report("河西镇开展安全排查", &body, ItemType::Dynamic);
    assert!(r.labels.long_sentence);
    let f = r.findings.iter().find(|f| matches!(f.kind, FindingKind::LongSentence { .. }));
    assert_eq!(f.and_then(|f| f.span).map(|s| s.len()), Some(160));
}

#[test]
fn imagery_and_exclamations_read_as_literary() {
    let r = report(
        "金秋时节稻花香",
        "金秋时节，稻浪翻滚，瓜果飘香，一串串红彤彤的辣椒挂满屋檐，处处洋溢着丰收的喜悦！乡亲们绘就了一幅壮美画卷。",
        ItemType::Dynamic,
    );
    assert!(r.labels.literary_style);
    assert!(!r.labels.title_ok);
    assert_eq!(r.verdict, Verdict::Poor);
}

#[test]
fn titles_must_name_the_unit_and_the_event() {
    let ok = |t: &str| report(t, "", ItemType::Dynamic).labels.title_ok;
    assert!(ok("县水利局完成东干渠防渗改造12公里"));
    assert!(ok("关于河西镇村级道路养护问题的建议"));
    assert!(!ok("全力以赴保平安 齐心协力促发展"));
    assert!(!ok("我县扎实推进各项工作"));
    assert!(!ok("河西镇"));
    assert!(!ok(&format!("河西镇{}", "开展工作".repeat(12))));
}

#[test]
fn a_follow_up_that_repeats_the_first_report_is_flagged() {
    let first = "6月3日16时，河西镇东沟村、西沟村遭受冰雹袭击，冰雹最大直径3厘米，受灾农田约5000亩，无人员伤亡。";
    let repeat = format!("{first}截至6月4日，核定受灾面积5200亩。");
    let rules = Rules::default();
    let ctx = Context { follows: Some(first), others: &[] };
    let r = check(Input { title: "河西镇冰雹灾害续报", body: &repeat, item_type: ItemType::Urgent }, ctx, &rules);
    assert!(r.findings.iter().any(|f| matches!(f.kind, FindingKind::FollowUpRepeats { .. })), "{:#?}", r.findings);
    assert!(r.findings.iter().any(|f| f.kind == FindingKind::RepeatedSentence));
    let fresh = "截至6月4日12时，核定受灾面积5200亩，其中绝收1300亩；保险公司已查勘2100亩。";
    let r = check(Input { title: "河西镇冰雹灾害续报", body: fresh, item_type: ItemType::Urgent }, ctx, &rules);
    assert!(!r.findings.iter().any(|f| matches!(f.kind, FindingKind::FollowUpRepeats { .. } | FindingKind::RepeatedSentence)));
}

#[test]
fn near_duplicates_of_other_items_are_named() {
    let body = "7月8日凌晨，河西镇遭遇强降雨，东沟村、西沟村、南湾村3个村农田受淹4200亩，倒塌圈舍12间，无人员伤亡。";
    let other =
        |id: &str, title: &str, body: &str| Other { id: id.into(), title: title.into(), signature: Signature::of_item(title, body) };
    let others = vec![
        other("item-1", "河西镇暴雨受灾", body),
        other("item-2", "县人社局举办招聘会", "2月18日，县人社局举办专场招聘会，达成就业意向1260人。"),
    ];
    let ctx = Context { follows: None, others: &others };
    let r = check(Input { title: "河西镇暴雨受灾情况", body, item_type: ItemType::Dynamic }, ctx, &Rules::default());
    let dups: Vec<&str> = r
        .findings
        .iter()
        .filter_map(|f| match &f.kind {
            FindingKind::NearDuplicate { id, .. } => Some(id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(dups, vec!["item-1"]);
    // The hint after submission names it; the signature survives being stored.
    assert!(r.hint(Lang::Zh).contains("与已有稿件《河西镇暴雨受灾》相似度约"), "{}", r.hint(Lang::Zh));
    let sig = Signature::of_item("河西镇暴雨受灾", body);
    assert_eq!(Signature::from_hex(&sig.to_hex()), Some(sig));
    assert_eq!(Signature::from_hex("not a signature"), None);
}

#[test]
fn words_suggesting_classified_content_warn_loudly() {
    let r = report("关于机密文件管理的情况", "本文件密级为机密。", ItemType::Dynamic);
    let hits: Vec<&Finding> = r.findings.iter().filter(|f| matches!(f.kind, FindingKind::Classified { .. })).collect();
    assert!(hits.len() >= 2);
    assert!(hits.iter().all(|f| f.severity == Severity::Error));
    assert!(hits[0].message(Lang::Zh).contains("涉密信息严禁录入本系统"));
}

#[test]
fn every_finding_explains_itself_in_both_languages() {
    let r = report("我镇扎实推进各项工作", &"高度重视精心组织".repeat(20), ItemType::Research);
    assert!(!r.findings.is_empty());
    for f in &r.findings {
        assert!(!f.message(Lang::Zh).is_empty() && !f.message(Lang::En).is_empty());
    }
}

#[test]
fn empty_input_does_not_panic() {
    let r = report("", "", ItemType::Urgent);
    assert_eq!(r.verdict, Verdict::Poor);
}

// ─── agreement with the labelled corpus ───────────────────────────────────────────────────

const CORPUS: &str = include_str!("../../../../fixtures/corpus.jsonl");

#[derive(serde::Deserialize)]
struct CorpusItem {
    id: String,
    #[serde(rename = "type")]
    item_type: ItemType,
    title: String,
    body: String,
    follow_up_of: Option<String>,
    labels: Labels,
    verdict: Verdict,
}

/// (label name, expected, got) for one item.
fn label_pairs(want: &Labels, got: &Labels) -> [(&'static str, bool, bool); 8] {
    [
        ("situation", want.situation, got.situation),
        ("data", want.data, got.data),
        ("analysis", want.analysis, got.analysis),
        ("suggestion", want.suggestion, got.suggestion),
        ("filler_heavy", want.filler_heavy, got.filler_heavy),
        ("long_sentence", want.long_sentence, got.long_sentence),
        ("literary_style", want.literary_style, got.literary_style),
        ("title_ok", want.title_ok, got.title_ok),
    ]
}

/// Agreement of the checks with the labels of a corpus file: per label and for the verdict,
/// with the items that disagree.
fn agreement(text: &str) -> ([usize; 8], usize, usize, Vec<String>) {
    let items: Vec<CorpusItem> =
        text.lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    let rules = Rules::default();
    let mut agree = [0usize; 8];
    let mut verdicts = 0;
    let mut misses = Vec::new();
    for item in &items {
        let follows = item.follow_up_of.as_ref().and_then(|id| items.iter().find(|i| &i.id == id)).map(|i| i.body.as_str());
        let r = check(Input { title: &item.title, body: &item.body, item_type: item.item_type }, Context { follows, others: &[] }, &rules);
        for (k, (name, want, got)) in label_pairs(&item.labels, &r.labels).into_iter().enumerate() {
            if want == got {
                agree[k] += 1;
            } else {
                misses.push(format!("{} {name}: want {want}, got {got}", item.id));
            }
        }
        if r.verdict == item.verdict {
            verdicts += 1;
        } else {
            misses.push(format!("{} verdict: want {:?}, got {:?}", item.id, item.verdict, r.verdict));
        }
    }
    (agree, verdicts, items.len(), misses)
}

/// Asserts every label agrees on at least `label_pct`% of the file's items and the verdict on
/// `verdict_pct`%.
fn assert_agreement(file: &str, text: &str, label_pct: usize, verdict_pct: usize) {
    let (agree, verdicts, n, misses) = agreement(text);
    let names = label_pairs(&Labels::default(), &Labels::default()).map(|p| p.0);
    let table: Vec<String> = names.iter().zip(agree).map(|(name, a)| format!("{name} {a}/{n}")).collect();
    println!("{file}: {} · verdict {verdicts}/{n}\nmisses:\n  {}", table.join(" · "), misses.join("\n  "));
    for (name, a) in names.iter().zip(agree) {
        assert!(a * 100 >= n * label_pct, "{file} {name}: {a}/{n} below {label_pct}%\n{}", misses.join("\n"));
    }
    assert!(verdicts * 100 >= n * verdict_pct, "{file} verdict: {verdicts}/{n} below {verdict_pct}%\n{}", misses.join("\n"));
}

/// The items the rules were written against: the first 30, a second writer's 40, and nine sets
/// each held out once and then tuned on (labels first; docs/quality.md): every label at least
/// 90% and the verdict 85%, except the sets of the twelfth and the sixteenth writer (tuning-h,
/// tuning-j), whose analysis reached 85–88% after tuning, at 85%.
#[test]
fn agreement_with_the_labelled_corpus_does_not_regress() {
    assert_agreement("corpus.jsonl", CORPUS, 90, 85);
    assert_agreement("corpus-tuning-a.jsonl", include_str!("../../../../fixtures/corpus-tuning-a.jsonl"), 90, 85);
    assert_agreement("corpus-tuning-b.jsonl", include_str!("../../../../fixtures/corpus-tuning-b.jsonl"), 90, 85);
    assert_agreement("corpus-tuning-c.jsonl", include_str!("../../../../fixtures/corpus-tuning-c.jsonl"), 90, 85);
    assert_agreement("corpus-tuning-d.jsonl", include_str!("../../../../fixtures/corpus-tuning-d.jsonl"), 90, 85);
    assert_agreement("corpus-tuning-e.jsonl", include_str!("../../../../fixtures/corpus-tuning-e.jsonl"), 90, 85);
    assert_agreement("corpus-tuning-f.jsonl", include_str!("../../../../fixtures/corpus-tuning-f.jsonl"), 90, 85);
    assert_agreement("corpus-tuning-g.jsonl", include_str!("../../../../fixtures/corpus-tuning-g.jsonl"), 90, 85);
    assert_agreement("corpus-tuning-h.jsonl", include_str!("../../../../fixtures/corpus-tuning-h.jsonl"), 85, 85);
    assert_agreement("corpus-tuning-i.jsonl", include_str!("../../../../fixtures/corpus-tuning-i.jsonl"), 90, 85);
    assert_agreement("corpus-tuning-j.jsonl", include_str!("../../../../fixtures/corpus-tuning-j.jsonl"), 85, 85);
}

/// The held-out set: 80 items by a seventeenth and an eighteenth writer, labels first, opened
/// once after the rules were final (docs/quality.md). Its floor is what it measured then, so no
/// change may lower it.
#[test]
fn agreement_on_the_held_out_items_does_not_drop() {
    assert_agreement("corpus-heldout.jsonl", include_str!("../../../../fixtures/corpus-heldout.jsonl"), 90, 85);
}

#[test]
fn causes_carried_by_connectives_are_analysis_and_an_incidents_consequences_are_not() {
    let rules = Rules::default();
    let labels =
        |body: &str, t: ItemType| check(Input { title: "河西镇春播进度过半", body, item_type: t }, Context::default(), &rules).labels;
    // Why, without the word 原因.
    let why = "截至4月20日，河西镇完成春播8.6万亩，占计划的56%。进度加快，一方面得益于镇农机站提前检修机具120台；另一方面是气温回升较快，适播期提前了一周。";
    assert!(labels(why, ItemType::Dynamic).analysis);
    // To what effect, said with a figure.
    let effect = "4月，县供水公司更换老旧管网12公里，使得县城管网漏损率由18%下降到11%。";
    assert!(labels(effect, ItemType::Dynamic).analysis);
    // "使得" with nothing checkable is a formula.
    assert!(!labels("4月，县供水公司更换老旧管网，使得群众满意度进一步提升。", ItemType::Dynamic).analysis);
    // An incident's first report: what happened, its consequences and the response.
    let first =
        "7月12日6时许，柳河镇杨家沟村突发山洪，造成2人受伤、房屋倒塌3间，引发道路中断1.2公里。镇政府立即转移群众86人，起火原因正在调查。";
    assert!(!labels(first, ItemType::Urgent).analysis);
    // A predicted impact is analysis.
    let impact = "全镇23所小学有7所缺英语教师，如得不到补充，可能导致3个年级无法开齐课程。";
    assert!(labels(impact, ItemType::Problem).analysis);
}

#[test]
fn a_two_part_title_with_unit_and_figure_is_factual_and_a_slogan_couplet_is_not() {
    let rules = Rules::default();
    let ok = |title: &str| check(Input { title, body: "", item_type: ItemType::Dynamic }, Context::default(), &rules).labels.title_ok;
    assert!(ok("河西镇春播进度过半 北斗导航播种面积占比82%"));
    assert!(ok("县供销社开展土地托管服务 托管面积达4.6万亩"));
    assert!(!ok("党建引领聚合力 产业振兴谱新篇"));
    assert!(!ok("支部建在产业链 党员带富走前列"));
}

#[test]
fn stock_phrases_in_one_run_on_sentence_are_filler_and_a_title_promising_suggestions_is_not_one() {
    let rules = Rules::default();
    let run_on = "今年以来我局坚持把优化营商环境作为一把手工程来抓认真落实各项决策部署持续优化政务服务流程不断加大政策宣传力度积极搭建政企沟通平台充分发挥职能作用努力营造良好发展环境坚持以人民为中心的发展思想不断提升服务质效切实增强企业和群众的获得感满意度取得了明显成效";
    assert!(run_on.chars().count() > 120);
    let r = check(Input { title: "县商务局优化营商环境工作", body: run_on, item_type: ItemType::Dynamic }, Context::default(), &rules);
    assert!(r.labels.filler_heavy && r.labels.long_sentence, "{:?}", r.labels);
    let empty = "近年来，我县农村快递代收点发展较快，方便了群众。但也存在收费不规范等问题，群众反映较多，需要引起重视。";
    let r = check(
        Input { title: "关于规范农村快递代收点收费的几点建议", body: empty, item_type: ItemType::Problem },
        Context::default(),
        &rules,
    );
    assert!(!r.labels.suggestion);
    let proposed = format!("{empty}建议：一是县邮政管理局牵头，于6月底前制定代收点收费标准；二是县市场监管局每季度抽查代收点20个以上。");
    let r = check(
        Input { title: "关于规范农村快递代收点收费的几点建议", body: &proposed, item_type: ItemType::Problem },
        Context::default(),
        &rules,
    );
    assert!(r.labels.suggestion);
}

#[test]
fn a_follow_up_that_repeats_its_first_report_is_not_good() {
    let first = "6月3日16时，河西镇东沟村、西沟村遭受冰雹袭击，冰雹最大直径3厘米，受灾农田约5000亩，其中小麦3200亩，无人员伤亡。镇政府组织农技人员查灾。";
    let repeat = format!("{first}截至6月4日，核定受灾面积5200亩。");
    let rules = Rules::default();
    let r = check(
        Input { title: "河西镇冰雹灾害续报", body: &repeat, item_type: ItemType::Urgent },
        Context { follows: Some(first), others: &[] },
        &rules,
    );
    assert_ne!(r.verdict, Verdict::Good);
    let alone = check(Input { title: "河西镇冰雹灾害续报", body: &repeat, item_type: ItemType::Urgent }, Context::default(), &rules);
    assert_eq!(alone.verdict, Verdict::Good, "{:?}", alone.labels);
}

#[test]
fn what_an_item_proposes_is_not_what_it_reports() {
    let rules = Rules::default();
    let labels = |body: &str| check(Input { title: "", body, item_type: ItemType::Problem }, Context::default(), &rules).labels;
    // The unit, deadline and figures are all in the proposal: who should act, not what happened.
    let proposed = "部分村干部对网上平台操作不熟悉，群众办事仍习惯跑腿。建议由县数据局在9月底前整合村级平台5个，每季度培训村干部1次。";
    let l = labels(proposed);
    assert!(!l.situation && !l.data && l.suggestion, "{l:?}");
    // The same facts reported are 情况 and 数据.
    let reported = "县数据局9月整合村级平台5个，培训村干部320人次。建议每季度培训1次。";
    let l = labels(reported);
    assert!(l.situation && l.data && l.suggestion, "{l:?}");
}

#[test]
fn names_in_quotes_verbs_before_village_and_lone_magnitudes_are_not_units_or_figures() {
    let rules = Rules::default();
    let named = |s: &str| !scan::unit_names(&s.chars().collect::<Vec<_>>(), &rules).is_empty();
    assert!(!named("别让“空心村”的叹息越来越长"));
    assert!(!named("快递进村通民心"));
    assert!(!named("部分乡镇承担的属地责任过多"));
    assert!(named("县城新建充电端口1200个"));
    assert!(named("龙湾镇枫树湾村发生山体滑坡"));
    let figures = |s: &str| distinct_quantities(&scan::numbers(&s.chars().collect::<Vec<_>>(), &rules)).len();
    assert_eq!(figures("物流下乡惠万家，千亩良田"), 0);
    assert_eq!(figures("带动1万户增收，新增八百四十万元"), 2);
}

#[test]
fn a_cause_still_under_investigation_leaves_the_narrated_cause_unexplained() {
    let rules = Rules::default();
    let analysis = |body: &str| check(Input { title: "", body, item_type: ItemType::Urgent }, Context::default(), &rules).labels.analysis;
    let narrated = "11月8日9时许，一辆货车因制动失效冲出路面侧翻，导致该路段交通中断2小时。事故具体原因正在进一步调查。";
    assert!(!analysis(narrated));
    let found = "经县交警大队勘查，事故系驾驶员在下坡弯道处车速过快导致车辆侧翻。县交通运输局将于8月底前增设减速带12处。";
    assert!(analysis(found));
    let why = "截至17日12时累计发病31人。由于诺如病毒传染性强，16日新增的8例中有6例集中在四年级两个班。";
    assert!(analysis(why));
    // Harm that did not happen is no consequence, and 因 beside it no explanation.
    assert!(!analysis("因监测员提前组织2户7人转移，未造成人员伤亡。"));
    // A category, not an explanation.
    assert!(!analysis("全县因婚姻家庭、邻里纠纷引发的信访件数比上年下降31%。"));
}

#[test]
fn a_couplet_is_two_matched_parts_and_a_plan_is_not_a_noun() {
    let rules = Rules::default();
    let ok = |title: &str| check(Input { title, body: "", item_type: ItemType::Urgent }, Context::default(), &rules).labels.title_ok;
    assert!(ok("青岗镇中心小学食源性疾病续报 检测结果为诺如病毒 留观学生均已出院"));
    assert!(ok("县城新建电动自行车充电端口1200个 楼道违规充电明显减少"));
    assert!(!ok("快递进村通民心 物流下乡惠万家"));
    assert!(!ok("白鹭湾镇：守护一湾碧水 留住万羽精灵"));
    assert!(!ok("小网格撬动大治理 龙湾镇网格化管理见实效"));
    assert!(!ok("县税务局持续优化税收营商环境"));
    let suggestion =
        |body: &str| check(Input { title: "", body, item_type: ItemType::Dynamic }, Context::default(), &rules).labels.suggestion;
    assert!(!suggestion("截至4月18日，柳塘镇早稻机插2.1万亩，占计划面积3.8万亩的55.3%。"));
    assert!(suggestion("镇粮站计划在11月25日前收购剩余玉米3000吨。"));
}

#[test]
fn a_change_tied_to_what_brought_it_about_is_impact_and_a_list_of_results_is_not() {
    let rules = Rules::default();
    let analysis =
        |body: &str| check(Input { title: "", body, item_type: ItemType::Experience }, Context::default(), &rules).labels.analysis;
    assert!(analysis("实行共同配送后，快递企业单件进村成本由2.1元降至1.3元左右。"));
    assert!(analysis("通过示范带动，2025年全镇花椒平均亩产达到186公斤，比2023年提高24%。"));
    assert!(analysis("三合村过去一年操办酒席四十多场，积分制实行后减少到十二场。"));
    // Results side by side, nothing saying what produced them.
    assert!(!analysis("全年调解纠纷1290起，调解成功1207起。信访件数比上年下降31%。"));
    // A means with no change, or a change with no figure.
    assert!(!analysis("通过微信群推送缴费链接1.2万条。"));
    assert!(!analysis("通过开展培训，群众满意度不断提升。"));
}

#[test]
fn generic_institutions_and_duty_rosters_are_not_names_or_figures() {
    let rules = Rules::default();
    let named = |s: &str| !scan::unit_names(&s.chars().collect::<Vec<_>>(), &rules).is_empty();
    assert!(!named("关于解决农村学校教师结构性缺编问题的几点建议"));
    assert!(!named("乡镇卫生院心电报告"));
    assert!(!named("丰收喜悦满山乡"));
    assert!(named("县市场监管局推行小餐饮明厨亮灶"));
    let figures = |s: &str| distinct_quantities(&scan::numbers(&s.chars().collect::<Vec<_>>(), &rules)).len();
    assert_eq!(figures("严格落实24小时值班值守制度"), 0);
    assert_eq!(figures("常规报告30分钟内出具，危急值5分钟内反馈"), 2);
    let ok = |title: &str| check(Input { title, body: "", item_type: ItemType::Experience }, Context::default(), &rules).labels.title_ok;
    // Two matched parts, but a unit and a time: factual.
    assert!(ok("岷川县医共体建立远程心电诊断中心 乡镇卫生院心电报告30分钟内出具"));
    assert!(!ok("金秋十月稻花香 丰收喜悦满山乡"));
    assert!(!ok("让沉睡的土地苏醒——白马镇撂荒地复耕复种调研"));
}

#[test]
fn added_causes_forecasts_and_diagnoses_are_analysis() {
    let rules = Rules::default();
    let labels =
        |body: &str, t: ItemType| check(Input { title: "柳河镇自来水管网漏损情况", body, item_type: t }, Context::default(), &rules).labels;
    // One cause added to another (加之, 加上), no 原因 or 由于 anywhere.
    let added = "柳河镇供水管网建于2003年，全长46公里，铸铁管占七成，多处锈蚀；加之今年1月连续低温，管道冻裂，漏损率升至31%。";
    assert!(labels(added, ItemType::Problem).analysis);
    // A forecast in an urgent report: where it is heading.
    let forecast = "8月3日16时，柳河镇杨家沟水库坝体出现渗水点3处，已转移下游群众210人。据气象部门预报，今晚仍有暴雨，险情仍有加重可能。";
    assert!(labels(forecast, ItemType::Urgent).analysis);
    // What an expert found set it off (诱发).
    let diagnosis = "8月4日，经县自然资源局专家现场研判，柳河镇王家湾滑坡为持续降雨诱发的土质滑坡，威胁农户11户43人。";
    assert!(labels(diagnosis, ItemType::Urgent).analysis);
    // The same report without the forecast or the diagnosis only states what happened.
    let bare = "8月3日16时，柳河镇杨家沟水库坝体出现渗水点3处，已转移下游群众210人，镇里组织抢险人员60人在现场值守。";
    assert!(!labels(bare, ItemType::Urgent).analysis);
}

#[test]
fn roads_by_number_and_the_county_government_name_a_place_and_imagery_titles_are_not_plain() {
    let rules = Rules::default();
    let ok = |title: &str| check(Input { title, body: "", item_type: ItemType::Urgent }, Context::default(), &rules).labels.title_ok;
    assert!(ok("县道X312线石塘段交通事故续报"));
    assert!(ok("G210国道发生货车追尾 致1人受伤"));
    assert!(ok("Ｇ２１０国道发生货车追尾 致1人受伤"));
    assert!(ok("县政府召开全县安全生产暨消防工作会议"));
    // Imagery in front of a factual part: the title opens with a slogan.
    assert!(!ok("春风送岗进万家 县人社局举办春季专场招聘会"));
    assert!(!ok("文化礼堂点亮渔村夜空——沙港镇农村文化礼堂建设调研"));
    assert!(!ok("白石乡推动农业产业提质增效"));
}

#[test]
fn the_numbered_points_under_a_proposal_heading_propose_and_report_nothing() {
    let rules = Rules::default();
    let labels = |body: &str| check(Input { title: "", body, item_type: ItemType::Research }, Context::default(), &rules).labels;
    // Every unit and figure sits in the points under 对策建议 or after 建议：.
    let heading = "一些地方婚嫁彩礼攀比之风盛行，群众反映较多。\n三、对策建议\n一是由团县委每季度组织青年联谊活动1次。二是由县妇联评选婚事新办家庭20户。";
    let l = labels(heading);
    assert!(!l.situation && !l.data && l.suggestion, "{l:?}");
    let lead_in = "部分村垃圾收集点冬季冻结，清运不及时。建议：一是由县住建局按每50户1个桶补齐收集设施。二是保洁员工资由每月800元提高到1200元，由县乡两级分担。";
    let l = labels(lead_in);
    assert!(!l.situation && !l.data && l.suggestion, "{l:?}");
    // A lead-in's block ends with its paragraph: what follows is reported again.
    let after = "建议：由县住建局补齐收集设施。\n10月，白石乡清运垃圾860吨，新增收集点24个。";
    let l = labels(after);
    assert!(l.situation && l.data, "{l:?}");
}

#[test]
fn a_task_with_a_deadline_is_a_next_step_and_a_plan_beaten_is_a_report() {
    let rules = Rules::default();
    let labels = |body: &str| check(Input { title: "", body, item_type: ItemType::Urgent }, Context::default(), &rules).labels;
    let task = "12月9日，北柳乡腰屯村发生一氧化碳中毒，3人经抢救脱离危险。乡里已下发防范提示，要求各村12月15日前完成一轮排查。";
    assert!(labels(task).suggestion);
    let beaten = "10月20日，全县23所农村学校供暖改造全部完工，比计划提前10天，总投资1460万元。";
    assert!(!labels(beaten).suggestion);
}

#[test]
fn causes_named_as_the_main_reason_survive_a_hollow_proposal_after_them() {
    let rules = Rules::default();
    let labels = |body: &str| check(Input { title: "", body, item_type: ItemType::Problem }, Context::default(), &rules).labels;
    let body = "杨桥镇有留守儿童1136名，厌学的有73名。造成这种情况的主要原因，一是父母常年在外，缺少陪伴；二是祖辈文化程度低，管不了学习。\
                为此建议：一要进一步提高思想认识，二要压实责任，形成工作合力。";
    let l = labels(body);
    assert!(l.analysis && !l.suggestion, "{l:?}");
    // The formula itself is still no analysis.
    let hollow = "杨桥镇有留守儿童1136名。造成这种情况的主要原因，既有主观原因，也有客观原因。";
    assert!(!labels(hollow).analysis);
}

#[test]
fn what_a_reform_did_what_it_avoided_and_where_problems_lie_are_analysis() {
    let rules = Rules::default();
    let labels = |body: &str, t: ItemType| check(Input { title: "", body, item_type: t }, Context::default(), &rules).labels;
    let reform = "过去开办便利店需跑4个窗口，办结时间22个工作日。改革后，申请人一次提交材料，办结时间压缩至5个工作日。";
    assert!(labels(reform, ItemType::Experience).analysis);
    let avoided = "东滩镇活畜市场配备电子地磅12台，实行过磅称重，避免了过去经纪人估重压价。今年交易牛3.1万头。";
    assert!(labels(avoided, ItemType::Experience).analysis);
    let located = "石泉镇今年接到停水反映37件。经过排查，问题主要集中在3个村入户管网老化，漏损率在30%以上。";
    assert!(labels(located, ItemType::Problem).analysis);
    // A long cause between 系 and 引起 is still one cause.
    let long_cause = "3月27日，马莲乡王家湾村南山草场发生火情，过火面积约120亩。经初步询问，火情系王家湾村一村民在地头焚烧杂草引起。";
    assert!(labels(long_cause, ItemType::Urgent).analysis);
}

#[test]
fn generic_villages_stations_and_levels_name_nothing_and_numbered_slogans_are_slogans() {
    let rules = Rules::default();
    let check_ = |title: &str, body: &str| check(Input { title, body, item_type: ItemType::Dynamic }, Context::default(), &rules);
    let vague = "很多村的保洁员工资靠项目资金解决，偏远山村离垃圾中转站远，进山路口设了防火检查站，经费列入县级预算。";
    assert!(!check_("", vague).labels.situation);
    assert!(!check_("白沙镇“三抓三促”推动矛盾纠纷化解", "").labels.title_ok);
    assert!(check_("大丰镇“三级联调”化解土地承包纠纷的做法", "").labels.title_ok);
    assert!(check_("白沙镇推行“一村一品”发展特色种植", "").labels.title_ok);
    let scenery = "初夏时节，河水清澈见底，白鹭翩翩起舞，欢声笑语洒满河岸，柳河镇正阔步前行。";
    assert!(check_("", scenery).labels.literary_style);
}

#[test]
fn a_clause_opened_by_because_a_forecast_and_a_diagnosis_are_analysis_and_a_list_of_faults_is_not() {
    let rules = Rules::default();
    let labels = |body: &str, t: ItemType| check(Input { title: "", body, item_type: t }, Context::default(), &rules).labels;
    let because = "花坡乡推行院坝协商会，到6月共召开186场，议定事项243件。因为议事就在家门口，很多矛盾在组里就化解了。";
    assert!(labels(because, ItemType::Experience).analysis);
    // 因为 inside a noun phrase tells what a dispute was about, not why anything happened.
    let about = "石门村调解员刘建华今年调解了12起纠纷，其中一起是两家人因为宅基地界线吵了好几年的纠纷。";
    assert!(!labels(about, ItemType::Experience).analysis);
    let forecast = "截至4月22日，花坡乡已连续52天无有效降雨，3100余人饮水困难。5月上旬前仍以晴热天气为主，旱情可能进一步加重。";
    assert!(labels(forecast, ItemType::Urgent).analysis);
    let diagnosis = "86个项目平均审批用时68个工作日，超出23个工作日。审批时间超标，问题主要出在三个方面。一是部门之间数据不共享，每个项目重复提交材料40余份。";
    assert!(labels(diagnosis, ItemType::Research).analysis);
    // What an inspection found, listed: no explanation.
    let faults = "9月，县市场监管局检查学校食堂127家，发现问题31个，主要是食品留样不规范、健康证过期，已全部责令整改。";
    assert!(!labels(faults, ItemType::Dynamic).analysis);
}

#[test]
fn causes_given_with_figures_survive_an_exhortation_after_them() {
    let rules = Rules::default();
    let labels = |body: &str| check(Input { title: "", body, item_type: ItemType::Problem }, Context::default(), &rules).labels;
    let body = "全县有百人以下农村小规模学校37所，教师412人。问题形成的原因，一是去年招聘的86名新教师中只有6人分到村小；二是近三年调出或辞职的年轻教师有23人。\
                对此，我们认为，要高度重视，多措并举，切实解决教师老化问题。";
    assert!(labels(body).analysis);
}

#[test]
fn the_textbook_connectives_of_cause_and_result_are_analysis() {
    let rules = Rules::default();
    let labels = |body: &str| check(Input { title: "", body, item_type: ItemType::Dynamic }, Context::default(), &rules).labels;
    for connective in ["因此", "所以", "因而"] {
        let body = format!(
            "3月5日，县人社局举办招聘会，进场企业86家。今年企业普遍提高了月薪，与外省的差距缩小，{connective}到场咨询的人比去年多了近一倍。"
        );
        assert!(labels(&body).analysis, "{connective}");
    }
    let compared = "藕池镇全镇亩均纯收入1720元。相比之下，荷叶湾村合作社错开上市期，亩均纯收入达到2600元。";
    assert!(labels(compared).analysis);
}

#[test]
fn a_proposal_must_say_who_when_or_how_much_and_why_may_be_asked_outright() {
    let rules = Rules::default();
    let labels = |body: &str| check(Input { title: "", body, item_type: ItemType::Problem }, Context::default(), &rules).labels;
    let vague = "有的屯垃圾没人清运，群众意见大。建议：一是上级多给一些保洁经费；二是加强宣传教育，改变群众不良习惯；三是建立长效机制。";
    assert!(!labels(vague).suggestion);
    let concrete = "有的屯垃圾没人清运，群众意见大。建议：一是由县住建局在明年3月底前为每个屯配齐垃圾桶；二是保洁员工资每月提高400元。";
    assert!(labels(concrete).suggestion);
    let why =
        "今年柳湾乡苹果总产量约3.2万吨，每斤收购价由2.6元掉到1.9元。为什么价格低，一个是外地客商收购的地方多了，再一个是乡里没有大的冷库。";
    assert!(labels(why).analysis);
}

#[test]
fn slogans_of_the_revitalisation_kind_are_formula() {
    let rules = Rules::default();
    let r = check(
        Input {
            title: "",
            body: "峪口镇坚持以党建为引领，以产业为支撑，着力在产业振兴上求突破，在人才振兴上下功夫，在文化振兴上做文章。\
                   我县历史文化底蕴深厚，发展旅游具有得天独厚的优势，要树立大旅游理念，整合资源，突出特色。",
            item_type: ItemType::Research,
        },
        Context::default(),
        &rules,
    );
    assert!(r.labels.filler_heavy, "{:?}", r.labels);
}

#[test]
fn pastoral_units_shouted_and_counted_slogans_and_an_effect_of_the_weather() {
    let rules = Rules::default();
    let ok = |title: &str| check(Input { title, body: "", item_type: ItemType::Urgent }, Context::default(), &rules).labels.title_ok;
    assert!(ok("巴彦宝力格苏木发生一起草原火情"));
    assert!(ok("乌兰嘎查完成草场确权 涉及牧户86户"));
    assert!(ok("正蓝旗举办冬季那达慕 接待游客1.2万人次"));
    assert!(!ok("突发！X359县道古塘段一辆面包车坠入山沟"));
    assert!(!ok("县人社局“四个聚焦”打造就业服务新品牌"));
    assert!(ok("三河口镇“四个一”工作法推动信访积案化解"));
    let labels = |body: &str| check(Input { title: "", body, item_type: ItemType::Dynamic }, Context::default(), &rules).labels;
    let weather = "截至5月20日，敖伦诺尔镇完成马铃薯播种3.1万亩，占计划的62%。受4月下旬两次降温影响，播期比去年推后5天左右。";
    assert!(labels(weather).analysis);
    // The trigger of an incident is not an explanation of it.
    let trigger = "6月21日凌晨4时许，受持续强降雨影响，龙湾镇枫树湾村3组后山发生山体滑坡，滑坡体约2000立方米，已转移群众36人。";
    assert!(!labels(trigger).analysis);
}

#[test]
fn a_proposal_block_is_a_heading_or_numbered_points_and_never_swallows_the_facts() {
    let rules = Rules::default();
    let labels = |body: &str, t: ItemType| check(Input { title: "", body, item_type: t }, Context::default(), &rules).labels;
    // A heading that covers the problems too opens no block.
    let both = "问题及建议\n柳河镇46个村中有12个村没有日间照料中心，床位缺口约300张。建议由县民政局在明年6月底前补建。";
    let l = labels(both, ItemType::Problem);
    assert!(l.situation && l.data && l.suggestion, "{l:?}");
    // A short sentence that mentions 建议 is no heading.
    let mention = "3月5日，柳河镇召开群众座谈会。会上收集建议9条。全镇已完成道路硬化12公里，新修水渠3.6公里。";
    let l = labels(mention, ItemType::Dynamic);
    assert!(l.situation && l.data, "{l:?}");
    // A lead-in's block is its numbered points: a report after them in the same paragraph is
    // reported again.
    let one_paragraph = "部分村垃圾收集点冬季冻结。建议：由县住建局补齐收集设施。10月，白石乡清运垃圾860吨，新增收集点24个。";
    let l = labels(one_paragraph, ItemType::Problem);
    assert!(l.situation && l.data && l.suggestion, "{l:?}");
}

#[test]
fn formula_is_still_formula_after_because_or_beside_a_figure() {
    let rules = Rules::default();
    let labels = |body: &str| check(Input { title: "", body, item_type: ItemType::Experience }, Context::default(), &rules).labels;
    assert!(!labels("柳河镇完成危房改造12户。因为领导高度重视，多措并举，工作取得显著成效。").analysis);
    assert!(!labels("究其原因，全镇36个村情况各不相同。既有主观原因，也有客观原因。").analysis);
}

#[test]
fn ordinary_reporting_with_connective_words_is_not_analysis() {
    let rules = Rules::default();
    let labels = |body: &str| check(Input { title: "", body, item_type: ItemType::Dynamic }, Context::default(), &rules).labels;
    for body in [
        "3月，柳河镇新建户用光伏36户，加上去年建成的120户，全镇累计156户。",
        "柳河镇设护林员42名，网格员一旦发现火情，立即报告村委会。",
        "柳河镇对12家企业开展检查，一旦发现违规，将严肃追责。",
        "柳河镇敬老院改造项目总投资360万元，预计将于10月底完工。",
        "柳河镇要求各村3月底前完成排查12处，否则将通报批评。",
        "柳河镇拆除违建12处，此事关系群众切身利益，引起县领导重视。",
        "8月3日，柳河镇提前转移群众36人，避免了人员伤亡。",
        "8月，柳河镇接到群众来电86个，有群众来电询问为什么还未发放补贴。",
    ] {
        assert!(!labels(body).analysis, "{body}");
    }
}

#[test]
fn category_nouns_name_nothing_and_names_before_them_still_name() {
    let rules = Rules::default();
    let named = |s: &str| !super::scan::unit_names(&s.chars().collect::<Vec<_>>(), &rules).is_empty();
    assert!(!named("近年来家庭农场发展较快，但规模普遍偏小，群众遇事习惯找政府。"));
    assert!(named("青石村集体经济收入达到26万元"));
    assert!(named("柳河村干部入户走访"));
    assert!(!named("组织村干部入户走访"));
    assert!(named("青山村修通产业路"));
    assert!(named("那桑屯发展乡村旅游"));
    assert!(named("中洲垸开展汛前排查"));
    assert!(!named("，乡道120公里"));
}

#[test]
fn dates_holidays_and_policy_words_in_factual_titles_are_not_slogans_and_a_shout_is_told_as_such() {
    let rules = Rules::default();
    let title = |t: &str| check(Input { title: t, body: "", item_type: ItemType::Dynamic }, Context::default(), &rules);
    assert!(title("县供电公司三天三夜抢通柳河镇线路").labels.title_ok);
    assert!(title("武鸣区三月三期间接待游客12.6万人次").labels.title_ok);
    assert!(title("县财政局以1200万元撬动社会资本3.6亿元").labels.title_ok);
    // Imagery stays a slogan whatever figure or date stands beside it.
    assert!(!title("春风送岗进万家 县人社局3月5日举办春季专场招聘会").labels.title_ok);
    let shout = title("突发！X359县道古塘段一辆面包车坠入山沟");
    assert!(!shout.labels.title_ok);
    assert!(shout.findings.iter().any(|f| f.kind == FindingKind::TitleShout && f.message(Lang::Zh).contains("感叹号")));
    assert!(!shout.findings.iter().any(|f| f.kind == FindingKind::TitleSlogan));
}

#[test]
fn a_pasted_register_of_a_thousand_incidents_is_checked_without_stalling() {
    let rules = Rules::default();
    // No marker ever finds a reason here, so each looks at every one: quadratic at best.
    let body = "柳河镇发生火灾，造成1人受伤。".repeat(1500);
    let r = check(Input { title: "柳河镇火灾登记", body: &body, item_type: ItemType::Urgent }, Context::default(), &rules);
    assert!(r.labels.situation);
}

/// A second editor's blind labels for the 80 items of tuning-h (writers 11 and 12), given the
/// same label meanings and not the writers' labels: how far two people agree, which the target
/// must not exceed to be fair. They agree on at least 95% of items for every label.
#[test]
fn two_editors_agree_on_what_the_labels_mean() {
    #[derive(serde::Deserialize)]
    struct Second {
        id: String,
        labels: Labels,
        verdict: Verdict,
    }
    let writers: Vec<CorpusItem> = include_str!("../../../../fixtures/corpus-tuning-h.jsonl")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let second: Vec<Second> = include_str!("../../../../fixtures/second-editor-tuning-h.jsonl")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert_eq!((writers.len(), second.len()), (80, 80));
    let mut agree = [0usize; 8];
    let mut verdicts = 0;
    for w in &writers {
        let Some(s) = second.iter().find(|s| s.id == w.id) else { panic!("{} has no second label", w.id) };
        for (k, (_, a, b)) in label_pairs(&w.labels, &s.labels).into_iter().enumerate() {
            agree[k] += usize::from(a == b);
        }
        verdicts += usize::from(w.verdict == s.verdict);
    }
    let names = label_pairs(&Labels::default(), &Labels::default()).map(|p| p.0);
    println!("two editors: {:?} · verdict {verdicts}/80", names.iter().zip(agree).collect::<Vec<_>>());
    assert!(agree.iter().all(|a| a * 100 >= 80 * 95) && verdicts * 100 >= 80 * 95, "{agree:?} {verdicts}");
    // Analysis, the label the rules find hardest: 79 of 80.
    assert!(agree[2] >= 79, "{agree:?}");
}

#[test]
fn proposal_blocks_follow_the_document_s_own_levels_and_a_pasted_title_opens_none() {
    let rules = Rules::default();
    let labels = |body: &str| check(Input { title: "", body, item_type: ItemType::Problem }, Context::default(), &rules).labels;
    let title_line =
        "关于农村养老服务的几点建议\n柳河镇46个村中有12个村没有日间照料中心，床位缺口约300张。\n一是由县民政局在明年6月底前补建12个。";
    let l = labels(title_line);
    assert!(l.situation && l.data, "{l:?}");
    // Sub-points (（一）) and several sentences to a point stay inside the block.
    let sub_points = "一些地方婚嫁彩礼攀比之风盛行。\n三、对策建议\n（一）加强引导。由团县委每季度组织青年联谊活动1次。\n（二）树立典型。由县妇联评选婚事新办家庭20户。";
    let l = labels(sub_points);
    assert!(!l.situation && !l.data && l.suggestion, "{l:?}");
    let long_point = "部分村管护跟不上。建议：一是建立管护资金。县财政按每亩3元设立专项资金，每年约120万元。";
    let l = labels(long_point);
    assert!(!l.data && l.suggestion, "{l:?}");
}

#[test]
fn village_words_after_a_verb_or_a_level_name_no_village() {
    let rules = Rules::default();
    let named = |s: &str| !super::scan::unit_names(&s.chars().collect::<Vec<_>>(), &rules).is_empty();
    assert!(!named("近期，我镇召开村民代表大会，引导村民参与人居环境整治，壮大村集体经济。"));
    assert!(!named("全镇村干部和广大村民参与，加强村级管理，受灾村组得到救助。"));
    assert!(!named("全县20户以上自然屯已通硬化路，苗寨、侗寨和堤垸都有了路灯。"));
}

#[test]
fn a_negation_the_gap_passes_over_cancels_nothing_and_formula_after_a_concrete_cause_leaves_it() {
    let rules = Rules::default();
    let labels = |body: &str| check(Input { title: "", body, item_type: ItemType::Problem }, Context::default(), &rules).labels;
    assert!(labels("受社会资本投资放缓影响，全县固定资产投资同比下降6.2%。").analysis);
    assert!(labels("柳河镇青壮年外出务工2100人，加上公共交通不便，留守老人就医难。").analysis);
    assert!(labels("一旦溃坝，下游3个村1200余人将受威胁。").analysis);
    let concrete_then_formula = "今年全镇生猪出栏下降18%，主要原因是猪价持续低迷，收购价每公斤较去年同期低3.2元。\
                                 这其中既有市场波动的客观原因，也有养殖户盲目扩栏的主观原因。";
    assert!(labels(concrete_then_formula).analysis);
}
