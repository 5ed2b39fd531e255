#!/bin/sh
# pg_migrate.sh (issue 15): `triagectl migrate --to postgresql://...`
# moves an SQLite store into an empty PostgreSQL database (a private
# cluster, tests/integration/pg_cluster.sh, or the suite's one).
# - The store: $PGMIG_N (default 2000) new requests over LMTP in Polish,
#   Russian (KOI8-R too) and English, every 5th with a binary attachment,
#   every 10th answered by its customer, the whole corpus (real-world
#   mail, charsets, bounces, malformed), round-robin assignment, notes,
#   replies, tasks, tags, merged, resolved and closed requests, a
#   dashboard password, outbox rows.
# - Refused while the daemon has the SQLite file open; refused into a
#   database that holds data (exit 1, one clear line).
# - Every table of the SQLite store (as SQLite lists it, no hand list) is
#   copied with its row count, or skipped as SQLite-only and then absent
#   from PostgreSQL; `triagectl show N --json` of EVERY request, `list
#   --json` and `report --json` are identical on both engines (at one
#   frozen instant); every raw message and outgoing mail is
#   byte-identical (md5 on both sides), and so the attachments taken
#   from them, written out by triagectl for a sample of requests; the
#   store's identity moved with it.
# - The daemon started on the PostgreSQL URI takes a new message and
#   gives it a number above every copied one.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

PGBIN=/usr/lib/postgresql/15/bin
[ -x "$PGBIN/initdb" ] ||
    { echo "SKIP: no PostgreSQL 15 (Debian postgresql-15)"; exit 77; }
N=${PGMIG_N:-2000}

# the source is SQLite whatever the suite's engine
TRIAGED_TEST_DB=sqlite
write_config
SQLITE_DB=$DATABASE
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$WORK/reply.key"
chmod 600 "$WORK/reply.key"
cat >>"$CONF" <<EOF
agents = (
  { name = "anna"; addresses = [ "anna@agents.example" ]; categories = [ "billing" ]; },
  { name = "bob"; addresses = [ "bob@agents.example" ]; categories = [ "billing" ]; }
);
agent_mail = { secret_file = "$WORK/reply.key"; };
categories = ( { path = "billing"; strategy = "round-robin"; } );
rules = (
  { name = "billing"; if = { subject = { contains = "faktura"; }; };
    then = { category = "billing"; }; }
);
EOF
start_triaged

# --- the store -------------------------------------------------------------
"$PYTHON" - "$LMTP_PORT" "$N" "$CORPUS_DIR" >"$WORK/deliver.out" <<'EOF' ||
import os, random, smtplib, sys, threading
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

port, n, corpus = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rnd = random.Random(15)
subjects = ["Zażółć gęślą jaźń, faktura %d", "Ёлка и заказ номер %d",
            "Printer on fire %d", "Łódź: żółw nr %d"]
bodies = ["Dzień dobry,\nproszę o fakturę nr %d.\nPozdrawiam, Łukasz\n",
          "Здравствуйте!\nЗаказ %d не пришёл.\n",
          "Hello,\nmy printer %d is on fire.\n"]

def new(i):
    text = MIMEText(bodies[i % 3] % i, "plain",
                    "koi8-r" if i % 6 == 1 else "utf-8")
    if i % 5 == 0:
        m = MIMEMultipart()
        m.attach(text)
        data = bytes(rnd.getrandbits(8) for _ in range(3000 + i % 500))
        a = MIMEApplication(data)
        a.add_header("Content-Disposition", "attachment",
                     filename=("utf-8", "", "załącznik-%d.bin" % i))
        m.attach(a)
    else:
        m = text
    m["From"] = str(Header("Klient %d Ząbek" % i, "utf-8")) + \
        " <cust%d@customer.example.org>" % (i % 400)
    m["To"] = "support@example.test"
    m["Subject"] = Header(subjects[i % 4] % i,
                          "koi8-r" if i % 6 == 1 and i % 4 == 1 else "utf-8")
    m["Message-ID"] = "<pgmig-%d@customer.example.org>" % i
    m["Date"] = "Mon, 02 Mar 2026 10:00:00 +0000"
    return "cust%d@customer.example.org" % (i % 400), m.as_bytes()

def followup(i):
    m = MIMEText("Ещё раз: %d, dziękuję.\n" % i, "plain", "utf-8")
    m["From"] = "cust%d@customer.example.org" % (i % 400)
    m["To"] = "support@example.test"
    m["Subject"] = "Re: " + subjects[i % 4] % i
    m["Message-ID"] = "<pgmig-re-%d@customer.example.org>" % i
    m["In-Reply-To"] = "<pgmig-%d@customer.example.org>" % i
    m["Date"] = "Mon, 02 Mar 2026 11:00:00 +0000"
    return "cust%d@customer.example.org" % (i % 400), m.as_bytes()

