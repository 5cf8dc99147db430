//! `grokscope run`'s summary names the phase the run ended in, with the dashboard's rules:
//! a run whose training set stays at chance while its loss and weights blow up is "not
//! learning", not "memorizing".

mod common;
use common::{grokscope, json_lines};

fn summary(args: &[&str]) -> serde_json::Value {
    let out = grokscope(args);
    assert!(out.status.success(), "{args:?}: {out:?}");
    json_lines(&out).pop().expect("a summary line")
}

#[test]
fn an_exploding_parity_run_is_named_not_learning() {
    let s = summary(&["run", "--preset", "parity", "--lr", "1e3", "--steps", "300"]);
    assert_eq!(s["summary"], true);
    assert_eq!(s["phase"], "not learning", "{s}");
    assert!(s["train_acc"].as_f64().unwrap() < 0.55);
}

#[test]
fn a_learning_run_is_not() {
    let s = summary(&["run", "--preset", "mod-add", "--steps", "300"]);
    assert_eq!(s["phase"], "memorizing", "{s}");
}
