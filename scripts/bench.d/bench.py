#!/usr/bin/env python3
"""The benchmark harness behind scripts/bench (standard library only).

Runs the same liveblog-load scenarios against liveblog and the reference
servers (the floor server, Nchan with two nginx workers, Node `ws`) in the
same run, alternating servers within each repetition, each run on a fresh
server process, and writes medians, ratios, raw values and a latency plot.

Loopback only; every process it starts it stops, by PID (process group of a
child it started itself). scripts/bench also takes --build (scripts/build
first) and runs scripts/setup, which installs nginx, libnginx-mod-nchan and
gnuplot-nox if missing.
Scenarios: scripts/bench --list (--quick --list for the quick sizes).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build"
SERVER_BIN = BUILD / "liveblog-server"
LOAD_BIN = BUILD / "liveblog-load"
FLOOR_BIN = BUILD / "liveblog-floor-reference"
NODE_REF = ROOT / "scripts" / "reference" / "ws-broadcast.mjs"
NCHAN_TEMPLATE = ROOT / "scripts" / "reference" / "nchan.conf.template"
NCHAN_MODULES = [Path("/usr/lib/nginx/modules/ngx_nchan_module.so"),
                 Path("/usr/share/nginx/modules/ngx_nchan_module.so")]

SERVERS = ["liveblog", "floor", "nchan", "node"]
SERVER_TITLES = {"liveblog": "liveblog", "floor": "floor (raw epoll)", "nchan": "Nchan (2 workers)", "node": "Node `ws`"}
PLOT_TITLES = {"liveblog": "liveblog", "floor": "floor", "nchan": "Nchan", "node": "Node ws"}
ENTRY_BYTES = 1024
LAT_SERIES = ["lat-1k", "lat-2k", "lat-5k", "fanout-10k"]  # fanout-10k is the 10k point (same rate)

STARTED: list[subprocess.Popen] = []  # every process this harness started (its own process group)
QUIET = False


def log(msg: str) -> None:
    if not QUIET:
        print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- scenarios

class Metric:
    def __init__(self, label, fn, unit="", better="lower", ratio=True, fmt=None):
        self.label, self.fn, self.unit, self.better, self.ratio = label, fn, unit, better, ratio
        self.fmt = fmt or fmt_num

    def value(self, run):
        try:
            v = self.fn(run)
        except (KeyError, TypeError, IndexError, ZeroDivisionError):
            return None
        return None if v is None else float(v)


def res(run):
    return run["result"]


def lat(p):
    return lambda r: res(r)["delivery"]["latency_us"][p] / 1000 if res(r)["delivery"]["latency_us"]["count"] else None


def comp(p):
    return lambda r: res(r)["delivery"]["completion_us"][p] / 1000 if res(r)["delivery"]["completion_us"]["count"] else None


def lost(r):
    return res(r)["delivery"]["lost"]


def server_cpu(r):
    return r["harness"].get("cpu_s")


def cpu_per_event_us(r):
    """Server CPU in the publish window over the events delivered: the figure that does not depend on how
    much of the 2 cores the load generator took."""
    cpu, d = r["harness"].get("cpu_s"), res(r).get("delivery") or {}
    return cpu * 1e6 / d["deliveries"] if cpu is not None and d.get("deliveries") else None


def wire_per_event(r):
    d = res(r).get("delivery") or {}
    return d["wire_bytes"] / d["deliveries"] if d.get("deliveries") and d.get("wire_bytes") else None


def loadgen_cpu(r):
    return res(r)["loadgen_cpu_s"]


def ramp_best(r):
    """Highest ramp step (posts/s) with p99 <= bound, no publish error and every delivery in."""
    j = res(r)
    ready = j["connect"]["ready"]
    best = None
    for s in j["ramp"]["steps"]:
        if not (s["within_bound"] and s["errors"] == 0 and s["deliveries"] >= s["posted"] * ready):
            break
        best = s
    return best


def ramp_rate(r):
    b = ramp_best(r)
    return b["rate"] if b else 0.0


def ramp_events(r):
    b = ramp_best(r)
    return b["achieved_rate"] * res(r)["connect"]["ready"] if b else 0.0


def ramp_p99(r):
    b = ramp_best(r)
    return b["latency_us"]["p99"] / 1000 if b else None


def kib_per_reader(r):
    h, ready = r["harness"], res(r)["connect"]["ready"]
    if h.get("own_connected_kib") is None or not ready:
        return None
    return (h["own_connected_kib"] - h["own_before_kib"]) / ready


def mib_connected(r):
    v = r["harness"].get("pss_connected_kib")
    return None if v is None else v / 1024


def fmt_num(v):
    if v is None:
        return "–"
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def fmt_int(v):
    return "–" if v is None else f"{v:,.0f}"


FANOUT_METRICS = [
    Metric("delivery p50", lat("p50"), "ms"),
    Metric("delivery p90", lat("p90"), "ms"),
    Metric("delivery p99", lat("p99"), "ms"),
    Metric("fan-out completion p50 (last reader has it)", comp("p50"), "ms"),
    Metric("fan-out completion p99", comp("p99"), "ms"),
    Metric("deliveries lost", lost, "", ratio=False, fmt=fmt_int),
    Metric("server CPU in the publish window", server_cpu, "s"),
    Metric("server CPU per delivered event", cpu_per_event_us, "µs"),
    Metric("load generator CPU (whole run)", loadgen_cpu, "s", ratio=False),
]
LAT_METRICS = [FANOUT_METRICS[i] for i in (0, 1, 2, 5)]
WIRE_METRICS = [Metric("bytes on the wire per delivered event", wire_per_event, "B"),
                Metric("server CPU per delivered event", cpu_per_event_us, "µs"),
                FANOUT_METRICS[2], FANOUT_METRICS[4], FANOUT_METRICS[5]]


def scenario_table(quick: bool) -> dict:
    """name -> definition. Full sizes follow the issue's target table; --quick shrinks them."""
    q = quick
    pub = ["--entry-bytes", str(ENTRY_BYTES)]
    settle = ["--settle-s", "0.5" if q else "1"]
    dur = lambda full: ["--duration-s", "2" if q else str(full), "--drain-s", "1" if q else "3"]

    def fanout(readers_full, readers_quick, rate, duration=10):
        return {"kind": "fanout", "readers": readers_quick if q else readers_full,
                "args": ["--rate", str(rate)] + dur(duration) + settle + pub}

    s = {}
    s["fanout-1k"] = dict(fanout(1000, 200, 10), title="Fan-out, {readers} readers, 10 posts/s, 1 KiB entries",
                          metrics=FANOUT_METRICS)
    s["fanout-10k"] = dict(fanout(10000, 400, 5), title="Fan-out, {readers} readers, 5 posts/s, 1 KiB entries",
                           metrics=FANOUT_METRICS)
    # Full: +25% per step from 4 posts/s (4, 5, 6.25, 7.8, 9.8, 12.2, 15.3, 19.1, 23.8, ...): on 2 cores
    # shared with the load generator, 10,000 readers saturate around 10-20 posts/s.
    ramp_args = ["--p99-bound-ms", "1000", "--drain-s", "2"] + settle + pub
    ramp_args += (["--ramp-start", "10", "--ramp-factor", "2", "--step-s", "1", "--max-steps", "2"] if q else
                  ["--ramp-start", "4", "--ramp-factor", "1.25", "--step-s", "4", "--max-steps", "20"])
    s["ramp-10k"] = {"kind": "ramp", "readers": 200 if q else 10000, "args": ramp_args,
                     "note": "A step passes when its delivery p99 is ≤ 1 s, every reader got every post (counted "
                             "2 s after the step), no post failed and the publisher kept ≥ 90% of the step's rate "
                             "(4 keep-alive publishing connections: a server that answers a post only after "
                             "writing it to every reader holds the publisher back).",
                     "title": "Ramp, {readers} readers: highest rate with delivery p99 ≤ 1 s and nothing lost "
                              + ("(posts/s doubling from 10, 2 steps of 1 s)" if q else "(posts/s from 4, +25% per 4 s step)"),
                     "metrics": [Metric("highest posts/s within bound", ramp_rate, "posts/s", better="higher"),
                                 Metric("delivered events/s at that rate (achieved posts/s × readers)", ramp_events, "events/s", better="higher"),
                                 Metric("delivery p99 at that rate", ramp_p99, "ms"),
                                 Metric("deliveries lost (whole run)", lost, "", ratio=False, fmt=fmt_int),
                                 Metric("load generator CPU (whole run)", loadgen_cpu, "s", ratio=False)]}
    idle_s = 2 if q else 5
    s["idle-10k"] = {"kind": "idle", "readers": 200 if q else 10000, "args": ["--idle-s", str(idle_s)],
                     "idle_s": idle_s,
                     "title": "Idle readers, {readers}: server memory per connection",
                     "metrics": [Metric("memory per idle reader (growth of anonymous + shared PSS)", kib_per_reader, "KiB"),
                                 Metric("server memory with the readers (PSS)", mib_connected, "MiB"),
                                 Metric("readers connected", lambda r: res(r)["connect"]["ready"], "", ratio=False,
                                        better="higher", fmt=fmt_int)]}
    s["connect-20k"] = {"kind": "connect-storm", "readers": 400 if q else 20000, "args": [],
                        "title": "Connect storm, {readers} readers",
                        "note": "" if q else
                        "A process may hold at most 20,000 open files on this machine (hard limit), so a "
                        "single-process server (liveblog, floor, Node) cannot take all 20,000 readers: its "
                        "listening socket, epoll and other descriptors leave a few short, and those connects "
                        "fail after the handshake timeout. The rate is the connected readers over the time "
                        "until the last of them was live; Nchan spreads the readers over its two workers.",
                        "metrics": [Metric("connect rate", lambda r: res(r)["connect"]["per_s"], "readers/s", better="higher"),
                                    Metric("time to connect all", lambda r: res(r)["connect"]["seconds"], "s"),
                                    Metric("readers connected", lambda r: res(r)["connect"]["ready"], "", ratio=False,
                                           better="higher", fmt=fmt_int),
                                    Metric("connects failed", lambda r: res(r)["connect"]["failed"], "", ratio=False,
                                           fmt=fmt_int),
                                    Metric("load generator CPU (whole run)", loadgen_cpu, "s", ratio=False)]}
    # Bytes on the wire, with and without permessage-deflate (liveblog and Nchan,
    # whose nchan_deflate_message_for_websocket also compresses once per message).
    s["wire-1k"] = dict(fanout(1000, 200, 10), only=["liveblog", "nchan"], metrics=WIRE_METRICS,
                        title="Wire bytes, {readers} readers, 10 posts/s, 1 KiB French entries, uncompressed")
    s["wire-deflate-1k"] = dict(fanout(1000, 200, 10), only=["liveblog", "nchan"], deflate=True, metrics=WIRE_METRICS,
                                title="Wire bytes, {readers} readers, 10 posts/s, 1 KiB French entries, "
                                      "permessage-deflate")
    s["wire-deflate-1k"]["args"] = s["wire-deflate-1k"]["args"] + ["--deflate"]
    # The same fan-out with every reader on wss:// (and liveblog's posts on https://): liveblog
    # terminating TLS itself against nginx terminating it in front of Nchan (its publisher
    # stays on plain HTTP, on a second listener). Compare with fanout-1k of the same run.
    s["tls-1k"] = dict(fanout(1000, 200, 10), only=["liveblog", "nchan"], tls=True, metrics=WIRE_METRICS,
                       title="TLS fan-out, {readers} readers on wss://, 10 posts/s, 1 KiB entries")
    for name, full, small in (("lat-1k", 1000, 100), ("lat-2k", 2000, 200), ("lat-5k", 5000, 300)):
        s[name] = dict(fanout(full, small, 5), title="Latency series: {readers} readers, 5 posts/s", metrics=LAT_METRICS)
    # liveblog only
    s["reconnect-10k"] = {"kind": "reconnect-storm", "readers": 200 if q else 10000, "only": ["liveblog"],
                          "args": ["--rate", "10"] + dur(10) + settle + pub,
                          "title": "Reconnect storm, {readers} readers, 10 posts/s: every reader dropped at once, all resume",
                          "metrics": [Metric("time until all caught up", lambda r: res(r)["resume"]["all_caught_up_s"], "s"),
                                      Metric("readers resumed", lambda r: res(r)["resume"]["resumed"], "", fmt=fmt_int),
                                      Metric("resumes failed", lambda r: res(r)["resume"]["failed"], "", fmt=fmt_int),
                                      Metric("resume p99", lambda r: res(r)["resume"]["resume_us"]["p99"] / 1000, "ms"),
                                      Metric("deliveries lost", lost, "", fmt=fmt_int),
                                      Metric("duplicates", lambda r: res(r)["delivery"]["duplicates"], "", fmt=fmt_int)]}
    s["many-stories-10k"] = {"kind": "many-stories", "readers": 200 if q else 10000, "only": ["liveblog"],
                             "args": ["--stories", "20" if q else "1000", "--rate", "20" if q else "100"] + dur(10) + settle + pub,
                             "title": "Many stories, {readers} readers over " + ("20 stories, 20" if q else "1,000 stories, 100") +
                                      " posts/s in all",
                             "metrics": [FANOUT_METRICS[i] for i in (0, 2, 4, 5, 6)]}
    for d in s.values():
        d.setdefault("only", SERVERS)
        d["timeout"] = timeout_for(d, q)
    return s


