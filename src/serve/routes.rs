//! The HTTP side: the router, the token guard in front of every route, and one handler per
//! page or action. Handlers lock the [`Workbench`], call the library through it and render a
//! page; actions answer with a redirect (303) so a reload never repeats them.

use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Form, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::engine::explain::{explain_document, render_text};
use crate::engine::scoring::Scorecard;
use crate::report::{Format, RenderOptions};
use crate::serve::auth;
use crate::serve::decide::{NewDecision, record};
use crate::serve::pages::{self, Filter, RuleOutcome, enc};
use crate::serve::rules::{self, Edit};
use crate::serve::state::Workbench;

/// What every handler shares: the workbench, the token and the cookie's name.
#[derive(Clone)]
pub struct Shared {
    /// The workbench's state.
    pub bench: Arc<Mutex<Workbench>>,
    /// The token printed at start.
    pub token: Arc<str>,
    /// Name of the cookie that keeps it ([`auth::cookie_name`]).
    pub cookie: Arc<str>,
}

impl Shared {
    /// The workbench, locked. A handler that panicked cannot have left it half-changed in a
    /// way that matters more than stopping the workbench would, so a poisoned lock is taken.
    fn lock(&self) -> MutexGuard<'_, Workbench> {
        self.bench.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The workbench's routes behind the token guard; bodies larger than `max_upload` bytes are
/// refused with 413.
pub fn router(shared: Shared, max_upload: usize) -> Router {
    Router::new()
        .route("/", get(table))
        .route("/form", get(form))
        .route("/explain", get(explain))
        .route("/upload", post(upload))
        .route("/open", post(open))
        .route("/clear", post(clear))
        .route("/decide", post(decide))
        .route("/export/report.xlsx", get(export_xlsx))
        .route("/export/report.html", get(export_html))
        .route("/baseline", get(baseline))
        .route("/baseline/record", post(baseline_record))
        .route("/rules", get(rulesets))
        .route("/rules/set", get(ruleset))
        .route("/rules/preview", post(rule_preview))
        .route("/rules/test", post(rule_test))
        .route("/rules/save", post(rule_save))
        .route("/rules/save-in-place", post(rule_save_in_place))
        .route("/static/app.css", get(css))
        .route("/static/app.js", get(js))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(max_upload))
        .layer(middleware::from_fn_with_state(shared.clone(), guard))
        .with_state(shared)
}

/// Lets a request through only with the token: in the cookie, or in the query (a `GET` with
/// it is answered by setting the cookie and sending the browser to the same page without the
/// token). Every response forbids framing, sniffing and referrers, and allows only the
/// workbench's own scripts and styles.
async fn guard(State(shared): State<Shared>, request: Request, next: Next) -> Response {
    let query = request.uri().query();
    let from_query = auth::query_token(query).is_some_and(|t| auth::same(t, &shared.token));
    let from_cookie = request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|h| auth::cookie_value(h, &shared.cookie).is_some_and(|v| auth::same(v, &shared.token)));
    let mut response = if from_query && request.method() == axum::http::Method::GET {
        let path = request.uri().path();
        let location = auth::without_token(query).map_or_else(|| path.to_owned(), |q| format!("{path}?{q}"));
        let cookie = format!("{}={}; Path=/; HttpOnly; SameSite=Strict", shared.cookie, shared.token);
        (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, location), (header::SET_COOKIE, cookie)],
        )
            .into_response()
    } else if from_query || from_cookie {
        next.run(request).await
    } else {
        (StatusCode::FORBIDDEN, Html(pages::forbidden().into_string())).into_response()
    };
    let headers = response.headers_mut();
    for (name, value) in [
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CACHE_CONTROL, "no-store"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
        ),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// A Chinese error page with a status.
fn failure(status: StatusCode, title: &str, text: &str, back: &str) -> Response {
    (status, Html(pages::message(title, text, back).into_string())).into_response()
}

async fn not_found() -> Response {
    failure(StatusCode::NOT_FOUND, "找不到页面", "没有这个页面。", "/")
}

/// `GET /`: the scored table.
async fn table(State(shared): State<Shared>, Query(filter): Query<Filter>) -> Html<String> {
    Html(pages::table(&shared.lock(), &filter).into_string())
}

/// A document id in the query.
#[derive(serde::Deserialize)]
struct Id {
    id: String,
}

