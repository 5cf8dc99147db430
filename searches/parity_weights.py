#!/usr/bin/env python3
"""Where a parity run's first layer puts its weight (standard library only).

    grokscope run --preset parity --out /tmp/p && grokscope export --format npz /tmp/p
    python3 searches/parity_weights.py /tmp/p/weights.npz

Prints the norm of w1's row for each of the 3 digits that decide the parity, the largest and
median norm over the 27 distracting digits, and how many hidden neurons carry more than 10 %
of the largest neuron's weight on the 3 digits. Measured on the presets' own runs (parity seed 1,
parity-l2 seed 0, 8,000 steps):
parity (L1) 4.9 on each digit that matters, distractors at most 0.0014, 4 of 128 neurons in
use; parity-l2 8.99, distractors up to 0.48 (median 0.39), 63 of 128 neurons in use.
"""
import ast
import math
import struct
import sys
import zipfile


def load(z, name):
    b = z.read(name)
    hl = struct.unpack("<H", b[8:10])[0]
    h = ast.literal_eval(b[10:10 + hl].decode())
    n = math.prod(h["shape"])
    fmt = {"<f4": "f", "<f8": "d"}[h["descr"]]
    return h["shape"], struct.unpack(f"<{n}{fmt}", b[10 + hl:10 + hl + n * struct.calcsize(fmt)])


def main(path):
    (rows, cols), w = load(zipfile.ZipFile(path), "w1.npy")  # inputs (30 bits + bias) x hidden
    norm = [math.sqrt(sum(w[i * cols + j] ** 2 for j in range(cols))) for i in range(rows)]
    neuron = [math.sqrt(sum(w[i * cols + j] ** 2 for i in range(3))) for j in range(cols)]
    distract = sorted(norm[3:30])
    print(f"digits 0-2: {[round(x, 2) for x in norm[:3]]}; distractors max {distract[-1]:.3g}, "
          f"median {distract[13]:.3g}; neurons in use {sum(x > 0.1 * max(neuron) for x in neuron)} "
          f"of {cols}")


if __name__ == "__main__":
    main(sys.argv[1])
