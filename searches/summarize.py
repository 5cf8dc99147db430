#!/usr/bin/env python3
"""Turn sweep outputs (grokscope sweep --out FILE, JSON lines) into per-setting counts.

    python3 searches/summarize.py OUT.jsonl [MORE.jsonl ...] > searches/NAME.csv

One CSV row per setting (a run's settings but its seed; named by the grid's axes and any
setting that differs between the files' runs), the seeds merged:
  runs, seeds                  how many runs (and which seeds, as a range list)
  fail/memorize/generalize/grok  class counts (the article's thresholds, as sweep report)
  regrok, reverse_grok, train_loss_rise  runs whose curve shows it (sweep::Phenomenon rules)
  max_fall_fitted              the largest fall of test accuracy (points) from its peak while
                               train accuracy stays >= 99 %, the quantity the regrok rule asks
                               to be >= 20 after a peak >= 90 % (largest over the seeds)
  max_fall_any                 the same fall from any peak (largest over the seeds)
  fall10                       runs with such a fall >= 10 points after a peak >= 90 %
  median_peak_acc              median over the seeds of the highest test accuracy logged (%)
  acc90, acc99                 runs reaching 90 %, 99 % test accuracy
  loss1e3_n, loss1e3_q1/med/q3 runs whose test loss drops below 1e-3, and the quartiles of
                               the first such step, read every 1,000 steps as the article
                               logged its gallery (losses are CE / P)
  keyfreq_counts               how many runs end with 1, 2, 3, ... key frequencies ("n:runs")
A run (its full settings) recorded twice counts once, by its later record.
Nothing but the standard library; no curves are written.
"""

import csv
import json
import statistics
import sys
from collections import defaultdict


def fall_fitted(curve):
    """Largest test-accuracy fall from a peak >= 0.9 with train accuracy >= 0.99 since the
    peak (the regrok rule's fall, without its return), and the largest such fall from any
    peak, in accuracy points."""
    peak = float("-inf")
    best90 = 0.0
    best = 0.0
    for _, _, _, tr, te in curve:
        tr = tr if tr is not None else 0.0
        te = te if te is not None else 0.0
        if tr >= 0.99:
            peak = max(peak, te)
            best = max(best, peak - te)
            if peak >= 0.90:
                best90 = max(best90, peak - te)
        else:
            peak = te
    return 100 * best90, 100 * best


def first_below(curve, level):
    """The first step, among multiples of 1,000 (the article's logging), with test loss < level."""
    for step, _, te_loss, _, _ in curve:
        if step % 1000 == 0 and te_loss is not None and te_loss < level:
            return step
    return None


def quartiles(xs):
    if not xs:
        return ("", "", "")
    if len(xs) == 1:
        return (xs[0], xs[0], xs[0])
    q = statistics.quantiles(sorted(xs), n=4, method="inclusive")
    return (round(q[0]), round(statistics.median(xs)), round(q[2]))


def ranges(nums):
    nums = sorted(set(nums))
    out, start, prev = [], None, None
    for n in nums:
        if start is None:
            start = prev = n
        elif n == prev + 1:
            prev = n
        else:
            out.append(f"{start}-{prev}" if prev != start else f"{start}")
            start = prev = n
    if start is not None:
        out.append(f"{start}-{prev}" if prev != start else f"{start}")
    return " ".join(out)


def main(paths):
    latest = {}
    for path in paths:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                try:
                    r = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line torn by a kill
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
    keys = sorted({k for g in groups for k in json.loads(g)})
    cols = keys + [
        "runs", "seeds", "fail", "memorize", "generalize", "grok",
        "regrok", "reverse_grok", "train_loss_rise", "max_fall_fitted", "max_fall_any",
        "fall10", "median_peak_acc",
        "acc90", "acc99", "loss1e3_n", "loss1e3_q1", "loss1e3_med", "loss1e3_q3", "keyfreq_counts",
    ]
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(cols)
    for g in sorted(groups, key=lambda g: [json.loads(g).get(k) for k in keys]):
        runs = groups[g]
        point = json.loads(g)
        classes = defaultdict(int)
        shows = defaultdict(int)
        falls, falls_any, peaks, fall10, acc90, acc99, steps = [], [], [], 0, 0, 0, []
        kf = defaultdict(int)
        for r in runs:
            classes[r["class"]] += 1
            for s in r.get("shows", []):
                shows[s] += 1
            curve = r.get("curve", [])
            f90, fany = fall_fitted(curve)
            falls.append(f90)
            falls_any.append(fany)
            peaks.append(max((c[4] or 0.0 for c in curve), default=0.0))
            fall10 += f90 >= 10
            acc90 += r.get("test_acc_90") is not None
            acc99 += r.get("test_acc_99") is not None
            s = first_below(curve, 1e-3)
            if s is not None:
                steps.append(s)
            if r["settings"]["task"] == "modular" and "key_freqs" in r:
                kf[len(r["key_freqs"])] += 1
        q1, med, q3 = quartiles(steps)
        w.writerow([point.get(k, "") for k in keys] + [
            len(runs), ranges(r["point"].get("seed", r["settings"]["seed"]) for r in runs),
            classes["fail"], classes["memorize"], classes["generalize"], classes["grok"],
            shows["regrok"], shows["reverse-grok"], shows["train-loss-rise"],
            round(max(falls), 1), round(max(falls_any), 1), fall10,
            round(100 * statistics.median(peaks), 1), acc90, acc99,
            len(steps), q1, med, q3, " ".join(f"{n}:{kf[n]}" for n in sorted(kf)),
        ])


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: summarize.py SWEEP.jsonl [MORE.jsonl ...]")
    main(sys.argv[1:])
