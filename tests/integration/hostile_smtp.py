#!/usr/bin/python3
"""
hostile_smtp.py: hostile SMTP and LMTP clients against the real daemon
(issue 2, "hostile SMTP input"; DESIGN promise 4: bad input gets a clear
answer, never a crash).

Starts triaged on free loopback ports with small limits (message size,
recipients, connections, a 2 s idle timeout) and STARTTLS on a self-signed
certificate, then talks raw sockets to it: a 10 MB command line, a 10 MB
line inside DATA, an oversized message, SIZE= over the limit, 1000 RCPTs,
bare LF, NUL bytes, 8-bit bytes, a stalled client, a relay attempt, bad
command order, pipelined DATA with trailing junk, a disconnect mid-DATA,
connections beyond the limit and a garbage TLS handshake.  Issue 20 adds
SMTP smuggling (only CRLF.CRLF ends DATA, so a transaction hidden behind
"<LF>.<CR><LF>", "<CR><LF>.<LF>" or "<LF>.<LF>" stays text of one
message), a command ending in a bare LF, RCPT postmaster (RFC 5321 4.5.1)
and a sub-address with an '@' in its extension.  Connection fairness and
the in-flight byte budget need other limits: hostile_conns.py.

Each case asserts the reply code, that nothing was half-stored (the number
of requests by triagectl and of stored messages in the database changed by
exactly what the case expects) and that the daemon still answers the next
client.  At the end the daemon must stop cleanly on SIGTERM and its log must
hold no sanitizer report.

Environment (set by `make check`): TRIAGED, TRIAGECTL, top_builddir.
Run by hand: TRIAGED=build/src/triaged TRIAGECTL=build/src/triagectl
/usr/bin/python3 tests/integration/hostile_smtp.py [case ...]
Exit 0 pass, 1 fail, 77 skip (binaries missing), 99 setup error.
"""

import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "peers"))
import testdb  # noqa: E402  (the database on either engine)

SUPPORT = "support@example.test"
MAX_SIZE = 200000
MAX_LINE = 65536
MAX_RCPTS = 100
MAX_CONNS = 8
IDLE = 2
TEN_MB = 10 * 1024 * 1024
IO_TIMEOUT = 30.0


class Fail(Exception):
    """A failed assertion inside one case."""


def check(cond, what):
    if not cond:
        raise Fail(what)


def find_binary(env, name):
    path = os.environ.get(env)
    if path:
        return path
    builddir = os.environ.get("top_builddir", ".")
    return os.path.join(builddir, "src", name)


