//! Dashboard fixtures: each preset's recorded run played to a step past memorization, and
//! text search on a frame.

use grokscope::app::harness::{Harness, text};
use ratatui::buffer::Buffer;

/// Steps trained before each preset's snapshot: past memorization, quick in a test.
pub fn steps_for(name: &str) -> u64 {
    match name {
        "five-neurons" => 3000,
        "parity" | "parity-l2" => 600,
        _ => 1000,
    }
}

/// The preset's recorded run played to its step.
pub fn trained(name: &str) -> Harness {
    let mut h = super::played(name);
    h.train(steps_for(name));
    h
}

/// The first cell (x, y) whose row text contains `needle` at that column.
pub fn find(buf: &Buffer, needle: &str) -> Option<(u16, u16)> {
    let t = text(buf);
    for (y, line) in t.lines().enumerate() {
        if let Some(byte) = line.find(needle) {
            let x = line[..byte].chars().count();
            return Some((x as u16, y as u16));
        }
    }
    None
}
