//! The mechanism of a modular model, as the article's second half draws it ("It's Full of
//! Stars"): each neuron's Fourier coefficients (constant, cos k, sin k) of its W_input column
//! (over the inputs a) and its W_output row (over the outputs c), the neurons grouped by
//! their dominant frequency and ordered by phase, and for a chosen pair (a, b) each group's
//! contribution to the logits over c, the total and its argmax.
//!
//! Not one of the [`super::Readings`] every frame carries: the mechanism view computes it
//! from the frame on screen when it draws (and remembers it while the frame stays), so
//! training pays nothing for it. Cost at P = 67, H = 24 (`mechanism_cost` in the tests
//! prints it): about 0.16 ms per frame read, 0.01 ms per pair's logits.
//!
//! The logits are the model's (`act(W_input[a] + W_input[b]) · W_output`, no bias, see
//! `train/model.rs`): each neuron adds `act(...)_j · W_output[j]`, so the groups, which
//! partition the neurons, add up to the model's logits.

use crate::analysis::{
    AnalysisError, Fourier, FourierCoeffs, NeuronFrequency, masked_logits, pair_logits,
};
use crate::train::task::{apply_op, modular_split};
use crate::train::weights::narrow;
use crate::train::{Config, ModularWeights, TaskKind};

/// Neurons sharing a dominant frequency.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// `k` in `1..=P/2`.
    pub frequency: usize,
    /// The group's neurons by the phase of their W_input coefficient at `k`, so that
    /// neighbours on the circle are neighbours here (the star joins them in this order).
    pub neurons: Vec<usize>,
    /// `Σ cos_k² + sin_k²` of W_input over the group: how much of the model the group is.
    pub power: f32,
}

/// Fourier read-out of a modular model's two matrices.
#[derive(Clone, Debug, PartialEq)]
pub struct Mechanism {
    pub modulus: usize,
    /// Coefficients of W_input's columns (one per neuron, over the inputs).
    pub input: FourierCoeffs,
    /// Coefficients of W_outputᵀ's columns (W_output's rows: one per neuron, over outputs).
    pub output: FourierCoeffs,
    /// Each neuron's dominant frequency and phase, from W_input.
    pub neurons: Vec<NeuronFrequency>,
    /// The groups, by frequency.
    pub groups: Vec<Group>,
}

impl Mechanism {
    /// The neurons group by group (by frequency, then phase): the DFT heatmaps' rows.
    pub fn order(&self) -> Vec<usize> {
        self.groups
            .iter()
            .flat_map(|g| g.neurons.iter().copied())
            .collect()
    }
}

/// The coefficients of both matrices and the groups.
pub fn read(fourier: &Fourier, m: &ModularWeights) -> Result<Mechanism, AnalysisError> {
    let input = fourier.coefficients(narrow(&m.w_input).view())?;
    let output = fourier.coefficients(narrow(&m.w_output).t())?;
    let neurons = input.neuron_frequencies();
    let mut groups: Vec<Group> = Vec::new();
    for n in &neurons {
        let power =
            input.cos(n.frequency, n.neuron).powi(2) + input.sin(n.frequency, n.neuron).powi(2);
        match groups.iter_mut().find(|g| g.frequency == n.frequency) {
            Some(g) => {
                g.neurons.push(n.neuron);
                g.power += power;
            }
            None => groups.push(Group {
                frequency: n.frequency,
                neurons: vec![n.neuron],
                power,
            }),
        }
    }
    groups.sort_by_key(|g| g.frequency);
    for g in &mut groups {
        g.neurons.sort_by(|&x, &y| {
            neurons[x]
                .phase
                .total_cmp(&neurons[y].phase)
                .then(x.cmp(&y))
        });
    }
    Ok(Mechanism {
        modulus: fourier.modulus(),
        input,
        output,
        neurons,
        groups,
    })
}

/// The (cos, sin) coefficients at frequency `k` of the given neurons, in their order: the
/// points of a star.
pub fn star(coeffs: &FourierCoeffs, k: usize, neurons: &[usize]) -> Vec<(f32, f32)> {
    neurons
        .iter()
        .map(|&n| (coeffs.cos(k, n), coeffs.sin(k, n)))
        .collect()
}

/// A neuron's weights over `0..P` (`values[x]`) as `(k·x mod P, value)` points sorted by
/// their new position: the unwrapped wave. A pure frequency-`k` neuron becomes one period
/// over `0..P` (when `k` and `P` are coprime, as for a prime `P`).
pub fn unwrapped(values: &[f64], k: usize) -> Vec<(usize, f64)> {
    let p = values.len();
    let mut points: Vec<(usize, f64)> = values
        .iter()
        .enumerate()
        .map(|(x, &v)| ((k * x) % p.max(1), v))
        .collect();
    points.sort_by_key(|&(x, _)| x);
    points
}

