#!/usr/bin/python3
"""kill -9 loop for the outbox (issue 20; DESIGN promises 1 and 2).

Used by tests/integration/crash_outbox_*.sh.  Runs ROUNDS rounds; each
starts the daemon on the same config and database, streams PER_ROUND new
messages (plus every message not yet acknowledged) over CONC LMTP
connections and kills the daemon with SIGKILL, by turns:

  intake    after a random number of 250s, while messages stream in;
  delivery  a random moment (0-400 ms) after the round's last 250, while
            the sender is still delivering the acknowledgements;
  hook      from inside, at the sender's Nth delivery before its record
            (TRIAGED_FAULT=sender-delivered:N; needs --enable-test-hooks,
            without it the round falls back to "delivery").

Then a last start sends what is left, waits for the outbox to drain and
stops the daemon with SIGTERM.  Checks, printed and reflected in the
exit status (0 pass, 1 fail):

  - every message was acknowledged in the end and is stored exactly once
    (one request each, one ack row each, all sent);
  - --mode maildir: every acknowledgement is in the outgoing Maildir (new/
    or cur/) exactly once, counted by its In-Reply-To; tmp/ is empty;
  - --mode smarthost: every acknowledgement reached the sink; duplicates
    are at most one per kill.

Daemon logs go to WORK/triaged.N.log (lib.sh scans them for sanitizer
reports).  Every daemon started here is killed on the way out.
"""

import argparse
import collections
import email.parser
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time

failed = []


def fail(msg):
    failed.append(msg)
    print("FAIL: " + msg, flush=True)


