#!/usr/bin/python3
"""SMTP sink for tests: a real smarthost (aiosmtpd, Debian's
python3-aiosmtpd) that stores what it accepts in a Maildir.

Run with Debian's /usr/bin/python3 (the `python3` on PATH may lack
aiosmtpd).  Binds 127.0.0.1 only; prints "ready port=<n>" on stdout once
listening (--port 0 picks a free port); exits 0 on SIGTERM/SIGINT.

Each accepted message becomes one file in MAILDIR/new (written to tmp/
first, then renamed), with the envelope prepended as headers:
    X-Sink-Mail-From: <sender>
    X-Sink-Rcpt-To: <rcpt>[, <rcpt>...]
    X-Sink-SMTPUTF8: yes          (only when MAIL FROM had SMTPUTF8)

Options:
    --fail-first N       reply 451 to the first N messages (at end of DATA)
    --reject             reply 550 to every message (at end of DATA)
    --tls-cert/--tls-key offer STARTTLS with this certificate
    --tls-implicit       speak TLS from the first byte (needs cert and key)
    --auth USER:PASS     require AUTH (PLAIN or LOGIN; allowed without TLS)
    --auth-exclude MECH  do not offer this AUTH mechanism (repeatable)
    --smtputf8           offer SMTPUTF8 (RFC 6531)
    --delay SECONDS      wait that long before the 250 to each message
                         (a slow smarthost: deliveries in flight to kill)
"""

import argparse
import asyncio
import logging
import os
import signal
import ssl
import sys
import time
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class SinkHandler:
    def __init__(self, maildir, fail_first, reject):
        self.maildir = maildir
        self.fail_left = fail_first
        self.reject = reject
        self.counter = 0
        self.delay = 0
        for sub in ("tmp", "new", "cur"):
            os.makedirs(os.path.join(maildir, sub), exist_ok=True)

    async def handle_DATA(self, server, session, envelope):
        if self.reject:
            log("reject from=%s" % envelope.mail_from)
            return "550 5.7.1 Rejected by the test sink"
        if self.fail_left > 0:
            self.fail_left -= 1
            log("tempfail from=%s" % envelope.mail_from)
            return "451 4.3.0 Test sink says try again later"
        if self.delay > 0:
            await asyncio.sleep(self.delay)
        self.store(envelope)
        return "250 2.0.0 Ok: stored by the test sink"

    def store(self, envelope):
        self.counter += 1
        name = "%d.%d_%d.sink" % (time.time(), os.getpid(), self.counter)
        head = ("X-Sink-Mail-From: <%s>\r\nX-Sink-Rcpt-To: %s\r\n" % (
            envelope.mail_from,
            ", ".join("<%s>" % r for r in envelope.rcpt_tos))).encode()
        if envelope.smtp_utf8:
            head += b"X-Sink-SMTPUTF8: yes\r\n"
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        tmp = os.path.join(self.maildir, "tmp", name)
        with open(tmp, "wb") as f:
            f.write(head + content)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, os.path.join(self.maildir, "new", name))
        log("stored %s from=%s rcpts=%s" % (name, envelope.mail_from,
                                            ",".join(envelope.rcpt_tos)))


def make_authenticator(user, password):
    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login == user.encode()
              and auth_data.password == password.encode())
        log("auth mechanism=%s ok=%s" % (mechanism, ok))
        # handled=False: aiosmtpd itself replies 535 on failure.
        return AuthResult(success=ok, handled=False)
    return authenticator


def log(msg):
    print("sink: %s" % msg, file=sys.stderr, flush=True)


def main():
    # AUTH without TLS is what the tests want; keep stderr quiet about it
    # (aiosmtpd warns through both warnings and its "mail.log" logger).
    warnings.simplefilter("ignore")
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    ap = argparse.ArgumentParser(description="SMTP sink for tests")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--maildir", required=True)
    ap.add_argument("--fail-first", type=int, default=0)
    ap.add_argument("--reject", action="store_true")
    ap.add_argument("--delay", type=float, default=0)
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--tls-implicit", action="store_true")
    ap.add_argument("--auth", metavar="USER:PASS")
    ap.add_argument("--auth-exclude", action="append", default=[])
    ap.add_argument("--smtputf8", action="store_true",
                    help="offer SMTPUTF8 (RFC 6531); without it UTF-8 in "
                    "commands gets aiosmtpd's 500")
    args = ap.parse_args()

    handler = SinkHandler(args.maildir, args.fail_first, args.reject)
    handler.delay = args.delay
    tls = None
    if args.tls_cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.tls_cert, args.tls_key)
    kwargs = {"hostname": "sink.test", "auth_require_tls": False,
              "enable_SMTPUTF8": args.smtputf8}
    if tls is not None and not args.tls_implicit:
        kwargs["tls_context"] = tls
    if args.auth:
        user, _, password = args.auth.partition(":")
        kwargs["auth_required"] = True
        kwargs["authenticator"] = make_authenticator(user, password)
        kwargs["auth_exclude_mechanism"] = args.auth_exclude

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(loop.create_server(
        lambda: SMTP(handler, **kwargs), host="127.0.0.1", port=args.port,
        ssl=tls if args.tls_implicit else None))
    port = server.sockets[0].getsockname()[1]
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or
                                stop.set_result(None))
    print("ready port=%d" % port, flush=True)
    loop.run_until_complete(stop)
    server.close()
    loop.run_until_complete(server.wait_closed())
    loop.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
