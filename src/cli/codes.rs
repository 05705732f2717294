//! `jixiao codes`: the finding-code reference generated from the embedded rule sets
//! (`docs/finding-codes.md` is its committed output).

use crate::cli::{Outcome, report_error};
use jixiao::policy::{RuleSet, embedded};
use jixiao::report::codes::codes_markdown;

pub fn run() -> Outcome {
    let mut sets = Vec::new();
    for id in embedded::ids() {
        let Some(files) = embedded::files(id) else { continue };
        match RuleSet::load(files) {
            Ok(set) => sets.push(set),
            Err(e) => {
                report_error(e);
                return Outcome::BadInput;
            }
        }
    }
    let refs: Vec<&RuleSet> = sets.iter().collect();
    print!("{}", codes_markdown(&refs));
    Outcome::Clean
}
