//! `jixiao serve` in a real browser: headless Chromium driven through chromedriver (WebDriver,
//! with the `fantoccini` client) does what a reviewer does — picks the seed forms in the file
//! dialog, sees the nine scored rows, opens form 6, clicks its total and reads the derivation
//! in the side panel, waives the T1 finding shown there and finds the waiver in the decisions
//! file.
//!
//! Chromium and chromedriver come from Debian's `chromium` and `chromium-driver` packages, which
//! `.ci/run` installs. Without them the tests fail under CI (`CI` set) and are skipped, saying
//! why, on a developer's machine. The browser, chromedriver and the workbench are ended when a
//! test ends, passed or failed.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

use crate::common::fixture;
use crate::common::workbench::Workbench;

type Outcome = Result<(), String>;

/// chromedriver and Chromium, or None (after saying why) when either is missing here.
fn tools() -> Option<(PathBuf, PathBuf)> {
    let driver = PathBuf::from("/usr/bin/chromedriver");
    let chromium = PathBuf::from("/usr/bin/chromium");
    if driver.exists() && chromium.exists() {
        return Some((driver, chromium));
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must have chromium and chromium-driver (.ci/run installs them)"
    );
    eprintln!("skipped: /usr/bin/chromedriver or /usr/bin/chromium is not installed (apt-get install chromium-driver)");
    None
}

/// A free loopback port (there is a short window in which another process could take it).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// chromedriver, and the browser it starts, for one test: ended on drop. The browser is found
/// by its own profile folder, which no other process names.
struct Driver {
    child: Child,
    port: u16,
    profile: tempfile::TempDir,
}

impl Driver {
    fn start(driver: &Path) -> Self {
        let port = free_port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not listen"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self {
            child,
            port,
            profile: tempfile::tempdir().unwrap(),
        }
    }

    /// Processes whose command line names this driver's browser profile.
    fn browser_processes(&self) -> Vec<i32> {
        let marker = self.profile.path().display().to_string();
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        entries
            .filter_map(Result::ok)
            .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
            .filter(|pid| {
                std::fs::read(format!("/proc/{pid}/cmdline"))
                    .is_ok_and(|c| String::from_utf8_lossy(&c).contains(&marker))
            })
            .collect()
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        for pid in self.browser_processes() {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
        }
    }
}

/// Runs `test` against a browser session on a workbench started with `args`, then closes the
/// session and ends every process, whatever the outcome; fails with the test's message.
fn with_browser<F>(args: &[&str], test: F)
where
    F: AsyncFnOnce(&Client, &Workbench) -> Outcome,
{
    let Some((driver_path, chromium)) = tools() else {
        return;
    };
    let bench = Workbench::start(args);
    let driver = Driver::start(&driver_path);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let outcome = runtime.block_on(async {
        let options = serde_json::json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,900",
                format!("--user-data-dir={}", driver.profile.path().display()),
            ],
        });
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), "chrome".into());
        capabilities.insert("goog:chromeOptions".into(), options);
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
            .map_err(|e| format!("no WebDriver session: {e}"))?;
        let outcome = test(&client, &bench).await;
        let _ = client.close().await;
        outcome
    });
    drop(driver);
    drop(bench);
    if let Err(message) = outcome {
        panic!("{message}");
    }
}

