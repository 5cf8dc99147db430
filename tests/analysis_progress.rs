//! Progress measures (restricted / excluded loss), per-frequency logits, weight norm.

mod common;
use common::random_matrix;
use grokscope::analysis::{
    Fourier, all_pairs, constructed_weights, frequency_group, loss_on_pairs, masked_logits,
    pair_logits, progress_measures, weight_norm,
};
use grokscope::train::Activation;
use ndarray::{Array2, ArrayView2};
use std::f64::consts::TAU;

/// The full logit tensor `[P² × P]` (row `a·P + b`) in f64.
fn logit_tensor(w_in: ArrayView2<f32>, w_out: ArrayView2<f32>, act: Activation) -> Array2<f64> {
    let (p, h) = w_in.dim();
    let hidden = Array2::from_shape_fn((p * p, h), |(row, j)| {
        f64::from(act.apply(w_in[[row / p, j]] + w_in[[row % p, j]]))
    });
    hidden.dot(&w_out.mapv(f64::from))
}

/// Naive spec loss: mean over rows of (logsumexp − logit of (a + b) mod P), divided by P.
fn naive_loss(logits: &Array2<f64>, p: usize, pairs: &[(usize, usize)]) -> f64 {
    let total: f64 = pairs
        .iter()
        .map(|&(a, b)| {
            let row = logits.row(a * p + b);
            let max = row.fold(f64::NEG_INFINITY, |m, &v| m.max(v));
            let lse = max + row.iter().map(|v| (v - max).exp()).sum::<f64>().ln();
            lse - row[(a + b) % p]
        })
        .sum();
    total / (pairs.len() * p) as f64
}

/// The literal definition: unit directions in the (a, b) plane (R^{P²}), every output column
/// projected onto them separately.
fn project_on_directions(logits: &Array2<f64>, directions: &[Vec<f64>]) -> Array2<f64> {
    let mut out = Array2::<f64>::zeros(logits.dim());
    for d in directions {
        let norm = d.iter().map(|v| v * v).sum::<f64>().sqrt();
        if norm < 1e-9 {
            continue; // sin(π(a+b)) at Nyquist is identically zero
        }
        let unit: Vec<f64> = d.iter().map(|v| v / norm).collect();
        for c in 0..logits.ncols() {
            let coeff: f64 = unit.iter().zip(logits.column(c)).map(|(u, l)| u * l).sum();
            for (row, u) in unit.iter().enumerate() {
                out[[row, c]] += u * coeff;
            }
        }
    }
    out
}

fn sum_directions(p: usize, keys: &[usize]) -> Vec<Vec<f64>> {
    let mut dirs = Vec::new();
    for &k in keys {
        let angle = |row: usize| TAU * (k * (row / p + row % p)) as f64 / p as f64;
        dirs.push((0..p * p).map(|row| angle(row).cos()).collect());
        dirs.push((0..p * p).map(|row| angle(row).sin()).collect());
    }
    dirs
}

#[test]
fn fast_measures_equal_the_literal_projection_in_the_input_plane() {
    let cases: [(usize, &[usize]); 5] =
        [(7, &[2]), (7, &[1, 3]), (8, &[4]), (8, &[1, 4]), (9, &[])];
    for (case, &(p, keys)) in cases.iter().enumerate() {
        for act in [Activation::Relu, Activation::Square] {
            let w_in = random_matrix(p, 4, case as u64);
            let w_out = random_matrix(4, p, 100 + case as u64);
            // Training pairs in both orders, some repeated: order and multiplicity matter.
            let train: Vec<(usize, usize)> = (0..p)
                .flat_map(|a| (0..p).map(move |b| (a, b)))
                .filter(|&(a, b)| (3 * a + 5 * b) % 4 == 1)
                .chain([(1, 2), (1, 2)])
                .collect();
            let measures = progress_measures(w_in.view(), w_out.view(), act, keys, &train).unwrap();

            let logits = logit_tensor(w_in.view(), w_out.view(), act);
            let key_part = project_on_directions(&logits, &sum_directions(p, keys));
            let constant = project_on_directions(&logits, &[vec![1.0; p * p]]);
            let restricted = naive_loss(&(&key_part + &constant), p, &all_pairs(p));
            let excluded = naive_loss(&(&logits - &key_part), p, &train);
            let full = naive_loss(&logits, p, &train);

            let close = |x: f64, y: f64| (x - y).abs() <= 1e-5 * y.abs().max(1e-3);
            let label = format!("p={p} keys={keys:?} {act}");
            assert!(
                close(measures.restricted_loss, restricted),
                "{label}: restricted {} vs {restricted}",
                measures.restricted_loss
            );
            assert!(
                close(measures.excluded_loss, excluded),
                "{label}: excluded {} vs {excluded}",
                measures.excluded_loss
            );
            assert!(
                close(measures.train_loss, full),
                "{label}: train {} vs {full}",
                measures.train_loss
            );
            assert_eq!(measures.key_frequencies, keys.to_vec());
            if keys.is_empty() {
                assert_eq!(measures.excluded_loss, measures.train_loss);
            }
        }
    }
}

