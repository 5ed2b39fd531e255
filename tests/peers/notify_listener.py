#!/usr/bin/python3
"""notify_listener.py: plays systemd's side of sd_notify(3) for tests.

Binds an AF_UNIX datagram socket at PATH ("@name" for the abstract
namespace), prints "ready" on stdout, then appends every datagram it
receives to OUT as one JSON line: {"t": monotonic seconds, "msg": {KEY:
VALUE, ...}, "db": whether the --db file existed when it arrived}; with a
PostgreSQL URI as --db, whether its schema was there (tickets answers).
Runs until killed.
"""
import argparse
import json
import os
import socket
import sys
import time

import testdb


def db_exists(db):
    """The database of --db is there: its file, or on PostgreSQL its
    schema committed (a store that is open has made it)."""
    if not db:
        return False
    if not testdb.is_pg(db):
        return os.path.exists(db)
    try:
        con = testdb.connect(db)
        try:
            con.execute("SELECT count(*) FROM tickets")
        finally:
            con.close()
        return True
    except Exception:  # noqa: BLE001 (no schema yet, or no server)
        return False


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
    there = False	# once there, the database stays (no query a ping)
    with open(a.out, "a", encoding="utf-8") as out:
        while True:
            data = s.recv(65536).decode("utf-8", "replace")
            msg = {}
            for line in data.split("\n"):
                k, _, v = line.partition("=")
                if k:
                    msg[k] = v
            there = there or db_exists(a.db)
            rec = {"t": time.monotonic(), "msg": msg, "db": there}
            out.write(json.dumps(rec) + "\n")
            out.flush()


if __name__ == "__main__":
    sys.exit(main())