def timeout_for(d, quick):
    readers = d["readers"]
    t = 60 + readers / 500  # connecting (and closing) readers
    a = d["args"]
    get = lambda flag, default: float(a[a.index(flag) + 1]) if flag in a else default
    if d["kind"] == "ramp":
        t += get("--max-steps", 20) * (get("--step-s", 5) + get("--drain-s", 3) + 5)
    elif d["kind"] in ("fanout", "many-stories", "reconnect-storm"):
        t += get("--duration-s", 10) + get("--drain-s", 3) + get("--settle-s", 1) + 60
    elif d["kind"] == "idle":
        t += get("--idle-s", 5)
    return int(t if not quick else min(t, 120))


# ---------------------------------------------------------------- processes

def spawn(cmd, *, cwd=ROOT, env=None, stdout=None, stderr=None) -> subprocess.Popen:
    p = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                         start_new_session=True)
    STARTED.append(p)
    return p


def stop(p: subprocess.Popen, sig=signal.SIGTERM, grace=10.0) -> None:
    """Stops a child this harness started, then anything left in its own process group."""
    if p.poll() is None:
        try:
            os.kill(p.pid, sig)
        except ProcessLookupError:
            pass
        try:
            p.wait(grace)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(p.pid, signal.SIGKILL)  # the group is the child's own (start_new_session)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        p.wait(5)
    except subprocess.TimeoutExpired:
        pass
    if p in STARTED:
        STARTED.remove(p)


