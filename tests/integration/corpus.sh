#!/bin/sh
#
# corpus.sh (issue 2; DESIGN promises 3 and 4): every message of the
# real-world corpus (../shared/corpus, listed in MANIFEST.tsv) goes in
# over LMTP (smtplib, one connection per 50 messages; envelope sender =
# the file's Return-Path, the null sender for <>, else the From address)
# and is answered 250 with its ticket; the daemon stays up (a NOOP and a
# normal message work afterwards); the number of messages stored equals
# the number of files minus the duplicates by Message-ID (computed here
# from the files); every "stored" reply names a request that exists; and
# no file marked is_auto=yes gets an acknowledgement, neither queued in
# its request's outbox nor delivered to the sink (acks are mapped back to
# files by In-Reply-To and by the request number in their subject).
#
# The daemon runs with every intake stage configured (agents, categories,
# companies, rules over headers/subject/body/attachments with Cyrillic
# and Polish text, assignment, SLA policies on a Warsaw calendar, the
# survey), so real-world mail goes through all of them: every request
# the corpus opens gets the catch-all rule's tag and category, an SLA
# deadline and, unless a rule hid it as spam, an assignee.  Mail to the
# agents (notifications) is told apart from acknowledgements by domain.
# Exit 77 when the corpus is missing.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

[ -f "$CORPUS_DIR/MANIFEST.tsv" ] || {
	echo "SKIP: no corpus at $CORPUS_DIR"
	exit 77
}

start_sink
write_config sink
cat "$top_srcdir/tests/integration/full.conf" >>"$CONF"
start_triaged

export LMTP_PORT CONF TRIAGECTL CORPUS_DIR SINK_DIR
export DB="$DATABASE"
export PEERS_DIR="$top_srcdir/tests/peers"
"$PYTHON" - <<'EOF'
import email
import email.policy
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.environ["PEERS_DIR"])
import mailtool  # noqa: E402
import testdb  # noqa: E402  (SQLite or PostgreSQL)

corpus = os.environ["CORPUS_DIR"]
port = int(os.environ["LMTP_PORT"])
PER_CONN = 50
SUPPORT = "support@example.test"
failures = []


def ctl(*args):
    p = subprocess.run([os.environ["TRIAGECTL"], "-c", os.environ["CONF"],
                        "--json"] + list(args), capture_output=True)
    if p.returncode != 0:
        raise RuntimeError("triagectl %s: exit %d: %s" % (
            " ".join(args), p.returncode, p.stderr.decode(errors="replace")))
    return json.loads(p.stdout)


def message_id(raw):
    head = re.split(rb"\r?\n\r?\n", raw, maxsplit=1)[0]
    msg = email.message_from_bytes(head + b"\n\n",
                                   policy=email.policy.compat32)
    mid = msg.get("Message-ID")
    if mid is None:
        return None
    mid = " ".join(str(mid).split())
    return mid or None


with open(os.path.join(corpus, "MANIFEST.tsv"), encoding="utf-8") as f:
    rows = [line.rstrip("\n").split("\t") for line in f][1:]
files = [(r[0], r[6]) for r in rows if r and r[0]]
print("corpus: %d files" % len(files))

raws = {}
for name, _ in files:
    with open(os.path.join(corpus, name), "rb") as f:
        raws[name] = f.read()

# Deliver, PER_CONN messages per connection.
replies = {}
for start in range(0, len(files), PER_CONN):
    client = mailtool.Client("lmtp", port)
    for name, _ in files[start:start + PER_CONN]:
        raw = raws[name]
        rows = client.deliver(name, raw,
                              mailtool.envelope_sender(raw, "auto"),
                              [SUPPORT])
        replies[name] = rows
    client.close()

# Every delivery answered 250 with a ticket.
ticket_of = {}
created = {}		# ticket -> the file that opened it
stored = dupes = 0
for name, _ in files:
    rows = replies[name]
    if len(rows) != 1 or rows[0][1] != "data" or rows[0][3] != 250:
        failures.append("%s: not accepted: %r" % (name, rows))
        continue
    text = rows[0][4].decode("utf-8", "replace")
    m = re.search(r"ticket #(\d+)", text)
    if m is None:
        failures.append("%s: no ticket in the reply %r" % (name, text))
        continue
    ticket_of[name] = int(m.group(1))
    if "already stored" in text:
        dupes += 1
    else:
        stored += 1
        created.setdefault(int(m.group(1)), name)

