#!/usr/bin/python3
"""A stream of new requests to several triaged instances, as MTAs would
deliver it behind several MX records (tests/integration/multi_*.sh).

Message i (--start <= i < --start + --count) comes from cust<i>@customer.example.org with
Message-ID <multi-<tag>-<i>@customer.example.org>.  Every --both-th
message goes to two instances at once (a retried delivery, two MX hosts
racing), the others to one, round-robin over --port.  Each delivery is
retried as an MTA retries: on a 4xx, a lost connection or a refused one
(a killed instance: then the next instance takes it, as the next MX
would), until the message got a 250 from some instance or --deadline
passed.  --threads connections deliver at once.

On stdout, one line per message: "<i> <code>" with the code of its last
answer (250 when it was accepted somewhere); exit 0 when every message was
accepted.  --kill-file: once that many messages were accepted
(--kill-after), the file is created, so the caller can kill an instance
in the middle of the stream.
"""

import argparse
import os
import smtplib
import sys
import threading
import time


def make(i, tag):
    return ("From: Customer %d <cust%d@customer.example.org>\r\n"
            "To: support@example.test\r\n"
            "Subject: multi %s request %d\r\n"
            "Message-ID: <multi-%s-%d@customer.example.org>\r\n"
            "Date: Mon, 02 Mar 2026 10:00:00 +0000\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "\r\n"
            "Hello, this is request %d of the stream.\r\n"
            % (i, i, tag, i, tag, i, i)).encode()


class Conn:
    def __init__(self, port):
        self.port = port
        self.c = None

    def send(self, raw, sender):
        if self.c is None:
            self.c = smtplib.LMTP("127.0.0.1", self.port, timeout=60)
            self.c.ehlo("mx.example.org")
        code, msg = self.c.mail(sender)
        if code != 250:
            self.c.rset()
            return code
        code, msg = self.c.rcpt("support@example.test")
        if code not in (250, 251):
            self.c.rset()
            return code
        code, msg = self.c.docmd("DATA")
        if code != 354:
            return code
        self.c.send(raw + b".\r\n")
        code, msg = self.c.getreply()
        return code

    def drop(self):
        if self.c is not None:
            try:
                self.c.close()
            except OSError:
                pass
        self.c = None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, action="append", required=True)
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--both", type=int, default=4)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--tag", default="s")
    ap.add_argument("--deadline", type=float, default=150)
    ap.add_argument("--kill-file")
    ap.add_argument("--kill-after", type=int, default=0)
    args = ap.parse_args()

    ports = args.port
    result = {}
    lock = threading.Lock()
    accepted = [0]
    end = time.monotonic() + args.deadline
    work = list(range(args.start, args.start + args.count))

    def deliver(conns, i, k):
        """Delivers message i, first to instance k: its last code."""
        raw = make(i, args.tag)
        sender = "cust%d@customer.example.org" % i
        code = 0
        n = 0
        while time.monotonic() < end:
            conn = conns[(k + n) % len(conns)] if n > 0 and code == -1 \
                else conns[k % len(conns)]
            try:
                code = conn.send(raw, sender)
            except (smtplib.SMTPException, OSError):
                conn.drop()
                code = -1
            if code == 250:
                return 250
            if 500 <= code < 600:
                return code
            n += 1
            time.sleep(0.2)
        return code

    def worker(w):
        conns = [Conn(p) for p in ports]
        both = [Conn(p) for p in ports]
        while True:
            with lock:
                if not work:
                    break
                i = work.pop(0)
            k = (i + w) % len(ports)
            if len(ports) > 1 and args.both > 0 and i % args.both == 0:
                # the same message to two instances at once
                codes = [None, None]

                def one(j, kk):
                    codes[j] = deliver(both if j else conns, i, kk)

                t = threading.Thread(target=one, args=(1, k + 1))
                t.start()
                one(0, k)
                t.join()
                code = 250 if 250 in codes else codes[0]
            else:
                code = deliver(conns, i, k)
            with lock:
                result[i] = code
                if code == 250:
                    accepted[0] += 1
                    if (args.kill_file and
                            accepted[0] == args.kill_after):
                        open(args.kill_file, "w").close()
        for c in conns + both:
            c.drop()

    threads = [threading.Thread(target=worker, args=(w,))
               for w in range(args.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    bad = 0
    for i in range(args.start, args.start + args.count):
        code = result.get(i, 0)
        print("%d %d" % (i, code))
        if code != 250:
            bad += 1
    sys.stdout.flush()
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
