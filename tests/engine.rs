//! Known answers of the engine: initial loss, splits, determinism, the optimiser's update
//! rules, checkpoints, and a small model that memorizes first and generalizes later.

use grokscope::train::checkpoint;
use grokscope::train::model::Model;
use grokscope::train::presets;
use grokscope::train::task::{Data, apply_op};
use grokscope::train::{Arch, Config, Decay, Metrics, Op, Threads, Trainer};
use std::collections::HashSet;

fn preset(name: &str) -> Config {
    presets::find(name).unwrap().config
}

#[test]
fn initial_loss_is_ln_p_over_p_for_modular_tasks() {
    for (name, p) in [
        ("mod-add", 67usize),
        ("five-neurons", 67),
        ("mod-add-collapsed", 67),
    ] {
        let mut cfg = preset(name);
        cfg.modulus = p;
        let mut t = Trainer::new(cfg, Threads(1)).unwrap();
        let m = t.evaluate();
        let expect = (p as f64).ln() / p as f64;
        // Random logits add a little: within 5 % of ln(P)/P.
        assert!(
            (m.train_loss - expect).abs() < 0.05 * expect,
            "{name}: {} vs {expect}",
            m.train_loss
        );
    }
    let mut cfg = preset("mod-add");
    cfg.modulus = 13;
    cfg.embed = 32;
    let mut t = Trainer::new(cfg, Threads(1)).unwrap();
    let loss = t.evaluate().train_loss;
    assert!((loss - 13f64.ln() / 13.0).abs() < 0.05 * 13f64.ln() / 13.0);
}

#[test]
fn initial_parity_loss_is_near_ln_2() {
    let mut t = Trainer::new(preset("parity"), Threads(1)).unwrap();
    let m = t.evaluate();
    assert!(
        (m.train_loss - std::f64::consts::LN_2).abs() < 0.1,
        "{}",
        m.train_loss
    );
    assert!((m.test_acc - 0.5).abs() < 0.05);
}

#[test]
fn the_main_split_has_the_spec_sizes_and_no_overlap() {
    let cfg = preset("mod-add");
    let Data::Modular { train, test } = Data::new(&cfg) else {
        panic!()
    };
    assert_eq!((train.len(), test.len()), (911, 1367));
    let tr: HashSet<_> = train.a.iter().zip(&train.b).collect();
    let te: HashSet<_> = test.a.iter().zip(&test.b).collect();
    assert_eq!(tr.len(), 911, "no duplicate pairs");
    assert_eq!(te.len(), 1367);
    assert!(tr.is_disjoint(&te));
    for set in [&train, &test] {
        for i in 0..set.len() {
            assert!(set.a[i] <= set.b[i], "symmetric pairs only");
            assert_eq!(set.y[i], (set.a[i] + set.b[i]) % 67);
        }
    }
    // Another seed, another split; the same seed, the same split.
    let mut other = cfg.clone();
    other.seed = 1;
    assert_ne!(Data::new(&other), Data::new(&cfg));
    assert_eq!(Data::new(&cfg), Data::new(&cfg));
}

#[test]
fn other_operations_and_full_pair_sets() {
    let mut cfg = preset("mod-add");
    cfg.modulus = 11;
    cfg.symmetric = false;
    for op in [Op::Sub, Op::Mul, Op::Div] {
        cfg.op = op;
        cfg.validate().unwrap();
        let Data::Modular { train, test } = Data::new(&cfg) else {
            panic!()
        };
        let expect = if op == Op::Div { 11 * 10 } else { 121 };
        assert_eq!(train.len() + test.len(), expect);
        for set in [&train, &test] {
            for i in 0..set.len() {
                let (a, b, y) = (set.a[i], set.b[i], set.y[i]);
                match op {
                    Op::Sub => assert_eq!((y + b) % 11, a),
                    Op::Mul => assert_eq!(y, a * b % 11),
                    Op::Div => assert_eq!(y * b % 11, a, "{a} / {b}"),
                    Op::Add => unreachable!(),
                }
            }
        }
    }
    assert_eq!(apply_op(Op::Div, 3, 0, 11), None);
    cfg.modulus = 12;
    assert!(cfg.validate().is_err(), "division needs a prime modulus");
}