/// `GET /form?id=`: one form.
async fn form(State(shared): State<Shared>, Query(Id { id }): Query<Id>) -> Response {
    let bench = shared.lock();
    match bench.form(&id) {
        Some(form) => Html(pages::form(&bench, form).into_string()).into_response(),
        None => failure(
            StatusCode::NOT_FOUND,
            "找不到表",
            &format!("没有编号为“{id}”的表。"),
            "/",
        ),
    }
}

/// Which number to explain.
#[derive(serde::Deserialize)]
struct Item {
    id: String,
    item: String,
}

/// `GET /explain?id=&item=`: the derivation of one number (`budget`, `total`, `i{n}`) as
/// `jixiao explain` prints it, with the findings on it.
async fn explain(State(shared): State<Shared>, Query(Item { id, item }): Query<Item>) -> Response {
    let bench = shared.lock();
    let Some(form) = bench.form(&id) else {
        return failure(
            StatusCode::NOT_FOUND,
            "找不到表",
            &format!("没有编号为“{id}”的表。"),
            "/",
        );
    };
    let pipeline = bench.pipeline();
    let rules = match pipeline.rules_for(&form.document) {
        Ok(rules) => rules,
        Err(e) => return failure(StatusCode::UNPROCESSABLE_ENTITY, "无法解释", &e.to_string(), "/"),
    };
    let mut explanation = match explain_document(&rules, &form.document, &pipeline.decisions_for(&form.document), None)
    {
        Ok(e) => e,
        Err(e) => return failure(StatusCode::UNPROCESSABLE_ENTITY, "无法解释", &e.to_string(), "/"),
    };
    let findings = match item.as_str() {
        "budget" => {
            explanation.indicators.clear();
            explanation.total = None;
            explanation.budget.as_ref().map(|b| b.findings.clone())
        }
        "total" => {
            explanation.indicators.clear();
            explanation.budget = None;
            explanation.total.as_ref().map(|t| t.findings.clone())
        }
        other => {
            let chosen = other
                .strip_prefix('i')
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|n| *n < explanation.indicators.len())
                .map(|n| explanation.indicators.swap_remove(n));
            explanation.budget = None;
            explanation.total = None;
            explanation.indicators = chosen.into_iter().collect();
            explanation.indicators.first().map(|i| i.findings.clone())
        }
    };
    let Some(findings) = findings else {
        return failure(
            StatusCode::NOT_FOUND,
            "找不到这个数",
            &format!("表中没有“{item}”。"),
            "/",
        );
    };
    let text = render_text(std::slice::from_ref(&explanation));
    let back = format!("/form?id={}", enc(&id));
    let fragment = pages::explanation(&text, &findings, &id);
    let page = pages::page("推导", maud::html! { p { a href=(back) { "← 返回表" } } (fragment) });
    Html(page.into_string()).into_response()
}

/// The name of an upload.
#[derive(serde::Deserialize)]
struct Name {
    name: String,
}

/// `POST /upload?name=FILE` with the file's bytes as the body: the file is read into the
/// workbench (in memory; nothing is written). 413 beyond the size limit.
async fn upload(
    State(shared): State<Shared>,
    Query(Name { name }): Query<Name>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let bytes = match body {
        Ok(bytes) => bytes,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return (
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("{name}：文件超过上传上限，未读取（启动时可用 --max-upload-mb 调整）"),
            )
                .into_response();
        }
        Err(rejection) => return (rejection.status(), format!("{name}：上传失败：{rejection}")).into_response(),
    };
    // Only the file's own name is kept: a path in it means nothing here.
    let name = std::path::Path::new(&name)
        .file_name()
        .map_or_else(|| name.clone(), |n| n.to_string_lossy().into_owned());
    let mut bench = shared.lock();
    let problems = bench.problems.len();
    bench.add_file(&name, None, &bytes);
    let read = bench.forms.iter().filter(|f| f.file == name).count();
    let failed = bench.problems.len() - problems;
    let status = if read == 0 && failed > 0 {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (status, format!("{name}：读取 {read} 张表，{failed} 处无法读取")).into_response()
}

/// A file of the forms folder, relative to it.
#[derive(serde::Deserialize)]
struct Open {
    path: String,
}

