//! Datasets: modular arithmetic pairs with a seeded split, and sparse parity sequences.

use super::config::{Config, Op, TaskKind};
use super::rng::{Stream, purpose};
use ndarray::Array2;

/// Pairs (a, b) with their labels.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PairSet {
    pub a: Vec<u32>,
    pub b: Vec<u32>,
    pub y: Vec<u32>,
}

impl PairSet {
    pub fn len(&self) -> usize {
        self.y.len()
    }
    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }
    fn push(&mut self, a: u32, b: u32, y: u32) {
        self.a.push(a);
        self.b.push(b);
        self.y.push(y);
    }
}

/// Sequences of bits with a constant 1 appended, and their 0/1 labels.
#[derive(Clone, Debug, PartialEq)]
pub struct BitSet {
    /// [N × (n_bits + 1)], entries 0.0 or 1.0; the last column is always 1.
    pub x: Array2<f32>,
    pub y: Vec<f32>,
}

impl BitSet {
    pub fn len(&self) -> usize {
        self.y.len()
    }
    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }
}

/// A task's training and test data.
#[derive(Clone, Debug, PartialEq)]
pub enum Data {
    Modular { train: PairSet, test: PairSet },
    Parity { train: BitSet, test: BitSet },
}

impl Data {
    /// Build the data of a validated configuration. Deterministic in `cfg.seed`.
    pub fn new(cfg: &Config) -> Data {
        match cfg.task {
            TaskKind::Modular => {
                let (train, test) = modular_split(cfg);
                Data::Modular { train, test }
            }
            TaskKind::Parity => {
                let mut s = Stream::new(cfg.seed, purpose::TRAIN_SET);
                let train = parity_set(&mut s, cfg.n_train, cfg.n_bits, cfg.k_bits);
                let mut s = Stream::new(cfg.seed, purpose::TEST_SET);
                let test = parity_set(&mut s, cfg.n_test, cfg.n_bits, cfg.k_bits);
                Data::Parity { train, test }
            }
        }
    }

    pub fn sizes(&self) -> (usize, usize) {
        match self {
            Data::Modular { train, test } => (train.len(), test.len()),
            Data::Parity { train, test } => (train.len(), test.len()),
        }
    }
}

/// a op b mod p, or None when undefined (division by 0).
pub fn apply_op(op: Op, a: u32, b: u32, p: u32) -> Option<u32> {
    let (a, b, p) = (a as u64, b as u64, p as u64);
    Some(match op {
        Op::Add => (a + b) % p,
        Op::Sub => (a + p - b) % p,
        Op::Mul => (a * b) % p,
        Op::Div => {
            if b == 0 {
                return None;
            }
            // p is prime (validated): b⁻¹ = b^(p−2).
            (a * pow_mod(b, p - 2, p)) % p
        }
    } as u32)
}

fn pow_mod(mut base: u64, mut exp: u64, m: u64) -> u64 {
    let mut acc = 1 % m;
    base %= m;
    while exp > 0 {
        if exp & 1 == 1 {
            acc = acc * base % m;
        }
        base = base * base % m;
        exp >>= 1;
    }
    acc
}

/// All pairs in the notebooks' order (`for a in 0..P, for b in a..P` when symmetric), shuffled
/// by the seed's split stream; the first floor(frac · n) are the training set.
pub fn modular_split(cfg: &Config) -> (PairSet, PairSet) {
    let p = cfg.modulus as u32;
    let mut pairs = Vec::with_capacity(cfg.n_pairs());
    for a in 0..p {
        let start = if cfg.symmetric { a } else { 0 };
        for b in start..p {
            if let Some(y) = apply_op(cfg.op, a, b, p) {
                pairs.push((a, b, y));
            }
        }
    }
    Stream::new(cfg.seed, purpose::SPLIT).shuffle(&mut pairs);
    let (n_train, _) = cfg.split_sizes();
    let mut train = PairSet::default();
    let mut test = PairSet::default();
    for (i, &(a, b, y)) in pairs.iter().enumerate() {
        if i < n_train {
            train.push(a, b, y);
        } else {
            test.push(a, b, y);
        }
    }
    (train, test)
}

fn parity_set(s: &mut Stream, n: usize, n_bits: usize, k: usize) -> BitSet {
    let mut x = Array2::zeros((n, n_bits + 1));
    let mut y = Vec::with_capacity(n);
    for mut row in x.rows_mut() {
        let mut ones = 0;
        for j in 0..n_bits {
            if s.bit() {
                row[j] = 1.0;
                if j < k {
                    ones += 1;
                }
            }
        }
        row[n_bits] = 1.0;
        y.push((ones % 2) as f32);
    }
    BitSet { x, y }
}
