//! Batch scoring of JSON Lines at scale: documents stream in, are validated, matched to their
//! rule set and scored in parallel on all cores (rayon), and their scorecards stream out in
//! input order — byte-identical whatever the number of threads. Memory holds one chunk of
//! lines at a time, whatever the corpus size. A bad document is reported and skipped; the
//! others are scored.

use std::io::{self, BufRead, Write};
use std::ops::Range;
use std::sync::Mutex;

use rayon::prelude::*;

use crate::engine::decisions::DecisionSet;
use crate::engine::pipeline::{FailOn, Pipeline, choice_reason};
use crate::engine::scoring::Scorecard;
use crate::ingest::input::{Origin, SeenIds, repeated_id_message};
use crate::ingest::validate::DocumentValidator;
use crate::model::document::EvaluationDocument;
use crate::policy::select::Catalogue;

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
    /// Scored documents with an unwaived finding at or above [`BatchOptions::fail_on`].
    pub tripped: usize,
    /// Scored documents by their worst unwaived finding: error, warning, info, none.
    pub by_worst: [usize; 4],
    /// When [`BatchOptions::tally_choices`]: documents by rule set chosen and why
    /// ([`crate::engine::pipeline::choice_reason`]), in order of first use.
    pub choices: Vec<(String, String, usize)>,
    /// Ids of scored documents that a reviewer decision names (at most one per decision).
    pub decided: Vec<String>,
}

impl BatchStats {
    /// Counts one scored card (not a repeated id): worst finding, `--fail-on`, and the rule set
    /// chosen and why, when known.
    pub fn count(&mut self, worst: usize, tripped: bool, choice: Option<(String, String)>) {
        self.scored += 1;
        self.tripped += usize::from(tripped);
        if let Some(n) = self.by_worst.get_mut(worst) {
            *n += 1;
        }
        if let Some((ruleset, why)) = choice {
            match self.choices.iter_mut().find(|(r, w, _)| *r == ruleset && *w == why) {
                Some((_, _, n)) => *n += 1,
                None => self.choices.push((ruleset, why, 1)),
            }
        }
    }

    /// Adds the counts of a later part of the run.
    pub fn add(&mut self, other: BatchStats) {
        self.read += other.read;
        self.scored += other.scored;
        self.rejected += other.rejected;
        self.tripped += other.tripped;
        for (total, n) in self.by_worst.iter_mut().zip(other.by_worst) {
            *total += n;
        }
        for (ruleset, why, n) in other.choices {
            match self.choices.iter_mut().find(|(r, w, _)| *r == ruleset && *w == why) {
                Some((_, _, k)) => *k += n,
                None => self.choices.push((ruleset, why, n)),
            }
        }
        self.decided.extend(other.decided);
    }
}

/// Where a scorecard counts in [`BatchStats::by_worst`]: 0 error, 1 warning, 2 info, 3 none.
pub fn worst_index(card: &Scorecard) -> usize {
    use crate::model::findings::Severity;
    match card.findings.iter().filter(|f| !f.waived).map(|f| f.severity).max() {
        Some(Severity::Error) => 0,
        Some(Severity::Warning) => 1,
        Some(Severity::Info) => 2,
        None => 3,
    }
}

/// Tuning of a batch run.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Lines per chunk: the unit of parallel work and of memory.
    pub chunk_lines: usize,
    /// Region given to documents that name none.
    pub default_region: Option<String>,
    /// Which findings count in [`BatchStats::tripped`].
    pub fail_on: FailOn,
    /// Whether to count the rule set chosen for each document and why ([`BatchStats::choices`]).
    pub tally_choices: bool,
}

impl Default for BatchOptions {
    fn default() -> Self {
        Self {
            chunk_lines: 1024,
            default_region: None,
            fail_on: FailOn::default(),
            tally_choices: false,
        }
    }
}

/// Lines per unit of parallel work: each unit writes its scorecards into one buffer, so a
/// chunk costs one allocation per unit rather than one per document.
const PART_LINES: usize = 16;

/// A chunk of input lines, back to back in one buffer, with each line's number and place.
#[derive(Default)]
struct Chunk {
    /// The lines' bytes (line ends removed), as read.
    bytes: Vec<u8>,
    /// 1-based line number and byte range in `bytes` of each line that is not blank.
    lines: Vec<(usize, Range<usize>)>,
}

