//! Rendered frames of the dashboard (insta snapshots in the top-level `snapshots/`), drawn
//! from recorded runs (`tests/fixtures/`) played to a step, so they are the same on every
//! machine; the styles that carry meaning; keys that edit, restart, save and select, on runs
//! trained in the test where the keys act on the training.

mod common;

use common::dashboard::*;

use common::{TRUE, key};
use crossterm::event::KeyCode;
use grokscope::app::action::Action;
use grokscope::app::harness::{Harness, text};
use grokscope::train::presets;
use grokscope::ui::heatmap;
use grokscope::ui::{ColorMode, Theme};
use ratatui::style::{Color, Modifier};

/// Each preset's dashboard at 120×40 and 80×24 (one test per preset, so they run in
/// parallel).
fn preset_frames(name: &str) {
    let s = common::snapshot_settings();
    let h = trained(name);
    for (w, ht) in [(120, 40), (80, 24)] {
        let buf = h.render(w, ht, &TRUE);
        s.bind(|| insta::assert_snapshot!(format!("{name}_{w}x{ht}"), text(&buf)));
    }
}

macro_rules! preset_tests {
    ($($f:ident => $name:literal),* $(,)?) => {
        $(#[test] fn $f() { preset_frames($name); })*
        #[test]
        fn every_preset_has_a_frame_test() {
            let names = [$($name),*];
            assert_eq!(names.len(), presets::all().len());
            for p in presets::all() {
                assert!(names.contains(&p.name), "{} has no frame test", p.name);
            }
        }
    };
}

preset_tests! {
    frames_mod_add => "mod-add",
    frames_mod_add_collapsed => "mod-add-collapsed",
    frames_mod_add_collapsed_in => "mod-add-collapsed-in",
    frames_mod_add_collapsed_out => "mod-add-collapsed-out",
    frames_reverse_grok => "reverse-grok",
    frames_regrok => "regrok",
    frames_five_neurons => "five-neurons",
    frames_parity => "parity",
    frames_parity_l2 => "parity-l2",
}

#[test]
fn help_overlay_and_too_small() {
    let s = common::snapshot_settings();
    let mut h = common::played("mod-add");
    h.press(key(KeyCode::Char('?')));
    assert!(h.app.shared.help);
    let buf = h.render(120, 40, &TRUE);
    s.bind(|| insta::assert_snapshot!("help_overlay_120x40", text(&buf)));
    // At 80×24 the rows do not fit one page: PgDn turns to the next (wrapping round), and
    // the pages together give every row its whole text, none cut.
    let page_of = |h: &mut Harness| text(&h.render(80, 24, &TRUE));
    let first = page_of(&mut h);
    assert!(first.contains("keys 1/2 · PgDn PgUp turn"), "{first}");
    let at = h.app.shared.scrub;
    h.press(key(KeyCode::PageDown));
    let second = page_of(&mut h);
    assert!(second.contains("keys 2/2"), "{second}");
    assert_eq!(h.app.shared.scrub, at, "PgDn turned the help, not the run");
    let keys = (h.app.view.keys)(&h.app).help();
    for (k, what) in &keys {
        assert!(
            first.contains(what) || second.contains(what),
            "{k}: {what} is on neither page"
        );
    }
    h.press(key(KeyCode::PageDown));
    assert_eq!(
        page_of(&mut h),
        first,
        "PgDn past the last page comes round"
    );
    h.press(key(KeyCode::PageUp));
    assert_eq!(page_of(&mut h), second);
    // Esc closes the overlay rather than quitting.
    h.press(key(KeyCode::Esc));
    assert!(!h.app.shared.help && !h.app.shared.quit);

    for (w, ht) in [(79, 24), (120, 23), (40, 10)] {
        let t = text(&h.render(w, ht, &TRUE));
        assert!(t.contains("terminal too small"), "{w}×{ht}:\n{t}");
        assert!(t.contains("80×24"));
    }
    let buf = h.render(60, 16, &TRUE);
    s.bind(|| insta::assert_snapshot!("too_small_60x16", text(&buf)));
}

#[test]
fn key_script_edit_weight_decay_then_pause_and_scrub() {
    let s = common::snapshot_settings();
    let mut h = trained("mod-add");
    // Select weight decay (one down from learning rate) and press +.
    h.press(key(KeyCode::Char('j')));
    h.press(key(KeyCode::Char('+')));
    assert_eq!(h.app.shared.draft.weight_decay, 2.0);
    assert_eq!(
        h.app.shared.snapshot.config.weight_decay, 1.0,
        "not applied yet"
    );
    let buf = h.render(120, 40, &TRUE);
    let t = text(&buf);
    // At 120×40 mod-add's settings are the strip under the stacked heatmap.
    assert!(t.contains("▸wd 2*"), "{t}");
    let (x, y) = find(&buf, "wd 2*").unwrap();
    let x = x + 3;
    let cell = &buf[(x, y)];
    assert_eq!(cell.fg, Color::LightMagenta, "edited values are marked");
    assert!(cell.modifier.contains(Modifier::REVERSED), "selected row");
    s.bind(|| insta::assert_snapshot!("key_script_edited_wd_120x40", t));

    // The compact strip shows it too.
    let t = text(&h.render(80, 24, &TRUE));
    assert!(t.contains("▸wd 2*"), "{t}");

    // Pause, scrub back three frames: the header shows the scrubbed step.
    h.press(key(KeyCode::Char(' ')));
    assert!(h.app.shared.paused);
    let before = h.app.shared.snapshot.step;
    for _ in 0..3 {
        h.press(key(KeyCode::Left));
    }
    let frame = h.app.shared.frame().unwrap();
    assert_eq!(frame.step(), 700);
    h.train(500); // paused: no steps
    assert_eq!(h.app.shared.snapshot.step, before);
    let buf = h.render(120, 40, &TRUE);
    let t = text(&buf);
    assert!(t.contains("◂ step 700 ▸ of 1,000"), "{t}");
    assert!(t.contains("❚❚ paused"));
    let (x, y) = find(&buf, "◂ step 700").unwrap();
    assert!(buf[(x, y)].modifier.contains(Modifier::REVERSED));
    s.bind(|| insta::assert_snapshot!("key_script_scrubbed_120x40", t));

    // Enter applies the edit: a new run with weight decay 2 starts at step 0 (trained live).
    h.press(key(KeyCode::Enter));
    assert_eq!(h.runner.session.config().weight_decay, 2.0);
    assert_eq!(h.runner.session.step_count(), 0);
    assert!(!h.app.shared.paused && h.app.shared.scrub.is_none());
    let t = text(&h.render(120, 40, &TRUE));
    assert!(t.contains("▸wd 2 ") && !t.contains("wd 2*"), "{t}");
}

#[test]
fn styles_carry_meaning() {
    let h = trained("mod-add");
    let buf = h.render(120, 40, &TRUE);
    // Train is cyan, test is yellow, in the accuracy panel.
    let (x, y) = find(&buf, "train 100.00%").unwrap();
    assert_eq!(buf[(x, y)].fg, Color::Cyan);
    let (x, y) = find(&buf, "test ").unwrap();
    assert_eq!(buf[(x, y)].fg, Color::Yellow);
    // Key frequencies: their ▲ markers and bars are green, others grey.
    let frame = h.app.shared.frame().unwrap();
    let s = &frame
        .readings
        .spectrum()
        .expect("modular spectrum")
        .spectrum;
    let heat = heatmap::heat_rows(frame).heat;
    assert!(!s.key_frequencies.is_empty());
    let t = text(&buf);
    let marks: Vec<(u16, u16)> = t
        .lines()
        .enumerate()
        .flat_map(|(y, l)| {
            l.chars()
                .enumerate()
                .filter(|&(_, c)| c == '▲')
                .map(move |(x, _)| (x as u16, y as u16))
        })
        .collect();
    assert_eq!(marks.len(), s.key_frequencies.len());
    for &(x, y) in &marks {
        assert_eq!(buf[(x, y)].fg, Color::Green);
        // The bar above a key frequency is green where drawn.
        let above = &buf[(x, y - 1)];
        if above.symbol() != " " {
            assert_eq!(above.fg, Color::Green);
        }
    }
    // Heatmap: half blocks, orange for the most positive weight, blue for the most negative.
    let (hx, hy) = find(&buf, "╭ W_input").unwrap();
    let (ix, iy) = (hx + 1, hy + 1);
    let row = heat.row(0);
    let (pos, _) = row
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .unwrap();
    let (neg, _) = row
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(b.1))
        .unwrap();
    let c = &buf[(ix + pos as u16, iy)];
    assert_eq!(c.symbol(), "▀");
    // This theme is true colour: the heat colours are 24-bit.
    let rgb = |c: Color| match c {
        Color::Rgb(r, g, b) => (r, g, b),
        other => panic!("true colour draws 24-bit heat colours, got {other:?}"),
    };
    let (r, _, b) = rgb(c.fg);
    assert!(r > b, "positive weights are orange");
    let (r, _, b) = rgb(buf[(ix + neg as u16, iy)].fg);
    assert!(b > r, "negative weights are blue");
}

