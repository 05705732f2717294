//! `jixiao serve`: the local browser workbench (工作台) for reviewers who never open a terminal.
//!
//! One process serves server-rendered pages on a loopback address; every page is built from the
//! library's own results — the one [`Pipeline`](crate::engine::pipeline::Pipeline) scores,
//! [`explain_document`](crate::engine::explain::explain_document) derives, reviewer decisions
//! are checked by [`DecisionSet`](crate::engine::decisions::DecisionSet) — so the workbench shows
//! exactly what `jixiao score` and `jixiao explain` print. Nothing here scores by itself.
//!
//! Safety ([`auth`]): a random token in the URL printed at start, then a cookie; every request
//! is checked; uploads are size-limited and kept in memory. What is written — the decisions
//! file named (or implied) at start, rule sets in the rule-set folder named at start, baseline
//! versions in the baseline folder named at start (through
//! [`record`](crate::runs::baseline::record::record), the function `jixiao run` uses) — is
//! written atomically; a page can open files only inside the forms folder named at start.
//!
//! Files: [`auth`] (token and cookie), [`state`] (the loaded forms, rescored after each change),
//! [`load`] (bytes → documents), [`decide`] (a reviewer decision → the decisions TOML),
//! [`rules`] (a rule-set edit as a child set: check, diff, tests, save), [`pages`] (the HTML),
//! [`routes`] (the HTTP handlers).

pub mod auth;
pub mod decide;
pub mod load;
pub mod pages;
pub mod routes;
pub mod rules;
pub mod state;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::engine::decisions::DecisionSet;
use crate::ingest::import::ImportOptions;
use crate::policy::select::Catalogue;

/// Uploads larger than this are refused (HTTP 413) unless `--max-upload-mb` says otherwise.
pub const DEFAULT_MAX_UPLOAD: usize = 20 << 20;

/// What the workbench is started with: everything comes from the command line, once.
pub struct Config {
    /// What the workbench keeps for its whole run (rule sets, import options, the folders and
    /// files it may read and write).
    pub settings: Settings,
    /// Files to load at start (the `--forms` inputs, already expanded into files).
    pub files: Vec<PathBuf>,
    /// Address to bind (loopback unless the user asked otherwise).
    pub host: IpAddr,
    /// Port; 0 takes a free one.
    pub port: u16,
    /// Largest upload accepted, in bytes.
    pub max_upload: usize,
}

/// The workbench's settings from the command line, kept for its whole run.
pub struct Settings {
    /// Rule sets to score with (embedded, or the one `--rules` forces).
    pub catalogue: Catalogue,
    /// How forms are imported (year, region, layouts).
    pub import: ImportOptions,
    /// The folder named with `--forms`: its files are listed and may be opened from the page;
    /// nothing outside it is read on a page's request. Canonical once the workbench starts.
    pub forms_dir: Option<PathBuf>,
    /// The decisions file: read at start when it exists, and the one file the workbench writes.
    pub decisions_path: Option<PathBuf>,
    /// The decisions in force (those read at start, then those recorded on the page).
    pub decisions: DecisionSet,
    /// The folder rule sets edited on the page are saved in (`--rules-dir`), if any.
    pub rules_dir: Option<PathBuf>,
    /// A baseline folder (`jixiao run --baseline`) the loaded forms are checked against, and
    /// the one folder a baseline run from the page writes in.
    pub baseline: Option<PathBuf>,
    /// `--rules` as given, recorded in a baseline's manifest so `jixiao verify` replays it.
    pub rules_option: Option<String>,
    /// `--layouts` as given, recorded in a baseline's manifest.
    pub layout_paths: Vec<PathBuf>,
}

/// Why the workbench could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address could not be bound.
    #[error("无法在 {addr} 上监听：{source}")]
    Bind {
        /// Address asked for.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The runtime or the server failed.
    #[error("工作台运行出错：{0}")]
    Io(#[from] std::io::Error),
}

/// Starts the workbench and serves until interrupted (Ctrl-C). `ready` is called once the
/// address is bound, with the URL to open (it carries the token); the caller prints it.
pub fn run(config: Config, ready: impl FnOnce(&str)) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async move {
        let addr = SocketAddr::new(config.host, config.port);
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| ServeError::Bind { addr, source })?;
        let bound = listener.local_addr()?;
        let token = auth::new_token()?;
        let max_upload = config.max_upload;
        let bench = state::Workbench::start(config);
        let shared = routes::Shared {
            bench: Arc::new(Mutex::new(bench)),
            token: Arc::from(token.as_str()),
            cookie: Arc::from(auth::cookie_name(bound.port()).as_str()),
        };
        let app = routes::router(shared, max_upload);
        let host = match bound.ip() {
            IpAddr::V6(ip) => format!("[{ip}]"),
            IpAddr::V4(ip) => ip.to_string(),
        };
        ready(&format!("http://{host}:{}/?token={token}", bound.port()));
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                // Without a Ctrl-C handler the workbench runs until it is killed.
                if tokio::signal::ctrl_c().await.is_err() {
                    std::future::pending::<()>().await;
                }
            })
            .await?;
        Ok(())
    })
}
