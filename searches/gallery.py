#!/usr/bin/env python3
"""Set mod-add sweeps beside the article's seed gallery (data/, 450 runs), per setting.

    python3 searches/gallery.py OUT.jsonl [MORE.jsonl ...] > searches/NAME-vs-article.csv

The first row is the article's gallery itself, read from data/ (as `grokscope article` does),
then one row per setting of the sweeps (a run's settings but its seed, named by the axes
and any setting that differs between runs):
  runs                     runs of the setting
  grok_pct                 share of runs classed grok by the article's thresholds (%)
  loss1e3_pct              share whose test loss (CE / P) drops below 1e-3 (%)
  loss1e3_q1/med/q3        quartiles of the first such step, read every 1,000 steps as the
                           article logged (runs that never get there left out)
  tr1k, tr2k               median train loss at steps 1,000 and 2,000
  te1k, te5k, te10k, te20k median test loss at those steps: the memorizing phase's
                           fingerprint, which the training-set size and the split set
  kf3_pct, kf4_pct         share ending with 3, 4 key frequencies (the article's by its own
                           neuron-grouping rule, the sweeps' by grokscope's 90 %-of-norm rule:
                           close in kind, not the same measurement; see data/README.md)
Standard library only.
"""

import csv
import json
import os
import statistics
import sys
from collections import defaultdict

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
STEPS = (1000, 2000, 5000, 10000, 20000)


def stats(curves, classes, nkeys):
    """One row of statistics from curves {step: (train, test)} per run."""
    n = len(curves)
    firsts = []
    for c in curves:
        below = [s for s in sorted(c) if s % 1000 == 0 and c[s][1] < 1e-3]
        if below:
            firsts.append(below[0])

    def med(step, i):
        xs = [c[step][i] for c in curves if step in c]
        return f"{statistics.median(xs):.3g}" if xs else ""

    if len(firsts) >= 2:
        q = statistics.quantiles(firsts, n=4, method="inclusive")
        qs = (round(q[0]), round(statistics.median(firsts)), round(q[2]))
    else:
        qs = tuple(firsts * 3) if firsts else ("", "", "")
    pct = lambda k: round(100 * k / n, 1)
    return [n, pct(sum(c == "grok" for c in classes)), pct(len(firsts)), *qs,
            med(1000, 0), med(2000, 0), med(1000, 1), med(5000, 1), med(10000, 1),
            med(20000, 1), pct(sum(k == 3 for k in nkeys)), pct(sum(k == 4 for k in nkeys))]


def article():
    curves = defaultdict(dict)
    with open(os.path.join(DATA, "data__allmetrics_mlp_modular_addition_sweep.csv")) as f:
        for r in csv.DictReader(f):
            step = int(float(r["step"])) * 1000
            curves[r["modelIndex"]][step] = (float(r["train_loss"]), float(r["eval_loss"]))
    classes, nkeys = [], []
    with open(os.path.join(DATA, "data__hypers_mlp_modular_addition_sweep.csv")) as f:
        for r in csv.DictReader(f):
            tr, te, ratio = float(r["minTrainLoss"]), float(r["minEvalLoss"]), float(r["maxRatio"])
            classes.append("fail" if tr > 1e-5 else "memorize" if te > 1e-5
                           else "generalize" if ratio < 5e4 else "grok")
            nkeys.append(len(r["freqs"].split()))
    return stats(list(curves.values()), classes, nkeys)


def main(paths):
    latest = {}
    for path in paths:
        with open(path) as f:
            for line in f:
                try:
                    r = json.loads(line)
                except json.JSONDecodeError:
                    continue
                latest[json.dumps(r["settings"], sort_keys=True)] = r
    groups = defaultdict(list)
    for r in latest.values():
        setting = {k: v for k, v in r["settings"].items() if k not in ("seed", "preset")}
        groups[json.dumps(setting, sort_keys=True)].append(r)
    # Name a setting by the values that differ between settings (all of a grid's axes but
    # the seed, even when files of several grids are merged).
    axes = {k for r in latest.values() for k in r["point"] if k != "seed"}
    varying = sorted(axes | {k for g in groups for k, v in json.loads(g).items()
                             if any(json.loads(h).get(k) != v for h in groups)})
    groups = {json.dumps({k: json.loads(g)[k] for k in varying}, sort_keys=True): rs
              for g, rs in groups.items()}
    cols = ["setting", "runs", "grok_pct", "loss1e3_pct", "loss1e3_q1", "loss1e3_med",
            "loss1e3_q3", "tr1k", "tr2k", "te1k", "te5k", "te10k", "te20k", "kf3_pct",
            "kf4_pct"]
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(cols)
    w.writerow(["article gallery"] + article())
    for g in sorted(groups):
        runs = groups[g]
        curves = [{p[0]: (p[1] if p[1] is not None else float("nan"),
                          p[2] if p[2] is not None else float("nan")) for p in r["curve"]}
                  for r in runs]
        point = json.loads(g)
        name = " ".join(f"{k}={v}" for k, v in sorted(point.items()))
        w.writerow([name] + stats(curves, [r["class"] for r in runs],
                                  [len(r.get("key_freqs", [])) for r in runs]))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: gallery.py SWEEP.jsonl [MORE.jsonl ...]")
    main(sys.argv[1:])
