//! Reading evaluation documents from JSON and JSON Lines files.
//!
//! A `.json` file holds one document or an array of documents; a `.jsonl` / `.ndjson` file holds
//! one document per line. Each document keeps its [`Origin`] so every later message can say
//! which file, line or array element it is about. A document that does not parse is kept as an
//! error entry: one bad line never hides the others.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use serde_json::Value;

/// Where a document sits inside an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The file as named on the command line (`-` for standard input).
    pub file: String,
    /// 1-based line, for JSON Lines.
    pub line: Option<usize>,
    /// 0-based position in a top-level JSON array.
    pub index: Option<usize>,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, " 第{line}行")?;
        }
        if let Some(index) = self.index {
            write!(f, " 第{}个文档", index + 1)?;
        }
        Ok(())
    }
}

/// The document ids met so far in one run, and where each was first met: the one rule for
/// repeated ids, whatever the input format or output format. Within a run (every input file
/// together) an id names one document: the first document with an id is read and scored, each
/// later one is an error naming both places, and the run exits 2.
///
/// Ids are kept as 128-bit digests (SHA-256, truncated) with the file's index and the line or
/// array element — 28 bytes a document, so a batch of millions of lines stays small. A collision
/// between two different ids, which would report a false duplicate, is far less likely than a
/// disk error.
#[derive(Debug, Default)]
pub struct SeenIds {
    /// Digest of an id → (index into `files`, line + 1 or 0, array element + 1 or 0).
    ids: HashMap<[u8; 16], (u32, u32, u32)>,
    /// File names met so far.
    files: Vec<String>,
}

impl SeenIds {
    /// Records that `id` is met at `origin`. When it was met before, returns where it was met
    /// first and records nothing.
    pub fn first_place(&mut self, id: &str, origin: &Origin) -> Option<Origin> {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(id.as_bytes());
        let mut key = [0u8; 16];
        for (k, d) in key.iter_mut().zip(digest.iter()) {
            *k = *d;
        }
        if let Some(&(file, line, index)) = self.ids.get(&key) {
            let back = |n: u32| (n > 0).then(|| n as usize - 1);
            return Some(Origin {
                file: self.files.get(file as usize).cloned().unwrap_or_default(),
                line: back(line),
                index: back(index),
            });
        }
        let file = match self.files.iter().rposition(|f| *f == origin.file) {
            Some(i) => i,
            None => {
                self.files.push(origin.file.clone());
                self.files.len() - 1
            }
        };
        let forward = |n: Option<usize>| n.map_or(0, |n| u32::try_from(n + 1).unwrap_or(u32::MAX));
        self.ids.insert(
            key,
            (
                u32::try_from(file).unwrap_or(u32::MAX),
                forward(origin.line),
                forward(origin.index),
            ),
        );
        None
    }
}

/// The message for a document whose id was already met at `first` (see [`SeenIds`]).
pub fn repeated_id_message(id: &str, first: &Origin) -> String {
    format!("id \"{id}\" 重复：与 {first} 的文档相同，同一批次中 id 必须唯一")
}

/// One document read from a file: its origin and either the parsed JSON or why it did not parse.
#[derive(Debug)]
pub struct RawDocument {
    /// Where it came from.
    pub origin: Origin,
    /// The JSON value, or a Chinese message saying why the text is not JSON.
    pub value: Result<Value, String>,
}

/// An input file that could not be read at all.
#[derive(Debug, thiserror::Error)]
#[error("无法读取 {file}：{reason}")]
pub struct InputError {
    /// The file.
    pub file: String,
    /// What went wrong.
    pub reason: String,
}

/// True when the path names a JSON Lines file (by extension).
pub fn is_json_lines(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("jsonl" | "ndjson")
    )
}

/// Reads every document of a `.json` or `.jsonl` file.
pub fn read_documents(path: &Path) -> Result<Vec<RawDocument>, InputError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| InputError {
        file: file.clone(),
        reason: e.to_string(),
    })?;
    if is_json_lines(path) {
        return Ok(parse_json_lines_bytes(&file, &bytes));
    }
    let text = String::from_utf8(bytes).map_err(|e| InputError {
        file: file.clone(),
        reason: format!(
            "不是 UTF-8 文本（第 {} 字节起无法解码）",
            e.utf8_error().valid_up_to() + 1
        ),
    })?;
    Ok(parse_json(&file, &text))
}