def stop_all() -> None:
    for p in list(STARTED):
        stop(p, grace=3)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_url_line(p, out: Path, timeout=20.0) -> int:
    """Waits for a server's '... listening on http://127.0.0.1:PORT' line and for the port to accept."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if p.poll() is not None:
            raise RuntimeError(f"exited with {p.returncode} before listening")
        m = re.search(r"https?://127\.0\.0\.1:(\d+)", out.read_text(errors="replace") if out.exists() else "")
        if m and port_open(int(m.group(1))):
            return int(m.group(1))
        time.sleep(0.05)
    raise RuntimeError("did not print its URL in time")


class Server:
    def __init__(self, name, work: Path, secret: str, deflate: bool = False, tls: bool = False):
        self.name, self.work, self.secret, self.deflate, self.tls = name, work, secret, deflate, tls
        self.proc = None
        self.port = None
        self.tls_port = None
        self.cert = self.key = None

    def make_certificate(self):
        """A self-signed P-256 certificate for 127.0.0.1 in the run's own directory."""
        self.cert, self.key = self.work / "cert.pem", self.work / "key.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", str(self.key), "-out", str(self.cert)], check=True, capture_output=True)
        os.chmod(self.key, 0o644)  # nginx's workers (nobody) read it only at start, through the master

    def start(self):
        self.work.mkdir(parents=True, exist_ok=True)
        if self.tls:
            self.make_certificate()
        out, err = self.work / "server.out", self.work / "server.err"
        with open(out, "wb") as o, open(err, "wb") as e:
            if self.name == "liveblog":
                env = dict(os.environ, LIVEBLOG_SECRET=self.secret)
                tls = ["--tls-cert", str(self.cert), "--tls-key", str(self.key)] if self.tls else []
                self.proc = spawn([str(SERVER_BIN), "--listen", "127.0.0.1:0", "--data-dir", str(self.work / "data"),
                                   "--threads", "2", "--max-connections-per-ip", "100000", "--log-level", "warn",
                                   "--no-demo"] + tls, env=env, stdout=o, stderr=e)
            elif self.name == "floor":
                self.proc = spawn([str(FLOOR_BIN), "0"], stdout=o, stderr=e)
            elif self.name == "node":
                self.proc = spawn(["node", str(NODE_REF), "0"], stdout=o, stderr=e)
            elif self.name == "nchan":
                return self._start_nchan(o, e)
        self.port = wait_url_line(self.proc, out)

    def _start_nchan(self, o, e):
        module = next((m for m in NCHAN_MODULES if m.exists()), None)
        nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
        if not module or not nginx:
            raise RuntimeError("nginx or the nchan module is not installed (libnginx-mod-nchan)")
        d = self.work / "nginx"
        d.mkdir(exist_ok=True)
        os.chmod(d, 0o755)  # workers may run as nobody when started by root
        for attempt in range(3):
            self.port = free_port()
            tls = ""
            if self.tls:
                self.tls_port = free_port()
                tls = (f"listen 127.0.0.1:{self.tls_port} ssl backlog=8192;\n        ssl_certificate {self.cert};\n"
                       f"        ssl_certificate_key {self.key};\n        ssl_protocols TLSv1.2 TLSv1.3;\n"
                       "        ssl_session_cache shared:SSL:10m;")
            conf = (NCHAN_TEMPLATE.read_text().replace("@DIR@", str(d)).replace("@PORT@", str(self.port))
                    .replace("@MODULE@", str(module))
                    .replace("@DEFLATE@", "on" if self.deflate else "off")
                    .replace("@TLS@", tls))
            (d / "nginx.conf").write_text(conf)
            self.proc = spawn([nginx, "-p", str(d), "-c", str(d / "nginx.conf"), "-e", str(d / "error.log")],
                              stdout=o, stderr=e)
            end = time.monotonic() + 15
            while time.monotonic() < end and self.proc.poll() is None:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/ready", timeout=1) as r:
                        if r.status == 200 and len(tree_pids(self.proc.pid)) >= 3:  # master + 2 workers
                            return
                except OSError:
                    pass
                time.sleep(0.05)
            errlog = (d / "error.log").read_text(errors="replace") if (d / "error.log").exists() else ""
            stop(self.proc)
            if "Address already in use" not in errlog:
                raise RuntimeError("nginx did not start: " + errlog.strip()[-500:])
        raise RuntimeError("nginx: no free port after 3 tries")

    def target_args(self):
        p = self.port
        if self.name == "liveblog":
            return ["--url", f"{'https' if self.tls else 'http'}://127.0.0.1:{p}"]
        if self.name == "nchan":
            ws = f"wss://127.0.0.1:{self.tls_port}" if self.tls else f"ws://127.0.0.1:{p}"
            return ["--ws", f"{ws}/sub/load-0", "--pub-url", f"http://127.0.0.1:{p}/pub/load-0"]
        return ["--ws", f"ws://127.0.0.1:{p}/ws", "--pub-url", f"http://127.0.0.1:{p}/pub"]

    def stop(self):
        if self.proc:
            # nginx: SIGTERM is its fast shutdown (the workers follow the master)
            stop(self.proc)
            self.proc = None


