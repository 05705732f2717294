//! Batch scoring of JSON Lines at scale: documents stream in, are validated, matched to their
//! rule set and scored in parallel on all cores (rayon), and their scorecards stream out in
//! input order — byte-identical whatever the number of threads. Memory holds one chunk of
//! lines at a time, whatever the corpus size. A bad document is reported and skipped; the
//! others are scored.

use std::io::{self, BufRead, Write};

use rayon::prelude::*;

use crate::decisions::{DecisionSet, score_with_decisions};
use crate::document::EvaluationDocument;
use crate::policy::select::Catalogue;
use crate::scoring::Scorecard;
use crate::validate::DocumentValidator;

/// One document that could not be scored: where it was and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// 1-based line of the input.
    pub line: usize,
    /// Document id, when it could be read.
    pub id: Option<String>,
    /// Why, in Chinese (JSON pointer included for schema problems).
    pub reason: String,
}

/// Counts of a batch run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchStats {
    /// Non-blank input lines.
    pub read: usize,
    /// Documents scored.
    pub scored: usize,
    /// Documents rejected (bad JSON, schema, no rule set, script failure).
    pub rejected: usize,
    /// Scored documents with unwaived error findings.
    pub with_errors: usize,
    /// Scored documents with unwaived warning findings (and no errors).
    pub with_warnings: usize,
}

/// Tuning of a batch run.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Lines per chunk: the unit of parallel work and of memory.
    pub chunk_lines: usize,
    /// Region given to documents that name none.
    pub default_region: Option<String>,
}

impl Default for BatchOptions {
    fn default() -> Self {
        Self {
            chunk_lines: 1024,
            default_region: None,
        }
    }
}

/// A scored line, serialised, with its severity summary.
struct Rendered {
    json: Vec<u8>,
    errors: bool,
    warnings: bool,
}

/// What one line became.
enum Outcome {
    Scored(Box<Scorecard>),
    Rejected(Rejected),
}

fn process(
    line_no: usize,
    line: &str,
    validator: &DocumentValidator,
    catalogue: &Catalogue,
    options: &BatchOptions,
    decisions: &DecisionSet,
) -> Outcome {
    let reject = |id: Option<String>, reason: String| {
        Outcome::Rejected(Rejected {
            line: line_no,
            id,
            reason,
        })
    };
    let mut doc: EvaluationDocument = match validator.check_str(line) {
        Ok(doc) => doc,
        Err(problems) => {
            let id = serde_json::from_str::<serde_json::Value>(line)
                .ok()
                .and_then(|v| v.get("id").and_then(serde_json::Value::as_str).map(str::to_owned));
            let list: Vec<String> = problems
                .iter()
                .map(|(p, m)| if p.is_empty() { m.clone() } else { format!("{p} {m}") })
                .collect();
            return reject(id, list.join("；"));
        }
    };
    if doc.region.is_none() {
        doc.region.clone_from(&options.default_region);
    }
    let rules = match catalogue.select(doc.year, doc.region.as_deref()) {
        Ok(r) => r,
        Err(e) => return reject(Some(doc.id), e.to_string()),
    };
    match score_with_decisions(&rules, &doc, &decisions.for_document(&doc.id)) {
        Ok(card) => Outcome::Scored(Box::new(card)),
        Err(e) => reject(Some(doc.id), e.to_string()),
    }
}

