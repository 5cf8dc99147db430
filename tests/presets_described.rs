//! Each preset is described in one line, the same everywhere: the README's preset table
//! holds exactly the line `grokscope presets` prints and the header shows (`Preset::shows`).

use grokscope::train::presets;

/// The rows of the README's preset table: (preset name, description).
fn readme_rows() -> Vec<(String, String)> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let section = readme
        .split("\n## Presets\n")
        .nth(1)
        .expect("a '## Presets' section");
    section
        .lines()
        .skip_while(|l| !l.starts_with("| preset |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
            assert_eq!(cells.len(), 2, "a row of two cells: {l}");
            (cells[0].trim_matches('`').to_string(), cells[1].to_string())
        })
        .collect()
}

#[test]
fn the_readme_table_describes_every_preset_as_the_preset_does() {
    let rows = readme_rows();
    let all = presets::all();
    let names: Vec<&str> = rows.iter().map(|(n, _)| n.as_str()).collect();
    let expected: Vec<&str> = all.iter().map(|p| p.name).collect();
    assert_eq!(names, expected, "one row per preset, in the presets' order");
    for (p, (_, text)) in all.iter().zip(&rows) {
        assert!(
            !p.shows.contains('\n'),
            "{}: one line (the header shows one)",
            p.name
        );
        assert_eq!(text, p.shows, "{}: the README's line differs", p.name);
    }
}
