//! Workbooks are zip archives: before calamine opens one, jixiao checks what it would inflate
//! to and refuses, by name and with a Chinese reason, a workbook beyond the limits
//! (`src/ingest/archive.rs`) — with exit code 2, in a fraction of a second and without the
//! memory calamine would take (a 1 MB workbook with a 1 GB XML comment took 2.6 GB).
//! `tests/fixtures/archives/make.py` makes the workbooks.

use std::time::Duration;

use crate::common::{jixiao_command, run_command_within};

const DIR: &str = "tests/fixtures/archives";

/// Before: the 200 KB workbook inflating to a 200 MiB sheet was loaded whole by calamine.
#[test]
fn a_workbook_that_inflates_beyond_the_limit_is_refused_by_name() {
    let bomb = format!("{DIR}/comment-bomb.xlsx");
    let commands: [&[&str]; 2] = [
        &["import", &bomb, "--year", "2021"],
        &["score", &bomb, "--year", "2021"],
    ];
    for args in commands {
        let (code, stdout, stderr) = run_command_within(jixiao_command().args(args), Duration::from_secs(20));
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(!stdout.contains("档案整理"), "{args:?}: {stdout}");
        assert!(
            stderr.contains("comment-bomb.xlsx：工作簿中的 xl/worksheets/sheet1.xml 解压后有")
                && stderr.contains("上限 128 MiB"),
            "{args:?}: {stderr}"
        );
    }
}

/// An archive that states a small size for a sheet that inflates further is stopped at the
/// size it states (the zip reader refuses to read further), exit 2.
#[test]
fn a_workbook_that_misstates_its_sizes_is_refused() {
    let (code, _, stderr) = run_command_within(
        jixiao_command().args(["import", &format!("{DIR}/lying-bomb.xlsx"), "--year", "2021"]),
        Duration::from_secs(20),
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("lying-bomb.xlsx"), "{stderr}");
}

/// An ordinary workbook is imported as before.
#[test]
fn an_ordinary_workbook_is_read() {
    let (_, stdout, stderr) = run_command_within(
        jixiao_command().args(["import", &format!("{DIR}/small-form.xlsx"), "--year", "2021"]),
        Duration::from_secs(20),
    );
    assert!(stdout.contains("档案整理"), "{stdout}{stderr}");
    assert!(!stderr.contains("解压"), "{stderr}");
}
