//! What the workbench holds between requests: the rule sets, the reviewer decisions, and the
//! forms loaded so far, each scored through the one [`Pipeline`]. Any change (a file loaded, a
//! decision recorded) rescores; nothing is cached that could disagree with a fresh
//! `jixiao score`.

use std::path::{Component, Path, PathBuf};

use crate::engine::decisions::Decision;
use crate::engine::pipeline::{Pipeline, Scored};
use crate::ingest::input::{input_kind, repeated_id_message};
use crate::model::document::EvaluationDocument;
use crate::runs::manifest::Hashed;
use crate::serve::load::read_bytes;
use crate::serve::{Config, Settings};

/// One loaded form, scored.
#[derive(Debug)]
pub struct Form {
    /// The file it came from, as named on the page (an upload's name, or its path in the forms
    /// folder).
    pub file: String,
    /// The file on disk it was read from (canonical), for a file named at start or opened
    /// from the forms folder; `None` for an upload, which `jixiao verify` cannot read again.
    pub path: Option<PathBuf>,
    /// SHA-256 of the bytes read.
    pub sha256: String,
    /// The document as read (before reviewer corrections).
    pub document: EvaluationDocument,
    /// Its scorecard and rule set, or why it could not be scored.
    pub result: Result<Scored, String>,
}

/// The workbench's state.
pub struct Workbench {
    /// The settings from the command line.
    pub settings: Settings,
    /// Files of the forms folder, relative to it, as found at start.
    pub listed: Vec<String>,
    /// Forms loaded, in load order.
    pub forms: Vec<Form>,
    /// What could not be read, newest last.
    pub problems: Vec<String>,
}

impl Workbench {
    /// The state at start: the `--forms` files read and scored.
    pub fn start(config: Config) -> Self {
        let mut settings = config.settings;
        settings.forms_dir = settings
            .forms_dir
            .as_deref()
            .and_then(|d| std::fs::canonicalize(d).ok());
        let mut bench = Self {
            settings,
            listed: Vec::new(),
            forms: Vec::new(),
            problems: Vec::new(),
        };
        for path in &config.files {
            let name = bench.display_name(path);
            match std::fs::read(path) {
                Ok(bytes) => bench.add_file(&name, std::fs::canonicalize(path).ok().as_deref(), &bytes),
                Err(e) => bench.problems.push(format!("无法读取 {name}：{e}")),
            }
            if bench.settings.forms_dir.is_some() {
                bench.listed.push(name);
            }
        }
        bench
    }

    /// How a file is named on the page: relative to the forms folder when it is inside it.
    fn display_name(&self, path: &Path) -> String {
        let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
        self.settings
            .forms_dir
            .as_deref()
            .and_then(|dir| canonical.strip_prefix(dir).ok())
            .map_or_else(|| path.display().to_string(), |p| p.display().to_string())
    }

    /// Reads a file's documents and scores them; `path` is the file on disk it was read from
    /// (`None` for an upload). A file read again replaces what it gave before; a document
    /// whose id another file already gave is refused, naming both.
    pub fn add_file(&mut self, name: &str, path: Option<&Path>, bytes: &[u8]) {
        self.forms.retain(|f| f.file != name);
        let sha256 = crate::runs::manifest::sha256_hex(bytes);
        let read = read_bytes(name, bytes, &self.settings.import);
        self.problems.extend(read.problems);
        for document in read.documents {
            if let Some(first) = self.forms.iter().find(|f| f.document.id == document.id) {
                let first = crate::ingest::input::Origin {
                    file: first.file.clone(),
                    line: None,
                    index: None,
                };
                self.problems
                    .push(format!("{name}：{}", repeated_id_message(&document.id, &first)));
                continue;
            }
            let result = self.pipeline().score(&document).map_err(|e| e.to_string());
            self.forms.push(Form {
                file: name.to_owned(),
                path: path.map(Path::to_path_buf),
                sha256: sha256.clone(),
                document,
                result,
            });
        }
    }

