//! The article's hand-built circular solution: known answers from SPEC §6 / Appendix A.

use grokscope::analysis::{AnalysisError, closed_form_logit, construct, constructed_logits};
use grokscope::train::Activation;

#[test]
fn square_construction_is_exact_for_every_odd_modulus_and_n_from_5_to_64() {
    let moduli: Vec<usize> = (3..=113).step_by(2).collect();
    // Two halves of the grid on two threads; each checks its own share.
    std::thread::scope(|scope| {
        let handles: Vec<_> = [0, 1]
            .into_iter()
            .map(|part| {
                let moduli = &moduli;
                scope.spawn(move || {
                    for &m in moduli.iter().skip(part).step_by(2) {
                        for n in 5..=64 {
                            let r = construct(m, n, Activation::Square).unwrap();
                            assert_eq!(r.accuracy, 1.0, "M={m} N={n}: {r:?}");
                            assert_eq!(r.ties, 0, "M={m} N={n}");
                            assert!(r.max_abs_error < 1e-13, "M={m} N={n}: {r:?}");
                        }
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
    });
}

#[test]
fn square_logits_are_n_times_the_closed_form() {
    for (m, n) in [(11, 5), (67, 7), (12, 9)] {
        let logits = constructed_logits(m, n, Activation::Square).unwrap();
        for a in 0..m {
            for b in 0..m {
                for c in 0..m {
                    let expected = n as f64 * closed_form_logit(m, a, b, c);
                    assert!((logits[[a * m + b, c]] - expected).abs() < 1e-12);
                }
            }
        }
    }
    assert!((closed_form_logit(67, 5, 5, 10) - 1.0).abs() < 1e-15);
}

#[test]
fn even_moduli_tie_exactly_on_the_pairs_half_a_turn_apart() {
    for m in [2, 4, 8, 10, 66, 68] {
        for n in [5, 7, 12] {
            let r = construct(m, n, Activation::Square).unwrap();
            assert_eq!(
                r.ties, m,
                "M={m} N={n}: one tied pair per a, with b = a + M/2"
            );
            assert_eq!(
                r.accuracy,
                (m * m - m) as f64 / (m * m) as f64,
                "M={m} N={n}"
            );
            assert!(r.max_abs_error < 1e-12);
        }
    }
    // The tied pairs are those with a − b ≡ M/2, and all their logits are zero.
    let m = 8;
    let logits = constructed_logits(m, 5, Activation::Square).unwrap();
    for a in 0..m {
        for b in 0..m {
            let row = logits.row(a * m + b);
            let flat = row.iter().all(|v| v.abs() < 1e-12);
            assert_eq!(flat, (a + m - b) % m == m / 2, "({a}, {b})");
        }
    }
}

#[test]
fn relu_works_for_odd_n_and_fails_for_even_n() {
    for n in [5, 7] {
        let r = construct(67, n, Activation::Relu).unwrap();
        assert_eq!(r.accuracy, 1.0, "N={n}: {r:?}");
        assert_eq!(r.ties, 0);
        // Only approximately the closed form: about a fifth of its amplitude off
        // (0.237 for N = 5, 0.215 for N = 7).
        assert!(
            r.max_abs_error > 0.15 && r.max_abs_error < 0.3,
            "N={n}: {r:?}"
        );
    }
    // Even N: neurons i and i + N/2 mirror each other and the construction fails.
    let r = construct(67, 6, Activation::Relu).unwrap();
    assert!(r.accuracy < 0.5, "{r:?}");
    // ReLU with even M ties on the same pairs as x²: their hidden pre-activations cancel.
    let r = construct(66, 5, Activation::Relu).unwrap();
    assert_eq!(r.ties, 66);
}

#[test]
fn four_neurons_are_not_enough_for_x_squared() {
    // With N = 4 the cos((a + b + c)ω − 4iθ) terms no longer cancel.
    let r = construct(67, 4, Activation::Square).unwrap();
    assert!(r.accuracy < 0.05, "{r:?}");
    assert!(r.max_abs_error > 0.5, "{r:?}");
}

#[test]
fn bad_input_gives_one_clear_line() {
    let err = construct(1, 5, Activation::Square).unwrap_err();
    assert_eq!(err, AnalysisError::ModulusTooSmall(1));
    assert_eq!(err.to_string(), "modulus must be at least 2 (got 1)");
    let err = construct(67, 0, Activation::Relu).unwrap_err();
    assert_eq!(err, AnalysisError::NoNeurons(0));
    assert_eq!(
        err.to_string(),
        "number of neurons must be at least 1 (got 0)"
    );
    assert!(construct(0, 0, Activation::Relu).is_err());
}

#[test]
fn report_serializes_with_the_cli_field_names() {
    let r = construct(67, 5, Activation::Square).unwrap();
    let json = serde_json::to_value(&r).unwrap();
    let object = json.as_object().unwrap();
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "accuracy",
            "activation",
            "max_abs_error",
            "modulus",
            "neurons",
            "ties"
        ]
    );
    assert_eq!(json["modulus"], 67);
    assert_eq!(json["neurons"], 5);
    assert_eq!(json["activation"], "square");
    assert_eq!(json["accuracy"], 1.0);
    assert_eq!(json["ties"], 0);
}