# ---------------------------------------------------------------- /proc sampling (whole process tree)

def tree_pids(root: int) -> list[int]:
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                s = f.read()
            ppid = int(s[s.rfind(")") + 2:].split()[1])
            kids.setdefault(ppid, []).append(int(d))
        except (OSError, ValueError, IndexError):
            pass
    out = [root]
    i = 0
    while i < len(out):
        out += kids.get(out[i], [])
        i += 1
    return out


def sample(root: int) -> dict:
    """Sums memory and CPU time over the server's processes (nginx: master and workers).

    pss: proportional set size (shared pages split among the processes mapping
    them); own: its anonymous and shared-memory part (heap, stacks, Nchan's
    shm zone) without file-backed pages, whose PSS moves whenever another
    process (the load generator) maps the same libraries: per-reader figures
    use that one."""
    pss = rss = own = 0
    seen_own = False
    ticks = 0
    n = 0
    for pid in tree_pids(root):
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1])
                    elif line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith(("Pss_Anon:", "Pss_Shmem:")):
                        own += int(line.split()[1])
                        seen_own = True
            with open(f"/proc/{pid}/stat") as f:
                s = f.read()
            fields = s[s.rfind(")") + 2:].split()
            ticks += int(fields[11]) + int(fields[12])
            n += 1
        except (OSError, ValueError, IndexError):
            pass
    return {"pss_kib": pss, "rss_kib": rss, "own_kib": own if seen_own else pss, "cpu_s": ticks / os.sysconf("SC_CLK_TCK"), "processes": n, "t": time.monotonic()}