    /// Reads a file of the forms folder again, by its path relative to the folder. Refused
    /// (with a Chinese reason) when it is not a readable form file inside the folder: `..`, an
    /// absolute path, or a link that leads out of it.
    pub fn open_listed(&mut self, relative: &str) -> Result<(), String> {
        let path = self.inside_forms_dir(relative)?;
        let bytes = std::fs::read(&path).map_err(|e| format!("无法读取 {relative}：{e}"))?;
        self.add_file(relative, Some(&path), &bytes);
        Ok(())
    }

    /// The file `relative` names inside the forms folder, checked to stay inside it.
    pub fn inside_forms_dir(&self, relative: &str) -> Result<PathBuf, String> {
        let refuse = || format!("只能打开启动时指定的表格文件夹中的表格文件：“{relative}”不在其中");
        let dir = self
            .settings
            .forms_dir
            .as_deref()
            .ok_or_else(|| "启动时没有指定表格文件夹（--forms）".to_owned())?;
        let rel = Path::new(relative);
        if relative.is_empty() || !rel.components().all(|c| matches!(c, Component::Normal(_))) {
            return Err(refuse());
        }
        let path = std::fs::canonicalize(dir.join(rel)).map_err(|_| refuse())?;
        if !path.starts_with(dir) || !path.is_file() || input_kind(&path).is_none() {
            return Err(refuse());
        }
        Ok(path)
    }

    /// Drops every loaded form and problem.
    pub fn clear(&mut self) {
        self.forms.clear();
        self.problems.clear();
    }

