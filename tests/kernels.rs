//! The step's one arithmetic (see `train::simd`): every kernel this CPU can run trains
//! every preset to the same bits, and a known-answer digest per preset pins those bits, so
//! a change of arithmetic is noticed on purpose, never by accident. Sharing a step among
//! threads (`--threads`) must not move a bit either.

use grokscope::train::{Arch, Config, Kernel, Threads, Trainer, presets};

/// 64-bit FNV-1a over words.
fn fnv1a(words: impl IntoIterator<Item = u64>) -> u64 {
    words.into_iter().fold(0xcbf2_9ce4_8422_2325, |h, w| {
        w.to_le_bytes().iter().fold(h, |h, &b| {
            (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
        })
    })
}

/// Everything a run's bits show: the training loss of every step, then the final train
/// and test loss and accuracy, then every parameter.
fn trace(name: &str, steps: u64, kernel: Kernel) -> Vec<u64> {
    trace_config(presets::find(name).unwrap().config, steps, kernel, 1)
}

/// [`trace`] of any settings, on `threads` threads.
fn trace_config(cfg: Config, steps: u64, kernel: Kernel, threads: usize) -> Vec<u64> {
    let name = cfg.preset.clone();
    let mut t = Trainer::new(cfg, Threads(threads)).unwrap();
    t.set_kernel(kernel);
    let mut out = Vec::new();
    for _ in 0..steps {
        let score = t
            .step()
            .unwrap_or_else(|d| panic!("{name}: diverged: {d:?}"));
        out.push(score.loss.to_bits());
    }
    let m = t.evaluate();
    out.extend([m.train_loss, m.test_loss, m.train_acc, m.test_acc].map(f64::to_bits));
    for p in t.params() {
        out.extend(p.w.iter().map(|x| x.to_bits() as u64));
    }
    out
}

/// Train `name` for `steps` steps on every kernel here; all must agree bit for bit, and
/// their digest must be `want`.
fn check(name: &str, steps: u64, want: u64) {
    let kernels = Kernel::available_all();
    let runs: Vec<Vec<u64>> = kernels.iter().map(|&k| trace(name, steps, k)).collect();
    for (k, run) in kernels.iter().zip(&runs).skip(1) {
        let first = runs[0].iter().zip(run).position(|(a, b)| a != b);
        assert!(
            first.is_none() && run.len() == runs[0].len(),
            "{name}: {} and {} differ first at word {first:?} of the trace (steps' losses, \
             then final metrics, then parameters)",
            kernels[0].name(),
            k.name()
        );
    }
    // The native kernel again, its step shared among two and three threads.
    let cfg = presets::find(name).unwrap().config;
    for threads in [2, 3] {
        let run = trace_config(cfg.clone(), steps, kernels[0], threads);
        let first = runs[0].iter().zip(&run).position(|(a, b)| a != b);
        assert!(
            first.is_none() && run.len() == runs[0].len(),
            "{name}: {threads} threads differ from one first at word {first:?} of the trace"
        );
    }
    let got = fnv1a(runs[0].iter().copied());
    assert_eq!(
        got, want,
        "{name}: the trained bits moved (digest {got:#018x}, pinned {want:#018x}). If the \
         step's arithmetic changed on purpose, pin the new digest here and re-measure the \
         README's figures that depend on it (grok steps, the gallery, the parity trace)"
    );
}

#[test]
fn mod_add_trains_the_same_on_every_kernel() {
    check("mod-add", 150, 0x654c2e9cb5621464);
}

#[test]
fn collapsed_models_train_the_same_on_every_kernel() {
    check("mod-add-collapsed", 150, 0xa2bd1f48407c79c1);
    check("mod-add-collapsed-in", 150, 0x42650b9909755661);
    check("mod-add-collapsed-out", 150, 0x015925a8ee13cd7b);
}

#[test]
fn small_modular_presets_train_the_same_on_every_kernel() {
    check("reverse-grok", 300, 0x298cb6b6608842c9);
    check("regrok", 300, 0x6880b4ddb3de73f4);
    check("five-neurons", 300, 0xe63f9dcc0076babb);
}

#[test]
fn parity_presets_train_the_same_on_every_kernel() {
    check("parity", 100, 0x238507b49378e003);
    check("parity-l2", 100, 0x0fda8ab667f28dc0);
}

/// Every modular architecture at the article's size (the untied ones take the whole-batch
/// path, whose products are shared too), on one, two and three threads.
#[test]
fn every_architecture_trains_the_same_on_any_number_of_threads() {
    for arch in Arch::ALL {
        if arch == Arch::Mlp {
            continue;
        }
        let mut cfg = presets::find("mod-add").unwrap().config;
        cfg.arch = arch;
        if arch == Arch::FixedCircle {
            cfg.embed = 2;
        }
        let one = trace_config(cfg.clone(), 40, Kernel::native(), 1);
        for threads in [2, 3] {
            let run = trace_config(cfg.clone(), 40, Kernel::native(), threads);
            assert!(run == one, "{arch:?}: {threads} threads differ from one");
        }
    }
}

#[test]
fn every_preset_is_covered() {
    let covered = [
        "mod-add",
        "mod-add-collapsed",
        "mod-add-collapsed-in",
        "mod-add-collapsed-out",
        "reverse-grok",
        "regrok",
        "five-neurons",
        "parity",
        "parity-l2",
    ];
    for p in presets::all() {
        assert!(
            covered.contains(&p.name),
            "{}: add it to the kernel tests",
            p.name
        );
    }
}
