#!/usr/bin/python3
"""mutate.py: hostile but deterministic mail for the intake (a small
mutation fuzzer, not a peer we wrote a protocol for: it speaks LMTP through
Python's smtplib).

    mutate.py PORT COUNT SEED CORPUS_DIR OUT.json

Sends COUNT messages over LMTP to 127.0.0.1:PORT, 50 per connection.  Each
is a corpus message mangled by up to eight random edits (bytes inserted,
deleted, flipped, spliced from other messages, MIME and header fragments,
NULs, stray charsets), and four in ten pose as an agent's reply (a trusted
Authentication-Results pass for anna, bob or boss, a token of a request
that may or may not exist, mail commands valid and not) - so the rules,
agent mail, commands, merge, SLA and notification code all see garbage.
The same SEED gives the same mail.

Writes OUT.json: {"replies": {"250": n, ...}, "stored": n, "duplicates":
n, "disconnects": n}: per message the reply that decided it (MAIL, RCPT or,
LMTP's one per recipient, DATA); "duplicates" are 250s saying "already
stored".
"""

import json
import os
import random
import smtplib
import sys

PER_CONN = 50
AGENTS = [b"anna", b"bob", b"boss"]
RCPTS = ["support@example.test", "help@example.test",
         "support-note@example.test", "support+billing@example.test"]
SENDERS = ["a@b.example", "", "anna@agents.example.test", "x@y.pl"]
FRAGMENTS = [
    b"\r\n", b"\n", b"--", b'boundary="', b"=?utf-8?B?", b"?=",
    b"Content-Type: multipart/mixed; boundary=x\r\n", b"\r\n--x\r\n",
    b"\r\n--x--\r\n", b"#assign bob\r\n", b"#status closed\r\n",
    b"#merge 1\r\n", b"[#1]", b"Subject: [#2] ", b"\x00", b"\xff\xfe",
    "СРОЧНО żółć".encode(), b"=\r\n", b"In-Reply-To: <x@y>\r\n",
    b"References: " + b"<a@b> " * 200 + b"\r\n",
    b"Content-Transfer-Encoding: base64\r\n", b"charset=koi8-r",
    b"charset=iso-8859-2", b"charset=utf-7", b"Auto-Submitted: auto-replied\r\n",
    b"Content-Disposition: attachment; filename*=utf-8''%D0%B6.bin\r\n",
]
COMMANDS = [
    b"#assign bob", b"#assign nobody", b"#take", b"#status pending",
    b"#status resolved", b"#status closed", b"#status bogus",
    b"#priority urgent", b"#priority +1", b"#category Billing/Invoices",
    b"#category Nope", b"#tag x", b"#tag ", b"#untag corpus",
    b"#cc z@q.example", b"#cc not an address", b"#merge 1", b"#merge 99999",
    b"#template nope", b"#note", b"#bogus", b"#assign",
]


def corpus(root):
    raws = []
    for dirpath, _, names in os.walk(root):
        for n in sorted(names):
            if n.endswith((".eml", ".raw", ".msg", ".txt")) or "." not in n:
                with open(os.path.join(dirpath, n), "rb") as f:
                    raws.append(f.read())
    return raws


def mutate(rnd, raw, raws):
    r = bytearray(raw)
    for _ in range(rnd.randint(1, 8)):
        if not r:
            r = bytearray(b"x")
        i = rnd.randrange(len(r))
        op = rnd.random()
        if op < 0.3:
            r[i:i] = rnd.choice(FRAGMENTS)
        elif op < 0.5:
            del r[i:i + rnd.randint(1, 64)]
        elif op < 0.7:
            r[i] = rnd.randrange(256)
        elif op < 0.85:
            j = rnd.randrange(len(r))
            r[i:i] = r[j:j + rnd.randint(1, 200)]
        else:
            o = rnd.choice(raws)
            j = rnd.randrange(len(o))
            r[i:i] = o[j:j + rnd.randint(1, 500)]
    return bytes(r)


def agent_reply(rnd, raws, seed, k):
    who = rnd.choice(AGENTS)
    cmds = b"".join(rnd.choice(COMMANDS) + b"\r\n"
                    for _ in range(rnd.randint(0, 4)))
    head = (b"Authentication-Results: mx.example.test; dkim=pass"
            b" header.i=@agents.example.test; spf=pass smtp.mailfrom=" +
            who + b"@agents.example.test\r\n"
            b"From: " + who + b" <" + who + b"@agents.example.test>\r\n"
            b"Subject: Re: [#%d] hello\r\n"
            b"Message-ID: <%d.%d@agents.example.test>\r\n\r\n"
            % (rnd.randint(1, 60), seed, k))
    return head + cmds + mutate(rnd, rnd.choice(raws), raws)[-2000:]


def send(conn, sender, rcpt, msg):
    """One transaction; the reply (code, text) that decided it."""
    code, text = conn.mail(sender)
    if code == 250:
        code, text = conn.rcpt(rcpt)
    if code == 250:
        code, text = conn.data(msg)
    else:
        conn.rset()
    return code, text.decode("utf-8", "replace")


def main():
    port, count, seed = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    raws = corpus(sys.argv[4])
    rnd = random.Random(seed)
    out = {"replies": {}, "stored": 0, "duplicates": 0, "disconnects": 0}
    conn = None
    for k in range(count):
        if conn is None or k % PER_CONN == 0:
            if conn is not None:
                conn.quit()
            conn = smtplib.LMTP("127.0.0.1", port)
            conn.ehlo_or_helo_if_needed()	# LHLO
        if rnd.random() < 0.4:
            msg = agent_reply(rnd, raws, seed, k)
        else:
            msg = mutate(rnd, rnd.choice(raws), raws)
        try:
            code, text = send(conn, rnd.choice(SENDERS), rnd.choice(RCPTS),
                              msg)
        except (smtplib.SMTPServerDisconnected, ConnectionError):
            out["disconnects"] += 1
            conn = None
            continue
        out["replies"][str(code)] = out["replies"].get(str(code), 0) + 1
        if code == 250 and "already stored" in text:
            out["duplicates"] += 1
        elif code == 250:
            out["stored"] += 1
        if code // 100 == 4:
            print("message %d: %d %s" % (k, code, text), file=sys.stderr)
    if conn is not None:
        conn.quit()
    with open(sys.argv[5], "w") as f:
        json.dump(out, f)
    print("mutate: %r" % out)


if __name__ == "__main__":
    main()
