//! The model's variants: how the one-hot inputs reach the hidden layer and the hidden layer
//! the logits (factored through an embedding, or direct matrices), and the tensors each
//! variant trains.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// How the modular model maps inputs to hidden units and hidden units to outputs.
///
/// The article's general model (its architecture sweep) is
/// `σ(a·E_in·W_a + b·E_in·W_b) · W_out · E_outᵀ` with four switches: the embedding tied
/// (E_out = E_in) or untied, the in-proj tied (W_a = W_b) or untied, the input side collapsed
/// (a P×H W_input trained directly, no in-proj) and the output side collapsed (an H×P
/// W_output trained directly, no out-proj). Of the twelve combinations of embedding ×
/// in-proj (tied, untied, collapsed) × out-proj (factored, collapsed), eight are distinct
/// models: an untied embedding needs an embedding on both sides, and an untied in-proj
/// needs an in-proj. Each of the eight is one value here ([`Arch::layout`] names its
/// switches), so a grid's architecture axis holds only real models.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Arch {
    /// W_input = E·W_in and W_output = W_out·Eᵀ with one shared, trained embedding E.
    Factored,
    /// W_input [P×H] and W_output [H×P] trained directly.
    Collapsed,
    /// W_input trained directly; W_output = W_out·Eᵀ factored.
    CollapsedIn,
    /// W_input = E·W_in factored; W_output trained directly.
    CollapsedOut,
    /// Factored with a frozen circular embedding E (row i = cos, sin of 2πi/P).
    FixedCircle,
    /// The parity network: inputs · W1 → activation → · w2 → one logit.
    Mlp,
    /// Factored with two embeddings: W_input = E_in·W_in, W_output = W_out·E_outᵀ.
    UntiedEmbed,
    /// Factored with one in-proj per operand: pre = E·W_a\[a\] + E·W_b\[b\], W_output =
    /// W_out·Eᵀ.
    UntiedIn,
    /// Both untied: pre = E_in·W_a\[a\] + E_in·W_b\[b\], W_output = W_out·E_outᵀ.
    UntiedEmbedIn,
    /// One in-proj per operand (E·W_a, E·W_b) and W_output trained directly.
    UntiedInCollapsedOut,
}

/// An input side's in-proj.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InProj {
    /// One W_in for both operands.
    Tied,
    /// W_a for a, W_b for b.
    Untied,
    /// No in-proj: W_input trained directly.
    Collapsed,
}

/// The switches of a modular [`Arch`] (the article's architecture sweep).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Layout {
    /// E_out = E_in (also where a side has no embedding at all).
    pub embed_tied: bool,
    pub in_proj: InProj,
    /// No out-proj: W_output trained directly.
    pub out_collapsed: bool,
}

impl Arch {
    /// Every architecture, in the order messages list them.
    pub const ALL: [Arch; 10] = [
        Arch::Factored,
        Arch::Collapsed,
        Arch::CollapsedIn,
        Arch::CollapsedOut,
        Arch::FixedCircle,
        Arch::Mlp,
        Arch::UntiedEmbed,
        Arch::UntiedIn,
        Arch::UntiedEmbedIn,
        Arch::UntiedInCollapsedOut,
    ];

    /// The eight models of the article's architecture sweep, tied and factored first.
    pub const SWEEP: [Arch; 8] = [
        Arch::Factored,
        Arch::UntiedEmbed,
        Arch::UntiedIn,
        Arch::UntiedEmbedIn,
        Arch::CollapsedOut,
        Arch::UntiedInCollapsedOut,
        Arch::CollapsedIn,
        Arch::Collapsed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Arch::Factored => "factored",
            Arch::Collapsed => "collapsed",
            Arch::CollapsedIn => "collapsed-in",
            Arch::CollapsedOut => "collapsed-out",
            Arch::FixedCircle => "fixed-circle",
            Arch::Mlp => "mlp",
            Arch::UntiedEmbed => "untied-embed",
            Arch::UntiedIn => "untied-in",
            Arch::UntiedEmbedIn => "untied-embed-in",
            Arch::UntiedInCollapsedOut => "untied-in-collapsed-out",
        }
    }

    /// The architecture sweep's switches of a trained-embedding modular model; `None` for
    /// five-neurons' frozen circle and the parity MLP.
    pub fn layout(self) -> Option<Layout> {
        let l = |embed_tied, in_proj, out_collapsed| {
            Some(Layout {
                embed_tied,
                in_proj,
                out_collapsed,
            })
        };
        match self {
            Arch::Factored => l(true, InProj::Tied, false),
            Arch::UntiedEmbed => l(false, InProj::Tied, false),
            Arch::UntiedIn => l(true, InProj::Untied, false),
            Arch::UntiedEmbedIn => l(false, InProj::Untied, false),
            Arch::CollapsedOut => l(true, InProj::Tied, true),
            Arch::UntiedInCollapsedOut => l(true, InProj::Untied, true),
            Arch::CollapsedIn => l(true, InProj::Collapsed, false),
            Arch::Collapsed => l(true, InProj::Collapsed, true),
            Arch::FixedCircle | Arch::Mlp => None,
        }
    }

    /// Whether E_out is a parameter of its own.
    pub fn untied_embed(self) -> bool {
        self.layout().is_some_and(|l| !l.embed_tied)
    }

    /// Whether a and b have in-projs of their own (W_a, W_b).
    pub fn untied_in(self) -> bool {
        self.layout().is_some_and(|l| l.in_proj == InProj::Untied)
    }
}

impl FromStr for Arch {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        if let Some(a) = Arch::ALL.into_iter().find(|a| a.name() == s) {
            return Ok(a);
        }
        let names: Vec<&str> = Arch::ALL.iter().map(|a| a.name()).collect();
        if s.contains("untied") && s.contains("collapsed") {
            // A combination of switches that is no model of its own.
            return Err(format!(
                "architecture '{s}' is not a model: an untied in-proj needs an in-proj (no \
                 collapsed-in) and an untied embedding needs both sides factored; the untied \
                 ones are untied-embed, untied-in, untied-embed-in and untied-in-collapsed-out"
            ));
        }
        Err(format!(
            "unknown architecture '{s}' (expected {})",
            names.join(", ")
        ))
    }
}
