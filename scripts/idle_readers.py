#!/usr/bin/env python3
"""Opens N idle WebSocket readers against a server and reports the growth of
the server's resident memory (from /proc/PID/status), per reader.

A benchmark helper (scripts/bench-idle uses it), standard library only. The
readers send one subscribe message (if given) and then stay silent; the
connections live in this process until it exits.

usage: idle_readers.py --port P --pid PID [--readers N] [--path /ws] [--subscribe JSON]
prints one JSON line: {"readers":N,"rss_before_kib":..,"rss_after_kib":..,"kib_per_reader":..}
"""
import argparse, base64, json, os, socket, struct, sys, time


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def masked_text_frame(payload: bytes) -> bytes:
    mask = os.urandom(4)
    n = len(payload)
    head = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack(">H", n))
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def open_reader(port, path, subscribe):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(4096)
        if not chunk:
            raise RuntimeError("closed during handshake")
        head += chunk
    if b" 101 " not in head.split(b"\r\n")[0]:
        raise RuntimeError("upgrade refused: " + head.split(b"\r\n")[0].decode())
    if subscribe:
        s.sendall(masked_text_frame(subscribe.encode()))
    return s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--readers", type=int, default=2000)
    ap.add_argument("--path", default="/ws")
    ap.add_argument("--subscribe", default="")
    ap.add_argument("--settle", type=float, default=2.0, help="seconds to wait before reading RSS")
    a = ap.parse_args()
    time.sleep(a.settle)
    before = rss_kib(a.pid)
    readers = [open_reader(a.port, a.path, a.subscribe) for _ in range(a.readers)]
    time.sleep(a.settle)
    after = rss_kib(a.pid)
    print(json.dumps({"readers": len(readers), "rss_before_kib": before, "rss_after_kib": after,
                      "kib_per_reader": round((after - before) / len(readers), 2)}))
    for r in readers:
        r.close()


if __name__ == "__main__":
    sys.exit(main())