# ---------------------------------------------------------------- one run

def run_once(sc_name, sc, server_name, rep, work: Path, logs: Path, secret: str, token: str) -> dict:
    tag = f"r{rep}-{sc_name}-{server_name}"
    rec = {"rep": rep, "scenario": sc_name, "server": server_name, "kind": sc["kind"], "readers": sc["readers"],
           "status": "failed", "error": None, "started": dt.datetime.now().isoformat(timespec="seconds")}
    t0 = time.monotonic()
    srv = Server(server_name, work / tag, secret, deflate=sc.get("deflate", False), tls=sc.get("tls", False))
    harness: dict = {}
    rec["harness"] = harness
    try:
        try:
            srv.start()
        except Exception as e:  # noqa: BLE001 - record and go on
            raise RuntimeError(f"{server_name} did not start: {e}")
        cmd = [str(LOAD_BIN), "--scenario", sc["kind"], "--readers", str(sc["readers"]), "--label", server_name,
               "--max-run-s", str(sc["timeout"] + 60)] + srv.target_args() + sc["args"]
        if server_name == "liveblog":
            cmd += ["--token", token]
        if server_name != "nchan":  # one process: liveblog-load reads its RSS/CPU too (kept in the raw JSON)
            cmd += ["--server-pid", str(srv.proc.pid)]
        rec["command"] = [a if a != token else "<token>" for a in cmd[1:]]
        if sc["kind"] == "idle":
            time.sleep(1.5)  # let a fresh server (Node: its heap) settle before the baseline
        before = sample(srv.proc.pid)
        harness.update(pss_before_kib=before["pss_kib"], rss_before_kib=before["rss_kib"],
                       own_before_kib=before["own_kib"], server_processes=before["processes"])
        out_path, err_path = logs / f"{tag}.load.out", logs / f"{tag}.load.err"
        with open(out_path, "wb") as out:
            lg = spawn(cmd, stdout=out, stderr=subprocess.PIPE)
            timers = []
            root = srv.proc.pid

            def connected():
                s = sample(root)
                harness.update(pss_connected_kib=s["pss_kib"], rss_connected_kib=s["rss_kib"],
                               own_connected_kib=s["own_kib"])

            def cpu_start():
                harness["_cpu0"] = sample(root)

            def cpu_end():
                s0, s1 = harness.pop("_cpu0", None), sample(root)
                if s0:
                    harness.update(cpu_s=round(s1["cpu_s"] - s0["cpu_s"], 3), cpu_window_s=round(s1["t"] - s0["t"], 3))

            def later(seconds, fn):
                t = threading.Timer(max(0.0, seconds), fn)
                t.daemon = True
                t.start()
                timers.append(t)

            def read_stderr():
                with open(err_path, "wb") as err:
                    for raw in lg.stderr:
                        err.write(raw)
                        err.flush()
                        line = raw.decode(errors="replace")
                        if m := re.search(r"\] idle for ([\d.]+) s", line):
                            later(float(m.group(1)) - 0.5, connected)
                        elif "] publishing " in line or ("] ramp step 1:" in line):
                            connected()
                            cpu_start()
                        elif m := re.search(r"\] draining ([\d.]+) s", line):
                            later(float(m.group(1)), cpu_end)

            reader = threading.Thread(target=read_stderr, daemon=True)
            reader.start()
            try:
                lg.wait(sc["timeout"])
            except subprocess.TimeoutExpired:
                stop(lg)
                raise RuntimeError(f"liveblog-load timed out after {sc['timeout']} s")
            finally:
                reader.join(10)
                for t in timers:
                    t.cancel()
            if lg in STARTED:
                STARTED.remove(lg)
        harness.pop("_cpu0", None)
        text = out_path.read_text(errors="replace")
        line = next((l for l in text.splitlines() if l.startswith("RESULT ")), None)
        if lg.returncode != 0 or line is None:
            tail = err_path.read_text(errors="replace").strip().splitlines()[-3:]
            raise RuntimeError(f"liveblog-load exited {lg.returncode}: " + " | ".join(tail))
        rec["result"] = json.loads(line[len("RESULT "):])
        if srv.proc.poll() is not None:
            raise RuntimeError(f"{server_name} exited ({srv.proc.returncode}) during the run")
        rec["status"] = "ok"
    except Exception as e:  # noqa: BLE001 - a failed run is recorded, the bench goes on
        rec["error"] = str(e)
    finally:
        srv.stop()
        for f in ("server.out", "server.err", "nginx/error.log"):
            p = srv.work / f
            if p.exists() and p.stat().st_size:
                shutil.copy(p, logs / f"{tag}.{f.replace('/', '-')}")
        shutil.rmtree(srv.work, ignore_errors=True)
    rec["seconds"] = round(time.monotonic() - t0, 1)
    return rec


