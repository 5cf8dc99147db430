//! A team of threads kept for a run's whole life, so that a product of a few microseconds
//! can be split between cores: starting a thread costs more than such a product, handing a
//! job to a thread that is already waiting costs well under a microsecond.
//!
//! [`Team::each`] runs a job on each of a list of parts and returns when all are done. The
//! parts are claimed one at a time by whichever member is free (the calling thread too), so
//! a team thread the system has not scheduled holds nothing up: the caller does the parts
//! itself.
//! Splitting never changes a result: the callers give each part a disjoint piece of the
//! output, and every element's arithmetic is the same whichever thread computes it (see
//! [`super::simd`]).
//!
//! A waiting thread spins for a millisecond or two (the next job of a training step comes
//! within microseconds), yielding its core now and then in case the system put it on the
//! caller's, then sleeps on a condition variable until the next job or the team's end.

use std::cell::UnsafeCell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

/// Spins of an idle team thread before it sleeps: a millisecond or two, longer than any
/// gap between the jobs of one step.
const SPINS: u32 = 1 << 16;
/// An idle team thread yields its core once per this many spins.
const YIELD_EVERY: u32 = 64;
/// Spins of the caller waiting for parts other threads hold, before it yields its core
/// (in case the thread it waits for was given the same one).
const WAIT_SPINS: u32 = 1 << 10;

