//! The article's hand-built circular solution: known answers from its Appendix A.

use grokscope::analysis::{
    AnalysisError, Construction, closed_form_logit, construct, constructed_logits,
};
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

#[test]
fn large_moduli_up_to_500_keep_the_known_answers() {
    // x² stays exact for odd M; even M ties on its M pairs half a turn apart.
    for (m, n) in [(127, 5), (255, 6), (257, 64), (499, 5)] {
        let r = construct(m, n, Activation::Square).unwrap();
        assert_eq!((r.accuracy, r.ties), (1.0, 0), "M={m} N={n}: {r:?}");
        assert!(r.max_abs_error < 1e-13, "M={m} N={n}: {r:?}");
    }
    for m in [256, 500] {
        let r = construct(m, 7, Activation::Square).unwrap();
        assert_eq!(r.ties, m, "M={m}");
        assert_eq!(r.accuracy, (m * m - m) as f64 / (m * m) as f64, "M={m}");
    }
    // ReLU's error in units of the closed form does not shrink with M, while the numbers
    // crowd closer: five neurons no longer classify every pair of a large modulus.
    let r = construct(499, 5, Activation::Relu).unwrap();
    assert!(r.accuracy < 0.5 && r.ties == 0, "{r:?}");
    assert!(r.max_abs_error > 0.15 && r.max_abs_error < 0.3, "{r:?}");
    assert!(
        construct(501, 5, Activation::Square).is_ok(),
        "the library has no cap"
    );
}

#[test]
fn the_construction_reads_out_what_its_logits_say() {
    for (m, n, act) in [
        (67, 5, Activation::Relu),
        (67, 6, Activation::Relu),
        (12, 5, Activation::Square),
        (9, 4, Activation::Square),
        (7, 2, Activation::Square),
    ] {
        let c = Construction::new(m, n, act).unwrap();
        assert_eq!(c.report, construct(m, n, act).unwrap());
        let logits = constructed_logits(m, n, act).unwrap();
        let scale = logits.iter().fold(0.0f64, |s, v| s.max(v.abs()));
        let mut ties = 0;
        for a in 0..m {
            for b in 0..m {
                let row = logits.row(a * m + b);
                let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let at_max = row.iter().filter(|&&v| v >= max - 1e-9 * scale).count();
                let top = row.iter().position(|&v| v == max).unwrap();
                let expected = (at_max == 1).then_some(top);
                ties += usize::from(expected.is_none());
                let p = c.pair(a, b);
                assert_eq!(p.answer, expected, "M={m} N={n} {act:?} ({a}, {b})");
                assert_eq!(p.target, (a + b) % m);
                // The answer is the number nearest to where the output lands.
                if let Some(answer) = expected {
                    let landed = (p.target as f64 + f64::from(p.offset)).round() as i64;
                    assert_eq!(landed.rem_euclid(m as i64) as usize, answer, "({a}, {b})");
                }
            }
        }
        assert_eq!(ties, c.report.ties);
        assert_eq!(c.tied_pairs().count(), ties);
        assert_eq!(c.landings().count(), m * m);
    }
}

#[test]
fn a_pair_is_the_mean_projected_activated_and_summed_at_twice_the_angle() {
    use std::f64::consts::TAU;
    let c = Construction::new(67, 5, Activation::Relu).unwrap();
    let p = c.pair(2, 12 + 67);
    assert_eq!((p.a, p.b, p.target), (2, 12, 14));
    let omega = TAU / 67.0;
    let mean = [
        ((2.0 * omega).cos() + (12.0 * omega).cos()) / 2.0,
        ((2.0 * omega).sin() + (12.0 * omega).sin()) / 2.0,
    ];
    assert!((p.mean[0] - mean[0]).abs() < 1e-15 && (p.mean[1] - mean[1]).abs() < 1e-15);
    let mut output = [0.0, 0.0];
    for i in 0..5 {
        let theta = i as f64 * TAU / 5.0;
        let proj = mean[0] * theta.cos() + mean[1] * theta.sin();
        assert!((p.projections[i] - proj).abs() < 1e-15, "neuron {i}");
        assert_eq!(p.activations[i], proj.max(0.0));
        output[0] += proj.max(0.0) * (2.0 * theta).cos();
        output[1] += proj.max(0.0) * (2.0 * theta).sin();
    }
    assert!((p.output[0] - output[0]).abs() < 1e-12 && (p.output[1] - output[1]).abs() < 1e-12);
    assert_eq!(p.answer, Some(14));
    assert!(p.offset.abs() < 0.5);
    assert!(c.max_output() >= p.output[0].hypot(p.output[1]));
    // x²: the output lands exactly on the target; at a − b ≡ M/2 (even M) it is at the origin.
    let c = Construction::new(12, 5, Activation::Square).unwrap();
    assert!(c.pair(3, 4).offset.abs() < 1e-9);
    assert!(c.pair(1, 7).offset.is_nan() && c.pair(1, 7).answer.is_none());
}