def run_summary(rec, sc) -> str:
    if rec["status"] != "ok":
        return "FAILED: " + (rec["error"] or "?")
    parts = []
    for m in sc["metrics"][:3]:
        v = m.value(rec)
        parts.append(f"{m.label} {m.fmt(v)}{(' ' + m.unit) if m.unit and v is not None else ''}")
    j = rec["result"]
    if not j.get("ok", True):
        parts.append("(loadgen: not ok)")
    for w in j.get("warnings", []):
        parts.append("warning: " + w)
    return "; ".join(parts)


# ---------------------------------------------------------------- report

def median(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "–"
    return f"{a / b:.2f}"


def machine() -> str:
    model = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kib = int(next(l for l in open("/proc/meminfo") if l.startswith("MemTotal")).split()[1])
        mem = f", {kib / 1048576:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{os.cpu_count()} cores ({model or platform.machine()}){mem}, Linux {platform.release()}"


def commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              timeout=10).stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def report(runs, scs, order, args, png_name, started, finished, points_table) -> str:
    servers = [s for s in SERVERS if s in args.only]
    L = []
    L.append("## Generated by scripts/bench")
    L.append("")
    L.append("<!-- Generated by scripts/bench: everything between the bench:begin and bench:end markers is "
             "replaced on each full run. -->")
    L.append("")
    mode = "quick mode: small sizes, for CI, no conclusions" if args.quick else "full mode"
    L.append(f"Run of {started:%Y-%m-%d %H:%M} to {finished:%H:%M} ({mode}), commit `{commit()}`, "
             f"{machine()}, loopback.")
    L.append(f"Medians of {args.reps} repetition{'s' if args.reps > 1 else ''}; servers alternate within each repetition "
             f"(the order rotates by one per repetition), each run on a fresh server process. "
             f"liveblog: Release, `--threads 2`, SQLite; Nchan: nginx with 2 workers; floor: "
             f"single-threaded raw epoll; Node `ws`: one process. Entries are {ENTRY_BYTES} bytes. "
             f"Ratios are liveblog's value over the reference's (latency, memory, CPU: lower is better; "
             f"rates: higher is better). Server CPU is summed over the server's processes from /proc "
             f"over the publish window; memory is summed over them too: PSS for totals, and for the growth per "
             f"reader its anonymous and shared-memory part (file-backed pages left out: their PSS moves when "
             f"the load generator maps the same libraries).")
    L.append("")
    failed = [r for r in runs if r["status"] != "ok"]
    if failed:
        L.append(f"**{len(failed)} run(s) failed** (no result; listed below, left out of the medians).")
        L.append("")
    for name in order:
        sc = scs[name]
        srvs = [s for s in servers if s in sc["only"]]
        if not srvs:
            continue
        by = {s: [r for r in runs if r["scenario"] == name and r["server"] == s] for s in srvs}
        readers = next((r["result"]["readers"] for rr in by.values() for r in rr if r["status"] == "ok"), sc["readers"])
        L.append(f"### {name}: {sc['title'].format(readers=f'{readers:,}')}")
        L.append("")
        ratios = [x for x in ("floor", "nchan") if x in srvs and "liveblog" in srvs]
        head = ["metric", "unit"] + [SERVER_TITLES[s] for s in srvs] + [f"liveblog / {PLOT_TITLES[x]}" for x in ratios]
        L.append("| " + " | ".join(head) + " |")
        L.append("|" + "---|" * len(head))
        for m in sc["metrics"]:
            meds = {s: median([m.value(r) for r in by[s] if r["status"] == "ok"]) for s in srvs}
            row = [m.label, m.unit] + [m.fmt(meds[s]) for s in srvs]
            row += [ratio(meds["liveblog"], meds[x]) if m.ratio else "" for x in ratios]
            L.append("| " + " | ".join(row) + " |")
        notes = []
        for s in srvs:
            ok = [r for r in by[s] if r["status"] == "ok"]
            if len(ok) < len(by[s]):
                notes.append(f"{SERVER_TITLES[s]}: {len(by[s]) - len(ok)} of {len(by[s])} run(s) failed")
            bad = [r for r in ok if not r["result"].get("ok", True)]
            if bad:
                notes.append(f"{SERVER_TITLES[s]}: liveblog-load flagged {len(bad)} run(s) (loss, duplicates, "
                             f"publish errors or failed connects)")
        if notes:
            L.append("")
            L.append("Note: " + "; ".join(notes) + ".")
        if sc.get("note"):
            L.append("")
            L.append(sc["note"])
        L.append("")
    if points_table:
        L.append("### Delivery latency by number of subscribers")
        L.append("")
        L.append("Fan-out at 5 posts/s (the lat-* scenarios and fanout-10k), medians, in ms.")
        L.append("")
        if png_name:
            L.append(f"![delivery latency p50 and p99 by subscribers, per server]({png_name})")
            L.append("")
        L.append(points_table)
        L.append("")
    # raw values
    L.append("<details><summary>Raw values per repetition</summary>")
    L.append("")
    L.append("| scenario | server | metric | per repetition |")
    L.append("|---|---|---|---|")
    for name in order:
        sc = scs[name]
        for s in [s for s in servers if s in sc["only"]]:
            rr = sorted([r for r in runs if r["scenario"] == name and r["server"] == s], key=lambda r: r["rep"])
            if not rr:
                continue
            for m in sc["metrics"]:
                vals = [m.fmt(m.value(r)) if r["status"] == "ok" else "failed" for r in rr]
                L.append(f"| {name} | {s} | {m.label} | {' / '.join(vals)} |")
    L.append("")
    if failed:
        L.append("Failed runs:")
        L.append("")
        for r in failed:
            L.append(f"- rep {r['rep']} {r['scenario']} {r['server']}: {r['error']}")
        L.append("")
    L.append("</details>")
    return "\n".join(L) + "\n"


