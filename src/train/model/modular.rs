//! The modular-arithmetic network in all its parameterisations (factored, untied,
//! collapsed, the fixed circle): its buffers, its initial draw and its forward and backward
//! passes; the module doc of [`super`] gives the shapes.

use super::{Score, circular_embedding, trunc_normal};
use crate::train::Activation;
use crate::train::config::{Arch, Config};
use crate::train::fused::Fused;
use crate::train::kernels;
use crate::train::linalg::matmul_on;
use crate::train::params::{Elem, ModularTensors, Param};
use crate::train::rng::{Stream, purpose};
use crate::train::simd::Kernel;
use crate::train::task::PairSet;
use crate::train::team::Team;
use ndarray::{Array2, ArrayView2, ArrayViewMut2, s};
use std::ops::Range;
use std::sync::Arc;

/// Per-dataset scratch buffers.
struct ModBuffers {
    pre: Array2<f32>,
    act: Array2<f32>,
    /// Logits transposed, [P×N], so the softmax runs along examples.
    logits_t: Array2<f32>,
    dact: Array2<f32>,
}

impl ModBuffers {
    fn new(n: usize, p: usize, h: usize) -> Self {
        ModBuffers {
            pre: Array2::zeros((n, h)),
            act: Array2::zeros((n, h)),
            logits_t: Array2::zeros((p, n)),
            dact: Array2::zeros((n, h)),
        }
    }
}

/// The modular-arithmetic network in any of its parameterisations.
pub struct ModModel {
    pub arch: Arch,
    pub modulus: usize,
    pub hidden: usize,
    pub activation: Activation,
    params: ModularTensors<Param>,
    /// Columns of `uv` computed as E·proj, and columns stored in `direct`.
    f_cols: Range<usize>,
    d_cols: Range<usize>,
    uv: Array2<f32>,
    guv: Array2<f32>,
    /// b's side of the input, E·W_b [P×H], and its gradient, where the in-proj is untied.
    ub: Option<Array2<f32>>,
    gub: Option<Array2<f32>>,
    train_buf: ModBuffers,
    test_buf: ModBuffers,
    /// The fused training step (see [`super::fused`]); `None` for an untied in-proj.
    fused: Option<Fused>,
    pub(super) kernel: Kernel,
    /// The threads the products share (see [`super::super::team`]); one by default.
    pub(super) team: Arc<Team>,
}

/// The initial tensors of a modular model, drawn from the seed's init stream.
struct Init {
    e: Array2<f32>,
    w_in: Array2<f32>,
    w_out: Array2<f32>,
    /// The untied variants' own tensors.
    e_out: Option<Array2<f32>>,
    w_b: Option<Array2<f32>>,
}

impl Init {
    fn draw(cfg: &Config) -> Init {
        let (p, d, h) = (cfg.modulus, cfg.embed, cfg.hidden);
        let mut rng = Stream::new(cfg.seed, purpose::INIT);
        // mod-add's init (docs/article-numbers.md), drawn in a fixed order whatever the
        // variant: E, W_in, W_out; then the untied variants' own tensors from the same stream,
        // E_out (as E) and W_b (as W_in), so every variant's first three draws are the same.
        let (e, w_in, w_out) = if cfg.arch == Arch::FixedCircle {
            let e = circular_embedding(p);
            let w_in = trunc_normal(&mut rng, 2, h, 1.0 / 2f64.sqrt());
            let w_out = trunc_normal(&mut rng, h, 2, 1.0 / (h as f64).sqrt());
            (e, w_in, w_out)
        } else {
            let d = if cfg.arch == Arch::Collapsed {
                cfg.embed.max(1)
            } else {
                d
            };
            let e = trunc_normal(&mut rng, p, d, (2.0 / p as f64).sqrt() / 0.879_625_66);
            let w_in = trunc_normal(&mut rng, d, h, 1.0 / (d as f64).sqrt());
            let w_out = trunc_normal(&mut rng, h, d, 1.0 / (h as f64).sqrt());
            (e, w_in, w_out)
        };
        let d = e.ncols();
        let e_out = cfg
            .arch
            .untied_embed()
            .then(|| trunc_normal(&mut rng, p, d, (2.0 / p as f64).sqrt() / 0.879_625_66));
        let w_b = cfg
            .arch
            .untied_in()
            .then(|| trunc_normal(&mut rng, d, h, 1.0 / (d as f64).sqrt()));
        Init {
            e,
            w_in,
            w_out,
            e_out,
            w_b,
        }
    }
}