impl Chunk {
    fn with_capacity(lines: usize) -> Self {
        Self {
            bytes: Vec::new(),
            lines: Vec::with_capacity(lines),
        }
    }

    /// Refills this chunk (reusing its buffers) with up to `max_lines` non-blank lines from
    /// `input`; `line_no` counts every line read so far, blank ones included.
    fn refill(&mut self, input: &mut impl BufRead, line_no: &mut usize, max_lines: usize) -> io::Result<()> {
        self.bytes.clear();
        self.lines.clear();
        while self.lines.len() < max_lines {
            let start = self.bytes.len();
            if input.read_until(b'\n', &mut self.bytes)? == 0 {
                break;
            }
            *line_no += 1;
            // A UTF-8 byte-order mark before the first line is not part of the first document.
            if *line_no == 1 && self.bytes.get(start..start + 3) == Some(b"\xEF\xBB\xBF".as_slice()) {
                self.bytes.drain(start..start + 3);
            }
            if self.bytes.last() == Some(&b'\n') {
                self.bytes.pop();
                if self.bytes.len() > start && self.bytes.last() == Some(&b'\r') {
                    self.bytes.pop();
                }
            }
            let blank = self
                .bytes
                .get(start..)
                .is_none_or(|l| l.iter().all(u8::is_ascii_whitespace));
            if blank {
                self.bytes.truncate(start);
            } else {
                self.lines.push((*line_no, start..self.bytes.len()));
            }
        }
        Ok(())
    }
}

/// What one line became, in a part's results.
enum Item {
    /// Scored; its output (`len` bytes) is next in the part's buffer. Whether it trips
    /// `--fail-on`; its line and id, to check the id was not met before; the card itself when
    /// the caller keeps cards; the rule set chosen and why, when tallied.
    Scored {
        tripped: bool,
        /// Index into [`BatchStats::by_worst`].
        worst: usize,
        line: usize,
        id: String,
        len: usize,
        card: Option<Box<Scorecard>>,
        choice: Option<(String, String)>,
    },
    /// Not scored. `valid` when the document passed validation (its id counts as met).
    Rejected { rejected: Rejected, valid: bool },
    /// Only (Unicode) white space: not a document.
    Blank,
}

/// The results of [`PART_LINES`] consecutive lines: their scorecards' output, in order, and
/// what each line became.
struct Part {
    bytes: Vec<u8>,
    items: Vec<Item>,
}

/// What `process` made of one document.
enum Outcome {
    /// Scored, with the rule set chosen and why when [`BatchOptions::tally_choices`].
    Scored(Box<Scorecard>, Option<(String, String)>),
    /// Not scored; `valid` when it passed validation.
    Rejected { rejected: Rejected, valid: bool },
}

fn process(
    line_no: usize,
    line: &str,
    validator: &DocumentValidator,
    pipeline: &Pipeline,
    options: &BatchOptions,
) -> Outcome {
    let reject = |id: Option<String>, reason: String, valid: bool| Outcome::Rejected {
        rejected: Rejected {
            line: line_no,
            id,
            reason,
        },
        valid,
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
            return reject(id, list.join("；"), false);
        }
    };
    if doc.region.is_none() {
        doc.region.clone_from(&options.default_region);
    }
    let choice = if options.tally_choices {
        pipeline
            .rules_for(&doc)
            .ok()
            .map(|rules| (rules.id.clone(), choice_reason(&doc, &rules)))
    } else {
        None
    };
    match pipeline.score_owned(doc) {
        Ok(card) => Outcome::Scored(Box::new(card), choice),
        Err((e, id)) => reject(Some(id), e.to_string(), true),
    }
}

/// Appends what one scorecard becomes to a buffer; an error (in Chinese) rejects the document.
pub type EncodeFn<'a> = dyn Fn(&Scorecard, &mut Vec<u8>) -> Result<(), String> + Sync + 'a;

/// What a batch run makes of each scorecard on the thread pool, and whether the card itself
/// goes on to the caller.
#[derive(Clone, Copy)]
pub struct Encoder<'a> {
    /// Appends the card's output (a JSON line, CSV rows…) to a buffer; an error (in Chinese)
    /// rejects the document.
    pub encode: &'a EncodeFn<'a>,
    /// Whether the caller receives each card (reports that render cards themselves).
    pub keep_cards: bool,
}