/// A job on part `i`, with its borrow's lifetime erased: [`Team::run_parts`] does not
/// return (or unwind) while any thread may still call it.
type Job = *const (dyn Fn(usize) + Sync + 'static);

struct Shared {
    /// Moves once per job, to wake the team threads.
    epoch: AtomicU64,
    /// The current job and its number of parts; written only while `closed` is set and no
    /// thread is inside (`inside` is 0).
    job: UnsafeCell<(Option<Job>, usize)>,
    /// No job open: a thread that comes in leaves at once, without reading `job`.
    closed: AtomicBool,
    /// Team threads between their check of `closed` and their leaving.
    inside: AtomicUsize,
    /// The next part to claim, and the parts finished.
    next: AtomicUsize,
    finished: AtomicUsize,
    /// A part's job panicked.
    panicked: AtomicBool,
    /// The team is being dropped.
    quit: AtomicBool,
    /// Threads asleep (or about to be) on `wake`.
    sleeping: AtomicUsize,
    lock: Mutex<()>,
    wake: Condvar,
}

// SAFETY: `job` is written only by `run_parts` while `closed` is set and `inside` is 0, and
// read by a team thread only after it has counted itself in `inside` and then seen `closed`
// clear (SeqCst on both sides: either the writer sees the thread inside and waits, or the
// thread sees the job closed and leaves without reading it).
unsafe impl Sync for Shared {}
// SAFETY: the raw job pointer is only dereferenced under the protocol above; the job
// itself is `Sync`, so calling it from any thread is sound.
unsafe impl Send for Shared {}

/// The calling thread plus `size() − 1` threads of its own.
pub struct Team {
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for Team {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Team({})", self.size())
    }
}

impl Team {
    /// A team of `size` members (the caller and `size − 1` threads, fewer if the system
    /// refuses to start them); 0 counts as 1.
    pub fn new(size: usize) -> Team {
        let shared = Arc::new(Shared {
            epoch: AtomicU64::new(0),
            job: UnsafeCell::new((None, 0)),
            closed: AtomicBool::new(true),
            inside: AtomicUsize::new(0),
            next: AtomicUsize::new(0),
            finished: AtomicUsize::new(0),
            panicked: AtomicBool::new(false),
            quit: AtomicBool::new(false),
            sleeping: AtomicUsize::new(0),
            lock: Mutex::new(()),
            wake: Condvar::new(),
        });
        // A thread the system refuses (a process limit) leaves the team smaller: slower,
        // never different.
        let threads = (1..size.max(1))
            .map_while(|member| {
                let shared = Arc::clone(&shared);
                std::thread::Builder::new()
                    .name(format!("grokscope-team-{member}"))
                    .spawn(move || serve(&shared))
                    .ok()
            })
            .collect();
        Team { shared, threads }
    }

    /// Members, the calling thread included.
    pub fn size(&self) -> usize {
        self.threads.len() + 1
    }

    /// `f(part)` for each of `parts`, each on whichever member claims it first; returns
    /// when all are done. A panic in any part is raised here once all have finished.
    pub fn each<T: Send>(&self, parts: Vec<T>, f: &(dyn Fn(T) + Sync)) {
        let slots: Vec<Mutex<Option<T>>> = parts.into_iter().map(|p| Mutex::new(Some(p))).collect();
        self.run_parts(slots.len(), &|i| {
            let part = slots[i].lock().unwrap_or_else(|e| e.into_inner()).take();
            if let Some(part) = part {
                f(part);
            }
        });
    }

    /// `job(i)` once for each i in 0..count, claimed by any member; returns when all have
    /// returned, raising a panic of any of them here.
    fn run_parts(&self, count: usize, job: &(dyn Fn(usize) + Sync)) {
        let s = &*self.shared;
        if self.threads.is_empty() || count <= 1 {
            (0..count).for_each(job);
            return;
        }
        // SAFETY: only the lifetime is erased; the pointer is read by team threads only
        // while the job is open, and this function closes it and waits for every thread to
        // leave before it returns.
        let erased: Job = unsafe { std::mem::transmute::<_, Job>(job as *const _) };
        // SAFETY: the job is closed and no thread is inside (the end of the previous call).
        unsafe { *s.job.get() = (Some(erased), count) };
        s.next.store(0, Ordering::Relaxed);
        s.finished.store(0, Ordering::Relaxed);
        s.closed.store(false, Ordering::SeqCst);
        s.epoch.fetch_add(1, Ordering::SeqCst);
        if s.sleeping.load(Ordering::SeqCst) > 0 {
            let _guard = s.lock.lock().unwrap_or_else(|e| e.into_inner());
            s.wake.notify_all();
        }
        claim(s, job, count);
        wait_until(|| s.finished.load(Ordering::Acquire) == count);
        s.closed.store(true, Ordering::SeqCst);
        wait_until(|| s.inside.load(Ordering::SeqCst) == 0);
        if s.panicked.swap(false, Ordering::Relaxed) {
            panic!("a part of a shared job panicked");
        }
    }
}

/// Claim and run parts of `job` until none is left.
fn claim(s: &Shared, job: &(dyn Fn(usize) + Sync), count: usize) {
    loop {
        let i = s.next.fetch_add(1, Ordering::Relaxed);
        if i >= count {
            return;
        }
        if panic::catch_unwind(AssertUnwindSafe(|| job(i))).is_err() {
            s.panicked.store(true, Ordering::Relaxed);
        }
        s.finished.fetch_add(1, Ordering::Release);
    }
}

/// Spin until `done()`, yielding the core after a while.
fn wait_until(done: impl Fn() -> bool) {
    let mut spins = 0u32;
    while !done() {
        if spins < WAIT_SPINS {
            spins += 1;
            std::hint::spin_loop();
        } else {
            std::thread::yield_now();
        }
    }
}

impl Drop for Team {
    fn drop(&mut self) {
        let s = &*self.shared;
        s.quit.store(true, Ordering::SeqCst);
        s.epoch.fetch_add(1, Ordering::SeqCst);
        {
            let _guard = s.lock.lock().unwrap_or_else(|e| e.into_inner());
            s.wake.notify_all();
        }
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// A team thread: wait for each new job and help with its parts while it is open.
fn serve(s: &Shared) {
    let mut seen = 0u64;
    loop {
        seen = wait_for_epoch(s, seen);
        if s.quit.load(Ordering::SeqCst) {
            return;
        }
        s.inside.fetch_add(1, Ordering::SeqCst);
        if !s.closed.load(Ordering::SeqCst) {
            // SAFETY: the job is open and this thread is counted inside, so `run_parts`
            // neither rewrites `job` nor returns before it leaves.
            let (job, count) = unsafe { *s.job.get() };
            let job = job.expect("an open job");
            // SAFETY: as above, the job outlives this call.
            claim(s, unsafe { &*job }, count);
        }
        s.inside.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The epoch once it differs from `seen`: spin first, then sleep until woken.
fn wait_for_epoch(s: &Shared, seen: u64) -> u64 {
    for spin in 0..SPINS {
        let now = s.epoch.load(Ordering::Acquire);
        if now != seen {
            return now;
        }
        // Now and then let another thread have the core: where the system put this thread
        // on the caller's core, the caller is the one with work to do.
        if spin % YIELD_EVERY == YIELD_EVERY - 1 {
            std::thread::yield_now();
        } else {
            std::hint::spin_loop();
        }
    }
    s.sleeping.fetch_add(1, Ordering::SeqCst);
    let mut guard = s.lock.lock().unwrap_or_else(|e| e.into_inner());
    let now = loop {
        let now = s.epoch.load(Ordering::SeqCst);
        if now != seen {
            break now;
        }
        guard = s.wake.wait(guard).unwrap_or_else(|e| e.into_inner());
    };
    drop(guard);
    s.sleeping.fetch_sub(1, Ordering::SeqCst);
    now
}

/// Whether a run's steps are shared among its team or taken alone, decided by timing both.
/// Sharing a step pays only while the team's threads have cores to themselves: a thread that
/// shares its core with another busy program is preempted for milliseconds at a time, and a
/// step that waits for it runs slower than one thread would. So every [`Pace::PERIOD`] steps
/// a trial times a few steps each way (after a few untimed ones, so a sleeping thread is
/// awake) and keeps the faster until the next trial. Either way the bits are the same.
#[derive(Clone, Debug)]
pub struct Pace {
    /// Steps since the last trial ended.
    since: u64,
    /// The trial under way: the step within it and the time taken shared and alone.
    trial: Option<(u64, std::time::Duration, std::time::Duration)>,
    shared: bool,
}

impl Pace {
    /// Steps between trials.
    pub const PERIOD: u64 = 2048;
    /// Untimed steps before each half of a trial, then timed steps in it.
    const WARM: u64 = 4;
    const TIMED: u64 = 16;

    /// A run starts with a trial.
    pub fn new() -> Pace {
        Pace {
            since: Self::PERIOD,
            trial: None,
            shared: true,
        }
    }

    /// Whether the next step is shared; call [`Pace::took`] with its time after it.
    pub fn next_shared(&mut self) -> bool {
        if self.trial.is_none() && self.since >= Self::PERIOD {
            self.trial = Some((0, Default::default(), Default::default()));
        }
        match self.trial {
            // The first half of a trial shares, the second does not.
            Some((i, ..)) => i < Self::WARM + Self::TIMED,
            None => self.shared,
        }
    }

    /// The step just taken took `time`.
    pub fn took(&mut self, time: std::time::Duration) {
        let half = Self::WARM + Self::TIMED;
        let Some((i, shared, alone)) = self.trial.as_mut() else {
            self.since += 1;
            return;
        };
        match *i {
            i if i < Self::WARM => {}
            i if i < half => *shared += time,
            i if i < half + Self::WARM => {}
            _ => *alone += time,
        }
        *i += 1;
        if *i == 2 * half {
            self.shared = *shared <= *alone;
            self.trial = None;
            self.since = 0;
        }
    }
}

impl Default for Pace {
    fn default() -> Self {
        Pace::new()
    }
}

/// `0..len` cut into `parts` consecutive ranges, each boundary a multiple of `align` (but
/// the last), as even as that allows; empty ranges where there is too little to share.
pub fn split(len: usize, parts: usize, align: usize) -> Vec<std::ops::Range<usize>> {
    let parts = parts.max(1);
    let align = align.max(1);
    let units = len.div_ceil(align);
    (0..parts)
        .map(|i| {
            let from = (units * i / parts * align).min(len);
            let to = (units * (i + 1) / parts * align).min(len);
            from..to
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU32;

    #[test]
    fn every_part_runs_exactly_once() {
        for size in 1..=4 {
            let team = Team::new(size);
            assert_eq!(team.size(), size);
            for round in 0..2000 {
                let count = round % 9;
                let runs: Vec<AtomicU32> = (0..count).map(|_| AtomicU32::new(0)).collect();
                team.each((0..count).collect(), &|i: usize| {
                    runs[i].fetch_add(1, Ordering::Relaxed);
                });
                assert!(
                    runs.iter().all(|r| r.load(Ordering::Relaxed) == 1),
                    "{size} {count}"
                );
            }
        }
    }

    #[test]
    fn parts_write_disjoint_pieces_the_caller_then_sees() {
        let team = Team::new(3);
        let mut out = vec![0u64; 1000];
        let (a, rest) = out.split_at_mut(300);
        let (b, c) = rest.split_at_mut(300);
        team.each(vec![(0, a), (1, b), (2, c)], &|(i, piece): (
            u64,
            &mut [u64],
        )| {
            for (j, x) in piece.iter_mut().enumerate() {
                *x = i * 1000 + j as u64;
            }
        });
        assert_eq!((out[0], out[299], out[300], out[999]), (0, 299, 1000, 2399));
    }

    #[test]
    fn a_sleeping_thread_wakes_for_the_next_job() {
        let team = Team::new(2);
        let slow = |_: usize| std::thread::sleep(std::time::Duration::from_millis(5));
        team.each(vec![0, 1], &slow);
        // Long enough for the thread to stop spinning and sleep.
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert_eq!(team.shared.sleeping.load(Ordering::SeqCst), 1);
        let threads = Mutex::new(Vec::new());
        for _ in 0..50 {
            team.each(vec![0, 1], &|_: usize| {
                std::thread::sleep(std::time::Duration::from_millis(2));
                threads.lock().unwrap().push(std::thread::current().id());
            });
        }
        let threads = threads.into_inner().unwrap();
        let me = std::thread::current().id();
        assert!(
            threads.iter().any(|&t| t != me),
            "the team thread never took a part"
        );
    }

    #[test]
    fn a_panicking_part_is_raised_after_the_others_finish_and_the_team_goes_on() {
        let team = Team::new(2);
        for bad in 0..4 {
            let finished = AtomicU32::new(0);
            let result = panic::catch_unwind(AssertUnwindSafe(|| {
                team.each((0..4).collect(), &|i: usize| {
                    if i == bad {
                        panic!("part {i} fails");
                    }
                    std::thread::sleep(std::time::Duration::from_millis(10));
                    finished.fetch_add(1, Ordering::Relaxed);
                })
            }));
            assert!(result.is_err(), "part {bad}'s panic is raised");
            assert_eq!(finished.load(Ordering::Relaxed), 3);
        }
        let ok = AtomicU32::new(0);
        team.each(vec![(); 2], &|()| {
            ok.fetch_add(1, Ordering::Relaxed);
        });
        assert_eq!(ok.load(Ordering::Relaxed), 2);
    }

    /// Runs `steps` steps through `pace`, each taking `shared` or `alone` by mode; returns
    /// how many were shared.
    fn paced(pace: &mut Pace, steps: u64, shared: u64, alone: u64) -> u64 {
        let mut count = 0;
        for _ in 0..steps {
            let s = pace.next_shared();
            count += u64::from(s);
            pace.took(std::time::Duration::from_micros(if s {
                shared
            } else {
                alone
            }));
        }
        count
    }

    #[test]
    fn the_pace_keeps_the_faster_way_and_tries_again_every_period() {
        let trial = 2 * (Pace::WARM + Pace::TIMED);
        // Sharing faster: after the first trial every step is shared until the next one.
        let mut pace = Pace::new();
        assert_eq!(paced(&mut pace, trial, 80, 120), trial / 2);
        assert_eq!(paced(&mut pace, Pace::PERIOD, 80, 120), Pace::PERIOD);
        // The machine got busy: the next trial finds sharing slower and stops sharing.
        assert_eq!(paced(&mut pace, trial, 200, 120), trial / 2);
        assert_eq!(paced(&mut pace, Pace::PERIOD, 200, 120), 0);
        // Untimed warm-up steps do not count: a slow first shared step (a thread waking)
        // does not decide the trial.
        let mut pace = Pace::new();
        for i in 0..trial {
            let s = pace.next_shared();
            let slow = i == 0;
            pace.took(std::time::Duration::from_micros(if slow {
                100_000
            } else if s {
                80
            } else {
                120
            }));
        }
        assert_eq!(paced(&mut pace, 10, 80, 120), 10);
    }

    #[test]
    fn split_covers_the_range_in_aligned_even_parts() {
        assert_eq!(split(67, 2, 1), vec![0..33, 33..67]);
        assert_eq!(split(500, 2, 64), vec![0..256, 256..500]);
        assert_eq!(split(10, 3, 16), vec![0..0, 0..0, 0..10]);
        assert_eq!(split(7, 1, 4), vec![0..7]);
        for (len, parts, align) in [(1000, 3, 16), (48, 2, 16), (5, 4, 1), (0, 2, 8)] {
            let r = split(len, parts, align);
            assert_eq!(r.len(), parts);
            assert_eq!(r[0].start, 0);
            assert_eq!(r[parts - 1].end, len);
            for w in r.windows(2) {
                assert_eq!(w[0].end, w[1].start);
                assert!(w[0].end % align == 0 || w[0].end == len);
            }
        }
    }
}
