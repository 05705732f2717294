//! Streaming import (`for_each_form`) against the whole-file import (`import_bytes_each`): every
//! fixture, and files built to cut across its line-by-line reading (quoted cells spanning lines,
//! CRLF, BOM, GBK, blank rows between forms, errors late in the file), must give identical
//! documents and identical errors. Adding a fixture adds a case.
//!
//! Variants that only change how the text is encoded — CRLF or lone CR line ends, a UTF-8 BOM,
//! no final line break, UTF-16 with a BOM, GBK — must also give exactly the documents (and
//! errors) of the plain UTF-8 LF file, serialized as `jixiao import` writes them, row numbers
//! included.

use std::ops::ControlFlow;
use std::path::Path;

use jixiao::ingest::import::{ImportError, ImportOptions, ImportStats, ReadMode, for_each_form, import_bytes_each};
use jixiao::model::document::EvaluationDocument;

use crate::common;

/// An import result reduced to what users see: the document, or the error's kind, place and text.
#[derive(Debug, PartialEq)]
enum Seen {
    Doc(Box<EvaluationDocument>),
    Err(String),
}

fn seen(r: Result<EvaluationDocument, ImportError>) -> Seen {
    match r {
        Ok(d) => Seen::Doc(Box::new(d)),
        Err(e) => Seen::Err(format!("{:?} {:?} {e}", e.kind(), e.location())),
    }
}

fn option_sets() -> Vec<ImportOptions> {
    vec![
        ImportOptions::default(),
        ImportOptions {
            year: Some(2021),
            default_year: None,
            region: Some("shenzhen".into()),
            ..ImportOptions::default()
        },
        ImportOptions {
            year: None,
            default_year: Some(2020),
            region: None,
            ..ImportOptions::default()
        },
    ]
}

/// Imports `path` both ways with `opts`, asserts the outcomes are identical and returns the
/// streaming statistics (`None` for a file-level error).
fn same_both_ways(path: &Path, opts: &ImportOptions) -> Option<ImportStats> {
    let name = path.display().to_string();
    let whole = import_bytes_each(&name, &std::fs::read(path).unwrap(), opts);
    let mut streamed = Vec::new();
    let stats = for_each_form(path, opts, |r| {
        streamed.push(seen(r));
        ControlFlow::Continue(())
    });
    match (whole, stats) {
        (Ok(whole), Ok(stats)) => {
            let whole: Vec<Seen> = whole.into_iter().map(seen).collect();
            assert_eq!(streamed.len(), whole.len(), "{name}: number of forms");
            for (k, (a, b)) in streamed.iter().zip(&whole).enumerate() {
                assert_eq!(a, b, "{name}: form {}", k + 1);
            }
            assert_eq!(stats.forms, whole.len());
            assert_eq!(
                stats.imported,
                whole.iter().filter(|s| matches!(s, Seen::Doc(_))).count()
            );
            assert!(!stats.stopped);
            Some(stats)
        }
        (Err(a), Err(b)) => {
            assert_eq!(seen(Err(b)), seen(Err(a)), "{name}: file-level error");
            assert!(
                streamed.is_empty(),
                "{name}: forms handed out before a file-level error"
            );
            None
        }
        (Ok(_), Err(e)) => panic!("{name}: whole-file import succeeded, streaming failed: {e}"),
        (Err(e), Ok(_)) => panic!("{name}: streaming succeeded, whole-file import failed: {e}"),
    }
}

#[test]
fn every_fixture_imports_the_same_streamed_and_whole() {
    let mut checked = 0;
    for dir in ["forms", "malformed", "import-issues", "real-forms"] {
        for entry in std::fs::read_dir(common::fixture(dir)).unwrap() {
            let path = entry.unwrap().path();
            for opts in option_sets() {
                same_both_ways(&path, &opts);
            }
            checked += 1;
        }
    }
    assert!(checked >= 25, "only {checked} fixtures");
}

#[test]
fn utf8_text_is_streamed_and_gbk_decoded_whole() {
    let opts = &option_sets()[1];
    let mode = |rel: &str| same_both_ways(&common::fixture(rel), opts).map(|s| s.mode);
    assert_eq!(mode("forms/shenzhen-seed.tsv"), Some(ReadMode::Streamed));
    assert_eq!(mode("forms/quoted-form-8.csv"), Some(ReadMode::Streamed));
    assert_eq!(mode("forms/gbk-form-8.txt"), Some(ReadMode::DecodedWhole));
    assert_eq!(mode("malformed/unterminated-quote.csv"), None);
}

