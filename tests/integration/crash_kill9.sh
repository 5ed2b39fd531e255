#!/bin/sh
#
# crash_kill9.sh: kill -9 of the daemon while 500 messages stream in over
# several LMTP connections (issue 2; DESIGN promises 1 and 2).
#
# The sink (tests/peers/sink.py) is the smarthost.  A Python client sends
# 500 distinct messages (unique Message-IDs and From addresses) over 6
# connections and records which got a 250; after a random 150-300
# acknowledgements it kills the daemon with SIGKILL.  The daemon is
# restarted on the same database (new ports, read from the new ready
# line), every message that was not acknowledged is sent again, and then:
#   - every acknowledged message is stored exactly once (promise 1);
#   - each of the 500 is stored exactly once: 500 requests, one ack row
#     each in the outbox (promise 2); a resend answered "already stored"
#     must have been in flight at the kill;
#   - every request's acknowledgement reached the sink (by In-Reply-To);
#     a duplicate is tolerated only for a mail whose first copy reached the
#     sink before the kill ("a crash re-sends at most once more") and is
#     reported.
#
# Environment (make check): TRIAGED, TRIAGECTL, top_srcdir, PYTHON.
# Exit 0 pass, 1 fail, 77 skip, 99 setup error.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

TOTAL=${CRASH_TOTAL:-500}
CONC=${CRASH_CONC:-6}

start_sink
write_config sink
cat >>"$CONF" <<EOF
limits = { max_connections = 50; idle_timeout = 120; };
acknowledgement = { enabled = true; rate_limit = 0; };
EOF

cat > "$WORK/client.py" <<'EOF'
import os, signal, socket, sys, threading, time

# client.py PORT CONC RUNID IDS_FILE OUT_FILE [KILL_AFTER PID]
# Sends message i (each i in IDS_FILE) over CONC LMTP connections; appends
# "i code text" to OUT_FILE per final reply, "i inflight" when the final
# dot was sent but no reply came, "i unsent" otherwise; "kill T" when it
# killed PID.
port, conc, runid = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
ids = [int(x) for x in open(sys.argv[4]).read().split()]
out = open(sys.argv[5], "a")
kill_after = int(sys.argv[6]) if len(sys.argv) > 7 else 0
pid = int(sys.argv[7]) if len(sys.argv) > 7 else 0
lock = threading.Lock()
state = {"acked": 0, "killed": False}
queue = list(reversed(ids))


def message(i):
    return ("From: Customer %d <cust%d@customers.example>\r\n"
            "To: <support@example.test>\r\n"
            "Subject: crash test message %d\r\n"
            "Message-ID: <crash-%d-%s@customers.example>\r\n"
            "Date: Sun, 22 Nov 2026 18:00:00 +0000\r\n"
            "\r\n"
            "Hello, this is message %d.\r\n" % (i, i, i, i, runid, i)
            + "Some filler text for the body.\r\n" * 20).encode()


def record(line):
    with lock:
        out.write(line + "\n")
        out.flush()


class Conn:
    def __init__(self):
        self.s = socket.create_connection(("127.0.0.1", port), 30)
        self.s.settimeout(120)
        self.f = self.s.makefile("rb")

    def reply(self):
        while True:
            line = self.f.readline()
            if not line:
                raise ConnectionError("EOF")
            if line[3:4] != b"-":
                return (int(line[:3]),
                        line[4:].decode("utf-8", "replace").strip())


def worker():
    c = None
    while True:
        with lock:
            if not queue:
                break
            i = queue.pop()
        stage = "unsent"
        try:
            if c is None:
                c = Conn()
                if c.reply()[0] != 220:
                    raise ConnectionError("no greeting")
                c.s.sendall(b"LHLO crash.example\r\n")
                if c.reply()[0] != 250:
                    raise ConnectionError("LHLO refused")
            c.s.sendall(b"MAIL FROM:<cust%d@customers.example>\r\n"
                        b"RCPT TO:<support@example.test>\r\nDATA\r\n" % i)
            for want in (250, 250, 354):
                code, text = c.reply()
                if code != want:
                    raise ConnectionError("want %d, got %d %s"
                                          % (want, code, text))
            c.s.sendall(message(i) + b".\r\n")
            stage = "inflight"
            code, text = c.reply()
            record("%d %d %s" % (i, code, text))
            if code == 250 and pid:
                with lock:
                    state["acked"] += 1
                    if state["acked"] >= kill_after and not state["killed"]:
                        state["killed"] = True
                        os.kill(pid, signal.SIGKILL)
                        out.write("kill %.3f\n" % time.time())
                        print("killed pid %d after %d acks"
                              % (pid, state["acked"]), flush=True)
        except (OSError, ConnectionError, ValueError) as e:
            record("%d %s %s" % (i, stage, str(e).replace("\n", " ")))
            if c is not None:
                c.s.close()
            c = None
            if not state["killed"]:
                time.sleep(0.05)
    if c is not None:
        try:
            c.s.sendall(b"QUIT\r\n")
            c.s.close()
        except OSError:
            pass