#[test]
fn colour_modes_no_color_and_256() {
    let h = trained("mod-add");
    let mono = h.render(120, 40, &Theme::detect(true, "truecolor"));
    for cell in mono.content() {
        assert_eq!(cell.fg, Color::Reset, "NO_COLOR: no foreground colour");
        assert_eq!(cell.bg, Color::Reset, "NO_COLOR: no background colour");
    }
    let t = text(&mono);
    // Still readable: the selected setting is reversed, the heatmap shaded by |w|, the legend named.
    assert!(t.contains("•• test"));
    assert!(t.contains('▒') || t.contains('▓') || t.contains('█'));
    // (At 120×40 mod-add's settings are the strip under the stacked heatmap.)
    let (x, y) = find(&mono, "▸lr").unwrap();
    assert!(mono[(x, y)].modifier.contains(Modifier::REVERSED));

    let c256 = h.render(120, 40, &Theme::detect(false, ""));
    assert!(
        c256.content()
            .iter()
            .all(|c| !matches!(c.fg, Color::Rgb(..)) && !matches!(c.bg, Color::Rgb(..)))
    );
    assert!(
        c256.content()
            .iter()
            .any(|c| matches!(c.fg, Color::Indexed(16..=231)))
    );
    assert_eq!(Theme::detect(false, "24bit").mode, ColorMode::TrueColor);
    assert_eq!(Theme::detect(false, "xterm").mode, ColorMode::Ansi256);
}