#[test]
fn construction_lives_in_its_key_frequency() {
    // Scaled up so the full loss is small. Restricting to frequency 1 keeps the wave
    // N/2·cos(ω(a+b−c)) and drops the envelope term ½cos((a−b)ω)·cos(ω(a+b−c)), which only
    // shrinks the margin of pairs with a − b near M/2: so the restricted loss is no higher than
    // the full one. Excluding frequency 1 leaves nothing that points at a + b: worse than chance.
    let p = 67;
    let (w_input, w_output) = constructed_weights(p, 24).unwrap();
    let w_output = w_output.mapv(|v| v * 100.0);
    let train: Vec<(usize, usize)> = (0..p)
        .flat_map(|a| (a..p).map(move |b| (a, b)))
        .filter(|&(a, b)| (7 * a + 3 * b) % 5 < 2)
        .collect();
    let chance = (p as f64).ln() / p as f64;
    let keys = Fourier::new(p)
        .unwrap()
        .spectrum(w_input.view())
        .unwrap()
        .key_frequencies;
    assert_eq!(keys, vec![1]);
    for act in [Activation::Square, Activation::Relu] {
        let m = progress_measures(w_input.view(), w_output.view(), act, &keys, &train).unwrap();
        let full = loss_on_pairs(w_input.view(), w_output.view(), act, &all_pairs(p)).unwrap();
        let train_loss = loss_on_pairs(w_input.view(), w_output.view(), act, &train).unwrap();
        assert!((m.train_loss - train_loss).abs() < 1e-9 * train_loss.max(1e-3));
        assert!(full < 0.01, "{act}: full loss {full}");
        assert!(
            m.restricted_loss <= full,
            "{act}: restricted {} vs full {full}",
            m.restricted_loss
        );
        assert!(
            m.excluded_loss > 100.0 * full,
            "{act}: excluded {}",
            m.excluded_loss
        );
        assert!(
            m.excluded_loss > 10.0 * chance,
            "{act}: excluded {}",
            m.excluded_loss
        );
    }
}

#[test]
fn random_weights_are_not_explained_by_a_few_frequencies() {
    let p = 67;
    let w_in = random_matrix(p, 24, 1);
    let w_out = random_matrix(24, p, 2);
    let train: Vec<(usize, usize)> = (0..p).flat_map(|a| (a..p).map(move |b| (a, b))).collect();
    let spectrum = Fourier::new(p).unwrap().spectrum(w_in.view()).unwrap();
    let chance = (p as f64).ln() / p as f64;
    let m = progress_measures(
        w_in.view(),
        w_out.view(),
        Activation::Relu,
        &spectrum.key_frequencies,
        &train,
    )
    .unwrap();
    // Nothing is learnt: every measure sits near chance.
    for loss in [m.restricted_loss, m.train_loss, m.excluded_loss] {
        assert!((loss - chance).abs() < 0.5 * chance, "{m:?}");
    }
}

