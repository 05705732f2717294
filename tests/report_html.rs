//! The HTML report: opened in a real headless Chromium (the page loads, its script runs, it asks
//! for nothing outside the file, the numbers it shows are the JSON report's, a screenshot is
//! drawn), and a small report snapshotted so reviewers read what users see.
//!
//! Chromium comes from Debian's `chromium` package, which `.ci/run` installs. Without it the
//! browser test fails under CI (`CI` set) and is skipped, saying why, on a developer's machine.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use serde_json::Value;

use crate::common::{jixiao_command, run_command_within};

const SEED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/forms/shenzhen-seed.tsv");
const MINIMAL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/documents/minimal.json");

fn seed(extra: &[&str]) -> Output {
    let mut args = vec!["score", SEED, "--default-year", "2020", "--region", "shenzhen"];
    args.extend_from_slice(extra);
    jixiao_command().args(&args).output().unwrap()
}

/// The Chromium binary, or None when it is not installed.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("JIXIAO_CHROMIUM") {
        return Some(path.into());
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// Runs Chromium headless on a local file with networking features off; kills it after a minute.
fn run_chromium(chromium: &Path, profile: &Path, extra: &[String], page: &Path) -> (i32, String, String) {
    let mut command = Command::new(chromium);
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()));
    run_command_within(&mut command, Duration::from_secs(60))
}

/// Text content of the element with this id in serialized HTML (elements holding only text).
fn text_of(dom: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\"");
    let at = dom.find(&marker).unwrap_or_else(|| panic!("no element #{id}"));
    let rest = &dom[at..];
    let start = rest.find('>').unwrap() + 1;
    let end = rest[start..].find('<').unwrap() + start;
    rest[start..end]
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

fn count(doc: &Value, severity: &str) -> usize {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == severity && f["waived"] == false)
        .count()
}

/// What must never appear in the page: anything that would load from outside the file.
fn assert_self_contained(html: &str) {
    for needle in [
        "http://", "https://", "src=", "<link", "url(", "@import", "<iframe", "<img",
    ] {
        assert!(!html.contains(needle), "the page contains {needle:?}");
    }
    for href in html.split("href=\"").skip(1) {
        assert!(
            href.starts_with('#'),
            "a link leaves the page: {}",
            &href[..href.len().min(40)]
        );
    }
}

#[test]
fn html_report_loads_in_chromium_and_shows_the_json_numbers() {
    let Some(chromium) = chromium() else {
        let how = "Chromium 未安装：apt-get update && apt-get install -y chromium（Debian 软件包）";
        if std::env::var_os("CI").is_some() {
            panic!("{how}; .ci/run installs it on a fresh machine");
        }
        eprintln!("跳过浏览器测试（本机）：{how}");
        return;
    };
    let docs: Vec<Value> = serde_json::from_slice(&seed(&["--format", "json"]).stdout).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let out = seed(&["--format", "html", "-o", page.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let html = std::fs::read_to_string(&page).unwrap();
    assert_self_contained(&html);
    assert!(html.contains("<body data-ready=\"0\">"));

    let (code, dom, log) = run_chromium(
        &chromium,
        &dir.path().join("profile-dom"),
        &["--enable-logging=stderr".into(), "--v=0".into(), "--dump-dom".into()],
        &page,
    );
    assert_eq!(code, 0, "{log}");
    // Console messages (a script error among them) are logged as "…:CONSOLE…"; the page has none.
    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "the page logged to the console: {console:#?}");
    // The inline script ran to its end: it sets the marker last.
    assert!(
        dom.contains("<body data-ready=\"1\">"),
        "the page's script did not finish"
    );

    assert_eq!(text_of(&dom, "count-forms"), docs.len().to_string());
    let total = |s: &str| docs.iter().map(|d| count(d, s)).sum::<usize>().to_string();
    assert_eq!(text_of(&dom, "count-errors"), total("error"));
    assert_eq!(text_of(&dom, "count-warnings"), total("warning"));
    assert_eq!(text_of(&dom, "count-infos"), total("info"));
    let waived: usize = docs
        .iter()
        .flat_map(|d| d["findings"].as_array().unwrap())
        .filter(|f| f["waived"] == true)
        .count();
    assert_eq!(text_of(&dom, "count-waived"), waived.to_string());
    for (n, doc) in (1..).zip(&docs) {
        let id = doc["id"].as_str().unwrap();
        assert!(dom.contains(&format!("id=\"form-{n}\" data-doc=\"{id}\"")), "form {n}");
        for prefix in ["s", "f"] {
            assert_eq!(
                text_of(&dom, &format!("{prefix}{n}-total")),
                doc["total"]["score"].as_str().unwrap()
            );
            assert_eq!(
                text_of(&dom, &format!("{prefix}{n}-grade")),
                doc["grade"].as_str().unwrap()
            );
            assert_eq!(
                text_of(&dom, &format!("{prefix}{n}-funds")),
                doc["budget"]["score"].as_str().unwrap()
            );
            assert_eq!(
                text_of(&dom, &format!("{prefix}{n}-errors")),
                count(doc, "error").to_string()
            );
            assert_eq!(
                text_of(&dom, &format!("{prefix}{n}-warnings")),
                count(doc, "warning").to_string()
            );
            assert_eq!(
                text_of(&dom, &format!("{prefix}{n}-infos")),
                count(doc, "info").to_string()
            );
        }
        let reported = doc["total"]["reported"].as_str().unwrap_or("—");
        assert_eq!(text_of(&dom, &format!("f{n}-total-reported")), reported);
        assert_eq!(
            text_of(&dom, &format!("f{n}-ruleset")),
            doc["ruleset"].as_str().unwrap()
        );
    }
    // The chart shows every form once, under its grade.
    let per_grade = |g: &str| docs.iter().filter(|d| d["grade"] == g).count();
    assert!(dom.contains(&format!("data-grade=\"优\" data-count=\"{}\"", per_grade("优"))));
    assert!(dom.contains(&format!("data-grade=\"良\" data-count=\"{}\"", per_grade("良"))));

    let png = dir.path().join("report.png");
    let (code, _, log) = run_chromium(
        &chromium,
        &dir.path().join("profile-shot"),
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1280,2000".into(),
        ],
        &page,
    );
    assert_eq!(code, 0, "{log}");
    let bytes = std::fs::read(&png).unwrap();
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(
        bytes.len() > 10_000,
        "screenshot of {} bytes is suspiciously small",
        bytes.len()
    );
    // Keep the screenshot where a developer (or CI) can look at it.
    if let Some(keep) = std::env::var_os("JIXIAO_SCREENSHOT") {
        std::fs::copy(&png, keep).unwrap();
    }
}