/// Which halves of uv = [W_input | W_outputᵀ] are products with E (input, output), and the
/// columns of uv the factored halves and the direct ones fill.
fn halves(arch: Arch, h: usize) -> (bool, bool, Range<usize>, Range<usize>) {
    let (in_f, out_f) = match arch {
        Arch::Factored
        | Arch::FixedCircle
        | Arch::UntiedEmbed
        | Arch::UntiedIn
        | Arch::UntiedEmbedIn => (true, true),
        Arch::Collapsed => (false, false),
        Arch::CollapsedIn => (false, true),
        Arch::CollapsedOut | Arch::UntiedInCollapsedOut => (true, false),
        Arch::Mlp => unreachable!("validated: modular tasks never use the mlp"),
    };
    let f_cols = match (in_f, out_f) {
        (true, true) => 0..2 * h,
        (true, false) => 0..h,
        (false, true) => h..2 * h,
        (false, false) => 0..0,
    };
    let d_cols = match (in_f, out_f) {
        (true, true) => 0..0,
        (true, false) => h..2 * h,
        (false, true) => 0..h,
        (false, false) => 0..2 * h,
    };
    (in_f, out_f, f_cols, d_cols)
}

impl ModModel {
    pub fn new(cfg: &Config, n_train: usize, n_test: usize, kernel: Kernel) -> Self {
        let (p, h) = (cfg.modulus, cfg.hidden);
        let Init {
            e,
            w_in,
            w_out,
            e_out,
            w_b,
        } = Init::draw(cfg);
        let (in_f, out_f, f_cols, d_cols) = halves(cfg.arch, h);
        let nf = in_f as usize + out_f as usize;
        // Full-width factor [D×2H] = [W_in | W_outᵀ]; keep the factored halves.
        let mut both = Array2::zeros((e.ncols(), 2 * h));
        both.slice_mut(s![.., ..h]).assign(&w_in);
        both.slice_mut(s![.., h..]).assign(&w_out.t());
        let factored = nf > 0;
        let embed = factored.then(|| Param::new("embed", e.clone(), cfg.arch != Arch::FixedCircle));
        let proj = factored.then(|| {
            let name = match (in_f, out_f) {
                (true, true) => "in_out_proj",
                (true, false) => "in_proj",
                _ => "out_proj",
            };
            Param::new(name, both.slice(s![.., f_cols.clone()]).to_owned(), true)
        });
        let direct = (nf < 2).then(|| {
            // Direct halves start as the factored model's product (same function at step 0).
            let full = e.dot(&both);
            let name = match (in_f, out_f) {
                (false, false) => "w_input_output",
                (true, false) => "w_output",
                _ => "w_input",
            };
            Param::new(name, full.slice(s![.., d_cols.clone()]).to_owned(), true)
        });
        let embed_out = e_out.map(|w| Param::new("embed_out", w, true));
        let untied_in = w_b.is_some();
        let proj_b = w_b.map(|w| Param::new("in_proj_b", w, true));
        let mut m = ModModel {
            arch: cfg.arch,
            modulus: p,
            hidden: h,
            activation: cfg.activation,
            params: ModularTensors {
                embed,
                proj,
                direct,
                embed_out,
                proj_b,
            },
            f_cols,
            d_cols,
            uv: Array2::zeros((p, 2 * h)),
            guv: Array2::zeros((p, 2 * h)),
            ub: untied_in.then(|| Array2::zeros((p, h))),
            gub: untied_in.then(|| Array2::zeros((p, h))),
            train_buf: ModBuffers::new(n_train, p, h),
            test_buf: ModBuffers::new(n_test, p, h),
            fused: (!untied_in).then(|| Fused::new(p, h, kernel)),
            kernel,
            team: Arc::new(Team::new(1)),
        };
        m.refresh_uv();
        m
    }

    pub fn params(&self) -> &ModularTensors<Param> {
        &self.params
    }

    /// The parameters, to change (call [`Self::refresh_uv`] afterwards).
    pub fn params_mut(&mut self) -> &mut ModularTensors<Param> {
        &mut self.params
    }

