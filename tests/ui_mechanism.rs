//! The mechanism view (`m`, `--view mechanism`): rendered frames of a grokked model (the
//! article's construction at three frequencies, deterministic) and of a memorizing one
//! (mod-add's recorded run played to step 1,000), at 120×40, 80×24 and without colour; the
//! styles that carry meaning; a key script; pictures that read (a strip per neuron, stars one
//! frequency at a time, titles never cut mid-word) and the heatmaps' legends.

mod common;

use common::{PLAIN, TRUE, key};
use crossterm::event::{KeyCode, KeyEvent};
use grokscope::analysis::{constructed_weights, loss_on_pairs, pair_logits};
use grokscope::app::action::Action;
use grokscope::app::harness::{Harness, text};
use grokscope::app::session::{Clock, Snapshot, Status, WeightFrame};
use grokscope::app::state as views;
use grokscope::app::state::App;
use grokscope::probe::Prober;
use grokscope::probe::mechanism::{PairKind, Split};
use grokscope::train::task::{Data, PairSet};
use grokscope::train::{Activation, Arch, Config, Metrics, ModularWeights, Weights, presets};
use grokscope::ui::heatmap::short;
use grokscope::ui::{Memo, Theme, sticky_scale};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};
use std::sync::Arc;

fn ch(c: char) -> KeyEvent {
    key(KeyCode::Char(c))
}

/// Frequencies and neurons per group of the hand-built model.
const KS: [usize; 3] = [4, 11, 19];
const N: usize = 8;

