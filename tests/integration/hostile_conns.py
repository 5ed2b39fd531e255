#!/usr/bin/python3
"""
hostile_conns.py: connection fairness and the in-flight byte budget
against the real daemon (issue 20, items 6 and 4; DESIGN promise 4).

Starts triaged with the default max_connections (200) and
max_connections_per_client (20), short first_command_timeout and
transaction_timeout, and a small max_inflight_bytes, then:

- slowloris: 300 idle connections from 127.0.0.1 hold at most 20 slots
  (the rest get 421 4.7.0 at once); meanwhile a client from 127.0.0.2
  gets 220 and delivers; the idle ones are cut at first_command_timeout,
  long before idle_timeout;
- a client sending NOOP forever is cut at transaction_timeout, while one
  that delivers a message now and then stays;
- several large DATA in parallel beyond max_inflight_bytes: MAIL SIZE=
  and the end of DATA get 452 4.3.1, nothing of it is stored, and the same
  message is accepted once the others have committed.

Linux routes all of 127/8 to lo, so 127.0.0.2 and .3 are other client
addresses.  Timeouts are deadlines, never speed assertions.

Environment (set by `make check`): TRIAGED, TRIAGECTL, top_builddir.
By hand: TRIAGED=build/src/triaged TRIAGECTL=build/src/triagectl
/usr/bin/python3 tests/integration/hostile_conns.py [case ...]
Exit 0 pass, 1 fail, 77 skip (binaries missing), 99 setup error.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hostile_smtp import (Conn, Daemon, Tester, SUPPORT,  # noqa: E402
                          check, run_suite)

FIRST_COMMAND = 3	# first_command_timeout
TRANSACTION = 8		# transaction_timeout
IDLE = 30		# idle_timeout: far above both, so they must act
PER_CLIENT = 20		# the default max_connections_per_client
SLOTS = 200		# the default max_connections
MAX_SIZE = 1024 * 1024
INFLIGHT = 3 * MAX_SIZE
BIG = 900 * 1024	# three of these fit the budget, four do not
LIMITS = {
    "max_message_size": MAX_SIZE,
    "max_line_length": 1000,
    "max_connections": SLOTS,
    "idle_timeout": IDLE,
    "first_command_timeout": FIRST_COMMAND,
    "transaction_timeout": TRANSACTION,
    "max_inflight_bytes": INFLIGHT,
}


class ConnTester(Tester):
    def client(self, proto, source):
        c = Conn(self.d.ports[proto], source=source)
        c.expect(220, "greeting from %s" % source)
        verb = b"LHLO" if proto == "lmtp" else b"EHLO"
        c.send(verb + b" client.example.org\r\n")
        c.expect(250, verb.decode())
        return c

    def deliver(self, c, proto, tag):
        mid = self.uniq(tag)
        self.transaction(c, proto, mid,
                         self.message(mid, mid + "@client.example.org"))
        return mid

    # -- cases -------------------------------------------------------------

    def case_slowloris(self, proto):
        conns, idle, refused = [], [], 0
        try:
            # All 300 first (the kernel completes them before accept), so
            # none of the first 20 has timed out yet when the last comes.
            t0 = time.time()
            for _ in range(300):
                conns.append(Conn(self.d.ports[proto], source="127.0.0.1"))
            for c in conns:
                code, lines = c.reply()
                if code == 220:
                    idle.append(c)
                    continue
                check(code == 421 and b"4.7.0" in lines[-1],
                      "connection beyond the per-address limit: %s %r"
                      % (code, lines))
                check(c.wait_closed(5), "not closed after 421")
                c.close()
                refused += 1
            check(len(idle) == PER_CLIENT,
                  "127.0.0.1 holds %d connections, want %d"
                  % (len(idle), PER_CLIENT))
            check(refused == 300 - PER_CLIENT, "%d refused" % refused)
            # Another address is served at once, and delivers.
            other = self.client(proto, "127.0.0.2")
            mid = self.deliver(other, proto, "slowloris-other")
            other.send(b"QUIT\r\n")
            other.expect(221, "QUIT")
            other.close()
            check(self.d.raw_of(mid) is not None, "delivery not stored")
            # The idle ones are cut at first_command_timeout.
            for c in idle:
                code, lines = c.reply()
                check(code == 421 and b"4.4.2" in lines[-1],
                      "idle connection: want 421 4.4.2, got %s %r"
                      % (code, lines))
                check(c.wait_closed(5), "idle connection not closed")
            waited = time.time() - t0
            check(waited < IDLE, "idle connections cut after %.1f s: that "
                  "is idle_timeout (%d s), not first_command_timeout "
                  "(%d s)" % (waited, IDLE, FIRST_COMMAND))
        finally:
            for c in conns:
                c.close()

    def case_noop_forever(self, proto):
        # NOOP, RSET and HELO do not renew transaction_timeout ...
        t0 = time.time()
        noop = self.client(proto, "127.0.0.3")
        code = None
        while time.time() - t0 < TRANSACTION + 15:
            noop.send(b"NOOP\r\n" if int(time.time() * 2) % 2 else
                      b"RSET\r\n")
            code, lines = noop.reply()
            if code != 250:
                break
            time.sleep(0.5)
        waited = time.time() - t0
        check(code == 421 and b"4.4.2" in lines[-1],
              "NOOP-only client: want 421 4.4.2, got %s %r" % (code, lines))
        check(TRANSACTION - 1 <= waited < IDLE, "NOOP-only client cut "
              "after %.1f s, not by transaction_timeout (%d s)"
              % (waited, TRANSACTION))
        check(noop.wait_closed(5), "not closed after 421")
        noop.close()

    def case_delivering_stays(self, proto):
        # ... but a delivered message does: alive past 1.5 terms.
        c = self.client(proto, "127.0.0.3")
        t0 = time.time()
        self.deliver(c, proto, "term1")
        time.sleep(TRANSACTION * 0.55)
        self.deliver(c, proto, "term2")
        time.sleep(TRANSACTION * 0.55)
        check(time.time() - t0 > TRANSACTION, "test ran too fast")
        c.send(b"NOOP\r\n")
        c.expect(250, "NOOP after two deliveries")
        c.send(b"QUIT\r\n")
        c.expect(221, "QUIT")
        c.close()

    def case_inflight(self, proto):
        body = (b"x" * 998 + b"\r\n") * (BIG // 1000)
        holders, late = [], None
        try:
            # Three big messages being read: most of the budget.
            for i in range(3):
                c = self.client(proto, "127.0.0.%d" % (4 + i))
                mid = self.uniq("inflight%d" % i)
                c.send(b"MAIL FROM:<x@client.example.org>\r\nRCPT TO:<"
                       + SUPPORT.encode() + b">\r\nDATA\r\n")
                c.expect(250, "MAIL FROM")
                c.expect(250, "RCPT TO")
                c.expect(354, "DATA")
                c.send(self.message(mid, "x@client.example.org",
                                    body=body))
                holders.append((c, mid))
            # Once the server has read them, SIZE= finds no room.  A new
            # connection per look: waiting is no mail transaction.
            deadline = time.time() + 20
            while True:
                probe = self.client(proto, "127.0.0.8")
                probe.send(b"MAIL FROM:<late@client.example.org> SIZE=%d"
                           b"\r\n" % BIG)
                code, lines = probe.reply()
                probe.close()
                if code != 250 or time.time() > deadline:
                    break
                time.sleep(0.2)
            check(code == 452 and b"4.3.1" in lines[-1],
                  "MAIL SIZE= beyond the budget: want 452 4.3.1, got %s %r"
                  % (code, lines))
            # Without SIZE= DATA starts, and its end finds no room.
            late = self.client(proto, "127.0.0.8")
            mid = self.uniq("inflight-late")
            late.send(b"MAIL FROM:<late@client.example.org>\r\nRCPT TO:<"
                      + SUPPORT.encode() + b">\r\nDATA\r\n")
            late.expect(250, "MAIL FROM")
            late.expect(250, "RCPT TO")
            code, lines = late.reply()
            if code == 354:
                t, _ = self.send_bg(late, self.message(
                    mid, "late@client.example.org", body=body) + b".\r\n")
                code, lines = late.reply()
                t.join(30)
            check(code == 452 and b"4.3.1" in lines[-1],
                  "DATA beyond the budget: want 452 4.3.1, got %s %r"
                  % (code, lines))
            check(self.d.raw_of(mid) is None, "refused message stored")
            # The three end and commit; then the same message is taken.
            for c, hmid in holders:
                c.send(b".\r\n")
                c.expect(250, "big message in the budget")
            for c, hmid in holders:
                check(self.d.raw_of(hmid) is not None, "big not stored")
            late.close()
            late = self.client(proto, "127.0.0.8")
            late.send(b"MAIL FROM:<late@client.example.org> SIZE=%d\r\n"
                      % BIG)
            late.expect(250, "MAIL SIZE= once the others committed")
            late.send(b"RCPT TO:<" + SUPPORT.encode() + b">\r\nDATA\r\n")
            late.expect(250, "RCPT TO")
            late.expect(354, "DATA")
            t, _ = self.send_bg(late, self.message(
                mid, "late@client.example.org", body=body) + b".\r\n")
            late.expect(250, "the late message, now in the budget")
            t.join(30)
            check(self.d.raw_of(mid) is not None, "late message not stored")
        finally:
            for c, _ in holders:
                c.close()
            if late is not None:
                late.close()


def cases(t):
    """(name, function, expected change in stored messages)."""
    out = []
    for proto in ("smtp", "lmtp"):
        def bind(f, p=proto):
            return lambda: f(p)
        out += [
            (proto + "_slowloris", bind(t.case_slowloris), 1),
            (proto + "_noop_forever", bind(t.case_noop_forever), 0),
            (proto + "_delivering_stays", bind(t.case_delivering_stays), 2),
            (proto + "_inflight", bind(t.case_inflight), 4),
        ]
    return out


def main():
    only = set(sys.argv[1:])

    def run_cases(d):
        t = ConnTester(d)
        for name, func, delta in cases(t):
            if only and name not in only:
                continue
            t.run(name, func, delta)
        return t

    return run_suite("hostile_conns.",
                     lambda b, c, w: Daemon(b, c, w, limits=LIMITS),
                     run_cases)


if __name__ == "__main__":
    sys.exit(main())