# Expected: one stored message per distinct Message-ID, each file without
# one stored on its own.
seen = set()
expect_stored = 0
expect_dupe_of = {}
for name, _ in files:
    mid = message_id(raws[name])
    if mid is None or mid not in seen:
        expect_stored += 1
        if mid is not None:
            seen.add(mid)
    else:
        expect_dupe_of[name] = mid
print("replies: %d stored, %d already stored; expected %d stored" % (
    stored, dupes, expect_stored))
if stored != expect_stored:
    for name, _ in files:
        text = replies[name][0][4].decode("utf-8", "replace") \
            if replies[name] else ""
        if (name in expect_dupe_of) != ("already stored" in text):
            failures.append("%s: reply %r, expected %s (Message-ID %s)" % (
                name, text, "a duplicate" if name in expect_dupe_of
                else "a new message", message_id(raws[name])))
    failures.append("%d messages stored, expected %d" % (
        stored, expect_stored))

# The daemon is still up: NOOP and a normal message.
client = mailtool.Client("lmtp", port)
code, msg = client.conn.noop()
if code != 250:
    failures.append("NOOP after the corpus: %d %r" % (code, msg))
final = (b"From: Final Check <final@customer.example.org>\r\n"
         b"To: support@example.test\r\n"
         b"Subject: after the corpus\r\n"
         b"Message-ID: <final-corpus-check@customer.example.org>\r\n"
         b"\r\nStill there?\r\n")
rows = client.deliver("final", final, "final@customer.example.org",
                      [SUPPORT])
client.close()
if not (rows and rows[0][3] == 250 and b"stored as ticket" in rows[0][4]):
    failures.append("a normal message after the corpus: %r" % (rows,))

# Stored messages, counted in the database (triagectl), request by request.
listed = ctl("list", "--limit", "1000000")["requests"]
hidden = ctl("list", "--hidden", "--limit", "1000000")["requests"]
listed += hidden
shows = {r["id"]: ctl("show", str(r["id"])) for r in listed}
print("database: %d requests hidden as spam" % len(hidden))
in_db = sum(len([m for m in s["messages"] if m["direction"] == "in"])
            for s in shows.values()) - 1	# the final message
print("database: %d requests, %d incoming messages from the corpus" % (
    len(listed), in_db))
if in_db != expect_stored:
    failures.append("%d corpus messages in the database, expected %d" % (
        in_db, expect_stored))
for name, t in sorted(ticket_of.items()):
    if t not in shows:
        failures.append("%s: reply names ticket #%d, which does not exist" % (
            name, t))

# Every request the corpus opened went through routing and the SLA.
db = testdb.connect(os.environ["DB"])
for t, name in sorted(created.items()):
    row = db.execute("SELECT category, assignee, hidden, sla_policy,"
                     " first_response_due FROM tickets WHERE id = ?",
                     (t,)).fetchone()
    tags = {r[0] for r in db.execute(
        "SELECT tag FROM ticket_tags WHERE ticket_id = ?", (t,))}
    if row is None:
        continue
    category, assignee, is_hidden, policy, due = row
    if "corpus" not in tags:
        failures.append("%s (#%d): no tag from the catch-all rule: %r" % (
            name, t, sorted(tags)))
    if category not in ("Support", "Billing/Invoices"):
        failures.append("%s (#%d): category %r" % (name, t, category))
    if not is_hidden and assignee not in ("anna", "bob"):
        failures.append("%s (#%d): not assigned (%r)" % (name, t, assignee))
    # policy stays NULL where the default policy applies
    if not is_hidden and due is None:
        failures.append("%s (#%d): no first-response deadline (policy %r)"
                        % (name, t, policy))
hits = db.execute("SELECT COUNT(*) FROM rule_hits").fetchone()[0]
tagged = dict(db.execute("SELECT tag, COUNT(*) FROM ticket_tags"
                         " GROUP BY tag").fetchall())
