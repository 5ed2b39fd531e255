#!/usr/bin/python3
"""mailtool.py: the mail client and mail reader of the integration tests.

Run with Debian's /usr/bin/python3.  Subcommands:

  make OUT [--from ADDR] [--to ADDR] [--subject S] [--charset CS]
       [--message-id ID | --no-message-id] [--in-reply-to ID]
       [--references IDS] [--header "Name: value"]... [--body TEXT]
       [--date DATE]
      Writes one RFC 5322 message to OUT.  A non-ASCII subject or From name
      is written as RFC 2047 encoded-words in CS (default utf-8), the body
      as 8-bit text in utf-8.  --header lines are added verbatim.

  send --proto lmtp|smtp --port N [--from SENDER|auto] [--rcpt ADDR]...
       [--per-conn N] [--pause-after K --pause-file F] [--stall-last F]
       FILE...
      Delivers each FILE to 127.0.0.1:N, one mail transaction per file,
      N files per connection (default all), and prints one line per
      recipient and file:
          FILE STAGE ADDR CODE TEXT
      STAGE is "mail" (MAIL FROM refused), "rcpt" (RCPT refused),
      "data" (the reply after DATA: one per accepted recipient for LMTP,
      one for SMTP with ADDR "*") or "error" (the connection failed).
      --from auto takes Return-Path of the file ("" for <>), else the
      address in From, else unknown@example.org.  --from "" is the null
      sender.  --pause-after K: after K files, create F.reached and wait
      until F.go exists (the caller does something to the daemon in
      between) and go on in the same connection.  --stall-last F: send
      half of the last file's DATA, create F.reached, wait for F.go, then
      send the rest.

  maildir DIR
      Prints a JSON list of the messages in DIR/new, sorted by name:
      {"file", "mail_from", "rcpt_to", "headers": {lowercase name: [decoded
      values]}, "raw_headers": {...: [raw values]}, "body": decoded text}.

  json EXPR
      Reads JSON on stdin as d and prints eval(EXPR): strings as they
      are, anything else as JSON.
"""

import argparse
import email
import email.errors
import email.header
import email.policy
import email.utils
import json
import os
import re
import smtplib
import sys
import time

CRLF = b"\r\n"
WAIT_SECONDS = 60


def cmd_make(args):
    lines = []
    name, addr = email.utils.parseaddr(args.from_)
    lines.append("From: " + format_addr(name, addr, args.charset))
    lines.append("To: " + args.to)
    if args.subject is not None:
        lines.append("Subject: " + encode_text(args.subject, args.charset))
    lines.append("Date: " + (args.date or email.utils.formatdate()))
    if not args.no_message_id:
        lines.append("Message-ID: " + (args.message_id or
                                       email.utils.make_msgid(
                                           domain="client.example.org")))
    if args.in_reply_to:
        lines.append("In-Reply-To: " + args.in_reply_to)
    if args.references:
        lines.append("References: " + args.references)
    lines.extend(args.header)
    if not any(h.lower().startswith("content-type:") for h in args.header):
        lines.append("MIME-Version: 1.0")
        lines.append("Content-Type: text/plain; charset=utf-8")
        lines.append("Content-Transfer-Encoding: 8bit")
    text = "\r\n".join(lines) + "\r\n\r\n" + args.body.replace(
        "\\n", "\r\n") + "\r\n"
    with open(args.out, "wb") as f:
        f.write(text.encode("utf-8"))
    return 0


def encode_text(text, charset):
    if all(ord(c) < 128 for c in text):
        return text
    return email.header.Header(text, charset).encode()


def format_addr(name, addr, charset):
    if not name:
        return "<%s>" % addr
    if all(ord(c) < 128 for c in name):
        return email.utils.formataddr((name, addr))
    return "%s <%s>" % (encode_text(name, charset), addr)


def envelope_sender(raw, wanted):
    if wanted != "auto":
        return wanted
    head = raw.split(b"\r\n\r\n", 1)[0]
    msg = email.message_from_bytes(head + b"\r\n\r\n",
                                   policy=email.policy.compat32)
    rp = msg.get("Return-Path")
    if rp is not None:
        rp = str(rp).strip()
        if rp in ("<>", ""):
            return ""
        addr = email.utils.parseaddr(rp)[1]
        if usable_address(addr):
            return addr
    addr = email.utils.parseaddr(str(msg.get("From", "")))[1]
    if usable_address(addr):
        return addr
    return "unknown@example.org"


def usable_address(addr):
    return bool(re.fullmatch(r"[!-;=?-~]+@[A-Za-z0-9.-]+", addr or ""))


def to_wire(raw):
    """CRLF line ends, a final CRLF, dot-stuffed."""
    raw = re.sub(rb"\r\n|\n|\r", CRLF, raw)
    if not raw.endswith(CRLF):
        raw += CRLF
    return re.sub(rb"(?m)^\.", b"..", raw)


def wait_go(base):
    open(base + ".reached", "w").close()
    deadline = time.monotonic() + WAIT_SECONDS
    while not os.path.exists(base + ".go"):
        if time.monotonic() > deadline:
            raise TimeoutError("nobody created %s.go" % base)
        time.sleep(0.05)


