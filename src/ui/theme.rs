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

    /// Heatmap rows (neurons) per text row: two as half blocks in colour, one without.
    pub fn per_row(&self) -> usize {
        if self.colored() { 2 } else { 1 }
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
            Phase::Generalizing => Color::LightCyan,
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

    /// Colour of a quantized level in `-HEAT_LEVELS..=HEAT_LEVELS`: negative weights blue,
    /// positive orange, brighter with |w|, every level of its side's hue; 0 is the terminal's
    /// background (`Reset`). In 256 colours two hand-picked ramps of the xterm cube (an index
    /// costs about half the bytes of an RGB escape over SSH); in true colour (`COLORTERM`
    /// truecolor/24bit) RGB ramps between the same hues.
    pub fn heat_color(&self, level: i8) -> Color {
        let k = level.unsigned_abs().min(HEAT_LEVELS as u8) as usize;
        if k == 0 || self.mode == ColorMode::None {
            return Color::Reset;
        }
        let negative = level < 0;
        match self.mode {
            ColorMode::TrueColor => {
                let (from, to) = if negative { BLUE_RGB } else { ORANGE_RGB };
                let t = (k - 1) as f32 / (HEAT_LEVELS - 1.0);
                let mix = |a: u8, b: u8| (a as f32 + (b as f32 - a as f32) * t).round() as u8;
                Color::Rgb(mix(from.0, to.0), mix(from.1, to.1), mix(from.2, to.2))
            }
            _ => Color::Indexed(if negative {
                BLUES[k - 1]
            } else {
                ORANGES[k - 1]
            }),
        }
    }

    /// One text cell of two stacked heat levels (the lower one absent below the last row):
    /// its symbol, foreground and background, drawn so that a 0 level is the background.
    pub fn heat_cell(&self, upper: i8, lower: Option<i8>) -> (&'static str, Color, Color) {
        let (up, low) = (
            self.heat_color(upper),
            lower.map_or(Color::Reset, |l| self.heat_color(l)),
        );
        match (up, low) {
            (Color::Reset, Color::Reset) => (" ", Color::Reset, Color::Reset),
            (Color::Reset, low) => ("▄", low, Color::Reset),
            (up, low) => ("▀", up, low),
        }
    }
}

/// The 256-colour ramps, |level| 1 to 6: navy to sky blue (0,0,95) … (0,175,255), and brown
/// to amber (135,95,0) … (255,175,0). Blue stays the largest channel of every blue, red the
/// largest of every orange (green between red and blue), so the hue never turns teal, red or
/// olive on the way.
const BLUES: [u8; 6] = [17, 18, 19, 26, 33, 39];
const ORANGES: [u8; 6] = [94, 130, 166, 172, 208, 214];
/// The true-colour ramps' ends, |level| 1 and 6.
const BLUE_RGB: ((u8, u8, u8), (u8, u8, u8)) = ((20, 40, 110), (90, 180, 255));
const ORANGE_RGB: ((u8, u8, u8), (u8, u8, u8)) = ((110, 55, 10), (255, 175, 40));

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

/// Shade character of a weight scaled to [-1, 1], for the heatmaps without colour: the
/// magnitude as density, the sign as texture (positive solid blocks, negative braille
/// dots), so a sign change reads without colour.
pub fn shade(v: f32) -> &'static str {
    let k = (v.abs() * 5.0).round() as usize;
    const POSITIVE: [&str; 6] = [" ", "·", "░", "▒", "▓", "█"];
    const NEGATIVE: [&str; 6] = [" ", "⠂", "⠅", "⠭", "⠿", "⣿"];
    if v < 0.0 {
        NEGATIVE[k.min(5)]
    } else {
        POSITIVE[k.min(5)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The RGB of an xterm 256-colour cube index (16..=231).
    pub fn cube_rgb(i: u8) -> (u8, u8, u8) {
        const LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];
        let i = i.saturating_sub(16).min(215) as usize;
        (LEVELS[i / 36], LEVELS[i / 6 % 6], LEVELS[i % 6])
    }

    /// Which side's hue a colour has: blue (blue the largest channel, above red) or orange
    /// (red the largest, green between red and blue).
    fn hue(c: Color) -> &'static str {
        let (r, g, b) = match c {
            Color::Indexed(i) => cube_rgb(i),
            Color::Rgb(r, g, b) => (r, g, b),
            _ => return "none",
        };
        if b > r && b >= g {
            "blue"
        } else if r > b && r >= g && g >= b {
            "orange"
        } else {
            "other"
        }
    }

    #[test]
    fn every_heat_level_keeps_its_sides_hue_in_every_colour_mode() {
        for mode in [ColorMode::Ansi256, ColorMode::TrueColor] {
            let t = Theme::new(mode);
            assert_eq!(
                t.heat_color(0),
                Color::Reset,
                "{mode:?}: 0 is the background"
            );
            let mut brightness = (0u32, 0u32);
            for k in 1..=HEAT_LEVELS as i8 {
                assert_eq!(hue(t.heat_color(-k)), "blue", "{mode:?} level -{k}");
                assert_eq!(hue(t.heat_color(k)), "orange", "{mode:?} level {k}");
                // Brighter with |w| on both sides.
                let sum = |c: Color| match c {
                    Color::Indexed(i) => {
                        let (r, g, b) = cube_rgb(i);
                        r as u32 + g as u32 + b as u32
                    }
                    Color::Rgb(r, g, b) => r as u32 + g as u32 + b as u32,
                    _ => 0,
                };
                let now = (sum(t.heat_color(-k)), sum(t.heat_color(k)));
                assert!(
                    now.0 > brightness.0 && now.1 > brightness.1,
                    "{mode:?} level {k}"
                );
                brightness = now;
            }
            let rgb = matches!(t.heat_color(3), Color::Rgb(..));
            assert_eq!(
                rgb,
                mode == ColorMode::TrueColor,
                "24-bit only in true colour"
            );
        }
        assert_eq!(Theme::new(ColorMode::None).heat_color(5), Color::Reset);
    }

    #[test]
    fn a_zero_level_is_the_background_in_a_half_block_cell() {
        let t = Theme::new(ColorMode::Ansi256);
        assert_eq!(t.heat_cell(0, Some(0)), (" ", Color::Reset, Color::Reset));
        assert_eq!(t.heat_cell(0, None), (" ", Color::Reset, Color::Reset));
        assert_eq!(
            t.heat_cell(0, Some(2)),
            ("▄", t.heat_color(2), Color::Reset)
        );
        assert_eq!(t.heat_cell(-2, None), ("▀", t.heat_color(-2), Color::Reset));
        assert_eq!(
            t.heat_cell(1, Some(-1)),
            ("▀", t.heat_color(1), t.heat_color(-1))
        );
    }

    #[test]
    fn without_colour_the_shade_marks_the_sign() {
        for k in 1..=5 {
            let v = k as f32 / 5.0;
            assert_ne!(shade(v), shade(-v), "±{v}");
            assert_ne!(shade(-v), " ");
        }
        assert_eq!(shade(0.0), " ");
        assert_eq!(shade(-0.01), " ");
        assert_eq!((shade(1.0), shade(-1.0)), ("█", "⣿"));
    }
}
