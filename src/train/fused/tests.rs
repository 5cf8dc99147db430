//! The fused step against a plain f64 computation, on every kernel and team size.

use super::*;
use crate::train::rng::Stream;

fn pairs(p: usize, n: usize, rng: &mut Stream) -> PairSet {
    let (mut a, mut b, mut y) = (vec![], vec![], vec![]);
    for _ in 0..n {
        let (x, z) = (rng.below(p as u64) as u32, rng.below(p as u64) as u32);
        a.push(x);
        b.push(z);
        y.push((x + z) % p as u32);
    }
    PairSet { a, b, y }
}

/// The same gradient in f64, written plainly (the activation's f64 forms): (guv, Σ nll).
fn reference(
    uv: &[f32],
    p: usize,
    h: usize,
    act: Activation,
    set: &PairSet,
    scale: f64,
) -> (Vec<f64>, f64) {
    let w = 2 * h;
    let at = |r: usize, c: usize| uv[r * w + c] as f64;
    let mut g = vec![0.0f64; p * w];
    let mut nll = 0.0;
    for n in 0..set.len() {
        let (a, b, y) = (set.a[n] as usize, set.b[n] as usize, set.y[n] as usize);
        let pre: Vec<f64> = (0..h).map(|j| at(a, j) + at(b, j)).collect();
        let hid: Vec<f64> = pre.iter().map(|&x| act.apply(x)).collect();
        let logits: Vec<f64> = (0..p)
            .map(|c| (0..h).map(|j| hid[j] * at(c, h + j)).sum())
            .collect();
        let max = logits.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let sum: f64 = logits.iter().map(|l| (l - max).exp()).sum();
        nll += sum.ln() + max - logits[y];
        let mut dact = vec![0.0f64; h];
        for c in 0..p {
            let dl = scale * ((logits[c] - max).exp() / sum - if c == y { 1.0 } else { 0.0 });
            for j in 0..h {
                g[c * w + h + j] += dl * hid[j];
                dact[j] += dl * at(c, h + j);
            }
        }
        for j in 0..h {
            let d = act.backprop(dact[j], pre[j]);
            g[a * w + j] += d;
            g[b * w + j] += d;
        }
    }
    (g, nll)
}

#[test]
fn fused_step_matches_a_plain_f64_computation_on_every_kernel_and_team_bit_for_bit() {
    let kernels = Kernel::available_all();
    let teams = [Team::new(1), Team::new(2), Team::new(3)];
    let mut rng = Stream::new(7, 0);
    // Partial blocks, hidden widths that are and are not multiples of 8, P not a
    // multiple of the 6- and 3-row tiles.
    for &(p, h, n) in &[
        (67, 24, 911),
        (5, 1, 1),
        (7, 5, 33),
        (11, 9, 64),
        (13, 30, 70),
        (2, 8, 31),
        (97, 17, 100),
    ] {
        for act in [Activation::Relu, Activation::Square] {
            let uv: Vec<f32> = (0..p * 2 * h)
                .map(|_| rng.uniform() as f32 * 2.0 - 1.0)
                .collect();
            let set = pairs(p, n, &mut rng);
            let scale = 1.0 / (n * p) as f32;
            // Every kernel alone, then the first as a pipeline on two and three threads.
            let ways: Vec<(Kernel, &Team)> = kernels
                .iter()
                .map(|&k| (k, &teams[0]))
                .chain(teams[1..].iter().map(|t| (kernels[0], t)))
                .collect();
            let runs: Vec<(Vec<f32>, RowStats)> = ways
                .iter()
                .map(|&(k, team)| {
                    let mut guv = vec![f32::NAN; p * 2 * h];
                    let mut f = Fused::new(p, h, k);
                    // Twice: buffers left over from one step must not leak into the next.
                    f.step(&uv, &mut guv, act, &set, scale, team);
                    let stats = f.step(&uv, &mut guv, act, &set, scale, team);
                    (guv, stats)
                })
                .collect();
            let (guv, stats) = &runs[0];
            for ((k, team), (g, st)) in ways.iter().zip(&runs).skip(1) {
                let same = g.iter().zip(guv).all(|(x, y)| x.to_bits() == y.to_bits());
                assert!(
                    same,
                    "p {p} h {h} n {n} {act:?}: {} on {team:?} differs from {} alone",
                    k.name(),
                    kernels[0].name()
                );
                assert_eq!(st.nll_sum.to_bits(), stats.nll_sum.to_bits());
            }
            let (want, nll) = reference(&uv, p, h, act, &set, scale as f64);
            let big = want.iter().fold(0.0f64, |m, x| m.max(x.abs()));
            for (i, (&got, &w)) in guv.iter().zip(&want).enumerate() {
                assert!(
                    (got as f64 - w).abs() <= 1e-5 * big,
                    "p {p} h {h} n {n} {act:?}: guv[{i}] = {got}, want {w}"
                );
            }
            assert!(
                (stats.nll_sum - nll).abs() <= 1e-5 * nll,
                "p {p} h {h} n {n} {act:?}: nll {} want {nll}",
                stats.nll_sum
            );
        }
    }
}

#[test]
fn a_fitted_batch_keeps_its_tiny_loss_and_label_gradients() {
    // One hidden unit per class: U[c] = 4·e_c and Vt[c] = 2·e_c, with a = b = y, give
    // the label a logit of 16 and every other class 0, so each example's loss is
    // ln(1 + 6e⁻¹⁶) ≈ 7e-7 — below f32's resolution next to 1, where a naive softmax
    // reports 0 and a zero gradient.
    let (p, h) = (7, 7);
    let ids: Vec<u32> = (0..40).map(|i| i % 7).collect();
    let set = PairSet {
        a: ids.clone(),
        b: ids.clone(),
        y: ids,
    };
    let mut uv = vec![0.0f32; p * 2 * h];
    for c in 0..p {
        uv[c * 2 * h + c] = 4.0;
        uv[c * 2 * h + h + c] = 2.0;
    }
    let scale = 1.0 / (40 * p) as f32;
    let mut guv = vec![0.0f32; p * 2 * h];
    let stats = Fused::new(p, h, Kernel::native()).step(
        &uv,
        &mut guv,
        Activation::Relu,
        &set,
        scale,
        &Team::new(1),
    );
    let (want, nll) = reference(&uv, p, h, Activation::Relu, &set, scale as f64);
    assert!(
        nll > 0.0 && nll / 40.0 < 1e-6,
        "the batch is fitted: nll {nll}"
    );
    assert!(
        (stats.nll_sum - nll).abs() <= 1e-3 * nll,
        "nll {} want {nll}",
        stats.nll_sum
    );
    // dVt's entries are sums over examples of tiny terms: each keeps its relative
    // precision.
    for c in 0..p {
        for j in 0..h {
            let (got, w) = (guv[c * 2 * h + h + j] as f64, want[c * 2 * h + h + j]);
            assert!(
                (got - w).abs() <= 1e-3 * w.abs() + 1e-15,
                "dVt[{c},{j}] = {got}, want {w}"
            );
        }
    }
}
