"""The file kinds of scripts/battery-more: sealed (forged safetensors checkpoints), export
(killed mid-write, pointed at the wrong places), shards and reports, control characters in
paths and grid names. A mixin of scripts/battery-more's battery."""

import json
import os
import shutil
import subprocess
import time
import zipfile


class FileCases:
    # -- safetensors forged ------------------------------------------------------------------

    @staticmethod
    def split(p):
        b = open(p, "rb").read()
        n = int.from_bytes(b[:8], "little")
        return b, n, json.loads(b[8:8 + n]), b[8 + n:]

    def reseal(self, p, h, data):
        """Write header h and data to p with the checksum redone over them."""
        meta = dict(h.get("__metadata__", {}))
        meta.pop("checksum", None)
        order = sorted((k for k in h if k != "__metadata__"),
                       key=lambda k: h[k]["data_offsets"][0])
        summed = json.dumps(meta, sort_keys=True, separators=(",", ":")).encode()
        for k in order:
            a, z = h[k]["data_offsets"]
            summed += k.encode() + data[a:z]
        meta["checksum"] = "%016x" % self.fnv1a(summed)
        h = dict(h)
        h["__metadata__"] = meta
        j = json.dumps(h, separators=(",", ":")).encode()
        j += b" " * (-len(j) % 8)
        open(p, "wb").write(len(j).to_bytes(8, "little") + j + data)

    def sealed(self):
        base = self.kept("base-sealed", 600)
        ck = "checkpoint.safetensors"
        raw, n, head, data = self.split(os.path.join(base, ck))
        names = sorted((k for k in head if k != "__metadata__"),
                       key=lambda k: head[k]["data_offsets"][0])
        first, last = names[0], names[-1]

        def bytes_case(f):
            return ("bytes", f)

        def head_case(f):
            return ("head", f)

        def t(k, **kw):
            def edit(h, d):
                h[k].update(kw)
                return h, d
            return edit

        def swap_shape(h, d):
            k = next(k for k in names if len(h[k]["shape"]) == 2 and
                     h[k]["shape"][0] != h[k]["shape"][1])
            h[k]["shape"] = list(reversed(h[k]["shape"]))
            return h, d

        def add(h, d):
            h["extra"] = {"dtype": "F32", "shape": [2], "data_offsets": [len(d), len(d) + 8]}
            return h, d + b"\0" * 8

        def drop(h, d):
            h.pop(last)
            return h, d

        def overlap(h, d):
            a, z = h[first]["data_offsets"]
            h[names[1]]["data_offsets"] = [a, a + (h[names[1]]["data_offsets"][1] -
                                                   h[names[1]]["data_offsets"][0])]
            return h, d

        def meta(**kw):
            def edit(h, d):
                h["__metadata__"].update({k: str(v) for k, v in kw.items()})
                return h, d
            return edit

        def config(key, value):
            def edit(h, d):
                c = json.loads(h["__metadata__"]["config"])
                c[key] = value
                h["__metadata__"]["config"] = json.dumps(c, separators=(",", ":"))
                return h, d
            return edit

        def nan(h, d):
            a, _ = h[first]["data_offsets"]
            return h, d[:a] + b"\x00\x00\xc0\x7f" + d[a + 4:]

        lenb = lambda v: raw[:0] + v.to_bytes(8, "little") + raw[8:]
        cases = {
            "header length 0": bytes_case(lambda: lenb(0)),
            "header length 2^63": bytes_case(lambda: lenb(1 << 63)),
            "header length 2^64-1": bytes_case(lambda: lenb((1 << 64) - 1)),
            "header length past the end": bytes_case(lambda: lenb(len(raw))),
            "header length one short": bytes_case(lambda: lenb(n - 1)),
            "header length 8 more": bytes_case(lambda: lenb(n + 8)),
            "only the length": bytes_case(lambda: raw[:8]),
            "7 bytes": bytes_case(lambda: raw[:7]),
            "empty file": bytes_case(lambda: b""),
            "header a JSON array": bytes_case(
                lambda: len(b"[1,2,3]  ").to_bytes(8, "little") + b"[1,2,3]  " + data),
            "trailing bytes": bytes_case(lambda: raw + b"\0" * 64),
            "tensor data cut by 4": bytes_case(lambda: raw[:-4]),
            "offsets past the end": head_case(t(last, data_offsets=[len(data) - 4, len(data) + 4])),
            "offsets reversed": head_case(t(first, data_offsets=list(
                reversed(head[first]["data_offsets"])))),
            "offsets overlapping": head_case(overlap),
            "shape transposed": head_case(swap_shape),
            "shape with a zero": head_case(t(first, shape=[0])),
            "shape negative": head_case(t(first, shape=[-1, 4])),
            "dtype I32": head_case(t(first, dtype="I32")),
            "dtype F64": head_case(t(first, dtype="F64")),
            "dtype unknown": head_case(t(first, dtype="Q7")),
            "a tensor added": head_case(add),
            "a tensor dropped": head_case(drop),
            "step -5": head_case(meta(step=-5)),
            "step 1e3": head_case(meta(step="1e3")),
            "step 0600": head_case(meta(step="0600")),
            "config lr differs from run.json": head_case(config("lr", 0.5)),
            "config preset differs": head_case(config("preset", "parity")),
            "config not JSON": head_case(meta(config="{")),
            "a NaN weight": head_case(nan),
        }
        for name, (how, f) in cases.items():
            d = self.fresh("sealed")
            shutil.copytree(base, d)
            p = os.path.join(d, ck)
            if how == "bytes":
                open(p, "wb").write(f())
            else:
                h, dd = f(json.loads(json.dumps(head)), data)
                self.reseal(p, h, dd)
            alone = self.path("alone.safetensors")
            shutil.copy(p, alone)
            o = self.fresh("sealed-out")
            for cmd in (["run", "--resume", d, "--out", d, "--steps", "800"],
                        ["run", "--resume", alone, "--out", o, "--steps", "800"],
                        ["export", d, "--format", "safetensors", "--out", self.path("s.st")]):
                s, _, e = self.run(cmd, timeout=30)
                what = {"run": "resume " + ("FILE" if cmd[2] == alone else "DIR"),
                        "export": "export"}[cmd[0]]
                if name == "a NaN weight" and (s == 0 or s == 1 and len(e.splitlines()) == 1):
                    # Edited consistently, checksum and all: taken for what it says (README);
                    # a resume then stops, in one line, where the loss is NaN.
                    self.record("sealed", f"{what}: {name}", "clean", "taken (consistent edit)")
                    continue
                if name == "step 0600" and s == 0:
                    self.record("sealed", f"{what}: {name}", "clean", "read as step 600")
                    continue
                v, why = self.refusal(s, e)
                self.record("sealed", f"{what}: {name}", v, why)

    # -- export ------------------------------------------------------------------------------

    def exp_base(self):
        """A mod-add run with 30 frames: an export of some megabytes, long enough to kill."""
        return self.reference("exp-base", 200, ["--preset", "mod-add", "--hidden", "400",
                                                "--every", "10", "--frame-every", "10"])

    def export(self, kills=8):
        d = self.exp_base()
        ref = self.path("exp-ref.npz")
        s, _, e = self.run(["export", d, "--format", "npz", "--out", ref])
        assert s == 0, e
        outdir = self.fresh("exp-out")
        os.mkdir(outdir)
        target = os.path.join(outdir, "w.npz")
        for i in range(kills):
            delay = self.rng.uniform(0.005, 0.08)
            p = subprocess.Popen([self.bin, "export", d, "--format", "npz", "--out", target],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 cwd=self.tmp)
            time.sleep(delay)
            p.kill()
            p.wait()
            torn = os.path.exists(target) and self.digest(target) != self.digest(ref)
            self.record("export", f"killed after {delay:.3f} s: what is at --out",
                        "wrong" if torn else "clean", "torn" if torn else "whole or absent")
            s, _, e = self.run(["export", d, "--format", "npz", "--out", target])
            left = self.leftovers(outdir)
            same = s == 0 and self.digest(target) == self.digest(ref)
            v = "clean" if same and not left else ("lost" if left else "wrong")
            self.record("export", f"killed after {delay:.3f} s, run again", v,
                        f"status {s}, left {left}" if v != "clean" else "whole, nothing left")
        # --out places that are not a file to write.
        ro = self.path("exp-ro")
        for name, out in [("a missing folder", self.path("no-such", "w.npz")),
                          ("a directory", outdir),
                          ("the run's own checkpoint", os.path.join(d, "checkpoint.safetensors")),
                          ("the run's own frames", os.path.join(d, "frames.bin")),
                          ("the run's own run.json", os.path.join(d, "run.json")),
                          ("/dev/full", "/dev/full"),
                          ("empty", "")]:
            keep = {f: self.digest(os.path.join(d, f)) for f in os.listdir(d)
                    if os.path.isfile(os.path.join(d, f))}
            s, _, e = self.run(["export", d, "--format", "safetensors", "--out", out])
            after = {f: self.digest(os.path.join(d, f)) for f in keep
                     if os.path.isfile(os.path.join(d, f))}
            if after != keep:
                self.record("export", f"--out {name}", "lost", "a kept file was replaced")
                d = self.exp_base()
                continue
            self.one_of("export", f"--out {name}", s, e, ok_if_zero=False)
            if name.startswith("the run's own"):
                s, _, e = self.run(["sweep", "--grid", "parity-quick", "--out", out])
                after = {f: self.digest(os.path.join(d, f)) for f in keep
                         if os.path.isfile(os.path.join(d, f))}
                if after != keep:
                    self.record("export", f"sweep --out {name}", "lost", "a kept file changed")
                    d = self.exp_base()
                else:
                    self.one_of("export", f"sweep --out {name}", s, e, ok_if_zero=False)
        # Export of a run while it is written: whole or refused, never a mix.
        live = self.fresh("exp-live")
        p = subprocess.Popen([self.bin, "run", *self.SMALL, "--steps", "20000",
                              "--checkpoint-every", "300", "--out", live],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.tmp)
        for i in range(6):
            time.sleep(self.rng.uniform(0.2, 0.6))
            out = self.path(f"live{i}.npz")
            s, _, e = self.run(["export", live, "--format", "npz", "--out", out])
            if s == 0:
                try:
                    z = zipfile.ZipFile(out)
                    ok = z.testzip() is None
                except zipfile.BadZipFile:
                    ok = False
                self.record("export", f"export of a live run #{i}", "clean" if ok else "wrong",
                            "a whole zip" if ok else "torn")
            else:
                v, why = self.refusal(s, e)
                self.record("export", f"export of a live run #{i}", v, why)
        p.kill()
        p.wait()

    # -- shards and reports ------------------------------------------------------------------

    def shards(self):
        grid = self.path("shard-grid.json")
        json.dump({"name": "shards", "preset": "parity", "every": 10,
                   "base": {"steps": 150, "hidden": 8, "n_train": 100, "n_test": 100},
                   "axes": [["seed", [0, 1, 2, 3, 4, 5]]]}, open(grid, "w"))
        files = {}
        for name, extra in [("whole", []), ("a", ["--shard", "0/2"]), ("b", ["--shard", "1/2"])]:
            f = self.path(f"shard-{name}.jsonl")
            if os.path.exists(f):
                os.remove(f)
            s, _, e = self.run(["sweep", "--grid-file", grid, "--out", f, "--jobs", "1", *extra])
            assert s == 0, e
            files[name] = f
        s, want, e = self.run(["sweep", "report", files["whole"]])
        assert s == 0, e
        A, Bf = files["a"], files["b"]

        def damaged(src, how):
            data = open(src, "rb").read()
            out = self.path(f"dmg-{how}.jsonl")
            if how == "cut":
                data = data[:len(data) - 17]
            elif how == "flip":
                at = self.rng.randrange(len(data))
                data = data[:at] + bytes([data[at] ^ 0x20]) + data[at + 1:]
            elif how == "empty":
                data = b""
            elif how == "blank":
                data = b"\n" * 1000
            elif how == "crlf":
                data = data.replace(b"\n", b"\r\n")
            elif how == "nul":
                data = data + b"\0" * 100
            elif how == "dup":
                data = data + data
            elif how == "binary":
                data = bytes(self.rng.randrange(256) for _ in range(4096))
            open(out, "wb").write(data)
            return out

        cases = [
            ("a b", [A, Bf], "same"),
            ("b a", [Bf, A], "same"),
            ("a b b (a file twice)", [A, Bf, Bf], "same"),
            ("a b, b's lines twice", [A, damaged(Bf, "dup")], "same"),
            ("a, b cut mid-line", [A, damaged(Bf, "cut")], "refused-or-note"),
            ("a, b with a flipped byte", [A, damaged(Bf, "flip")], "refused-or-note"),
            ("a b, empty file", [A, Bf, damaged(Bf, "empty")], "same"),
            ("a b, blank lines", [A, Bf, damaged(Bf, "blank")], "same"),
            ("a b as CRLF", [A, damaged(Bf, "crlf")], "same-or-refused"),
            ("a b, NULs after", [A, damaged(Bf, "nul")], "refused-or-note"),
            ("a, random bytes", [A, damaged(Bf, "binary")], "refused"),
            ("a, a grid file", [A, grid], "refused"),
            ("a, a directory", [A, self.tmp], "refused"),
            ("a, a missing file", [A, self.path("nope.jsonl")], "refused"),
        ]
        for name, fs, expect in cases:
            s, out, e = self.run(["sweep", "report", *fs])
            text = e.decode("utf-8", "replace").strip()
            if s == 0 and out == want:
                v, why = ("clean", "the whole sweep's report") if expect != "refused" else (
                    "wrong", "accepted")
                if expect == "refused-or-note" and not text:
                    v, why = "wrong", "the damage passed without a word"
            elif s == 0:
                v, why = "wrong", "a report that differs from the whole sweep's"
                if expect == "refused-or-note" and text:
                    v, why = "clean", "noted: " + text[:100]
            else:
                v, why = self.refusal(s, e)
            self.record("shards", f"report {name}", v, why)
        for bad in ["2/2", "0/0", "3/2", "-1/2", "1/x", "1/2/3", "/", "0/-1", "1", "01/2",
                    "0/18446744073709551616"]:
            s, _, e = self.run(["sweep", "--grid-file", grid, "--shard", bad, "--out",
                                self.path("x.jsonl")])
            if bad == "01/2" and s == 0:
                self.record("shards", f"--shard {bad}", "clean", "read as 1/2")
                continue
            v, why = self.refusal(s, e)
            self.record("shards", f"--shard {bad!r}", v, why)
        slurm_envs = [{}, {"SLURM_ARRAY_TASK_ID": "abc"},
                      {"SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "1",
                       "SLURM_ARRAY_TASK_COUNT": "2"},
                      {"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_MIN": "1",
                       "SLURM_ARRAY_TASK_COUNT": "0"},
                      {"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_MIN": "1",
                       "SLURM_ARRAY_TASK_COUNT": "2"},
                      {"SLURM_ARRAY_TASK_ID": "-1", "SLURM_ARRAY_TASK_MIN": "-1",
                       "SLURM_ARRAY_TASK_COUNT": "2"}]
        for env in slurm_envs:
            full = {k: v for k, v in os.environ.items() if not k.startswith("SLURM")}
            full.update(env)
            p = subprocess.run([self.bin, "sweep", "--grid-file", grid, "--shard", "slurm",
                                "--out", self.path("x.jsonl")], env=full, cwd=self.tmp,
                               capture_output=True, timeout=60)
            v, why = self.refusal(p.returncode, p.stderr)
            self.record("shards", f"--shard slurm with {env}", v, why)
        for n in ["0", "-1", "x", "100000000"]:
            s, _, e = self.run(["sweep", "--grid-file", grid, "--slurm", n, "--out",
                                self.fresh("jobdir")])
            if n == "100000000" and s == 0:
                self.record("shards", f"--slurm {n}", "clean", "accepted")
                continue
            v, why = self.refusal(s, e)
            self.record("shards", f"--slurm {n}", v, why)
        f = self.path("plainfile")
        open(f, "w").write("x\n")
        s, _, e = self.run(["sweep", "--grid-file", grid, "--slurm", "2", "--out", f])
        v, why = self.refusal(s, e)
        self.record("shards", "--slurm into a file", v, why)
        s, _, e = self.run(["sweep", "--grid-file", grid, "--slurm", "2", "--shard", "0/2",
                            "--out", self.fresh("jobdir")])
        v, why = self.refusal(s, e)
        self.record("shards", "--slurm with --shard", v, why)
        # A job's tasks run by hand (as sbatch would), one twice, then merged.
        job = self.fresh("job")
        s, _, e = self.run(["sweep", "--grid-file", grid, "--slurm", "3", "--out", job])
        assert s == 0, e
        for task in (1, 2, 3, 2):
            env = {k: v for k, v in os.environ.items() if not k.startswith("SLURM")}
            env.update(SLURM_ARRAY_TASK_ID=str(task), SLURM_ARRAY_TASK_MIN="1",
                       SLURM_ARRAY_TASK_COUNT="3")
            script = open(os.path.join(job, "sweep.sbatch")).read()
            p = subprocess.run(["bash", "-c", script], env=env, cwd=self.tmp,
                               capture_output=True, timeout=120)
            if p.returncode != 0:
                self.record("shards", f"slurm task {task} by hand", "wrong",
                            p.stderr.decode()[:120])
        shards = sorted(os.path.join(job, x) for x in os.listdir(job) if x.startswith("shard-"))
        s, out, e = self.run(["sweep", "report", *shards])
        ok = s == 0 and out == want
        self.record("shards", "a --slurm job's shards merged (one task run twice)",
                    "clean" if ok else "wrong", f"status {s}, {len(shards)} shards")
        self.reports(files, grid)

    def reports(self, files, grid):
        """`sweep report --against article` on damaged and foreign records."""
        A = files["whole"]
        recs = [json.loads(l) for l in open(A) if l.strip()]

        def write(name, lines):
            p = self.path(name)
            open(p, "w").write("".join(l + "\n" for l in lines))
            return p

        def edited(name, f):
            out = []
            for r in recs:
                r = json.loads(json.dumps(r))
                f(r)
                out.append(json.dumps(r))
            return write(name, out)

        num = next(k for k, v in recs[0].items() if isinstance(v, (int, float)) and k != "run")
        cases = [
            ("parity records of another grid", A, "either"),
            ("records with a number NaN", edited("nan.jsonl", lambda r: r.update(
                {num: float("nan")})), "refused"),
            ("records with a number 1e308", edited("big.jsonl", lambda r: r.update(
                {num: 1e308})), "either"),
            ("records with a negative run", edited("neg.jsonl", lambda r: r.update(run=-1)),
             "refused"),
            ("records without settings", edited("noset.jsonl", lambda r: r.pop("settings")),
             "refused"),
            ("records with an unknown preset", edited("preset.jsonl", lambda r: r["settings"]
                                                      .update(preset="\x1b]0;x\x07")), "either"),
            ("records with grid named by escapes", edited("gname.jsonl", lambda r: r.update(
                grid="\x1b[2J\x1b]0;owned\x07")), "either"),
            ("a 2 MB line", write("long.jsonl", ["{\"a\": \"" + "x" * 2_000_000 + "\"}"]),
             "refused"),
            ("an empty file", write("empty.jsonl", []), "refused"),
            ("a metrics file", None, "refused"),
        ]
        base = self.kept("rep-run", 300)
        for name, path, expect in cases:
            path = path or os.path.join(base, "metrics.jsonl")
            for against in ([], ["--against", "article"]):
                s, out, e = self.run(["sweep", "report", *against, path], timeout=30)
                label = f"report {' '.join(against)} {name}".replace("  ", " ")
                raw = b"\x1b]" in out or b"\x1b[2J" in out or b"\x07" in out or \
                    b"\x1b" in e
                if raw:
                    self.record("report", label, "wrong", "a raw control character printed")
                elif s == 0:
                    self.record("report", label, "clean" if expect == "either" else "wrong",
                                "reported" if expect == "either" else "accepted")
                else:
                    v, why = self.refusal(s, e)
                    self.record("report", label, v, why)

    # -- control characters in other places --------------------------------------------------

    def paths(self):
        kept = self.kept("path-kept", 300)
        bad = ["x\x1b]0;owned\x07", "n\nl", "c\x1b[2J", "r\rr", "t\tt"]
        for b in bad:
            miss = self.path(b, "f")
            cmds = [
                ["export", kept, "--format", "npz", "--out", miss],
                ["sweep", "--grid", "parity-quick", "--out", miss],
                ["--view", "gallery", "--sweep-file", miss],
                ["replay", kept, miss],
                ["run", "--resume", miss + ".safetensors", "--out", self.path("o")],
                ["run", *self.SMALL, "--steps", "100", "--out", self.path(b, "x", "y")],
            ]
            for cmd in cmds:
                s, out, e = self.run(cmd, timeout=30)
                if b"\x1b]0" in out or b"\x1b[2J" in out:
                    self.record("paths", f"{cmd[0]} {cmd[1]} {b!r}", "wrong", "raw on stdout")
                    continue
                if cmd[0] == "run" and s == 0:
                    # run --out makes the folders it names: fine, if nothing is printed raw.
                    raw = any(c in e for c in (b"\x1b", b"\x07", b"\r"))
                    self.record("paths", f"run --out {b!r}/x/y", "wrong" if raw else "clean",
                                "printed raw" if raw else "kept there, escaped")
                    continue
                v, why = self.refusal(s, e)
                if v == "clean" and b"\r" in e:
                    v, why = "wrong", "a raw carriage return"
                self.record("paths", f"{cmd[0]} {cmd[1]} {b!r}", v, why)
        # Names inside a grid file: its name, preset, a setting's name.
        for field in ("name", "preset", "setting"):
            for b in bad[:3]:
                g = {"name": "g", "preset": "parity", "every": 10,
                     "base": {"steps": 50, "hidden": 8, "n_train": 50, "n_test": 50},
                     "axes": [["seed", [0]]]}
                if field == "name":
                    g["name"] = b
                elif field == "preset":
                    g["preset"] = b
                else:
                    g["base"][b] = 1
                p = self.path("ctl-grid.json")
                json.dump(g, open(p, "w"))
                o = self.path("ctl-out.jsonl")
                if os.path.exists(o):
                    os.remove(o)
                s, out, e = self.run(["sweep", "--grid-file", p, "--out", o], timeout=60)
                raw = any(x in out + e for x in (b"\x1b]0", b"\x1b[2J", b"\r"))
                if raw:
                    self.record("paths", f"grid {field} {b!r}", "wrong", "printed raw")
                elif s == 0:
                    s2, out2, e2 = self.run(["sweep", "report", o])
                    raw = any(x in out2 + e2 for x in (b"\x1b]0", b"\x1b[2J", b"\r"))
                    self.record("paths", f"grid {field} {b!r}", "wrong" if raw else "clean",
                                "report printed it raw" if raw else "ran, escaped")
                else:
                    v, why = self.refusal(s, e)
                    self.record("paths", f"grid {field} {b!r}", v, why)
