//! Sparse-parity read-out on hand-made first-layer matrices.

use grokscope::analysis::{AnalysisError, parity_readout};
use ndarray::{Array2, array};

#[test]
fn share_and_per_digit_norms_of_a_hand_made_matrix() {
    // 4 bits (2 informative, 2 distractors) + bias row; 2 hidden units.
    let w1 = array![
        [3.0f32, 4.0], // informative, norm 5
        [0.0, 0.0],    // informative, dead
        [1.0, -2.0],   // distractor, norm sqrt 5
        [0.0, 0.0],    // distractor
        [10.0, 0.0],   // bias: not counted in the share
    ];
    let r = parity_readout(w1.view(), 2).unwrap();
    assert_eq!(r.digit_norms.len(), 5);
    let expected = [5.0, 0.0, 5f32.sqrt(), 0.0, 10.0];
    for (got, want) in r.digit_norms.iter().zip(expected) {
        assert!((got - want).abs() < 1e-6);
    }
    // Squared norms: 25 informative of 30 on the bits.
    assert!((r.informative_share - 25.0 / 30.0).abs() < 1e-12);
    // Counting only the first digit as informative: still 25 of 30.
    assert!((parity_readout(w1.view(), 1).unwrap().informative_share - 25.0 / 30.0).abs() < 1e-12);
    // Counting three: 30 of 30.
    assert_eq!(parity_readout(w1.view(), 3).unwrap().informative_share, 1.0);
}

#[test]
fn generalized_memorizing_and_empty_first_layers() {
    // 30 bits + bias, 8 hidden units; informative digits 0..3.
    let generalized = Array2::from_shape_fn((31, 8), |(i, j)| {
        if i < 3 || i == 30 {
            (i + j) as f32 * 0.1 + 0.5
        } else {
            0.0
        }
    });
    assert_eq!(
        parity_readout(generalized.view(), 3)
            .unwrap()
            .informative_share,
        1.0
    );
    // Every digit equally weighted: the share is 3/30.
    let uniform = Array2::from_elem((31, 8), 0.7f32);
    let share = parity_readout(uniform.view(), 3).unwrap().informative_share;
    assert!((share - 0.1).abs() < 1e-9, "{share}");
    // Only the bias row is non-zero: nothing on the bits, share 0.
    let mut bias_only = Array2::<f32>::zeros((31, 8));
    bias_only.row_mut(30).fill(1.0);
    assert_eq!(
        parity_readout(bias_only.view(), 3)
            .unwrap()
            .informative_share,
        0.0
    );
}

#[test]
fn rejects_bad_layouts() {
    let w1 = Array2::<f32>::ones((5, 2));
    assert!(matches!(
        parity_readout(w1.view(), 0),
        Err(AnalysisError::OutOfRange(_))
    ));
    assert!(matches!(
        parity_readout(w1.view(), 5),
        Err(AnalysisError::OutOfRange(_))
    ));
    assert!(parity_readout(w1.view(), 4).is_ok());
    let one_row = Array2::<f32>::ones((1, 2));
    assert!(matches!(
        parity_readout(one_row.view(), 1),
        Err(AnalysisError::Shape(_))
    ));
    let no_hidden = Array2::<f32>::ones((5, 0));
    assert!(matches!(
        parity_readout(no_hidden.view(), 1),
        Err(AnalysisError::NoNeurons(0))
    ));
}
