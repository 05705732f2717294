//! `jixiao serve` at the HTTP level, through the real binary on a loopback port: every request
//! needs the token (query once, then cookie), uploads beyond the limit are refused, nothing
//! outside the forms folder named at start can be opened from a page, and the only file the
//! workbench writes is its decisions file — which `jixiao score --decisions` then reads.

use std::path::{Path, PathBuf};

use crate::common::workbench::Workbench;
use crate::common::{fixture, jixiao};

const FORM6: &str = "2020-0102013-信息基础设施及数据中心管理";

/// A folder with `forms/shenzhen-seed.tsv` and, beside `forms/`, `outside/secret.tsv` (the
/// Sichuan form, project 工资性支出).
fn folders() -> (tempfile::TempDir, PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let forms = root.path().join("forms");
    std::fs::create_dir_all(&forms).unwrap();
    std::fs::create_dir_all(root.path().join("outside")).unwrap();
    std::fs::copy(fixture("forms/shenzhen-seed.tsv"), forms.join("shenzhen-seed.tsv")).unwrap();
    std::fs::copy(
        fixture("forms/sichuan-2022.tsv"),
        root.path().join("outside/secret.tsv"),
    )
    .unwrap();
    (root, forms)
}

fn start(forms: &Path, extra: &[&str]) -> Workbench {
    let mut args = vec![
        "--forms",
        forms.to_str().unwrap(),
        "--region",
        "shenzhen",
        "--default-year",
        "2020",
    ];
    args.extend_from_slice(extra);
    Workbench::start(&args)
}

/// `jixiao score` of the seed forms in `forms` as JSON (the workbench's region and year), with a
/// decisions file when given: the command line's view the pages are compared with.
fn score_seed_json(forms: &Path, decisions: Option<&Path>) -> Vec<serde_json::Value> {
    let seed = forms.join("shenzhen-seed.tsv");
    let mut args = vec![
        "score",
        seed.to_str().unwrap(),
        "--default-year",
        "2020",
        "--region",
        "shenzhen",
        "--format",
        "json",
    ];
    if let Some(file) = decisions {
        args.extend(["--decisions", file.to_str().unwrap()]);
    }
    let (code, out, err) = jixiao(&args);
    assert!(code <= 1, "{err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"))
}

/// Waives T1 of form 6 on the page (it changes the form's findings).
fn waive_form6_t1(bench: &Workbench) {
    let waived = bench.post_form(
        "/decide",
        &[
            ("kind", "waive"),
            ("document", FORM6),
            ("code", "T1"),
            ("reason", "复核"),
            ("reviewer", "王审核"),
            ("date", "2024-05-10"),
        ],
    );
    assert_eq!(waived.status, 303, "{}", waived.body);
}