#[test]
fn html_report_of_one_form_with_hostile_text_and_a_wrong_total() {
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(MINIMAL).unwrap()).unwrap();
    doc["project"]["name"] = "档案<script>alert(\"x\")</script>&'整理'".into();
    doc["total"]["score_reported"] = "98.0".into();
    doc["indicators"][0]["score_reported"] = "45".into();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("doc.json");
    std::fs::write(&input, serde_json::to_string(&doc).unwrap()).unwrap();
    let out = jixiao_command()
        .args(["score", input.to_str().unwrap(), "--format", "html"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let html = String::from_utf8(out.stdout).unwrap();
    assert_self_contained(&html);
    assert!(!html.contains("<script>alert"), "user text must be escaped");
    insta::with_settings!({filters => vec![(r"jixiao \d+\.\d+\.\d+", "jixiao [版本]")]}, {
        insta::assert_snapshot!(html);
    });
}

/// Bytes the summary page of a corpus may take, whatever the number of forms (see
/// `docs/report-format.md`: aggregates, 100 worst forms, 50 departments, one row per code).
const PAGE_BOUND: u64 = 300_000;
/// Bytes one detail page (100 forms) may take.
const DETAIL_BOUND: u64 = 1_500_000;

/// The targets of the `href` links in a page.
fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .collect()
}

