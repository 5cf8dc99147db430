//! What the training view's panels show: the settings panel's rows, and what the keys
//! that send nothing to the trainer choose — the selected neuron (`[` `]`), the compared
//! run (`c`), the article's band behind the loss (`b`), the zoom on the cursor's steps
//! (`z`) and the heatmap's maps (`v`). Like the rest of the home view's keys, these work
//! from every view that does not answer them itself.

use super::super::super::action::Action;
use super::super::super::shared::{self, Shared};
use super::{Training, panel};
use crate::sweep::article::Article;
use crate::ui::heatmap::Focus;
use crate::ui::{SettingRow, Settings};

/// The settings panel's rows: the draft's values, each marked where it differs from the
/// running settings, and the selected row.
pub fn settings_rows(t: &Training, shared: &Shared) -> Settings {
    let (draft, running) = (&shared.draft, &shared.snapshot.config);
    Settings {
        rows: panel(draft.task)
            .iter()
            .map(|s| {
                let value = s.value(draft);
                SettingRow {
                    label: s.label,
                    short: s.short,
                    edited: value != s.value(running),
                    value,
                }
            })
            .collect(),
        selected: t.selected,
        preset: draft.preset.clone(),
        preset_index: (shared.preset + 1, shared.presets.len()),
    }
}

/// Answer one of the display's actions (others do nothing); `focus` is the heatmap's.
pub(super) fn update(focus: &mut Focus, s: &mut Shared, action: &Action) {
    match action {
        Action::NextNeuron | Action::PrevNeuron => {
            if let Some(h) = s.hidden() {
                let back = matches!(action, Action::PrevNeuron);
                s.neuron = (s.neuron + if back { h - 1 } else { 1 }) % h;
                s.message = Some(format!("neuron {} of {h} selected", s.neuron));
            }
        }
        Action::ToggleCompared => toggle_compared(s),
        Action::ToggleBand => toggle_band(s),
        Action::ToggleZoom => {
            s.zoom = !s.zoom;
            s.message = Some(if s.zoom {
                "zoom: steps around the cursor, loss axis fitted to train (←→ move, z: all)".into()
            } else {
                "the whole run (z zooms on the cursor)".into()
            });
        }
        Action::HeatFocus => {
            let (next, say) = match *focus {
                Focus::Both => (Focus::Input, "heatmap: W_input across the panel (v)"),
                Focus::Input => (Focus::Output, "heatmap: W_output across the panel (v)"),
                Focus::Output => (Focus::Both, "heatmap: both maps (v)"),
            };
            *focus = next;
            s.message = Some(say.into());
        }
        _ => {}
    }
}

/// `c`: hide or show the compared run (`replay DIR DIR2`).
fn toggle_compared(s: &mut Shared) {
    s.message = Some(match &s.snapshot.compare {
        None => "no compared run: grokscope replay DIR DIR2 draws one".into(),
        Some(c) => {
            s.hide_compared = !s.hide_compared;
            if s.hide_compared {
                format!("{} hidden: c shows it", c.names.1)
            } else {
                format!("{} against {}", c.names.0, c.names.1)
            }
        }
    });
}

/// `b`: draw the article's gallery band behind the loss curves, or stop; for a run the
/// gallery does not compare with, say why there is none.
fn toggle_band(s: &mut Shared) {
    if s.band.take().is_some() {
        s.message = Some("article band hidden (b shows it)".into());
        return;
    }
    if let Some(why) = shared::band_mismatch(&s.snapshot.config) {
        s.message = Some(why);
        return;
    }
    s.message = Some(match Article::shipped() {
        Ok(a) => {
            let band = a.gallery_band();
            let runs = band.iter().map(|p| p.runs).max().unwrap_or(0);
            s.band = Some(band);
            format!("behind the loss: the middle half of the article's {runs} gallery runs")
        }
        Err(e) => format!("no article band: {e}"),
    });
}
