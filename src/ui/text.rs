//! Text that fits: a line cut to a width at a word boundary, the cut marked with an
//! ellipsis, so no view shows a word broken off mid-way; or wrapped, its continuation rows
//! indented under its value.

use ratatui::text::{Line, Span};

/// `v` with `places` decimals, and no minus sign on a value that rounds to zero: `-0.001`
/// reads 0.00, not -0.00 (nor does -0.0 itself).
pub fn fixed(v: f64, places: usize) -> String {
    let t = format!("{v:.places$}");
    match t.strip_prefix('-') {
        Some(rest) if rest.bytes().all(|b| b == b'0' || b == b'.') => rest.to_string(),
        _ => t,
    }
}

/// `s` in at most `width` columns (one per character): whole when it fits, else cut after
/// the last whole word that leaves room for "…", separators before the cut dropped. A
/// first word longer than `width` is cut inside it (nothing shorter can say it).
pub fn fit(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let room: String = s.chars().take(width - 1).collect();
    // The cut falls inside a word unless the next character is a space.
    let next_is_space = s.chars().nth(width - 1).is_some_and(char::is_whitespace);
    let kept = if next_is_space {
        room.as_str()
    } else {
        match room.rfind(char::is_whitespace) {
            Some(i) => &room[..i],
            None => room.as_str(),
        }
    };
    let kept = kept.trim_end_matches(|c: char| c.is_whitespace() || "·,;:–—-(/".contains(c));
    let kept = if kept.is_empty() { room.as_str() } else { kept };
    format!("{kept}…")
}

/// `line` wrapped at word boundaries into rows of at most `width` columns, every row after
/// the first indented by `indent` spaces so it reads as the same entry (a label's value
/// continues under the value, not under the label). Styles are kept; the spaces where a
/// row breaks are dropped; a word longer than a row is cut.
pub fn hang(line: Line<'static>, indent: usize, width: usize) -> Vec<Line<'static>> {
    if line.width() <= width || width <= indent {
        return vec![line];
    }
    let mut rows: Vec<Line<'static>> = Vec::new();
    let mut row: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for span in line.spans {
        for word in words(&span.content) {
            let blank = word.trim().is_empty();
            let mut w = Span::raw(word).width();
            if used + w > width {
                if blank {
                    continue;
                }
                rows.push(Line::from(std::mem::take(&mut row)));
                row.push(Span::raw(" ".repeat(indent)));
                used = indent;
            }
            if blank && used == indent && !rows.is_empty() {
                continue;
            }
            let mut rest: String = word.to_string();
            // A word longer than a whole row: as much as fits, the rest on the next rows.
            while used + w > width {
                let room = width - used;
                let head: String = rest.chars().take(room).collect();
                rest = rest.chars().skip(room).collect();
                row.push(Span::styled(head, span.style));
                rows.push(Line::from(std::mem::take(&mut row)));
                row.push(Span::raw(" ".repeat(indent)));
                used = indent;
                w = Span::raw(rest.as_str()).width();
            }
            used += w;
            row.push(Span::styled(rest, span.style));
        }
    }
    rows.push(Line::from(row));
    for r in &mut rows {
        trim_end(r);
    }
    rows
}

/// Runs of `s` that are all spaces or all not.
fn words(s: &str) -> impl Iterator<Item = &str> {
    let mut rest = s;
    std::iter::from_fn(move || {
        let first = rest.chars().next()?;
        let blank = first.is_whitespace();
        let end = rest
            .find(|c: char| c.is_whitespace() != blank)
            .unwrap_or(rest.len());
        let (word, tail) = rest.split_at(end);
        rest = tail;
        Some(word)
    })
}

/// The trailing spaces of a row dropped.
fn trim_end(line: &mut Line<'static>) {
    while let Some(last) = line.spans.last_mut() {
        let kept = last.content.trim_end().to_string();
        if kept.is_empty() {
            line.spans.pop();
        } else {
            last.content = kept.into();
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{fit, hang};
    use ratatui::style::Style;
    use ratatui::text::{Line, Span};

    #[test]
    fn a_cut_falls_between_words_and_says_so() {
        let s = "add mod 67 (factored), embed 500, hidden 24";
        assert_eq!(fit(s, 100), s);
        assert_eq!(fit(s, s.len()), s);
        assert_eq!(fit(s, 38), "add mod 67 (factored), embed 500…");
        let label = "digits 1-3 informative · last = bias";
        assert_eq!(fit(label, 30), "digits 1-3 informative · last…");
        assert_eq!(fit(label, 28), "digits 1-3 informative…");
        assert_eq!(fit("s1 k 2 6 9 10 17 23", 15), "s1 k 2 6 9 10…");
        // A cut right before a space keeps the whole last word.
        assert_eq!(fit("one two three", 8), "one two…");
        for w in 1..s.len() {
            let got = fit(s, w);
            assert!(got.chars().count() <= w, "{w}: {got}");
            assert!(got.ends_with('…'), "{w}: {got}");
        }
    }

    #[test]
    fn a_first_word_too_long_is_cut_inside_it() {
        assert_eq!(fit("supercalifragilistic", 6), "super…");
        assert_eq!(fit("abc", 0), "");
    }

    fn plain(rows: &[Line]) -> Vec<String> {
        rows.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn a_wrapped_row_continues_under_its_value() {
        let row = Line::from(vec![
            Span::styled(format!("{:<8}", "class"), Style::new().dim()),
            Span::raw("memorize (lowest test loss 1.1e-4 > 1e-5)"),
        ]);
        let rows = hang(row.clone(), 8, 30);
        assert_eq!(
            plain(&rows),
            [
                "class   memorize (lowest test",
                "        loss 1.1e-4 > 1e-5)"
            ]
        );
        // Styles stay with their words.
        assert!(rows[1].spans.iter().all(|s| s.style == Style::new()));
        assert_eq!(rows[0].spans[0].style, Style::new().dim());
        // Every row fits; a line that fits is left whole.
        for width in 12..60 {
            for r in hang(row.clone(), 8, width) {
                assert!(r.width() <= width, "{width}: {r}");
            }
        }
        assert_eq!(hang(row.clone(), 8, 80), [row]);
        // A word longer than a row is cut, its rest indented too.
        assert_eq!(
            plain(&hang(Line::raw("ab abcdefghijkl"), 2, 6)),
            ["ab", "  abcd", "  efgh", "  ijkl"]
        );
    }
}