/// `rules/mine`: the shenzhen set's next year, made by `jixiao new-year`.
fn new_year_set(rules: &Path) -> PathBuf {
    let mine = rules.join("mine");
    let (code, _, err) = jixiao(&[
        "new-year",
        "--from",
        "shenzhen-2020",
        "--year",
        "2021",
        "--to",
        mine.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    mine
}

/// A workbench scoring with `mine`, a set kept in the rule-set folder `rules` (so it may be
/// changed in place), as an editor who keeps her sets there starts it; `extra` adds arguments.
fn start_with_own_set(forms: &Path, rules: &Path, mine: &Path, extra: &[&str]) -> Workbench {
    let mut args = vec![
        "--rules",
        mine.to_str().unwrap(),
        "--rules-dir",
        rules.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    start(forms, &args)
}

/// Rows of the scored table on the main page.
fn rows(bench: &Workbench) -> usize {
    let page = bench.get("/");
    assert_eq!(page.status, 200, "{}", page.body);
    page.body.matches("<tr data-id=").count()
}

/// Every file under `dir`, relative, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir())
        .map(|e| e.path().strip_prefix(dir).unwrap().display().to_string())
        .collect();
    out.sort();
    out
}

#[test]
fn it_listens_on_loopback_and_prints_the_url_with_a_token() {
    let (_root, forms) = folders();
    let bench = start(&forms, &[]);
    assert!(bench.url.starts_with("http://127.0.0.1:"), "{}", bench.banner);
    assert_eq!(bench.token.len(), 32);
    assert!(bench.banner.contains("请在浏览器中打开"), "{}", bench.banner);
    assert!(
        bench
            .banner
            .contains(&format!("审核决定保存到 {}", forms.join("decisions.toml").display())),
        "{}",
        bench.banner
    );
    // A second workbench has another port and another token.
    let other = start(&forms, &[]);
    assert_ne!(other.port(), bench.port());
    assert_ne!(other.token, bench.token);
}

#[test]
fn requests_without_the_token_are_refused() {
    let (_root, forms) = folders();
    let bench = start(&forms, &[]);
    let wrong_cookie = format!("jixiao_token_{}=0123456789abcdef0123456789abcdef", bench.port());
    let other_port = format!("jixiao_token_{}={}", bench.port().wrapping_add(1), bench.token);
    for (path, headers) in [
        ("/", vec![]),
        ("/?token=0123456789abcdef0123456789abcdef", vec![]),
        (&format!("/?token={}x", bench.token) as &str, vec![]),
        ("/", vec![("Cookie", wrong_cookie.as_str())]),
        ("/", vec![("Cookie", other_port.as_str())]),
        ("/static/app.js", vec![]),
        (&format!("/form?id={FORM6}") as &str, vec![]),
    ] {
        let response = bench.send("GET", path, &headers, b"");
        assert_eq!(response.status, 403, "GET {path} {headers:?}");
        assert!(response.body.contains("需要令牌"), "{}", response.body);
        assert!(!response.body.contains("信息基础设施"), "{}", response.body);
    }
    // Actions without the token change nothing.
    let secret = std::fs::read(fixture("forms/sichuan-2022.tsv")).unwrap();
    assert_eq!(bench.send("POST", "/upload?name=x.tsv", &[], &secret).status, 403);
    assert_eq!(bench.send("POST", "/clear", &[], b"").status, 403);
    let waiver = "kind=waive&document=x&code=T1&reason=r&reviewer=w&date=2024-05-10";
    let form = [("Content-Type", "application/x-www-form-urlencoded")];
    assert_eq!(bench.send("POST", "/decide", &form, waiver.as_bytes()).status, 403);
    assert_eq!(rows(&bench), 9);
    assert!(!forms.join("decisions.toml").exists());
}

#[test]
fn the_token_in_the_url_becomes_a_cookie_and_leaves_the_address() {
    let (_root, forms) = folders();
    let bench = start(&forms, &[]);
    let first = bench.send("GET", &format!("/?token={}", bench.token), &[], b"");
    assert_eq!(first.status, 303);
    assert_eq!(first.header("location"), Some("/"));
    let cookie = first.header("set-cookie").unwrap();
    assert!(cookie.starts_with(&bench.cookie()), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let deep = bench.send("GET", &format!("/form?token={}&id=abc", bench.token), &[], b"");
    assert_eq!(deep.header("location"), Some("/form?id=abc"));
    // With the cookie: the page, and headers that keep it to itself.
    let page = bench.get("/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("共 9 张表"), "{}", page.body);
    assert_eq!(page.header("referrer-policy"), Some("no-referrer"));
    assert!(
        page.header("content-security-policy")
            .unwrap()
            .contains("default-src 'self'")
    );
    // The page loads nothing from elsewhere (works offline).
    assert!(
        !page.body.contains("http://") && !page.body.contains("https://"),
        "{}",
        page.body
    );
}

#[test]
fn uploads_beyond_the_limit_are_refused() {
    let (root, forms) = folders();
    let bench = start(&forms, &["--max-upload-mb", "1"]);
    let cookie = bench.cookie();
    let big = vec![b'a'; (1 << 20) + 1];
    let refused = bench.send("POST", "/upload?name=big.tsv", &[("Cookie", &cookie)], &big);
    assert_eq!(refused.status, 413, "{}", refused.body);
    assert!(refused.body.contains("超过上传上限"), "{}", refused.body);
    assert_eq!(rows(&bench), 9);
    // Within the limit it is read, under its own name only, and nothing is written.
    let before = files_under(root.path());
    let form = std::fs::read(fixture("forms/sichuan-2022.tsv")).unwrap();
    let read = bench.send(
        "POST",
        "/upload?name=..%2F..%2Fsichuan.tsv",
        &[("Cookie", &cookie)],
        &form,
    );
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.body, "sichuan.tsv：读取 1 张表，0 处无法读取");
    assert_eq!(rows(&bench), 10);
    assert_eq!(files_under(root.path()), before);
}

#[test]
fn nothing_outside_the_forms_folder_can_be_opened() {
    let (root, forms) = folders();
    let bench = start(&forms, &[]);
    // A link made after start, from inside the folder to a form outside it.
    #[cfg(unix)]
    std::os::unix::fs::symlink(root.path().join("outside/secret.tsv"), forms.join("link.tsv")).unwrap();
    let outside = root.path().join("outside/secret.tsv");
    for path in [
        "../outside/secret.tsv",
        "./../outside/secret.tsv",
        outside.to_str().unwrap(),
        "link.tsv",
        "",
        "missing.tsv",
    ] {
        let response = bench.post_form("/open", &[("path", path)]);
        assert_eq!(response.status, 403, "{path}: {}", response.body);
        assert!(
            response.body.contains("只能打开启动时指定的表格文件夹"),
            "{}",
            response.body
        );
    }
    let raw = bench.send("GET", "/../outside/secret.tsv", &[("Cookie", &bench.cookie())], b"");
    assert_eq!(raw.status, 404);
    let page = bench.get("/");
    assert!(!page.body.contains("工资性支出"), "the form outside was read");
    assert_eq!(rows(&bench), 9);
    // The folder's own file can be read again.
    let again = bench.post_form("/open", &[("path", "shenzhen-seed.tsv")]);
    assert_eq!(again.status, 303, "{}", again.body);
    assert_eq!(rows(&bench), 9);
}

#[test]
fn a_waiver_goes_to_the_decisions_file_that_score_reads() {
    let (root, forms) = folders();
    let bench = start(&forms, &[]);
    let before = files_under(root.path());
    let waive = |reason: &str| {
        bench.post_form(
            "/decide",
            &[
                ("kind", "waive"),
                ("document", FORM6),
                ("code", "T1"),
                ("indicator", ""),
                ("reason", reason),
                ("reviewer", "王审核"),
                ("date", "2024-05-10"),
            ],
        )
    };
    // Without a reason: refused, nothing written.
    let refused = waive(" ");
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("理由、审核人和日期都必须填写"),
        "{}",
        refused.body
    );
    assert_eq!(files_under(root.path()), before);
    // A waiver: written, and the form shows the finding waived.
    let saved = waive("总分按复核结果填报，已书面说明");
    assert_eq!(saved.status, 303, "{}", saved.body);
    let file = forms.join("decisions.toml");
    let mut expected = before.clone();
    expected.push("forms/decisions.toml".to_owned());
    expected.sort();
    assert_eq!(files_under(root.path()), expected);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("[[decision]]") && text.contains("code = \"T1\""),
        "{text}"
    );
    let form = bench.get(&format!("/form?id={}", crate::common::workbench::percent(FORM6)));
    assert!(form.body.contains("已豁免"), "{}", form.body);
    assert!(form.body.contains("总分按复核结果填报，已书面说明"), "{}", form.body);
    // The command line reads the file as it is.
    let report = score_seed_json(&forms, Some(&file));
    let card = report
        .iter()
        .find(|c| c["id"] == FORM6)
        .unwrap_or_else(|| panic!("{report:#?}"));
    let t1: Vec<&serde_json::Value> = card["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "T1")
        .collect();
    assert!(!t1.is_empty() && t1.iter().all(|f| f["waived"] == true), "{card}");
}

/// Text of the `<pre id="ID">` of a page, unescaped.
fn pre(body: &str, id: &str) -> Option<String> {
    let at = body.find(&format!("<pre id=\"{id}\">"))?;
    let rest = &body[at..];
    let text = &rest[rest.find('>')? + 1..rest.find("</pre>")?];
    Some(
        text.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&amp;", "&"),
    )
}

#[test]
fn a_rule_edit_is_checked_and_compared_over_the_loaded_forms() {
    let (_root, forms) = folders();
    let bench = start(&forms, &[]);
    let page = bench.get("/rules/set?id=shenzhen-2020");
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("name=\"p.late_share_explained\" value=\"0.5\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("逾期完成且已说明原因的时效指标，得该指标分值的比例"));
    let preview = bench.post_form(
        "/rules/preview",
        &[
            ("set", "shenzhen-2020"),
            ("p.late_share_explained", "0.6"),
            ("p.rate_places", "2"),
        ],
    );
    assert_eq!(preview.status, 200);
    assert_eq!(
        pre(&preview.body, "check").unwrap(),
        "规则集 shenzhen-2020-edit：没有发现问题\n"
    );
    let diff = pre(&preview.body, "diff").unwrap();
    assert!(diff.contains("共 9 个文档，1 个结果有变化。"), "{diff}");
    assert!(
        diff.contains("* 市住房建设局应用系统源码及自动发布管控项目（2021-0102013-市住房建设局应用系统源码及自动发布管控项目）：总分 92.60 → 93.80，等级 优 → 优"),
        "{diff}"
    );
    assert!(
        diff.contains("  - 产出指标/时效指标/平台搭建完成时间：6.00 → 7.20（参数 late_share_explained 0.5 → 0.6）"),
        "{diff}"
    );
    // An impossible value: check says where, and nothing is compared.
    let broken = bench.post_form(
        "/rules/preview",
        &[("set", "shenzhen-2020"), ("p.late_share_explained", "一半")],
    );
    let check = pre(&broken.body, "check").unwrap();
    assert!(check.contains("shenzhen-2020-edit/policy.toml"), "{check}");
    assert!(check.contains("1 个错误"), "{check}");
    assert!(pre(&broken.body, "diff").is_none());
    // The set's own tests: all pass unedited; against the edit, the four cases that pin 0.5
    // fail.
    let unedited = bench.post_form("/rules/test", &[("set", "shenzhen-2020")]);
    let report = pre(&unedited.body, "tests").unwrap();
    assert!(report.ends_with("\n34 passed, 0 failed\n"), "{report}");
    let tested = bench.post_form(
        "/rules/test",
        &[("set", "shenzhen-2020"), ("p.late_share_explained", "0.6")],
    );
    let report = pre(&tested.body, "tests").unwrap();
    assert!(
        report.contains("失败  样表4：逾期完成并说明原因，时效指标得一半（form4-late-deadline.toml）"),
        "{report}"
    );
    assert!(report.ends_with("\n30 passed, 4 failed\n"), "{report}");
}

#[test]
fn rule_sets_are_saved_only_in_the_rules_folder() {
    let (root, forms) = folders();
    let rules = root.path().join("rules");
    std::fs::create_dir_all(&rules).unwrap();
    // Without a rule-set folder nothing can be saved.
    let bench = start(&forms, &[]);
    let refused = bench.post_form(
        "/rules/save",
        &[("set", "shenzhen-2020"), ("id", "x"), ("year", "2021")],
    );
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("启动时没有指定规则集文件夹（--rules-dir）"),
        "{}",
        refused.body
    );
    drop(bench);
    let bench = start(&forms, &["--rules-dir", rules.to_str().unwrap()]);
    let before = files_under(root.path());
    for id in ["../escaped", "/tmp/x", "a/b", ""] {
        let response = bench.post_form("/rules/save", &[("set", "shenzhen-2020"), ("id", id), ("year", "2021")]);
        assert_eq!(response.status, 422, "{id}");
        assert!(response.body.contains("不可用"), "{}", response.body);
    }
    assert_eq!(files_under(root.path()), before);
    let saved = bench.post_form(
        "/rules/save",
        &[
            ("set", "shenzhen-2020"),
            ("p.late_share_explained", "0.6"),
            ("id", "sz-late"),
            ("year", "2021"),
        ],
    );
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert!(saved.body.contains("已保存到"), "{}", saved.body);
    let new: Vec<String> = files_under(root.path())
        .into_iter()
        .filter(|f| !before.contains(f))
        .collect();
    assert!(new.iter().all(|f| f.starts_with("rules/sz-late/")), "{new:?}");
    assert!(new.contains(&"rules/sz-late/policy.toml".to_owned()), "{new:?}");
    let policy = std::fs::read_to_string(rules.join("sz-late/policy.toml")).unwrap();
    assert!(policy.contains("extends = \"shenzhen-2020\""), "{policy}");
    assert!(
        policy.ends_with("[params.late_share_explained]\nvalue = \"0.6\"\n"),
        "{policy}"
    );
    let (code, out, err) = jixiao(&["check", rules.join("sz-late").to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    // A folder that exists is never overwritten.
    let again = bench.post_form(
        "/rules/save",
        &[("set", "shenzhen-2020"), ("id", "sz-late"), ("year", "2021")],
    );
    assert_eq!(again.status, 422, "{}", again.body);
    // new-year: the next year's set, extending this one.
    let next = bench.post_form(
        "/rules/save",
        &[("set", "shenzhen-2020"), ("id", "shenzhen-2022"), ("year", "2022")],
    );
    assert_eq!(next.status, 200, "{}", next.body);
    let policy = std::fs::read_to_string(rules.join("shenzhen-2022/policy.toml")).unwrap();
    assert!(policy.contains("years = { from = 2022, to = 2022 }"), "{policy}");
}

#[test]
fn the_reports_of_what_is_shown_are_downloaded() {
    let (_root, forms) = folders();
    let bench = start(&forms, &[]);
    let xlsx = bench.get("/export/report.xlsx");
    assert_eq!(xlsx.status, 200);
    assert_eq!(
        xlsx.header("content-disposition"),
        Some("attachment; filename=\"jixiao-report.xlsx\"")
    );
    assert!(xlsx.body.starts_with("PK\u{3}\u{4}"), "not a zip archive");
    // The html report of the forms the filter shows: form 6 only has errors.
    let page = bench.get("/?severity=error");
    assert!(page.body.contains("共 9 张表，显示 1 张"), "{}", page.body);
    assert!(
        page.body.contains("href=\"/export/report.html?severity=error\""),
        "{}",
        page.body
    );
    let html = bench.get("/export/report.html?severity=error");
    assert_eq!(html.status, 200);
    assert!(html.body.contains("信息基础设施及数据中心管理"));
    assert!(
        !html.body.contains("档案整理"),
        "a form the filter hides is in the report"
    );
}

#[test]
fn the_loaded_forms_are_checked_against_a_baseline() {
    let (root, forms) = folders();
    let base = root.path().join("baseline");
    let seed = forms.join("shenzhen-seed.tsv");
    let (code, _, err) = jixiao(&[
        "run",
        seed.to_str().unwrap(),
        "--baseline",
        base.to_str().unwrap(),
        "--default-year",
        "2020",
        "--region",
        "shenzhen",
    ]);
    assert_eq!(code, 0, "{err}");
    let bench = start(&forms, &["--baseline", base.to_str().unwrap()]);
    let same = bench.get("/baseline");
    assert_eq!(same.status, 200);
    assert_eq!(pre(&same.body, "baseline").unwrap(), "与基线一致：9 个文档\n");
    // A waiver changes form 6's findings: the check says so.
    waive_form6_t1(&bench);
    let changed = pre(&bench.get("/baseline").body, "baseline").unwrap();
    assert!(changed.starts_with(&format!("~ {FORM6}\n")), "{changed}");
    assert!(
        changed.ends_with("与基线相比：1 个文档结果变化，新增 0 个，缺少 0 个\n"),
        "{changed}"
    );
}

#[test]
fn weights_and_formulas_are_edited_as_the_child_states_them() {
    let (_root, forms) = folders();
    let bench = start(&forms, &[]);
    // Weights that no longer add up: check names both places, nothing is compared.
    let weights = bench.post_form(
        "/rules/preview",
        &[("set", "shenzhen-2020"), ("w.l1.产出指标", "40"), ("w.budget", "10")],
    );
    let check = pre(&weights.body, "check").unwrap();
    assert!(
        check.contains("各一级指标分值合计为 80，不等于绩效指标分值 90"),
        "{check}"
    );
    assert!(
        check.contains("level1 = { \"产出指标\" = \"40\", \"效益指标\" = \"20\", \"满意度指标\" = \"20\" }"),
        "{check}"
    );
    assert!(pre(&weights.body, "diff").is_none());
    // A formula replacing the set's function of the same name: the diff names it.
    let formula = "fn deadline_half_score(days_late, planned_days, weight, explained, p) {\n    if days_late <= 0 { weight } else if explained { weight * 0.75 } else { 0 }\n}\n";
    let edited = bench.post_form("/rules/preview", &[("set", "shenzhen-2020"), ("formula", formula)]);
    assert_eq!(
        pre(&edited.body, "check").unwrap(),
        "规则集 shenzhen-2020-edit：没有发现问题\n"
    );
    let diff = pre(&edited.body, "diff").unwrap();
    assert!(
        diff.contains("  - 产出指标/时效指标/平台搭建完成时间：6.00 → 9.00（函数 deadline_half_score 已修改）"),
        "{diff}"
    );
}

#[test]
fn a_form_shows_its_unplaced_cells_and_stale_decisions() {
    let (root, forms) = folders();
    // A decision about a form not loaded, and one about form 6 that matches nothing.
    std::fs::write(
        forms.join("decisions.toml"),
        format!(
            "[[decision]]\nkind = \"waive\"\ndocument = \"2020-0102013-没有这张表\"\ncode = \"T1\"\nreason = \"r\"\nreviewer = \"w\"\ndate = \"2024-05-10\"\n\n[[decision]]\nkind = \"waive\"\ndocument = \"{FORM6}\"\ncode = \"F6\"\nreason = \"r\"\nreviewer = \"w\"\ndate = \"2024-05-10\"\n"
        ),
    )
    .unwrap();
    let bench = start(&forms, &[]);
    let page = bench.get("/");
    assert!(page.body.contains("未生效的审核决定（1）"), "{}", page.body);
    assert!(
        page.body
            .contains("已读取的表中没有编号为“2020-0102013-没有这张表”的文档"),
        "{}",
        page.body
    );
    let form6 = bench.get(&format!("/form?id={}", crate::common::workbench::percent(FORM6)));
    assert!(form6.body.contains("<span class=\"code\">D1</span>"), "{}", form6.body);
    // An upload with a score written in words: the cell is shown with why it was not read. (It
    // has the id of seed form 8, so it is refused until the seed forms are cleared.)
    let bytes = std::fs::read(fixture("import-issues/weight-not-number.tsv")).unwrap();
    let upload = || {
        bench.send(
            "POST",
            "/upload?name=weight.tsv",
            &[("Cookie", &bench.cookie())],
            &bytes,
        )
    };
    let refused = upload();
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        bench
            .get("/")
            .body
            .contains("2021-0102013-2021年电子政务运维&quot; 重复：与 shenzhen-seed.tsv 的文档相同")
    );
    assert_eq!(bench.post_form("/clear", &[]).status, 303);
    let read = upload();
    assert_eq!(read.status, 200, "{}", read.body);
    let id = crate::common::workbench::percent("2021-0102013-2021年电子政务运维");
    let form = bench.get(&format!("/form?id={id}"));
    assert!(form.body.contains("未放入任何字段的单元格（1）"), "{}", form.body);
    assert!(
        form.body.contains("<td>G13</td><td>十二点五</td><td>应为数字</td>"),
        "{}",
        form.body
    );
    assert!(form.body.contains("<span class=\"code\">M1</span>"), "{}", form.body);
    drop(root);
}

#[test]
fn a_set_in_the_rules_folder_is_changed_in_place() {
    let (root, forms) = folders();
    let rules = root.path().join("rules");
    let mine = new_year_set(&rules);
    let before = std::fs::read_to_string(mine.join("policy.toml")).unwrap();
    let bench = start_with_own_set(&forms, &rules, &mine, &[]);
    assert!(bench.get("/").body.contains(">92.60</td>"));
    let page = bench.get("/rules/set?id=mine");
    assert!(page.body.contains("id=\"save-in-place\""), "{}", page.body);
    // A formula is never written in place.
    let refused = bench.post_form("/rules/save-in-place", &[("set", "mine"), ("formula", "fn f() { 1 }")]);
    assert_eq!(refused.status, 422);
    let saved = bench.post_form(
        "/rules/save-in-place",
        &[("set", "mine"), ("p.late_share_explained", "0.6"), ("s.F4", "warning")],
    );
    assert_eq!(saved.status, 200, "{}", saved.body);
    let after = std::fs::read_to_string(mine.join("policy.toml")).unwrap();
    assert!(after.starts_with(&before), "the set's own text was not kept:\n{after}");
    assert!(
        after.contains("[params.late_share_explained]\nvalue = \"0.6\""),
        "{after}"
    );
    assert!(after.contains("[checks.F4]\nseverity = \"warning\""), "{after}");
    // The forms are rescored under the changed set.
    let table = bench.get("/").body;
    assert!(
        table.contains(">93.80</td>") && !table.contains(">92.60</td>"),
        "{table}"
    );
    let (code, out, err) = jixiao(&["check", mine.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
}

/// A parameter the set gives by year is not overwritten in place by one value (check would refuse
/// both, and dropping the years would lose them). Saved as a child set instead, one value replaces
/// the years by `extends`' rule, tested in `policy::inherit`.
#[test]
fn a_parameter_by_year_is_not_overwritten_in_place() {
    let (root, forms) = folders();
    let rules = root.path().join("rules");
    let mine = new_year_set(&rules);
    let mut text = std::fs::read_to_string(mine.join("policy.toml")).unwrap();
    text.push_str("\n[params.late_share_explained]\nby_year = { \"2021\" = \"0.5\", \"2022\" = \"0.6\" }\n");
    std::fs::write(mine.join("policy.toml"), &text).unwrap();
    let (code, out, err) = jixiao(&["check", mine.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let bench = start_with_own_set(&forms, &rules, &mine, &[]);
    let refused = bench.post_form(
        "/rules/save-in-place",
        &[("set", "mine"), ("p.late_share_explained", "0.7")],
    );
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("按年度取值（by_year）"), "{}", refused.body);
    assert_eq!(std::fs::read_to_string(mine.join("policy.toml")).unwrap(), text);
}

/// More forms than one HTML page holds: the export says why in Chinese and what to do instead,
/// and the workbook of the same forms still downloads.
#[test]
fn an_html_export_of_more_forms_than_a_page_holds_says_what_to_do() {
    let root = tempfile::tempdir().unwrap();
    let forms = root.path().join("forms");
    std::fs::create_dir_all(&forms).unwrap();
    let (code, _, err) = jixiao(&[
        "generate",
        "--count",
        "201",
        "-o",
        forms.join("corpus.jsonl").to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    // Each generated document under the set its own region and year select, so all 201 score.
    let bench = Workbench::start(&["--forms", forms.to_str().unwrap()]);
    assert_eq!(rows(&bench), 201);
    let html = bench.get("/export/report.html");
    assert_eq!(html.status, 422, "{}", html.body);
    assert!(html.body.contains("超过 200 张"), "{}", html.body);
    assert!(html.body.contains("下载 xlsx 报告"), "{}", html.body);
    assert_eq!(bench.get("/export/report.xlsx").status, 200);
}

#[test]
fn a_runaway_formula_stops_at_the_sandbox_limits() {
    let (_root, forms) = folders();
    let bench = start(&forms, &[]);
    let formula = "fn deadline_half_score(days_late, planned_days, weight, explained, p) {\n    let n = 0;\n    loop { n += 1; }\n}\n";
    let started = std::time::Instant::now();
    let edited = bench.post_form("/rules/preview", &[("set", "shenzhen-2020"), ("formula", formula)]);
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    assert_eq!(edited.status, 200);
    let diff = pre(&edited.body, "diff").unwrap();
    assert!(diff.contains("共 7 个文档，0 个结果有变化。"), "{diff}");
    let (_, failed) = diff
        .split_once("\n无法评分的文档\n")
        .unwrap_or_else(|| panic!("{diff}"));
    assert_eq!(failed.lines().count(), 2, "{diff}");
    assert!(
        failed
            .lines()
            .all(|l| l.ends_with("（函数 deadline_half_score 的定义处）：运算次数超过上限（1000000）")),
        "{diff}"
    );
    // The workbench goes on serving.
    assert_eq!(rows(&bench), 9);
}

#[test]
fn workbooks_and_documents_are_read_like_forms() {
    let (_root, forms) = folders();
    let bench = Workbench::start(&["--forms", forms.to_str().unwrap(), "--default-year", "2021"]);
    let cookie = bench.cookie();
    assert_eq!(bench.post_form("/clear", &[]).status, 303);
    let workbook = std::fs::read(fixture("archives/small-form.xlsx")).unwrap();
    let read = bench.send(
        "POST",
        "/upload?name=small-form.xlsx",
        &[("Cookie", &cookie)],
        &workbook,
    );
    assert_eq!(read.status, 200, "{}", read.body);
    assert!(read.body.starts_with("small-form.xlsx：读取 1 张表"), "{}", read.body);
    let document = std::fs::read(fixture("documents/minimal.json")).unwrap();
    let read = bench.send("POST", "/upload?name=minimal.json", &[("Cookie", &cookie)], &document);
    assert_eq!(read.body, "minimal.json：读取 1 张表，0 处无法读取");
    let broken = bench.send(
        "POST",
        "/upload?name=bad.json",
        &[("Cookie", &cookie)],
        b"{\"format\": 1}",
    );
    assert_eq!(broken.status, 422, "{}", broken.body);
    let bomb = std::fs::read(fixture("archives/comment-bomb.xlsx")).unwrap();
    let refused = bench.send("POST", "/upload?name=bomb.xlsx", &[("Cookie", &cookie)], &bomb);
    assert_eq!(refused.status, 422, "{}", refused.body);
    let page = bench.get("/");
    assert_eq!(page.body.matches("<tr data-id=").count(), 2, "{}", page.body);
    assert!(
        page.body
            .contains("bomb.xlsx：工作簿中的 xl/worksheets/sheet1.xml 解压后有 209722956 字节（上限 128 MiB），不读取"),
        "{}",
        page.body
    );
}

#[test]
fn another_interface_is_taken_only_when_asked_and_with_a_warning() {
    // 192.0.2.1 (TEST-NET-1) is no address of this machine: binding fails at once, sending
    // nothing; the warning comes first, the error names the address, the exit code is 2.
    let (code, out, err) = jixiao(&["serve", "--host", "192.0.2.1"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.is_empty(), "{out}");
    let lines: Vec<&str> = err.lines().collect();
    assert!(
        lines[0].starts_with("警告：工作台监听 192.0.2.1：网络上能连到这台机器的人都可以尝试访问（仍需令牌）"),
        "{err}"
    );
    assert!(lines[1].starts_with("错误：无法在 192.0.2.1:0 上监听："), "{err}");
}

#[test]
fn each_filter_keeps_the_forms_score_says_have_it() {
    let (_root, forms) = folders();
    let bench = start(&forms, &[]);
    let cards = score_seed_json(&forms, None);
    let shown = |query: &str| {
        let page = bench.get(&format!("/?{query}"));
        let ids: Vec<String> = page
            .body
            .split("<tr data-id=\"")
            .skip(1)
            .map(|rest| rest.split('"').next().unwrap().to_owned())
            .collect();
        ids
    };
    let expect = |keep: &dyn Fn(&serde_json::Value) -> bool| -> Vec<String> {
        cards
            .iter()
            .filter(|c| keep(c))
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let mut codes: Vec<String> = cards
        .iter()
        .flat_map(|c| c["findings"].as_array().unwrap().iter())
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect();
    codes.sort();
    codes.dedup();
    assert!(codes.len() >= 5, "{codes:?}");
    for code in &codes {
        let want = expect(&|c| {
            c["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["code"] == code.as_str())
        });
        assert_eq!(shown(&format!("code={code}")), want, "code {code}");
    }
    for (severity, name) in [("error", "error"), ("warning", "warning"), ("info", "info")] {
        let want = expect(&|c| {
            c["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["severity"] == name && f["waived"] == false)
        });
        assert_eq!(shown(&format!("severity={severity}")), want, "severity {severity}");
    }
    assert_eq!(shown("department=0102013").len(), 9);
    assert_eq!(shown("department=other").len(), 0);
    assert_eq!(shown("ruleset=shenzhen-2020").len(), 9);
    assert_eq!(shown("ruleset=cn-mof-2020").len(), 0);
}

#[test]
fn an_empty_forms_folder_is_a_place_to_start() {
    let root = tempfile::tempdir().unwrap();
    let bench = Workbench::start(&["--forms", root.path().to_str().unwrap()]);
    assert!(bench.get("/").body.contains("共 0 张表"));
    let form = std::fs::read(fixture("forms/shenzhen-seed.tsv")).unwrap();
    let read = bench.send("POST", "/upload?name=seed.tsv", &[("Cookie", &bench.cookie())], &form);
    assert_eq!(read.status, 200, "{}", read.body);
    // Waivers go to decisions.toml in that folder.
    let waived = bench.post_form(
        "/decide",
        &[
            ("kind", "waive"),
            ("document", "2021-0102013-市住房建设局应用系统源码及自动发布管控项目"),
            ("code", "F4"),
            ("reason", "复核"),
            ("reviewer", "王审核"),
            ("date", "2024-05-10"),
        ],
    );
    assert_eq!(waived.status, 303, "{}", waived.body);
    assert!(root.path().join("decisions.toml").is_file());
}

#[test]
fn a_correction_rescores_the_form_as_score_does() {
    let (_root, forms) = folders();
    let bench = start(&forms, &[]);
    let saved = bench.post_form(
        "/decide",
        &[
            ("kind", "correct"),
            ("document", FORM6),
            ("indicator", "产出指标/成本指标/项目成本（元）"),
            ("field", "target"),
            ("was", "≤124000"),
            ("value", "≤1240000"),
            ("reason", "偏差说明写明年度指标值少写一个 0"),
            ("reviewer", "王审核"),
            ("date", "2024-05-10"),
        ],
    );
    assert_eq!(saved.status, 303, "{}", saved.body);
    let file = forms.join("decisions.toml");
    // The page's total is the one score gives with the same decisions file.
    let cards = score_seed_json(&forms, Some(&file));
    let card = cards.iter().find(|c| c["id"] == FORM6).unwrap();
    let total = card["total"]["score"].as_str().unwrap();
    assert_ne!(total, "88.62", "the correction changed nothing");
    let form = bench.get(&format!("/form?id={}", crate::common::workbench::percent(FORM6)));
    assert!(
        form.body.contains(&format!("data-item=\"total\">{total}</a>")),
        "{total}: {}",
        form.body
    );
    assert!(form.body.contains("≤124000 → ≤1240000"), "{}", form.body);
    // A correction whose `was` is not what the form says is valid but stale: recorded, and
    // shown on the form as D1.
    let stale = bench.post_form(
        "/decide",
        &[
            ("kind", "correct"),
            ("document", FORM6),
            ("indicator", "产出指标/成本指标/项目成本（元）"),
            ("field", "target"),
            ("was", "≤999"),
            ("value", "≤1"),
            ("reason", "r"),
            ("reviewer", "w"),
            ("date", "2024-05-10"),
        ],
    );
    assert_eq!(stale.status, 303, "{}", stale.body);
    let form = bench.get(&format!("/form?id={}", crate::common::workbench::percent(FORM6)));
    assert!(form.body.contains("<span class=\"code\">D1</span>"), "{}", form.body);
}

/// The current generation's approvals of the baseline `base`, oldest first.
fn history(base: &Path) -> Vec<serde_json::Value> {
    let current = std::fs::read_to_string(base.join("current")).unwrap();
    let text = std::fs::read_to_string(base.join("generations").join(current.trim()).join("history.jsonl")).unwrap();
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// `jixiao run SEED --baseline BASE --check` with the workbench's options (and `extra`).
fn run_check(seed: &Path, base: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec![
        "run",
        seed.to_str().unwrap(),
        "--baseline",
        base.to_str().unwrap(),
        "--check",
        "--default-year",
        "2020",
        "--region",
        "shenzhen",
    ];
    args.extend_from_slice(extra);
    jixiao(&args)
}

#[test]
fn a_baseline_recorded_on_the_page_is_the_one_run_checks_and_verify_replays() {
    let (root, forms) = folders();
    let base = root.path().join("baseline");
    let seed = forms.join("shenzhen-seed.tsv");
    let bench = start(&forms, &["--baseline", base.to_str().unwrap()]);
    // Before the first recording the page says there is no baseline yet, and offers the form.
    let empty = bench.get("/baseline");
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("还不存在"), "{}", empty.body);
    assert!(empty.body.contains("action=\"/baseline/record\""), "{}", empty.body);
    // First run: no reason needed, the reviewer is.
    let created = bench.post_form("/baseline/record", &[("reason", ""), ("reviewer", "王审核")]);
    assert_eq!(created.status, 200, "{}", created.body);
    assert_eq!(
        pre(&created.body, "baseline-record").unwrap(),
        format!("已新建基线 {}（版本 000001）：9 个文档，审批人 王审核", base.display())
    );
    let first = history(&base);
    assert_eq!(first.len(), 1);
    assert_eq!(first[0]["who"], "王审核");
    assert_eq!(first[0]["why"], "初次记录基线");
    assert_eq!(first[0]["changed"], 9);
    // Only the baseline folder was written.
    let mut outside: Vec<String> = files_under(root.path())
        .into_iter()
        .filter(|f| !f.starts_with("baseline/"))
        .collect();
    outside.sort();
    assert_eq!(outside, ["forms/shenzhen-seed.tsv", "outside/secret.tsv"]);
    // The command line agrees with it, and verify replays it from its manifest.
    let (code, _, err) = run_check(&seed, &base, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("与基线一致：9 个文档"), "{err}");
    let (code, out, err) = jixiao(&["verify", base.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        pre(&bench.get("/baseline").body, "baseline").unwrap(),
        "与基线一致：9 个文档\n"
    );
}

#[test]
fn approving_on_the_page_records_the_reason_and_the_reviewer() {
    let (root, forms) = folders();
    let base = root.path().join("baseline");
    let seed = forms.join("shenzhen-seed.tsv");
    let bench = start(&forms, &["--baseline", base.to_str().unwrap()]);
    assert_eq!(
        bench.post_form("/baseline/record", &[("reviewer", "王审核")]).status,
        200
    );
    // A waiver changes form 6's findings.
    waive_form6_t1(&bench);
    // The baseline exists: without a reason, or without a reviewer, nothing is written.
    for fields in [
        &[("reason", " "), ("reviewer", "李复核")][..],
        &[("reason", "豁免 T1 经复核")][..],
        &[("reason", "豁免 T1 经复核"), ("reviewer", "  ")][..],
    ] {
        let refused = bench.post_form("/baseline/record", fields);
        assert_eq!(refused.status, 422, "{fields:?}: {}", refused.body);
        assert_eq!(history(&base).len(), 1);
    }
    let refused = bench.post_form("/baseline/record", &[("reviewer", "李复核")]);
    assert!(
        refused.body.contains("已存在：批准新结果须写明原因"),
        "{}",
        refused.body
    );
    let no_reviewer = bench.post_form("/baseline/record", &[("reason", "豁免 T1 经复核")]);
    assert!(no_reviewer.body.contains("请填写审批人"), "{}", no_reviewer.body);
    assert_eq!(files_under(&base.join("generations")).len(), 3);
    // The check before approving shows the change; after it, run agrees with the decisions.
    let decisions = forms.join("decisions.toml");
    let (code, out, _) = run_check(&seed, &base, &["--decisions", decisions.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with(&format!("~ {FORM6}\n")), "{out}");
    let approved = bench.post_form(
        "/baseline/record",
        &[("reason", "豁免 T1 经复核"), ("reviewer", "李复核")],
    );
    assert_eq!(approved.status, 200, "{}", approved.body);
    assert_eq!(
        pre(&approved.body, "baseline-record").unwrap(),
        format!(
            "已更新基线 {}（版本 000002）：9 个文档（1 个有变化），审批人 李复核，原因：豁免 T1 经复核",
            base.display()
        )
    );
    let approvals = history(&base);
    assert_eq!(approvals.len(), 2);
    assert_eq!(approvals[0]["who"], "王审核");
    assert_eq!(approvals[1]["who"], "李复核");
    assert_eq!(approvals[1]["why"], "豁免 T1 经复核");
    assert_eq!(approvals[1]["changed"], 1);
    let (code, _, err) = run_check(&seed, &base, &["--decisions", decisions.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = jixiao(&["verify", base.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn a_baseline_is_not_recorded_from_uploads_nor_without_the_token() {
    let (root, forms) = folders();
    let base = root.path().join("baseline");
    let bench = start(&forms, &["--baseline", base.to_str().unwrap()]);
    // Without the token: refused, nothing written.
    let form = [("Content-Type", "application/x-www-form-urlencoded")];
    let body = format!("reason=r&reviewer={}", crate::common::workbench::percent("王审核"));
    assert_eq!(
        bench.send("POST", "/baseline/record", &form, body.as_bytes()).status,
        403
    );
    assert!(!base.exists());
    // The same forms, uploaded: verify could not read them again.
    assert_eq!(bench.post_form("/clear", &[]).status, 303);
    let bytes = std::fs::read(forms.join("shenzhen-seed.tsv")).unwrap();
    let uploaded = bench.send(
        "POST",
        "/upload?name=upload.tsv",
        &[("Cookie", &bench.cookie())],
        &bytes,
    );
    assert_eq!(uploaded.status, 200, "{}", uploaded.body);
    assert_eq!(rows(&bench), 9);
    let refused = bench.post_form("/baseline/record", &[("reason", "r"), ("reviewer", "王审核")]);
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("“upload.tsv”是上传的文件，jixiao verify 无法重新读取它，不能据此记录基线"),
        "{}",
        refused.body
    );
    assert!(!base.exists());
    // Cleared: nothing to record. Read from the forms folder: recorded.
    assert_eq!(bench.post_form("/clear", &[]).status, 303);
    let nothing = bench.post_form("/baseline/record", &[("reviewer", "王审核")]);
    assert_eq!(nothing.status, 422);
    assert!(nothing.body.contains("还没有读取任何表"), "{}", nothing.body);
    let opened = bench.post_form("/open", &[("path", "shenzhen-seed.tsv")]);
    assert_eq!(opened.status, 303, "{}", opened.body);
    let recorded = bench.post_form("/baseline/record", &[("reviewer", "王审核")]);
    assert_eq!(recorded.status, 200, "{}", recorded.body);
    assert_eq!(history(&base).len(), 1);
}

#[test]
fn a_rule_change_saved_in_place_is_approved_into_the_baseline() {
    let (root, forms) = folders();
    let base = root.path().join("baseline");
    let seed = forms.join("shenzhen-seed.tsv");
    let rules = root.path().join("rules");
    let mine = new_year_set(&rules);
    let bench = start_with_own_set(&forms, &rules, &mine, &["--baseline", base.to_str().unwrap()]);
    let created = bench.post_form("/baseline/record", &[("reviewer", "王审核")]);
    assert_eq!(created.status, 200, "{}", created.body);
    let saved = bench.post_form(
        "/rules/save-in-place",
        &[("set", "mine"), ("p.late_share_explained", "0.6")],
    );
    assert_eq!(saved.status, 200, "{}", saved.body);
    let check = pre(&bench.get("/baseline").body, "baseline").unwrap();
    assert!(check.contains("总分：92.60 → 93.80"), "{check}");
    let changed = check.lines().filter(|l| l.starts_with("~ ")).count();
    assert!(changed >= 1, "{check}");
    let approved = bench.post_form(
        "/baseline/record",
        &[("reason", "说明了原因的逾期按 0.6 计分"), ("reviewer", "李复核")],
    );
    assert_eq!(approved.status, 200, "{}", approved.body);
    let approvals = history(&base);
    assert_eq!(approvals.len(), 2);
    assert_eq!(approvals[1]["who"], "李复核");
    assert_eq!(approvals[1]["why"], "说明了原因的逾期按 0.6 计分");
    assert_eq!(approvals[1]["changed"], changed);
    let (code, _, err) = run_check(&seed, &base, &["--rules", mine.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = jixiao(&["verify", base.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
}
