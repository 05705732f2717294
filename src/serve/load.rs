//! Bytes of one file (dropped on the page, or read from the forms folder) → evaluation
//! documents, through the same importer and validator as `jixiao score`: forms (TSV/CSV/xlsx)
//! are imported form by form, documents (JSON, JSON Lines) are validated against the schema.
//! Problems come back as Chinese lines naming the file and place, for the page to show.

use std::path::Path;

use crate::ingest::import::{ImportOptions, import_bytes_each};
use crate::ingest::input::{InputKind, input_kind, parse_json, parse_json_lines_bytes};
use crate::ingest::validate::DocumentValidator;
use crate::model::document::EvaluationDocument;

/// What reading one file gave: its documents and what could not be read.
#[derive(Debug, Default)]
pub struct Read {
    /// Documents read, in file order.
    pub documents: Vec<EvaluationDocument>,
    /// Problems, each naming the file and the place.
    pub problems: Vec<String>,
}

/// Reads the documents in `bytes`, a file named `name` (its extension decides how).
pub fn read_bytes(name: &str, bytes: &[u8], options: &ImportOptions) -> Read {
    let mut read = Read::default();
    match input_kind(Path::new(name)) {
        Some(InputKind::Forms) => {
            let limits = crate::ingest::archive::Limits::default();
            if let Err(e) = crate::ingest::archive::check_workbook_bytes(name, bytes, &limits) {
                read.problems.push(e.to_string());
                return read;
            }
            match import_bytes_each(name, bytes, options) {
                Ok(forms) => {
                    for form in forms {
                        match form {
                            Ok(doc) => read.documents.push(doc),
                            Err(e) => read.problems.push(e.to_string()),
                        }
                    }
                }
                Err(e) => read.problems.push(e.to_string()),
            }
        }
        Some(InputKind::Documents) => {
            let raw = if crate::ingest::input::is_json_lines(Path::new(name)) {
                parse_json_lines_bytes(name, bytes)
            } else {
                match std::str::from_utf8(bytes) {
                    Ok(text) => parse_json(name, text),
                    Err(e) => {
                        read.problems.push(format!(
                            "{name}：不是 UTF-8 文本（第 {} 字节起无法解码）",
                            e.valid_up_to() + 1
                        ));
                        return read;
                    }
                }
            };
            match DocumentValidator::shared() {
                Ok(validator) => {
                    let (valid, problems) = validator.check_batch(raw);
                    read.problems.extend(problems.iter().map(ToString::to_string));
                    read.documents.extend(valid.into_iter().map(|(_, mut doc)| {
                        // As `score` does: `--region` stands for a document that names none.
                        if doc.region.is_none() {
                            doc.region.clone_from(&options.region);
                        }
                        doc
                    }));
                }
                Err(e) => read.problems.push(e),
            }
        }
        None => read.problems.push(format!(
            "{name}：不认识的文件类型；可读取 .json .jsonl（评价文档）或 .tsv .txt .csv .xlsx（自评表）"
        )),
    }
    read
}
