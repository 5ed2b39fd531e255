#!/usr/bin/python3
"""imap_hostile.py: a hostile (or broken) IMAP server for the tests (issue 20).

Run with Debian's /usr/bin/python3.  It listens on 127.0.0.1, one free
port per mode given, speaks just enough IMAP4rev1 for triaged's IMAP
poller (CAPABILITY, LOGIN, SELECT, UID SEARCH, UID FETCH, UID STORE,
IDLE, NOOP, LOGOUT; any user and password), and misbehaves in the way
its mode says:

  deep        answers the sizes FETCH with a BODYSTRUCTURE nested 30,000
              deep (the stack overflow of issue 20).
  idle_eof    an empty folder; closes the connection right after
              "+ idling" (issue 20: the worker spun at 100 % CPU).
  literal_eof announces a body of 5,000 bytes, sends 100, closes.
  drip        answers the body FETCH one byte every 2 seconds, for ever.
  endless     answers SELECT with an "* OK" line that never ends (up to
              256 MiB, then closes).
  lying       5 messages of 2 x --max-size bytes that claim RFC822.SIZE
              100; uids 1 and 2 honour the partial FETCH
              (BODY.PEEK[]<0.N>: N bytes of the big body), uids 3 to 5
              ignore it and announce their whole size.
  alert       answers SELECT with "TAG NO [ALERT]" and no text (libetpan
              1.9.4 strdup()s the missing text: found by fuzz_imap).
  greeting    greets with "* OK [PERMANENTFLAGS (...)]": libetpan 1.9.4
              parses a greeting with no parser context, and the flag
              list's strings crash it (found by fuzz_imap).
  pflags      answers SELECT with "* OK [PERMANENTFLAGS ((] ..." (libetpan
              1.9.4 frees a flag list it never made when the first flag
              does not parse: found by fuzz_imap).
  search      answers UID SEARCH with a 10 MB line ("1 1 1 ...").
  unsolicited two good messages, but every answer also carries FETCH
              data nobody asked for (before the data asked for): the
              body of a message 99, a BODY[HEADER] and a BODY[]<10> of
              message 1, FLAGS, and an EXISTS.  \\Seen is kept across
              connections.

Message uid U of mode M has Message-ID <M-(U-1)@hostile.example> (so
that dovecot.sh's imap_check M N counts them) and the body line "Hello,
this is message U of the M server.".

Usage: imap_hostile.py [--max-size BYTES] MODE...
Prints "ready MODE=PORT ..." on one line once every port listens, then
one line per event ("conn MODE", "cmd MODE NAME", "refused MODE why"),
flushed, on stdout.
"""

import argparse
import re
import socket
import sys
import threading
import time

LOCK = threading.Lock()
CAPS = "IMAP4rev1 IDLE UIDPLUS"


def event(*words):
    with LOCK:
        print(" ".join(str(w) for w in words), flush=True)


