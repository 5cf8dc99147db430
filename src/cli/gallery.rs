//! `grokscope --view gallery --sweep-file FILE`: the runs of a finished sweep's output for the
//! gallery view, read strictly (the gallery has no later pass to finish a torn file).

use super::Failure;
use crate::app::views::gallery::FileRuns;
use crate::sweep::RunRecord;
use crate::train::files::show;
use std::path::Path;

/// Largest sweep output read (as `sweep report` reads).
const MAX_BYTES: u64 = 256 << 20;

/// The records of `path` in grid order, one per run (the later of a run recorded twice with
/// other settings): every line a sweep record of one grid with valid settings. A foreign file, a last line cut short, runs of several grids or no run
/// at all: one line naming the problem (status 2).
pub fn read(path: &Path) -> Result<FileRuns, Failure> {
    let text = super::read_regular(path, MAX_BYTES)?;
    let bad = |line: usize, why: String| {
        Failure::usage(format!(
            "{}:{line}: {why} (the gallery reads `grokscope sweep --grid mod-add-seeds --out FILE`)",
            show(path)
        ))
    };
    let mut records: Vec<RunRecord> = Vec::new();
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    for (i, raw) in lines.iter().enumerate() {
        let l = raw.trim();
        if l.is_empty() {
            continue;
        }
        let r: RunRecord = match serde_json::from_str(l) {
            Ok(r) => r,
            Err(_) if i + 1 == lines.len() && !raw.ends_with('\n') => {
                return Err(bad(
                    i + 1,
                    "the last line is cut short (a sweep stopped while writing it; rerun it with the same --out to finish)".into(),
                ));
            }
            Err(e) => return Err(bad(i + 1, format!("not a sweep record ({e})"))),
        };
        if let Some(first) = records.first()
            && first.grid != r.grid
        {
            return Err(bad(
                i + 1,
                format!(
                    "a run of grid {} after runs of {}: the gallery shows one grid",
                    r.grid, first.grid
                ),
            ));
        }
        r.settings
            .validate()
            .map_err(|e| bad(i + 1, format!("run {}'s settings: {e}", r.run)))?;
        records.push(r);
    }
    if records.is_empty() {
        return Err(Failure::usage(format!(
            "{}: no sweep records (the gallery reads `grokscope sweep --grid mod-add-seeds --out FILE`)",
            show(path)
        )));
    }
    // A run recorded twice is read as `sweep report` reads it: again with other settings (an
    // edited grid was rerun), the later record stands; with the same settings but another
    // class, the file is refused; otherwise it is one run.
    let (mut records, notes) =
        crate::sweep::merge(records).map_err(|e| Failure::usage(format!("{}: {e}", show(path))))?;
    for n in notes {
        eprintln!("grokscope: {}: {n}", show(path));
    }
    records.sort_by_key(|r| r.run);
    Ok(FileRuns {
        path: path.to_path_buf(),
        records,
    })
}

/// With `--article`, the file's runs are shown beside the article's gallery: they must be of
/// the article's `mod-add-seeds` grid.
pub fn check_article(f: &FileRuns) -> Result<(), Failure> {
    let grid = f.records.first().map_or("", |r| r.grid.as_str());
    match crate::sweep::article::counterpart(grid) {
        Some("mod-add-seeds") => Ok(()),
        Some(_) => Err(Failure::usage(format!(
            "--article: {} holds runs of {grid}; a --sweep-file goes to the gallery, whose \
             article runs are mod-add-seeds (the sweep view trains {grid} live beside the \
             article's)",
            show(&f.path)
        ))),
        None => Err(Failure::usage(format!(
            "--article: {} holds runs of grid '{grid}', which the article has no runs of (it \
             has {})",
            show(&f.path),
            crate::sweep::article::GRIDS.join(" and ")
        ))),
    }
}