    /// The scoring pipeline over the rule sets and decisions in force.
    pub fn pipeline(&self) -> Pipeline<'_> {
        Pipeline::new(&self.settings.catalogue, &self.settings.decisions)
    }

    /// Scores every form again (after the decisions changed).
    pub fn rescore(&mut self) {
        let results: Vec<Result<Scored, String>> = self
            .forms
            .iter()
            .map(|f| self.pipeline().score(&f.document).map_err(|e| e.to_string()))
            .collect();
        for (form, result) in self.forms.iter_mut().zip(results) {
            form.result = result;
        }
    }

    /// The form with document id `id`.
    pub fn form(&self, id: &str) -> Option<&Form> {
        self.forms.iter().find(|f| f.document.id == id)
    }

    /// The loaded forms compared with the baseline named at start, as `jixiao run --check`
    /// compares them (read only, under the baseline's shared lock): the differences, or why
    /// there is nothing to compare.
    pub fn check_baseline(&self) -> Result<String, String> {
        use crate::runs::baseline::store::{BaselineLock, read_current};
        use crate::runs::baseline::{DocResult, compare};
        let dir = self
            .settings
            .baseline
            .as_deref()
            .ok_or_else(|| "启动时没有指定基线文件夹（--baseline）".to_owned())?;
        let _lock = BaselineLock::shared(dir, || {});
        let base = read_current(dir)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("基线 {} 还不存在：先用 jixiao run … --baseline 记录基线", dir.display()))?;
        let results: Vec<DocResult> = self
            .forms
            .iter()
            .filter_map(|f| f.result.as_ref().ok())
            .map(|s| DocResult::of(&s.card))
            .collect();
        let diff = compare(&base.results, &results);
        Ok(if diff.is_empty() {
            format!("与基线一致：{} 个文档\n", results.len())
        } else {
            diff.render()
        })
    }

    /// Records the loaded forms as a new version of the baseline named at start, as
    /// `jixiao run FILES --baseline DIR` (first run) or `… --approve --reason REASON` does,
    /// through the same [`record`](crate::runs::baseline::record::record). `reviewer` is
    /// required; `reason` is required once the baseline exists. Refused (nothing written)
    /// unless every loaded form was read from a file on disk that still holds what was read,
    /// nothing failed to read or score, and there is something to record: `jixiao verify` must
    /// be able to replay the run. Returns what to tell the reviewer.
    pub fn record_baseline(&self, reason: &str, reviewer: &str) -> Result<String, String> {
        use crate::runs::baseline::DocResult;
        use crate::runs::baseline::record::{RecordError, RunInputs, record};
        use crate::runs::manifest::{hash_file, layout_hashes};
        let dir = self
            .settings
            .baseline
            .as_deref()
            .ok_or_else(|| "启动时没有指定基线文件夹（--baseline），不能记录基线".to_owned())?;
        let reviewer = reviewer.trim();
        if reviewer.is_empty() {
            return Err("请填写审批人：基线历史记下每个版本由谁批准".to_owned());
        }
        if self.forms.is_empty() {
            return Err("还没有读取任何表，没有可记录的结果".to_owned());
        }
        let uploaded = |file: &str| {
            format!(
                "“{file}”是上传的文件，jixiao verify 无法重新读取它，不能据此记录基线：请把它放进启动时指定的表格文件夹（--forms），从首页的文件列表重新读取后再记录"
            )
        };
        if let Some(upload) = self.forms.iter().find(|f| f.path.is_none()) {
            return Err(uploaded(&upload.file));
        }
        if !self.problems.is_empty() {
            return Err(format!(
                "有 {} 处内容无法读取（见首页），基线运行须能完整重演：清除后重新读取，再记录基线",
                self.problems.len()
            ));
        }
        let mut inputs: Vec<Hashed> = Vec::new();
        let mut results = Vec::with_capacity(self.forms.len());
        for form in &self.forms {
            let path = form.path.as_ref().ok_or_else(|| uploaded(&form.file))?;
            let scored = form
                .result
                .as_ref()
                .map_err(|e| format!("{}（{}）无法评分，不能记录基线：{e}", form.file, form.document.id))?;
            results.push(DocResult::of(&scored.card));
            let name = path.display().to_string();
            if inputs.iter().any(|h| h.name == name) {
                continue;
            }
            let hashed = hash_file(path)?;
            if hashed.sha256 != form.sha256 {
                return Err(format!(
                    "{} 在读取之后被改动过：先从首页重新读取它，再记录基线",
                    form.file
                ));
            }
            inputs.push(hashed);
        }
        let decisions = match self.settings.decisions_path.as_deref().filter(|p| p.exists()) {
            Some(path) => vec![hash_file(path)?],
            None => Vec::new(),
        };
        let manifest = RunInputs {
            inputs,
            rules_option: self.settings.rules_option.clone(),
            decisions,
            year: self.settings.import.year,
            default_year: self.settings.import.default_year,
            region: self.settings.import.region.clone(),
            layouts: layout_hashes(&self.settings.layout_paths)?,
        }
        .manifest(&self.settings.catalogue, &results);
        let approve = Some(reason.trim()).filter(|r| !r.is_empty());
        let recorded = record(dir, &results, &manifest, approve, reviewer, || {}).map_err(|e| match e {
            RecordError::Exists => format!("基线 {} 已存在：批准新结果须写明原因（记入基线历史）", dir.display()),
            RecordError::Write(e) => format!("{e}\n基线未改动：当前版本仍是上一次记录或批准的结果"),
            e => format!("{e}\n基线未改动"),
        })?;
        Ok(if recorded.created {
            format!(
                "已新建基线 {}（版本 {}）：{} 个文档，审批人 {}",
                dir.display(),
                recorded.version,
                results.len(),
                recorded.approval.who
            )
        } else {
            format!(
                "已更新基线 {}（版本 {}）：{} 个文档（{} 个有变化），审批人 {}，原因：{}",
                dir.display(),
                recorded.version,
                results.len(),
                recorded.approval.changed,
                recorded.approval.who,
                recorded.approval.why
            )
        })
    }

    /// Decisions about documents that are not loaded: they change nothing now.
    pub fn unmatched_decisions(&self) -> Vec<&Decision> {
        self.settings
            .decisions
            .not_in(self.forms.iter().map(|f| f.document.id.as_str()))
    }
}