/// The encoder of JSON Lines: each card as one line ([`append_json_line`]).
pub const JSON_LINES: Encoder<'static> = Encoder {
    encode: &|card, out| append_json_line(out, card).map_err(|e| e.to_string()),
    keep_cards: false,
};

/// Scores one part of a chunk: each line is checked as UTF-8, parsed, scored, and its
/// scorecard encoded into the part's buffer.
fn score_part(
    chunk: &Chunk,
    lines: &[(usize, Range<usize>)],
    (validator, pipeline, options): (&DocumentValidator, &Pipeline, &BatchOptions),
    encoder: Encoder<'_>,
    bytes: Vec<u8>,
) -> Part {
    let mut part = Part {
        bytes,
        items: Vec::with_capacity(lines.len()),
    };
    for (line_no, range) in lines {
        let bytes = chunk.bytes.get(range.clone()).unwrap_or_default();
        // simdutf8 checks Chinese text several times faster than the standard library; the
        // standard library then finds where a bad line goes wrong.
        let text = simdutf8::basic::from_utf8(bytes).map_err(|_| std::str::from_utf8(bytes).err());
        let item = match text {
            Err(e) => Item::Rejected {
                rejected: Rejected {
                    line: *line_no,
                    id: None,
                    reason: format!(
                        "不是有效的 UTF-8 文本（从本行第 {} 个字节起）",
                        e.map_or(1, |e| e.valid_up_to() + 1)
                    ),
                },
                valid: false,
            },
            Ok(text) if text.trim().is_empty() => Item::Blank,
            Ok(text) => match process(*line_no, text, validator, pipeline, options) {
                Outcome::Scored(card, choice) => {
                    let start = part.bytes.len();
                    match (encoder.encode)(&card, &mut part.bytes) {
                        Ok(()) => Item::Scored {
                            tripped: options.fail_on.trips(&card),
                            worst: worst_index(&card),
                            line: *line_no,
                            id: card.id.clone(),
                            len: part.bytes.len() - start,
                            card: encoder.keep_cards.then_some(card),
                            choice,
                        },
                        Err(e) => {
                            part.bytes.truncate(start);
                            Item::Rejected {
                                rejected: Rejected {
                                    line: *line_no,
                                    id: Some(card.id.clone()),
                                    reason: format!("无法写出评分结果（内部错误）：{e}"),
                                },
                                valid: true,
                            }
                        }
                    }
                }
                Outcome::Rejected { rejected, valid } => Item::Rejected { rejected, valid },
            },
        };
        part.items.push(item);
    }
    part
}

/// Scores JSON Lines from `input` to JSON Lines on `output`, in input order, applying the
/// reviewers' `decisions`: [`score_lines`] with the [`JSON_LINES`] encoder.
#[allow(clippy::too_many_arguments)]
pub fn score_json_lines<R: BufRead, W: Write>(
    input: R,
    mut output: W,
    catalogue: &Catalogue,
    options: &BatchOptions,
    decisions: &DecisionSet,
    file_and_seen: (&str, &mut SeenIds),
    on_rejected: impl FnMut(&Rejected),
    on_progress: impl FnMut(usize),
) -> io::Result<BatchStats> {
    let stats = score_lines(
        input,
        catalogue,
        options,
        decisions,
        file_and_seen,
        JSON_LINES,
        |bytes, _| output.write_all(bytes),
        on_rejected,
        on_progress,
    )?;
    output.flush()?;
    Ok(stats)
}

