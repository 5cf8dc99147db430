//! The dashboard's state and its one `update(action)`: no terminal, no threads. [`App`] is
//! what every view shares ([`Shared`]) beside each view's own state; [`VIEWS`] lists the
//! views. An action goes to the view on screen first, then to what every view shares, then
//! to the home view (whose keys act on the training run from every view). Rendering reads
//! [`App`]; the commands `update` returns go to the trainer and the sweeps.

use super::action::{Action, Command};
use super::grids::Sweeps;
use super::keys::{Key, Table, help_page};
use super::seek;
use super::shared::Shared;
use super::views::appendix::{self, Appendix};
use super::views::gallery::{self, Gallery};
use super::views::mechanism::{self, Mechanism};
use super::views::scrub;
use super::views::sweep::{self, SweepView};
use super::views::tour::{self, Tour};
use super::views::training::{self, Setting, Training};
use crate::ui::{self, Ctx, Footer, Memo, Theme};
use ratatui::Frame;
use std::sync::Arc;

/// The dashboard's state.
pub struct App {
    pub shared: Shared,
    /// The view on screen.
    pub view: &'static View,
    pub training: Training,
    pub sweep: SweepView,
    /// The built-in grids' sweeps, shared by the sweep view and the gallery.
    pub sweeps: Sweeps,
    pub mechanism: Mechanism,
    pub appendix: Appendix,
    pub gallery: Gallery,
    /// The tour, over the view on screen when on.
    pub tour: Tour,
}

/// One view: its key table, what it draws, what entering and leaving it asks of the trainer
/// and the sweeps, and its answer to actions (`None` leaves an action to [`App::update`]).
/// Each entry only hands the view its part of [`App`]; the view's module does the rest.
pub struct View {
    pub name: &'static str,
    pub keys: fn(&App) -> Table,
    pub render: fn(&mut Frame, &App, &Theme, &Memo, &Footer),
    pub enter: fn(&mut App) -> Vec<Command>,
    pub leave: fn(&mut App) -> Vec<Command>,
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

/// The views; the first is the home view (Esc comes back to it, and does nothing there). A new
/// view is a module under [`super::views`], a field of [`App`] for its state, and an entry
/// here.
pub static VIEWS: [View; 5] = [
    View {
        name: "training",
        keys: |app| Table::of(&training::KEYS, &app.training),
        render: |f, app, theme, memo, footer| ui::training(f, &app.ctx(theme, memo), footer),
        enter: nothing,
        leave: nothing,
        update: |_, _| None,
    },
    View {
        name: "sweep",
        keys: |app| Table::of(&sweep::KEYS, &app.sweep),
        render: |f, app, theme, _, footer| app.sweep.render(&app.sweeps, f, theme, footer),
        enter: |app| app.sweep.enter(&mut app.sweeps, &mut app.shared),
        leave: |app| app.sweep.leave(&mut app.shared),
        update: |app, a| app.sweep.update(&mut app.sweeps, &mut app.shared, a),
    },
    View {
        name: "mechanism",
        keys: |app| Table::of(&mechanism::KEYS, &app.mechanism),
        render: |f, app, theme, memo, footer| {
            ui::mechanism::render(f, &app.ctx(theme, memo), footer)
        },
        enter: nothing,
        leave: nothing,
        update: |app, a| app.mechanism.update(&mut app.shared, a),
    },
    View {
        name: "appendix",
        keys: |app| Table::of(&appendix::KEYS, &app.appendix),
        render: |f, app, theme, _, footer| {
            appendix::render(f, &app.appendix, &app.shared, theme, footer)
        },
        enter: nothing,
        leave: nothing,
        update: |app, a| app.appendix.update(&mut app.shared, a),
    },
    View {
        name: "gallery",
        keys: |app| Table::of(&gallery::KEYS, &app.gallery),
        render: |f, app, theme, _, footer| app.gallery.render(&app.sweeps, f, theme, footer),
        enter: |app| app.gallery.enter(&mut app.sweeps, &mut app.shared),
        leave: |app| app.gallery.leave(&mut app.shared),
        update: |app, a| app.gallery.update(&mut app.sweeps, &mut app.shared, a),
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

/// What Esc says where there is nothing to go back from.
const ESC_HOME: &str = "Esc goes back from the other views and closes the help; q quits";

impl App {
    /// Set the sweep or gallery view (`view`) on the article's published runs (`--article`,
    /// the tour's chapters that show them), or say why not.
    pub fn prepare_article(&mut self, view: &str) -> Result<(), String> {
        let Some(&(_, grid)) = super::article::VIEWS.iter().find(|(v, _)| *v == view) else {
            return Err(super::article::no_article_grid(view));
        };
        self.sweeps.load_article(grid)?;
        match view {
            "sweep" => {
                self.sweep.current = super::grids::Sweeps::index(grid).unwrap_or(0);
                self.sweep.article = true;
            }
            _ => self.gallery.article = true,
        }
        Ok(())
    }

    pub fn new(snapshot: Arc<crate::snapshot::Snapshot>) -> Self {
        let training = Training {
            parity: snapshot.config.task != crate::train::TaskKind::Modular,
            ..Training::default()
        };
        App {
            shared: Shared::new(snapshot),
            view: home(),
            training,
            sweep: SweepView::default(),
            sweeps: Sweeps::default(),
            mechanism: Mechanism::default(),
            appendix: Appendix::default(),
            gallery: Gallery::default(),
            tour: Tour::default(),
        }
    }

    /// The grid the sweep view has on screen, once shown.
    pub fn grid(&self) -> Option<&super::grids::SweepState> {
        self.sweeps.states[self.sweep.current].as_ref()
    }

    /// The training view's selected setting.
    pub fn setting(&self) -> &'static Setting {
        self.training.setting(&self.shared)
    }

    /// What the panels of the run draw from.
    pub fn ctx<'a>(&'a self, theme: &'a Theme, memo: &'a Memo) -> Ctx<'a> {
        let settings = training::settings_rows(&self.training, &self.shared);
        let (choice, focus) = (self.mechanism.choice(), self.training.heat_focus);
        let replay = self.training.replay;
        self.shared
            .ctx(theme, memo, settings, (choice, focus), replay)
    }