/// Issue 15 item 1: a corpus far beyond one page gives a summary page of bounded size with the
/// forms' details on pages in `report.html.d/` beside it, linked; every number agrees with the
/// JSON Lines report of the same corpus; `verify` replays it and notices an edited detail page;
/// and Chromium opens the page and a detail page with their scripts running.
#[test]
fn html_report_of_a_corpus_is_a_bounded_page_with_linked_detail_pages() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus.jsonl");
    let out = jixiao_command()
        .args([
            "generate",
            "--count",
            "5000",
            "--seed",
            "11",
            "-o",
            corpus.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let score = |extra: &[&str]| {
        jixiao_command()
            .args(["score", corpus.to_str().unwrap(), "--fail-on", "never", "--quiet"])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = score(&["--format", "jsonl"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let docs: Vec<Value> = out
        .stdout
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(docs.len(), 5000);

    // Without -o there is no folder for the detail pages: one error, exit 2, nothing written.
    let out = score(&["--format", "html"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("超过 200 张表") && stderr.contains("-o"), "{stderr}");

    let page = dir.path().join("report.html");
    let out = score(&["--format", "html", "-o", page.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let size = std::fs::metadata(&page).unwrap().len();
    assert!(size <= PAGE_BOUND, "summary page of {size} bytes");
    let html = std::fs::read_to_string(&page).unwrap();
    // Only the page, its folder and the manifest: no temporary folder left behind.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "corpus.jsonl",
            "report.html",
            "report.html.d",
            "report.html.manifest.json"
        ]
    );

    // Aggregates agree with the JSON Lines report.
    assert_eq!(text_of(&html, "count-forms"), "5000");
    let total = |s: &str| docs.iter().map(|d| count(d, s)).sum::<usize>().to_string();
    assert_eq!(text_of(&html, "count-errors"), total("error"));
    assert_eq!(text_of(&html, "count-warnings"), total("warning"));
    let counts = |attribute: &str| -> usize {
        html.split(&format!("data-{attribute}=\""))
            .skip(1)
            .map(|rest| {
                let at = rest.find("data-count=\"").unwrap() + "data-count=\"".len();
                rest[at..at + rest[at..].find('"').unwrap()].parse::<usize>().unwrap()
            })
            .sum()
    };
    assert_eq!(counts("bin"), 5000, "the difference histogram counts every form once");
    assert_eq!(counts("grade"), 5000);
    assert_eq!(
        counts("department"),
        5000,
        "departments, with the rest summed, count every form"
    );
    // The worst form listed first has the most errors of the corpus.
    let most = docs.iter().map(|d| count(d, "error")).max().unwrap();
    let first = &html[html.find("<tr id=\"s").unwrap() + "<tr id=\"s".len()..];
    let n = &first[..first.find('"').unwrap()];
    assert_eq!(text_of(&html, &format!("s{n}-errors")), most.to_string());

    // Every link of the page is inside it or a detail page beside it; each form link lands on
    // the form.
    let folder = dir.path().join("report.html.d");
    let detail_pages: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(detail_pages.len(), 51, "50 pages of 100 forms and the index");
    for name in &detail_pages {
        let size = std::fs::metadata(folder.join(name)).unwrap().len();
        assert!(size <= DETAIL_BOUND, "{name}: {size} bytes");
    }
    let page_links = links(&html);
    assert!(page_links.len() > 100, "{} links", page_links.len());
    for link in &page_links {
        if link.starts_with('#') {
            continue;
        }
        let rest = link.strip_prefix("report.html.d/").unwrap_or_else(|| panic!("{link}"));
        let (file, fragment) = rest.split_once('#').unwrap_or((rest, ""));
        let target = std::fs::read_to_string(folder.join(file)).unwrap();
        if !fragment.is_empty() {
            let n: usize = fragment.strip_prefix("form-").unwrap().parse().unwrap();
            let doc = &docs[n - 1];
            assert!(
                target.contains(&format!("id=\"form-{n}\" data-doc=\"{}\"", doc["id"].as_str().unwrap())),
                "{link}"
            );
            assert_eq!(
                text_of(&target, &format!("f{n}-total")),
                doc["total"]["score"].as_str().unwrap()
            );
        }
    }
    // The index lists every detail page with its SHA-256 and links back.
    let index = std::fs::read_to_string(folder.join("index.html")).unwrap();
    assert_eq!(links(&index).iter().filter(|l| l.starts_with("forms-")).count(), 50);
    assert!(links(&index).contains(&"../report.html".to_owned()));

    // verify replays the run, detail pages included, and notices an edited one.
    let verify = || {
        jixiao_command()
            .args(["verify", dir.path().join("report.html.manifest.json").to_str().unwrap()])
            .output()
            .unwrap()
    };
    let out = verify();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let edited = folder.join("forms-000101.html");
    let original = std::fs::read(&edited).unwrap();
    std::fs::write(&edited, [original.as_slice(), b"<!-- edited -->"].concat()).unwrap();
    let out = verify();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("forms-000101.html"), "{stderr}");
    std::fs::write(&edited, &original).unwrap();

    if let Some(chromium) = chromium() {
        open_in_chromium(&chromium, dir.path(), &[page.clone(), folder.join("forms-004901.html")]);
    } else {
        assert!(std::env::var_os("CI").is_none(), "Chromium is required under CI");
    }

    // A later run small enough for one page removes the folder, which described the corpus.
    let small = dir.path().join("small.jsonl");
    let text = std::fs::read_to_string(&corpus).unwrap();
    std::fs::write(&small, text.lines().take(50).collect::<Vec<_>>().join("\n")).unwrap();
    let out = jixiao_command()
        .args([
            "score",
            small.to_str().unwrap(),
            "--format",
            "html",
            "--quiet",
            "--fail-on",
            "never",
        ])
        .args(["-o", page.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!folder.exists());
    assert!(std::fs::read_to_string(&page).unwrap().contains("id=\"form-50\""));
}

/// Opens each page in headless Chromium: it loads, logs nothing to the console, and its script
/// runs to the end.
fn open_in_chromium(chromium: &Path, dir: &Path, pages: &[PathBuf]) {
    for (k, target) in pages.iter().enumerate() {
        let (code, dom, log) = run_chromium(
            chromium,
            &dir.join(format!("profile-{k}")),
            &["--enable-logging=stderr".into(), "--v=0".into(), "--dump-dom".into()],
            target,
        );
        assert_eq!(code, 0, "{log}");
        let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
        assert!(
            console.is_empty(),
            "{} logged to the console: {console:#?}",
            target.display()
        );
        assert!(
            dom.contains("<body data-ready=\"1\">"),
            "{}: the script did not finish",
            target.display()
        );
    }
}
