//! The dashboard's views, by name. A new view is one entry in [`VIEWS`], its render
//! function (in [`crate::ui`]) and its key table (in [`super::keys`]); `grokscope --view NAME`
//! opens on it, and the key its table binds to [`Action::ToggleView`] switches to it.

use super::keys::{self, Binding, Key};
use super::state::{Action, App, Command};
use crate::ui::{self, Footer, Memo, Theme};
use ratatui::Frame;

/// One view: what it draws, its keys, and what entering and leaving it asks of the trainer
/// and the sweeps.
pub struct View {
    pub name: &'static str,
    pub keys: &'static [Binding<App>],
    pub render: fn(&mut Frame, &App, &Theme, &Memo, &Footer),
    pub enter: fn(&mut App) -> Vec<Command>,
    pub leave: fn(&mut App) -> Vec<Command>,
    /// The view's answer to an action: `None` leaves it to [`App::update`].
    pub update: fn(&mut App, &Action) -> Option<Vec<Command>>,
}

impl PartialEq for View {
    fn eq(&self, other: &View) -> bool {
        self.name == other.name
    }
}

impl std::fmt::Debug for View {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "View({})", self.name)
    }
}

fn nothing(_: &mut App) -> Vec<Command> {
    Vec::new()
}

/// The views; the first is the home view (Esc comes back to it; it quits from there).
pub static VIEWS: [View; 5] = [
    View {
        name: "training",
        keys: &keys::TRAINING,
        render: |f, app, theme, memo, footer| ui::training(f, &app.ctx(theme, memo), footer),
        enter: nothing,
        leave: nothing,
        update: |_, _| None,
    },
    View {
        name: "sweep",
        keys: &keys::SWEEP,
        render: |f, app, theme, _, footer| {
            let s = &app.sweeps;
            let title = format!("{} ({}/{})", s.name(), s.current + 1, s.states.len());
            ui::sweep_view(f, s.state(), &title, theme, footer)
        },
        enter: App::enter_sweep,
        leave: App::leave_sweep,
        update: App::update_sweep_view,
    },
    View {
        name: "mechanism",
        keys: &keys::MECHANISM,
        render: |f, app, theme, memo, footer| {
            ui::mechanism::render(f, &app.ctx(theme, memo), footer)
        },
        enter: nothing,
        leave: nothing,
        update: super::mechanism::update,
    },
    View {
        name: "appendix",
        keys: &keys::APPENDIX,
        render: |f, app, theme, _, footer| super::appendix::render(f, app, theme, footer),
        enter: nothing,
        leave: nothing,
        update: super::appendix::update,
    },
    View {
        name: "gallery",
        keys: &keys::GALLERY,
        render: |f, app, theme, _, footer| super::gallery::render(f, app, theme, footer),
        enter: App::enter_gallery,
        leave: App::leave_gallery,
        update: super::gallery::update,
    },
];

pub fn home() -> &'static View {
    &VIEWS[0]
}

/// The view called `name`.
pub fn find(name: &str) -> Option<&'static View> {
    VIEWS.iter().find(|v| v.name == name)
}

/// The views' names, for `--view`'s error.
pub fn names() -> Vec<&'static str> {
    VIEWS.iter().map(|v| v.name).collect()
}

/// The action of a key in the view on screen. A key of the home view that this view does not
/// bind goes to the home view's table, so the view can answer it ("that key acts on the
/// training run").
///
/// While a step is typed (after `g`), every key but Ctrl-C goes to the typing.
pub fn dispatch(app: &App, key: Key) -> Option<Action> {
    if app.seek.typing.is_some() && !key.ctrl {
        return Some(super::seek::typing_action(key.code));
    }
    keys::lookup(app.view.keys, app, key).or_else(|| keys::lookup(home().keys, app, key))
}

/// The action of a mouse event: a click or a drag on a chart's step axis (as last drawn)
/// scrubs to that step.
pub fn mouse(memo: &Memo, ev: crossterm::event::MouseEvent) -> Option<Action> {
    use crossterm::event::{MouseButton, MouseEventKind};
    if !matches!(
        ev.kind,
        MouseEventKind::Down(MouseButton::Left) | MouseEventKind::Drag(MouseButton::Left)
    ) {
        return None;
    }
    let step = memo
        .axes
        .borrow()
        .iter()
        .find_map(|a| a.step_at(ev.column, ev.row))?;
    Some(Action::Seek(super::seek::Scrub::To(step)))
}

/// Draw the dashboard: the view on screen, its footer, and the help overlay when open.
pub fn draw(f: &mut Frame, app: &App, theme: &Theme, memo: &Memo) {
    memo.axes.borrow_mut().clear();
    let area = f.area();
    if area.width < ui::MIN_WIDTH || area.height < ui::MIN_HEIGHT {
        ui::too_small::render(f, area, theme);
        return;
    }
    let keys = keys::footer(app.view.keys, app);
    let footer = Footer {
        keys: &keys,
        message: app.message.as_deref(),
    };
    (app.view.render)(f, app, theme, memo, &footer);
    if app.help {
        ui::help::render(
            f,
            area,
            &keys::help(app.view.keys, app),
            Some(app.kernel),
            theme,
        );
    }
}