    /// Show `view`: leave the one on screen, enter the new one.
    pub fn show(&mut self, view: &'static View) -> Vec<Command> {
        if view == self.view {
            return Vec::new();
        }
        let mut cmds = (self.view.leave)(self);
        self.view = view;
        self.shared.message = None;
        cmds.extend((view.enter)(self));
        cmds
    }

    /// Apply one action; returns the commands for the trainer (and, for sweeps, the event
    /// loop).
    pub fn update(&mut self, action: Action) -> Vec<Command> {
        let marks = matches!(action, Action::Snapshot(_) | Action::Tour(_));
        let touring = matches!(action, Action::Tour(_));
        let mut cmds = if let Action::Tour(change) = action {
            let parts = tour::Parts {
                shared: &mut self.shared,
                training: &mut self.training,
                mechanism: &mut self.mechanism,
                sweep: &mut self.sweep,
                view: self.view.name,
            };
            self.tour.update(parts, change)
        } else {
            match (self.view.update)(self, &action) {
                Some(cmds) => cmds,
                None => self.update_shared(action),
            }
        };
        let show = self.shared.show.take();
        // A chapter that opens the sweep or gallery view on the article's published runs:
        // set before the view is entered, which then trains nothing and leaves the run
        // training.
        let mut refused = None;
        if touring && self.tour.on && self.tour.current().setup.article {
            let view = self.tour.current().setup.view;
            if show.map_or(self.view.name, |v| v) == view {
                refused = self.prepare_article(view).err();
            }
        }
        // A view asked for another: switch, keeping the notice it left.
        if let Some(view) = show.and_then(find) {
            let notice = self.shared.message.take();
            cmds.extend(self.show(view));
            self.shared.message = notice.or(self.shared.message.take());
        }
        if marks {
            self.tour.refresh(&mut self.shared);
        }
        if refused.is_some() {
            self.shared.message = refused;
        }
        cmds
    }