#[test]
fn parity_data_labels_the_first_k_bits_and_carries_the_bias_input() {
    let cfg = preset("parity");
    let Data::Parity { train, test } = Data::new(&cfg) else {
        panic!()
    };
    assert_eq!((train.len(), test.len()), (1200, 5000));
    for set in [&train, &test] {
        assert_eq!(set.x.ncols(), 31);
        for (row, &y) in set.x.rows().into_iter().zip(&set.y) {
            assert_eq!(row[30], 1.0);
            let ones: f32 = row.iter().take(3).sum();
            assert_eq!(y, ones % 2.0);
        }
    }
    let share: f32 = train.y.iter().sum::<f32>() / 1200.0;
    assert!((share - 0.5).abs() < 0.05, "balanced labels: {share}");
}

/// The metrics every 10 steps of `steps` steps of training.
fn trace(cfg: &Config, steps: u64) -> Vec<Metrics> {
    let mut t = Trainer::new(cfg.clone(), Threads(1)).unwrap();
    let mut out = Vec::new();
    for _ in 0..steps {
        t.step().unwrap();
        if t.step_count().is_multiple_of(10) {
            out.push(t.evaluate());
        }
    }
    out
}

#[test]
fn the_same_seed_gives_identical_metrics_and_another_seed_does_not() {
    for name in ["mod-add", "five-neurons", "parity", "mod-add-collapsed-out"] {
        let mut cfg = preset(name);
        if cfg.arch == Arch::Factored || cfg.arch == Arch::CollapsedOut {
            cfg.embed = 64; // keep the test quick
        }
        let a = trace(&cfg, 60);
        assert_eq!(a, trace(&cfg, 60), "{name}");
        cfg.seed += 1;
        assert_ne!(a, trace(&cfg, 60), "{name}");
    }
}

#[test]
fn l2_decay_is_decoupled_adamw_on_the_first_step() {
    // With m = v = 0, Adam's first update is g/(|g| + ε) per entry, so
    // p₁ = p₀ − lr·(sign(g)·|g|/(|g|+ε) + wd·p₀).
    let mut cfg = preset("mod-add");
    cfg.embed = 16;
    cfg.lr = 1e-2;
    cfg.weight_decay = 0.5;
    let mut t = Trainer::new(cfg, Threads(1)).unwrap();
    let before: Vec<_> = t.params().iter().map(|p| p.w.clone()).collect();
    t.step().unwrap();
    let grads: Vec<_> = t.grads().iter().cloned().collect();
    for (i, p) in t.params().iter().enumerate() {
        for ((&w1, &w0), &g) in p.w.iter().zip(before[i].iter()).zip(grads[i].iter()) {
            let (w0, g) = (w0 as f64, g as f64);
            let expect = w0 - 1e-2 * (g / (g.abs() + 1e-8) + 0.5 * w0);
            assert!((w1 as f64 - expect).abs() < 1e-6, "{w1} vs {expect}");
        }
    }
}

#[test]
fn l1_decay_adds_the_sign_before_adam() {
    // A strong L1 term dominates every gradient: Adam normalises it, so on the first step
    // every weight moves exactly lr toward zero.
    let mut cfg = preset("parity");
    cfg.weight_decay = 1e3;
    cfg.lr = 1e-3;
    assert_eq!(cfg.decay, Decay::L1);
    let mut t = Trainer::new(cfg, Threads(1)).unwrap();
    let before: Vec<_> = t.params().iter().map(|p| p.w.clone()).collect();
    t.step().unwrap();
    for (i, p) in t.params().iter().enumerate() {
        for (&w1, &w0) in p.w.iter().zip(before[i].iter()) {
            let expect = w0 - 1e-3 * w0.signum();
            assert!((w1 - expect).abs() < 1e-6, "{w0} → {w1}, expected {expect}");
        }
    }
}

