//! The tour's chapters as data, in the order the story is told: what each asks, what to
//! watch, how the dashboard is set up for it (preset, view, panel), which moments of the
//! run it marks, and one thing to try. The texts are this tool's own.

use crate::sweep::Moment;
use crate::train::Config;
use crate::train::presets;

/// One chapter of the tour.
pub struct Chapter {
    pub title: &'static str,
    /// The chapter's question.
    pub question: &'static str,
    /// What to watch, in a few sentences.
    pub text: &'static str,
    pub setup: Setup,
    /// The moments it marks on the run's charts, in the order its jump keys take them.
    pub moments: &'static [Moment],
    /// One thing to change, and what to expect.
    pub try_it: &'static str,
}

/// How a chapter sets up the dashboard.
pub struct Setup {
    /// The training run: a preset, with its seed changed where given.
    pub preset: &'static str,
    pub seed: Option<u64>,
    /// The view on screen (a name of `state::VIEWS`).
    pub view: &'static str,
    /// The sweep view's grid, where the view is the sweep view.
    pub grid: Option<&'static str>,
    /// Open the view on the article's own published runs (the sweep and gallery views)
    /// rather than training its grid live, where this build can.
    pub article: bool,
    /// The panel the text points at.
    pub panel: Panel,
}

/// The panel a chapter points at; the views that page their panels at small sizes open on
/// its page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Panel {
    Charts,
    Heatmap,
    Parity,
    Waves,
    Stars,
    Logits,
    Diagram,
    Gallery,
    Circle,
    Construction,
}

impl Panel {
    /// Where to look, as the text names it.
    pub fn name(self) -> &'static str {
        match self {
            Panel::Charts => "the loss and accuracy charts",
            Panel::Heatmap => "the heatmap and the spectrum beside it",
            Panel::Parity => "the charts and the weight per digit",
            Panel::Waves => "the waves",
            Panel::Stars => "the stars",
            Panel::Logits => "the logit waves",
            Panel::Diagram => "the phase diagram",
            Panel::Gallery => "the gallery of seeds",
            Panel::Circle => "the circle of neurons beside the heatmap",
            Panel::Construction => "the hand-built circle",
        }
    }
}

impl Setup {
    /// The training run's settings.
    pub fn config(&self) -> Config {
        let mut cfg = presets::find(self.preset)
            .expect("every chapter's preset exists")
            .config;
        if let Some(seed) = self.seed {
            cfg.seed = seed;
        }
        cfg
    }
}