/// Scores JSON Lines from `input` in input order, applying the reviewers' `decisions`: each
/// scorecard is encoded on the thread pool by `encoder` and handed to `accept` — its encoded
/// bytes, and the card itself when [`Encoder::keep_cards`] — in input order on this thread.
/// `on_rejected` is called for each bad document (in input order); `on_progress` after each
/// chunk with the number of lines read so far.
///
/// Ids are unique in a run ([`SeenIds`]): a document whose id was met before — earlier in this
/// input, or in an earlier input of the run recorded in `seen` — is rejected naming where it was
/// met first, and is not passed on; the first one is scored. `file` names this input in `seen`.
///
/// Reading, scoring and writing overlap: while the thread pool scores one chunk, this thread
/// hands on the previous chunk's results and reads the next chunk, so the serial input and
/// output cost little wall time on top of the parallel work. Lines are read as bytes into one
/// buffer per chunk (two buffers, used in turn) and checked as UTF-8 on the pool; a line that
/// is not UTF-8 is rejected like any other bad document. Memory holds two chunks, whatever the
/// corpus size.
#[allow(clippy::too_many_arguments)]
pub fn score_lines<R: BufRead>(
    mut input: R,
    catalogue: &Catalogue,
    options: &BatchOptions,
    decisions: &DecisionSet,
    (file, seen): (&str, &mut SeenIds),
    encoder: Encoder<'_>,
    mut accept: impl FnMut(&[u8], Option<Box<Scorecard>>) -> io::Result<()>,
    mut on_rejected: impl FnMut(&Rejected),
    mut on_progress: impl FnMut(usize),
) -> io::Result<BatchStats> {
    let validator = DocumentValidator::shared().map_err(io::Error::other)?;
    let pipeline = Pipeline::new(catalogue, decisions);
    let mut stats = BatchStats::default();
    let chunk_lines = options.chunk_lines.max(1);
    let mut line_no = 0;
    // Output buffers of parts already handed on, for later parts to fill again.
    let free_buffers: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());
    let score_chunk = |chunk: Chunk| -> (Vec<Part>, Chunk) {
        // Parts are scored in parallel; handing them on in order keeps the output identical to
        // a single-threaded run.
        let parts = chunk
            .lines
            .par_chunks(PART_LINES)
            .map(|lines| {
                let bytes = free_buffers
                    .lock()
                    .ok()
                    .and_then(|mut free| free.pop())
                    .unwrap_or_default();
                score_part(&chunk, lines, (validator, &pipeline, options), encoder, bytes)
            })
            .collect();
        (parts, chunk)
    };
    let mut origin = Origin {
        file: file.to_owned(),
        line: None,
        index: None,
    };
    std::thread::scope(|scope| -> io::Result<BatchStats> {
        let mut chunk = Chunk::with_capacity(chunk_lines);
        chunk.refill(&mut input, &mut line_no, chunk_lines)?;
        let mut spare = Chunk::with_capacity(chunk_lines);
        let mut in_flight: Option<std::thread::ScopedJoinHandle<'_, (Vec<Part>, Chunk)>> = None;
        loop {
            // Start scoring this chunk on the pool…
            let started = if chunk.lines.is_empty() {
                None
            } else {
                let lines = std::mem::take(&mut chunk);
                Some(scope.spawn(|| score_chunk(lines)))
            };
            // …while this thread hands on the previous chunk's results and reads the next chunk.
            if let Some(done) = in_flight.take() {
                let (parts, used) = done
                    .join()
                    .map_err(|_| io::Error::other("评分线程意外中止（内部错误）"))?;
                spare = used;
                for mut part in parts {
                    let mut at = 0;
                    for item in part.items {
                        match item {
                            Item::Scored {
                                tripped,
                                worst,
                                line,
                                id,
                                len,
                                card,
                                choice,
                            } => {
                                stats.read += 1;
                                origin.line = Some(line);
                                let bytes = part.bytes.get(at..at + len).unwrap_or_default();
                                at += len;
                                if let Some(first) = seen.first_place(&id, &origin) {
                                    stats.rejected += 1;
                                    on_rejected(&Rejected {
                                        line,
                                        reason: repeated_id_message(&id, &first),
                                        id: Some(id),
                                    });
                                    continue;
                                }
                                stats.count(worst, tripped, choice);
                                if !decisions.is_empty() && !decisions.for_document(&id).is_empty() {
                                    stats.decided.push(id);
                                }
                                accept(bytes, card)?;
                            }
                            Item::Rejected { mut rejected, valid } => {
                                stats.read += 1;
                                stats.rejected += 1;
                                if let (true, Some(id)) = (valid, &rejected.id) {
                                    origin.line = Some(rejected.line);
                                    if let Some(first) = seen.first_place(id, &origin) {
                                        rejected.reason = repeated_id_message(id, &first);
                                    }
                                }
                                on_rejected(&rejected);
                            }
                            Item::Blank => {}
                        }
                    }
                    part.bytes.clear();
                    if let Ok(mut free) = free_buffers.lock() {
                        free.push(part.bytes);
                    }
                }
                on_progress(stats.scored + stats.rejected);
            }
            let Some(started) = started else {
                break;
            };
            chunk = std::mem::take(&mut spare);
            chunk.refill(&mut input, &mut line_no, chunk_lines)?;
            in_flight = Some(started);
        }
        Ok(stats)
    })
}