    /// What every view answers alike; the rest goes to the home view.
    fn update_shared(&mut self, action: Action) -> Vec<Command> {
        let s = &mut self.shared;
        match action {
            Action::ToggleView(name) => match find(name) {
                Some(v) if v != self.view => self.show(v),
                Some(_) => self.show(home()),
                None => Vec::new(),
            },
            Action::Back if s.help => {
                s.help = false;
                Vec::new()
            }
            Action::Back if self.view != home() => self.show(home()),
            // Esc never quits: on the home view, with nothing to close, it says so.
            Action::Back => {
                s.message = Some(ESC_HOME.into());
                Vec::new()
            }
            Action::Quit => {
                s.quit = true;
                vec![Command::Quit]
            }
            Action::ToggleHelp => {
                s.help = !s.help;
                s.help_page = 0;
                Vec::new()
            }
            Action::HelpPage(forward) => {
                s.help_page += if forward { 1 } else { -1 };
                Vec::new()
            }
            Action::Tick(now) => {
                scrub::tick(s, now);
                Vec::new()
            }
            Action::NotHere(why) => {
                s.message = Some(why.to_string());
                Vec::new()
            }
            Action::Snapshot(snap) => {
                self.training.parity = snap.config.task != crate::train::TaskKind::Modular;
                s.take(snap);
                Vec::new()
            }
            Action::SweepEvent(grid, event) => {
                if let Some(st) = self.sweeps.get_mut(&grid) {
                    st.apply(event);
                }
                Vec::new()
            }
            Action::SweepClock(grid, elapsed) => {
                if let Some(st) = self.sweeps.get_mut(&grid) {
                    st.elapsed = elapsed;
                }
                Vec::new()
            }
            // Another view's own actions: here nothing.
            Action::NextGrid
            | Action::PrevGrid
            | Action::PauseSweep
            | Action::PageBack
            | Action::PageForward
            | Action::MoveCursor(_)
            | Action::ToggleDrill
            | Action::Threshold(_)
            | Action::ToggleArticle
            | Action::ToggleMarks
            | Action::Mechanism(_)
            | Action::Gallery(_)
            | Action::TakeModel => Vec::new(),
            a => self.training.update(s, &a),
        }
    }
}

/// The action of a key in the view on screen. A key of the home view that this view does not
/// bind goes to the home view's table, so the view can answer it ("that key acts on the
/// training run").
///
/// While a step is typed (after `g`), every key but Ctrl-C goes to the typing.
pub fn dispatch(app: &App, key: Key) -> Option<Action> {
    if app.shared.seek.typing.is_some() && !key.ctrl {
        return Some(seek::typing_action(key.code));
    }
    if app.shared.help
        && let Some(a) = help_page(key)
    {
        return Some(a);
    }
    if app.tour.on
        && let Some(a) = Table::of(&tour::KEYS, &app.tour).lookup(key)
    {
        return Some(a);
    }
    (app.view.keys)(app)
        .lookup(key)
        .or_else(|| (home().keys)(app).lookup(key))
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
    Some(Action::Seek(super::action::Scrub::To(step)))
}

/// Draw the dashboard: the view on screen, its footer, and the help overlay when open.
pub fn draw(f: &mut Frame, app: &App, theme: &Theme, memo: &Memo) {
    memo.axes.borrow_mut().clear();
    let area = f.area();
    if area.width < ui::MIN_WIDTH || area.height < ui::MIN_HEIGHT {
        ui::too_small::render(f, area, theme);
        return;
    }
    let keys = (app.view.keys)(app);
    let tour_keys = app.tour.on.then(|| Table::of(&tour::KEYS, &app.tour));
    let mut entries = tour_keys.as_ref().map_or(Vec::new(), |t| t.footer());
    entries.extend(keys.footer());
    let footer = Footer {
        keys: &entries,
        message: app.shared.message.as_deref(),
    };
    if app.tour.on {
        draw_tour(f, app, theme, memo, &footer);
    } else {
        (app.view.render)(f, app, theme, memo, &footer);
    }
    if app.shared.help {
        let mut help = tour_keys.as_ref().map_or(Vec::new(), |t| t.help());
        help.extend(keys.help());
        let page = app.shared.help_page;
        let engine = ui::help::Engine {
            kernel: app.shared.kernel,
            threads: app.shared.threads,
        };
        ui::help::render(f, area, &help, Some(engine), theme, page);
    }
}

/// The tour over the view on screen: its text beside the view, or as a page in its place.
fn draw_tour(f: &mut Frame, app: &App, theme: &Theme, memo: &Memo, footer: &Footer) {
    let scene = app.tour.scene(&app.shared, app.view.name);
    let cx = app.ctx(theme, memo);
    let place = ui::tour::place(f.area(), app.tour.text);
    app.tour.paged.set(place == ui::tour::Place::Page);
    match place {
        ui::tour::Place::Side { dash, text } => {
            ui::tour::inset(f, dash, memo, |f| {
                (app.view.render)(f, app, theme, memo, footer)
            });
            ui::tour::side(f, text, &scene, &cx);
        }
        ui::tour::Place::Page => ui::tour::page(f, &scene, &cx, footer),
        ui::tour::Place::Dashboard => (app.view.render)(f, app, theme, memo, footer),
    }
}