/// The construction at each of `KS` (8 neurons each): W_input row a is the one-frequency
/// construction's row k·a mod P, W_output column c likewise; x² makes it exact.
fn constructed(p: usize) -> ModularWeights {
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

fn score(m: &ModularWeights, set: &PairSet) -> (f64, f64) {
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
fn grokked() -> App {
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

fn draw(app: &App, w: u16, h: u16, theme: &Theme, memo: &Memo) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| views::draw(f, app, theme, memo)).unwrap();
    t.backend().buffer().clone()
}

/// mod-add after 1,000 steps (its recorded run): it has memorized the training pairs, not
/// the test pairs.
fn memorizing() -> Harness {
    let mut h = common::played("mod-add");
    h.train(1000);
    assert!(h.press(ch('m')));
    assert_eq!(h.app.view.name, "mechanism");
    h
}

fn press(app: &mut App, k: KeyEvent) {
    let action = grokscope::app::keys::Key::of(k)
        .and_then(|k| views::dispatch(app, k))
        .expect("a bound key");
    app.update(action);
}

/// The first cell (x, y) whose row text contains `needle` at that column.
fn find(buf: &Buffer, needle: &str) -> Option<(u16, u16)> {
    let t = text(buf);
    for (y, line) in t.lines().enumerate() {
        if let Some(byte) = line.find(needle) {
            return Some((line[..byte].chars().count() as u16, y as u16));
        }
    }
    None
}

#[test]
fn grokked_frames() {
    let s = common::snapshot_settings();
    let mut app = grokked();
    let memo = Memo::default();
    let t = text(&draw(&app, 120, 40, &TRUE, &memo));
    // Three groups of eight at the built frequencies, all key; the pair is answered right.
    for k in KS {
        assert!(t.contains(&format!("k={k} · 8 neurons")), "{t}");
    }
    assert!(t.contains("a 13 + b 19 → 32 · model 32 ✓"), "{t}");
    s.bind(|| insta::assert_snapshot!("mechanism_grokked_120x40", t));
    s.bind(|| {
        insta::assert_snapshot!(
            "mechanism_grokked_no_color_120x40",
            text(&draw(&app, 120, 40, &PLAIN, &memo))
        )
    });
    for page in 1..=3 {
        let t = text(&draw(&app, 80, 24, &TRUE, &memo));
        assert!(t.contains(&format!("page {page}/3 · f")), "{t}");
        s.bind(|| insta::assert_snapshot!(format!("mechanism_grokked_80x24_page{page}"), t));
        press(&mut app, ch('f'));
    }
}

#[test]
fn memorizing_frames() {
    let s = common::snapshot_settings();
    let h = memorizing();
    let t = text(&h.render(120, 40, &TRUE));
    s.bind(|| insta::assert_snapshot!("mechanism_memorizing_120x40", t));
    let t = text(&h.render(80, 24, &TRUE));
    s.bind(|| insta::assert_snapshot!("mechanism_memorizing_80x24", t));
    let t = text(&h.render(80, 24, &PLAIN));
    s.bind(|| insta::assert_snapshot!("mechanism_memorizing_no_color_80x24", t));
}

/// The right answer is marked in the key colour, a wrong argmax in the warning colour, the
/// selected neuron in its own (bold) style; without colour the marks are still there.
#[test]
fn styles_carry_meaning() {
    let app = grokked();
    let memo = Memo::default();
    let buf = draw(&app, 120, 40, &TRUE, &memo);
    let (x, y) = find(&buf, "▲32").expect("the answer is marked");
    assert_eq!(buf[(x, y)].fg, Color::Green);
    let (x, y) = find(&buf, "32 ✓").unwrap();
    assert_eq!(
        buf[(x, y)].fg,
        Color::Green,
        "a right model answer is green"
    );
    let neuron = |buf: &Buffer, sym: &str| {
        buf.content()
            .iter()
            .filter(|c| c.symbol() == sym)
            .map(|c| (c.fg, c.modifier.contains(Modifier::BOLD)))
            .collect::<Vec<_>>()
    };
    let stars = neuron(&buf, "●");
    assert!(!stars.is_empty(), "the selected neuron is on the stars");
    assert!(
        stars.iter().all(|&s| s == (Color::LightYellow, true)),
        "{stars:?}"
    );
    assert_eq!(
        neuron(&buf, "▸"),
        vec![(Color::LightYellow, true)],
        "one row marked"
    );
    let mono = draw(&app, 120, 40, &PLAIN, &memo);
    assert!(
        mono.content()
            .iter()
            .all(|c| c.fg == Color::Reset && c.bg == Color::Reset)
    );
    assert!(find(&mono, "▲32").is_some() && !neuron(&mono, "●").is_empty());

    // A test pair the memorizing model gets wrong: its argmax is marked in red.
    let mut h = memorizing();
    let split = Split::of(&h.app.shared.snapshot.config).unwrap();
    let mut found = false;
    for _ in 0..67 {
        let buf = h.render(120, 40, &TRUE);
        let t = text(&buf);
        if t.contains("✗") {
            let (x, y) = find(&buf, "✗").unwrap();
            assert_eq!(buf[(x, y)].fg, Color::Red);
            let c = &h.app.mechanism;
            assert_ne!(
                split.kind(c.a, c.b),
                PairKind::Train,
                "a training pair is right"
            );
            found = true;
            break;
        }
        h.press(ch('a'));
    }
    assert!(
        found,
        "some test pair with b = 19 is answered wrong after 1,000 steps"
    );
}

/// Switch to the view, move a and b, select a neuron, flip the matrix and the unwrapping,
/// scrub, and go back: the screen follows each key.
#[test]
fn key_script() {
    let mut h = memorizing();
    let cfg = h.app.shared.snapshot.config.clone();
    let split = Split::of(&cfg).unwrap();
    let pair_line = |h: &Harness| {
        let t = text(&h.render(120, 40, &TRUE));
        t.lines()
            .find(|l| l.contains("→"))
            .map(|l| l.split('│').nth(1).unwrap_or("").trim().to_string())
            .unwrap()
    };
    let said = |a: usize, b: usize| match split.kind(a, b) {
        PairKind::Train => "training pair",
        PairKind::Test => "test pair",
        PairKind::Unused => "not in the data",
    };
    let first = pair_line(&h);
    assert!(first.starts_with("a 13 + b 19 → 32 · model"), "{first}");
    assert!(first.ends_with(said(13, 19)), "{first}");
    h.press(ch('a'));
    h.press(ch('B'));
    h.press(ch('B'));
    let moved = pair_line(&h);
    assert!(moved.starts_with("a 14 + b 17 → 31 · model"), "{moved}");
    assert!(moved.ends_with(said(14, 17)), "{moved}");
    // Wrapping at both ends.
    for _ in 0..14 {
        h.press(ch('A'));
    }
    h.press(ch('A'));
    assert!(
        pair_line(&h).starts_with("a 66 + b 17 → 16"),
        "{}",
        pair_line(&h)
    );

    // The selected neuron: its group comes to the waves, its number on its strip; its row
    // is marked in the DFT map.
    let before = text(&h.render(120, 40, &TRUE));
    h.press(ch(']'));
    h.press(ch(']'));
    let after = text(&h.render(120, 40, &TRUE));
    assert!(after.contains("#2") && !after.contains("#0"), "{after}");
    assert_ne!(
        before.lines().position(|l| l.contains('▸')),
        after
            .lines()
            .position(|l| l.contains('▸'))
            .or(Some(usize::MAX)),
    );

    h.press(ch('o'));
    let t = text(&h.render(120, 40, &TRUE));
    assert!(t.contains("waves · W_output over c ·"), "{t}");
    assert!(t.contains("DFT of W_output"), "{t}");
    h.press(ch('u'));
    let t = text(&h.render(120, 40, &TRUE));
    assert!(t.contains("waves · W_output against k·c mod P"), "{t}");

    // Pause and scrub back: the view draws the earlier frame.
    let latest = h.app.shared.snapshot.step;
    h.press(ch(' '));
    h.press(key(KeyCode::Left));
    h.press(key(KeyCode::Left));
    let t = text(&h.render(120, 40, &TRUE));
    let step = h.app.shared.frame().unwrap().step();
    assert!(step < latest);
    assert!(t.contains(&format!("◂ step {step} ▸")), "{t}");

    // m goes back to the training view, m again returns with the same choices; Esc leaves.
    h.press(ch('m'));
    assert_eq!(h.app.view.name, "training");
    h.press(ch('m'));
    assert_eq!(h.app.view.name, "mechanism");
    assert!(h.app.mechanism.output && h.app.mechanism.unwrapped);
    h.press(key(KeyCode::Esc));
    assert_eq!(h.app.view.name, "training");
    assert!(!h.app.shared.quit);
}

/// A parity run has no mechanism to draw: the view says so instead of drawing empty panels.
#[test]
fn parity_says_the_view_is_for_modular_models() {
    let mut h = Harness::new(presets::find("parity").unwrap().config).unwrap();
    h.train(20);
    h.press(ch('m'));
    let t = text(&h.render(120, 40, &TRUE));
    assert!(
        t.contains("the mechanism view draws the modular models"),
        "{t}"
    );
}

/// Render time of one mechanism frame at 160×50 (`cargo test --release --test ui_mechanism
/// render_time -- --ignored --nocapture`): medians of a redraw of the same frame (the
/// read-out remembered) and of a frame just arrived (read-out computed).
#[test]
#[ignore]
fn render_time() {
    let h = memorizing();
    let mut t = Terminal::new(TestBackend::new(160, 50)).unwrap();
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let memo = Memo::default();
    let mut warm: Vec<f64> = (0..101)
        .map(|_| {
            let start = std::time::Instant::now();
            t.draw(|f| views::draw(f, &h.app, &TRUE, &memo)).unwrap();
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    let mut cold: Vec<f64> = (0..101)
        .map(|_| {
            let memo = Memo::default();
            let start = std::time::Instant::now();
            t.draw(|f| views::draw(f, &h.app, &TRUE, &memo)).unwrap();
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    println!(
        "mechanism view at 160×50, median of 101: redraw {:.3} ms, new frame {:.3} ms",
        median(&mut warm),
        median(&mut cold)
    );
}

/// Every modular preset (five-neurons and the collapsed variants too) and odd shapes (an
/// even modulus with its Nyquist frequency, a tiny model) draw every page at both sizes.
#[test]
fn every_modular_model_draws_every_page() {
    let mut cfgs: Vec<Config> = presets::all()
        .into_iter()
        .map(|p| p.config)
        .filter(|c| c.task == grokscope::train::TaskKind::Modular)
        .collect();
    assert!(cfgs.len() >= 7);
    let mut small = presets::find("mod-add-collapsed").unwrap().config;
    (small.modulus, small.hidden) = (10, 3);
    cfgs.push(small);
    for cfg in cfgs {
        let name = cfg.preset.clone();
        let mut h = Harness::new(cfg).unwrap();
        h.train(40);
        assert!(h.press(ch('m')));
        for _ in 0..3 {
            for (w, ht) in [(120, 40), (80, 24), (200, 60)] {
                let t = text(&h.render(w, ht, &TRUE));
                let drawn = ["waves ·", "logit waves", "DFT"]
                    .iter()
                    .any(|p| t.contains(p));
                assert!(drawn, "{name} {w}×{ht}:\n{t}");
            }
            h.press(ch('f'));
            h.press(ch('o'));
            h.press(ch('u'));
        }
    }
}

/// The panel whose top border starts with `title` (its border included).
fn panel_rect(buf: &Buffer, title: &str) -> Option<Rect> {
    let (x, y) = find(buf, title)?;
    let row = |y: u16| (0..buf.area.width).map(move |x| buf[(x, y)].symbol().to_string());
    let right = row(y)
        .skip(x as usize + 1)
        .position(|c| c == "╮" || c == "┬")? as u16
        + x
        + 1;
    let bottom = (y + 1..buf.area.height).find(|&r| buf[(x, r)].symbol() == "╰")?;
    Some(Rect::new(x, y, right - x + 1, bottom - y + 1))
}

/// The text of cells `x0..x1` of row `y`.
fn cells(buf: &Buffer, y: u16, x0: u16, x1: u16) -> String {
    (x0..x1).map(|x| buf[(x, y)].symbol()).collect()
}

/// Braille dots in the cell: the bits of its code point above U+2800, if braille.
fn dots(sym: &str) -> Option<u32> {
    let c = sym.chars().next()? as u32;
    (0x2800..=0x28ff)
        .contains(&c)
        .then(|| (c - 0x2800).count_ones())
}

/// The waves of a group of eight are eight numbered strips, each a thin line: not one block
/// of braille (a line is two or three dots a cell; eight lines drawn over each other fill
/// them), at every size.
#[test]
fn waves_are_a_strip_per_neuron() {
    let app = grokked();
    let memo = Memo::default();
    for (w, h) in [(120, 40), (80, 24), (200, 60)] {
        let buf = draw(&app, w, h, &TRUE, &memo);
        let r = panel_rect(&buf, "╭ waves").unwrap_or_else(|| panic!("{}", text(&buf)));
        let label = cells(&buf, r.y + 1, r.x + 1, r.right() - 1);
        assert!(
            label.starts_with("k=") && label.contains("8 neurons"),
            "{label}"
        );
        // The first group's strips: a neuron number left of each, down to the next label.
        let mut numbers = Vec::new();
        for y in r.y + 2..r.bottom() - 1 {
            let gutter = cells(&buf, y, r.x + 1, r.x + 5);
            if cells(&buf, y, r.x + 1, r.x + 3) == "k=" {
                break;
            }
            let first = gutter.split_whitespace().next().unwrap_or("");
            if let Ok(n) = first.trim_start_matches('#').parse::<usize>() {
                numbers.push(n);
            }
        }
        numbers.sort_unstable();
        numbers.dedup();
        assert_eq!(numbers.len(), N, "{w}×{h}: {numbers:?}\n{}", text(&buf));
        let braille: Vec<u32> = (r.y + 1..r.bottom() - 1)
            .flat_map(|y| (r.x + 1..r.right() - 1).map(move |x| (x, y)))
            .filter_map(|(x, y)| dots(buf[(x, y)].symbol()))
            .collect();
        let mean = braille.iter().sum::<u32>() as f64 / braille.len().max(1) as f64;
        assert!(
            mean <= 4.0,
            "{w}×{h}: {mean:.2} dots a cell\n{}",
            text(&buf)
        );
    }
}

/// Where all do not fit (80×24) one frequency's stars fill the panel, W_input's and W_output's side by
/// their points numbered in phase order; `n` steps to the next frequency and around, `N`
/// back.
#[test]
fn stars_one_frequency_at_a_time() {
    let mut app = grokked();
    let memo = Memo::default();
    // At 120×40 the DFT's 24 neurons fill 12 rows (two a row, with or without colour) and
    // give the rest to the panels above, where all three stars fit at once; on the smaller
    // screen's first page (80×24) the stars take turns.
    for theme in [TRUE, PLAIN] {
        let all = draw(&app, 120, 40, &theme, &memo);
        let r = panel_rect(&all, "╭ stars").unwrap();
        let title = cells(&all, r.y, r.x, r.right());
        assert!(title.contains("joined by phase"), "{}", text(&all));
    }
    let star = |app: &App| {
        let buf = draw(app, 80, 24, &PLAIN, &memo);
        let r = panel_rect(&buf, "╭ stars").unwrap();
        let title = cells(&buf, r.y, r.x, r.right());
        (buf, r, title)
    };
    let (buf, r, first) = star(&app);
    assert!(
        first.contains("(1 of 3)") && first.contains("n: next"),
        "{first}"
    );
    let labels: String = (r.y + 1..r.bottom() - 1)
        .map(|y| cells(&buf, y, r.x + 1, r.right() - 1))
        .collect();
    assert!(
        labels.contains("W_input") && labels.contains("W_output"),
        "{labels}"
    );
    // The two stars (one above the other here): braille over most of the panel's height.
    let drawn = |y: u16| (r.x + 1..r.right() - 1).any(|x| dots(buf[(x, y)].symbol()).is_some());
    let rows = (r.y + 2..r.bottom() - 1).filter(|&y| drawn(y)).count();
    assert!(rows >= 12, "{rows} rows\n{}", text(&buf));
    let panel_text: String = (r.y + 2..r.bottom() - 1)
        .map(|y| cells(&buf, y, r.x + 1, r.right() - 1))
        .collect();
    // Every point numbered (the selected neuron's under its ●).
    let numbered = (1..=N)
        .filter(|i| panel_text.contains(&i.to_string()))
        .count();
    assert!(
        numbered >= N - 1 && panel_text.contains('●'),
        "{}",
        text(&buf)
    );
    let k = |t: &str| {
        t.split("k=")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .map(String::from)
    };
    let mut ks = vec![k(&first)];
    for i in 2..=4 {
        press(&mut app, ch('n'));
        let (_, _, t) = star(&app);
        assert!(t.contains(&format!("({} of 3)", (i - 1) % 3 + 1)), "{t}");
        ks.push(k(&t));
    }
    assert!(ks[0] != ks[1] && ks[1] != ks[2] && ks[2] != ks[0], "{ks:?}");
    assert_eq!(ks[3], ks[0], "three steps go around");
    press(&mut app, ch('N'));
    assert_eq!(k(&star(&app).2), ks[2], "N steps back");
}

/// Titles cut mid-word: a top-border title that runs into the corner with no space left.
fn cut_titles(buf: &Buffer) -> Vec<String> {
    let mut cut = Vec::new();
    for line in text(buf).lines() {
        for seg in line.split('╭').skip(1) {
            let end = seg.find(['╮', '┬']).unwrap_or(seg.len());
            let seg = &seg[..end];
            if seg.starts_with(' ') && !seg.contains('─') && !seg.ends_with(' ') {
                cut.push(seg.to_string());
            }
        }
    }
    cut
}

/// No title of the mechanism view (every page, both matrices, both wave forms) or of the
/// appendix view is cut mid-word, at 80×24, 120×40 and 200×60, with colour or without.
#[test]
fn titles_are_never_cut_mid_word() {
    let mut app = grokked();
    let memo = Memo::default();
    let sizes = [(80, 24), (120, 40), (200, 60)];
    for keys in ["", "o", "u", "f", "f", "o", "u"] {
        for c in keys.chars() {
            press(&mut app, ch(c));
        }
        for (w, h) in sizes {
            for theme in [&TRUE, &PLAIN] {
                let buf = draw(&app, w, h, theme, &memo);
                let cut = cut_titles(&buf);
                assert!(cut.is_empty(), "{w}×{h} {cut:?}\n{}", text(&buf));
            }
        }
    }
    press(&mut app, ch('x'));
    assert_eq!(app.view.name, "appendix");
    for keys in ["", "t"] {
        for c in keys.chars() {
            press(&mut app, ch(c));
        }
        for (w, h) in sizes {
            let buf = draw(&app, w, h, &TRUE, &memo);
            let cut = cut_titles(&buf);
            assert!(cut.is_empty(), "{w}×{h} {cut:?}\n{}", text(&buf));
        }
    }
}

/// The heatmap's legend: W_input's scale (its largest |w| on the sticky scale) at both ends
/// of the ramp, the ramp in the map's own colours (blue to 0 to orange) and, without colour,
/// in its signed shades; the DFT maps carry theirs on their title rows.
#[test]
fn heatmaps_carry_their_scale() {
    let mut app = grokked();
    let memo = Memo::default();
    let frame = app.shared.frame().unwrap().clone();
    let Weights::Modular(m) = &frame.weights else {
        unreachable!()
    };
    let max = m.w_input.iter().fold(0.0f64, |a, v| a.max(v.abs())) as f32;
    let s = short(sticky_scale(max));
    // The DFT map, in the mechanism view.
    let buf = draw(&app, 120, 40, &TRUE, &memo);
    let (x, y) = find(&buf, "W_input (its columns").unwrap();
    let row = cells(&buf, y, x, buf.area.width);
    assert!(
        row.contains(" 0 ") && row.contains('−') && row.contains('+'),
        "{row}"
    );
    press(&mut app, ch('m'));
    assert_eq!(app.view.name, "training");
    let buf = draw(&app, 120, 40, &TRUE, &memo);
    let (_, y) = find(&buf, "a = 0 … ").unwrap();
    let row = cells(&buf, y, 0, buf.area.width);
    assert!(
        row.contains(&format!("−{s} ")) && row.contains(&format!(" +{s}")),
        "{row}"
    );
    let ramp: Vec<Color> = (0..buf.area.width)
        .map(|x| &buf[(x, y)])
        .filter(|c| c.symbol() == "█")
        .map(|c| c.fg)
        .collect();
    let levels: Vec<i8> = (-6..=-1).chain(1..=6).collect();
    let want: Vec<Color> = levels.iter().map(|&l| TRUE.heat_color(l)).collect();
    assert_eq!(ramp, want, "{row}");
    let plain = draw(&app, 120, 40, &PLAIN, &memo);
    let (_, y) = find(&plain, "a = 0 … ").unwrap();
    let row = cells(&plain, y, 0, plain.area.width);
    assert!(row.contains(&format!("−{s} ⣿⠿⠭⠅⠂ 0 ·░▒▓█ +{s}")), "{row}");
    // Narrow (80×24, every 4th column): both ends of the scale and one shade a side.
    let small = draw(&app, 80, 24, &PLAIN, &memo);
    let (_, y) = find(&small, "╰ ").unwrap();
    let row = cells(&small, y, 0, 80);
    assert!(
        row.contains(&format!("−{s}⣿")) && row.contains(&format!("█+{s}")),
        "{}",
        text(&small)
    );
}

/// The DFT panel's neurons fill it: no empty row between its title and its axis row (the
/// rows they would leave empty go to the panels above, as the weights' band gives its rows
/// to the charts), at the full layout's sizes.
#[test]
fn the_dft_fills_its_panel() {
    let h = memorizing();
    let (app, memo) = (grokked(), Memo::default());
    for (w, ht) in [(120, 40), (140, 44), (160, 50), (200, 60)] {
        for (name, buf) in [
            ("memorizing", h.render(w, ht, &TRUE)),
            ("grokked", draw(&app, w, ht, &TRUE, &memo)),
        ] {
            let r = panel_rect(&buf, "╭ DFT").unwrap_or_else(|| panic!("{name} {w}×{ht}"));
            let axis = r.bottom() - 2;
            assert!(cells(&buf, axis, r.x + 1, r.right() - 1).starts_with("  k c"));
            let empty: Vec<u16> = (r.y + 1..axis)
                .filter(|&y| cells(&buf, y, r.x + 1, r.right() - 1).trim().is_empty())
                .collect();
            assert!(
                empty.is_empty(),
                "{name} {w}×{ht}: empty rows {empty:?}:\n{}",
                text(&buf)
            );
        }
    }
}

/// The DFT shows every neuron without colour too (two a row, as braille halves, where a row
/// each left 16 of 24 at 120×40), and where its neurons leave rows (the 80×24 page), the
/// axis follows the maps and the rows under it say how to read them, in colour or not.
#[test]
fn the_dft_shows_every_neuron_and_leaves_no_empty_rows() {
    let mut app = grokked();
    let memo = Memo::default();
    for theme in [TRUE, PLAIN] {
        let buf = draw(&app, 120, 40, &theme, &memo);
        let r = panel_rect(&buf, "╭ DFT").unwrap();
        let inside: String = (r.y..r.bottom())
            .map(|y| cells(&buf, y, r.x, r.right()))
            .collect();
        assert!(!inside.contains("neurons)"), "{}", text(&buf));
    }
    press(&mut app, ch('f'));
    press(&mut app, ch('f'));
    for theme in [TRUE, PLAIN] {
        let buf = draw(&app, 80, 24, &theme, &memo);
        let r = panel_rect(&buf, "╭ DFT").unwrap();
        let row = |y: u16| cells(&buf, y, r.x + 1, r.right() - 1);
        let axis = (r.y + 1..r.bottom() - 1)
            .find(|&y| row(y).starts_with("  k c"))
            .expect("the axis");
        let empty: Vec<u16> = (r.y + 1..axis)
            .filter(|&y| row(y).trim().is_empty())
            .collect();
        assert!(empty.is_empty(), "empty rows {empty:?}\n{}", text(&buf));
        assert!(
            axis + 1 < r.bottom() - 1 && row(axis + 1).contains("Each row is a neuron"),
            "{}",
            text(&buf)
        );
        let title = row(r.y + 1);
        assert!(!title.contains("neurons)"), "{title}");
    }
}
