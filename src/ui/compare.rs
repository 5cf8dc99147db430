//! A second run on the same axes (`grokscope replay DIR DIR2`): how the loss and accuracy
//! charts draw it (the run on screen's hues, darker; without colour, its own markers), the
//! legend naming both runs and the settings they differ in, and its values at the cursor.

use super::{Theme, thousands};
use crate::snapshot::Compared;
use crate::train::Config;
use crate::train::config::show_number;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};

/// The compared run's markers for its train and test series: braille as the run on screen
/// (its darker colours tell it apart), without colour one character per cell, `+` and `x`.
pub fn markers(theme: &Theme) -> (Marker, Marker) {
    if theme.colored() {
        (Marker::Braille, Marker::Braille)
    } else {
        (Marker::Custom('+'), Marker::Custom('x'))
    }
}

/// The run on screen's legend mark (its train and test series), and the compared run's.
fn marks(theme: &Theme) -> [[Span<'static>; 2]; 2] {
    let (a, b, c, d) = if theme.colored() {
        ("━", "━", "━", "━")
    } else {
        ("⠤", "•", "+", "x")
    };
    [
        [
            Span::styled(a, theme.train()),
            Span::styled(b, theme.test()),
        ],
        [
            Span::styled(c, theme.train_compared()),
            Span::styled(d, theme.test_compared()),
        ],
    ]
}

/// The compared run's mark beside a value of its train (`test` false) or test series.
pub fn mark(theme: &Theme, test: bool) -> Span<'static> {
    let [_, [train, test_mark]] = marks(theme);
    if test { test_mark } else { train }
}

/// A setting as the legend names it.
fn short(key: &str) -> &str {
    match key {
        "weight_decay" => "wd",
        "train_frac" => "train",
        "n_train" => "n train",
        "n_test" => "n test",
        "n_bits" => "bits",
        "k_bits" => "k",
        "activation" => "act",
        "modulus" => "P",
        k => k,
    }
}

fn show(key: &str, v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) if key == "steps" => {
            n.as_u64().map_or_else(|| n.to_string(), thousands)
        }
        serde_json::Value::Number(n) => n
            .as_u64()
            .map(|u| u.to_string())
            .or_else(|| n.as_f64().map(show_number))
            .unwrap_or_else(|| n.to_string()),
        v => v.to_string(),
    }
}

/// What tells two runs' settings apart, for each run: "seed 3" and "seed 7", "wd 1, lr
/// 0.001" and "wd 0.3, lr 0.003"; runs of different tasks by their presets ("mod-add" and
/// "parity", the rest of their settings following from the task); empty when they are the
/// same.
pub fn differences(a: &Config, b: &Config) -> (Vec<String>, Vec<String>) {
    if a.task != b.task {
        return (vec![a.preset.clone()], vec![b.preset.clone()]);
    }
    let (Ok(serde_json::Value::Object(x)), Ok(serde_json::Value::Object(y))) =
        (serde_json::to_value(a), serde_json::to_value(b))
    else {
        return Default::default();
    };
    let mut out = (Vec::new(), Vec::new());
    for (key, v) in &x {
        let w = &y[key];
        if key == "preset" || v == w {
            continue;
        }
        out.0.push(format!("{} {}", short(key), show(key, v)));
        out.1.push(format!("{} {}", short(key), show(key, w)));
    }
    if out.0.is_empty() && a.preset != b.preset {
        return (vec![a.preset.clone()], vec![b.preset.clone()]);
    }
    out
}

/// `s` cut to `n` characters, the cut marked with an ellipsis.
fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_string();
    }
    let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// The legend naming both runs, at most `width` columns: each run's mark (its train and
