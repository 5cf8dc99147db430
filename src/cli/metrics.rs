//! The metrics lines `run` prints and keeps: their two formats (JSON lines, CSV), the CSV
//! header, and one line rendered in either.

use crate::probe::Readout;
use crate::train::Metrics;
use clap::ValueEnum;
use serde::Serialize;

/// The format of the metrics lines (on stdout and in `--out`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    #[default]
    Jsonl,
    Csv,
}

impl Format {
    /// The name the run file keeps.
    pub fn name(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
        }
    }

    pub fn from_name(name: &str) -> Option<Format> {
        [Format::Jsonl, Format::Csv]
            .into_iter()
            .find(|f| f.name() == name)
    }

    pub fn what(self) -> &'static str {
        match self {
            Format::Jsonl => "JSON lines",
            Format::Csv => "CSV",
        }
    }
}

/// One metrics line: the step's metrics, the training time so far and the probes' readout.
#[derive(Serialize)]
pub struct Line {
    #[serde(flatten)]
    pub metrics: Metrics,
    pub elapsed_s: f64,
    #[serde(flatten)]
    pub readout: Readout,
}

/// The CSV file's first line: the columns of [`Line::render`].
pub const CSV_HEADER: &str = "step,train_loss,test_loss,train_acc,test_acc,weight_norm,elapsed_s,\
                          gini,key_freqs,restricted_loss,excluded_loss,informative_share";

/// A CSV cell for an optional value: empty when absent.
fn cell<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(T::to_string).unwrap_or_default()
}

impl Line {
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Jsonl => serde_json::to_string(self).expect("metrics serialise"),
            Format::Csv => {
                let m = &self.metrics;
                let r = &self.readout;
                // Key frequencies are space-separated inside their cell.
                let keys = r
                    .key_freqs
                    .as_ref()
                    .map(|k| k.iter().map(usize::to_string).collect::<Vec<_>>().join(" "));
                format!(
                    "{},{},{},{},{},{},{},{},{},{},{},{}",
                    m.step,
                    m.train_loss,
                    m.test_loss,
                    m.train_acc,
                    m.test_acc,
                    m.weight_norm,
                    self.elapsed_s,
                    cell(&r.gini),
                    cell(&keys),
                    cell(&r.restricted_loss),
                    cell(&r.excluded_loss),
                    cell(&r.informative_share),
                )
            }
        }
    }
}