/// Writes `bytes` as `name` in a fresh folder, checks it both ways with every option set and
/// returns how it was read (`None` for a file-level error).
fn check(name: &str, bytes: &[u8]) -> Option<ReadMode> {
    check_counts(name, bytes).map(|(mode, _)| mode)
}

/// Like [`check`], also returning how many forms imported with `--year 2021`.
fn check_counts(name: &str, bytes: &[u8]) -> Option<(ReadMode, usize)> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let stats: Vec<Option<ImportStats>> = option_sets().iter().map(|o| same_both_ways(&path, o)).collect();
    let mut modes: Vec<Option<ReadMode>> = stats.iter().map(|s| s.as_ref().map(|s| s.mode)).collect();
    modes.dedup();
    assert_eq!(modes.len(), 1);
    stats[1].as_ref().map(|s| (s.mode, s.imported))
}

/// The seed's forms with distinct project names, `copies` times.
fn seed_copies(copies: usize, sep: &str) -> String {
    let seed = common::seed_text();
    (0..copies)
        .map(|i| seed.replace("项目名称\t", &format!("项目名称\t{i}-")))
        .collect::<Vec<_>>()
        .join(sep)
}

/// What users see of each form of `path` under each option set, after checking it both ways:
/// the document as `jixiao import` writes it (JSON), or the error's kind, place and text.
fn outcomes(path: &Path) -> Vec<Vec<String>> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).unwrap();
    option_sets()
        .iter()
        .map(|opts| {
            same_both_ways(path, opts);
            match import_bytes_each(&name, &bytes, opts) {
                Ok(forms) => forms
                    .into_iter()
                    .map(|r| match r {
                        Ok(doc) => serde_json::to_string_pretty(&doc).unwrap(),
                        Err(e) => format!("{:?} {:?} {e}", e.kind(), e.location()),
                    })
                    .collect(),
                Err(e) => vec![format!("{:?} {:?} {e}", e.kind(), e.location())],
            }
        })
        .collect()
}