/// test series' markers), its directory's name and the settings it differs in (as many as
/// fit; "same settings" when none). Shorter forms drop the settings, then shorten names.
pub fn legend(theme: &Theme, c: &Compared, primary: &Config, width: usize) -> Line<'static> {
    let (da, db) = differences(primary, &c.config);
    let (na, nb) = (&c.names.0, &c.names.1);
    let mut forms: Vec<(String, String, String)> = Vec::new();
    if da.is_empty() {
        forms.push((na.clone(), nb.clone(), " · same settings".into()));
    }
    for n in (1..=da.len().min(3)).rev() {
        let more = if n < da.len() { ", …" } else { "" };
        forms.push((
            format!("{na} ({}{more})", da[..n].join(", ")),
            format!("{nb} ({}{more})", db[..n].join(", ")),
            String::new(),
        ));
    }
    forms.push((na.clone(), nb.clone(), String::new()));
    // Marks, the gap between the runs and the spaces at the ends: 10 columns.
    let fixed = 10;
    let fits = |(a, b, tail): &(String, String, String)| {
        a.chars().count() + b.chars().count() + tail.chars().count() + fixed <= width
    };
    let (a, b, tail) = forms.iter().find(|f| fits(f)).cloned().unwrap_or_else(|| {
        let room = width.saturating_sub(fixed) / 2;
        (cut(na, room.max(1)), cut(nb, room.max(1)), String::new())
    });
    let [[a1, a2], [b1, b2]] = marks(theme);
    Line::from(vec![
        Span::raw(" "),
        a1,
        a2,
        Span::raw(format!(" {a}  ")),
        b1,
        b2,
        Span::styled(format!(" {b}"), theme.dim()),
        Span::styled(format!("{tail} "), theme.dim()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::Status;
    use crate::train::presets;

    fn preset(name: &str) -> Config {
        presets::find(name).unwrap().config
    }

    fn text(l: &Line) -> String {
        l.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    fn compared(config: Config) -> Compared {
        Compared {
            names: ("r1".into(), "r2".into()),
            config,
            history: Vec::new(),
            status: Status::Finished,
        }
    }

    #[test]
    fn a_cursor_reads_the_last_point_at_or_before_it_and_nothing_past_the_end() {
        let m = |step: u64| crate::train::Metrics {
            step,
            train_loss: step as f64,
            test_loss: 0.0,
            train_acc: 0.0,
            test_acc: 0.0,
            weight_norm: 0.0,
        };
        let mut c = compared(preset("mod-add"));
        c.history = vec![m(0), m(20), m(40)];
        let at = |c: &Compared, s: u64| c.at(s).map(|m| m.step);
        assert_eq!(at(&c, 0), Some(0));
        assert_eq!(at(&c, 30), Some(20));
        assert_eq!(at(&c, 40), Some(40));
        assert_eq!(at(&c, 60), None, "it ended at 40");
        c.status = Status::Running;
        assert_eq!(at(&c, 60), Some(40), "still going: its latest");
        c.history.clear();
        assert_eq!(at(&c, 0), None);
    }

    #[test]
    fn differences_name_the_settings_that_differ() {
        let a = preset("mod-add");
        let mut b = a.clone();
        assert_eq!(differences(&a, &b), (vec![], vec![]));
        b.seed = 7;
        assert_eq!(
            differences(&a, &b),
            (vec![format!("seed {}", a.seed)], vec!["seed 7".into()])
        );
        b.weight_decay = 0.3;
        b.steps = 12_000;
        let (x, y) = differences(&a, &b);
        assert_eq!(x.len(), 3, "{x:?}");
        assert!(y.contains(&"wd 0.3".to_string()), "{y:?}");
        assert!(y.contains(&"steps 12,000".to_string()), "{y:?}");
        // Another task: its preset says it; its other settings follow from it.
        let p = preset("parity");
        assert_eq!(
            differences(&a, &p),
            (vec!["mod-add".into()], vec!["parity".into()])
        );
    }

    #[test]
    fn the_legend_names_both_runs_and_shortens_to_fit() {
        let theme = Theme::detect(true, "");
        let a = preset("mod-add");
        let mut b = a.clone();
        b.seed = a.seed + 1;
        let c = compared(b);
        let wide = text(&legend(&theme, &c, &a, 80));
        assert_eq!(
            wide,
            format!(" ⠤• r1 (seed {})  +x r2 (seed {}) ", a.seed, a.seed + 1)
        );
        assert_eq!(text(&legend(&theme, &c, &a, 22)), " ⠤• r1  +x r2 ");
        assert!(text(&legend(&theme, &c, &a, 22)).chars().count() <= 22);
        let same = compared(a.clone());
        assert_eq!(
            text(&legend(&theme, &same, &a, 80)),
            " ⠤• r1  +x r2 · same settings "
        );
        let long = Compared {
            names: (
                "a-very-long-directory-name".into(),
                "another-long-one".into(),
            ),
            ..same
        };
        let l = text(&legend(&theme, &long, &a, 30));
        assert!(l.chars().count() <= 30, "{l}");
        assert!(l.contains('…'), "{l}");
    }
}