/// The tour, in the story's order.
pub static CHAPTERS: [Chapter; 12] = [
    Chapter {
        title: "Memorize, then generalize",
        question: "Once a network fits its training data, does it ever learn the rule behind it?",
        text: "A one-layer network learns a + b mod 67 from 40 % of all pairs. Train accuracy \
               reaches 100 % within a few hundred steps while test accuracy, on the pairs it \
               never sees, stays near chance: it has memorized. Keep it running: thousands of \
               steps later test accuracy climbs to 100 % as well.",
        setup: Setup {
            preset: "mod-add",
            seed: Some(10),
            view: "training",
            grid: None,
            article: false,
            panel: Panel::Charts,
        },
        moments: &[
            Moment::TrainFit,
            Moment::TestPasses(50),
            Moment::TestPasses(99),
        ],
        try_it: "select seed (↓ to it), + then Enter: seed 11 trains the same recipe, and \
                 most seeds take far longer than 10, or never get there in 50,000 steps.",
    },
    Chapter {
        title: "What the weights look like",
        question: "What changed inside the model when it began to generalize?",
        text: "The heatmap draws every weight: a row per neuron, a column per input number. \
               While the model memorizes the rows are noise; as test accuracy rises each row \
               becomes a wave over the numbers 0 to 66. The spectrum counts how much of the \
               weights sits at each frequency: a few frequencies take over.",
        setup: Setup {
            preset: "mod-add",
            seed: Some(10),
            view: "training",
            grid: None,
            article: false,
            panel: Panel::Heatmap,
        },
        moments: &[Moment::KeyFrequencies, Moment::TestPasses(99)],
        try_it: "Home goes back to step 0 and PgDn steps forward a tenth of the run at a \
                 time: watch the noise turn into waves; v draws one matrix across the panel.",
    },
    Chapter {
        title: "The 1s and 0s",
        question: "Is the late jump special to arithmetic? And what happens while nothing \
                   seems to?",
        text: "A simpler task: 30 random bits, and the answer is whether the first three hold \
               an odd number of 1s; the other 27 only distract. The model trains on 1,200 \
               fixed sequences and memorizes them first. With L1 weight decay it keeps \
               shrinking its weights: the weights on the distracting digits fade, the training \
               loss even gets a little worse as it trades fit for smaller weights, and test \
               accuracy jumps once the distractors have lost most of their weight.",
        setup: Setup {
            preset: "parity",
            seed: None,
            view: "training",
            grid: None,
            article: false,
            panel: Panel::Parity,
        },
        moments: &[
            Moment::TrainFit,
            Moment::TrainLossRise,
            Moment::DistractorsBelow(50),
            Moment::TestPasses(99),
        ],
        try_it: "jump to the rise, then PgUp / PgDn around it: the distracting digits' \
                 columns of the heatmap fade while the first three stay strong.",
    },
    Chapter {
        title: "L2 instead of L1",
        question: "Does the kind of weight decay matter?",
        text: "L2 decay punishes large weights far more than small ones, so it spreads the \
               work over many small weights instead of a few strong ones. This model fits and \
               then generalizes too, but about half its 128 neurons keep some weight, and the \
               distracting digits never quite go to zero.",
        setup: Setup {
            preset: "parity-l2",
            seed: None,
            view: "training",
            grid: None,
            article: false,
            panel: Panel::Parity,
        },
        moments: &[
            Moment::TrainFit,
            Moment::TrainLossRise,
            Moment::TestPasses(99),
        ],
        try_it: "press 3, look at the heatmap of the L1 run, then 4 again: the L2 weights stay \
                 spread over many neurons and digits.",
    },
    Chapter {
        title: "When does grokking happen?",
        question: "Which settings make a model memorize for good, grok late, learn at once, or \
                   learn nothing?",
        text: "Each cell of the diagram is one setting of weight decay, hidden width and \
               training-set size, and shows what its seeds did. Too little weight decay and \
               the model stays memorized; more and it groks after memorizing; more still and \
               train and test improve together; far too much and nothing is learned. \
               Grokking lives in a band of settings. On screen first: the article's 1,125 \
               published runs; a switches to a small grid trained here.",
        setup: Setup {
            preset: "parity-l2",
            seed: None,
            view: "sweep",
            grid: Some("parity-quick"),
            article: true,
            panel: Panel::Diagram,
        },
        moments: &[Moment::TrainFit, Moment::TestPasses(99)],
        try_it: "h j k l move over the cells and Enter opens a cell's runs; t / T move the \
                 threshold that counts a loss as fitted, and the classes change with it.",
    },
    Chapter {
        title: "Many seeds",
        question: "Is one run's story every run's story?",
        text: "The gallery draws many runs of one recipe, each with its own seed, as small \
               loss curves. They all memorize early; some generalize after ten thousand \
               steps, others near the end, others not within the run. On screen first: the \
               article's 450 published runs; a or Tab switches to seeds trained here, where \
               13 of seeds 0-29 reach 99 % test accuracy within 50,000 steps and seed 10, \
               the run of chapter 1, is the quickest.",
        setup: Setup {
            preset: "mod-add",
            seed: Some(10),
            view: "gallery",
            grid: None,
            article: true,
            panel: Panel::Gallery,
        },
        moments: &[Moment::TrainFit, Moment::TestPasses(99)],
        try_it: "h j k l pick a run and Enter retrains it in the dashboard, paused at the \
                 step the gallery marks.",
    },
    Chapter {
        title: "Periodic waves",
        question: "What does each neuron compute once the model generalizes?",
        text: "The waves panel groups the neurons by the frequency each settled on and draws \
               a neuron's weights across the inputs 0 to 66: clean waves, a few cycles each. \
               Scrub back before the jump and the same lines are noise.",
        setup: Setup {
            preset: "mod-add",
            seed: Some(10),
            view: "mechanism",
            grid: None,
            article: false,
            panel: Panel::Waves,
        },
        moments: &[Moment::KeyFrequencies, Moment::TestPasses(99)],
        try_it: "u plots each wave against k·a mod 67 instead of a: a clean wave of frequency \
                 k folds into a single period.",
    },
    Chapter {
        title: "Stars",
        question: "Does the trained model use a circle, as a hand-made solution would?",
        text: "For each key frequency, the stars panel places every neuron of that group at \
               its cosine and sine coefficients. Joined in order of angle they draw a star: \
               the neurons spread around a circle, as the five-neuron solution of chapter 10 \
               does with a circle built in.",
        setup: Setup {
            preset: "mod-add",
            seed: Some(10),
            view: "mechanism",
            grid: None,
            article: false,
            panel: Panel::Stars,
        },
        moments: &[Moment::KeyFrequencies, Moment::TestPasses(99)],
        try_it: "o draws W_output's waves and stars instead of W_input's; [ ] pick a neuron \
                 and every panel marks it.",
    },
    Chapter {
        title: "Logit waves",
        question: "How do the frequency groups agree on one answer?",
        text: "For one pair a + b, each frequency group raises a wave over the 67 possible \
               answers. Each wave peaks at the right answer, and elsewhere they disagree; \
               added up, they agree only at a + b mod 67.",
        setup: Setup {
            preset: "mod-add",
            seed: Some(10),
            view: "mechanism",
            grid: None,
            article: false,
            panel: Panel::Logits,
        },
        moments: &[Moment::TestPasses(50), Moment::TestPasses(99)],
        try_it: "a / A and b / B change the pair: a pair the model never trained on is \
                 answered as clearly as one it did, once it has generalized.",
    },
    Chapter {
        title: "Five neurons on a circle",
        question: "How small can a model of modular addition be?",
        text: "Here each number is placed on a fixed circle, and only five neurons are \
               trained. There is nothing to memorize first: train and test accuracy rise \
               together. The neurons spread around the circle, and in this run each neuron's \
               W_out angle ends up twice its W_in angle plus one shared offset: W_out turns \
               twice as fast.",
        setup: Setup {
            preset: "five-neurons",
            seed: None,
            view: "training",
            grid: None,
            article: false,
            panel: Panel::Circle,
        },
        moments: &[Moment::TestPasses(50), Moment::TestPasses(99)],
        try_it: "change the seed (↓ to it, +, Enter): measured on this engine, 8 of seeds \
                 0-19 stay stuck near 15 % test accuracy.",
    },
    Chapter {
        title: "The circle built by hand",
        question: "Why does turning twice as fast give the sum?",
        text: "The appendix builds the solution without training: N neurons evenly spaced on \
               the circle and a ReLU. It scores every pair and shows where the construction \
               answers right, and where the ReLU's wrinkles cost it. The five-neuron run \
               keeps training underneath.",
        setup: Setup {
            preset: "five-neurons",
            seed: None,
            view: "appendix",
            grid: None,
            article: false,
            panel: Panel::Construction,
        },
        moments: &[Moment::TestPasses(99)],
        try_it: "select the activation (↓ ↓) and press +: with x² in place of ReLU the \
                 construction is exact for every pair.",
    },
    Chapter {
        title: "Open questions",
        question: "Does generalizing always last, and what does this engine reproduce?",
        text: "Without weight decay this small model reaches 85 % test accuracy and then \
               slides back toward memorizing while its weights stay periodic (35 of 40 \
               seeds measured): structure alone is not enough. The article also shows a model \
               that generalizes, memorizes and generalizes again; this engine has not \
               reproduced that (0 of 135 searched runs; the regrok preset is the attempt). \
               Training W_input and W_output directly, unfactored, fits part of the training \
               set and generalizes in none of the runs measured.",
        setup: Setup {
            preset: "reverse-grok",
            seed: None,
            view: "training",
            grid: None,
            article: false,
            panel: Panel::Charts,
        },
        moments: &[Moment::TestPasses(50), Moment::TestLossLow],
        try_it: "Tab trains the regrok preset, Shift-Tab the collapsed models; `grokscope \
                 presets` says what was measured for each.",
    },
];