def corpus_mail():
    for d, _, files in sorted(os.walk(corpus)):
        for f in sorted(files):
            if f.endswith((".eml", ".raw", ".txt", ".msg")) and \
                    f != "README.md":
                with open(os.path.join(d, f), "rb") as fp:
                    yield "corpus@example.org", fp.read()

lock = threading.Lock()
codes = {}

def deliver(jobs):
    c = None
    for key, (sender, raw) in jobs:
        for attempt in range(5):
            try:
                if c is None:
                    c = smtplib.LMTP("127.0.0.1", port, timeout=120)
                    c.ehlo("mx.example.org")
                c.sendmail(sender, ["support@example.test"], raw)
                code = 250
                break
            except smtplib.SMTPRecipientsRefused as e:
                code = list(e.recipients.values())[0][0]
                if code < 500:
                    continue
                break
            except (smtplib.SMTPException, OSError) as e:
                code = getattr(e, "smtp_code", 421)
                c = None
        with lock:
            codes[key] = code

def run(jobs, threads=4):
    ts = [threading.Thread(target=deliver, args=(jobs[t::threads],))
          for t in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()

run([("new %d" % i, new(i)) for i in range(n)])
run([("re %d" % i, followup(i)) for i in range(0, n, 10)])
run([("corpus %d" % k, m) for k, m in enumerate(corpus_mail())], 2)
for k in sorted(codes):
    print(k, codes[k])
bad = [k for k in codes if codes[k] != 250 and not k.startswith("corpus")]
sys.exit(1 if bad else 0)
EOF
    fail "not every message accepted (deliver.out)"

MAXID=$(db_sql "SELECT max(id) FROM tickets")
[ "$MAXID" -ge "$N" ] || fail "only $MAXID requests for $N messages"
i=3
while [ "$i" -le 200 ]; do
	printf 'Notatka %d: żółw, ёж и дом\n' "$i" |
	    "$TRIAGECTL" -c "$CONF" note "$i" --agent anna >/dev/null ||
	    fail "note $i"
	i=$((i + 10))
done
for i in 5 15 25 35; do
	printf 'Odpowiedź %d: proszę spróbować ponownie.\n' "$i" |
	    "$TRIAGECTL" -c "$CONF" reply "$i" --from bob >/dev/null ||
	    fail "reply $i"
done
for i in 40 41 42 43 44 45 46 47 48 49; do
	"$TRIAGECTL" -c "$CONF" merge "$i" $((i + 100)) >/dev/null ||
	    fail "merge $i"
	"$TRIAGECTL" -c "$CONF" status $((i + 10)) closed >/dev/null ||
	    fail "close $((i + 10))"
	"$TRIAGECTL" -c "$CONF" status $((i + 20)) resolved >/dev/null ||
	    fail "resolve $((i + 20))"
	"$TRIAGECTL" -c "$CONF" tag $((i + 30)) "pilne" >/dev/null ||
	    fail "tag $((i + 30))"
	"$TRIAGECTL" -c "$CONF" priority $((i + 40)) high >/dev/null ||
	    fail "priority $((i + 40))"
done
"$TRIAGECTL" -c "$CONF" task add 7 --agent anna --due "2026-12-24 10:00" \
    "Zadzwonić do klienta" >/dev/null || fail "task add"
"$TRIAGECTL" -c "$CONF" customer cust3@customer.example.org \
    --language pl >/dev/null || fail "customer --language"
echo 'hasło-anny-1234' | "$TRIAGECTL" -c "$CONF" passwd anna >/dev/null ||
    fail "passwd"

# --- the cluster and the refusals -------------------------------------------
if [ -z "${TRIAGED_PG_SOCK:-}" ]; then
	# outside $WORK (0700): the server runs as another user
	LIB_PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/triaged-pg.XXXXXX")
	pm_pg=$(sh "$PG_CLUSTER" start "$LIB_PG_DIR") ||
	    fail "cannot start a PostgreSQL cluster"
	TRIAGED_PG_SOCK=${pm_pg% *}
	TRIAGED_PG_PORT=${pm_pg#* }
	export TRIAGED_PG_SOCK TRIAGED_PG_PORT
fi
URI=$(sh "$PG_CLUSTER" createdb "pg_migrate_$$") ||
    fail "cannot create a PostgreSQL database"

rc=0
"$TRIAGECTL" -c "$CONF" migrate --to "$URI" >"$WORK/busy.out" \
    2>"$WORK/busy.err" || rc=$?
assert_eq "migrate while the daemon runs: exit" 1 "$rc"
assert_contains "migrate while the daemon runs" "$(cat "$WORK/busy.err")" \
    "in use by another process"
stop_triaged

"$TRIAGECTL" -c "$CONF" migrate --to "$URI" >"$WORK/migrate.out" \
    2>"$WORK/migrate.err" || fail "migrate: $(cat "$WORK/migrate.err")"
cat "$WORK/migrate.out"
rc=0
"$TRIAGECTL" -c "$CONF" migrate --to "$URI" >/dev/null \
    2>"$WORK/again.err" || rc=$?
assert_eq "migrate into a database with data: exit" 1 "$rc"
assert_contains "migrate into a database with data" \
    "$(cat "$WORK/again.err")" "target database is not empty"

PGCONF=$WORK/pg.conf
"$PYTHON" - "$CONF" "$PGCONF" "$SQLITE_DB" "$URI" <<'EOF'
import sys
s = open(sys.argv[1]).read().replace('database = "%s"' % sys.argv[3],
                                     'database = "%s"' % sys.argv[4])
open(sys.argv[2], "w").write(s)
EOF

# --- every table, by the databases' own lists --------------------------------
"$PYTHON" - "$SQLITE_DB" "$WORK/migrate.out" "$PGBIN/psql" "$URI" <<'EOF' ||
import sqlite3, subprocess, sys
db = sqlite3.connect(sys.argv[1])
tables = [r[0] for r in db.execute(
    "SELECT name FROM pragma_table_list WHERE schema = 'main'"
    " AND type = 'table' AND name NOT LIKE 'sqlite_%'")]
said = {}
for line in open(sys.argv[2]):
    w = line.split()
    if len(w) >= 2 and not line.startswith("migrated") and \
            not line.startswith("reply key"):
        said[w[0]] = w[1]
def psql(q):
    return subprocess.run([sys.argv[3], "-X", "-q", "-A", "-t", "-d",
                           sys.argv[4], "-c", q], check=True,
                          capture_output=True, text=True).stdout.split()
pg = set(psql("SELECT table_name FROM information_schema.tables"
              " WHERE table_schema = current_schema()"))
bad = 0
for t in tables:
    n = db.execute('SELECT count(*) FROM "%s"' % t).fetchone()[0]
    if t not in said:
        print("table %s (%d rows) not in migrate's output" % (t, n)); bad = 1
    elif said[t] == "skipped":
        if t in pg:
            print("table %s skipped but PostgreSQL has it" % t); bad = 1
    elif said[t] != str(n):
        print("table %s: %d rows, migrate said %s" % (t, n, said[t])); bad = 1
    elif psql('SELECT count(*) FROM "%s"' % t) != [str(n)]:
        print("table %s: %d rows, PostgreSQL has %s" %
              (t, n, psql('SELECT count(*) FROM "%s"' % t))); bad = 1
    else:
        print("table %s: %d rows on both" % (t, n))
copied = [t for t in tables if said.get(t) not in (None, "skipped")]
for t in ("tickets", "messages", "attachments", "outbox", "events",
          "customers", "tasks", "agent_passwords", "ticket_tags"):
    if t not in copied or said[t] == "0":
        print("table %s: nothing copied" % t); bad = 1
sys.exit(bad)
EOF
    fail "a table not copied whole (see above)"

# --- raw bytes, byte for byte -------------------------------------------------
for col in "messages raw" "outbox data"; do
	set -- $col
	"$PYTHON" - "$SQLITE_DB" "$1" "$2" >"$WORK/md5.sqlite" <<'EOF'
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for i, v in db.execute('SELECT id, "%s" FROM "%s" ORDER BY id' %
                       (sys.argv[3], sys.argv[2])):
    print("%d|%s" % (i, "" if v is None else hashlib.md5(
        v if isinstance(v, bytes) else v.encode()).hexdigest()))
EOF
	"$PGBIN/psql" -X -q -A -t -d "$URI" -c "SELECT id || '|' ||
	    coalesce(md5($2), '') FROM $1 ORDER BY id" >"$WORK/md5.pg"
	cmp -s "$WORK/md5.sqlite" "$WORK/md5.pg" ||
	    fail "$1.$2 differs between the engines (md5.sqlite, md5.pg)"
	[ "$(wc -l <"$WORK/md5.pg")" -gt 100 ] || fail "$1: few rows"
done
assert_eq "the store's identity moved" \
    "$("$PYTHON" -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(
    "SELECT value FROM store_info WHERE key = '"'"'id'"'"'").fetchone()[0])' \
    "$SQLITE_DB")" \
    "$("$PGBIN/psql" -X -q -A -t -d "$URI" -c \
    "SELECT value FROM store_info WHERE key = 'id'")"