def plot(runs, scs, args, out_png: Path, workdir: Path) -> str:
    """Writes the latency-by-subscribers PNG with gnuplot; returns a markdown table of the points ('' if none)."""
    servers = [s for s in SERVERS if s in args.only]
    points = []  # (readers, {server: (p50, p90, p99)})
    for name in LAT_SERIES:
        if name not in scs:
            continue
        rs = [r for r in runs if r["scenario"] == name and r["status"] == "ok"]
        if not rs:
            continue
        row = {}
        for s in servers:
            mine = [r for r in rs if r["server"] == s]
            if mine:
                row[s] = tuple(median([lat(p)(r) for r in mine]) for p in ("p50", "p90", "p99"))
        points.append((rs[0]["result"]["readers"], row))
    points.sort(key=lambda x: x[0])
    if not points:
        return ""
    table = ["| readers | " + " | ".join(f"{PLOT_TITLES[s]} p50 / p90 / p99 (ms)" for s in servers) + " |",
             "|" + "---|" * (len(servers) + 1)]
    for readers, row in points:
        cells = [" / ".join(fmt_num(v) for v in row[s]) if s in row else "–" for s in servers]
        table.append(f"| {readers:,} | " + " | ".join(cells) + " |")
    dat = workdir / "latency.dat"
    with open(dat, "w") as f:
        f.write("# readers " + " ".join(f"{s}_p50 {s}_p99" for s in servers) + "\n")
        for readers, row in points:
            vals = []
            for s in servers:
                p50, _, p99 = row.get(s, (None, None, None))
                vals += ["?" if p50 is None else f"{p50:.3f}", "?" if p99 is None else f"{p99:.3f}"]
            f.write(f"{readers} " + " ".join(vals) + "\n")
    gp = shutil.which("gnuplot")
    if not gp:
        log("gnuplot is missing: no plot")
        return "\n".join(table)
    colors = {"liveblog": "#d62728", "floor": "#2ca02c", "nchan": "#1f77b4", "node": "#ff7f0e"}
    plots = []
    for i, s in enumerate(servers):
        c = colors[s]
        plots.append(f"'{dat}' using 1:{2 + 2 * i + 1} with linespoints lw 2 pt 7 lc rgb '{c}' title '{PLOT_TITLES[s]} p99'")
        plots.append(f"'{dat}' using 1:{2 + 2 * i} with linespoints lw 2 dt 2 pt 6 lc rgb '{c}' title '{PLOT_TITLES[s]} p50'")
    script = "\n".join([
        "set terminal pngcairo size 960,600 font 'sans,10'",
        f"set output '{out_png}'",
        "set datafile missing '?'",
        "set title 'Delivery latency by subscribers (5 posts/s, 1 KiB entries; medians)'",
        "set xlabel 'subscribers (readers of one story)'",
        "set ylabel 'delivery latency (ms)'",
        "set logscale xy",
        f"set xrange [{points[0][0] / 1.25:g}:{points[-1][0] * 1.25:g}]",
        "set xtics (" + ", ".join(f"'{r:,}' {r}" for r, _ in points) + ")",
        "set grid xtics ytics mxtics mytics",
        "set key outside right top",
        "plot " + ", \\\n     ".join(plots),
    ]) + "\n"
    (workdir / "latency.gp").write_text(script)
    r = subprocess.run([gp, str(workdir / "latency.gp")], capture_output=True, text=True, timeout=60)
    if r.returncode != 0 or not out_png.exists():
        log("gnuplot failed: " + r.stderr.strip()[-300:])
    return "\n".join(table)