/// Whether a pair is trained on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PairKind {
    Train,
    Test,
    /// Neither (an undefined result: division by 0).
    Unused,
}

/// Which pairs of a modular run are training pairs (its split, rebuilt from the settings:
/// the split is deterministic in the seed).
#[derive(Clone, Debug, PartialEq)]
pub struct Split {
    p: usize,
    /// `P × P`, row `a`, column `b`.
    kinds: Vec<PairKind>,
}

impl Split {
    /// The split of `cfg`'s run; `None` for parity.
    pub fn of(cfg: &Config) -> Option<Split> {
        if cfg.task != TaskKind::Modular {
            return None;
        }
        let p = cfg.modulus;
        let mut kinds = vec![PairKind::Unused; p * p];
        let (train, test) = modular_split(cfg);
        for (set, kind) in [(&test, PairKind::Test), (&train, PairKind::Train)] {
            for (&a, &b) in set.a.iter().zip(&set.b) {
                let (a, b) = (a as usize, b as usize);
                kinds[a * p + b] = kind;
                if cfg.symmetric {
                    kinds[b * p + a] = kind;
                }
            }
        }
        Some(Split { p, kinds })
    }

    pub fn kind(&self, a: usize, b: usize) -> PairKind {
        if a < self.p && b < self.p {
            self.kinds[a * self.p + b]
        } else {
            PairKind::Unused
        }
    }
}

/// The logits of one pair, group by group.
#[derive(Clone, Debug, PartialEq)]
pub struct Logits {
    pub a: usize,
    pub b: usize,
    /// Each group's contribution over `c = 0..P` (aligned with [`Mechanism::groups`]).
    pub groups: Vec<Vec<f32>>,
    /// The model's logits (all neurons).
    pub total: Vec<f32>,
    /// The model's answer: the largest logit (the first, if tied).
    pub argmax: usize,
    /// The right answer `a op b mod P` (`None` where undefined).
    pub answer: Option<usize>,
}

impl Logits {
    pub fn correct(&self) -> bool {
        self.answer == Some(self.argmax)
    }
}

