#!/usr/bin/env python3
"""Whether a five-neurons run's W_out turns twice as fast as its W_in (standard library only).

    grokscope run --preset five-neurons --seed 0 --out /tmp/fn0
    grokscope export --format npz /tmp/fn0
    python3 searches/five_angles.py /tmp/fn0/weights.npz

For each neuron i, θ_i is the angle of in_proj's column i and φ_i that of out_proj's row i.
Prints, for a speed m of 1 and 2, the resultant length R of φ_i − m·θ_i over the neurons
(1: one common offset) and each neuron's residual from that offset in degrees.
Measured (seeds 0, 1, 3, which reach 99 % test accuracy): m = 2 fits with R 0.998-0.999 and
residuals within 6 degrees, m = 1 does not (R <= 0.02); seed 2, which does not generalize: R 0.30.
"""
import ast
import math
import struct
import sys
import zipfile


def load(z, name):
    b = z.read(name)
    assert b[:6] == b"\x93NUMPY" and b[6] == 1, f"{name}: not a version-1 .npy"
    hl = struct.unpack("<H", b[8:10])[0]
    h = ast.literal_eval(b[10:10 + hl].decode())
    n = math.prod(h["shape"])
    fmt = {"<f4": "f", "<f8": "d"}[h["descr"]]
    return struct.unpack(f"<{n}{fmt}", b[10 + hl:10 + hl + n * struct.calcsize(fmt)])


def main(path):
    z = zipfile.ZipFile(path)
    wi, wo = load(z, "in_proj.npy"), load(z, "out_proj.npy")  # [2 x 5], [5 x 2]
    th = [math.atan2(wi[5 + i], wi[i]) for i in range(5)]
    ph = [math.atan2(wo[2 * i + 1], wo[2 * i]) for i in range(5)]
    for m in (1, 2):
        d = [ph[i] - m * th[i] for i in range(5)]
        c, s = sum(map(math.cos, d)) / 5, sum(map(math.sin, d)) / 5
        off = math.atan2(s, c)
        res = [round(math.degrees((x - off + math.pi) % math.tau - math.pi)) for x in d]
        print(f"m={m} R={math.hypot(c, s):.3f} residuals (degrees) {res}")


if __name__ == "__main__":
    main(sys.argv[1])