class Client:
    """One connection; LMTP replies after DATA are read one per recipient."""

    def __init__(self, proto, port):
        self.proto = proto
        if proto == "lmtp":
            self.conn = smtplib.LMTP("127.0.0.1", port, timeout=120)
            code, msg = self.conn.ehlo("client.example.org")
        else:
            self.conn = smtplib.SMTP("127.0.0.1", port, timeout=120)
            code, msg = self.conn.ehlo("client.example.org")
        if code != 250:
            raise smtplib.SMTPResponseException(code, msg)

    def deliver(self, name, raw, sender, rcpts, stall=None):
        out = []
        code, msg = self.conn.mail(sender)
        if code != 250:
            out.append((name, "mail", sender or "<>", code, msg))
            self.conn.rset()
            return out
        accepted = []
        for r in rcpts:
            code, msg = self.conn.rcpt(r)
            if code in (250, 251):
                accepted.append(r)
            else:
                out.append((name, "rcpt", r, code, msg))
        if not accepted:
            self.conn.rset()
            return out
        code, msg = self.conn.docmd("DATA")
        if code != 354:
            for r in accepted:
                out.append((name, "data", r, code, msg))
            return out
        wire = to_wire(raw) + b"." + CRLF
        if stall is not None:
            half = len(wire) // 2
            self.conn.send(wire[:half])
            wait_go(stall)
            wire = wire[half:]
        self.conn.send(wire)
        for r in accepted if self.proto == "lmtp" else ["*"]:
            code, msg = self.conn.getreply()
            out.append((name, "data", r, code, msg))
        return out

    def close(self):
        try:
            self.conn.quit()
        except (smtplib.SMTPException, OSError):
            self.conn.close()


def cmd_send(args):
    rcpts = args.rcpt or ["support@example.test"]
    files = args.files
    per = args.per_conn or max(len(files), 1)
    status = 0
    for start in range(0, len(files), per):
        chunk = files[start:start + per]
        current = chunk[0]
        try:
            client = Client(args.proto, args.port)
            for i, name in enumerate(chunk):
                current = name
                with open(name, "rb") as f:
                    raw = f.read()
                stall = (args.stall_last if start + i == len(files) - 1
                         else None)
                for row in client.deliver(name, raw,
                                          envelope_sender(raw, args.from_),
                                          rcpts, stall):
                    print_row(*row)
                if args.pause_after and start + i + 1 == args.pause_after:
                    wait_go(args.pause_file)
            client.close()
        except (smtplib.SMTPException, OSError) as e:
            print_row(current, "error", "*", 0, str(e) or type(e).__name__)
            status = 1
    return status


def print_row(name, stage, addr, code, msg):
    if isinstance(msg, bytes):
        msg = msg.decode("utf-8", "replace")
    print("%s %s %s %d %s" % (name, stage, addr, code,
                              " ".join(msg.splitlines())), flush=True)


def decode_header(value):
    try:
        return str(email.header.make_header(email.header.decode_header(
            value)))
    except (UnicodeError, LookupError, email.errors.HeaderParseError):
        return value


def body_text(msg):
    part = msg
    if msg.is_multipart():
        part = next((p for p in msg.walk()
                     if p.get_content_type() == "text/plain"), None)
        if part is None:
            return ""
    payload = part.get_payload(decode=True) or b""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, "replace")
    except LookupError:
        return payload.decode("utf-8", "replace")


def cmd_maildir(args):
    new = os.path.join(args.dir, "new")
    out = []
    for name in sorted(os.listdir(new)) if os.path.isdir(new) else []:
        with open(os.path.join(new, name), "rb") as f:
            msg = email.message_from_bytes(f.read(),
                                           policy=email.policy.compat32)
        headers, raw_headers = {}, {}
        for k, v in msg.items():
            raw_headers.setdefault(k.lower(), []).append(str(v))
            headers.setdefault(k.lower(), []).append(
                decode_header(str(v)))
        out.append({
            "file": name,
            "mail_from": msg.get("X-Sink-Mail-From", ""),
            "rcpt_to": msg.get("X-Sink-Rcpt-To", ""),
            "headers": headers,
            "raw_headers": raw_headers,
            "body": body_text(msg),
        })
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
    print()
    return 0


def cmd_json(args):
    d = json.load(sys.stdin)
    v = eval(args.expr, {"d": d, "re": re})
    if isinstance(v, str):
        print(v)
    else:
        print(json.dumps(v, ensure_ascii=False))
    return 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("make")
    p.add_argument("out")
    p.add_argument("--from", dest="from_",
                   default="Anna Kowalska <anna@customer.example.org>")
    p.add_argument("--to", default="support@example.test")
    p.add_argument("--subject")
    p.add_argument("--charset", default="utf-8")
    p.add_argument("--message-id")
    p.add_argument("--no-message-id", action="store_true")
    p.add_argument("--in-reply-to")
    p.add_argument("--references")
    p.add_argument("--header", action="append", default=[])
    p.add_argument("--body", default="Hello,\\nmy printer is on fire.\\n")
    p.add_argument("--date")
    p = sub.add_parser("send")
    p.add_argument("--proto", choices=("lmtp", "smtp"), required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--from", dest="from_", default="auto")
    p.add_argument("--rcpt", action="append")
    p.add_argument("--per-conn", type=int, default=0)
    p.add_argument("--pause-after", type=int, default=0)
    p.add_argument("--pause-file")
    p.add_argument("--stall-last")
    p.add_argument("files", nargs="*")
    p = sub.add_parser("maildir")
    p.add_argument("dir")
    p = sub.add_parser("json")
    p.add_argument("expr")
    args = ap.parse_args()
    return {"make": cmd_make, "send": cmd_send, "maildir": cmd_maildir,
            "json": cmd_json}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
