//! Text that fits: a line cut to a width at a word boundary, the cut marked with an
//! ellipsis, so no view shows a word broken off mid-way.

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

#[cfg(test)]
mod tests {
    use super::fit;

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
}