/// Splits JSON Lines bytes into documents; blank lines are skipped and a UTF-8 byte-order mark
/// before the first line (as Windows Notepad writes one) is not part of the first document. A
/// line that is not UTF-8 is one bad document (as batch runs treat it); the other lines are read.
pub fn parse_json_lines_bytes(file: &str, bytes: &[u8]) -> Vec<RawDocument> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut out = Vec::new();
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let origin = Origin {
            file: file.to_owned(),
            line: Some(i + 1),
            index: None,
        };
        let value = match std::str::from_utf8(line) {
            Ok(text) if text.trim().is_empty() => continue,
            Ok(text) => serde_json::from_str(text)
                .map_err(|e| json_syntax_message(&e))
                .and_then(|value| match repeated_keys(text).as_slice() {
                    [] => Ok(value),
                    repeated => Err(repeated_keys_message(repeated)),
                }),
            Err(e) => Err(format!(
                "不是有效的 UTF-8 文本（从本行第 {} 个字节起）",
                e.valid_up_to() + 1
            )),
        };
        out.push(RawDocument { origin, value });
    }
    out
}

/// [`parse_json_lines_bytes`] on text already decoded (standard input).
pub fn parse_json_lines(file: &str, text: &str) -> Vec<RawDocument> {
    parse_json_lines_bytes(file, text.as_bytes())
}

/// Parses a JSON file holding one document or an array of documents.
pub fn parse_json(file: &str, text: &str) -> Vec<RawDocument> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let parsed = serde_json::from_str::<Value>(text);
    let repeated = if parsed.is_ok() {
        repeated_keys(text)
    } else {
        Vec::new()
    };
    match parsed {
        Ok(Value::Array(items)) => items
            .into_iter()
            .enumerate()
            .map(|(i, value)| {
                // Pointers into the array, made relative to the element.
                let prefix = format!("/{i}");
                let mine: Vec<String> = repeated
                    .iter()
                    .filter_map(|p| p.strip_prefix(&prefix).filter(|rest| rest.starts_with('/')))
                    .map(str::to_owned)
                    .collect();
                RawDocument {
                    origin: Origin {
                        file: file.to_owned(),
                        line: None,
                        index: Some(i),
                    },
                    value: if mine.is_empty() {
                        Ok(value)
                    } else {
                        Err(repeated_keys_message(&mine))
                    },
                }
            })
            .collect(),
        Ok(value) => vec![RawDocument {
            origin: Origin {
                file: file.to_owned(),
                line: None,
                index: None,
            },
            value: if repeated.is_empty() {
                Ok(value)
            } else {
                Err(repeated_keys_message(&repeated))
            },
        }],
        Err(e) => vec![RawDocument {
            origin: Origin {
                file: file.to_owned(),
                line: None,
                index: None,
            },
            value: Err(json_syntax_message(&e)),
        }],
    }
}

/// The JSON pointers of the keys repeated within one object anywhere in `text` (each later
/// occurrence), in text order. Reading JSON into a value keeps only the last of two equal keys,
/// silently; a document must say each thing once. Text that is not JSON gives what was found
/// before the error (the parse reports the error itself).
pub fn repeated_keys(text: &str) -> Vec<String> {
    use serde::de::DeserializeSeed as _;
    let found = std::cell::RefCell::new(Vec::new());
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let _ = NoRepeats {
        pointer: String::new(),
        found: &found,
    }
    .deserialize(&mut deserializer);
    found.into_inner()
}

/// The message for a document with repeated keys (see [`repeated_keys`]).
pub fn repeated_keys_message(pointers: &[String]) -> String {
    format!(
        "同一对象中有重复的键：{}；JSON 读取时只会保留最后一个，请删除多余的",
        pointers.join("、")
    )
}

/// Walks a JSON value, recording repeated keys (see [`repeated_keys`]).
struct NoRepeats<'a> {
    pointer: String,
    found: &'a std::cell::RefCell<Vec<String>>,
}

impl<'de> serde::de::DeserializeSeed<'de> for NoRepeats<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for NoRepeats<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0usize;
        while seq
            .next_element_seed(NoRepeats {
                pointer: format!("{}/{i}", self.pointer),
                found: self.found,
            })?
            .is_some()
        {
            i += 1;
        }
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let pointer = format!("{}/{}", self.pointer, key.replace('~', "~0").replace('/', "~1"));
            if !seen.insert(key) {
                self.found.borrow_mut().push(pointer.clone());
            }
            map.next_value_seed(NoRepeats {
                pointer,
                found: self.found,
            })?;
        }
        Ok(())
    }
}

fn json_syntax_message(e: &serde_json::Error) -> String {
    format!("不是合法的 JSON（第 {} 行第 {} 列）：{e}", e.line(), e.column())
}

/// Kinds of input file `score` and `import` accept, by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// Evaluation documents: `.json`, `.jsonl`, `.ndjson`.
    Documents,
    /// Spreadsheet exports to import: `.tsv`, `.txt`, `.csv`, `.xlsx`.
    Forms,
}

/// The kind of an input file by its extension; `None` when jixiao cannot read it.
pub fn input_kind(path: &Path) -> Option<InputKind> {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase)?;
    match ext.as_str() {
        "json" | "jsonl" | "ndjson" => Some(InputKind::Documents),
        "tsv" | "txt" | "csv" | "xlsx" | "xlsm" => Some(InputKind::Forms),
        _ => None,
    }
}
