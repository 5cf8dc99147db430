//! Sweeps on a Slurm cluster. `--shard slurm` takes an array task's share of the grid from
//! the variables Slurm sets in each task; `sweep --slurm N --out DIR` writes the sbatch
//! script of an N-task array (each task one shard, one output file) and says how to merge
//! the shards' outputs once the array has finished.

use super::Failure;
use crate::sweep::Shard;
use std::path::{Path, PathBuf};

/// `--shard`: a fixed `i/n`, or `slurm`: the running array task's share, read from its
/// environment when the sweep starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShardArg {
    Fixed(Shard),
    Slurm,
}

impl std::str::FromStr for ShardArg {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s.trim() == "slurm" {
            return Ok(ShardArg::Slurm);
        }
        s.parse().map(ShardArg::Fixed).map_err(|_| {
            format!("shard must be i/n with 0 <= i < n, or slurm in an array task (got '{s}')")
        })
    }
}

impl ShardArg {
    /// The share this process takes.
    pub fn resolve(self) -> Result<Shard, Failure> {
        match self {
            ShardArg::Fixed(s) => Ok(s),
            ShardArg::Slurm => array_shard(|k| std::env::var(k).ok())
                .map_err(|e| Failure::usage(format!("--shard slurm: {e}"))),
        }
    }
}

/// The shard of the array task whose environment `var` reads: task ids run from
/// `SLURM_ARRAY_TASK_MIN` in steps of `SLURM_ARRAY_TASK_STEP` (1 when unset), and the k-th of
/// `SLURM_ARRAY_TASK_COUNT` tasks takes shard k. So `--array=1-8` and `--array=0-7` both
/// cover the grid once. `SLURM_ARRAY_TASK_MAX`, when set, must close that range: an array of
/// scattered ids (`--array=1,2,7`) would leave some shards to no task, and is refused.
pub fn array_shard(var: impl Fn(&str) -> Option<String>) -> Result<Shard, String> {
    let read = |key: &str| -> Result<Option<u64>, String> {
        match var(key) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse::<u64>()
                .map(Some)
                .map_err(|_| format!("{key} is '{v}', not a whole number")),
        }
    };
    let need = |key: &str| -> Result<u64, String> {
        read(key)?.ok_or_else(|| {
            format!("{key} is not set: run it as a task of an array job (sbatch --array)")
        })
    };
    let id = need("SLURM_ARRAY_TASK_ID")?;
    let min = need("SLURM_ARRAY_TASK_MIN")?;
    let count = need("SLURM_ARRAY_TASK_COUNT")?;
    let step = read("SLURM_ARRAY_TASK_STEP")?.unwrap_or(1);
    if count == 0 || step == 0 {
        return Err(format!(
            "SLURM_ARRAY_TASK_COUNT {count} and SLURM_ARRAY_TASK_STEP {step} must be at least 1"
        ));
    }
    let offset = id
        .checked_sub(min)
        .filter(|o| o % step == 0)
        .ok_or_else(|| {
            format!("task id {id} is not in the array's ids from {min} in steps of {step}")
        })?;
    let index = offset / step;
    let last = (count - 1)
        .checked_mul(step)
        .and_then(|s| s.checked_add(min));
    if let Some(max) = read("SLURM_ARRAY_TASK_MAX")?
        && Some(max) != last
    {
        return Err(format!(
            "the array's ids {min}-{max} are not {count} ids in steps of {step}: give the tasks ids in one range (--array=1-{count})"
        ));
    }
    if index >= count {
        return Err(format!(
            "task id {id} is past the array's {count} ids from {min} in steps of {step}"
        ));
    }
    Ok(Shard {
        index: index as usize,
        count: count as usize,
    })
}

/// The grid a sweep's tasks run, as its command line names it.
#[derive(Clone, Debug, PartialEq)]
pub enum GridArg {
    /// A built-in grid, with `--seeds` (which only some grids read; passing it is harmless).
    Builtin { name: String, seeds: u64 },
    /// A grid file, by absolute path (the tasks need not start where `sweep` ran).
    File(PathBuf),
}

/// An array job: what `sweep --slurm` writes.
#[derive(Clone, Debug, PartialEq)]
pub struct ArrayJob {
    /// The grokscope binary the tasks run (absolute).
    pub exe: PathBuf,
    pub grid: GridArg,
    /// The grid's name (in the job's name and the script's comment).
    pub grid_name: String,
    pub runs: usize,
    /// Array tasks, one shard each.
    pub tasks: usize,
    /// Runs in parallel in each task, and the CPUs each task asks for.
    pub jobs: usize,
    /// Where the script, the shards' outputs and the tasks' logs go (absolute).
    pub dir: PathBuf,
}

/// The script's file name in the job's directory.
pub const SCRIPT: &str = "sweep.sbatch";

