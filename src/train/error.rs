use thiserror::Error;

/// Everything that can go wrong in the engine. Each message is one line that names the
/// offending value, suitable for printing as-is before exiting with status 2.
#[derive(Debug, Error)]
pub enum Error {
    #[error("invalid setting: {0}")]
    Config(String),
    #[error("unknown preset '{0}' (see `grokscope presets`)")]
    UnknownPreset(String),
    #[error("checkpoint {path}: {reason}")]
    Checkpoint { path: String, reason: String },
    /// A file a run keeps (run file, frames) that cannot be read, and why.
    #[error("{path}: {reason}")]
    Kept { path: String, reason: String },
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    pub fn config(msg: impl Into<String>) -> Self {
        Error::Config(msg.into())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