threads = [threading.Thread(target=worker) for _ in range(conc)]
for t in threads:
    t.start()
for t in threads:
    t.join()
out.close()
EOF

cat > "$WORK/check.py" <<'EOF'
import collections, email.parser, glob, json, os, re, sqlite3, subprocess, sys

# check.py DB SINKDIR RUNID TOTAL OUT1 OUT2 TRIAGECTL CONF
db, sinkdir, runid, total, out1, out2, ctl, conf = sys.argv[1:9]
total = int(total)
pat = re.compile(r"crash-(\d+)-" + re.escape(runid) + r"@")
failed = []


def fail(msg):
    failed.append(msg)
    print("FAIL: " + msg)


def query(sql):
    """Rows of sql on DB: an SQLite file, or PostgreSQL through psql."""
    if not db.startswith("postgres"):
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)
        rows = con.execute(sql).fetchall()
        con.close()
        return rows
    out = subprocess.run(["/usr/lib/postgresql/15/bin/psql", "-X", "-q",
                          "-A", "-t", "-F", "|", "-d", db, "-c", sql],
                         capture_output=True, text=True, check=True).stdout
    return [tuple(v or None for v in l.split("|")) for l in out.splitlines()]


def replies(path):
    res, kill = collections.defaultdict(list), None
    for line in open(path):
        parts = line.split(None, 2)
        if parts[0] == "kill":
            kill = float(parts[1])
            continue
        res[int(parts[0])].append(parts[1:] + [""])
    return res, kill


r1, kill_time = replies(out1)
r2, _ = replies(out2)
acked1 = {i for i, rs in r1.items() if any(r[0] == "250" for r in rs)}
inflight = {i for i, rs in r1.items() if any(r[0] == "inflight" for r in rs)}
acked2 = {i for i, rs in r2.items() if any(r[0] == "250" for r in rs)}
already = {i for i, rs in r2.items()
           for r in rs if r[0] == "250" and "already" in r[1]}
print("before the kill: %d acknowledged, %d in flight (sent, unanswered)"
      % (len(acked1), len(inflight)))
print("resent %d: %d acknowledged, %d of them as already stored"
      % (len(r2), len(acked2), len(already)))
if kill_time is None:
    fail("the client never killed the daemon")
    kill_time = 0
never = sorted(set(range(total)) - acked1 - acked2)
if never:
    fail("%d never acknowledged: %s" % (len(never), never[:10]))
if acked1 & set(r2):
    fail("test bug: resent an acknowledged message")
if already - inflight:
    fail("resends answered 'already stored' that were not in flight at "
         "the kill: %s" % sorted(already - inflight)[:10])

stored = collections.Counter()
for (mid,) in query("SELECT message_id FROM messages WHERE direction = 'in'"):
    m = pat.search(mid or "")
    if m:
        stored[int(m.group(1))] += 1
lost = sorted(i for i in acked1 if stored[i] == 0)
if lost:
    fail("LOST %d acknowledged messages: %s" % (len(lost), lost[:10]))
twice = sorted(i for i, n in stored.items() if n > 1)
if twice:
    fail("stored more than once: %s" % twice[:10])
missing = sorted(set(range(total)) - set(stored))
if missing:
    fail("%d not stored in the end: %s" % (len(missing), missing[:10]))
tickets = int(query("SELECT count(*) FROM tickets")[0][0])
print("database: %d messages stored, %d tickets"
      % (sum(stored.values()), tickets))
if tickets != total:
    fail("%d tickets, want %d" % (tickets, total))
acks = tuple(int(v) for v in query(
    "SELECT count(*), count(DISTINCT ticket_id), "
    "sum(CASE WHEN status = 'sent' THEN 1 ELSE 0 END) FROM outbox "
    "WHERE kind = 'ack'")[0])