/// Characters a path may hold in an `#SBATCH` line (which no shell parses, and where `%`
/// starts a file-name pattern) or unquoted in a shell word.
fn plain(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+,:=@".contains(c))
}

/// `s` as one shell word.
fn quote(s: &str) -> String {
    if plain(s) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

fn utf8<'a>(what: &str, p: &'a Path) -> Result<&'a str, Failure> {
    p.to_str().ok_or_else(|| {
        Failure::usage(format!(
            "{what} {}: the path is not valid UTF-8",
            p.display()
        ))
    })
}

impl ArrayJob {
    /// Check the job's numbers and paths: at least one task and no more tasks than runs,
    /// a directory path an `#SBATCH` line can hold.
    pub fn check(&self) -> Result<(), Failure> {
        if self.tasks == 0 {
            return Err(Failure::usage("--slurm must be at least 1"));
        }
        if self.tasks > self.runs {
            return Err(Failure::usage(format!(
                "--slurm {} exceeds the grid's {} runs (a task would have none)",
                self.tasks, self.runs
            )));
        }
        if self.jobs == 0 {
            return Err(Failure::usage("--jobs must be at least 1"));
        }
        let dir = utf8("--out", &self.dir)?;
        if !plain(dir) {
            return Err(Failure::usage(format!(
                "--out {dir}: with --slurm the directory's path may hold only letters, digits and / . _ - + , : = @ (sbatch's #SBATCH lines cannot quote others)"
            )));
        }
        utf8("the grokscope binary", &self.exe)?;
        if let GridArg::File(f) = &self.grid {
            utf8("--grid-file", f)?;
        }
        Ok(())
    }

    /// The sweep command of every task, shell-quoted (after [`ArrayJob::check`]).
    fn task_command(&self) -> String {
        let grid = match &self.grid {
            GridArg::Builtin { name, seeds } => format!("--grid {} --seeds {seeds}", quote(name)),
            GridArg::File(f) => format!("--grid-file {}", quote(&f.to_string_lossy())),
        };
        format!(
            "{} sweep {grid} --shard slurm --jobs {} \\\n    --out {}/shard-\"${{SLURM_ARRAY_TASK_ID}}\".jsonl",
            quote(&self.exe.to_string_lossy()),
            self.jobs,
            quote(&self.dir.to_string_lossy()),
        )
    }

    /// The command that merges the tasks' outputs once the array has finished.
    pub fn merge_command(&self) -> String {
        format!(
            "{} sweep report {}/shard-*.jsonl",
            quote(&self.exe.to_string_lossy()),
            quote(&self.dir.to_string_lossy())
        )
    }