#[test]
fn fixed_circle_keeps_its_embedding() {
    let embed = |t: &Trainer| match t.model() {
        Model::Modular(m) => m
            .params()
            .embed
            .clone()
            .expect("five-neurons has an embedding"),
        Model::Parity(_) => panic!("five-neurons is modular"),
    };
    let mut t = Trainer::new(preset("five-neurons"), Threads(1)).unwrap();
    let e0 = embed(&t);
    assert!(!e0.trainable);
    assert_eq!(t.params()[0], &e0, "the embedding comes first");
    let e0 = e0.w;
    for _ in 0..20 {
        t.step().unwrap();
    }
    assert_eq!(embed(&t).w, e0);
    // Unit-norm columns of (cos, sin).
    for col in e0.columns() {
        assert!((col.dot(&col) - 1.0).abs() < 1e-5);
    }
    assert_eq!(
        t.params()
            .iter()
            .filter(|p| p.trainable)
            .map(|p| p.w.len())
            .sum::<usize>(),
        20
    );
}

#[test]
fn checkpoints_round_trip_exactly_and_resume_bit_for_bit() {
    let dir = std::env::temp_dir().join(format!("grokscope-ckpt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["mod-add", "parity", "mod-add-collapsed-in"] {
        let mut cfg = preset(name);
        if cfg.arch != Arch::Mlp {
            cfg.embed = 32;
        }
        let mut straight = Trainer::new(cfg.clone(), Threads(1)).unwrap();
        let mut first = Trainer::new(cfg, Threads(1)).unwrap();
        for _ in 0..25 {
            straight.step().unwrap();
            first.step().unwrap();
        }
        let path = dir.join(format!("{name}.grok"));
        checkpoint::save(&first, &path).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let mut resumed = checkpoint::load(&path, Threads(1)).unwrap();
        assert_eq!(
            checkpoint::encode(&resumed),
            bytes,
            "{name}: re-encoding is identical"
        );
        assert_eq!(resumed.step_count(), 25);
        assert_eq!(resumed.config(), first.config());
        for _ in 0..25 {
            straight.step().unwrap();
            resumed.step().unwrap();
        }
        assert_eq!(straight.evaluate(), resumed.evaluate(), "{name}");
        for (a, b) in straight.params().iter().zip(resumed.params()) {
            assert_eq!(a.w, b.w);
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn corrupt_and_truncated_checkpoints_are_rejected_with_a_reason() {
    let mut cfg = preset("parity");
    cfg.hidden = 8;
    let t = Trainer::new(cfg, Threads(1)).unwrap();
    let err = |b: &[u8]| match checkpoint::decode(b, "x", Threads(1)) {
        Ok(_) => panic!("accepted a damaged checkpoint"),
        Err(e) => e.to_string(),
    };
    // The format before safetensors.
    let v1 = checkpoint::encode_v1(&t);
    assert!(err(&v1[..v1.len() - 3]).contains("x:"));
    assert!(err(&v1[..40]).contains("truncated") || err(&v1[..40]).contains("checksum"));
    let mut version = v1.clone();
    version[15] = 9;
    assert!(err(&version).contains("version"));
    assert!(checkpoint::decode(&v1, "x", Threads(1)).is_ok());
    // This build's safetensors file.
    let bytes = checkpoint::encode(&t);
    assert!(err(&bytes[..bytes.len() - 3]).contains("not a whole safetensors file"));
    assert!(err(&bytes[..40]).contains("not a whole safetensors file"));
    assert!(err(b"hello").contains("not a grokscope checkpoint"));
    let mut flipped = bytes.clone();
    let mid = flipped.len() - (flipped.len() - 1000) / 2;
    flipped[mid] ^= 0x40;
    assert!(err(&flipped).contains("checksum"));
    let key = b"\"version\":\"2\"";
    let at = bytes
        .windows(key.len())
        .position(|w| w == key)
        .expect("the version in the metadata")
        + 11;
    let mut version = bytes.clone();
    version[at] = b'9';
    assert!(err(&version).contains("version 9"));
    assert!(checkpoint::decode(&bytes, "x", Threads(1)).is_ok());
}

#[test]
fn a_small_model_memorizes_first_and_generalizes_later() {
    // a + b mod 31, 70 % of the pairs: fits the training set within ~500 steps, then needs
    // thousands more to generalize (about 0.5 s in an optimised build).
    let mut cfg = preset("mod-add");
    cfg.modulus = 31;
    cfg.embed = 64;
    cfg.train_frac = 0.7;
    let mut t = Trainer::new(cfg, Threads(1)).unwrap();
    let mut memorized_at = None;
    let mut test_at_memorized = 0.0;
    let mut generalized_at = None;
    let mut max_test_before_memorized: f64 = 0.0;
    while t.step_count() < 8_000 && generalized_at.is_none() {
        for _ in 0..50 {
            t.step().unwrap();
        }
        let m = t.evaluate();
        if memorized_at.is_none() {
            max_test_before_memorized = max_test_before_memorized.max(m.test_acc);
            if m.train_acc == 1.0 {
                memorized_at = Some(m.step);
                test_at_memorized = m.test_acc;
            }
        } else if m.test_acc >= 0.95 {
            generalized_at = Some(m.step);
        }
    }
    let mem = memorized_at.expect("the training set is fitted");
    let general = generalized_at.expect("the model generalizes within 8,000 steps");
    assert!(mem <= 1_000, "memorized at {mem}");
    assert!(
        test_at_memorized < 0.3,
        "test accuracy {test_at_memorized} when memorized"
    );
    assert!(max_test_before_memorized < 0.3);
    assert!(
        general >= 3 * mem,
        "generalized at {general}, memorized at {mem}: no delay"
    );
}

#[test]
fn invalid_settings_name_the_problem() {
    let base = preset("mod-add");
    type Edit = Box<dyn Fn(&mut Config)>;
    let cases: Vec<(Edit, &str)> = vec![
        (Box::new(|c| c.modulus = 1), "modulus"),
        (Box::new(|c| c.train_frac = 1.0), "train fraction"),
        (Box::new(|c| c.train_frac = 0.0), "train fraction"),
        (Box::new(|c| c.hidden = 0), "hidden"),
        (Box::new(|c| c.lr = -1e-3), "learning rate"),
        (Box::new(|c| c.weight_decay = -1.0), "weight decay"),
        (Box::new(|c| c.weight_decay = f64::NAN), "weight decay"),
        (Box::new(|c| c.embed = 0), "embed"),
        (Box::new(|c| c.op = Op::Sub), "symmetric"),
        (Box::new(|c| c.train_frac = 0.0001), "empty"),
    ];
    for (f, word) in cases {
        let mut c = base.clone();
        f(&mut c);
        let e = c.validate().unwrap_err().to_string();
        assert!(e.contains(word), "'{e}' should mention {word}");
        assert!(!e.contains('\n'));
        assert!(Trainer::new(c, Threads(1)).is_err());
    }
    assert!(presets::find("mod-mul").is_err());
}

#[test]
fn weights_are_the_articles_matrices_and_their_factors() {
    use grokscope::train::Weights;
    use ndarray::Array2;
    // Largest deviation of a product of f32 factors from the f32 product the model keeps.
    let off = |got: Array2<f64>, want: &Array2<f64>| {
        let tol = 1e-5 * (1.0 + want.iter().fold(0f64, |m, x| m.max(x.abs())));
        let d = (got - want).iter().fold(0f64, |m, x| m.max(x.abs()));
        (d, tol)
    };
    // (preset, has W_in, has W_out): the factors exactly where the variant has them.
    for (name, has_in, has_out) in [
        ("mod-add", true, true),
        ("five-neurons", true, true),
        ("mod-add-collapsed", false, false),
        ("mod-add-collapsed-in", false, true),
        ("mod-add-collapsed-out", true, false),
    ] {
        let mut cfg = preset(name);
        cfg.steps = 3;
        let mut t = Trainer::new(cfg, Threads(1)).unwrap();
        for _ in 0..3 {
            t.step().unwrap();
        }
        let Weights::Modular(w) = t.weights() else {
            panic!("{name}: a modular preset gives modular weights");
        };
        let p = t.config().modulus;
        let h = t.config().hidden;
        assert_eq!(w.w_input.dim(), (p, h), "{name}");
        assert_eq!(w.w_output.dim(), (h, p), "{name}");
        assert_eq!(w.in_proj.is_some(), has_in, "{name}: W_in");
        assert_eq!(w.out_proj.is_some(), has_out, "{name}: W_out");
        assert_eq!(w.embed.is_some(), has_in || has_out, "{name}: E");
        // W_input = E·W_in and W_output = W_out·Eᵀ, up to f32 rounding of the product.
        if let (Some(e), Some(wi)) = (&w.embed, &w.in_proj) {
            let (d, tol) = off(e.dot(wi), &w.w_input);
            assert!(d < tol, "{name}: W_input is {d} off E·W_in");
        }
        if let (Some(e), Some(wo)) = (&w.embed, &w.out_proj) {
            let (d, tol) = off(wo.dot(&e.t()), &w.w_output);
            assert!(d < tol, "{name}: W_output is {d} off W_out·Eᵀ");
        }
    }
    let mut cfg = preset("parity");
    cfg.steps = 1;
    let t = Trainer::new(cfg.clone(), Threads(1)).unwrap();
    let Weights::Parity(w) = t.weights() else {
        panic!("parity gives parity weights");
    };
    assert_eq!(w.w1.dim(), (cfg.n_bits + 1, cfg.hidden));
    assert_eq!(w.w2.dim(), (cfg.hidden, 1));
}

/// 64-bit FNV-1a, to name a file's bytes in a message.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Checkpoints written by the code before the parameters had names (`grokscope run
/// --modulus 11 --hidden 8 --embed 4 --steps 30 --out DIR`, parity with `--train-size 40`,
/// five-neurons without `--embed`) still load, with the step they were saved at, and
/// re-encode to the same bytes: the tensors' order and names are unchanged. (Their weights
/// came from the arithmetic before the one defined in `train::simd`; the bits of today's
/// training are pinned by `tests/kernels.rs`.)
#[test]
fn checkpoints_of_the_unnamed_parameters_load_and_re_encode_byte_for_byte() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/base-checkpoints");
    for name in [
        "mod-add",
        "mod-add-collapsed",
        "mod-add-collapsed-in",
        "mod-add-collapsed-out",
        "five-neurons",
        "parity",
    ] {
        let path = dir.join(format!("{name}.grok"));
        let old = std::fs::read(&path).unwrap();
        let loaded = checkpoint::load(&path, Threads(1)).unwrap();
        assert_eq!(loaded.step_count(), 30, "{name}");
        assert!(
            checkpoint::encode_v1(&loaded) == old,
            "{name}: re-encoding the old file changes its bytes (FNV-1a {:016x})",
            fnv1a(&old)
        );
    }
}

/// The untied variants' weights: W_input is a's side E_in·W_a, `w_input_b` b's side
/// E_in·W_b, W_output = W_out·E_outᵀ; their first three draws are the factored model's
/// (E, W_in, W_out), the new tensors drawn after them.
#[test]
fn untied_variants_are_the_articles_general_model() {
    use grokscope::train::Weights;
    use ndarray::Array2;
    let off = |got: Array2<f64>, want: &Array2<f64>| {
        let tol = 1e-5 * (1.0 + want.iter().fold(0f64, |m, x| m.max(x.abs())));
        let d = (got - want).iter().fold(0f64, |m, x| m.max(x.abs()));
        assert!(d < tol, "{d} off (tolerance {tol})");
    };
    let mut base = preset("mod-add");
    base.embed = 16;
    let weights = |arch: Arch, steps: usize| {
        let mut cfg = base.clone();
        cfg.arch = arch;
        let mut t = Trainer::new(cfg, Threads(1)).unwrap();
        for _ in 0..steps {
            t.step().unwrap();
        }
        match t.weights() {
            Weights::Modular(w) => w,
            Weights::Parity(_) => panic!("modular"),
        }
    };
    let factored = weights(Arch::Factored, 0);
    let collapsed_out = weights(Arch::CollapsedOut, 0);
    for arch in [
        Arch::UntiedEmbed,
        Arch::UntiedIn,
        Arch::UntiedEmbedIn,
        Arch::UntiedInCollapsedOut,
    ] {
        let init = weights(arch, 0);
        assert_eq!(init.arch, arch);
        assert_eq!(init.embed, factored.embed, "{arch:?}: E is drawn first");
        assert_eq!(
            init.in_proj, factored.in_proj,
            "{arch:?}: W_in (W_a) second"
        );
        if arch == Arch::UntiedInCollapsedOut {
            assert_eq!(init.w_output, collapsed_out.w_output, "{arch:?}: W_output");
        } else if arch.untied_embed() {
            assert_eq!(init.out_proj, factored.out_proj, "{arch:?}: W_out third");
            assert_ne!(
                init.embed_out, init.embed,
                "{arch:?}: E_out is its own draw"
            );
        } else {
            assert_eq!(init.w_output, factored.w_output, "{arch:?}: W_output");
        }
        let w = weights(arch, 3);
        let e = w.embed.as_ref().unwrap();
        off(e.dot(w.in_proj.as_ref().unwrap()), &w.w_input);
        assert_eq!(w.embed_out.is_some(), arch.untied_embed(), "{arch:?}");
        assert_eq!(w.w_input_b.is_some(), arch.untied_in(), "{arch:?}");
        assert_eq!(w.in_proj_b.is_some(), arch.untied_in(), "{arch:?}");
        if let (Some(wb), Some(ub)) = (&w.in_proj_b, &w.w_input_b) {
            off(e.dot(wb), ub);
            assert_ne!(ub, &w.w_input, "{arch:?}: a's and b's sides differ");
        }
        if let Some(wo) = &w.out_proj {
            let e_out = w.embed_out.as_ref().unwrap_or(e);
            off(wo.dot(&e_out.t()), &w.w_output);
        }
    }
}

/// Checkpoints of the untied variants hold their own tensors and resume bit for bit.
#[test]
fn untied_checkpoints_round_trip_and_resume_bit_for_bit() {
    let dir = std::env::temp_dir().join(format!("grokscope-untied-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for arch in [Arch::UntiedEmbedIn, Arch::UntiedInCollapsedOut] {
        let mut cfg = preset("mod-add");
        cfg.embed = 16;
        cfg.arch = arch;
        let mut straight = Trainer::new(cfg.clone(), Threads(1)).unwrap();
        for _ in 0..10 {
            straight.step().unwrap();
        }
        let path = dir.join(format!("{}.grok", arch.name()));
        checkpoint::save(&straight, &path).unwrap();
        let mut resumed = checkpoint::load(&path, Threads(1)).unwrap();
        assert_eq!(resumed.config().arch, arch);
        let names: Vec<&str> = resumed.params().iter().map(|p| p.name).collect();
        assert!(names.contains(&"in_proj_b"), "{names:?}");
        for _ in 0..10 {
            straight.step().unwrap();
            resumed.step().unwrap();
        }
        assert_eq!(straight.evaluate(), resumed.evaluate(), "{arch:?}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// Only the eight real models parse; a combination of switches that is none is one line.
#[test]
fn architectures_that_are_no_model_are_rejected_by_name() {
    for a in Arch::ALL {
        assert_eq!(a.name().parse::<Arch>(), Ok(a));
    }
    for bad in ["untied-in-collapsed-in", "untied-embed-collapsed-out"] {
        let e = bad.parse::<Arch>().unwrap_err();
        assert!(e.contains("is not a model") && !e.contains('\n'), "{e}");
    }
    let e = "tied".parse::<Arch>().unwrap_err();
    assert!(e.contains("untied-embed-in"), "{e}");
}