#[test]
fn zero_weights_score_exactly_chance() {
    let p = 11;
    let zeros_in = Array2::<f32>::zeros((p, 3));
    let zeros_out = Array2::<f32>::zeros((3, p));
    let chance = (p as f64).ln() / p as f64;
    let loss = loss_on_pairs(
        zeros_in.view(),
        zeros_out.view(),
        Activation::Relu,
        &all_pairs(p),
    )
    .unwrap();
    assert!((loss - chance).abs() < 1e-12);
    let m = progress_measures(
        zeros_in.view(),
        zeros_out.view(),
        Activation::Relu,
        &[1, 5],
        &[(0, 0)],
    )
    .unwrap();
    assert!((m.restricted_loss - chance).abs() < 1e-12);
    assert!((m.excluded_loss - chance).abs() < 1e-12);
}

/// Neuron `i` of a frequency-`k` construction is the frequency-1 construction read at
/// `k·a mod M` on the input side and `k·c mod M` on the output side.
fn construction_at(p: usize, neurons: usize, k: usize) -> (Array2<f32>, Array2<f32>) {
    let (w_in, w_out) = constructed_weights(p, neurons).unwrap();
    let w_in_k = Array2::from_shape_fn((p, neurons), |(a, i)| w_in[[(k * a) % p, i]]);
    let w_out_k = Array2::from_shape_fn((neurons, p), |(i, c)| w_out[[i, (k * c) % p]]);
    (w_in_k, w_out_k)
}

#[test]
fn each_frequency_group_outputs_a_cosine_of_a_plus_b_minus_c() {
    let p = 67;
    let (in_1, out_1) = construction_at(p, 5, 1);
    let (in_3, out_3) = construction_at(p, 7, 3);
    // Neurons 0..5 at frequency 1, neurons 5..12 at frequency 3.
    let w_input = ndarray::concatenate![ndarray::Axis(1), in_1, in_3];
    let w_output = ndarray::concatenate![ndarray::Axis(0), out_1, out_3];
    let neurons = Fourier::new(p)
        .unwrap()
        .coefficients(w_input.view())
        .unwrap()
        .neuron_frequencies();
    assert_eq!(frequency_group(&neurons, 1), (0..5).collect::<Vec<_>>());
    assert_eq!(frequency_group(&neurons, 3), (5..12).collect::<Vec<_>>());
    assert!(frequency_group(&neurons, 2).is_empty());

    let omega = TAU / p as f64;
    for (a, b) in [(0, 0), (3, 10), (20, 61), (66, 66), (5, 40)] {
        let full = pair_logits(w_input.view(), w_output.view(), Activation::Square, a, b).unwrap();
        let mut summed = vec![0.0f32; p];
        for (k, n) in [(1usize, 5.0f64), (3, 7.0)] {
            let group = frequency_group(&neurons, k);
            let wave = masked_logits(
                w_input.view(),
                w_output.view(),
                Activation::Square,
                &group,
                a,
                b,
            )
            .unwrap();
            // x² construction: N·cos²(k(a − b)ω/2) · cos(kω(a + b − c)).
            let amplitude = n
                * (k as f64 * (a as f64 - b as f64) * omega / 2.0)
                    .cos()
                    .powi(2);
            for (c, &v) in wave.iter().enumerate() {
                let phase = k as f64 * omega * (a as f64 + b as f64 - c as f64);
                let expected = amplitude * phase.cos();
                assert!(
                    (f64::from(v) - expected).abs() < 1e-4,
                    "k={k} ({a},{b}) c={c}: {v} vs {expected}"
                );
            }
            for (s, v) in summed.iter_mut().zip(&wave) {
                *s += v;
            }
        }
        // The groups partition the neurons, so their waves add up to the full logits.
        for (s, f) in summed.iter().zip(&full) {
            assert!((s - f).abs() < 1e-4);
        }
    }
}

#[test]
fn weight_norm_of_the_construction() {
    // Σ_a cos²(aω − φ) = M/2 for every phase, so each matrix holds M·N/2.
    let (m, n) = (67, 5);
    let (w_input, w_output) = constructed_weights(m, n).unwrap();
    let expected = ((m * n) as f64).sqrt();
    assert!((weight_norm(&[w_input.view(), w_output.view()]) - expected).abs() < 1e-4);
    assert!((weight_norm(&[w_input.view()]) - (expected / 2f64.sqrt())).abs() < 1e-4);
}
