//! Arbitrary bytes imported as a form file: the first byte picks the extension (.tsv, .csv,
//! .xlsx, .txt), the rest is the file's content. Never panics; every form that imports keeps the
//! “nothing dropped” invariant (consumed and unmapped cells partition the non-empty cells of the
//! form's rows).
#![no_main]

use std::collections::BTreeSet;

use jixiao::ingest::import::{ImportOptions, grid, import_bytes, import_forms};
use jixiao::model::document::CellPos;
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 4] = ["fuzz.tsv", "fuzz.csv", "fuzz.xlsx", "fuzz.txt"];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(pick) % NAMES.len()];
    let opts = ImportOptions {
        year: Some(2021),
        default_year: None,
        region: None,
    };
    let whole = import_bytes(name, bytes, &opts);
    if let Err(e) = &whole {
        // Every error names the file.
        assert!(e.to_string().contains(name), "error does not name the file: {e}");
    }

    // Nothing dropped, form by form.
    let Ok(grids) = grid::read_grids(name, bytes) else {
        assert!(whole.is_err());
        return;
    };
    let Ok(forms) = import_forms(name, &grids, &opts) else {
        assert!(whole.is_err());
        return;
    };
    for form in forms.into_iter().flatten() {
        let source = form.document.source.as_ref().expect("imported form has a source");
        let grid = grids
            .iter()
            .find(|g| g.sheet == source.sheet)
            .expect("source names a grid");
        let mut all = BTreeSet::new();
        for r in source.first_row..=source.last_row {
            let row = grid.rows.get((r - 1) as usize).expect("source rows exist");
            for (c, text) in row.iter().enumerate() {
                if !text.trim().is_empty() {
                    all.insert(CellPos {
                        row: r,
                        column: u32::try_from(c).expect("column fits") + 1,
                    });
                }
            }
        }
        let consumed: BTreeSet<CellPos> = form.consumed.iter().copied().collect();
        let unmapped: BTreeSet<CellPos> = form.document.unmapped.iter().map(|u| u.at).collect();
        assert_eq!(consumed.len(), form.consumed.len(), "a cell was consumed twice");
        assert_eq!(
            unmapped.len(),
            form.document.unmapped.len(),
            "a cell was listed twice as unmapped"
        );
        assert!(consumed.is_disjoint(&unmapped), "a cell is both consumed and unmapped");
        let union: BTreeSet<CellPos> = consumed.union(&unmapped).copied().collect();
        assert_eq!(
            union, all,
            "consumed + unmapped != non-empty cells of {}",
            form.document.id
        );
    }
});
