//! Gradient checks: the hand-written backward passes against central finite differences of
//! the loss, for every model variant and both activations; modular models on both of their
//! paths (the fused AVX2 step where the CPU has it, and the portable whole-batch one).

use grokscope::train::model::Model;
use grokscope::train::presets;
use grokscope::train::task::Data;
use grokscope::train::{Activation, Arch, Config, Param, TaskKind};

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

/// An untied in-proj has only the portable path: asking for the fused step is refused.
#[test]
fn untied_in_projs_train_on_the_portable_path() {
    for arch in [
        Arch::UntiedIn,
        Arch::UntiedEmbedIn,
        Arch::UntiedInCollapsedOut,
    ] {
        let cfg = small_modular(arch, Activation::Relu);
        let data = Data::new(&cfg);
        let Model::Modular(mut m) = Model::new(&cfg, &data) else {
            panic!("modular")
        };
        assert!(!m.set_fused(true), "{arch:?}");
    }
}

/// Compare analytic and numeric gradients of every trainable parameter entry.
/// Returns (entries checked, entries off, relative error of the whole gradient vector).
fn check(cfg: &Config, fused: bool) -> (usize, usize, f64) {
    let data = Data::new(cfg);
    let mut model = Model::new(cfg, &data);
    if let Model::Modular(m) = &mut model {
        m.set_fused(fused);
    }
    let mut grads = model.zero_grads();
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
    fn param(model: &mut Model, pi: usize) -> &mut Param {
        model
            .params_mut()
            .nth(pi)
            .expect("one gradient per parameter")
    }
    for (pi, grad) in grads.iter().enumerate() {
        if !param(&mut model, pi).trainable {
            continue;
        }
        let (rows, cols) = param(&mut model, pi).w.dim();
        for r in 0..rows {
            for c in 0..cols {
                let orig = param(&mut model, pi).w[[r, c]];
                let mut loss_at = |x: f32| {
                    param(&mut model, pi).w[[r, c]] = x;
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

/// The architecture sweep's untied variants: E_out, W_b and the E both in-projs share get
/// their gradients from every half they feed.
#[test]
fn untied_model_gradients() {
    for arch in [
        Arch::UntiedEmbed,
        Arch::UntiedIn,
        Arch::UntiedEmbedIn,
        Arch::UntiedInCollapsedOut,
    ] {
        for act in [Activation::Relu, Activation::Square] {
            let cfg = small_modular(arch, act);
            assert_gradients(&cfg);
            let data = Data::new(&cfg);
            let model = Model::new(&cfg, &data);
            let names: Vec<&str> = model.params().map(|p| p.name).collect();
            assert_eq!(
                names.contains(&"embed_out"),
                arch.untied_embed(),
                "{arch:?}: {names:?}"
            );
            assert_eq!(
                names.contains(&"in_proj_b"),
                arch.untied_in(),
                "{arch:?}: {names:?}"
            );
        }
    }
}

#[test]
fn fixed_circle_gradients_leave_the_embedding_frozen() {
    for act in [Activation::Relu, Activation::Square] {
        let cfg = small_modular(Arch::FixedCircle, act);
        assert_gradients(&cfg);
        let data = Data::new(&cfg);
        let model = Model::new(&cfg, &data);
        let frozen: Vec<_> = model.params().filter(|p| !p.trainable).collect();
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

/// The fused step and the whole-batch path compute the same gradient and loss from the
/// same weights, for every variant and both activations, at the presets' own sizes
/// (several blocks of 32 examples and a partial last one).
///
/// Both are f32 throughout and differ only in the order of their sums: the fused step
/// accumulates over blocks of 32 examples, the whole-batch path over the whole set. Each gradient
/// entry is a sum of up to N·P terms (N ≈ 5000); reordering such a sum in f32 moves it by a
/// few ulps of the largest partial sums, so the paths agree to 1e-4 of the largest gradient
/// entry (observed: under 1e-5) and the loss, a sum accumulated in f64 from f32 terms, to
/// 1e-6 relative.
#[test]
fn fused_step_matches_the_whole_batch_path_on_the_same_weights() {
    // An untied embedding keeps one U for both operands, so it takes the fused step too.
    for (name, arch) in [
        ("mod-add", None),
        ("mod-add-collapsed", None),
        ("mod-add-collapsed-in", None),
        ("mod-add-collapsed-out", None),
        ("five-neurons", None),
        ("mod-add", Some(Arch::UntiedEmbed)),
    ] {
        for act in [Activation::Relu, Activation::Square] {
            let mut cfg = presets::find(name).unwrap().config;
            cfg.activation = act;
            if let Some(a) = arch {
                cfg.arch = a;
            }
            let data = Data::new(&cfg);
            let run = |fused: bool| {
                let mut model = Model::new(&cfg, &data);
                let Model::Modular(m) = &mut model else {
                    panic!("{name} is modular")
                };
                assert_eq!(m.set_fused(fused), fused);
                let mut grads = model.zero_grads();
                let score = model.forward_backward(&data, &mut grads);
                let trained: Vec<bool> = model.params().map(|p| p.trainable).collect();
                (score, grads, trained)
            };
            let ((fast, gf, trained), (slow, gs, _)) = (run(true), run(false));
            let rel = (fast.loss - slow.loss).abs() / slow.loss;
            assert!(
                rel < 1e-6,
                "{name} {act}: loss {} vs {}",
                fast.loss,
                slow.loss
            );
            let pairs = gf.iter().zip(gs.iter()).zip(trained);
            for ((a, b), _) in pairs.filter(|(_, trained)| *trained) {
                let big = b.iter().fold(0f32, |m, x| m.max(x.abs()));
                assert!(big > 0.0, "{name} {act}: a zero gradient proves nothing");
                let d = a.iter().zip(b).fold(0f32, |m, (x, y)| m.max((x - y).abs()));
                assert!(
                    d <= 1e-4 * big,
                    "{name} {act}: gradients differ by {d} (largest {big})"
                );
            }
        }
    }
}
