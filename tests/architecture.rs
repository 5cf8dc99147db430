//! ARCHITECTURE.md's rule, kept by code: the files of `src/` import one another without a
//! cycle, and no file imports from a layer above its own (train → analysis → probe → sweep
//! → snapshot → ui → app → cli → main, each importing only from those before it).
//!
//! The edges are read from the source: every `use crate::…` / `use super::…` (braces
//! expanded) and every `crate::…` / `super::…` path written inline, each resolved to the
//! deepest file it names. Unit-test modules (`#[cfg(test)] mod …`) are left out: tests may
//! reach anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, lowest first: a file may import from its own layer and those before it.
const LAYERS: [&str; 9] = [
    "train", "analysis", "probe", "sweep", "snapshot", "ui", "app", "cli", "main",
];

fn layer(file: &str) -> usize {
    let top = file
        .trim_start_matches("src/")
        .split(['/', '.'])
        .next()
        .unwrap_or("");
    let top = if top == "lib" { "main" } else { top };
    LAYERS
        .iter()
        .position(|&l| l == top)
        .unwrap_or_else(|| panic!("{file}: not in any layer; add its folder to LAYERS"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a file: `src/a/b.rs` and `src/a/b/mod.rs` are `a::b`.
fn module_of(file: &str) -> Vec<String> {
    let rel = file.trim_start_matches("src/").trim_end_matches(".rs");
    let mut segs: Vec<String> = rel.split('/').map(String::from).collect();
    if matches!(
        segs.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        segs.pop();
    }
    segs
}

/// The file a module path names, if one exists.
fn file_of(root: &Path, segs: &[String]) -> Option<String> {
    if segs.is_empty() {
        return Some("src/lib.rs".into());
    }
    let base = segs.join("/");
    [format!("src/{base}.rs"), format!("src/{base}/mod.rs")]
        .into_iter()
        .find(|f| root.join(f).is_file())
}

/// The deepest file a path names (a path goes on into items inside the file).
fn resolve(root: &Path, segs: &[String]) -> Option<String> {
    (1..=segs.len())
        .rev()
        .find_map(|n| file_of(root, &segs[..n]))
}

/// The source without comments, string and char literals (kept as blanks, so positions and
/// braces inside them do not count), and with unit-test modules cut off.
fn code_of(src: &str) -> String {
    let cut = src.find("#[cfg(test)]\nmod ").unwrap_or(src.len());
    let b = &src.as_bytes()[..cut];
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"r#\"") || b[i..].starts_with(b"r\"") {
            let hashes = if b[i + 1] == b'#' { 1 } else { 0 };
            i += 2 + hashes;
            let end: &[u8] = if hashes == 1 { b"\"#" } else { b"\"" };
            while i < b.len() && !b[i..].starts_with(end) {
                i += 1;
            }
            i += end.len();
            out.push_str("\"\"");
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i] == b'\'' && i + 2 < b.len() && (b[i + 2] == b'\'' || b[i + 1] == b'\\') {
            // A char literal ('x', '\n', '\u{..}'); lifetimes ('a) have no closing quote.
            i += 1;
            while i < b.len() && b[i] != b'\'' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("' '");
        } else {
            let ch = src[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// `a::{b, c::{d, e}}` → `a::b`, `a::c::d`, `a::c::e` (aliases and globs dropped).
fn expand(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        let path = tree.split_whitespace().next().unwrap_or("");
        return vec![path.trim_end_matches("::*").to_string()];
    };
    let prefix: String = tree[..open].split_whitespace().collect();
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (k, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..k]);
                start = k + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .flat_map(|p| match p {
            "self" => vec![prefix.trim_end_matches("::").to_string()],
            _ => expand(p)
                .into_iter()
                .map(|q| format!("{prefix}{q}"))
                .collect(),
        })
        .collect()
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Every `crate::…`/`super::…` path of `code` (its `use` trees expanded), with the inline
/// module (`mod x { … }`) it is written in.
fn paths(code: &str, crate_name: &str) -> Vec<(Vec<String>, String)> {
    let mut out = Vec::new();
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let toks: Vec<(usize, char)> = code.char_indices().collect();
    let mut k = 0;
    while k < toks.len() {
        let (i, c) = toks[k];
        let word_start = i == 0 || !is_ident(code[..i].chars().last().unwrap());
        let rest = &code[i..];
        if c == '{' {
            depth += 1;
        } else if c == '}' {
            depth = depth.saturating_sub(1);
            if inline.last().is_some_and(|&(_, d)| d == depth) {
                inline.pop();
            }
        } else if word_start && rest.starts_with("mod ") {
            let name: String = rest[4..].chars().take_while(|&c| is_ident(c)).collect();
            let after = rest[4 + name.len()..].trim_start();
            if after.starts_with('{') {
                inline.push((name, depth));
            }
        } else if word_start && rest.starts_with("use ") {
            let end = rest.find(';').unwrap_or(rest.len());
            for p in expand(&rest[4..end]) {
                out.push((inline.iter().map(|(n, _)| n.clone()).collect(), p));
            }
            k += rest[..end].chars().count();
            continue;
        } else if word_start
            && (rest.starts_with("crate::")
                || rest.starts_with("super::")
                || rest.starts_with(&format!("{crate_name}::")))
        {
            let len = rest
                .find(|c: char| !(is_ident(c) || c == ':'))
                .unwrap_or(rest.len());
            out.push((
                inline.iter().map(|(n, _)| n.clone()).collect(),
                rest[..len].trim_end_matches(':').to_string(),
            ));
            k += rest[..len].chars().count();
            continue;
        }
        k += 1;
    }
    out
}

/// The files each file of `src/` imports.
fn edges(root: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut graph = BTreeMap::new();
    for path in files {
        let file = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let code = code_of(&std::fs::read_to_string(&path).unwrap());
        let mut to = BTreeSet::new();
        for (inline, p) in paths(&code, "grokscope") {
            let mut segs: Vec<String> = module_of(&file);
            segs.extend(inline);
            let mut parts = p.split("::").filter(|s| !s.is_empty()).peekable();
            match parts.peek().copied() {
                Some("crate" | "grokscope") => {
                    segs.clear();
                    parts.next();
                }
                Some("super") => {
                    while parts.peek() == Some(&"super") {
                        parts.next();
                        segs.pop();
                    }
                }
                _ => continue,
            }
            segs.extend(parts.map(String::from));
            if let Some(target) = resolve(root, &segs)
                && target != file
            {
                to.insert(target);
            }
        }
        graph.insert(file, to);
    }
    graph
}

/// The strongly connected components of more than one file (Tarjan).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct T<'a> {
        g: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(t: &mut T<'a>, v: &'a str) {
        let n = t.index.len();
        t.index.insert(v, n);
        t.low.insert(v, n);
        t.stack.push(v);
        t.on.insert(v);
        for w in t.g.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !t.index.contains_key(w) {
                visit(t, w);
                let l = t.low[v].min(t.low[w]);
                t.low.insert(v, l);
            } else if t.on.contains(w) {
                let l = t.low[v].min(t.index[w]);
                t.low.insert(v, l);
            }
        }
        if t.low[v] == t.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = t.stack.pop() {
                t.on.remove(w);
                comp.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                t.out.push(comp);
            }
        }
    }
    let mut t = T {
        g: graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !t.index.contains_key(v.as_str()) {
            visit(&mut t, v);
        }
    }
    t.out
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn no_file_level_import_cycle() {
    let found = cycles(&edges(&root()));
    assert!(
        found.is_empty(),
        "files importing one another in a circle:\n{}",
        found
            .iter()
            .map(|c| format!("  {}", c.join(" ↔ ")))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn no_import_goes_up_a_layer() {
    let mut up = Vec::new();
    for (from, tos) in edges(&root()) {
        for to in tos {
            if layer(&to) > layer(&from) {
                up.push(format!("  {from} → {to}"));
            }
        }
    }
    assert!(
        up.is_empty(),
        "imports from a higher layer:\n{}",
        up.join("\n")
    );
}

/// The reader itself: braces, aliases, `super` chains and inline modules resolve to the
/// files they name, and comments and strings are not read as code.
#[test]
fn the_edge_reader_resolves_what_it_reads() {
    assert_eq!(
        expand("a::{b, c::{d, e as f}, self}"),
        ["a::b", "a::c::d", "a::c::e", "a"]
    );
    let code = code_of(
        "// use crate::cli::x;\nlet s = \"crate::app::y\";\nmod inner {\n use super::super::probe::Prober;\n}\nuse crate::train::{Config, files::show};\n",
    );
    let got: Vec<String> = paths(&code, "grokscope")
        .into_iter()
        .map(|(inline, p)| format!("{}|{p}", inline.join("::")))
        .collect();
    assert_eq!(
        got,
        [
            "inner|super::super::probe::Prober",
            "|crate::train::Config",
            "|crate::train::files::show"
        ]
    );
    let g = edges(&root());
    // Known edges of this repository, in both directions of a `super` chain.
    assert!(g["src/app/views/training.rs"].contains("src/app/action.rs"));
    assert!(g["src/app/state.rs"].contains("src/app/views/training.rs"));
    assert!(
        g["src/cli/mod.rs"]
            .iter()
            .any(|t| t.starts_with("src/app/"))
    );
    assert!(!g["src/train/simd.rs"].contains("src/train/simd.rs"));
    // A cycle is found when there is one.
    let mut with_cycle = g.clone();
    with_cycle
        .get_mut("src/train/mod.rs")
        .unwrap()
        .insert("src/app/state.rs".into());
    assert!(!cycles(&with_cycle).is_empty());
}