/// Waits (at most 20 s) until the element `css` exists and its text passes `ready`; its text.
async fn text_when(client: &Client, css: &str, ready: impl Fn(&str) -> bool) -> Result<String, String> {
    let started = Instant::now();
    let mut last = String::new();
    while started.elapsed() < Duration::from_secs(20) {
        if let Ok(element) = client.find(Locator::Css(css)).await {
            last = element.text().await.unwrap_or_default();
            if ready(&last) {
                return Ok(last);
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("{css} never became ready; last text: {last:?}"))
}

/// Checks that the page fits the 1280 px window without scrolling sideways, and keeps a
/// screenshot of it (`target/tmp/serve-NAME.png`) for people to look at.
async fn fits_1280(client: &Client, name: &str) -> Outcome {
    let width = client
        .execute("return document.documentElement.scrollWidth;", vec![])
        .await
        .map_err(step("page width"))?;
    let window = client
        .execute("return window.innerWidth;", vec![])
        .await
        .map_err(step("window width"))?;
    if width.as_u64() > window.as_u64() {
        return Err(format!("{name}: the page is {width} px wide in a {window} px window"));
    }
    let png = client.screenshot().await.map_err(step("screenshot"))?;
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("serve-{name}.png"));
    std::fs::write(&path, png).map_err(|e| format!("{}: {e}", path.display()))
}

/// Maps a WebDriver error to the test's message.
fn step(what: &str) -> impl FnOnce(fantoccini::error::CmdError) -> String + '_ {
    move |e| format!("{what}: {e}")
}

/// `Ok` when `text` (what `what` names) contains every one of `expected`.
fn contains_all(what: &str, text: &str, expected: &[&str]) -> Outcome {
    match expected.iter().find(|e| !text.contains(**e)) {
        Some(missing) => Err(format!("{what} lacks {missing:?}:\n{text}")),
        None => Ok(()),
    }
}

/// Finds the element `what` names and clicks it.
async fn click(client: &Client, locator: Locator<'_>, what: &str) -> Outcome {
    client
        .find(locator)
        .await
        .map_err(step(what))?
        .click()
        .await
        .map_err(|e| format!("click {what}: {e}"))?;
    Ok(())
}

/// The seed forms picked in the file dialog, as a reviewer loads them.
async fn load_seed(client: &Client, bench: &Workbench) -> Outcome {
    client.goto(&bench.url).await.map_err(step("open the URL"))?;
    let picker = client
        .find(Locator::Id("pick-files"))
        .await
        .map_err(step("the file picker"))?;
    let seed = fixture("forms/shenzhen-seed.tsv");
    picker
        .send_keys(&seed.display().to_string())
        .await
        .map_err(step("pick the seed file"))?;
    text_when(client, "#count", |t| t.starts_with("共 9 张表")).await?;
    let rows = client
        .find_all(Locator::Css("#scored tbody tr"))
        .await
        .map_err(step("rows"))?;
    if rows.len() != 9 {
        return Err(format!("{} rows, 9 expected", rows.len()));
    }
    fits_1280(client, "table").await
}

/// From the scored table: opens form 6, checks its total (88.62) and clicks it; the derivation
/// shown in the side panel.
async fn open_form_6s_total(client: &Client) -> Result<String, String> {
    click(client, Locator::Css("#scored tbody tr:nth-child(6) a"), "form 6's link").await?;
    text_when(client, "h1", |t| t == "信息基础设施及数据中心管理").await?;
    let total = client
        .find(Locator::Css("#total a.explain"))
        .await
        .map_err(step("the total"))?;
    let shown = total.text().await.map_err(step("the total's text"))?;
    if shown != "88.62" {
        return Err(format!("total shown {shown:?}"));
    }
    total.click().await.map_err(step("click the total"))?;
    text_when(client, "#explain-panel pre.derivation", |t| !t.is_empty()).await
}

/// A reviewer's session: a workbench for the seed forms' region and year whose decisions file
/// (not yet written) is in a fresh folder; `test` gets its path.
fn as_reviewer<F>(test: F)
where
    F: AsyncFnOnce(&Client, &Workbench, &Path) -> Outcome,
{
    let decisions = tempfile::tempdir().unwrap();
    let file = decisions.path().join("decisions.toml");
    let args = [
        "--region",
        "shenzhen",
        "--default-year",
        "2020",
        "--decisions",
        file.to_str().unwrap(),
    ];
    with_browser(&args, async |client, bench| test(client, bench, &file).await);
}