/// `POST /open` (path): reads a file of the forms folder again; nothing outside it.
async fn open(State(shared): State<Shared>, Form(Open { path }): Form<Open>) -> Response {
    match shared.lock().open_listed(&path) {
        Ok(()) => Redirect::to("/").into_response(),
        Err(e) => failure(StatusCode::FORBIDDEN, "不能打开", &e, "/"),
    }
}

/// `POST /clear`: drops every loaded form.
async fn clear(State(shared): State<Shared>) -> Redirect {
    shared.lock().clear();
    Redirect::to("/")
}

/// `POST /decide`: records a decision in the decisions file and shows the form again.
async fn decide(State(shared): State<Shared>, Form(decision): Form<NewDecision>) -> Response {
    let back = format!("/form?id={}", enc(&decision.document));
    match record(&mut shared.lock(), &decision) {
        Ok(()) => Redirect::to(&back).into_response(),
        Err(e) => failure(StatusCode::UNPROCESSABLE_ENTITY, "审核决定未保存", &e, &back),
    }
}

/// The report of the forms the filter shows, as `jixiao score --format FORMAT -o FILE` writes it,
/// sent as a download named `file` (nothing is written on the server).
fn export(shared: &Shared, filter: &Filter, format: Format, file: &str, mime: &str) -> Response {
    let bench = shared.lock();
    let cards: Vec<Scorecard> = pages::shown(&bench, filter)
        .into_iter()
        .filter_map(|(_, form)| form.result.as_ref().ok().map(|s| s.card.clone()))
        .collect();
    match crate::report::render(format, &cards, &RenderOptions::default()) {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, mime.to_owned()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")),
            ],
            bytes,
        )
            .into_response(),
        Err(crate::report::RenderError::HtmlNeedsFolder(limit)) => failure(
            StatusCode::UNPROCESSABLE_ENTITY,
            "无法导出",
            &format!(
                "所显示的表超过 {limit} 张：这么多表的 HTML 报告是一个汇总页加一个明细文件夹，不能作为单个文件下载。\
                 请用筛选缩小范围，或下载 xlsx 报告，或在命令行运行 jixiao score … --format html -o 报告.html"
            ),
            "/",
        ),
        Err(e) => failure(StatusCode::UNPROCESSABLE_ENTITY, "无法导出", &e.to_string(), "/"),
    }
}

/// `GET /export/report.xlsx`: the workbook of the forms shown.
async fn export_xlsx(State(shared): State<Shared>, Query(filter): Query<Filter>) -> Response {
    let mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    export(&shared, &filter, Format::Xlsx, "jixiao-report.xlsx", mime)
}

/// `GET /export/report.html`: the single-file html report of the forms shown.
async fn export_html(State(shared): State<Shared>, Query(filter): Query<Filter>) -> Response {
    export(
        &shared,
        &filter,
        Format::Html,
        "jixiao-report.html",
        "text/html; charset=utf-8",
    )
}

/// `GET /baseline`: the loaded forms checked against the baseline named at start, and the
/// form to record them as its next version.
async fn baseline(State(shared): State<Shared>) -> Response {
    let bench = shared.lock();
    let (status, text) = match bench.check_baseline() {
        Ok(text) => (StatusCode::OK, text),
        Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, e),
    };
    (status, Html(pages::baseline(&bench, &text).into_string())).into_response()
}

/// The fields of the baseline-run form.
#[derive(serde::Deserialize)]
struct BaselineRun {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    reviewer: String,
}

