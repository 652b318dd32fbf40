//! The casebook on real threads (std backend): every fixed variant runs clean many times.
//! (Broken variants are the checkers' job: on real threads a deadlocking one would hang, and a
//! racy one fails only sometimes, which proves nothing.)
#![cfg(not(any(loom, feature = "shuttle")))]

use verisync::casebook::cases;

#[test]
fn fixed_variants_run_clean_on_real_threads() {
    for case in cases() {
        for v in case.variants.iter().filter(|v| v.expect.is_none()) {
            for _ in 0..200 {
                (v.run)();
            }
        }
    }
}

#[test]
fn every_case_has_a_broken_and_a_fixed_variant() {
    for case in cases() {
        assert!(
            case.variants[0].expect.is_some(),
            "{}: broken first",
            case.name
        );
        assert!(
            case.variants.iter().any(|v| v.expect.is_none()),
            "{}: no fix",
            case.name
        );
        let mut names: Vec<_> = case.variants.iter().map(|v| v.name).collect();
        names.dedup();
        assert_eq!(
            names.len(),
            case.variants.len(),
            "{}: duplicate variant names",
            case.name
        );
    }
    let mut names: Vec<_> = cases().iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), cases().len(), "duplicate case names");
}