#[test]
fn presets_switch_with_tab_and_numbers() {
    let mut h = Harness::new(presets::find("mod-add").unwrap().config).unwrap();
    h.press(key(KeyCode::Tab));
    assert_eq!(h.runner.session.config().preset, "mod-add-collapsed");
    h.press(key(KeyCode::BackTab));
    assert_eq!(h.runner.session.config().preset, "mod-add");
    h.press(key(KeyCode::Char('8')));
    assert_eq!(h.runner.session.config().preset, "parity");
    h.train(100);
    let t = text(&h.render(120, 40, &TRUE));
    assert!(
        t.contains("parity (8/9)") && t.contains("weight norm per input digit"),
        "{t}"
    );
    h.press(key(KeyCode::Char('7')));
    assert_eq!(h.runner.session.config().preset, "five-neurons");
    h.act(Action::Restart);
    assert_eq!(h.runner.session.step_count(), 0);
    assert_eq!(h.runner.session.run(), 5);
}

#[test]
fn s_saves_a_checkpoint_that_loads() {
    let dir = std::env::temp_dir().join(format!("grokscope-ui-save-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut h = Harness::new(presets::find("five-neurons").unwrap().config).unwrap();
    h.app.shared.save_dir = dir.clone();
    h.train(300);
    h.press(key(KeyCode::Char('s')));
    let path = dir.join("grokscope-five-neurons-step300.safetensors");
    assert!(path.exists(), "{}", path.display());
    let msg = h.app.shared.message.clone().unwrap();
    assert!(
        msg.starts_with("saved ") && msg.ends_with("step300.safetensors"),
        "{msg}"
    );
    let t = text(&h.render(120, 40, &TRUE));
    assert!(t.contains("» saved "), "{t}");
    let back = grokscope::train::checkpoint::load(&path, grokscope::train::Threads(1)).unwrap();
    assert_eq!(back.step_count(), 300);
    // An unwritable directory: a message, not a crash.
    h.app.shared.save_dir = dir.join("missing/deeper");
    h.press(key(KeyCode::Char('s')));
    assert!(
        h.app
            .shared
            .message
            .as_deref()
            .unwrap()
            .starts_with("save failed")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn settings_ladders_and_bounds() {
    use grokscope::app::views::training::{SETTINGS, setting as find};
    let set = |k: &str| find(k).unwrap();
    let mut c = presets::find("mod-add").unwrap().config;
    set("lr").adjust(&mut c, true);
    assert_eq!(c.lr, 2e-3);
    set("lr").adjust(&mut c, false);
    set("lr").adjust(&mut c, false);
    assert_eq!(c.lr, 5e-4);
    set("weight_decay").adjust(&mut c, false);
    assert_eq!(c.weight_decay, 0.5);
    for _ in 0..40 {
        set("weight_decay").adjust(&mut c, false);
    }
    assert_eq!(c.weight_decay, 0.0, "weight decay reaches 0");
    set("weight_decay").adjust(&mut c, true);
    assert_eq!(c.weight_decay, 1e-6);
    set("decay").adjust(&mut c, true);
    assert_eq!(set("decay").value(&c), "L1");
    set("hidden").adjust(&mut c, true);
    assert_eq!(c.hidden, 32);
    set("train_frac").adjust(&mut c, false);
    assert_eq!(set("train_frac").value(&c), "0.35");
    for _ in 0..30 {
        set("train_frac").adjust(&mut c, true);
    }
    assert!(c.train_frac <= 0.95);
    set("activation").adjust(&mut c, true);
    assert_eq!(set("activation").value(&c), "square");
    // Every adjusted configuration still validates.
    for s in &SETTINGS {
        for up in [true, false] {
            let mut c = presets::find("parity").unwrap().config;
            s.adjust(&mut c, up);
            c.validate().unwrap();
        }
    }
    // Embed does not apply to the fixed circle: the key says so instead of changing it.
    let mut h = Harness::new(presets::find("five-neurons").unwrap().config).unwrap();
    for _ in 0..4 {
        h.press(key(KeyCode::Down));
    }
    assert_eq!(h.app.setting().key, "embed");
    h.press(key(KeyCode::Char('+')));
    assert_eq!(h.app.shared.draft.embed, 2);
    assert!(
        h.app
            .shared
            .message
            .as_deref()
            .unwrap()
            .contains("does not apply")
    );
}

#[test]
fn invalid_restart_keeps_the_old_run() {
    let mut h = Harness::new(presets::find("five-neurons").unwrap().config).unwrap();
    h.train(100);
    let mut bad = h.app.shared.draft.clone();
    bad.lr = -1.0;
    h.app.shared.draft = bad;
    h.press(key(KeyCode::Enter));
    assert_eq!(h.runner.session.step_count(), 100, "old run kept");
    assert!(
        h.app
            .shared
            .message
            .as_deref()
            .unwrap()
            .starts_with("cannot restart")
    );
}

#[test]
fn chart_extent_rescales_rarely() {
    use grokscope::ui::x_extent;
    assert_eq!(x_extent(0, 50_000), 100);
    assert_eq!(x_extent(1_000, 50_000), 1_000);
    assert_eq!(x_extent(1_001, 50_000), 2_000);
    assert_eq!(x_extent(12_345, 50_000), 20_000);
    assert_eq!(x_extent(21_000, 50_000), 50_000);
    assert_eq!(x_extent(30, 50), 50);
}

#[test]
fn a_finished_run_can_be_scrubbed() {
    let mut cfg = presets::find("five-neurons").unwrap().config;
    cfg.steps = 600;
    let mut h = Harness::new(cfg).unwrap();
    h.train(10_000);
    assert_eq!(h.runner.session.step_count(), 600);
    let t = text(&h.render(120, 40, &TRUE));
    assert!(t.contains("■ finished"), "{t}");
    h.press(key(KeyCode::Left));
    assert!(
        h.app.shared.scrub.is_some(),
        "scrub without pausing a finished run"
    );
    h.press(key(KeyCode::Right));
    assert!(h.app.shared.scrub.is_none(), "back at the latest frame");
    h.press(key(KeyCode::Char(' ')));
    h.press(key(KeyCode::Left));
    h.press(key(KeyCode::Left));
    let t = text(&h.render(120, 40, &TRUE));
    assert!(t.contains("◂ step 560 ▸ of 600"), "{t}");
}