def splice_docs(path: Path, section: str) -> None:
    begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    block = f"{begin}\n{section}{end}"
    if begin in text and end in text and text.index(begin) < text.index(end):
        text = text[:text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    tmp = path.with_suffix(".md.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


# ---------------------------------------------------------------- main

def main() -> int:
    global QUIET
    ap = argparse.ArgumentParser(prog="scripts/bench", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes, 1 repetition, a few minutes (CI); never touches docs/")
    ap.add_argument("--reps", type=int, default=None, help="repetitions (default 3, quick: 1)")
    ap.add_argument("--only", default=",".join(SERVERS), help="servers, comma-separated: " + ",".join(SERVERS))
    ap.add_argument("--scenarios", default="all", help="comma-separated scenario names or 'all'")
    ap.add_argument("--out", default=None,
                    help="results directory. Default: full mode writes docs/benchmarks.md's generated section, "
                         "docs/bench-results.jsonl and docs/bench-latency.png (logs to a temp dir); quick mode "
                         "writes to a new temp dir. With --out nothing in docs/ is touched.")
    ap.add_argument("--list", action="store_true", help="print the scenarios and exit")
    ap.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = ap.parse_args(sys.argv[1:])
    QUIET = args.quiet
    args.reps = args.reps if args.reps is not None else (1 if args.quick else 3)
    if args.reps < 1:
        ap.error("--reps must be at least 1")
    args.only = [s.strip() for s in args.only.split(",") if s.strip()]
    for s in args.only:
        if s not in SERVERS:
            ap.error(f"unknown server {s!r} (known: {', '.join(SERVERS)})")
    scs = scenario_table(args.quick)
    if args.list:
        for n, d in scs.items():
            print(f"{n:18} {d['kind']:16} {d['readers']:>6} readers  {','.join(d['only'])}  {' '.join(d['args'])}")
        return 0
    order = list(scs) if args.scenarios == "all" else [s.strip() for s in args.scenarios.split(",") if s.strip()]
    for n in order:
        if n not in scs:
            ap.error(f"unknown scenario {n!r} (known: {', '.join(scs)})")
    order = [n for n in scs if n in order]  # canonical order

    for b in (SERVER_BIN, LOAD_BIN, FLOOR_BIN):
        if not os.access(b, os.X_OK):
            print(f"bench: {b} is missing: build first (scripts/build, or scripts/bench --build)", file=sys.stderr)
            return 1

    write_docs = not args.quick and args.out is None
    if args.out:
        out = Path(args.out).resolve()
        out.mkdir(parents=True, exist_ok=True)
    else:
        out = Path(tempfile.mkdtemp(prefix="liveblog-bench-"))
    logs = out / "logs"
    logs.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="liveblog-bench-work-"))
    os.chmod(work, 0o755)
    log(f"results and logs in {out}" + (" (docs/ is written at the end)" if write_docs else ""))

    secret = os.urandom(32).hex()
    token = subprocess.run([str(SERVER_BIN), "token", "--sub", "bench", "--role", "admin", "--ttl", "24h",
                            "--data-dir", str(work / "token")], env=dict(os.environ, LIVEBLOG_SECRET=secret),
                           capture_output=True, text=True, timeout=30).stdout.strip()
    if not token:
        print("bench: could not make a liveblog token", file=sys.stderr)
        return 1

    started = dt.datetime.now()
    runs = []
    jsonl = out / "results.jsonl"
    jsonl.write_text("")
    try:
        servers = [s for s in SERVERS if s in args.only]
        total = sum(len([s for s in servers if s in scs[n]["only"]]) for n in order) * args.reps
        i = 0
        for rep in range(1, args.reps + 1):
            k = (rep - 1) % len(servers)
            rot = servers[k:] + servers[:k]
            for name in order:
                sc = scs[name]
                for s in [s for s in rot if s in sc["only"]]:
                    i += 1
                    log(f"[{i}/{total}] rep {rep} {name} ({sc['readers']} readers) {s} ...")
                    rec = run_once(name, sc, s, rep, work, logs, secret, token)
                    runs.append(rec)
                    with open(jsonl, "a") as f:
                        f.write(json.dumps(rec, separators=(",", ":")) + "\n")
                    log(f"[{i}/{total}]   {s} {name}: {run_summary(rec, sc)} ({rec['seconds']} s)")
    finally:
        stop_all()
        shutil.rmtree(work, ignore_errors=True)
    finished = dt.datetime.now()

    png = out / "latency.png"
    points = plot(runs, scs, args, png, out)
    section = report(runs, scs, order, args, "latency.png" if png.exists() else "", started, finished, points)
    (out / "summary.md").write_text(section)
    if write_docs:
        docs = ROOT / "docs"
        splice_docs(docs / "benchmarks.md", report(runs, scs, order, args, "bench-latency.png" if png.exists() else "",
                                                   started, finished, points))
        shutil.copy(jsonl, docs / "bench-results.jsonl")
        if png.exists():
            shutil.copy(png, docs / "bench-latency.png")
        log("wrote docs/benchmarks.md (generated section), docs/bench-results.jsonl, docs/bench-latency.png")
    print(section)
    failed = [r for r in runs if r["status"] != "ok"]
    log(f"done in {(finished - started).total_seconds():.0f} s: {len(runs) - len(failed)} run(s) ok, "
        f"{len(failed)} failed; results in {out}")
    if failed and args.quick:
        return 1
    return 0


def _terminate(signum, _frame):
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    finally:
        stop_all()