#[test]
fn variants_cutting_across_lines_import_the_same() {
    let seed = common::seed_text();
    assert_eq!(check_counts("seed.tsv", seed.as_bytes()), Some((ReadMode::Streamed, 9)));
    // CRLF and lone CR line ends, a UTF-8 BOM, no final line break, UTF-16 and GBK: the same
    // documents as the plain file, row for row. Each variant is written under the plain file's
    // path, so `source.file` is the same too.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seed.tsv");
    std::fs::write(&path, &seed).unwrap();
    let plain = outcomes(&path);
    assert_eq!(plain.iter().map(Vec::len).collect::<Vec<_>>(), [9, 9, 9]);
    assert!(plain[1].iter().all(|o| o.starts_with('{')), "{:?}", plain[1]);
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(seed.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let (gbk, _, _) = encoding_rs::GBK.encode(&seed);
    for (variant, bytes, mode) in [
        ("CRLF", seed.replace('\n', "\r\n").into_bytes(), ReadMode::Streamed),
        ("CR", seed.replace('\n', "\r").into_bytes(), ReadMode::Streamed),
        (
            "BOM",
            [b"\xEF\xBB\xBF".as_slice(), seed.as_bytes()].concat(),
            ReadMode::Streamed,
        ),
        (
            "BOM+CRLF",
            [b"\xEF\xBB\xBF".as_slice(), seed.replace('\n', "\r\n").as_bytes()].concat(),
            ReadMode::Streamed,
        ),
        (
            "no final line break",
            seed.trim_end().as_bytes().to_vec(),
            ReadMode::Streamed,
        ),
        ("UTF-16", utf16, ReadMode::DecodedWhole),
        ("GBK", gbk.into_owned(), ReadMode::DecodedWhole),
    ] {
        std::fs::write(&path, &bytes).unwrap();
        let stats = same_both_ways(&path, &option_sets()[1]).unwrap();
        assert_eq!(stats.mode, mode, "{variant}");
        let seen = outcomes(&path);
        for (k, (a, b)) in seen.iter().zip(&plain).enumerate() {
            assert_eq!(a, b, "{variant} differs from the plain file with option set {k}");
        }
    }
    // Blank rows between forms and before the first one; text above the first form.
    let blank_rows = format!("\n\t\n填报单位：某局\n\n{}", seed_copies(3, "\n\n\t\n"));
    assert_eq!(
        check_counts("blank-rows.tsv", blank_rows.as_bytes()),
        Some((ReadMode::Streamed, 27))
    );
    // Two copies: the second copy's forms are duplicates.
    let twice = format!("{seed}\n{seed}");
    assert_eq!(
        check_counts("duplicates.tsv", twice.as_bytes()),
        Some((ReadMode::Streamed, 9))
    );
    // Text only: no form; whitespace only: empty.
    assert_eq!(check("no-form.tsv", "附件2\n填报单位：某局\n".as_bytes()), None);
    assert_eq!(check("blank.tsv", b" \t \n\n"), None);
    assert_eq!(check("empty.tsv", b""), None);
}

#[test]
fn quoted_cells_spanning_lines_import_the_same() {
    // Quote every cell of the seed, give some cells line breaks (LF, CRLF, CR) and quotes, and
    // put a multi-line cell on a 项目名称 row so a form starts inside a multi-line record.
    let seed = common::seed_text();
    let mut csv = String::new();
    for (k, line) in seed.lines().enumerate() {
        let cells: Vec<String> = line
            .split('\t')
            .enumerate()
            .map(|(c, cell)| {
                let cell = match (k % 7, c) {
                    (0, 3) => format!("{cell}\n续行"),
                    (3, 8) => format!("{cell}\r\n\"注\""),
                    (5, 1) if !cell.is_empty() => format!("{cell}\r"),
                    _ => cell.to_owned(),
                };
                if cell.is_empty() && c % 2 == 0 {
                    String::new()
                } else {
                    format!("\"{}\"", cell.replace('"', "\"\""))
                }
            })
            .collect();
        csv.push_str(&cells.join(","));
        csv.push('\n');
    }
    let (mode, imported) = check_counts("quoted.csv", csv.as_bytes()).unwrap();
    assert_eq!(mode, ReadMode::Streamed);
    // Some line breaks land in number cells and fail those forms (with the same rows both ways).
    assert!(imported >= 2, "only {imported} forms imported");
}

#[test]
fn a_file_level_error_late_in_the_file_comes_before_any_form() {
    let mut text = seed_copies(4, "\n");
    text.push_str("\n\"never closed\tcell\n");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("late.tsv");
    std::fs::write(&path, &text).unwrap();
    let mut handed = 0;
    let e = for_each_form(&path, &ImportOptions::default(), |_| {
        handed += 1;
        ControlFlow::Continue(())
    })
    .unwrap_err();
    assert_eq!(handed, 0);
    assert_eq!(e.kind(), Some(jixiao::ingest::import::ErrorKind::Syntax));
    assert_eq!(e.location().row(), Some(u32::try_from(text.lines().count()).unwrap()));
    same_both_ways(&path, &ImportOptions::default());
    // A cell over the spreadsheet limit, after many forms: also before any form.
    let long = format!("{}\n备注\t{}\n", seed_copies(2, "\n"), "长".repeat(40_000));
    check("long-cell.tsv", long.as_bytes());
}

#[test]
fn many_forms_keep_their_file_rows_and_the_callback_can_stop() {
    let text = seed_copies(40, "\n");
    assert_eq!(check("many.tsv", text.as_bytes()), Some(ReadMode::Streamed));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.tsv");
    std::fs::write(&path, &text).unwrap();
    let opts = &option_sets()[1];
    let mut last_rows = Vec::new();
    let stats = for_each_form(&path, opts, |r| {
        let doc = r.unwrap();
        let source = doc.source.unwrap();
        last_rows.push(source.last_row);
        if last_rows.len() == 20 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .unwrap();
    assert!(stats.stopped);
    assert_eq!(stats.forms, 20);
    assert!(last_rows.windows(2).all(|w| w[0] < w[1]));
    // Copy 3 starts after two copies of the seed (and the separating line break).
    let seed_rows = common::seed_text().lines().count();
    assert!(last_rows[19] > u32::try_from(2 * seed_rows).unwrap());
}