/// `POST /baseline/record` (reason, reviewer): the loaded forms recorded as the baseline's
/// next version (a first recording creates it), as `jixiao run --baseline [--approve]` records
/// them; refused when they cannot be replayed by `jixiao verify`.
async fn baseline_record(State(shared): State<Shared>, Form(run): Form<BaselineRun>) -> Response {
    let bench = shared.lock();
    match bench.record_baseline(&run.reason, &run.reviewer) {
        Ok(text) => {
            let page = pages::page(
                "基线已记录",
                maud::html! { h1 { "基线已记录" } pre #baseline-record { (text) } p { a href="/baseline" { "核对基线" } " · " a href="/" { "返回" } } },
            );
            Html(page.into_string()).into_response()
        }
        Err(e) => failure(StatusCode::UNPROCESSABLE_ENTITY, "基线未记录", &e, "/baseline"),
    }
}

/// `GET /rules`: the rule sets.
async fn rulesets(State(shared): State<Shared>) -> Html<String> {
    Html(pages::rulesets(&shared.lock()).into_string())
}

/// `GET /rules/set?id=`: one rule set, ready to edit.
async fn ruleset(State(shared): State<Shared>, Query(Id { id }): Query<Id>) -> Response {
    let bench = shared.lock();
    match rules::find(&bench, &id) {
        Ok(set) => {
            let edit = Edit {
                set: id,
                ..Edit::default()
            };
            Html(pages::ruleset(&bench, &set, &edit, &RuleOutcome::default()).into_string()).into_response()
        }
        Err(e) => failure(StatusCode::NOT_FOUND, "找不到规则集", &e, "/rules"),
    }
}

/// The rule-set page again for `edit`, with `outcome` below the form.
fn rule_page(bench: &Workbench, edit: &Edit, outcome: &RuleOutcome<'_>) -> Response {
    match rules::find(bench, &edit.set) {
        Ok(set) => Html(pages::ruleset(bench, &set, edit, outcome).into_string()).into_response(),
        Err(e) => failure(StatusCode::NOT_FOUND, "找不到规则集", &e, "/rules"),
    }
}

/// `POST /rules/preview`: the edit as a child set, checked, and its effect on the loaded forms.
async fn rule_preview(State(shared): State<Shared>, Form(fields): Form<Vec<(String, String)>>) -> Response {
    let bench = shared.lock();
    let edit = Edit::from_fields(&fields);
    match rules::preview(&bench, &edit) {
        Ok(preview) => rule_page(
            &bench,
            &edit,
            &RuleOutcome {
                preview: Some(&preview),
                ..RuleOutcome::default()
            },
        ),
        Err(e) => failure(StatusCode::NOT_FOUND, "找不到规则集", &e, "/rules"),
    }
}

/// `POST /rules/test`: the set's own test cases against the edit.
async fn rule_test(State(shared): State<Shared>, Form(fields): Form<Vec<(String, String)>>) -> Response {
    let bench = shared.lock();
    let edit = Edit::from_fields(&fields);
    let report = rules::test(&bench, &edit).unwrap_or_else(|e| e);
    rule_page(
        &bench,
        &edit,
        &RuleOutcome {
            tests: Some(&report),
            ..RuleOutcome::default()
        },
    )
}

/// `POST /rules/save`: the edit saved as a child set in the rule-set folder.
async fn rule_save(State(shared): State<Shared>, Form(fields): Form<Vec<(String, String)>>) -> Response {
    let bench = shared.lock();
    let edit = Edit::from_fields(&fields);
    match rules::save(&bench, &edit) {
        Ok(dir) => {
            let message = format!(
                "已保存到 {}（继承 {}）；用 jixiao score … --rules {} 按它评分",
                dir.display(),
                edit.set,
                dir.display()
            );
            rule_page(
                &bench,
                &edit,
                &RuleOutcome {
                    message: Some(&message),
                    ..RuleOutcome::default()
                },
            )
        }
        Err(e) => {
            let page = rule_page(
                &bench,
                &edit,
                &RuleOutcome {
                    message: Some(&e),
                    ..RuleOutcome::default()
                },
            );
            (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
        }
    }
}

/// `POST /rules/save-in-place`: the edit written into the edited set's own files.
async fn rule_save_in_place(State(shared): State<Shared>, Form(fields): Form<Vec<(String, String)>>) -> Response {
    let mut bench = shared.lock();
    let edit = Edit::from_fields(&fields);
    let (status, message) = match rules::save_in_place(&mut bench, &edit) {
        Ok(dir) => (
            StatusCode::OK,
            format!("已写入 {}；已读取的表已按修改后的规则集重新评分", dir.display()),
        ),
        Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, e),
    };
    let shown = Edit {
        set: edit.set.clone(),
        ..Edit::default()
    };
    let outcome = RuleOutcome {
        message: Some(&message),
        ..RuleOutcome::default()
    };
    let edit = if status == StatusCode::OK { &shown } else { &edit };
    (status, rule_page(&bench, edit, &outcome)).into_response()
}

async fn css() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("assets/app.css"),
    )
}

async fn js() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("assets/app.js"),
    )
}