    /// Use the fused training step (the default), or the whole-batch path (products over
    /// the whole training set around the column softmax: the same gradient, summed in
    /// another order, kept for the untied in-proj and as a check); returns whether the
    /// fused step is now in use (never for an untied in-proj, which only the whole-batch
    /// path handles).
    pub fn set_fused(&mut self, on: bool) -> bool {
        self.fused =
            (on && self.ub.is_none()).then(|| Fused::new(self.modulus, self.hidden, self.kernel));
        self.fused.is_some()
    }

    /// Compute with `kernel` from now on (its results are the same bits as any other's).
    pub fn set_kernel(&mut self, kernel: Kernel) {
        self.kernel = kernel;
        let fused = self.fused.is_some();
        self.set_fused(fused);
    }

    /// Recompute W_input and W_outputᵀ (and b's side, where untied) from the parameters.
    pub fn refresh_uv(&mut self) {
        let h = self.hidden;
        if let (Some(e), Some(proj)) = (&self.params.embed, &self.params.proj) {
            match &self.params.embed_out {
                None => {
                    let cols = self.f_cols.clone();
                    matmul_on(
                        &self.team,
                        self.uv.slice_mut(s![.., cols]),
                        e.w.view(),
                        proj.w.view(),
                        false,
                        self.kernel,
                    );
                }
                // An untied embedding: both halves factored, each by its own E.
                Some(e_out) => {
                    matmul_on(
                        &self.team,
                        self.uv.slice_mut(s![.., ..h]),
                        e.w.view(),
                        proj.w.slice(s![.., ..h]),
                        false,
                        self.kernel,
                    );
                    matmul_on(
                        &self.team,
                        self.uv.slice_mut(s![.., h..]),
                        e_out.w.view(),
                        proj.w.slice(s![.., h..]),
                        false,
                        self.kernel,
                    );
                }
            }
            if let (Some(w_b), Some(ub)) = (&self.params.proj_b, &mut self.ub) {
                matmul_on(
                    &self.team,
                    ub.view_mut(),
                    e.w.view(),
                    w_b.w.view(),
                    false,
                    self.kernel,
                );
            }
        }
        if let Some(direct) = &self.params.direct {
            let cols = self.d_cols.clone();
            self.uv.slice_mut(s![.., cols]).assign(&direct.w);
        }
    }

