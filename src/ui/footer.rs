//! Footer: the view's keys (from its key table), then the last notice. The dashboard's views
//! and `sweep --watch` all draw it.

use super::Theme;
use super::text::fit;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// What the footer shows: (keys, label) pairs as many as fit, and a notice.
pub struct Footer<'a> {
    pub keys: &'a [(&'static str, &'static str)],
    pub message: Option<&'a str>,
}

/// How the entries are written: their labels whole, or the long ones (over [`LONG`]
/// characters) cut to their first word ("training view" → "training", "quit (prints the
/// tables)" → "quit"; "next grid" stays), and the gap after each.
#[derive(Clone, Copy)]
struct Form {
    short: bool,
    gap: usize,
}

/// The forms tried in turn, until every entry fits: as the table says, then the labels'
/// first words, then one space between entries. Only when even that is too long are
/// entries left out.
const FORMS: [Form; 3] = [
    Form {
        short: false,
        gap: 2,
    },
    Form {
        short: true,
        gap: 2,
    },
    Form {
        short: true,
        gap: 1,
    },
];

/// A label longer than this is cut to its first word in the short forms.
const LONG: usize = 9;

impl Form {
    fn label(self, what: &'static str) -> &'static str {
        if self.short && what.chars().count() > LONG {
            what.split(' ').next().unwrap_or(what)
        } else {
            what
        }
    }

    /// The columns an entry takes: "k label" and the gap.
    fn width(self, &(k, what): &(&str, &'static str)) -> usize {
        k.chars().count() + 1 + self.label(what).chars().count() + self.gap
    }
}

/// The entries shown in `budget` columns and their form: every entry in the first form in
/// which all fit; else, in the form that keeps most (the looser on a tie), in table order as
/// many as fit, the help's `?` (which lists the rest; else the last entry) kept whenever it
/// fits.
fn shown<'a>(
    keys: &'a [(&'static str, &'static str)],
    budget: usize,
) -> (Vec<&'a (&'static str, &'static str)>, Form) {
    let mut best = (Vec::new(), FORMS[0]);
    for form in FORMS {
        let some = truncated(keys, budget, form);
        if some.len() == keys.len() {
            return (keys.iter().collect(), form);
        }
        if some.len() > best.0.len() {
            best = (some, form);
        }
    }
    best
}

/// The entries of `keys` in table order as many as fit `budget` in `form`, `?` kept.
fn truncated<'a>(
    keys: &'a [(&'static str, &'static str)],
    budget: usize,
    form: Form,
) -> Vec<&'a (&'static str, &'static str)> {
    let Some(kept) = keys
        .iter()
        .position(|e| e.0 == "?")
        .or(keys.len().checked_sub(1))
    else {
        return Vec::new();
    };
    let mut left = budget.saturating_sub(form.width(&keys[kept]));
    let mut out: Vec<_> = keys
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != kept)
        .map(|(_, e)| e)
        .take_while(|e| {
            let w = form.width(e);
            let fits = w <= left;
            left = left.saturating_sub(w);
            fits
        })
        .collect();
    if form.width(&keys[kept]) <= budget {
        out.push(&keys[kept]);
    }
    out
}

pub fn render(f: &mut Frame, footer: &Footer, theme: &Theme, area: Rect) {
    let budget = area.width as usize;
    // A notice leaves room for the help key at least, and is cut at a word if it must be.
    let tight = FORMS[FORMS.len() - 1];
    let help_w = footer
        .keys
        .iter()
        .find(|e| e.0 == "?")
        .or(footer.keys.last())
        .map_or(0, |e| tight.width(e));
    let message = footer
        .message
        .map(|m| fit(m, budget.saturating_sub(help_w + 2).max(budget / 2)));
    let msg_w = message.as_ref().map_or(0, |m| m.chars().count() + 2);
    let mut spans = Vec::new();
    let (entries, form) = shown(footer.keys, budget.saturating_sub(msg_w));
    let gap = " ".repeat(form.gap);
    for &(k, what) in entries {
        spans.push(Span::styled(k, theme.title()));
        spans.push(Span::styled(
            format!(" {}{gap}", form.label(what)),
            theme.dim(),
        ));
    }
    if let Some(m) = message {
        spans.push(Span::styled(format!("» {m}"), theme.edited()));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

#[cfg(test)]
mod tests {
    use super::*;

    const GALLERY: [(&str, &str); 8] = [
        ("G", "training view"),
        ("←→↑↓", "select"),
        ("PgUp/Dn", "page"),
        ("<>", "step"),
        ("⏎", "open run"),
        ("Tab", "article/yours"),
        ("?", "help"),
        ("q", "quit"),
    ];

    fn text(entries: &[&(&str, &'static str)], form: Form) -> String {
        let parts: Vec<String> = entries
            .iter()
            .map(|&&(k, w)| format!("{k} {}", form.label(w)))
            .collect();
        parts.join(&" ".repeat(form.gap))
    }

    /// Whole when it fits; at 80 columns the gallery keeps its Tab (the key that says the
    /// view switches) in shorter words before anything is left out.
    #[test]
    fn shorter_words_come_before_leaving_entries_out() {
        let (all, form) = shown(&GALLERY, 120);
        assert_eq!(all.len(), GALLERY.len());
        assert_eq!(
            text(&all, form),
            "G training view  ←→↑↓ select  PgUp/Dn page  <> step  ⏎ open run  Tab article/yours  ? help  q quit"
        );
        let (some, form) = shown(&GALLERY[..7], 80);
        let line = text(&some, form);
        assert_eq!(
            line,
            "G training ←→↑↓ select PgUp/Dn page <> step ⏎ open run Tab article/yours ? help"
        );
        assert!(line.chars().count() <= 80);
        // Too narrow for all: table order, ? kept, in the form that keeps most (the looser
        // on a tie).
        let (few, form) = shown(&GALLERY, 40);
        assert_eq!(text(&few, form), "G training view  ←→↑↓ select  ? help");
        let (few, form) = shown(&GALLERY, 44);
        assert_eq!(
            text(&few, form),
            "G training ←→↑↓ select PgUp/Dn page ? help"
        );
        assert_eq!(
            Form {
                short: true,
                gap: 1
            }
            .label("next grid"),
            "next grid"
        );
        assert_eq!(
            Form {
                short: true,
                gap: 1
            }
            .label("quit (prints the tables)"),
            "quit"
        );
    }
}
