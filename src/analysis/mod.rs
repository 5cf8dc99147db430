//! Read-outs of trained weights: Fourier spectrum, progress measures, the hand-built circle.