#[test]
fn a_reviewer_loads_the_seed_forms_and_reads_form_6s_total() {
    as_reviewer(async |client, bench, _file| {
        load_seed(client, bench).await?;
        let upload = text_when(client, "#upload-status", |t| !t.is_empty()).await?;
        if upload != "shenzhen-seed.tsv：读取 9 张表，0 处无法读取" {
            return Err(format!("upload status {upload:?}"));
        }
        let derivation = open_form_6s_total(client).await?;
        contains_all(
            "derivation",
            &derivation,
            &[
                "▸ 总分",
                "合计：9.80 + 12.50 + 12.50 + 12.50 + 1.32 + 0.0 + 20.00 + 0.0 + 20.00 = 88.62",
                "结果：计算总分 88.62，填报 99.8",
                "等级：88.62 ≥ 80（“良”档下限） → 良",
            ],
        )?;
        fits_1280(client, "form").await?;
        // Still on the form page: the panel was filled in place.
        let url = client.current_url().await.map_err(step("url"))?;
        if !url.path().ends_with("/form") {
            return Err(format!("left the form page: {url}"));
        }
        // From the keyboard: the budget score is a link; Enter on it opens its derivation.
        client
            .find(Locator::Css("#funds td:nth-child(6) a.explain"))
            .await
            .map_err(step("the budget score"))?
            .send_keys("\u{E007}")
            .await
            .map_err(step("Enter on the budget score"))?;
        let budget = text_when(client, "#explain-panel pre.derivation", |t| {
            t.contains("▸ 预算执行/年度资金总额")
        })
        .await?;
        if budget.contains("▸ 总分") {
            return Err(format!("the panel kept the total:\n{budget}"));
        }
        Ok(())
    });
}

#[test]
fn a_reviewer_waives_a_finding_and_it_is_in_the_decisions_file() {
    as_reviewer(async |client, bench, file| {
        load_seed(client, bench).await?;
        open_form_6s_total(client).await?;
        // The finding on the total, waived from the panel: the form is filled in for it.
        click(
            client,
            Locator::Css("#explain-panel button.waive[data-code='T1']"),
            "the T1 waive button",
        )
        .await?;
        let form = client.form(Locator::Id("decide")).await.map_err(step("the form"))?;
        form.set_by_name("reason", "总分按复核结果填报，已书面说明")
            .await
            .map_err(step("reason"))?;
        form.set_by_name("reviewer", "王审核").await.map_err(step("reviewer"))?;
        let code = client
            .find(Locator::Css("#decide input[name=code]"))
            .await
            .map_err(step("code"))?
            .prop("value")
            .await
            .map_err(step("code value"))?;
        if code.as_deref() != Some("T1") {
            return Err(format!("code filled in as {code:?}"));
        }
        click(client, Locator::Css("#decide button[type=submit]"), "save").await?;
        text_when(client, "#decisions", |t| t.contains("总分按复核结果填报")).await?;
        let text = std::fs::read_to_string(file).map_err(|e| format!("no decisions file: {e}"))?;
        contains_all(
            "decisions file",
            &text,
            &[
                "kind = \"waive\"",
                "document = \"2020-0102013-信息基础设施及数据中心管理\"",
                "code = \"T1\"",
                "reason = \"总分按复核结果填报，已书面说明\"",
                "reviewer = \"王审核\"",
            ],
        )?;
        Ok(())
    });
}

