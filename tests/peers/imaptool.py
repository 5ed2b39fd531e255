#!/usr/bin/python3
"""imaptool.py: the IMAP client of the IMAP intake tests (issue 3).

Run with Debian's /usr/bin/python3.  It puts mail into a test Dovecot and
looks at what the daemon left there; it logs in with LOGIN over plain
IMAP on 127.0.0.1:PORT (the test Dovecot allows it).  Every subcommand
takes --port N --user U --password P (before the subcommand's own
arguments):

  login
      Logs in and out; exit 0 when that worked.

  append FOLDER [--gen N --prefix P [--start K] [--size BYTES]] [FILE...]
      APPENDs each FILE, then N generated messages (Message-ID
      <P-i@customers.example>, From cust-P-i@customers.example, subject
      "P message i", about BYTES of body) for i in K..K+N-1, all over one
      connection.  FOLDER is created first when it does not exist.
      Prints the number of messages appended.

  count FOLDER [ALL|SEEN|UNSEEN|ANY]
      Prints how many messages FOLDER holds (not counting ones flagged
      \\Deleted, except with ANY), or -1 when FOLDER does not exist.

  ids FOLDER [ALL|SEEN|UNSEEN|ANY]
      Prints the Message-IDs of FOLDER (angle brackets stripped), sorted,
      one a line.

  unseen FOLDER N
      Removes \\Seen from the first N messages of FOLDER that have it (as
      if a client had committed them but crashed before flagging).  Prints
      the number of messages changed.

  uidvalidity FOLDER
      Prints the UIDVALIDITY of FOLDER.

  delete FOLDER / create FOLDER
      Deletes or creates FOLDER (deleting INBOX in Dovecot empties it and
      gives it a new UIDVALIDITY once it is recreated).

  gen-maildir DIR N PREFIX [--start K] [--size BYTES]
      Writes N generated messages (as for append) straight into the
      Maildir DIR/new (DIR/cur and DIR/tmp created too): much faster than
      APPEND for big backlogs; Dovecot indexes them at the next SELECT.
"""

import argparse
import imaplib
import os
import re
import socket
import sys
import time

HOST = "127.0.0.1"


def message(prefix, i, size):
    body = "Hello, this is message %d of %s.\r\n" % (i, prefix)
    line = "Some filler text for the body of the message, line %d.\r\n"
    n = 0
    while len(body) < size:
        body += line % n
        n += 1
    return ("From: Customer %d <cust-%s-%d@customers.example>\r\n"
            "To: <support@example.test>\r\n"
            "Subject: %s message %d\r\n"
            "Message-ID: <%s-%d@customers.example>\r\n"
            "Date: Sun, 22 Nov 2026 18:00:00 +0000\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=us-ascii\r\n"
            "\r\n" % (i, prefix, i, prefix, i, prefix, i)
            + body).encode()


def connect(args):
    m = imaplib.IMAP4(HOST, args.port, timeout=60)
    m.login(args.user, args.password)
    return m


def quote(folder):
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def exists(m, folder):
    typ, data = m.list('""', quote(folder))
    return typ == "OK" and any(d is not None for d in data)


def select(m, folder, readonly=True):
    typ, data = m.select(quote(folder), readonly=readonly)
    if typ != "OK":
        raise SystemExit("select %s: %s" % (folder, data))


def search(m, what):
    crit = {"ALL": "UNDELETED", "SEEN": "SEEN UNDELETED",
            "UNSEEN": "UNSEEN UNDELETED", "ANY": "ALL"}[what.upper()]
    typ, data = m.uid("SEARCH", None, crit)
    if typ != "OK":
        raise SystemExit("search: %s" % data)
    return data[0].split() if data and data[0] else []


def cmd_login(args):
    m = connect(args)
    m.logout()


def cmd_append(args):
    m = connect(args)
    if args.folder.upper() != "INBOX" and not exists(m, args.folder):
        m.create(quote(args.folder))
    n = 0
    for path in args.files:
        with open(path, "rb") as f:
            raw = f.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        typ, data = m.append(quote(args.folder), None, None, raw)
        if typ != "OK":
            raise SystemExit("append %s: %s" % (path, data))
        n += 1
    for i in range(args.start, args.start + args.gen):
        typ, data = m.append(quote(args.folder), None, None,
                             message(args.prefix, i, args.size))
        if typ != "OK":
            raise SystemExit("append #%d: %s" % (i, data))
        n += 1
    m.logout()
    print(n)


def cmd_count(args):
    m = connect(args)
    if not exists(m, args.folder):
        print(-1)
    else:
        select(m, args.folder)
        print(len(search(m, args.what)))
    m.logout()


