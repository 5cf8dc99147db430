//! Gradient checks: the hand-written backward passes against central finite differences of
//! the loss, for every model variant and both activations; modular models on both of their
//! paths (the fused AVX2 step where the CPU has it, and the portable whole-batch one).

use grokscope::train::model::Model;
use grokscope::train::presets;
use grokscope::train::task::Data;
use grokscope::train::{Activation, Arch, Config, TaskKind, Threads};
use ndarray::Array2;

fn small_modular(arch: Arch, act: Activation) -> Config {
    let mut c = presets::find("mod-add").unwrap().config;
    c.arch = arch;
    c.modulus = 7;
    c.embed = if arch == Arch::FixedCircle { 2 } else { 6 };
    c.hidden = 5;
    c.train_frac = 0.6;
    c.activation = act;
    c.seed = 11;
    c.validate().unwrap();
    c
}

fn small_parity(act: Activation) -> Config {
    let mut c = presets::find("parity").unwrap().config;
    c.n_bits = 6;
    c.hidden = 7;
    c.n_train = 40;
    c.n_test = 10;
    c.activation = act;
    c.seed = 5;
    c.validate().unwrap();
    c
}

/// Compare analytic and numeric gradients of every trainable parameter entry.
/// Returns (entries checked, entries off, relative error of the whole gradient vector).
fn check(cfg: &Config, fused: bool) -> (usize, usize, f64) {
    let data = Data::new(cfg);
    let mut model = Model::new(cfg, &data, Threads(1));
    if let Model::Modular(m) = &mut model {
        m.set_fused(fused);
    }
    let mut grads: Vec<Array2<f32>> = model
        .params()
        .iter()
        .map(|p| Array2::zeros(p.w.raw_dim()))
        .collect();
    model.forward_backward(&data, &mut grads);
    // The loss is f32 at heart (ulp ≈ 3e-8 near its initial value), so a probe of width ε
    // carries rounding noise of order 3e-8/ε. x² is smooth: ε = 1e-2 keeps that noise near
    // 3e-6 with O(ε²) truncation under 1 %. ReLU has kinks a wide probe straddles, so it
    // gets ε = 1e-3 and the matching noise allowance.
    let eps = match cfg.activation {
        Activation::Square => 1e-2f32,
        Activation::Relu => 1e-3f32,
    };
    let (mut checked, mut off) = (0, 0);
    let (mut diff2, mut norm2) = (0.0f64, 0.0f64);
    for (pi, grad) in grads.iter().enumerate() {
        if !model.params()[pi].trainable {
            continue;
        }
        let (rows, cols) = model.params()[pi].w.dim();
        for r in 0..rows {
            for c in 0..cols {
                let orig = model.params()[pi].w[[r, c]];
                let mut loss_at = |x: f32| {
                    model.params_mut()[pi].w[[r, c]] = x;
                    model.refresh();
                    model.evaluate(&data).0.loss
                };
                let lp = loss_at(orig + eps);
                let lm = loss_at(orig - eps);
                loss_at(orig);
                let numeric = (lp - lm) / (2.0 * eps as f64);
                let analytic = grad[[r, c]] as f64;
                diff2 += (numeric - analytic).powi(2);
                norm2 += numeric.powi(2);
                checked += 1;
                let tol = 2e-2 * numeric.abs().max(analytic.abs()) + 5e-8 / eps as f64;
                if (numeric - analytic).abs() > tol {
                    off += 1;
                }
            }
        }
    }
    (checked, off, (diff2 / norm2.max(1e-30)).sqrt())
}

fn assert_gradients(cfg: &Config) {
    let paths: &[bool] = match cfg.task {
        TaskKind::Modular => &[true, false],
        TaskKind::Parity => &[true],
    };
    for &fused in paths {
        assert_gradients_on(cfg, fused);
    }
}

fn assert_gradients_on(cfg: &Config, fused: bool) {
    let (checked, off, rel) = check(cfg, fused);
    assert!(checked > 0);
    match cfg.activation {
        // x² is smooth: every entry must match.
        Activation::Square => assert_eq!(
            off,
            0,
            "{} (fused {fused}): {off}/{checked} entries off",
            cfg.describe()
        ),
        // ReLU has kinks a ±ε probe can straddle; allow a few entries, not a pattern.
        Activation::Relu => assert!(
            off * 50 <= checked,
            "{} (fused {fused}): {off}/{checked} entries off",
            cfg.describe()
        ),
    }
    assert!(
        rel < 1e-2,
        "{} (fused {fused}): relative gradient error {rel}",
        cfg.describe()
    );
}

#[test]
fn factored_model_gradients() {
    for act in [Activation::Relu, Activation::Square] {
        assert_gradients(&small_modular(Arch::Factored, act));
    }
}

#[test]
fn collapsed_model_gradients() {
    for act in [Activation::Relu, Activation::Square] {
        assert_gradients(&small_modular(Arch::Collapsed, act));
    }
}

#[test]
fn half_collapsed_model_gradients() {
    for arch in [Arch::CollapsedIn, Arch::CollapsedOut] {
        for act in [Activation::Relu, Activation::Square] {
            assert_gradients(&small_modular(arch, act));
        }
    }
}

#[test]
fn fixed_circle_gradients_leave_the_embedding_frozen() {
    for act in [Activation::Relu, Activation::Square] {
        let cfg = small_modular(Arch::FixedCircle, act);
        assert_gradients(&cfg);
        let data = Data::new(&cfg);
        let model = Model::new(&cfg, &data, Threads(1));
        let frozen: Vec<_> = model.params().iter().filter(|p| !p.trainable).collect();
        assert_eq!(frozen.len(), 1, "exactly the embedding is frozen");
        assert_eq!(frozen[0].w.dim(), (7, 2));
    }
}

#[test]
fn parity_model_gradients() {
    for act in [Activation::Relu, Activation::Square] {
        assert_gradients(&small_parity(act));
    }
}

#[test]
fn non_commutative_and_all_pairs_tasks_have_gradients_too() {
    let mut cfg = small_modular(Arch::Factored, Activation::Square);
    cfg.op = grokscope::train::Op::Div;
    cfg.symmetric = false;
    cfg.validate().unwrap();
    assert_gradients(&cfg);
}
