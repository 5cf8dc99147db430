//! Five-neuron read-outs: W_out turning twice as fast as W_in.

mod common;
use grokscope::analysis::{AnalysisError, five_neuron_readout};
use ndarray::Array2;
use std::f32::consts::{PI, TAU};

/// W_in column i = r_i·(cos iθ, sin iθ); W_out row i = s_i·(cos(2iθ + offset), sin(2iθ + offset)).
fn circle(neurons: usize, offset: f32) -> (Array2<f32>, Array2<f32>) {
    let theta = TAU / neurons as f32;
    let radius = |i: usize| 0.5 + i as f32 * 0.3; // magnitudes do not matter
    let w_in = Array2::from_shape_fn((2, neurons), |(d, i)| {
        let angle = i as f32 * theta;
        radius(i) * if d == 0 { angle.cos() } else { angle.sin() }
    });
    let w_out = Array2::from_shape_fn((neurons, 2), |(i, d)| {
        let angle = 2.0 * i as f32 * theta + offset;
        radius(neurons - i) * if d == 0 { angle.cos() } else { angle.sin() }
    });
    (w_in, w_out)
}

fn wrap(x: f32) -> f32 {
    (x + PI).rem_euclid(TAU) - PI
}

#[test]
fn exact_circle_turns_twice_as_fast() {
    let (w_in, w_out) = circle(5, 0.0);
    let r = five_neuron_readout(w_in.view(), w_out.view()).unwrap();
    assert!(r.mean_residual < 1e-5, "{r:?}");
    assert!(r.offset.abs() < 1e-5);
    let theta = TAU / 5.0;
    for i in 0..5 {
        assert!((r.angle_in[i] - wrap(i as f32 * theta)).abs() < 1e-5);
        assert!((r.angle_out[i] - wrap(2.0 * i as f32 * theta)).abs() < 1e-5);
        assert_eq!(r.w_in[i], [w_in[[0, i]], w_in[[1, i]]]);
        assert_eq!(r.w_out[i], [w_out[[i, 0]], w_out[[i, 1]]]);
    }
    // A rotated output circle still turns twice as fast; the offset is recovered.
    let (w_in, w_out) = circle(5, 2.5);
    let r = five_neuron_readout(w_in.view(), w_out.view()).unwrap();
    assert!(
        r.mean_residual < 1e-5 && (r.offset - 2.5).abs() < 1e-5,
        "{r:?}"
    );
}

#[test]
fn same_speed_or_random_angles_do_not_fit() {
    // W_out at the same angle as W_in: residuals spread around the circle.
    let (w_in, _) = circle(5, 0.0);
    let w_out = w_in.t().to_owned();
    let r = five_neuron_readout(w_in.view(), w_out.view()).unwrap();
    assert!(r.mean_residual > 1.0, "{r:?}");

    // Random weights (SplitMix64, uniform in [−1, 1)): residual near π/2 on average.
    let mut uniform = common::splitmix_uniform(42);
    let draws = 200;
    let mut total = 0.0;
    for _ in 0..draws {
        let w_in = Array2::from_shape_fn((2, 5), |_| uniform());
        let w_out = Array2::from_shape_fn((5, 2), |_| uniform());
        total += five_neuron_readout(w_in.view(), w_out.view())
            .unwrap()
            .mean_residual;
    }
    let mean = total / draws as f32;
    assert!(mean > 1.0, "mean residual of random weights {mean}");
}

#[test]
fn rejects_wrong_shapes() {
    let err = five_neuron_readout(Array2::zeros((3, 5)).view(), Array2::zeros((5, 2)).view());
    assert!(matches!(err, Err(AnalysisError::Shape(_))));
    let err = five_neuron_readout(Array2::zeros((2, 5)).view(), Array2::zeros((4, 2)).view());
    assert!(matches!(err, Err(AnalysisError::Shape(_))));
    let err = five_neuron_readout(Array2::zeros((2, 0)).view(), Array2::zeros((0, 2)).view());
    assert!(matches!(err, Err(AnalysisError::NoNeurons(0))));
}
