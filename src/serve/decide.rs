//! A reviewer's decision recorded on the form page → one more `[[decision]]` table in the
//! decisions file, which `jixiao score --decisions FILE` reads unchanged. The new text is
//! checked by the very parser the command line uses before it is written (atomically); what
//! was in the file before (other decisions, comments) is kept as it was.

use crate::engine::decisions::DecisionSet;
use crate::report::output::write_atomic;
use crate::serve::state::Workbench;

/// A decision as the page's form sends it; empty optional fields are left out of the file.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct NewDecision {
    /// `waive` or `correct`.
    pub kind: String,
    /// Document id.
    pub document: String,
    /// Finding code (waivers).
    #[serde(default)]
    pub code: String,
    /// Indicator name or path.
    #[serde(default)]
    pub indicator: String,
    /// Field corrected (corrections).
    #[serde(default)]
    pub field: String,
    /// 其中 row of the funds table (corrections of funds fields).
    #[serde(default)]
    pub row: String,
    /// The value as the form has it (optional check).
    #[serde(default)]
    pub was: String,
    /// The corrected value.
    #[serde(default)]
    pub value: String,
    /// Why.
    #[serde(default)]
    pub reason: String,
    /// Who decided.
    #[serde(default)]
    pub reviewer: String,
    /// When (YYYY-MM-DD).
    #[serde(default)]
    pub date: String,
}

/// `existing` (a decisions file's text, possibly empty) with `decision` appended as a
/// `[[decision]]` table. Errors when `existing` is not TOML.
pub fn append(existing: &str, decision: &NewDecision) -> Result<String, String> {
    use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, value};
    let mut doc: DocumentMut = existing
        .parse()
        .map_err(|e| format!("审核决定文件不是有效的 TOML：{e}"))?;
    let mut table = Table::new();
    let mut put = |key: &str, text: &str, always: bool| {
        if always || !text.trim().is_empty() {
            table.insert(key, value(text.trim()));
        }
    };
    put("kind", &decision.kind, true);
    put("document", &decision.document, true);
    put("indicator", &decision.indicator, false);
    if decision.kind == "correct" {
        put("field", &decision.field, true);
        put("row", &decision.row, false);
        put("was", &decision.was, false);
        // An empty value clears an optional field: kept.
        put("value", &decision.value, true);
    } else {
        put("code", &decision.code, true);
    }
    put("reason", &decision.reason, true);
    put("reviewer", &decision.reviewer, true);
    put("date", &decision.date, true);
    match doc.get_mut("decision") {
        Some(Item::ArrayOfTables(list)) => list.push(table),
        Some(_) => return Err("审核决定文件中的 decision 不是 [[decision]] 表".to_owned()),
        None => {
            let mut list = ArrayOfTables::new();
            list.push(table);
            doc.insert("decision", Item::ArrayOfTables(list));
        }
    }
    Ok(doc.to_string())
}

/// Records `decision` in the workbench's decisions file and rescores every form under the
/// decisions now in force. Refused, with a Chinese reason and the file unchanged, when no
/// decisions file was named at start, a required field is empty, or the decision does not
/// pass the checks `--decisions` applies.
pub fn record(bench: &mut Workbench, decision: &NewDecision) -> Result<(), String> {
    let path = bench
        .settings
        .decisions_path
        .clone()
        .ok_or_else(|| "启动时没有指定审核决定文件（--decisions 文件），无法保存".to_owned())?;
    if [&decision.reason, &decision.reviewer, &decision.date]
        .iter()
        .any(|t| t.trim().is_empty())
    {
        return Err("理由、审核人和日期都必须填写".to_owned());
    }
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("无法读取 {}：{e}", path.display())),
    };
    let text = append(&existing, decision)?;
    let mut checked = DecisionSet::default();
    checked
        .add_text(&path.display().to_string(), &text)
        .map_err(|e| crate::report::diagnostics::render(&[e.to_diagnostic()], false))?;
    write_atomic(&path, text.as_bytes()).map_err(|e| e.to_string())?;
    bench.settings.decisions = checked;
    bench.rescore();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_waiver_is_appended_after_what_the_file_had() {
        let before = "# 王审核的决定\n[[decision]]\nkind = \"waive\"\ndocument = \"a\"\ncode = \"T1\"\nreason = \"r\"\nreviewer = \"w\"\ndate = \"2024-05-10\"\n";
        let new = NewDecision {
            kind: "waive".into(),
            document: "b \"x\"".into(),
            code: "F4".into(),
            reason: "原因".into(),
            reviewer: "李".into(),
            date: "2024-06-01".into(),
            ..NewDecision::default()
        };
        let text = append(before, &new).unwrap();
        assert!(text.starts_with(before), "{text}");
        let mut set = DecisionSet::default();
        set.add_text("d.toml", &text).unwrap();
        assert_eq!(set.decisions.len(), 2);
        assert_eq!(set.for_document("b \"x\"").len(), 1);
    }
}