print("routing: %d rule hits, tags %r" % (hits, sorted(tagged.items())))
# The corpus holds attachments and Cyrillic/Polish mail: rules over
# MIME structure and Unicode text must have matched some of it.
for tag in ("attachments", "slavic"):
    if tagged.get(tag, 0) == 0:
        failures.append("no request got the tag %r" % tag)

# No acknowledgement for is_auto=yes: none queued ...
auto = {name for name, is_auto in files if is_auto == "yes"}
unclear = {name for name, is_auto in files if is_auto == "unclear"}
for t, name in sorted(created.items()):
    acks = [o for o in shows.get(t, {}).get("outbox", [])
            if o.get("kind") == "ack"]
    if name in auto and acks:
        failures.append("%s (is_auto=yes) opened #%d and got an "
                        "acknowledgement queued: %r" % (name, t, acks))
    if name in unclear and acks:
        print("note: %s (is_auto=unclear) was acknowledged" % name)

# ... and none delivered (once the outbox is drained).
deadline = time.monotonic() + 180
while any(o["status"] == "queued" for o in ctl("outbox")["outbox"]):
    if time.monotonic() > deadline:
        failures.append("outbox not drained after 180 s")
        break
    time.sleep(0.2)
by_mid = {}
for name, _ in files:
    mid = message_id(raws[name])
    if mid is not None:
        by_mid.setdefault(mid, []).append(name)
sink_new = os.path.join(os.environ["SINK_DIR"], "new")
nacks = 0
for fn in sorted(os.listdir(sink_new)) if os.path.isdir(sink_new) else []:
    with open(os.path.join(sink_new, fn), "rb") as f:
        msg = email.message_from_bytes(f.read(), policy=email.policy.compat32)
    if "@agents.example.test" in str(msg.get("X-Sink-Rcpt-To", "")):
        continue		# a notification, not an acknowledgement
    nacks += 1
    origin = set(by_mid.get(" ".join(str(msg.get("In-Reply-To", "")).split()),
                            []))
    m = re.search(r"\[#(\d+)\]", mailtool.decode_header(
        str(msg.get("Subject", ""))))
    if m is not None and int(m.group(1)) in created:
        origin.add(created[int(m.group(1))])
    for name in sorted(origin & auto):
        failures.append("acknowledgement %s (to %s) answers %s, "
                        "is_auto=yes" % (fn, msg.get("X-Sink-Rcpt-To"), name))
print("sink: %d acknowledgements for %d new requests" % (nacks, len(created)))

with open(os.environ["LIB_FAILURES"], "a", encoding="utf-8") as out:
    for f in failures:
        print("FAIL: " + f)
        print("FAIL: " + f, file=out)
sys.exit(1 if failures else 0)
EOF

kill -0 "$TRIAGED_PID" || fail "triaged died"

# Every file of every request the corpus opened can be written out, as
# many bytes as its listing says (forwarded mails, nameless parts, odd
# encodings: what an agent fetches with triagectl attachment).
"$PYTHON" - "$TRIAGECTL" "$CONF" "$(db_value 'SELECT max(id) FROM tickets')" \
    <<'EOF' || fail "corpus attachments"
import json, subprocess, sys
ctl, conf = sys.argv[1], sys.argv[2]
def run(*args):
    return subprocess.run([ctl, "-c", conf, "--json"] + list(args),
                          capture_output=True)
ids = range(1, int(sys.argv[3]) + 1)
bad, n = [], 0
for t in ids:
    for f in json.loads(run("attachments", str(t)).stdout):
        p = run("attachment", str(t), str(f["id"]), "-o", "-")
        n += 1
        if p.returncode != 0 or len(p.stdout) != f["size"]:
            bad.append("#%d file %d (%s): exit %d, %d bytes of %d: %s" % (
                t, f["id"], f["content_type"], p.returncode, len(p.stdout),
                f["size"], p.stderr.decode(errors="replace")[:200]))
print("%d requests, %d files written out" % (len(ids), n))
for b in bad:
    print("FAIL: " + b)
sys.exit(1 if bad or n == 0 else 0)
EOF
stop_triaged