/// The logits of `(a, b)`: each group's, through [`masked_logits`], and the model's.
pub fn logits(
    m: &ModularWeights,
    mech: &Mechanism,
    cfg: &Config,
    a: usize,
    b: usize,
) -> Result<Logits, AnalysisError> {
    let (w_in, w_out) = (narrow(&m.w_input), narrow(&m.w_output));
    let groups = mech
        .groups
        .iter()
        .map(|g| masked_logits(w_in.view(), w_out.view(), m.activation, &g.neurons, a, b))
        .collect::<Result<Vec<_>, _>>()?;
    let total = pair_logits(w_in.view(), w_out.view(), m.activation, a, b)?;
    let argmax = total
        .iter()
        .enumerate()
        .fold((0, f32::NEG_INFINITY), |(bi, bv), (i, &v)| {
            if v > bv { (i, v) } else { (bi, bv) }
        })
        .0;
    let p = mech.modulus as u32;
    let answer = apply_op(cfg.op, a as u32, b as u32, p).map(|c| c as usize);
    Ok(Logits {
        a,
        b,
        groups,
        total,
        argmax,
        answer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::{Threads, Trainer, Weights, presets};

    /// The article's construction at frequency `k` for each group of `n` neurons: W_input
    /// row `a` is the single-frequency construction's row `k·a mod P` (so neuron `i` of the
    /// group is `cos(k·aω − iθ)`), W_output column `c` likewise.
    pub(crate) fn constructed(
        p: usize,
        n: usize,
        ks: &[usize],
        act: crate::train::Activation,
    ) -> ModularWeights {
        let (w_in, w_out) = crate::analysis::constructed_weights(p, n).unwrap();
        let h = n * ks.len();
        let w_input = ndarray::Array2::from_shape_fn((p, h), |(a, j)| {
            f64::from(w_in[[ks[j / n] * a % p, j % n]])
        });
        let w_output = ndarray::Array2::from_shape_fn((h, p), |(j, c)| {
            f64::from(w_out[[j % n, ks[j / n] * c % p]])
        });
        ModularWeights {
            arch: crate::train::Arch::Collapsed,
            activation: act,
            w_input,
            w_output,
            embed: None,
            in_proj: None,
            out_proj: None,
            w_input_b: None,
            embed_out: None,
            in_proj_b: None,
        }
    }

    /// On the construction each group's contribution is the closed form
    /// `cos(2πk(a + b − c)/P)` times a positive scale, and the groups are the built ones.
    #[test]
    fn a_constructed_groups_logits_are_the_closed_form_wave() {
        use crate::train::Activation;
        let (p, n, ks) = (67, 6, [4usize, 11, 19]);
        let m = constructed(p, n, &ks, Activation::Square);
        let mech = read(&Fourier::new(p).unwrap(), &m).unwrap();
        let freqs: Vec<usize> = mech.groups.iter().map(|g| g.frequency).collect();
        assert_eq!(freqs, ks);
        for (g, &k) in mech.groups.iter().zip(&ks) {
            let mut built: Vec<usize> = g.neurons.clone();
            built.sort_unstable();
            let first = ks.iter().position(|&x| x == k).unwrap() * n;
            assert_eq!(built, (first..first + n).collect::<Vec<_>>());
        }
        let cfg = presets::find("mod-add-collapsed").unwrap().config;
        for (a, b) in [(3, 5), (13, 19), (66, 66), (0, 30)] {
            let l = logits(&m, &mech, &cfg, a, b).unwrap();
            for (wave, &k) in l.groups.iter().zip(&ks) {
                let form: Vec<f64> = (0..p)
                    .map(|c| {
                        let s = (k * (a + b + p - c)) % p;
                        (std::f64::consts::TAU * s as f64 / p as f64).cos()
                    })
                    .collect();
                // Least-squares scale, then the worst deviation in units of it.
                let dot: f64 = wave.iter().zip(&form).map(|(&w, f)| w as f64 * f).sum();
                let scale = dot / form.iter().map(|f| f * f).sum::<f64>();
                assert!(scale > 0.0, "({a}, {b}) k = {k}: scale {scale}");
                let worst = wave
                    .iter()
                    .zip(&form)
                    .map(|(&w, f)| (w as f64 / scale - f).abs())
                    .fold(0.0, f64::max);
                assert!(worst < 1e-4, "({a}, {b}) k = {k}: off by {worst}");
            }
            assert!(l.correct(), "({a}, {b}): argmax {}", l.argmax);
        }
    }

    /// A constructed group's star has its points evenly spaced on a circle (W_input), and
    /// W_output's, joined in the same order, turns twice as fast.
    #[test]
    fn a_constructed_star_is_evenly_spaced() {
        let (p, n) = (67, 7);
        let m = constructed(p, n, &[5, 23], crate::train::Activation::Relu);
        let mech = read(&Fourier::new(p).unwrap(), &m).unwrap();
        for g in &mech.groups {
            for (coeffs, turn) in [(&mech.input, 1.0), (&mech.output, 2.0)] {
                let pts = star(coeffs, g.frequency, &g.neurons);
                assert_eq!(pts.len(), n);
                let radius = (pts[0].0.hypot(pts[0].1)) as f64;
                for (i, &(x, y)) in pts.iter().enumerate() {
                    assert!((x.hypot(y) as f64 / radius - 1.0).abs() < 1e-4);
                    let (nx, ny) = pts[(i + 1) % n];
                    let step = ((ny as f64).atan2(nx as f64) - (y as f64).atan2(x as f64))
                        .rem_euclid(std::f64::consts::TAU);
                    let expected =
                        (turn * std::f64::consts::TAU / n as f64).rem_euclid(std::f64::consts::TAU);
                    assert!(
                        (step - expected).abs() < 1e-4,
                        "k = {}: step {step}, expected {expected}",
                        g.frequency
                    );
                }
            }
        }
    }

    /// What the view costs per drawn frame, printed (`cargo test --release --lib mechanism_cost --
    /// --ignored --nocapture`): the read-out of a frame and one pair's logits, medians.
    #[test]
    #[ignore]
    fn mechanism_cost() {
        let cfg = presets::find("mod-add").unwrap().config;
        let t = Trainer::new(cfg.clone(), Threads(1)).unwrap();
        let Weights::Modular(m) = t.weights() else {
            unreachable!()
        };
        let median = |f: &mut dyn FnMut()| {
            let mut times: Vec<f64> = (0..201)
                .map(|_| {
                    let start = std::time::Instant::now();
                    f();
                    start.elapsed().as_secs_f64() * 1e6
                })
                .collect();
            times.sort_by(f64::total_cmp);
            times[100]
        };
        let fourier = Fourier::new(67).unwrap();
        let plan = median(&mut || drop(std::hint::black_box(Fourier::new(67).unwrap())));
        let read_us = median(&mut || drop(std::hint::black_box(read(&fourier, &m).unwrap())));
        let mech = read(&fourier, &m).unwrap();
        let logits_us = median(&mut || {
            drop(std::hint::black_box(
                logits(&m, &mech, &cfg, 13, 19).unwrap(),
            ))
        });
        let split_us = median(&mut || drop(std::hint::black_box(Split::of(&cfg))));
        println!(
            "P = 67, H = 24, median of 201: plan {plan:.1} µs, read {read_us:.1} µs, \
             logits of one pair {logits_us:.1} µs, split {split_us:.1} µs"
        );
    }

    #[test]
    fn unwrapping_a_pure_wave_makes_one_period() {
        let p = 67;
        let k = 19;
        let values: Vec<f64> = (0..p)
            .map(|a| (std::f64::consts::TAU * (k * a % p) as f64 / p as f64 + 0.4).cos())
            .collect();
        let points = unwrapped(&values, k);
        assert_eq!(points.len(), p);
        for (i, &(x, v)) in points.iter().enumerate() {
            assert_eq!(x, i, "a permutation of 0..P");
            let expected = (std::f64::consts::TAU * x as f64 / p as f64 + 0.4).cos();
            assert!((v - expected).abs() < 1e-12);
        }
        // Drawn as it is, the same wave turns k times.
        let crossings = |v: &[f64]| {
            v.windows(2)
                .filter(|w| (w[0] < 0.0) != (w[1] < 0.0))
                .count()
        };
        let wrapped_crossings = crossings(&values);
        let unwrapped: Vec<f64> = points.iter().map(|p| p.1).collect();
        assert_eq!(crossings(&unwrapped), 2, "one period crosses zero twice");
        assert!(wrapped_crossings >= 2 * k - 1, "{wrapped_crossings}");
    }

    #[test]
    fn the_split_marks_every_training_pair_both_ways() {
        let cfg = presets::find("mod-add").unwrap().config;
        let split = Split::of(&cfg).unwrap();
        let (train, test) = modular_split(&cfg);
        for (&a, &b) in train.a.iter().zip(&train.b) {
            assert_eq!(split.kind(a as usize, b as usize), PairKind::Train);
            assert_eq!(split.kind(b as usize, a as usize), PairKind::Train);
        }
        for (&a, &b) in test.a.iter().zip(&test.b) {
            assert_eq!(split.kind(b as usize, a as usize), PairKind::Test);
        }
        assert_eq!(split.kind(67, 0), PairKind::Unused);
        assert!(Split::of(&presets::find("parity").unwrap().config).is_none());
    }

    /// The groups partition the neurons, and their contributions add up to the logits the
    /// model itself computes: scored over the test set, argmax and loss are the trainer's.
    #[test]
    fn contributions_add_up_to_the_models_logits() {
        let cfg = presets::find("mod-add").unwrap().config;
        let mut t = Trainer::new(cfg.clone(), Threads(1)).unwrap();
        for _ in 0..300 {
            t.step().unwrap();
        }
        let metrics = t.evaluate();
        let Weights::Modular(m) = t.weights() else {
            unreachable!()
        };
        let mech = read(&Fourier::new(67).unwrap(), &m).unwrap();
        let mut order = mech.order();
        order.sort_unstable();
        assert_eq!(order, (0..cfg.hidden).collect::<Vec<_>>());
        let (_, test) = modular_split(&cfg);
        let (mut correct, mut loss) = (0usize, 0.0f64);
        for (&a, &b) in test.a.iter().zip(&test.b) {
            let l = logits(&m, &mech, &cfg, a as usize, b as usize).unwrap();
            for c in 0..67 {
                let sum: f32 = l.groups.iter().map(|g| g[c]).sum();
                assert!(
                    (sum - l.total[c]).abs() <= 1e-4 * (1.0 + l.total[c].abs()),
                    "({a}, {b}) c = {c}: groups add to {sum}, logit {}",
                    l.total[c]
                );
            }
            correct += l.correct() as usize;
            let max = l
                .total
                .iter()
                .fold(f64::NEG_INFINITY, |m, &v| m.max(v as f64));
            let lse = max
                + l.total
                    .iter()
                    .map(|&v| (v as f64 - max).exp())
                    .sum::<f64>()
                    .ln();
            loss += lse - l.total[l.answer.unwrap()] as f64;
        }
        let n = test.len() as f64;
        assert!(
            (correct as f64 / n - metrics.test_acc).abs() <= 1.0 / n,
            "argmax accuracy {} vs the trainer's {}",
            correct as f64 / n,
            metrics.test_acc
        );
        let loss = loss / (n * 67.0);
        assert!(
            (loss / metrics.test_loss - 1.0).abs() < 1e-4,
            "loss {loss} vs the trainer's {}",
            metrics.test_loss
        );
    }
}