/// Scores JSON Lines from `input` to JSON Lines on `output`, in input order, applying the
/// reviewers' `decisions`. `on_rejected` is called for each bad document (in input order);
/// `on_progress` after each chunk with the number of lines read so far.
///
/// Reading, scoring and writing overlap: while the thread pool scores one chunk, this thread
/// writes the previous chunk's results and reads the next chunk, so the serial input and
/// output cost little wall time on top of the parallel work.
pub fn score_json_lines<R: BufRead, W: Write>(
    input: R,
    mut output: W,
    catalogue: &Catalogue,
    options: &BatchOptions,
    decisions: &DecisionSet,
    mut on_rejected: impl FnMut(&Rejected),
    mut on_progress: impl FnMut(usize),
) -> io::Result<BatchStats> {
    let validator = DocumentValidator::new().map_err(io::Error::other)?;
    let mut stats = BatchStats::default();
    let mut lines = input.lines().enumerate();
    let chunk_lines = options.chunk_lines.max(1);
    let mut read_chunk = || -> io::Result<Vec<(usize, String)>> {
        let mut chunk = Vec::with_capacity(chunk_lines);
        for (i, line) in lines.by_ref() {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            chunk.push((i + 1, line));
            if chunk.len() == chunk_lines {
                break;
            }
        }
        Ok(chunk)
    };
    let score_chunk = |chunk: Vec<(usize, String)>| -> Vec<Result<Rendered, Rejected>> {
        // Each line becomes its own bytes in parallel; writing them in order keeps the output
        // identical to a single-threaded run.
        chunk
            .par_iter()
            .map(
                |(no, line)| match process(*no, line, &validator, catalogue, options, decisions) {
                    Outcome::Scored(card) => {
                        let json = to_json_line(&card);
                        Ok(Rendered {
                            json,
                            errors: card.count(crate::findings::Severity::Error) > 0,
                            warnings: card.count(crate::findings::Severity::Warning) > 0,
                        })
                    }
                    Outcome::Rejected(r) => Err(r),
                },
            )
            .collect()
    };
    std::thread::scope(|scope| -> io::Result<BatchStats> {
        let mut chunk = read_chunk()?;
        let mut in_flight: Option<std::thread::ScopedJoinHandle<'_, Vec<Result<Rendered, Rejected>>>> = None;
        loop {
            // Start scoring this chunk on the pool…
            let started = if chunk.is_empty() {
                None
            } else {
                stats.read += chunk.len();
                let lines = std::mem::take(&mut chunk);
                Some(scope.spawn(|| score_chunk(lines)))
            };
            // …while this thread writes the previous chunk's results and reads the next chunk.
            if let Some(done) = in_flight.take() {
                let rendered = done
                    .join()
                    .map_err(|_| io::Error::other("评分线程意外中止（内部错误）"))?;
                for item in rendered {
                    match item {
                        Ok(r) => {
                            if r.errors {
                                stats.with_errors += 1;
                            } else if r.warnings {
                                stats.with_warnings += 1;
                            }
                            output.write_all(&r.json)?;
                            stats.scored += 1;
                        }
                        Err(rejected) => {
                            stats.rejected += 1;
                            on_rejected(&rejected);
                        }
                    }
                }
                on_progress(stats.scored + stats.rejected);
            }
            let Some(started) = started else {
                break;
            };
            chunk = read_chunk()?;
            in_flight = Some(started);
        }
        output.flush()?;
        Ok(stats)
    })
}

thread_local! {
    /// Scratch buffer for serialising: sonic-rs reserves room for the worst-case escaping of
    /// every string, so each line is written here and copied out at its exact size.
    static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A scorecard as one JSON line. sonic-rs writes exactly serde_json's bytes (tested below),
/// about a fifth faster (`benches/stages.rs`). A scorecard cannot fail to serialise (no map has
/// non-string keys); were it to, the line would be empty.
fn to_json_line(card: &Scorecard) -> Vec<u8> {
    SCRATCH.with(|scratch| {
        let mut own = Vec::new();
        let mut borrowed = scratch.try_borrow_mut();
        let buffer = match borrowed.as_deref_mut() {
            Ok(buffer) => buffer,
            Err(_) => &mut own,
        };
        buffer.clear();
        if sonic_rs::to_writer(&mut *buffer, card).is_err() {
            buffer.clear();
        }
        let mut line = Vec::with_capacity(buffer.len() + 1);
        line.extend_from_slice(buffer);
        line.push(b'\n');
        line
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use crate::generate::generate;
    use crate::policy::select::Catalogue;
    use crate::scoring::score_document;

    proptest! {
        /// Batch output is serialised with sonic-rs; every other output with serde_json. The bytes
        /// must be the same: any text a form may hold (control characters, quotes, backslashes,
        /// U+2028, astral characters) in any string field of a scorecard.
        #[test]
        fn sonic_rs_writes_serde_json_bytes(text in any::<String>(), seed in 0u64..1000) {
            let catalogue = Catalogue::embedded().unwrap();
            let mut doc = generate(seed, 1).next().unwrap();
            doc.project.name.clone_from(&text);
            if let Some(first) = doc.indicators.first_mut() {
                first.target.clone_from(&text);
                first.note = Some(format!("{text}\u{2028}\"\\\u{1}"));
            }
            let rules = catalogue.select(doc.year, doc.region.as_deref()).unwrap();
            let card = score_document(&rules, &doc).unwrap();
            let mut expected = serde_json::to_vec(&card).unwrap();
            expected.push(b'\n');
            prop_assert_eq!(super::to_json_line(&card), expected);
        }
    }
}
