//! Mechanism-view fixtures: the article's construction as a grokked model (three key
//! frequencies, deterministic), mod-add's recorded run as a memorizing one, and drawing,
//! key presses and text search on their frames.

#[allow(unused_imports)] // the mechanism tests search frames with it
pub use super::dashboard::find;
use super::key;
use crossterm::event::{KeyCode, KeyEvent};
use grokscope::analysis::{constructed_weights, loss_on_pairs, pair_logits};
use grokscope::app::action::Action;
use grokscope::app::harness::Harness;
use grokscope::app::session::{Clock, Snapshot, Status, WeightFrame};
use grokscope::app::state as views;
use grokscope::app::state::App;
use grokscope::probe::Prober;
use grokscope::train::task::{Data, PairSet};
use grokscope::train::{Activation, Arch, Config, Metrics, ModularWeights, Weights, presets};
use grokscope::ui::{Memo, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use std::sync::Arc;

pub fn ch(c: char) -> KeyEvent {
    key(KeyCode::Char(c))
}

/// Frequencies and neurons per group of the hand-built model.
pub const KS: [usize; 3] = [4, 11, 19];
pub const N: usize = 8;

/// The construction at each of `KS` (8 neurons each): W_input row a is the one-frequency
/// construction's row k·a mod P, W_output column c likewise; x² makes it exact.
pub fn constructed(p: usize) -> ModularWeights {
    let (w_in, w_out) = constructed_weights(p, N).unwrap();
    let h = N * KS.len();
    ModularWeights {
        arch: Arch::Collapsed,
        activation: Activation::Square,
        w_input: ndarray::Array2::from_shape_fn((p, h), |(a, j)| {
            f64::from(w_in[[KS[j / N] * a % p, j % N]])
        }),
        w_output: ndarray::Array2::from_shape_fn((h, p), |(j, c)| {
            f64::from(w_out[[j % N, KS[j / N] * c % p]])
        }),
        embed: None,
        in_proj: None,
        out_proj: None,
        w_input_b: None,
        embed_out: None,
        in_proj_b: None,
    }
}

pub fn score(m: &ModularWeights, set: &PairSet) -> (f64, f64) {
    let (w_in, w_out) = (m.w_input.mapv(|x| x as f32), m.w_output.mapv(|x| x as f32));
    let pairs: Vec<(usize, usize)> = set
        .a
        .iter()
        .zip(&set.b)
        .map(|(&a, &b)| (a as usize, b as usize))
        .collect();
    let loss = loss_on_pairs(w_in.view(), w_out.view(), m.activation, &pairs).unwrap();
    let right = pairs
        .iter()
        .zip(&set.y)
        .filter(|&(&(a, b), &y)| {
            let l = pair_logits(w_in.view(), w_out.view(), m.activation, a, b).unwrap();
            let best = l.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            l[y as usize] == best
        })
        .count();
    (loss, right as f64 / pairs.len() as f64)
}

/// A finished run whose one frame is the hand-built grokked model, in the mechanism view.
pub fn grokked() -> App {
    let mut cfg: Config = presets::find("mod-add-collapsed").unwrap().config;
    cfg.hidden = N * KS.len();
    cfg.activation = Activation::Square;
    let m = constructed(cfg.modulus);
    let data = Data::new(&cfg);
    let Data::Modular { train, test } = &data else {
        unreachable!()
    };
    let ((train_loss, train_acc), (test_loss, test_acc)) = (score(&m, train), score(&m, test));
    let metrics = Metrics {
        step: cfg.steps,
        train_loss,
        test_loss,
        train_acc,
        test_acc,
        weight_norm: 0.0,
    };
    let weights = Weights::Modular(m);
    let mut prober = Prober::new(&cfg, &data);
    let readings = prober.read_all(&weights);
    let phase = prober.phase(&metrics, &readings);
    let snap = Snapshot {
        run: 0,
        step: cfg.steps,
        history: vec![metrics],
        frames: vec![Arc::new(WeightFrame {
            metrics,
            weights,
            readings,
            phase,
        })],
        status: Status::Finished,
        clock: Clock::default(),
        message: None,
        compare: None,
        config: cfg,
    };
    let mut app = App::new(Arc::new(snap));
    app.update(Action::ToggleView("mechanism"));
    assert_eq!(app.view.name, "mechanism");
    app
}

pub fn draw(app: &App, w: u16, h: u16, theme: &Theme, memo: &Memo) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| views::draw(f, app, theme, memo)).unwrap();
    t.backend().buffer().clone()
}

/// mod-add after 1,000 steps (its recorded run): it has memorized the training pairs, not
/// the test pairs.
pub fn memorizing() -> Harness {
    let mut h = super::played("mod-add");
    h.train(1000);
    assert!(h.press(ch('m')));
    assert_eq!(h.app.view.name, "mechanism");
    h
}

pub fn press(app: &mut App, k: KeyEvent) {
    let action = grokscope::app::keys::Key::of(k)
        .and_then(|k| views::dispatch(app, k))
        .expect("a bound key");
    app.update(action);
}