def message(mode, uid, size=0):
    body = "Hello, this is message %d of the %s server.\r\n" % (uid, mode)
    filler = "Filler text of a big message, to make it bigger.\r\n"
    if size > len(body):
        body += filler * ((size - len(body)) // len(filler) + 1)
    return ("From: Hostile <h-%s-%d@hostile.example>\r\n"
            "To: <support@example.test>\r\n"
            "Subject: %s message %d\r\n"
            "Message-ID: <%s-%d@hostile.example>\r\n"
            "Date: Sun, 22 Nov 2026 18:00:00 +0000\r\n"
            "\r\n" % (mode, uid, mode, uid, mode, uid - 1) + body).encode()


class Folder:
    """The messages of one mode, shared by its connections."""

    def __init__(self, mode, max_size):
        self.mode = mode
        self.seen = set()
        if mode == "idle_eof":
            self.msgs = {}
        elif mode == "lying":
            self.msgs = {u: message(mode, u, 2 * max_size)
                         for u in range(1, 6)}
        elif mode == "unsolicited":
            self.msgs = {1: message(mode, 1), 2: message(mode, 2)}
        else:
            self.msgs = {1: message(mode, 1)}


def uid_set(text, uids):
    out = []
    top = max(uids) if uids else 0
    for part in text.split(","):
        lo, _, hi = part.partition(":")
        lo = top if lo == "*" else int(lo)
        hi = lo if hi == "" else (top if hi == "*" else int(hi))
        lo, hi = min(lo, hi), max(lo, hi)
        out.extend(u for u in uids if lo <= u <= hi)
    return sorted(set(out))


class Session:
    def __init__(self, sock, folder):
        self.sock = sock
        self.folder = folder
        self.mode = folder.mode
        self.buf = b""

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def line(self):
        while b"\r\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError
            self.buf += data
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("latin-1")

    def run(self):
        event("conn", self.mode)
        if self.mode == "greeting":
            self.send("* OK [PERMANENTFLAGS (\\Seen \\*)] hostile ready\r\n")
        else:
            self.send("* OK [CAPABILITY %s] hostile %s ready\r\n"
                      % (CAPS, self.mode))
        while True:
            words = self.line().split(" ", 2)
            tag = words[0]
            name = words[1].upper() if len(words) > 1 else ""
            rest = words[2] if len(words) > 2 else ""
            if name == "UID":
                sub, _, rest = rest.partition(" ")
                name = "UID " + sub.upper()
            event("cmd", self.mode, name.replace(" ", "_"))
            if not self.command(tag, name, rest):
                return

    def unsolicited(self):
        if self.mode != "unsolicited":
            return
        other = message(self.mode, 99)
        head = self.folder.msgs[1].split(b"\r\n\r\n")[0] + b"\r\n\r\n"
        self.send(b"* 99 FETCH (UID 99 BODY[] {%d}\r\n%s)\r\n"
                  % (len(other), other))
        self.send(b"* 1 FETCH (UID 1 BODY[HEADER] {%d}\r\n%s)\r\n"
                  % (len(head), head))
        self.send(b"* 1 FETCH (UID 1 BODY[]<10> {5}\r\nxxxxx)\r\n")
        self.send("* 2 FETCH (FLAGS (\\Recent))\r\n* %d EXISTS\r\n"
                  % len(self.folder.msgs))

    def command(self, tag, name, rest):
        f = self.folder
        if name == "CAPABILITY":
            self.send("* CAPABILITY %s\r\n" % CAPS)
        elif name in ("LOGIN", "NOOP", "CHECK"):
            pass
        elif name == "LOGOUT":
            self.send("* BYE bye\r\n%s OK LOGOUT done\r\n" % tag)
            return False
        elif name in ("SELECT", "EXAMINE"):
            if self.mode == "alert":
                self.send("%s NO [ALERT]\r\n" % tag)
                return True
            if self.mode == "pflags":
                self.send("* OK [PERMANENTFLAGS ((] broken\r\n"
                          "%s OK [READ-WRITE] SELECT done\r\n" % tag)
                return True
            if self.mode == "endless":
                self.send("* OK [ALERT] ")
                chunk = b"x" * 65536
                for _ in range(4096):
                    self.send(chunk)
                return False
            n = len(f.msgs)
            self.send("* %d EXISTS\r\n* 0 RECENT\r\n"
                      "* FLAGS (\\Seen \\Deleted)\r\n"
                      "* OK [UIDVALIDITY 42] UIDs valid\r\n"
                      "* OK [UIDNEXT %d] next\r\n" % (n, n + 1))
            self.send("%s OK [READ-WRITE] SELECT done\r\n" % tag)
            return True
        elif name == "UID SEARCH":
            if self.mode == "search":
                self.send("* SEARCH")
                chunk = " 1" * 32768
                for _ in range(160):
                    self.send(chunk)
                self.send("\r\n")
            else:
                unseen = [u for u in sorted(f.msgs) if u not in f.seen]
                self.send("* SEARCH%s\r\n"
                          % "".join(" %d" % u for u in unseen))
        elif name == "UID FETCH":
            return self.fetch(tag, rest)
        elif name == "UID STORE":
            m = re.match(r"(\S+) \+FLAGS(\.SILENT)? \((.*)\)", rest)
            if m and "\\Seen" in m.group(3):
                for u in uid_set(m.group(1), sorted(f.msgs)):
                    f.seen.add(u)
                    event("seen", self.mode, u)
        elif name == "IDLE":
            self.send("+ idling\r\n")
            if self.mode == "idle_eof":
                return False
            while self.line().upper() != "DONE":
                pass
        else:
            self.send("%s BAD unknown command\r\n" % tag)
            return True
        self.unsolicited()
        self.send("%s OK %s done\r\n" % (tag, name))
        return True

    def fetch(self, tag, rest):
        f = self.folder
        what, _, items = rest.partition(" ")
        uids = uid_set(what, sorted(f.msgs))
        body = "BODY.PEEK[]" in items.upper()
        self.unsolicited()
        if not body:
            if self.mode == "deep":
                self.send("* 1 FETCH (UID 1 BODYSTRUCTURE "
                          + "(" * 30000 + '"TEXT" "PLAIN" NIL NIL NIL '
                          '"7BIT" 1 1)' + ' "MIXED")' * 29999 + ")\r\n")
            for u in uids:
                size = 100 if self.mode == "lying" else len(f.msgs[u])
                self.send("* %d FETCH (UID %d RFC822.SIZE %d)\r\n"
                          % (u, u, size))
        else:
            m = re.search(r"<0\.(\d+)>", items)
            partial = int(m.group(1)) if m else None
            event("fetch-body", self.mode, what)
            for u in uids:
                if not self.body(u, partial):
                    return False
        self.send("%s OK FETCH done\r\n" % tag)
        return True

    def body(self, uid, partial):
        data = self.folder.msgs[uid]
        if self.mode == "literal_eof":
            self.send("* 1 FETCH (UID 1 BODY[]<0> {5000}\r\n" + "y" * 100)
            return False
        if self.mode == "drip":
            reply = b"* 1 FETCH (UID 1 BODY[]<0> {%d}\r\n%s)\r\n" % (
                len(data), data)
            for i in range(len(reply)):
                self.send(reply[i:i + 1])
                time.sleep(2)
            return True
        if self.mode == "lying" and uid >= 3:
            partial = None      # ignores it: the whole 2 x max_size
        if partial is not None:
            data = data[:partial]
        self.send(b"* %d FETCH (UID %d BODY[]<0> {%d}\r\n"
                  % (uid, uid, len(data)))
        self.send(data + b")\r\n")
        return True


def serve(listener, folder):
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=session, args=(conn, folder),
                         daemon=True).start()


def session(conn, folder):
    try:
        Session(conn, folder).run()
    except (EOFError, OSError) as e:
        event("gone", folder.mode, type(e).__name__)
    finally:
        conn.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-size", type=int, default=1048576)
    ap.add_argument("modes", nargs="+")
    args = ap.parse_args()
    ports = []
    for mode in args.modes:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(16)
        ports.append("%s=%d" % (mode, s.getsockname()[1]))
        threading.Thread(target=serve, args=(s, Folder(mode, args.max_size)),
                         daemon=True).start()
    event("ready", *ports)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    sys.exit(main())
