//! The run file (`run.json`): which run a directory holds, in a versioned format a newer
//! grokscope reads or refuses with the reason (the frames file beside it is described in `keep.rs`).

use super::config::Config;
use super::error::Result;
use super::files::refused as bad;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The version of grokscope that writes the files a run keeps.
pub const GROKSCOPE_VERSION: &str = env!("CARGO_PKG_VERSION");
/// The run file's `format` value.
pub const RUN_FORMAT: &str = "grokscope-run";
/// Version of the run file and of the frames file this build writes (and reads, with the
/// run file of before versions, which held only the settings).
pub const VERSION: u32 = 1;

/// Largest run file read: its settings take under a kilobyte.
const MAX_RUN_FILE: u64 = 1 << 20;

/// The run file: which run a directory holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunFile {
    pub format: String,
    pub version: u32,
    /// The grokscope version that wrote it.
    pub grokscope: String,
    pub config: Config,
    /// Steps between weight frames (absent: the run keeps none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frame_every: Option<u64>,
    /// Steps between metrics lines (absent in run files of earlier versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every: Option<u64>,
    /// The metrics file's format, `jsonl` or `csv` (absent in earlier versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<String>,
    /// The run's identity ([`super::identity`]), for reading by eye and by other tools;
    /// readers compare the settings themselves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
}

impl RunFile {
    /// The run file of a run of `config` keeping frames every `frame_every` steps and
    /// metrics lines every `every` steps in format `metrics`.
    pub fn new(config: &Config, frame_every: u64, every: u64, metrics: &str) -> Self {
        RunFile {
            format: RUN_FORMAT.into(),
            version: VERSION,
            grokscope: GROKSCOPE_VERSION.into(),
            config: config.clone(),
            frame_every: Some(frame_every),
            every: Some(every),
            metrics: Some(metrics.into()),
            identity: Some(super::identity::identity(config)),
        }
    }

    pub fn to_json(&self) -> String {
        format!(
            "{}\n",
            serde_json::to_string(self).expect("run file serialises")
        )
    }

    /// Parse a run file, saying exactly why one cannot be read: not JSON, not grokscope's, a
    /// newer format, settings this build does not know. The run file of before versions
    /// (`{"config"}` alone) reads as version 0.
    pub fn parse(text: &str, path: &Path) -> Result<Self> {
        let v: serde_json::Value = serde_json::from_str(text.trim())
            .map_err(|_| bad(path, "not a grokscope run file (not JSON)"))?;
        let Some(obj) = v.as_object() else {
            return Err(bad(path, "not a grokscope run file (not a JSON object)"));
        };
        let writer = obj
            .get("grokscope")
            .and_then(|g| g.as_str())
            .unwrap_or("an earlier grokscope");
        let version = match obj.get("format") {
            None if obj.contains_key("config") => 0,
            Some(f) if f.as_str() == Some(RUN_FORMAT) => obj
                .get("version")
                .and_then(|v| v.as_u64())
                .and_then(|v| u32::try_from(v).ok())
                .ok_or_else(|| bad(path, "run file without a format version"))?,
            _ => return Err(bad(path, "not a grokscope run file")),
        };
        if version > VERSION {
            return Err(bad(
                path,
                format!(
                    "run format {version} (written by grokscope {writer}) is newer than this \
                     build's ({VERSION}, grokscope {GROKSCOPE_VERSION}); use a newer grokscope"
                ),
            ));
        }
        let config: Config = serde_json::from_value(obj["config"].clone()).map_err(|e| {
            bad(
                path,
                format!("settings this build cannot read (written by grokscope {writer}): {e}"),
            )
        })?;
        config
            .validate()
            .map_err(|e| bad(path, format!("holds invalid settings: {e}")))?;
        let interval = |key: &str| -> Result<Option<u64>> {
            match obj.get(key) {
                None => Ok(None),
                Some(v) => match v.as_u64() {
                    Some(n) if n > 0 => Ok(Some(n)),
                    _ => Err(bad(
                        path,
                        format!("{key} is {v}, not a whole number of steps"),
                    )),
                },
            }
        };
        let metrics = match obj.get("metrics") {
            None => None,
            Some(v) => match v.as_str() {
                Some(f @ ("jsonl" | "csv")) => Some(f.to_string()),
                _ => return Err(bad(path, format!("metrics format {v} is not jsonl or csv"))),
            },
        };
        Ok(RunFile {
            format: RUN_FORMAT.into(),
            version,
            grokscope: writer.to_string(),
            config,
            frame_every: interval("frame_every")?,
            every: interval("every")?,
            metrics,
            identity: obj
                .get("identity")
                .and_then(|v| v.as_str())
                .map(str::to_string),
        })
    }

    /// Read `path`.
    pub fn read(path: &Path) -> Result<Self> {
        let bytes = super::files::read_regular(path, MAX_RUN_FILE)?;
        let text = String::from_utf8(bytes)
            .map_err(|_| bad(path, "not a grokscope run file (not text)"))?;
        Self::parse(&text, path)
    }
}