    /// The article's W_input [P×H] (row a: input a's contribution to each neuron); a's side
    /// where the in-proj is untied.
    pub fn w_input(&self) -> ArrayView2<'_, f32> {
        self.uv.slice(s![.., ..self.hidden])
    }

    /// b's side of the input, E·W_b [P×H], where the in-proj is untied.
    pub fn w_input_b(&self) -> Option<ArrayView2<'_, f32>> {
        self.ub.as_ref().map(|u| u.view())
    }

    /// W_b [D×H], b's in-proj, where the in-proj is untied.
    pub fn in_proj_b(&self) -> Option<ArrayView2<'_, Elem>> {
        self.params.proj_b.as_ref().map(|p| p.w.view())
    }

    /// E_out [P×D], where the embedding is untied.
    pub fn embedding_out(&self) -> Option<ArrayView2<'_, Elem>> {
        self.params.embed_out.as_ref().map(|e| e.w.view())
    }

    /// The article's W_output [H×P].
    pub fn w_output(&self) -> ArrayView2<'_, f32> {
        self.uv.slice(s![.., self.hidden..]).reversed_axes()
    }

    /// W_in [D×H], where W_input = E·W_in: the factor of a factored input half (the main
    /// model, five-neurons and collapsed-out; a's W_a where the in-proj is untied).
    pub fn in_proj(&self) -> Option<ArrayView2<'_, Elem>> {
        let proj = &self.params.proj.as_ref()?.w;
        (self.f_cols.start == 0).then(|| proj.slice(s![.., ..self.hidden]))
    }

    /// W_out [H×D], where W_output = W_out·Eᵀ: the factor of a factored output half (the
    /// main model, five-neurons and collapsed-in).
    pub fn out_proj(&self) -> Option<ArrayView2<'_, Elem>> {
        let proj = &self.params.proj.as_ref()?.w;
        // W_outᵀ follows W_in when both halves are factored.
        let start = if self.f_cols.start == 0 {
            self.hidden
        } else {
            0
        };
        (self.f_cols.end == 2 * self.hidden).then(|| proj.slice(s![.., start..]).reversed_axes())
    }

    /// The embedding E, when the model has one.
    pub fn embedding(&self) -> Option<ArrayView2<'_, Elem>> {
        self.params.embed.as_ref().map(|e| e.w.view())
    }

    /// `ub`: b's side of the input where the in-proj is untied (else b's row of U too).
    fn forward(
        uv: &Array2<f32>,
        ub: Option<&Array2<f32>>,
        act: Activation,
        set: &PairSet,
        buf: &mut ModBuffers,
        team: &Team,
        kernel: Kernel,
    ) {
        let h = uv.ncols() / 2;
        let uvs = uv.as_slice().expect("uv is contiguous");
        let w = 2 * h;
        // b's rows and their stride.
        let (bs, bw) = match ub {
            Some(u) => (u.as_slice().expect("ub is contiguous"), h),
            None => (uvs, w),
        };
        let pre = buf.pre.as_slice_mut().expect("contiguous");
        let out = buf.act.as_slice_mut().expect("contiguous");
        // Row by row, while the row is in L1: gather U[a] + U[b], keep it, activate it.
        let rows = pre.chunks_exact_mut(h).zip(out.chunks_exact_mut(h));
        for (n, (p, o)) in rows.enumerate() {
            let ua = &uvs[set.a[n] as usize * w..][..h];
            let ub = &bs[set.b[n] as usize * bw..][..h];
            for ((p, &x), &y) in p.iter_mut().zip(ua).zip(ub) {
                *p = x + y;
            }
            act.forward(p, o);
        }
        // logitsᵀ = Vt · actᵀ
        matmul_on(
            team,
            buf.logits_t.view_mut(),
            uv.slice(s![.., h..]),
            buf.act.t(),
            false,
            kernel,
        );
    }

    fn score(buf: &mut ModBuffers, p: usize, set: &PairSet, grad_scale: Option<f32>) -> Score {
        let stats = kernels::softmax_xent(
            buf.logits_t.as_slice_mut().expect("contiguous"),
            set.len(),
            &set.y,
            grad_scale,
        );
        Score::of_modular(stats, set.len(), p)
    }

    /// Loss and accuracy on `set` (train or test) at the current parameters.
    pub fn evaluate(&mut self, set: &PairSet, is_train: bool) -> Score {
        let buf = if is_train {
            &mut self.train_buf
        } else {
            &mut self.test_buf
        };
        Self::forward(
            &self.uv,
            self.ub.as_ref(),
            self.activation,
            set,
            buf,
            &self.team,
            self.kernel,
        );
        Self::score(buf, self.modulus, set, None)
    }

    /// The whole-batch path of [`Self::forward_backward`] up to dU and dVt (in `guv`):
    /// products over the whole training set around the column softmax.
    fn batch_backward(&mut self, set: &PairSet, scale: f32) -> Score {
        let (p, h) = (self.modulus, self.hidden);
        let buf = &mut self.train_buf;
        Self::forward(
            &self.uv,
            self.ub.as_ref(),
            self.activation,
            set,
            buf,
            &self.team,
            self.kernel,
        );
        let score = Self::score(buf, p, set, Some(scale));
        let dlogits_t = buf.logits_t.view();
        // dVt = dlogitsᵀ · act  → right half of guv
        matmul_on(
            &self.team,
            self.guv.slice_mut(s![.., h..]),
            dlogits_t,
            buf.act.view(),
            false,
            self.kernel,
        );
        // dact = dlogits · Vt
        matmul_on(
            &self.team,
            buf.dact.view_mut(),
            dlogits_t.t(),
            self.uv.slice(s![.., h..]),
            false,
            self.kernel,
        );
        // dpre = dact ⊙ σ'(pre), then scattered onto the rows a and b of dU.
        let w = 2 * h;
        let dact = buf.dact.as_slice_mut().expect("contiguous");
        self.activation
            .backward(buf.pre.as_slice().expect("contiguous"), dact);
        let guv = self.guv.as_slice_mut().expect("contiguous");
        for row in guv.chunks_exact_mut(w) {
            row[..h].fill(0.0);
        }
        match self.gub.as_mut() {
            None => {
                for (n, g) in dact.chunks_exact(h).enumerate() {
                    for idx in [set.a[n] as usize, set.b[n] as usize] {
                        for (d, &x) in guv[idx * w..][..h].iter_mut().zip(g) {
                            *d += x;
                        }
                    }
                }
            }
            // An untied in-proj: a's rows into U's gradient, b's into Ub's.
            Some(gub) => {
                let gb = gub.as_slice_mut().expect("contiguous");
                gb.fill(0.0);
                for (n, g) in dact.chunks_exact(h).enumerate() {
                    let (a, b) = (set.a[n] as usize, set.b[n] as usize);
                    for (d, &x) in guv[a * w..][..h].iter_mut().zip(g) {
                        *d += x;
                    }
                    for (d, &x) in gb[b * h..][..h].iter_mut().zip(g) {
                        *d += x;
                    }
                }
            }
        }
        score
    }

    /// `dst = a · b` (or `dst += a · b`) on the model's threads and kernel.
    fn product(
        &self,
        dst: ArrayViewMut2<'_, f32>,
        a: ArrayView2<'_, f32>,
        b: ArrayView2<'_, f32>,
        accumulate: bool,
    ) {
        matmul_on(&self.team, dst, a, b, accumulate, self.kernel);
    }

    /// One forward and backward pass over the training set (W_input and W_output must be
    /// fresh, see [`super::Model::refresh`]): writes the gradient of the loss (cross-entropy / P,
    /// averaged over examples) into `grads` (the parameters' shape; a frozen embedding's
    /// stays untouched) and returns the loss before the update.
    pub fn forward_backward(
        &mut self,
        set: &PairSet,
        grads: &mut ModularTensors<Array2<Elem>>,
    ) -> Score {
        let p = self.modulus;
        let scale = 1.0 / (set.len() as f32 * p as f32);
        let score = match self.fused.as_mut() {
            Some(f) => {
                let stats = f.step(
                    self.uv.as_slice().expect("contiguous"),
                    self.guv.as_slice_mut().expect("contiguous"),
                    self.activation,
                    set,
                    scale,
                    &self.team,
                );
                Score::of_modular(stats, set.len(), p)
            }
            None => self.batch_backward(set, scale),
        };
        // Back through the factorisation: dproj = Eᵀ · dUV[:, f], dE = dUV[:, f] · projᵀ.
        const SHAPE: &str = "grads have the parameters' shape";
        let h = self.hidden;
        if let (Some(e), Some(proj)) = (&self.params.embed, &self.params.proj) {
            let gproj = grads.proj.as_mut().expect(SHAPE);
            match &self.params.embed_out {
                None => {
                    let gf = self.guv.slice(s![.., self.f_cols.clone()]);
                    self.product(gproj.view_mut(), e.w.t(), gf, false);
                    if e.trainable {
                        let ge = grads.embed.as_mut().expect(SHAPE);
                        self.product(ge.view_mut(), gf, proj.w.t(), false);
                    }
                }
                // Untied embedding: each half back through its own E.
                Some(e_out) => {
                    let (gu, gvt) = (self.guv.slice(s![.., ..h]), self.guv.slice(s![.., h..]));
                    let (pin, pout) = (proj.w.slice(s![.., ..h]), proj.w.slice(s![.., h..]));
                    self.product(gproj.slice_mut(s![.., ..h]), e.w.t(), gu, false);
                    self.product(gproj.slice_mut(s![.., h..]), e_out.w.t(), gvt, false);
                    let ge = grads.embed.as_mut().expect(SHAPE);
                    self.product(ge.view_mut(), gu, pin.t(), false);
                    let geo = grads.embed_out.as_mut().expect(SHAPE);
                    self.product(geo.view_mut(), gvt, pout.t(), false);
                }
            }
            // Untied in-proj: dW_b = Eᵀ · dUb, and dE gains dUb · W_bᵀ.
            if let (Some(w_b), Some(gub)) = (&self.params.proj_b, &self.gub) {
                let gpb = grads.proj_b.as_mut().expect(SHAPE);
                self.product(gpb.view_mut(), e.w.t(), gub.view(), false);
                let ge = grads.embed.as_mut().expect(SHAPE);
                self.product(ge.view_mut(), gub.view(), w_b.w.t(), true);
            }
        }
        if self.params.direct.is_some() {
            let gd = grads.direct.as_mut().expect(SHAPE);
            gd.assign(&self.guv.slice(s![.., self.d_cols.clone()]));
        }
        score
    }
}