class Daemon:
    """One run of triaged; stderr to WORK/triaged.N.log."""

    count = 0

    def __init__(self, args, env=None):
        Daemon.count += 1
        self.log = os.path.join(args.work, "triaged.c%d.log" % Daemon.count)
        self.proc = subprocess.Popen(
            [args.triaged, "-c", args.conf], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=open(self.log, "ab"),
            env=dict(os.environ, **(env or {})))
        deadline = time.time() + 60
        self.port = None
        while time.time() < deadline:
            text = self.text()
            m = re.search(r" ready .*lmtp=[^ ]*:(\d+)", text)
            if m:
                self.port = int(m.group(1))
                return
            if self.proc.poll() is not None:
                raise SystemExit("triaged exited at start (%s)" % self.log)
            time.sleep(0.05)
        self.proc.kill()
        raise SystemExit("triaged not ready in 60 s (%s)" % self.log)

    def text(self):
        with open(self.log, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        return self.proc.wait(30)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(30)


def message(i, runid):
    return ("From: Customer %d <cust%d@customers.example>\r\n"
            "To: <support@example.test>\r\n"
            "Subject: outbox crash test %d\r\n"
            "Message-ID: <oc-%d-%s@customers.example>\r\n"
            "Date: Sun, 22 Nov 2026 18:00:00 +0000\r\n"
            "\r\n"
            "Hello, this is message %d.\r\n" % (i, i, i, i, runid, i)
            + "Some filler text for the body.\r\n" * 10).encode()


def reply(f):
    while True:
        line = f.readline()
        if not line:
            raise ConnectionError("EOF")
        if line[3:4] != b"-":
            return int(line[:3]), line[4:].decode("utf-8", "replace").strip()


def stream(port, ids, conc, runid, acked, on_ack=None):
    """Sends ids over conc LMTP connections; adds 250ed ids to acked.
    on_ack(n) is called with the running count of 250s (under a lock)."""
    queue = list(reversed(ids))
    lock = threading.Lock()
    count = [0]

    def worker():
        s = f = None
        while True:
            with lock:
                if not queue:
                    break
                i = queue.pop()
            try:
                if s is None:
                    s = socket.create_connection(("127.0.0.1", port), 30)
                    s.settimeout(120)
                    f = s.makefile("rb")
                    if reply(f)[0] != 220:
                        raise ConnectionError("no greeting")
                    s.sendall(b"LHLO crash.example\r\n")
                    if reply(f)[0] != 250:
                        raise ConnectionError("LHLO refused")
                s.sendall(b"MAIL FROM:<cust%d@customers.example>\r\n"
                          b"RCPT TO:<support@example.test>\r\nDATA\r\n" % i)
                for want in (250, 250, 354):
                    code, text = reply(f)
                    if code != want:
                        raise ConnectionError("want %d, got %d %s"
                                              % (want, code, text))
                s.sendall(message(i, runid) + b".\r\n")
                code, text = reply(f)
                if code == 250:
                    with lock:
                        acked.add(i)
                        count[0] += 1
                        if on_ack:
                            on_ack(count[0])
            except (OSError, ConnectionError, ValueError):
                if s is not None:
                    s.close()
                s = None
                # The daemon is gone: the rest waits for the next round.
                with lock:
                    queue.clear()
        if s is not None:
            try:
                s.sendall(b"QUIT\r\n")
                s.close()
            except OSError:
                pass

    threads = [threading.Thread(target=worker) for _ in range(conc)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def db_query(db, sql):
    """Rows of sql on db: an SQLite file, or a PostgreSQL URI (psql)."""
    if db.startswith("postgres"):
        out = subprocess.run(["/usr/lib/postgresql/15/bin/psql", "-X", "-q",
                              "-A", "-t", "-F", "|", "-d", db, "-c", sql],
                             capture_output=True, text=True,
                             check=True).stdout
        return [tuple(int(v) if re.fullmatch(r"-?\d+", v) else (v or None)
                      for v in line.split("|"))
                for line in out.splitlines()]
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def count_found(text):
    """Mails the sender found delivered but unrecorded at its start."""
    return sum(int(m) for m in re.findall(
        r"outbox: (\d+) mails? found delivered but not recorded", text))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--triaged", required=True)
    ap.add_argument("--conf", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--mode", choices=("maildir", "smarthost"),
                    required=True)
    ap.add_argument("--maildir", required=True,
                    help="where the acks end up: outgoing Maildir or sink")
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--per-round", type=int, default=500)
    ap.add_argument("--conc", type=int, default=6)
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()

    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rnd = random.Random(seed)
    runid = "%d.%d" % (os.getpid(), int(time.time()))
    print("seed %d, %d rounds of %d messages, mode %s"
          % (seed, args.rounds, args.per_round, args.mode), flush=True)
    acked = set()
    total = args.rounds * args.per_round
    kills = collections.Counter()
    daemons = []
    hook_compiled = None
    t_start = time.time()
    try:
        for r in range(args.rounds):
            new = range(r * args.per_round, (r + 1) * args.per_round)
            ids = sorted(set(range(0, r * args.per_round)) - acked) + \
                list(new)
            how = ("intake", "delivery", "hook")[r % 3]
            if how == "hook" and hook_compiled is False:
                how = "delivery"
            env = {}
            if how == "hook":
                env["TRIAGED_FAULT"] = "sender-delivered:%d" % \
                    rnd.randint(1, args.per_round // 2)
            d = Daemon(args, env)
            daemons.append(d)
            kill_at = rnd.randint(args.per_round // 4,
                                  3 * args.per_round // 4)

            def on_ack(n, d=d, how=how, kill_at=kill_at):
                if how == "intake" and n == kill_at:
                    d.kill()

            stream(d.port, ids, args.conc, runid, acked, on_ack)
            if how == "hook":
                deadline = time.time() + 20
                while d.proc.poll() is None and time.time() < deadline:
                    if "test hook: fault" in d.text():
                        break
                    time.sleep(0.05)
                fired = "test hook: fault sender-delivered" in d.text()
                if hook_compiled is None:
                    hook_compiled = fired
                    if not fired:
                        print("no test hooks compiled in: hook rounds "
                              "kill from outside", flush=True)
                if not fired:
                    how = "delivery"
            if how == "delivery":
                time.sleep(rnd.uniform(0, 0.4))
            queued = db_query(args.db, "SELECT count(*) FROM outbox"
                              " WHERE status = 'queued'")[0][0]
            rc = d.kill()
            kills[how] += 1
            print("round %2d: kill -9 (%s) with %d acks queued, "
                  "%d/%d acknowledged so far, exit %s"
                  % (r + 1, how, queued, len(acked), total, rc), flush=True)
            if rc != -signal.SIGKILL:
                fail("round %d: daemon exit %s, want SIGKILL" % (r + 1, rc))

        # Last start: the rest in, everything out, clean stop.
        d = Daemon(args)
        daemons.append(d)
        left = sorted(set(range(total)) - acked)
        stream(d.port, left, args.conc, runid, acked)
        print("last round: %d resent, %d/%d acknowledged"
              % (len(left), len(acked), total), flush=True)
        # A deadline, not a speed test: under ASan on a loaded machine
        # the sender may still have thousands of acks to write.
        t_drain = time.time()
        while time.time() < t_drain + 600:
            n, waiting = db_query(
                args.db, "SELECT count(*),"
                " coalesce(sum(CASE WHEN status != 'sent' THEN 1 ELSE 0 END), 0)"
                " FROM outbox WHERE kind = 'ack'")[0]
            if n >= total and waiting == 0:
                break
            time.sleep(0.2)
        print("outbox drained in %.0f s" % (time.time() - t_drain),
              flush=True)
        rc = d.stop()
        if rc != 0:
            fail("daemon exit %s after SIGTERM, want 0" % rc)
    finally:
        for d in daemons:
            if d.proc.poll() is None:
                d.proc.kill()
                d.proc.wait()

    nkills = sum(kills.values())
    found = sum(count_found(d.text()) for d in daemons)
    print("%d kills (%s) in %.0f s; the sender found %d acks delivered "
          "but not recorded at its restarts"
          % (nkills, ", ".join("%s %d" % kv for kv in sorted(kills.items())),
             time.time() - t_start, found), flush=True)
    if hook_compiled and found == 0 and args.mode == "maildir":
        fail("hook rounds killed between delivery and record, yet no "
             "restart found such a mail")

    # --- the database ------------------------------------------------------
    never = sorted(set(range(total)) - acked)
    if never:
        fail("%d messages never acknowledged: %s" % (len(never), never[:10]))
    pat = re.compile(r"oc-(\d+)-" + re.escape(runid) + r"@")
    stored = collections.Counter()
    for (mid,) in db_query(args.db, "SELECT message_id FROM messages"
                           " WHERE direction = 'in'"):
        m = pat.search(mid or "")
        if m:
            stored[int(m.group(1))] += 1
    lost = sorted(i for i in acked if stored[i] == 0)
    if lost:
        fail("LOST %d acknowledged messages: %s" % (len(lost), lost[:10]))
    twice = sorted(i for i, n in stored.items() if n > 1)
    if twice:
        fail("stored more than once: %s" % twice[:10])
    tickets = db_query(args.db, "SELECT count(*) FROM tickets")[0][0]
    acks = db_query(args.db, "SELECT count(*), count(DISTINCT ticket_id),"
                    " coalesce(sum(CASE WHEN status = 'sent' THEN 1 ELSE 0"
                    " END), 0) FROM outbox"
                    " WHERE kind = 'ack'")[0]
    print("database: %d requests; %d ack rows for %d requests, %d sent"
          % ((tickets,) + tuple(acks)), flush=True)
    if tickets != total or acks[0] != total or acks[1] != total or \
            acks[2] != total:
        fail("want %d requests, ack rows and acks sent" % total)

    # --- where the acks went ---------------------------------------------------
    parser = email.parser.BytesHeaderParser()
    copies = collections.Counter()
    files = 0
    for sub in ("new", "cur"):
        d = os.path.join(args.maildir, sub)
        for name in os.listdir(d) if os.path.isdir(d) else []:
            with open(os.path.join(d, name), "rb") as f:
                h = parser.parse(f)
            m = pat.search(str(h.get("In-Reply-To", "")))
            if m:
                copies[int(m.group(1))] += 1
                files += 1
    missing = sorted(set(range(total)) - set(copies))
    dups = sum(n - 1 for n in copies.values() if n > 1)
    print("%s: %d acks for %d requests, %d missing, %d duplicates"
          % (args.maildir, files, len(copies), len(missing), dups),
          flush=True)
    if missing:
        fail("%d requests without an ack: %s" % (len(missing), missing[:10]))
    if args.mode == "maildir":
        if dups:
            fail("%d acks in the Maildir more than once: %s" % (
                dups, sorted(i for i, n in copies.items() if n > 1)[:10]))
        tmp = os.path.join(args.maildir, "tmp")
        left = os.listdir(tmp) if os.path.isdir(tmp) else []
        if left:
            fail("left in %s: %s" % (tmp, left[:5]))
    elif dups > nkills:
        fail("%d duplicate acks at the smarthost for %d kills (at most one "
             "per kill)" % (dups, nkills))
    print("seed %d: %s" % (seed, "FAIL" if failed else "PASS"), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
