#!/usr/bin/python3
"""notify_listener.py: plays systemd's side of sd_notify(3) for tests.

Binds an AF_UNIX datagram socket at PATH ("@name" for the abstract
namespace), prints "ready" on stdout, then appends every datagram it
receives to OUT as one JSON line: {"t": monotonic seconds, "msg": {KEY:
VALUE, ...}, "db": whether the --db file existed when it arrived}.
Runs until killed.
"""
import argparse
import json
import os
import socket
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("path")
    ap.add_argument("out")
    ap.add_argument("--db", default="")
    a = ap.parse_args()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    addr = "\0" + a.path[1:] if a.path.startswith("@") else a.path
    s.bind(addr)
    print("ready", flush=True)
    with open(a.out, "a", encoding="utf-8") as out:
        while True:
            data = s.recv(65536).decode("utf-8", "replace")
            msg = {}
            for line in data.split("\n"):
                k, _, v = line.partition("=")
                if k:
                    msg[k] = v
            rec = {"t": time.monotonic(), "msg": msg,
                   "db": bool(a.db) and os.path.exists(a.db)}
            out.write(json.dumps(rec) + "\n")
            out.flush()


if __name__ == "__main__":
    sys.exit(main())
