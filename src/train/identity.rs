//! A run's identity: a digest of the settings that make it the run it is (every setting and
//! the seed; not the planned length, since an extended run is the same run). Every file a
//! run keeps carries it (run.json, the frames header, the summary and the metrics' summary
//! line, exports, sweep records; the checkpoint holds the settings themselves), and readers
//! that combine files check they are one run's before using any of them together.
//!
//! Files that hold the settings are compared by their settings (exactly, through
//! [`same_run`]); the digest names the run where the settings are not at hand (an exported
//! array file, a message).

use super::config::Config;

/// The run's identity: 16 hex digits, FNV-1a 64 of the settings' JSON with the planned
/// length left out.
pub fn identity(cfg: &Config) -> String {
    let mut c = cfg.clone();
    c.steps = 0;
    let json = serde_json::to_vec(&c).expect("settings serialise");
    format!("{:016x}", super::files::fnv1a(&json))
}

/// [`identity`] as a number (for array files).
pub fn identity_bits(cfg: &Config) -> u64 {
    u64::from_str_radix(&identity(cfg), 16).expect("hex digits")
}

/// Whether two settings describe the same run, however long each is planned.
pub fn same_run(a: &Config, b: &Config) -> bool {
    let mut a = a.clone();
    a.steps = b.steps;
    &a == b
}

/// What tells two runs apart, for a message: the first settings in which they differ,
/// `seed 5 against 0`, or their identities.
pub fn difference(a: &Config, b: &Config) -> String {
    let (Ok(serde_json::Value::Object(x)), Ok(serde_json::Value::Object(y))) =
        (serde_json::to_value(a), serde_json::to_value(b))
    else {
        return format!("run {} against {}", identity(a), identity(b));
    };
    let differ: Vec<String> = x
        .iter()
        .filter(|(k, v)| k.as_str() != "steps" && y.get(k.as_str()) != Some(v))
        .take(2)
        .map(|(k, v)| {
            format!(
                "{k} {v} against {}",
                y.get(k.as_str()).unwrap_or(&serde_json::Value::Null)
            )
        })
        .collect();
    if differ.is_empty() {
        format!("run {} against {}", identity(a), identity(b))
    } else {
        differ.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::presets;

    #[test]
    fn the_identity_is_the_settings_and_seed_not_the_length() {
        let a = presets::find("parity").unwrap().config;
        let mut longer = a.clone();
        longer.steps *= 4;
        assert_eq!(identity(&a), identity(&longer));
        assert!(same_run(&a, &longer));
        let mut seed = a.clone();
        seed.seed = 5;
        assert_ne!(identity(&a), identity(&seed));
        assert!(!same_run(&a, &seed));
        assert_eq!(difference(&seed, &a), "seed 5 against 1");
        let mut wd = a.clone();
        wd.weight_decay = 0.5;
        assert_ne!(identity(&a), identity(&wd));
        assert_eq!(identity(&a).len(), 16);
        assert_eq!(format!("{:016x}", identity_bits(&a)), identity(&a));
    }
}
