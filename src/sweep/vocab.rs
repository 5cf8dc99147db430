//! The words every view uses for a run's outcome: the four classes with the thresholds they
//! turn on, why one run got its class, and why the class and the training view's phase
//! label may read differently. The classes read a run's lowest losses ([`classify_with`]);
//! the phase label (`probe::phase`) reads its accuracy as it trains. Both are right about
//! what they measure; a view that shows both says which is which.

use super::record::{Class, Thresholds, Trace, classify_with};

/// Where the two verdicts come from, in one line.
pub const SOURCES: &str = "classes read lowest losses, the phase label accuracy";

/// A threshold as the views print it: `1e-5`, `5e4`, `3.2e-6`.
pub fn threshold(v: f64) -> String {
    format!("{v:.1e}").replace(".0e", "e")
}

/// A loss as a reason quotes it: `2.0e-3`, `inf` for a run that never logged one.
fn loss(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.1e}")
    } else {
        "none finite".into()
    }
}

/// What `class` means at `th`, short: "memorize: train loss fitted, test loss not".
pub fn rule(class: Class, th: &Thresholds) -> String {
    let (fit, ratio) = (threshold(th.fit_loss), threshold(th.grok_ratio));
    match class {
        Class::Fail => format!("fail: train loss never ≤ {fit}"),
        Class::Memorize => format!("memorize: train loss ≤ {fit}, test loss never"),
        Class::Generalize => format!("generalize: both ≤ {fit}, test/train < {ratio}"),
        Class::Grok => format!("grok: both ≤ {fit}, test/train reached {ratio}"),
    }
}

/// Why the run of `t` has its class at `th`, quoting its own numbers: "test loss 2.0e-3 >
/// 1e-5".
pub fn why(t: &Trace, th: &Thresholds) -> String {
    let fit = threshold(th.fit_loss);
    let ratio = threshold(th.grok_ratio);
    match classify_with(t, th) {
        Class::Fail => format!("lowest train loss {} > {fit}", loss(t.min_train_loss)),
        Class::Memorize => format!("lowest test loss {} > {fit}", loss(t.min_test_loss)),
        Class::Generalize => format!("test/train peaked at {} < {ratio}", threshold(t.max_ratio)),
        Class::Grok => format!("test/train reached {} ≥ {ratio}", threshold(t.max_ratio)),
    }
}

/// [`why`] in a few columns, for a small chart's edge: "test loss 2e-3 > 1e-5".
pub fn why_short(t: &Trace, th: &Thresholds) -> String {
    let fit = threshold(th.fit_loss);
    let ratio = threshold(th.grok_ratio);
    let short = |v: f64| {
        if v.is_finite() {
            threshold(v)
        } else {
            "∞".into()
        }
    };
    match classify_with(t, th) {
        Class::Fail => format!("train loss {} > {fit}", short(t.min_train_loss)),
        Class::Memorize => format!("test loss {} > {fit}", short(t.min_test_loss)),
        Class::Generalize => format!("ratio {} < {ratio}", short(t.max_ratio)),
        Class::Grok => format!("ratio {} ≥ {ratio}", short(t.max_ratio)),
    }
}

/// When the class and the test accuracy disagree (99 % test accuracy yet "memorize" or
/// "fail"; "grok" or "generalize" without 99 %), the reason, quoting the run's numbers;
/// `None` when they agree.
pub fn disagreement(t: &Trace, th: &Thresholds) -> Option<String> {
    let class = classify_with(t, th);
    let learned = matches!(class, Class::Grok | Class::Generalize);
    match (t.test_acc_99, learned) {
        (Some(_), false) | (None, true) => Some(why(t, th)),
        _ => None,
    }
}

/// The class of the run of `t` with its reason, for a run that has ended: "memorize
/// (lowest test loss 2.0e-3 > 1e-5)".
pub fn verdict(t: &Trace, th: &Thresholds) -> String {
    format!("{} ({})", classify_with(t, th).name(), why(t, th))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trace(train: f64, test: f64, ratio: f64, acc99: Option<u64>) -> Trace {
        Trace {
            min_train_loss: train,
            min_test_loss: test,
            max_ratio: ratio,
            test_acc_99: acc99,
            ..Trace::default()
        }
    }

    #[test]
    fn each_reason_quotes_the_number_that_decided_it() {
        let th = Thresholds::default();
        assert_eq!(
            why(&trace(3e-2, 4e-2, 1.0, None), &th),
            "lowest train loss 3.0e-2 > 1e-5"
        );
        assert_eq!(
            why(&trace(1e-7, 2e-3, 1e4, Some(44_000)), &th),
            "lowest test loss 2.0e-3 > 1e-5"
        );
        assert_eq!(
            why(&trace(1e-7, 1e-6, 10.0, Some(900)), &th),
            "test/train peaked at 1e1 < 5e4"
        );
        assert_eq!(
            why(&trace(1e-7, 1e-6, 1e5, Some(9000)), &th),
            "test/train reached 1e5 ≥ 5e4"
        );
    }

    #[test]
    fn a_class_that_disagrees_with_the_accuracy_says_why() {
        let th = Thresholds::default();
        // 99 % test accuracy at 44,000 but the test loss never fitted: memorize by loss.
        let t = trace(1e-7, 2e-3, 1e4, Some(44_000));
        assert_eq!(
            disagreement(&t, &th).as_deref(),
            Some("lowest test loss 2.0e-3 > 1e-5")
        );
        // Agreeing verdicts need no reason.
        assert_eq!(disagreement(&trace(1e-7, 1e-6, 1e5, Some(9000)), &th), None);
        assert_eq!(disagreement(&trace(1e-7, 2e-3, 1e4, None), &th), None);
        assert_eq!(why_short(&t, &th), "test loss 2e-3 > 1e-5");
    }

    #[test]
    fn rules_name_the_thresholds_they_use() {
        let th = Thresholds {
            fit_loss: 3.2e-6,
            grok_ratio: 1e3,
        };
        for c in Class::ALL {
            let r = rule(c, &th);
            assert!(r.starts_with(c.name()), "{r}");
            assert!(r.contains("3.2e-6"), "{r}");
        }
        assert!(rule(Class::Grok, &th).contains("1e3"));
    }
}