class Daemon:
    """One triaged process in a temp dir; stopped by its PID.  limits
    (a dict) overrides or adds settings of the limits group."""

    def __init__(self, triaged, triagectl, workdir, limits=None):
        self.limits = {"max_message_size": MAX_SIZE,
                       "max_line_length": MAX_LINE,
                       "max_recipients": MAX_RCPTS,
                       "max_connections": MAX_CONNS,
                       "idle_timeout": IDLE}
        self.limits.update(limits or {})
        self.triaged = triaged
        self.triagectl = triagectl
        self.workdir = workdir
        self.conf = os.path.join(workdir, "triaged.conf")
        # SQLite's file, or a PostgreSQL database under TRIAGED_TEST_DB=pg
        self.db = testdb.test_database(workdir, "hostile")
        self.log = os.path.join(workdir, "triaged.log")
        self.proc = None
        self.ports = {}
        self.tls = False

    def write_config(self):
        cert = os.path.join(self.workdir, "cert.pem")
        key = os.path.join(self.workdir, "key.pem")
        if shutil.which("openssl"):
            r = subprocess.run(["openssl", "req", "-x509", "-newkey",
                                "rsa:2048", "-nodes", "-days", "2",
                                "-subj", "/CN=localhost", "-keyout", key,
                                "-out", cert], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
            self.tls = r.returncode == 0
        limits = "\n".join("  %s = %d;" % kv for kv in self.limits.items())
        with open(self.conf, "w") as f:
            f.write(f'''
hostname = "triaged.example.test";
database = "{self.db}";
log_level = "info";
# run as root in CI: a root start without user is refused
user = "root";
support = {{
  addresses = [ "{SUPPORT}" ];
  name = "Example Support";
}};
listen = (
  {{ protocol = "lmtp"; address = "127.0.0.1"; port = 0; }},
  {{ protocol = "smtp"; address = "127.0.0.1"; port = 0; }}
);
tls = {{
  certificate = "{cert if self.tls else ""}";
  key = "{key if self.tls else ""}";
}};
limits = {{
{limits}
}};
outgoing = {{
  maildir = "{self.workdir}/outgoing";
}};
acknowledgement = {{
  enabled = true;
  rate_limit = 0;
}};
''')

    def start(self):
        logf = open(self.log, "ab")
        self.proc = subprocess.Popen([self.triaged, "-c", self.conf],
                                     cwd=self.workdir, stdin=subprocess.DEVNULL,
                                     stdout=logf, stderr=logf)
        logf.close()
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("triaged exited with %d before ready"
                                   % self.proc.returncode)
            with open(self.log, "rb") as f:
                for line in f.read().decode("utf-8", "replace").splitlines():
                    if " ready" in line or line.startswith("ready"):
                        for proto, port in re.findall(
                                r"\b(lmtp|smtp)=[0-9.]+:(\d+)", line):
                            self.ports[proto] = int(port)
            if "lmtp" in self.ports and "smtp" in self.ports:
                return
            time.sleep(0.05)
        raise RuntimeError("no ready line with lmtp= and smtp= within 30 s")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=15):
        """SIGTERM, then SIGKILL after timeout; returns the exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return "killed after SIGTERM timeout"
        return self.proc.returncode

    def log_text(self):
        try:
            with open(self.log, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def counts(self):
        """(requests per triagectl, inbound messages in the database)."""
        r = subprocess.run([self.triagectl, "-c", self.conf, "list",
                            "--limit", "1000000", "--json"],
                           cwd=self.workdir, capture_output=True, timeout=60)
        if r.returncode != 0:
            raise Fail("triagectl list failed: %s"
                       % r.stderr.decode("utf-8", "replace").strip())
        try:
            requests = len(json.loads(r.stdout)["requests"])
        except (ValueError, KeyError) as e:
            raise Fail("triagectl list --json: bad JSON (%s)" % e)
        return requests, self.db_messages()

    def db_messages(self):
        con = testdb.connect(self.db)
        try:
            return con.execute("SELECT count(*) FROM messages "
                               "WHERE direction = 'in'").fetchone()[0]
        finally:
            con.close()

    def raw_of(self, marker):
        """The raw blob of the inbound message whose Message-ID holds marker."""
        con = testdb.connect(self.db)
        try:
            row = con.execute("SELECT raw FROM messages WHERE message_id "
                              "LIKE ?", ("%" + marker + "%",)).fetchone()
        finally:
            con.close()
        if row is None or row[0] is None:
            return None
        return bytes(row[0]) if not isinstance(row[0], str) \
            else row[0].encode("utf-8", "surrogateescape")


class Conn:
    """A raw client connection that reads SMTP replies."""

    def __init__(self, port, timeout=IO_TIMEOUT, source=None):
        self.sock = socket.create_connection(
            ("127.0.0.1", port), timeout,
            source_address=(source, 0) if source else None)
        self.sock.settimeout(timeout)
        self.buf = b""
        self.closed = False

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self):
        try:
            chunk = self.sock.recv(65536)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            self.closed = True
            return False
        self.buf += chunk
        return True

    def line(self):
        """One reply line without CRLF, or None on EOF."""
        while b"\n" not in self.buf:
            if self.closed or not self._fill():
                return None
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r")

    def reply(self):
        """(code, [lines]) of one possibly multi-line reply, or (None, [])."""
        lines = []
        while True:
            line = self.line()
            if line is None:
                return None, lines
            lines.append(line)
            if len(line) < 4 or line[3:4] != b"-":
                break
        try:
            code = int(lines[-1][:3])
        except ValueError:
            raise Fail("not an SMTP reply: %r" % lines[-1][:200])
        return code, lines

    def code(self):
        return self.reply()[0]

    def expect(self, want, what):
        code, lines = self.reply()
        ok = code in want if isinstance(want, (tuple, list, set)) \
            else code == want
        check(ok, "%s: want %s, got %s %r" % (what, want, code,
                                             lines[-1:] if lines else "EOF"))
        return lines

    def wait_closed(self, timeout):
        """True if the server closes the connection within timeout."""
        self.sock.settimeout(timeout)
        try:
            while self._fill():
                pass
        except socket.timeout:
            return False
        finally:
            self.sock.settimeout(IO_TIMEOUT)
        return True

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Tester:
    def __init__(self, daemon):
        self.d = daemon
        self.results = []

    # -- helpers ---------------------------------------------------------

    def hello(self, proto, port=None):
        """Connects, reads the greeting and says EHLO/LHLO; returns (conn, ext)."""
        c = Conn(port or self.d.ports[proto])
        c.expect(220, "greeting")
        verb = b"LHLO" if proto == "lmtp" else b"EHLO"
        c.send(verb + b" client.example.org\r\n")
        lines = c.expect(250, verb.decode())
        ext = [l[4:].decode("ascii", "replace").upper() for l in lines[1:]]
        return c, ext

    @staticmethod
    def message(mid, sender, body=b"Hello,\r\nplease help.\r\n",
                extra=b""):
        return (b"From: Customer <" + sender.encode() + b">\r\n"
                b"To: <" + SUPPORT.encode() + b">\r\n"
                b"Subject: hostile test " + mid.encode() + b"\r\n"
                b"Message-ID: <" + mid.encode() + b"@client.example.org>\r\n"
                + extra + b"\r\n" + body)

    @staticmethod
    def uniq(tag):
        return "%s-%s" % (tag, uuid.uuid4().hex[:12])

    def transaction(self, c, proto, mid, data, nrcpts=1, want=250):
        """MAIL/RCPT/DATA with data (already CRLF, not dot-stuffed)."""
        c.send(b"MAIL FROM:<" + mid.encode() + b"@client.example.org>\r\n")
        c.expect(250, "MAIL FROM")
        for _ in range(nrcpts):
            c.send(b"RCPT TO:<" + SUPPORT.encode() + b">\r\n")
            c.expect(250, "RCPT TO")
        c.send(b"DATA\r\n")
        c.expect(354, "DATA")
        c.send(data + b".\r\n")
        for _ in range(nrcpts if proto == "lmtp" else 1):
            c.expect(want, "end of DATA")

    def next_client_ok(self):
        """The daemon runs and a fresh client on each port gets served."""
        check(self.d.alive(), "daemon died (exit %s)" % self.d.proc.poll())
        for proto in ("smtp", "lmtp"):
            # A just-closed connection may still count against
            # max_connections for a moment: retry the greeting briefly.
            deadline = time.time() + 5
            while True:
                c = Conn(self.d.ports[proto])
                code, lines = c.reply()
                if code == 220 or time.time() > deadline:
                    break
                c.close()
                time.sleep(0.1)
            check(code == 220, "next %s client: greeting %s %r"
                  % (proto, code, lines))
            c.send(b"LHLO x\r\n" if proto == "lmtp" else b"EHLO x\r\n")
            c.expect(250, "next %s client: hello" % proto)
            c.send(b"NOOP\r\n")
            c.expect(250, "next %s client: NOOP" % proto)
            c.send(b"QUIT\r\n")
            c.expect(221, "next %s client: QUIT" % proto)
            c.close()

    def run(self, name, func, delta=0, settle=0.3):
        """Runs one case; delta is the expected change in stored messages."""
        print("--- %s" % name, flush=True)
        try:
            before = self.d.counts()
            func()
            time.sleep(settle)	# let a wrongly accepted message commit
            self.next_client_ok()
            after = self.d.counts()
            check(after[1] - before[1] == delta,
                  "stored messages changed by %d, want %d"
                  % (after[1] - before[1], delta))
            check(after[0] - before[0] == delta,
                  "triagectl requests changed by %d, want %d"
                  % (after[0] - before[0], delta))
        except Fail as e:
            self.results.append((name, str(e)))
            print("FAIL %s: %s" % (name, e), flush=True)
            return
        except (OSError, socket.timeout) as e:
            self.results.append((name, "socket error: %r" % e))
            print("FAIL %s: socket error %r" % (name, e), flush=True)
            return
        self.results.append((name, None))
        print("ok   %s" % name, flush=True)

    def send_bg(self, c, data):
        """Sends data from a thread, so replies can be read meanwhile."""
        state = {"error": None}

        def sender():
            try:
                c.sock.sendall(data)
            except OSError as e:
                state["error"] = e
        t = threading.Thread(target=sender, daemon=True)
        t.start()
        return t, state

    # -- cases -------------------------------------------------------------

    def case_long_command(self, proto):
        c, _ = self.hello(proto)
        t, _ = self.send_bg(c, b"MAIL FROM:<" + b"a" * TEN_MB
                            + b"@example.org>\r\n")
        code, lines = c.reply()
        check(code == 500, "10 MB command line: want 500, got %s %r"
              % (code, lines[-1:]))
        t.join(IO_TIMEOUT)
        c.close()

    def case_long_data_line(self, proto):
        c, _ = self.hello(proto)
        mid = self.uniq("longline")
        c.send(b"MAIL FROM:<x@client.example.org>\r\n")
        c.expect(250, "MAIL FROM")
        c.send(b"RCPT TO:<" + SUPPORT.encode() + b">\r\n")
        c.expect(250, "RCPT TO")
        c.send(b"DATA\r\n")
        c.expect(354, "DATA")
        data = self.message(mid, "x@client.example.org",
                            body=b"x" * TEN_MB + b"\r\n") + b".\r\n"
        t, st = self.send_bg(c, data)
        c.expect(552, "10 MB line in DATA, end of data")
        t.join(IO_TIMEOUT)
        check(st["error"] is None, "send failed: %r" % st["error"])
        # The transaction is over, the session is not.
        c.send(b"NOOP\r\n")
        c.expect(250, "NOOP after 552")
        c.close()

    def case_long_data_line_small(self, proto):
        # Over max_line_length but under max_message_size.
        c, _ = self.hello(proto)
        mid = self.uniq("line")
        c.send(b"MAIL FROM:<x@client.example.org>\r\nRCPT TO:<"
               + SUPPORT.encode() + b">\r\n")
        c.expect(250, "MAIL FROM")
        c.expect(250, "RCPT TO")
        c.send(b"DATA\r\n")
        c.expect(354, "DATA")
        c.send(self.message(mid, "x@client.example.org",
                            body=b"y" * (MAX_LINE + 100) + b"\r\n")
               + b".\r\n")
        c.expect((500, 552), "line over max_line_length, end of data")
        c.send(b"QUIT\r\n")
        c.expect(221, "QUIT")
        c.close()

    def case_oversize(self, proto):
        c, _ = self.hello(proto)
        mid = self.uniq("big")
        body = (b"z" * 76 + b"\r\n") * (MAX_SIZE // 78 + 200)
        c.send(b"MAIL FROM:<x@client.example.org>\r\nRCPT TO:<"
               + SUPPORT.encode() + b">\r\n")
        c.expect(250, "MAIL FROM")
        c.expect(250, "RCPT TO")
        c.send(b"DATA\r\n")
        c.expect(354, "DATA")
        t, _ = self.send_bg(c, self.message(mid, "x@client.example.org",
                                            body=body) + b".\r\n")
        c.expect(552, "message over max_message_size")
        t.join(IO_TIMEOUT)
        c.send(b"QUIT\r\n")
        c.expect(221, "QUIT after 552")
        c.close()

    def case_size_param(self, proto):
        c, ext = self.hello(proto)
        check(any(e.startswith("SIZE") for e in ext),
              "%s reply lacks SIZE: %r" % (proto, ext))
        sizes = [e.split()[1] for e in ext
                 if e.startswith("SIZE ") and len(e.split()) > 1]
        check(not sizes or int(sizes[0]) == MAX_SIZE,
              "SIZE advertises %r, want %d" % (sizes, MAX_SIZE))
        c.send(b"MAIL FROM:<x@client.example.org> SIZE=%d\r\n"
               % (MAX_SIZE + 1))
        c.expect(552, "MAIL FROM SIZE= over the limit")
        c.send(b"MAIL FROM:<x@client.example.org> SIZE=100\r\n")
        c.expect(250, "MAIL FROM with a fine SIZE=")
        c.send(b"QUIT\r\n")
        c.expect(221, "QUIT")
        c.close()

    def case_many_rcpts(self, proto):
        c, _ = self.hello(proto)
        mid = self.uniq("rcpts")
        c.send(b"MAIL FROM:<" + mid.encode() + b"@client.example.org>\r\n")
        c.expect(250, "MAIL FROM")
        c.send(b"RCPT TO:<" + SUPPORT.encode() + b">\r\n")
        # The remaining 999 in one pipelined write.
        t, _ = self.send_bg(c, (b"RCPT TO:<" + SUPPORT.encode() + b">\r\n")
                            * 999)
        codes = []
        for i in range(1000):
            codes.append(c.code())
        t.join(IO_TIMEOUT)
        n250 = codes.count(250)
        n452 = codes.count(452)
        check(codes[:MAX_RCPTS] == [250] * MAX_RCPTS,
              "first %d RCPTs not all 250: %r" % (MAX_RCPTS,
                                                 sorted(set(codes[:MAX_RCPTS]),
                                                        key=str)))
        check(n452 == 1000 - MAX_RCPTS,
              "want %d x 452 after max_recipients, got 250 x %d, 452 x %d, "
              "others %r" % (1000 - MAX_RCPTS, n250, n452,
                             sorted(set(codes) - {250, 452}, key=str)))
        c.send(b"DATA\r\n")
        c.expect(354, "DATA after 1000 RCPTs")
        c.send(self.message(mid, mid + "@client.example.org") + b".\r\n")
        for i in range(MAX_RCPTS if proto == "lmtp" else 1):
            c.expect(250, "end of DATA reply %d" % (i + 1))
        c.send(b"QUIT\r\n")
        c.expect(221, "QUIT")
        c.close()

    def case_bare_lf(self, proto):
        # Lines ending in a bare LF (a Unix file sent as is): lines of
        # text, stored; only the real CRLF.CRLF ends the message.
        c, _ = self.hello(proto)
        mid = self.uniq("barelf")
        data = self.message(mid, mid + "@client.example.org",
                            body=b"line one\nline two\nline three\n")
        data = data.replace(b"\r\n", b"\n")
        c.send(b"MAIL FROM:<x@client.example.org>\r\nRCPT TO:<"
               + SUPPORT.encode() + b">\r\n")
        c.expect(250, "MAIL FROM")
        c.expect(250, "RCPT TO")
        c.send(b"DATA\r\n")
        c.expect(354, "DATA")
        c.send(data + b".\n\r\n.\r\n")	# ".\n" ends nothing
        c.expect(250, "bare-LF message")
        c.send(b"NOOP\r\n")
        lines = c.expect(250, "NOOP after the message")
        check(b"2.0.0" in lines[-1], "NOOP answered %r" % lines[-1])
        c.send(b"QUIT\r\n")
        c.expect(221, "QUIT")
        c.close()
        raw = self.d.raw_of(mid)
        check(raw is not None and b"line two\nline three\n" in raw,
              "bare-LF message not stored with its body")

    def case_bare_lf_command(self, proto):
        c, _ = self.hello(proto)
        c.send(b"MAIL FROM:<x@client.example.org>\n")
        lines = c.expect(500, "MAIL FROM ending in a bare LF")
        check(b"5.5.2" in lines[-1], "bare LF command: %r" % lines[-1])
        c.send(b"RCPT TO:<" + SUPPORT.encode() + b">\r\n")
        c.expect(503, "RCPT after the refused MAIL (it must not have run)")
        c.send(b"QUIT\r\n")
        c.expect(221, "QUIT")
        c.close()

    def smuggle(self, proto, end):
        """A message whose body hides a second transaction behind a
        non-standard end of data (end), followed by the real CRLF.CRLF:
        one message, one answer, holding the hidden transaction as text;
        the hidden MAIL/RCPT/DATA never run, the smuggled message is
        never stored as one of its own."""
        c, _ = self.hello(proto)
        outer = self.uniq("outer")
        inner = self.uniq("smuggled")
        hidden = (b"MAIL FROM:<evil@attacker.example>\r\n"
                  b"RCPT TO:<" + SUPPORT.encode() + b">\r\n"
                  b"DATA\r\n"
                  + self.message(inner, "ceo@example.test",
                                 body=b"wire the money\r\n")
                  + b".\r\n")
        data = (self.message(outer, "x@client.example.org",
                             body=b"harmless\r\nlast line")
                + end + hidden)
        c.send(b"MAIL FROM:<x@client.example.org>\r\nRCPT TO:<"
               + SUPPORT.encode() + b">\r\n")
        c.expect(250, "MAIL FROM")
        c.expect(250, "RCPT TO")
        c.send(b"DATA\r\n")
        c.expect(354, "DATA")
        c.send(data)
        c.expect(250, "smuggling payload %r as one message" % end)
        # The next reply is NOOP's own (2.0.0), not a hidden command's.
        c.send(b"NOOP\r\n")
        lines = c.expect(250, "NOOP after the smuggling payload")
        check(b"2.0.0" in lines[-1], "reply after the payload is not "
              "NOOP's: %r (a hidden command ran)" % lines[-1])
        c.send(b"QUIT\r\n")
        c.expect(221, "QUIT")
        c.close()
        raw = self.d.raw_of(outer)
        check(raw is not None and b"MAIL FROM:<evil@attacker.example>\r\n"
              b"RCPT TO:" in raw, "the carrying message was not stored "
              "with the hidden transaction as its text")
        check(self.d.raw_of(inner) is None,
              "the smuggled message was stored as a message of its own")

    def case_smuggle_lf_dot_crlf(self, proto):
        self.smuggle(proto, b"\n.\r\n")

    def case_smuggle_crlf_dot_lf(self, proto):
        self.smuggle(proto, b"\r\n.\n")

    def case_smuggle_lf_dot_lf(self, proto):
        self.smuggle(proto, b"\n.\n")

    def case_postmaster(self, proto):
        # RFC 5321 4.5.1: postmaster, any case, bare or at our domains.
        c, _ = self.hello(proto)
        mid = self.uniq("postmaster")
        c.send(b"MAIL FROM:<" + mid.encode() + b"@client.example.org>\r\n")
        c.expect(250, "MAIL FROM")
        forms = [b"postmaster", b"Postmaster", b"POSTMASTER@example.test",
                 b"postmaster@triaged.example.test"]
        for rcpt in forms:
            c.send(b"RCPT TO:<" + rcpt + b">\r\n")
            c.expect(250, "RCPT TO:<%s>" % rcpt.decode())
        for rcpt in (b"postmaster@elsewhere.example.net",
                     b"postmaster@elsewhere.example.net@example.test"):
            c.send(b"RCPT TO:<" + rcpt + b">\r\n")
            c.expect(550, "RCPT TO:<%s>" % rcpt.decode())
        c.send(b"DATA\r\n")
        c.expect(354, "DATA")
        c.send(self.message(mid, mid + "@client.example.org",
                            body=b"Your server bounced my mail.\r\n")
               + b".\r\n")
        for _ in range(len(forms) if proto == "lmtp" else 1):
            c.expect(250, "message to postmaster")
        c.send(b"QUIT\r\n")
        c.expect(221, "QUIT")
        c.close()
        check(self.d.raw_of(mid) is not None,
              "the message to postmaster was not stored")

    def case_subaddress_with_at(self, proto):
        c, _ = self.hello(proto)
        c.send(b"MAIL FROM:<x@client.example.org>\r\n")
        c.expect(250, "MAIL FROM")
        local, domain = SUPPORT.split("@")
        for rcpt in ("%s+@elsewhere.example@%s" % (local, domain),
                     "%s+x@elsewhere.example@%s" % (local, domain)):
            c.send(b"RCPT TO:<" + rcpt.encode() + b">\r\n")
            c.expect(550, "RCPT TO:<%s>" % rcpt)
        c.send(b"RCPT TO:<%s+billing@%s>\r\n"
               % (local.encode(), domain.encode()))
        c.expect(250, "a real sub-address")
        c.send(b"QUIT\r\n")
        c.expect(221, "QUIT")
        c.close()

    def case_nul_command(self, proto):
        c, _ = self.hello(proto)
        c.send(b"NO\x00OP\r\n")
        c.expect(500, "NUL in the command verb")
        # A NUL must not cut a line into a valid command.
        c.send(b"NOOP\x00 trailing\r\n")
        c.expect(500, "NUL after a valid command")
        c.send(b"RSET\x00\r\n")
        c.expect(500, "NUL at the end of a valid command")
        c.send(b"MAIL FROM:<nul\x00byte@client.example.org>\r\n")
        lines = c.expect((500, 501), "NUL in the MAIL FROM argument")
        print("     NUL in MAIL FROM answered %s" % (lines[-1:],))
        c.send(b"NOOP\r\n")
        c.expect(250, "NOOP after NUL")
        c.send(b"QUIT\r\n")
        c.expect(221, "QUIT")
        c.close()

    def case_nul_body(self, proto):
        c, _ = self.hello(proto)
        mid = self.uniq("nulbody")
        data = self.message(mid, mid + "@client.example.org",
                            body=b"before\x00after-nul-marker\r\n")
        self.transaction(c, proto, mid, data)
        c.send(b"QUIT\r\n")
        c.expect(221, "QUIT")
        c.close()
        raw = self.d.raw_of(mid)
        check(raw is not None, "NUL message not found in the database")
        check(b"before\x00after-nul-marker" in raw,
              "stored raw message lost the NUL byte or what follows it")

    def case_eight_bit_command(self, proto):
        c, ext = self.hello(proto)
        c.send(b"\xff\xfeNOOP\r\n")
        c.expect(500, "8-bit bytes in the verb")
        c.send(b"MAIL FROM:<j\xc3\xb6rg\xff@client.example.org>\r\n")
        code, lines = c.reply()
        print("     8-bit MAIL FROM answered %s" % (lines[-1:],))
        # Without SMTPUTF8 an 8-bit address is not a valid command.
        ok = (500, 501, 553) if "SMTPUTF8" not in ext else (250, 500, 501,
                                                           553)
        check(code in ok, "8-bit MAIL FROM (SMTPUTF8 %s): want %s, got %s "
              "%r" % ("SMTPUTF8" in ext, ok, code, lines))
        if code == 250:
            c.send(b"RSET\r\n")
            c.expect(250, "RSET")
        c.send(b"NOOP\r\n")
        c.expect(250, "NOOP after 8-bit")
        c.send(b"QUIT\r\n")
        c.expect(221, "QUIT")
        c.close()

    def case_stall(self, proto):
        c = Conn(self.d.ports[proto])
        c.expect(220, "greeting")
        t0 = time.time()
        code, lines = c.reply()	# send nothing at all
        waited = time.time() - t0
        check(code == 421, "idle client: want 421, got %s %r"
              % (code, lines))
        check(IDLE - 0.5 <= waited <= IDLE + 5,
              "421 after %.1f s, idle_timeout is %d s" % (waited, IDLE))
        check(c.wait_closed(5), "connection not closed after 421")
        c.close()

    def case_stall_in_data(self, proto):
        c, _ = self.hello(proto)
        mid = self.uniq("slowdata")
        c.send(b"MAIL FROM:<x@client.example.org>\r\nRCPT TO:<"
               + SUPPORT.encode() + b">\r\n")
        c.expect(250, "MAIL FROM")
        c.expect(250, "RCPT TO")
        c.send(b"DATA\r\n")
        c.expect(354, "DATA")
        c.send(self.message(mid, "x@client.example.org")[:60])
        code, lines = c.reply()
        check(code == 421, "client stalled in DATA: want 421, got %s %r"
              % (code, lines))
        check(c.wait_closed(5), "connection not closed after 421")
        c.close()

    def case_relay(self, proto):
        c, _ = self.hello(proto)
        c.send(b"MAIL FROM:<x@client.example.org>\r\n")
        c.expect(250, "MAIL FROM")
        c.send(b"RCPT TO:<victim@elsewhere.example.net>\r\n")
        lines = c.expect(550, "relay attempt")
        want = b"5.7.1" if proto == "smtp" else b"5.1.1"
        check(want in lines[-1], "relay reply lacks %s: %r"
              % (want.decode(), lines[-1]))
        c.send(b"RCPT TO:<nobody@example.test>\r\n")
        c.expect(550, "unknown local recipient")
        c.send(b"DATA\r\n")
        c.expect((503, 554), "DATA with only refused recipients")
        c.send(b"QUIT\r\n")
        c.expect(221, "QUIT")
        c.close()

    def case_bad_sequence(self, proto):
        c, _ = self.hello(proto)
        c.send(b"RCPT TO:<" + SUPPORT.encode() + b">\r\n")
        c.expect(503, "RCPT before MAIL")
        c.send(b"DATA\r\n")
        c.expect(503, "DATA before MAIL")
        c.send(b"MAIL FROM:<x@client.example.org>\r\n")
        c.expect(250, "MAIL FROM")
        c.send(b"MAIL FROM:<y@client.example.org>\r\n")
        c.expect(503, "nested MAIL")
        c.send(b"DATA\r\n")
        c.expect((503, 554), "DATA without RCPT")
        c.send(b"RSET\r\n")
        c.expect(250, "RSET")
        c.send(b"QUIT\r\n")
        c.expect(221, "QUIT")
        c.close()

    def case_pipelined_junk(self, proto):
        c, ext = self.hello(proto)
        check("PIPELINING" in ext, "PIPELINING not advertised: %r" % ext)
        mid = self.uniq("pipe")
        data = self.message(mid, mid + "@client.example.org")
        c.send(b"MAIL FROM:<" + mid.encode() + b"@client.example.org>\r\n"
               b"RCPT TO:<" + SUPPORT.encode() + b">\r\n"
               b"DATA\r\n" + data + b".\r\n"
               b"JUNK \x01\x02 trailing garbage\r\n"
               b"QUIT\r\n")
        c.expect(250, "pipelined MAIL")
        c.expect(250, "pipelined RCPT")
        c.expect(354, "pipelined DATA")
        c.expect(250, "pipelined message")
        c.expect(500, "trailing junk")
        c.expect(221, "pipelined QUIT")
        c.close()

    def case_disconnect_mid_data(self, proto):
        c, _ = self.hello(proto)
        mid = self.uniq("cut")
        c.send(b"MAIL FROM:<x@client.example.org>\r\nRCPT TO:<"
               + SUPPORT.encode() + b">\r\n")
        c.expect(250, "MAIL FROM")
        c.expect(250, "RCPT TO")
        c.send(b"DATA\r\n")
        c.expect(354, "DATA")
        c.send(self.message(mid, "x@client.example.org",
                            body=b"half a message\r\n" * 100))
        c.sock.shutdown(socket.SHUT_RDWR)
        c.close()
        time.sleep(0.5)
        check(self.d.raw_of(mid) is None, "half message was stored")

    def case_max_connections(self, proto):
        conns = []
        try:
            for i in range(MAX_CONNS):
                c = Conn(self.d.ports[proto])
                c.expect(220, "connection %d of %d" % (i + 1, MAX_CONNS))
                conns.append(c)
            extra = Conn(self.d.ports[proto])
            conns.append(extra)
            extra.expect(421, "connection beyond max_connections")
            check(extra.wait_closed(5), "connection not closed after 421")
            # The allowed ones still work.
            conns[0].send(b"NOOP\r\n")
            conns[0].expect(250, "NOOP on an allowed connection")
        finally:
            for c in conns:
                c.close()

    def case_starttls_garbage(self, proto):
        c, ext = self.hello("smtp")
        check("STARTTLS" in ext, "STARTTLS not advertised: %r" % ext)
        c.send(b"STARTTLS\r\n")
        c.expect(220, "STARTTLS")
        c.send(b"\x16\x03\x01\x00\x10this is no client hello\r\n"
               + os.urandom(512))
        check(c.wait_closed(IDLE + 5),
              "server did not close after a garbage handshake")
        c.close()

    def case_starttls_injection(self, proto):
        # Plaintext pipelined after STARTTLS must not run inside TLS
        # (CVE-2011-0411 class).
        c, ext = self.hello("smtp")
        check("STARTTLS" in ext, "STARTTLS not advertised: %r" % ext)
        c.send(b"STARTTLS\r\nRSET\r\n")
        code, lines = c.reply()
        print("     STARTTLS with pipelined RSET answered %s" % (lines[-1:],))
        if code != 220:
            check(code is not None and 500 <= code < 600,
                  "STARTTLS+injection: got %s %r" % (code, lines))
            c.close()
            return
        check(c.buf == b"", "reply bytes after 220 STARTTLS")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        try:
            tls = ctx.wrap_socket(c.sock, server_hostname="localhost")
        except (ssl.SSLError, OSError) as e:
            raise Fail("TLS handshake after 220 failed (the plaintext "
                       "pipelined after STARTTLS was not discarded?): %r"
                       % e)
        c.sock = tls
        c.send(b"EHLO client.example.org\r\n")
        lines = c.expect(250, "EHLO inside TLS")
        check(len(lines) > 1,
              "first reply inside TLS is single-line %r: the injected "
              "plaintext RSET was executed inside TLS" % lines)
        check(not any(l[4:].upper().startswith(b"STARTTLS")
                      for l in lines[1:]),
              "STARTTLS advertised again inside TLS")
        mid = self.uniq("tls")
        self.transaction(c, "smtp", mid,
                         self.message(mid, mid + "@client.example.org"))
        c.send(b"QUIT\r\n")
        c.expect(221, "QUIT in TLS")
        c.close()

    def case_lmtp_ehlo(self, proto):
        c = Conn(self.d.ports["lmtp"])
        c.expect(220, "greeting")
        c.send(b"EHLO client.example.org\r\n")
        c.expect((500, 502), "EHLO on LMTP")
        c.send(b"HELO client.example.org\r\n")
        c.expect((500, 502), "HELO on LMTP")
        c.send(b"QUIT\r\n")
        c.expect(221, "QUIT")
        c.close()

    def case_good_after_all(self, proto):
        c, _ = self.hello(proto)
        mid = self.uniq("good")
        self.transaction(c, proto, mid,
                         self.message(mid, mid + "@client.example.org"))
        c.send(b"QUIT\r\n")
        c.expect(221, "QUIT")
        c.close()


def cases(tester, tls):
    """(name, function, expected change in stored messages)."""
    out = []
    for proto in ("smtp", "lmtp"):
        def bind(f, p=proto):
            return lambda: f(p)
        t = tester
        out += [
            (proto + "_long_command", bind(t.case_long_command), 0),
            (proto + "_long_data_line", bind(t.case_long_data_line), 0),
            (proto + "_long_data_line_small",
             bind(t.case_long_data_line_small), 0),
            (proto + "_oversize_message", bind(t.case_oversize), 0),
            (proto + "_size_param", bind(t.case_size_param), 0),
            (proto + "_1000_rcpts", bind(t.case_many_rcpts), 1),
            (proto + "_bare_lf", bind(t.case_bare_lf), 1),
            (proto + "_bare_lf_command", bind(t.case_bare_lf_command), 0),
            (proto + "_smuggle_lf_dot_crlf",
             bind(t.case_smuggle_lf_dot_crlf), 1),
            (proto + "_smuggle_crlf_dot_lf",
             bind(t.case_smuggle_crlf_dot_lf), 1),
            (proto + "_smuggle_lf_dot_lf", bind(t.case_smuggle_lf_dot_lf), 1),
            (proto + "_postmaster", bind(t.case_postmaster), 1),
            (proto + "_subaddress_with_at",
             bind(t.case_subaddress_with_at), 0),
            (proto + "_nul_command", bind(t.case_nul_command), 0),
            (proto + "_nul_body", bind(t.case_nul_body), 1),
            (proto + "_eight_bit_command", bind(t.case_eight_bit_command), 0),
            (proto + "_stall", bind(t.case_stall), 0),
            (proto + "_stall_in_data", bind(t.case_stall_in_data), 0),
            (proto + "_relay", bind(t.case_relay), 0),
            (proto + "_bad_sequence", bind(t.case_bad_sequence), 0),
            (proto + "_pipelined_junk", bind(t.case_pipelined_junk), 1),
            (proto + "_disconnect_mid_data",
             bind(t.case_disconnect_mid_data), 0),
            (proto + "_max_connections", bind(t.case_max_connections), 0),
        ]
    out.append(("lmtp_ehlo_refused", lambda: tester.case_lmtp_ehlo("lmtp"),
                0))
    if tls:
        out.append(("smtp_starttls_garbage",
                    lambda: tester.case_starttls_garbage("smtp"), 0))
        out.append(("smtp_starttls_injection",
                    lambda: tester.case_starttls_injection("smtp"), None))
    out.append(("smtp_good_after_all",
                lambda: tester.case_good_after_all("smtp"), 1))
    out.append(("lmtp_good_after_all",
                lambda: tester.case_good_after_all("lmtp"), 1))
    return out


def run_suite(prefix, make_daemon, run_cases):
    """The frame every hostile-client suite shares (this file and
    hostile_conns.py): a daemon from make_daemon(triaged, triagectl,
    workdir), run_cases(d) running the cases and returning its Tester,
    then SIGTERM's exit status and the log's sanitizer reports as two
    more results, a summary, the work directory kept on failure.
    Returns the exit status for the test harness (77 skip, 99 error)."""
    triaged = find_binary("TRIAGED", "triaged")
    triagectl = find_binary("TRIAGECTL", "triagectl")
    for b in (triaged, triagectl):
        if not os.access(b, os.X_OK):
            print("SKIP: %s not built" % b)
            return 77
    workdir = tempfile.mkdtemp(prefix=prefix)
    d = make_daemon(triaged, triagectl, workdir)
    if d.db is None:
        shutil.rmtree(workdir, ignore_errors=True)
        print("SKIP: TRIAGED_TEST_DB=pg without a cluster (make check-pg)")
        return 77
    failed = True
    try:
        d.write_config()
        try:
            d.start()
        except RuntimeError as e:
            print("ERROR: %s" % e)
            print(d.log_text()[-4000:])
            return 99
        print("triaged pid %d lmtp=%d smtp=%d tls=%s"
              % (d.proc.pid, d.ports["lmtp"], d.ports["smtp"], d.tls),
              flush=True)
        t = run_cases(d)
        status = d.stop()
        if status != 0:
            t.results.append(("sigterm_exit", "exit status %r" % (status,)))
            print("FAIL sigterm_exit: exit status %r" % (status,))
        log = d.log_text()
        bad = [l for l in log.splitlines()
               if "Sanitizer" in l or "runtime error" in l]
        if bad:
            t.results.append(("sanitizer", bad[0]))
            print("FAIL sanitizer: %s" % bad[0])
        fails = [r for r in t.results if r[1]]
        print("%d cases, %d failed" % (len(t.results), len(fails)))
        for name, why in fails:
            print("  FAIL %s: %s" % (name, why))
        failed = bool(fails)
        if failed:
            print("---- triaged log (tail) ----")
            print(log[-6000:])
        return 1 if failed else 0
    finally:
        if d.alive():
            d.proc.kill()
            d.proc.wait()
        if failed:
            print("kept %s" % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def main():
    only = set(sys.argv[1:])

    def run_cases(d):
        t = Tester(d)
        for name, func, delta in cases(t, d.tls):
            if only and name not in only:
                continue
            if delta is None:
                # The injection case stores one message only if the
                # server accepts the TLS session; measure, don't assume.
                run_flexible(t, name, func, d.db_messages())
            else:
                t.run(name, func, delta)
        return t

    return run_suite("hostile_smtp.", Daemon, run_cases)


def run_flexible(t, name, func, before):
    """Like Tester.run, but 0 or 1 stored messages are both fine."""
    print("--- %s" % name, flush=True)
    try:
        reqs_before = t.d.counts()[0]
        func()
        time.sleep(0.3)
        t.next_client_ok()
        reqs, msgs = t.d.counts()
        check(msgs - before in (0, 1) and reqs - reqs_before == msgs - before,
              "stored messages changed by %d, requests by %d"
              % (msgs - before, reqs - reqs_before))
    except Fail as e:
        t.results.append((name, str(e)))
        print("FAIL %s: %s" % (name, e), flush=True)
        return
    except (OSError, socket.timeout) as e:
        t.results.append((name, "socket error: %r" % e))
        print("FAIL %s: socket error %r" % (name, e), flush=True)
        return
    t.results.append((name, None))
    print("ok   %s" % name, flush=True)


if __name__ == "__main__":
    sys.exit(main())