print("outbox: %d ack rows for %d tickets, %d sent" % acks)
if acks[0] != total or acks[1] != total or acks[2] != total:
    fail("outbox: %d ack rows for %d tickets, %d sent; want %d each"
         % (acks[0], acks[1], acks[2], total))

r = subprocess.run([ctl, "-c", conf, "list", "--limit", "100000", "--json"],
                   capture_output=True)
if r.returncode != 0:
    fail("triagectl list: exit %d %r" % (r.returncode, r.stderr[:300]))
else:
    n = len(json.loads(r.stdout)["requests"])
    print("triagectl list: %d requests" % n)
    if n != total:
        fail("triagectl lists %d requests, want %d" % (n, total))

sink = collections.defaultdict(list)
parser = email.parser.BytesHeaderParser()
for path in glob.glob(os.path.join(sinkdir, "new", "*")):
    with open(path, "rb") as f:
        h = parser.parse(f)
    m = pat.search(str(h.get("In-Reply-To", "")))
    if m:
        sink[int(m.group(1))].append(os.path.getmtime(path))
no_ack = sorted(set(range(total)) - set(sink))
if no_ack:
    fail("%d requests without an ack at the sink: %s"
         % (len(no_ack), no_ack[:10]))
dups = {i: sorted(t) for i, t in sink.items() if len(t) > 1}
print("sink: acks for %d requests, %d duplicate acks (tolerated: sent at "
      "the kill)" % (len(sink), sum(len(t) - 1 for t in dups.values())))
for i, times in sorted(dups.items()):
    if len(times) > 2:
        fail("ack for %d delivered %d times" % (i, len(times)))
    if times[0] > kill_time + 1.0:
        fail("ack for %d delivered twice, its first copy %.1f s after the "
             "kill" % (i, times[0] - kill_time))
sys.exit(1 if failed else 0)
EOF

# --- phase 1: stream, kill -9 mid-stream ---------------------------------
RUNID=$$.$(date +%s)
seq 0 $((TOTAL - 1)) > "$WORK/ids1"
KILL_AT=$((150 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 151))
start_triaged
echo "triaged pid $TRIAGED_PID lmtp $LMTP_PORT sink $SINK_PORT;" \
    "kill -9 after $KILL_AT acks"
: > "$WORK/out1"
"$PYTHON" "$WORK/client.py" "$LMTP_PORT" "$CONC" "$RUNID" "$WORK/ids1" \
    "$WORK/out1" "$KILL_AT" "$TRIAGED_PID" || fail "client (phase 1) failed"
rc=0
wait_exit "$TRIAGED_PID" 10 || rc=$?
TRIAGED_PID=""
assert_eq "daemon exit status after SIGKILL" 137 "$rc"

# --- phase 2: restart on the same database, resend the unacknowledged ----
"$PYTHON" - "$TOTAL" "$WORK/out1" > "$WORK/ids2" <<'EOF'
import sys
acked = set()
for line in open(sys.argv[2]):
    p = line.split()
    if p[0] != "kill" and p[1] == "250":
        acked.add(int(p[0]))
print("\n".join(str(i) for i in range(int(sys.argv[1])) if i not in acked))
EOF
echo "resending $(wc -w < "$WORK/ids2") unacknowledged messages"
start_triaged
echo "restarted: triaged pid $TRIAGED_PID lmtp $LMTP_PORT"
: > "$WORK/out2"
"$PYTHON" "$WORK/client.py" "$LMTP_PORT" "$CONC" "$RUNID" "$WORK/ids2" \
    "$WORK/out2" || fail "client (phase 2) failed"

# The outbox drains: an ack row per request sent, none waiting.
db_count() {
	db_sql "$1" 2>/dev/null || echo -1
}
outbox_drained() {
	[ "$(db_count "SELECT count(*) FROM outbox WHERE status = 'sent'")" -ge "$TOTAL" ] &&
	    [ "$(db_count "SELECT count(*) FROM outbox WHERE status != 'sent'")" = 0 ]
}
wait_for outbox_drained 180 || echo "outbox not drained (checking anyway)"

"$PYTHON" "$WORK/check.py" "$DATABASE" "$SINK_DIR" "$RUNID" \
    "$TOTAL" "$WORK/out1" "$WORK/out2" "$TRIAGECTL" "$CONF" ||
    fail "durability checks failed"

stop_triaged
echo "PASS"