def cmd_ids(args):
    m = connect(args)
    ids = []
    if exists(m, args.folder):
        select(m, args.folder)
        uids = search(m, args.what)
        for k in range(0, len(uids), 500):
            chunk = b",".join(uids[k:k + 500])
            typ, data = m.uid("FETCH", chunk.decode(),
                              "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
            for item in data:
                if isinstance(item, tuple):
                    v = re.search(rb"<([^>]*)>", item[1])
                    ids.append(v.group(1).decode() if v else "")
    m.logout()
    for i in sorted(ids):
        print(i)


def cmd_unseen(args):
    m = connect(args)
    select(m, args.folder, readonly=False)
    uids = search(m, "SEEN")[:args.n]
    if uids:
        typ, data = m.uid("STORE", b",".join(uids).decode(), "-FLAGS.SILENT",
                          "(\\Seen)")
        if typ != "OK":
            raise SystemExit("store: %s" % data)
    m.logout()
    print(len(uids))


def cmd_uidvalidity(args):
    m = connect(args)
    # Right after a folder is deleted and created again while another
    # session (the daemon's) still has the old one open, Dovecot may
    # answer NO "Mailbox was deleted under us" once: ask again.
    for _ in range(20):
        typ, data = m.status(quote(args.folder), "(UIDVALIDITY)")
        if typ == "OK" or b"deleted under us" not in b" ".join(
                d for d in data if isinstance(d, bytes)):
            break
        time.sleep(0.1)
    if typ != "OK":
        raise SystemExit("status %s: %s" % (args.folder, data))
    print(re.search(rb"UIDVALIDITY (\d+)", data[0]).group(1).decode())
    m.logout()


def cmd_delete(args):
    m = connect(args)
    typ, data = m.delete(quote(args.folder))
    if typ != "OK":
        raise SystemExit("delete %s: %s" % (args.folder, data))
    m.logout()


def cmd_create(args):
    m = connect(args)
    typ, data = m.create(quote(args.folder))
    if typ != "OK":
        raise SystemExit("create %s: %s" % (args.folder, data))
    m.logout()


def cmd_gen_maildir(args):
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(args.dir, sub), exist_ok=True)
    host = socket.gethostname()
    base = int(time.time())
    for i in range(args.start, args.start + args.n):
        name = "%d.M%dP%d.%s" % (base, i, os.getpid(), host)
        tmp = os.path.join(args.dir, "tmp", name)
        with open(tmp, "wb") as f:
            f.write(message(args.prefix, i, args.size).replace(b"\r\n",
                                                               b"\n"))
        os.rename(tmp, os.path.join(args.dir, "new", name))
    print(args.n)


def main():
    p = argparse.ArgumentParser(prog="imaptool.py")
    p.add_argument("--port", type=int)
    p.add_argument("--user")
    p.add_argument("--password")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("login")
    s.set_defaults(func=cmd_login)
    s = sub.add_parser("append")
    s.add_argument("folder")
    s.add_argument("files", nargs="*")
    s.add_argument("--gen", type=int, default=0)
    s.add_argument("--prefix", default="gen")
    s.add_argument("--start", type=int, default=0)
    s.add_argument("--size", type=int, default=600)
    s.set_defaults(func=cmd_append)
    for name, func in (("count", cmd_count), ("ids", cmd_ids)):
        s = sub.add_parser(name)
        s.add_argument("folder")
        s.add_argument("what", nargs="?", default="ALL",
                       choices=["ALL", "SEEN", "UNSEEN", "ANY"])
        s.set_defaults(func=func)
    s = sub.add_parser("unseen")
    s.add_argument("folder")
    s.add_argument("n", type=int)
    s.set_defaults(func=cmd_unseen)
    for name, func in (("uidvalidity", cmd_uidvalidity),
                       ("delete", cmd_delete), ("create", cmd_create)):
        s = sub.add_parser(name)
        s.add_argument("folder")
        s.set_defaults(func=func)
    s = sub.add_parser("gen-maildir")
    s.add_argument("dir")
    s.add_argument("n", type=int)
    s.add_argument("prefix")
    s.add_argument("--start", type=int, default=0)
    s.add_argument("--size", type=int, default=600)
    s.set_defaults(func=cmd_gen_maildir)
    args = p.parse_args()
    if args.cmd != "gen-maildir" and (args.port is None or
                                      args.user is None):
        p.error("--port and --user are required")
    try:
        args.func(args)
    except imaplib.IMAP4.error as e:
        sys.exit("imaptool %s: %s" % (args.cmd, e))


if __name__ == "__main__":
    main()
