//! Fourier view: the rustfft path against the explicit basis, neuron frequencies and phases,
//! frequency norms, Gini, key frequencies, and what happens for even moduli.

mod common;
use common::random_matrix;
use grokscope::analysis::{
    AnalysisError, Fourier, constructed_weights, fourier_basis, gini, n_frequencies,
    order_by_frequency_phase,
};
use ndarray::Array2;
use std::f64::consts::{PI, TAU};

#[test]
fn fft_path_equals_projection_onto_explicit_basis() {
    for p in [2, 3, 4, 8, 11, 66, 67, 97] {
        let w = random_matrix(p, 6, p as u64);
        let coeffs = Fourier::new(p).unwrap().coefficients(w.view()).unwrap();
        let reference = fourier_basis(p).dot(&w.mapv(f64::from));
        assert_eq!(coeffs.matrix().dim(), (p, 6));
        for ((r, c), &expected) in reference.indexed_iter() {
            let got = f64::from(coeffs.matrix()[[r, c]]);
            assert!(
                (got - expected).abs() < 1e-5,
                "p={p} row {r} neuron {c}: fft {got} vs basis {expected}"
            );
        }
        // Parseval: the basis is orthonormal, so the transform keeps the squared norm.
        let before: f64 = w.iter().map(|&v| f64::from(v).powi(2)).sum();
        let after: f64 = coeffs.matrix().iter().map(|&v| f64::from(v).powi(2)).sum();
        assert!((before - after).abs() < 1e-4 * before, "p={p}");
    }
}

#[test]
fn pure_waves_give_their_frequency_phase_and_magnitude() {
    let p = 67;
    // (frequency, phase, amplitude) per neuron: W[a, i] = amp·cos(2πka/P − phase).
    let neurons = [
        (5, 0.3, 1.0),
        (3, -2.0, 0.5),
        (5, -1.0, 2.0),
        (33, 3.0, 1.5),
        (1, 1.2, 0.25),
    ];
    let w = Array2::from_shape_fn((p, neurons.len()), |(a, i)| {
        let (k, phase, amp) = neurons[i];
        (amp * (TAU * (k * a) as f64 / p as f64 - phase).cos()) as f32
    });
    let coeffs = Fourier::new(p).unwrap().coefficients(w.view()).unwrap();
    let found = coeffs.neuron_frequencies();
    let unit = (p as f64 / 2.0).sqrt(); // norm of cos(2πka/P) over a = 0..P
    for (i, &(k, phase, amp)) in neurons.iter().enumerate() {
        assert_eq!(found[i].neuron, i);
        assert_eq!(found[i].frequency, k, "neuron {i}");
        assert!(
            (f64::from(found[i].phase) - phase).abs() < 1e-4,
            "neuron {i}"
        );
        assert!((f64::from(found[i].magnitude) - amp * unit).abs() < 1e-4);
        assert!((found[i].share - 1.0).abs() < 1e-5);
        assert!((f64::from(coeffs.cos(k, i)) - amp * unit * phase.cos()).abs() < 1e-4);
        assert!((f64::from(coeffs.sin(k, i)) - amp * unit * phase.sin()).abs() < 1e-4);
        assert!(coeffs.constant(i).abs() < 1e-4);
    }
    let norms = coeffs.frequency_norms();
    assert_eq!(norms.len(), 33);
    let expected_5 = (1.0f64 + 4.0).sqrt() * unit; // two neurons at k = 5, amplitudes 1 and 2
    assert!((f64::from(norms[4]) - expected_5).abs() < 1e-4);
    assert!((f64::from(norms[32]) - 1.5 * unit).abs() < 1e-4);
    assert!(norms[1].abs() < 1e-4 && norms[20].abs() < 1e-4);
    // Ordered by frequency, then phase: k=1, k=3, k=5 (phase −1.0 before 0.3), k=33.
    assert_eq!(order_by_frequency_phase(&found), vec![4, 1, 2, 0, 3]);
}

