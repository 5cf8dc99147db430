"""The terminal kinds of scripts/battery-more: grokscope on a pseudo-terminal (`script`),
the dashboard keeping --out killed or signalled, restarts beside DIR, signals to the tour, a
replay, the gallery and `sweep --watch`. A mixin of scripts/battery-more's battery."""

import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
import zipfile

ENTER_ALT, LEAVE_ALT = b"\x1b[?1049h", b"\x1b[?1049l"
SHOW, HIDE = b"\x1b[?25h", b"\x1b[?25l"
MOUSE_ON, MOUSE_OFF = b"\x1b[?1000h", b"\x1b[?1000l"
MARK = b"battery-more-end"
DASH = ["--preset", "five-neurons", "--fps", "5", "--threads", "1"]


def children(pid):
    """Pids whose parent is pid."""
    out = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            stat = open(f"/proc/{p}/stat").read()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            out.append(int(p))
    return out


class Pty:
    """grokscope on a pseudo-terminal made by `script`, inside a shell that notes `stty -g`
    before and after and prints grokscope's status."""

    def __init__(self, binary, args, cwd, rows=32, cols=110):
        q = lambda s: "'" + s.replace("'", "'\\''") + "'"
        self.binary = os.path.realpath(binary)
        cmd = (f"ulimit -c 0; stty rows {rows} cols {cols}; before=$(stty -g); "
               f"{q(binary)} {' '.join(q(a) for a in args)}; code=$?; "
               f"if [ \"$(stty -g)\" = \"$before\" ]; then t=same; else t=changed; fi; "
               f"printf '\\n{MARK.decode()} exit=%s tty=%s\\n' \"$code\" \"$t\"")
        self.p = subprocess.Popen(["script", "-q", "-f", "-e", "-c", cmd, "/dev/null"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, cwd=cwd,
                                  env=dict(os.environ, SHELL="/bin/sh", TERM="xterm-256color"))
        self.out = bytearray()
        self.lock = threading.Lock()
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()
        self.gpid = None

    def _read(self):
        while True:
            b = self.p.stdout.read1(65536)
            if not b:
                return
            with self.lock:
                self.out += b

    def output(self):
        with self.lock:
            return bytes(self.out)

    def wait_for(self, pred, timeout):
        end = time.time() + timeout
        while time.time() < end:
            if pred(self.output()):
                return True
            if MARK in self.output():
                return pred(self.output())
            time.sleep(0.05)
        return False

    def grokscope(self):
        """The grokscope process among script's descendants."""
        if self.gpid:
            return self.gpid
        todo = [self.p.pid]
        while todo:
            pid = todo.pop()
            for c in children(pid):
                try:
                    exe = os.readlink(f"/proc/{c}/exe")
                except OSError:
                    exe = ""
                if exe == self.binary:
                    self.gpid = c
                    return c
                todo.append(c)
        return None

    def drawn(self, timeout=30):
        return self.wait_for(lambda o: ENTER_ALT in o and o.count(b"\x1b[") > 50, timeout)

    def keys(self, b):
        self.p.stdin.write(b)
        self.p.stdin.flush()

    def signal(self, sig):
        pid = self.grokscope()
        if pid:
            os.kill(pid, sig)

    def finish(self, timeout=15):
        """The output once the wrapper's marker line arrived, or None (killed) if it hung."""
        ok = self.wait_for(lambda o: MARK in o and o.rstrip().endswith(b"tty=same") or
                           o.rstrip().endswith(b"tty=changed"), timeout)
        if not ok:
            self.kill()
            return None
        try:
            self.p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
        return self.output()

    def kill(self):
        pid = self.grokscope()
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            self.p.kill()
            self.p.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass


def restored(out, exit_ok=("0",)):
    """(verdict, why) for a pty session that must end with the terminal given back."""
    if out is None:
        return "hung", "no exit within the time limit"
    text = out.decode("utf-8", "replace")
    if "panicked" in text or "memory allocation" in text:
        return "aborted", text[-200:]
    m = re.search(rb"battery-more-end exit=(\d+) tty=(\w+)", out)
    if not m:
        return "hung", "no marker"
    code, tty = m.group(1).decode(), m.group(2).decode()
    enter, leave = out.rfind(ENTER_ALT), out.rfind(LEAVE_ALT)
    if enter >= 0 and leave < enter:
        return "wrong", f"alternate screen not left (exit {code})"
    if enter >= 0 and out.rfind(SHOW) < max(leave, out.rfind(HIDE)):
        return "wrong", f"cursor left hidden (exit {code})"
    on = out.rfind(MOUSE_ON)
    if on >= 0 and out.rfind(MOUSE_OFF) < on:
        return "wrong", f"mouse left captured (exit {code})"
    if tty != "same":
        return "wrong", f"terminal settings changed (exit {code})"
    if code not in exit_ok:
        return "wrong", f"status {code}"
    return "clean", f"restored, status {code}"


class TerminalCases:
    # -- dashboard --out ---------------------------------------------------------------------

    def dash_settings(self, d):
        """`run` flags that train what the dashboard's run.json in d says."""
        rj = json.load(open(os.path.join(d, "run.json")))
        return rj

    def dashboard(self, rounds=5):
        steps = 6000
        for i in range(rounds):
            seed = self.rng.randrange(50)
            d = self.fresh(f"dash{i}")
            pt = self.pty(["--out", d, *DASH, "--steps", str(steps), "--seed", str(seed)])
            if not pt.drawn():
                pt.kill()
                self.record("dashboard", f"seed {seed}: opens", "hung", pt.output()[-200:])
                continue
            delay = self.rng.uniform(0.1, 2.5)
            time.sleep(delay)
            pt.signal(signal.SIGKILL)
            pt.finish(10)
            pt.kill()
            name = f"seed {seed}, dashboard killed {delay:.2f} s after it drew"
            if not os.path.exists(os.path.join(d, "run.json")):
                self.record("dashboard", name + ": run.json", "wrong", "no run.json kept")
                continue
            rj = json.load(open(os.path.join(d, "run.json")))
            every, fe = rj.get("every"), rj.get("frame_every")
            # replay on a pty: draws, q ends it, terminal restored.
            rp = self.pty(["replay", d, "--fps", "5"])
            if rp.drawn(20):
                rp.keys(b"q")
                v, why = restored(rp.finish())
            else:
                out = rp.finish(10)
                v, why = restored(out, exit_ok=("2",)) if out else ("hung", "")
                if v == "clean":
                    why = "refused: " + out.decode("utf-8", "replace").strip()[-120:]
            self.record("dashboard", name + ": replay", v, why)
            # export: whole or refused, no temp file.
            npz = os.path.join(self.tmp, f"dash{i}.npz")
            s, _, e = self.run(["export", d, "--format", "npz", "--out", npz])
            if s == 0:
                try:
                    ok = zipfile.ZipFile(npz).testzip() is None
                except zipfile.BadZipFile:
                    ok = False
                self.record("dashboard", name + ": export", "clean" if ok else "wrong",
                            "a whole zip" if ok else "a torn zip")
            else:
                v, why = self.refusal(s, e)
                self.record("dashboard", name + ": export", v, why)
            # resume to the end: whole against `run` with the same settings.
            ref = self.reference(f"dashref-{seed}", steps,
                                 ["--preset", "five-neurons", "--seed", str(seed), "--every",
                                  str(every), "--frame-every", str(fe), "--threads", "1"])
            s, _, e = self.run(["run", "--resume", d, "--out", d, "--steps", str(steps)],
                               timeout=300)
            self.whole("dashboard", name + ": resumed", d, ref, s, e)
        self.dashboard_restarts()
        self.dashboard_signals()

    def dashboard_restarts(self):
        # A restart goes beside: DIR-2, or DIR-3 when DIR-2 already holds another file.
        d = self.fresh("restart")
        d2, d3 = d + "-2", d + "-3"
        for x in (d2, d3):
            shutil.rmtree(x, ignore_errors=True)
        os.mkdir(d2)
        open(os.path.join(d2, "notes.txt"), "w").write("mine\n")
        pt = self.pty(["--out", d, *DASH, "--steps", "4000"])
        pt.drawn()
        time.sleep(1.0)
        before = open(os.path.join(d, "run.json"), "rb").read() if os.path.exists(
            os.path.join(d, "run.json")) else None
        pt.keys(b"r")
        time.sleep(2.0)
        pt.keys(b"r")
        time.sleep(2.0)
        pt.keys(b"q")
        v, why = restored(pt.finish())
        self.record("dashboard", "two restarts: terminal", v, why)
        mine = sorted(os.listdir(d2)) == ["notes.txt"]
        self.record("dashboard", "restart beside a DIR-2 holding a file",
                    "clean" if mine else "wrong", f"DIR-2 holds {sorted(os.listdir(d2))}")
        after = open(os.path.join(d, "run.json"), "rb").read() if before else None
        runs = [x for x in (d3, d + "-4") if os.path.exists(os.path.join(x, "run.json"))]
        ok = before is not None and before == after and len(runs) == 2
        self.record("dashboard", "restarts kept beside, DIR untouched", "clean" if ok else "wrong",
                    f"kept {[os.path.basename(r) for r in runs]}")
        for r in [d] + runs:
            s, _, e = self.run(["run", "--resume", r, "--out", r, "--steps", "4200"], timeout=300)
            self.one_of("dashboard", f"resume {os.path.basename(r)} after q", s, e, why0="resumed")

    def dashboard_signals(self):
        # A dashboard keeping --out, ended by a signal: terminal back, DIR resumes whole.
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1):
            d = self.fresh(f"dsig{sig.name}")
            pt = self.pty(["--out", d, *DASH, "--steps", "5000", "--seed", "3"])
            pt.drawn()
            time.sleep(self.rng.uniform(0.3, 1.5))
            pt.signal(sig)
            v, why = restored(pt.finish())
            self.record("dashboard", f"--out dashboard, {sig.name}: terminal", v, why)
            if not os.path.exists(os.path.join(d, "run.json")):
                self.record("dashboard", f"--out dashboard, {sig.name}: kept", "wrong", "nothing")
                continue
            rj = json.load(open(os.path.join(d, "run.json")))
            ref = self.reference("dsigref", 5000,
                                 ["--preset", "five-neurons", "--seed", "3", "--every",
                                  str(rj["every"]), "--frame-every", str(rj["frame_every"])])
            s, _, e = self.run(["run", "--resume", d, "--out", d, "--steps", "5000"], timeout=300)
            self.whole("dashboard", f"--out dashboard, {sig.name}: resumed", d, ref, s, e)

    # -- signals on the other full-screen commands -------------------------------------------

    def signals(self):
        kept = self.kept("sig-kept", 2000)
        progs = {
            "tour": ["tour", "--fps", "5", "--threads", "1"],
            "replay": ["replay", kept, "--fps", "5"],
            "sweep --watch": ["sweep", "--grid", "parity-quick", "--watch", "--jobs", "1"],
            "gallery": ["--view", "gallery", "--fps", "5", "--threads", "1"],
        }
        sigs = [signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGUSR1,
                signal.SIGUSR2, signal.SIGPIPE]
        for name, args in progs.items():
            for sig in sigs:
                pt = self.pty(args)
                if not pt.drawn():
                    pt.kill()
                    self.record("signals", f"{name} {sig.name}", "hung", "never drew")
                    continue
                if self.rng.random() < 0.5:
                    pt.keys(bytes(self.rng.choice(b"npjkl?tvm \t") for _ in range(20)))
                time.sleep(self.rng.uniform(0.2, 1.0))
                pt.signal(sig)
                v, why = restored(pt.finish())
                self.record("signals", f"{name} {sig.name}", v, why)
        self.follow()

    def follow(self):
        """A replay that follows a run while it is written, killed and resumed."""
        for i in range(3):
            d = self.fresh(f"follow{i}")
            w = subprocess.Popen([self.bin, "run", *self.SMALL, "--steps", "30000",
                                  "--checkpoint-every", "500", "--out", d],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 cwd=self.tmp)
            time.sleep(0.3)
            rp = self.pty(["replay", d, "--fps", "10"])
            rp.drawn()
            time.sleep(self.rng.uniform(0.3, 1.5))
            w.kill()
            w.wait()
            time.sleep(0.3)
            w = subprocess.Popen([self.bin, "run", "--resume", d, "--out", d, "--steps", "40000"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 cwd=self.tmp)
            rp.keys(b"lll")
            time.sleep(self.rng.uniform(0.5, 2.0))
            rp.keys(b"q")
            v, why = restored(rp.finish())
            self.record("signals", f"replay following a run killed and resumed #{i}", v, why)
            w.kill()
            w.wait()
