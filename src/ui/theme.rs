//! Colours: true colour, a 256-colour fallback, or none at all (`NO_COLOR`). Every colour the
//! panels use comes from here, so each mode stays readable.

use ratatui::style::{Color, Modifier, Style};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorMode {
    TrueColor,
    Ansi256,
    /// `NO_COLOR` is set: no colour at all; meaning is carried by text, markers and shading.
    None,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    pub mode: ColorMode,
}

/// Levels per sign in the heatmap's colour scale: coarse enough that slow weight drift does
/// not repaint every cell every frame (bytes over SSH), fine enough to read waves.
pub const HEAT_LEVELS: f32 = 6.0;

impl Theme {
    pub fn new(mode: ColorMode) -> Self {
        Theme { mode }
    }

    /// `NO_COLOR` (non-empty) → no colour; `COLORTERM` truecolor/24bit → true colour;
    /// otherwise the 256-colour palette.
    pub fn from_env() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let colorterm = std::env::var("COLORTERM").unwrap_or_default();
        Self::detect(no_color, &colorterm)
    }

    pub fn detect(no_color: bool, colorterm: &str) -> Self {
        let mode = if no_color {
            ColorMode::None
        } else if matches!(
            colorterm.to_ascii_lowercase().as_str(),
            "truecolor" | "24bit"
        ) {
            ColorMode::TrueColor
        } else {
            ColorMode::Ansi256
        };
        Theme { mode }
    }

    pub fn colored(&self) -> bool {
        self.mode != ColorMode::None
    }

    fn fg(&self, c: Color) -> Style {
        if self.colored() {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    /// Training-set series (accuracy, loss).
    pub fn train(&self) -> Style {
        self.fg(Color::Cyan)
    }
    /// Test-set series.
    pub fn test(&self) -> Style {
        self.fg(Color::Yellow)
    }
    /// The compared run's training-set series (`replay DIR DIR2`): train's hue, darker.
    pub fn train_compared(&self) -> Style {
        self.fg(Color::Indexed(30))
    }
    /// The compared run's test-set series: test's warm hue, darker (dark orange).
    pub fn test_compared(&self) -> Style {
        self.fg(Color::Indexed(130))
    }
    /// Key frequencies, informative digits: what generalization uses.
    pub fn key(&self) -> Style {
        self.fg(Color::Green).add_modifier(Modifier::BOLD)
    }
    /// Bars that are not key.
    pub fn bar(&self) -> Style {
        self.fg(Color::Gray)
    }
    pub fn dim(&self) -> Style {
        if self.colored() {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }
    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }
    /// The selected setting: reversed in every mode.
    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
    /// A value edited but not applied.
    pub fn edited(&self) -> Style {
        self.fg(Color::LightMagenta).add_modifier(Modifier::BOLD)
    }
    pub fn warn(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }
    pub fn scrub(&self) -> Style {
        self.fg(Color::LightMagenta).add_modifier(Modifier::BOLD)
    }
    /// Parity's bias weights: pink, as the article draws them.
    pub fn bias(&self) -> Style {
        self.fg(Color::Indexed(211))
    }
    pub fn w_in(&self) -> Style {
        self.fg(Color::Cyan)
    }
    pub fn w_out(&self) -> Style {
        self.fg(Color::LightRed)
    }
    /// The selected neuron, wherever it is drawn (bold, so it shows without colour too).
    pub fn neuron(&self) -> Style {
        self.fg(Color::LightYellow).add_modifier(Modifier::BOLD)
    }
    /// The phase label's style.
    pub fn phase(&self, phase: crate::probe::Phase) -> Style {
        use crate::probe::Phase;
        let c = match phase {
            Phase::Starting => Color::Gray,
            Phase::Memorizing => Color::LightRed,
            Phase::CircuitForming => Color::Yellow,
            Phase::CleaningUp => Color::LightBlue,
            Phase::Grokked => Color::Green,
            Phase::NotLearning | Phase::Failing => Color::Red,
            Phase::FallingBack => Color::Magenta,
        };
        self.fg(c).add_modifier(Modifier::BOLD)
    }

    /// Colour of a sweep class: grok green, generalize blue, memorize red, fail grey.
    fn class_color(c: crate::sweep::Class) -> Color {
        use crate::sweep::Class;
        match c {
            Class::Grok => Color::Green,
            Class::Generalize => Color::LightBlue,
            Class::Memorize => Color::LightRed,
            Class::Fail => Color::Gray,
        }
    }

    /// A finished run in the sweep view: dark letter on the class's colour (the letter alone,
    /// bold, without colour).
    pub fn class_cell(&self, c: crate::sweep::Class) -> Style {
        if self.colored() {
            Style::new()
                .bg(Self::class_color(c))
                .fg(Color::Black)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        }
    }

    /// Text in a sweep class's colour.
    pub fn class_text(&self, c: crate::sweep::Class) -> Style {
        self.fg(Self::class_color(c))
    }

    /// A sweep run still training.
    pub fn running(&self) -> Style {
        self.fg(Color::Yellow)
    }

    /// Colour of a quantized level in `-HEAT_LEVELS..=HEAT_LEVELS`.
    pub fn heat_color(&self, level: i8) -> Color {
        let q = level as f32 / HEAT_LEVELS;
        let t = q.abs();
        let base = (28.0, 28.0, 34.0);
        let end = if q >= 0.0 {
            (255.0, 140.0, 40.0)
        } else {
            (70.0, 150.0, 255.0)
        };
        let mix = |a: f32, b: f32| (a + (b - a) * t).round() as u8;
        // The 13 levels all sit in the xterm 256-colour cube, which true-colour terminals draw
        // the same way: an index costs about half the bytes of an RGB escape, and the heatmap
        // is most of what a frame repaints (bytes over SSH).
        match self.mode {
            ColorMode::None => Color::Reset,
            _ => Color::Indexed(cube(
                mix(base.0, end.0),
                mix(base.1, end.1),
                mix(base.2, end.2),
            )),
        }
    }
}

/// Quantized level of `v` (scaled to [-1, 1]) in `-HEAT_LEVELS..=HEAT_LEVELS`. With the
/// level shown before, a cell keeps it until `v` is well past the boundary (hysteresis), so
/// weights hovering at a boundary do not flip colour every frame (bytes over SSH).
pub fn heat_level(v: f32, prev: Option<i8>) -> i8 {
    let x = v.clamp(-1.0, 1.0) * HEAT_LEVELS;
    if let Some(p) = prev
        && (x - p as f32).abs() < 0.8
    {
        return p;
    }
    x.round() as i8
}

/// Nearest colour of the xterm 6×6×6 cube (indices 16..=231).
pub fn cube(r: u8, g: u8, b: u8) -> u8 {
    let c = |x: u8| -> u8 {
        // Cube levels: 0, 95, 135, 175, 215, 255.
        if x < 48 {
            0
        } else if x < 115 {
            1
        } else {
            ((x as u16 - 35) / 40) as u8
        }
    };
    16 + 36 * c(r) + 6 * c(g) + c(b)
}

/// Shade character of a magnitude in [0, 1], for the heatmap without colour.
pub fn shade(v: f32) -> &'static str {
    match (v.abs() * 5.0).round() as u32 {
        0 => " ",
        1 => "·",
        2 => "░",
        3 => "▒",
        4 => "▓",
        _ => "█",
    }
}