# The copy's writing session TOASTs with LZ4 (store_pg.c): the corpus's
# long raw messages are compressed so, none with pglz.
lz=$("$PGBIN/psql" -X -q -A -t -d "$URI" -c "SELECT
    count(*) FILTER (WHERE pg_column_compression(raw) = 'lz4') || ' ' ||
    count(*) FILTER (WHERE pg_column_compression(raw) = 'pglz')
    FROM messages")
[ "${lz% *}" -gt 0 ] || fail "no raw message compressed with LZ4 ($lz)"
assert_eq "raw messages compressed with pglz" 0 "${lz#* }"

# --- what triagectl shows, on both engines -------------------------------------
# one frozen instant for both, so that ages and "left" times match
TRIAGED_FAKE_TIME=$(date +%s)
TRIAGED_FAKE_SPEED=0
export TRIAGED_FAKE_TIME TRIAGED_FAKE_SPEED
for cmd in "list --limit 100000" "list --status closed" "report" \
    "outbox" "task list --all" "customer cust3@customer.example.org"; do
	"$TRIAGECTL" -c "$CONF" --json $cmd >"$WORK/a.json" ||
	    fail "sqlite: $cmd"
	"$TRIAGECTL" -c "$PGCONF" --json $cmd >"$WORK/b.json" ||
	    fail "postgresql: $cmd"
	cmp -s "$WORK/a.json" "$WORK/b.json" ||
	    fail "triagectl $cmd differs (a.json: SQLite, b.json: PostgreSQL)"
done
# every request, one triagectl per engine (show N N ...: a line each)
ids=$(seq 1 "$MAXID" | tr '\n' ' ')
# shellcheck disable=SC2086
"$TRIAGECTL" -c "$CONF" --json show $ids >"$WORK/show.sqlite" ||
    fail "sqlite: show"
# shellcheck disable=SC2086
"$TRIAGECTL" -c "$PGCONF" --json show $ids >"$WORK/show.pg" ||
    fail "postgresql: show"
assert_eq "requests shown" "$MAXID" "$(wc -l <"$WORK/show.pg" | tr -d ' ')"
cmp -s "$WORK/show.sqlite" "$WORK/show.pg" ||
    fail "triagectl show differs (show.sqlite, show.pg: line N is #N)"
# files written out byte for byte (all of them are in the raw bytes
# compared above; through triagectl for a sample of requests)
"$PYTHON" - "$TRIAGECTL" "$CONF" "$PGCONF" "$WORK/show.sqlite" <<'EOF' ||
import json, subprocess, sys
ctl, a, b = sys.argv[1], sys.argv[2], sys.argv[3]
def run(conf, *args):
    p = subprocess.run([ctl, "-c", conf, "--json"] + list(args),
                       capture_output=True)
    return p.returncode, p.stdout
with_files = [d["id"] for d in map(json.loads, open(sys.argv[4]))
              if any(m["attachments"] for m in d["messages"])]
bad, files = [], 0
for n in with_files[:: max(1, len(with_files) // 15)]:
    la, lb = run(a, "attachments", str(n)), run(b, "attachments", str(n))
    if la != lb or la[0] != 0:
        bad.append("attachments of %d differ" % n)
        continue
    for f in json.loads(la[1]):
        fa = run(a, "attachment", str(n), str(f["id"]), "-o", "-")
        fb = run(b, "attachment", str(n), str(f["id"]), "-o", "-")
        # (the corpus has a file of 0 bytes: compared, not counted)
        if fa != fb or fa[0] != 0:
            bad.append("attachment %d of %d differs" % (f["id"], n))
        files += len(fa[1]) > 0
for line in bad:
    print(line)
print("%d requests with files, %d files written alike" %
      (len(with_files), files))
sys.exit(1 if bad or files < 5 else 0)
EOF
    fail "attachments differ between the engines"

# --- the daemon on PostgreSQL takes over --------------------------------------
unset TRIAGED_FAKE_TIME TRIAGED_FAKE_SPEED
start_triaged "$PGCONF"
make_msg "$WORK/after.eml" --from after@customer.example.org \
    --subject "Po migracji" --message-id "<after@customer.example.org>"
out=$(lmtp_send "$WORK/after.eml")
assert_contains "after the migration: accepted" "$out" " 250 "
t=$(ticket_of "$out")
[ -n "$t" ] && [ "$t" -gt "$MAXID" ] ||
    fail "new request number [$t] not above the copied $MAXID"
echo "PASS: new request $t after $MAXID copied"