pub use crate::report::append_json_line;

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use crate::engine::scoring::score_document;
    use crate::policy::select::Catalogue;
    use crate::runs::generate::generate;

    /// A line that is not UTF-8 is one bad document: reported with its line and skipped, the
    /// lines around it scored. Lines of white space only (ASCII or not) are not documents;
    /// `\r\n` line ends are read like `\n`.
    #[test]
    fn bad_utf8_line_is_rejected_alone() {
        use crate::engine::decisions::DecisionSet;

        let catalogue = Catalogue::embedded().unwrap();
        let docs: Vec<_> = generate(3, 3).collect();
        let line = |i: usize| serde_json::to_vec(&docs[i]).unwrap();
        let mut input = Vec::new();
        input.extend(line(0));
        input.extend(b"\r\n  \n");
        input.extend(b"{\"id\": \"\xff\xfe\"}\n");
        input.extend("\u{3000}\n".as_bytes());
        input.extend(line(1));
        input.extend(b"\n");
        input.extend(line(2)); // no final line end
        let mut output = Vec::new();
        let mut rejected = Vec::new();
        let options = super::BatchOptions {
            chunk_lines: 2,
            ..super::BatchOptions::default()
        };
        let stats = super::score_json_lines(
            input.as_slice(),
            &mut output,
            &catalogue,
            &options,
            &DecisionSet::default(),
            ("-", &mut crate::ingest::input::SeenIds::default()),
            |r| rejected.push(r.clone()),
            |_| {},
        )
        .unwrap();
        assert_eq!((stats.read, stats.scored, stats.rejected), (4, 3, 1));
        assert_eq!(rejected.len(), 1);
        assert_eq!(rejected[0].line, 3);
        assert_eq!(rejected[0].reason, "不是有效的 UTF-8 文本（从本行第 9 个字节起）");
        let mut expected = Vec::new();
        for doc in &docs {
            let rules = catalogue.select(doc.year, doc.region.as_deref()).unwrap();
            expected.extend(serde_json::to_vec(&score_document(&rules, doc).unwrap()).unwrap());
            expected.push(b'\n');
        }
        assert_eq!(String::from_utf8(output).unwrap(), String::from_utf8(expected).unwrap());
    }

    /// Regression: a UTF-8 byte-order mark before the first line (Windows Notepad writes one)
    /// made the first document “not JSON”; it is skipped, and only there.
    #[test]
    fn a_bom_before_the_first_line_is_skipped() {
        use crate::engine::decisions::DecisionSet;

        let catalogue = Catalogue::embedded().unwrap();
        let docs: Vec<_> = generate(5, 2).collect();
        let mut input = b"\xEF\xBB\xBF".to_vec();
        input.extend(serde_json::to_vec(&docs[0]).unwrap());
        input.extend(b"\n\xEF\xBB\xBF");
        input.extend(serde_json::to_vec(&docs[1]).unwrap());
        input.extend(b"\n");
        let mut rejected = Vec::new();
        let stats = super::score_json_lines(
            input.as_slice(),
            &mut Vec::new(),
            &catalogue,
            &super::BatchOptions::default(),
            &DecisionSet::default(),
            ("-", &mut crate::ingest::input::SeenIds::default()),
            |r| rejected.push(r.clone()),
            |_| {},
        )
        .unwrap();
        assert_eq!((stats.read, stats.scored, stats.rejected), (2, 1, 1));
        assert_eq!(rejected[0].line, 2);
    }

    proptest! {
        /// Batch output is serialised with sonic-rs; every other output with serde_json. The bytes
        /// must be the same: any text a form may hold (control characters, quotes, backslashes,
        /// U+2028, astral characters) in any string field of a scorecard, short ASCII-heavy
        /// strings as well as long arbitrary ones.
        #[test]
        fn sonic_rs_writes_serde_json_bytes(
            text in prop_oneof![any::<String>(), "[\\x00-\\x7f\u{4e00}\u{2028}\u{7f}]{0,40}"],
            seed in 0u64..1000,
        ) {
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
            let mut line = b"earlier line\n".to_vec();
            super::append_json_line(&mut line, &card).unwrap();
            prop_assert_eq!(line.strip_prefix(b"earlier line\n".as_slice()).unwrap(), expected.as_slice());
        }
    }
}