#[test]
fn even_modulus_keeps_nyquist_as_a_cosine_only_frequency() {
    let p = 8;
    assert_eq!(n_frequencies(p), 4);
    assert_eq!(n_frequencies(7), 3);
    // Neuron 0: 2·(−1)^a; neuron 1: −(−1)^a; neuron 2: sin(2π·3a/8); neuron 3: constant 1.
    let w = Array2::from_shape_fn((p, 4), |(a, i)| {
        let sign = if a % 2 == 0 { 1.0 } else { -1.0 };
        match i {
            0 => 2.0 * sign,
            1 => -sign,
            2 => (TAU * 3.0 * a as f64 / p as f64).sin() as f32,
            _ => 1.0,
        }
    });
    let coeffs = Fourier::new(p).unwrap().coefficients(w.view()).unwrap();
    assert_eq!(coeffs.n_frequencies(), 4);
    // Nyquist basis row is (−1)^a / sqrt(8), so 2·(−1)^a has coefficient 2·sqrt(8).
    let root = 8f32.sqrt();
    assert!((coeffs.cos(4, 0) - 2.0 * root).abs() < 1e-5);
    assert_eq!(coeffs.sin(4, 0), 0.0, "Nyquist has no sine coefficient");
    assert!((coeffs.cos(4, 1) + root).abs() < 1e-5);
    let found = coeffs.neuron_frequencies();
    assert_eq!(found[0].frequency, 4);
    assert!(found[0].phase.abs() < 1e-6);
    assert_eq!(found[1].frequency, 4);
    assert!(
        (f64::from(found[1].phase) - PI).abs() < 1e-6,
        "−(−1)^a has phase π"
    );
    assert_eq!(found[2].frequency, 3);
    assert!((f64::from(found[2].phase) - PI / 2.0).abs() < 1e-5);
    // The constant neuron has nothing outside row 0: magnitude and share 0.
    assert!(found[3].magnitude < 1e-5 && found[3].share == 0.0);
    assert!((coeffs.constant(3) - root).abs() < 1e-5);
    // Parseval including Nyquist: constant² + Σ frequency norms² = ‖W‖².
    let norms = coeffs.frequency_norms();
    let spectrum: f32 = norms.iter().map(|n| n * n).sum::<f32>()
        + (0..4).map(|i| coeffs.constant(i).powi(2)).sum::<f32>();
    let total: f32 = w.iter().map(|v| v * v).sum();
    assert!((spectrum - total).abs() < 1e-3, "{spectrum} vs {total}");
    assert!((norms[3] - (4.0f32 + 1.0).sqrt() * root).abs() < 1e-4);
}

#[test]
fn construction_has_one_frequency_and_random_weights_a_dense_spectrum() {
    let p = 67;
    let fourier = Fourier::new(p).unwrap();
    let (w_input, w_output) = constructed_weights(p, 5).unwrap();
    for matrix in [w_input.view(), w_output.t()] {
        let spectrum = fourier.spectrum(matrix).unwrap();
        assert_eq!(spectrum.key_frequencies, vec![1]);
        // A single non-zero frequency norm out of 33: Gini = 32/33.
        assert!(
            (spectrum.gini - 32.0 / 33.0).abs() < 1e-4,
            "{}",
            spectrum.gini
        );
        let expected = (5.0 * p as f32 / 2.0).sqrt(); // five unit-amplitude waves
        assert!((spectrum.norms[0] - expected).abs() < 1e-3);
        assert!(spectrum.norms[1..].iter().all(|&n| n < 1e-3));
    }
    // Neuron i of the construction is cos(aω − iθ): frequency 1, phase iθ.
    let found = fourier
        .coefficients(w_input.view())
        .unwrap()
        .neuron_frequencies();
    for (i, n) in found.iter().enumerate() {
        assert_eq!(n.frequency, 1);
        let expected = (i as f64 * TAU / 5.0 + PI).rem_euclid(TAU) - PI;
        assert!((f64::from(n.phase) - expected).abs() < 1e-4, "neuron {i}");
    }

    let random = random_matrix(p, 24, 7);
    let spectrum = fourier.spectrum(random.view()).unwrap();
    assert!(spectrum.gini < 0.25, "random gini {}", spectrum.gini);
    // 33 similar norms: 8 of them hold well under 90%, so the cap decides.
    assert_eq!(spectrum.key_frequencies.len(), 8);
    assert!((gini(&spectrum.norms) - spectrum.gini).abs() < 1e-12);
}

#[test]
fn rejects_bad_moduli_and_shapes() {
    assert_eq!(
        Fourier::new(1).unwrap_err(),
        AnalysisError::ModulusTooSmall(1)
    );
    let fourier = Fourier::new(5).unwrap();
    let err = fourier
        .coefficients(Array2::<f32>::zeros((4, 3)).view())
        .unwrap_err();
    assert!(matches!(err, AnalysisError::Shape(_)));
    assert!(!err.to_string().contains('\n'));
}
