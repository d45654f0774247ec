"""What the Python benchmarks share (scripts/bench-read, scripts/bench-media):
free loopback ports, the CPU time of a server's process tree from /proc
(client and server share the machine's cores, so each figure comes with the
server's CPU per request), starting and stopping what a benchmark runs, and
one wrk run parsed."""
import os, re, signal, socket, subprocess, time, urllib.request
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
started = []  # every process start() made, for stop_all()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree(pid):
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for t in os.listdir(f"/proc/{p}/task"):
                kids = Path(f"/proc/{p}/task/{t}/children").read_text().split()
                todo += [int(k) for k in kids]
        except OSError:
            pass
    return out


def cpu_s(pid):
    total = 0
    for p in tree(pid):
        try:
            f = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(f[11]) + int(f[12])
        except OSError:
            pass
    return total / TICK


def wait_http(url, seconds=20):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                return r.read()
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer")


def start(cmd, **kw):
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, **kw)
    started.append(p)
    return p


def stop_all():
    for p in started:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
    started.clear()


def wrk(url, seconds, connections, encoding, pid):
    c0 = cpu_s(pid)
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-H",
                          f"Accept-Encoding: {encoding}", url], capture_output=True, text=True, timeout=seconds + 30).stdout
    c1 = cpu_s(pid)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    reqs = int(re.search(r"(\d+) requests in", out).group(1))
    m = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    p99 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", out)
    return {"rps": rps, "p99_ms": p99, "cpu_us": (c1 - c0) * 1e6 / max(1, reqs), "errors": errors.group(0) if errors else ""}


def encoded_size(url, encoding):
    req = urllib.request.Request(url, headers={"Accept-Encoding": encoding})
    with urllib.request.urlopen(req) as r:
        return r.headers.get("Content-Encoding", "identity"), len(r.read())




def start_static_nginx(work, root, port):
    """nginx serving the files of `root` on 127.0.0.1:port, the reference of the
    read benchmarks: 2 workers, sendfile, gzip level 1 for JSON (and HTML,
    always), its temporary files and pid under `work`."""
    import shutil
    conf = f"""daemon off; master_process on; worker_processes 2; pid {work}/nginx.pid; error_log {work}/error.log warn;
events {{ use epoll; worker_connections 4096; multi_accept on; }}
http {{ access_log off; sendfile on; tcp_nopush on; tcp_nodelay on; keepalive_requests 1000000;
  client_body_temp_path {work}/cb; proxy_temp_path {work}/px; fastcgi_temp_path {work}/fc; uwsgi_temp_path {work}/uw; scgi_temp_path {work}/sc;
  types {{ text/html html; application/json json; image/webp webp; image/jpeg jpg; }}
  gzip on; gzip_comp_level 1; gzip_min_length 1024; gzip_types application/json; gzip_vary on;
  server {{ listen 127.0.0.1:{port} backlog=4096; root {root}; }} }}
"""
    (Path(work) / "nginx.conf").write_text(conf)
    os.chmod(work, 0o755)
    os.chmod(root, 0o755)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    return start([nginx, "-p", str(work), "-c", str(Path(work) / "nginx.conf"), "-e", str(Path(work) / "error.log")])