    /// The sbatch script (after [`ArrayJob::check`]).
    pub fn script(&self) -> String {
        let dir = self.dir.to_string_lossy();
        let job_name: String = format!("grokscope-{}", self.grid_name)
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "._-".contains(c) {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        format!(
            "#!/bin/bash
# grokscope sweep: grid {grid} ({runs} runs) as a Slurm array of {tasks} tasks, written by
# `grokscope sweep --slurm`. Add #SBATCH lines for your cluster (partition, time limit,
# account) if it needs them, then submit:
#   sbatch {dir}/{SCRIPT}
# Task k trains the grid's runs k-1, k-1+{tasks}, k-1+2*{tasks}, ... and appends each finished
# run to {dir}/shard-k.jsonl; resubmitting skips the runs already there. Once every task
# has finished, merge the shards:
#   {merge}
#SBATCH --job-name={job_name}
#SBATCH --array=1-{tasks}
#SBATCH --ntasks=1
#SBATCH --cpus-per-task={jobs}
#SBATCH --output={dir}/slurm-%A_%a.log
set -euo pipefail
# The records go to the shard's file; stderr (the class counts, errors) to the task's log.
exec {command} >/dev/null
",
            grid = self.grid_name,
            runs = self.runs,
            tasks = self.tasks,
            jobs = self.jobs,
            merge = self.merge_command(),
            command = self.task_command(),
        )
    }

    /// Write the script into the job's directory (made if missing; the script replaced
    /// whole) and return what to tell the user: where it is, how to submit and to merge.
    pub fn write(&self) -> Result<String, Failure> {
        self.check()?;
        let bad =
            |e: &dyn std::fmt::Display| Failure::usage(format!("{}: {e}", self.dir.display()));
        std::fs::create_dir_all(&self.dir).map_err(|e| bad(&e))?;
        let path = self.dir.join(SCRIPT);
        crate::train::files::write_atomic(&path, self.script().as_bytes())
            .map_err(|e| Failure::failed(e.to_string()))?;
        Ok(format!(
            "{path}: grid {grid}, {runs} runs in {tasks} array tasks of {jobs} CPU{s} each\nsubmit: sbatch {path}\nmerge:  {merge}\n",
            path = quote(&path.to_string_lossy()),
            grid = self.grid_name,
            runs = self.runs,
            tasks = self.tasks,
            jobs = self.jobs,
            s = if self.jobs == 1 { "" } else { "s" },
            merge = self.merge_command(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// The environment of array task `id` of an array with these `SLURM_ARRAY_TASK_*` values.
    fn task(vars: &[(&str, &str)]) -> Result<Shard, String> {
        let env: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (format!("SLURM_ARRAY_TASK_{k}"), v.to_string()))
            .collect();
        array_shard(|k| env.get(k).cloned())
    }

    fn shards_of(ids: &[u64], step: u64) -> Vec<Shard> {
        let (min, max) = (ids[0], ids[ids.len() - 1]);
        ids.iter()
            .map(|id| {
                task(&[
                    ("ID", &id.to_string()),
                    ("MIN", &min.to_string()),
                    ("MAX", &max.to_string()),
                    ("COUNT", &ids.len().to_string()),
                    ("STEP", &step.to_string()),
                ])
                .unwrap()
            })
            .collect()
    }

    #[test]
    fn an_array_from_1_from_0_or_in_steps_covers_every_run_once() {
        for (ids, step) in [
            (vec![1, 2, 3, 4], 1),
            (vec![0, 1, 2, 3], 1),
            (vec![7, 8, 9, 10], 1),
            (vec![0, 4, 8, 12], 4),
        ] {
            let shards = shards_of(&ids, step);
            assert_eq!(
                shards
                    .iter()
                    .map(|s| (s.index, s.count))
                    .collect::<Vec<_>>(),
                [(0, 4), (1, 4), (2, 4), (3, 4)],
                "{ids:?}"
            );
            for run in 0..50 {
                assert_eq!(shards.iter().filter(|s| s.takes(run)).count(), 1);
            }
        }
        // A one-task array takes everything; MAX and STEP may be absent.
        let one = task(&[("ID", "1"), ("MIN", "1"), ("COUNT", "1")]).unwrap();
        assert_eq!((one.index, one.count), (0, 1));
        let third = task(&[("ID", "3"), ("MIN", "1"), ("COUNT", "3")]).unwrap();
        assert_eq!((third.index, third.count), (2, 3));
    }

    #[test]
    fn a_missing_or_inconsistent_environment_is_refused_by_name() {
        let cases: [(&[(&str, &str)], &str); 9] = [
            (
                &[("MIN", "1"), ("COUNT", "4")],
                "SLURM_ARRAY_TASK_ID is not set",
            ),
            (
                &[("ID", "1"), ("COUNT", "4")],
                "SLURM_ARRAY_TASK_MIN is not set",
            ),
            (
                &[("ID", "1"), ("MIN", "1")],
                "SLURM_ARRAY_TASK_COUNT is not set",
            ),
            (
                &[("ID", "x1"), ("MIN", "1"), ("COUNT", "4")],
                "SLURM_ARRAY_TASK_ID is 'x1'",
            ),
            (
                &[("ID", "-1"), ("MIN", "0"), ("COUNT", "4")],
                "not a whole number",
            ),
            (
                &[("ID", "0"), ("MIN", "1"), ("COUNT", "4")],
                "task id 0 is not in",
            ),
            (
                &[("ID", "5"), ("MIN", "1"), ("COUNT", "4")],
                "task id 5 is past",
            ),
            (&[("ID", "1"), ("MIN", "1"), ("COUNT", "0")], "at least 1"),
            // --array=1,2,7: three ids that are no range.
            (
                &[("ID", "2"), ("MIN", "1"), ("MAX", "7"), ("COUNT", "3")],
                "ids 1-7 are not 3 ids",
            ),
        ];
        for (vars, says) in cases {
            let e = task(vars).unwrap_err();
            assert!(e.contains(says), "{vars:?}: {e}");
            assert!(!e.contains('\n'), "one line: {e}");
        }
        // A task id off the step: --array=0-12:4 has no id 5.
        let e = task(&[("ID", "5"), ("MIN", "0"), ("COUNT", "4"), ("STEP", "4")]).unwrap_err();
        assert!(e.contains("steps of 4"), "{e}");
    }

    #[test]
    fn shard_arguments() {
        assert_eq!("slurm".parse::<ShardArg>(), Ok(ShardArg::Slurm));
        assert_eq!(
            "1/3".parse::<ShardArg>(),
            Ok(ShardArg::Fixed(Shard { index: 1, count: 3 }))
        );
        for bad in ["3/3", "Slurm", "", "slurm/2"] {
            let e = bad.parse::<ShardArg>().unwrap_err();
            assert!(e.contains("i/n") && e.contains("slurm"), "{bad}: {e}");
        }
        let fixed = ShardArg::Fixed(Shard { index: 0, count: 2 });
        assert_eq!(fixed.resolve().unwrap(), Shard { index: 0, count: 2 });
    }

    /// A scratch directory of this test process.
    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("grokscope-slurm-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn job(dir: &Path, exe: PathBuf, grid: GridArg) -> ArrayJob {
        ArrayJob {
            exe,
            grid,
            grid_name: "tiny grid/1".into(),
            runs: 8,
            tasks: 3,
            jobs: 2,
            dir: dir.join("job"),
        }
    }

    #[test]
    fn the_script_asks_for_the_array_and_runs_each_tasks_shard() {
        let dir = scratch("script");
        // A program that writes down its arguments, at a path a shell must quote.
        let odd = dir.join("it's a dir");
        std::fs::create_dir_all(&odd).unwrap();
        let exe = odd.join("print args");
        let args_file = dir.join("args");
        std::fs::write(
            &exe,
            format!(
                "#!/bin/sh\nprintf '%s\\n' \"$@\" > {}\n",
                args_file.display()
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        let grid_file = odd.join("my grid.json");
        let j = job(&dir, exe.clone(), GridArg::File(grid_file.clone()));
        let told = j.write().unwrap();
        let script_path = j.dir.join(SCRIPT);
        let script = std::fs::read_to_string(&script_path).unwrap();
        for line in [
            "#SBATCH --array=1-3",
            "#SBATCH --cpus-per-task=2",
            "#SBATCH --job-name=grokscope-tiny-grid-1",
            &format!("#SBATCH --output={}/slurm-%A_%a.log", j.dir.display()),
        ] {
            assert!(script.lines().any(|l| l == line), "{line} in:\n{script}");
        }
        assert!(told.contains(&format!("submit: sbatch {}", script_path.display())));
        // What bash runs in array task 2: the shard comes from the environment.
        let status = std::process::Command::new("bash")
            .arg(&script_path)
            .env("SLURM_ARRAY_TASK_ID", "2")
            .status()
            .unwrap();
        assert!(status.success());
        let args = std::fs::read_to_string(&args_file).unwrap();
        let out = format!("{}/shard-2.jsonl", j.dir.display());
        assert_eq!(
            args.lines().collect::<Vec<_>>(),
            [
                "sweep",
                "--grid-file",
                grid_file.to_str().unwrap(),
                "--shard",
                "slurm",
                "--jobs",
                "2",
                "--out",
                &out
            ]
        );
        // The merge command names every shard's file.
        for k in 1..=3 {
            std::fs::write(j.dir.join(format!("shard-{k}.jsonl")), "").unwrap();
        }
        let merge = told
            .lines()
            .find_map(|l| l.strip_prefix("merge:  "))
            .unwrap();
        assert_eq!(merge, j.merge_command());
        assert!(
            std::process::Command::new("bash")
                .args(["-c", merge])
                .status()
                .unwrap()
                .success()
        );
        let shards: Vec<String> = (1..=3)
            .map(|k| format!("{}/shard-{k}.jsonl", j.dir.display()))
            .collect();
        let args = std::fs::read_to_string(&args_file).unwrap();
        let mut want = vec!["sweep", "report"];
        want.extend(shards.iter().map(String::as_str));
        assert_eq!(args.lines().collect::<Vec<_>>(), want);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_builtin_grid_keeps_its_seeds() {
        let dir = scratch("builtin");
        let j = job(
            &dir,
            PathBuf::from("/opt/grokscope"),
            GridArg::Builtin {
                name: "mod-add-seeds".into(),
                seeds: 40,
            },
        );
        assert!(j.script().contains(
            "exec /opt/grokscope sweep --grid mod-add-seeds --seeds 40 --shard slurm --jobs 2"
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn bad_jobs_are_refused_before_anything_is_written() {
        let dir = scratch("bad");
        let base = job(
            &dir,
            PathBuf::from("/opt/grokscope"),
            GridArg::File(dir.join("g")),
        );
        let cases = [
            (
                ArrayJob {
                    tasks: 0,
                    ..base.clone()
                },
                "--slurm must be at least 1",
            ),
            (
                ArrayJob {
                    tasks: 9,
                    ..base.clone()
                },
                "exceeds the grid's 8 runs",
            ),
            (
                ArrayJob {
                    jobs: 0,
                    ..base.clone()
                },
                "--jobs",
            ),
            (
                ArrayJob {
                    dir: dir.join("a b"),
                    ..base.clone()
                },
                "may hold only",
            ),
            (
                ArrayJob {
                    dir: dir.join("100%"),
                    ..base.clone()
                },
                "may hold only",
            ),
        ];
        for (j, says) in cases {
            let e = j.write().unwrap_err();
            assert!(e.message().contains(says), "{}", e.message());
            assert_eq!(e.status(), 2);
            assert!(!j.dir.exists(), "nothing written for {}", e.message());
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