#[test]
fn an_editor_changes_a_parameter_and_sees_form_4s_total_move() {
    let seed = fixture("forms/shenzhen-seed.tsv");
    let args = [
        "--forms",
        seed.to_str().unwrap(),
        "--region",
        "shenzhen",
        "--default-year",
        "2020",
    ];
    with_browser(&args, async |client, bench| {
        client.goto(&bench.url).await.map_err(step("open the URL"))?;
        text_when(client, "#count", |t| t.starts_with("共 9 张表")).await?;
        click(client, Locator::LinkText("规则集"), "the 规则集 link").await?;
        click(client, Locator::LinkText("shenzhen-2020"), "the shenzhen-2020 link").await?;
        let input = client
            .find(Locator::Css("input[name='p.late_share_explained']"))
            .await
            .map_err(step("the parameter's box"))?;
        input.clear().await.map_err(step("clear"))?;
        // Typing and leaving the box (Tab) is all it takes: the preview follows the edit.
        input.send_keys("0.6\u{E004}").await.map_err(step("type 0.6"))?;
        let diff = text_when(client, "#diff", |t| t.contains("1 个结果有变化")).await?;
        let expected = "市住房建设局应用系统源码及自动发布管控项目（2021-0102013-市住房建设局应用系统源码及自动发布管控项目）：总分 92.60 → 93.80";
        if !diff.contains(expected) {
            return Err(format!("diff lacks form 4's total moving:\n{diff}"));
        }
        if !diff.contains("参数 late_share_explained 0.5 → 0.6") {
            return Err(format!("diff does not say why:\n{diff}"));
        }
        fits_1280(client, "rules").await?;
        Ok(())
    });
}

#[test]
fn a_folder_picked_and_a_file_dropped_are_read() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("forms/shenzhen-seed.tsv"),
        folder.path().join("shenzhen-seed.tsv"),
    )
    .unwrap();
    let sichuan = std::fs::read_to_string(fixture("forms/sichuan-2022.tsv")).unwrap();
    with_browser(&["--default-year", "2020"], async |client, bench| {
        client.goto(&bench.url).await.map_err(step("open the URL"))?;
        client
            .find(Locator::Id("pick-folder"))
            .await
            .map_err(step("the folder picker"))?
            .send_keys(&folder.path().display().to_string())
            .await
            .map_err(step("pick the folder"))?;
        text_when(client, "#count", |t| t.starts_with("共 9 张表")).await?;
        // A file dropped on the drop area, as the browser hands it to the page.
        client
            .execute(
                "const dt = new DataTransfer();
                 dt.items.add(new File([arguments[0]], 'sichuan-2022.tsv'));
                 document.getElementById('drop').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true }));",
                vec![serde_json::Value::String(sichuan.clone())],
            )
            .await
            .map_err(step("drop a file"))?;
        text_when(client, "#count", |t| t.starts_with("共 10 张表")).await?;
        let status = text_when(client, "#upload-status", |t| !t.is_empty()).await?;
        if status != "sichuan-2022.tsv：读取 1 张表，0 处无法读取" {
            return Err(format!("upload status {status:?}"));
        }
        Ok(())
    });
}

#[test]
fn a_reviewer_records_the_loaded_forms_as_a_baseline() {
    let seed = fixture("forms/shenzhen-seed.tsv");
    let folder = tempfile::tempdir().unwrap();
    let base = folder.path().join("baseline");
    let args = [
        "--forms",
        seed.to_str().unwrap(),
        "--region",
        "shenzhen",
        "--default-year",
        "2020",
        "--baseline",
        base.to_str().unwrap(),
    ];
    with_browser(&args, async |client, bench| {
        client.goto(&bench.url).await.map_err(step("open the URL"))?;
        text_when(client, "#count", |t| t.starts_with("共 9 张表")).await?;
        click(client, Locator::Id("baseline-check"), "the baseline link").await?;
        text_when(client, "#baseline", |t| t.contains("还不存在")).await?;
        let form = client
            .form(Locator::Id("baseline-run"))
            .await
            .map_err(step("the baseline form"))?;
        form.set_by_name("reviewer", "王审核").await.map_err(step("reviewer"))?;
        click(client, Locator::Css("#baseline-run button[type=submit]"), "record").await?;
        let said = text_when(client, "#baseline-record", |t| !t.is_empty()).await?;
        if !said.contains("（版本 000001）：9 个文档，审批人 王审核") {
            return Err(format!("recording said {said:?}"));
        }
        fits_1280(client, "baseline").await?;
        let history = std::fs::read_to_string(base.join("generations/000001/history.jsonl"))
            .map_err(|e| format!("no history: {e}"))?;
        if !history.contains("\"who\":\"王审核\"") {
            return Err(format!("history lacks the reviewer:\n{history}"));
        }
        Ok(())
    });
}
