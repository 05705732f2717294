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
    let (code, out, err) = jixiao(&[
        "score",
        forms.join("shenzhen-seed.tsv").to_str().unwrap(),
        "--default-year",
        "2020",
        "--region",
        "shenzhen",
        "--decisions",
        file.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(code <= 1, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let card = report
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == FORM6)
        .unwrap_or_else(|| panic!("{out}"));
    let t1: Vec<&serde_json::Value> = card["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "T1")
        .collect();
    assert!(!t1.is_empty() && t1.iter().all(|f| f["waived"] == true), "{card}");
}
