# lib.sh: shared helpers of the integration tests (sourced, POSIX sh).
#
# A test script does
#	. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
# and gets: `set -eu`; a private work directory $WORK (mktemp -d; deleted
# when the test passes, kept and its logs printed when it fails); an EXIT
# trap that stops every process it started by PID (TERM, KILL after 10 s)
# and fails the test if a daemon log holds a sanitizer report.
#
# Processes: write_config, start_triaged, stop_triaged, start_sink.
# Mail: make_msg, lmtp_send, smtp_send, reply_of, ticket_of.
# Inspection: ctl, db_sql, db_value, db_list, json_get, sink_json, sink_count, outbox_idle.
# Engine: on_pg, skip_on_pg, pg_reply_key, pg_agent_mail.
# Checks: wait_for, fail, assert_eq, assert_contains, assert_not_contains,
# check_eq (soft: records the failure and goes on).
#
# Environment (set by `make check`, see AM_TESTS_ENVIRONMENT): TRIAGED,
# TRIAGECTL, top_srcdir, top_builddir, CORPUS_DIR, PYTHON.
# TRIAGED_TEST_DB=pg runs the test on PostgreSQL: $DATABASE (what
# write_config writes) is then a fresh database (CREATE DATABASE) in the
# cluster of TRIAGED_PG_SOCK/TRIAGED_PG_PORT (`make check-pg` starts one
# per suite), or in a private cluster of this test if those are unset
# (tests/integration/pg_cluster.sh).  By hand:
#	top_srcdir=$PWD TRIAGED=build/src/triaged \
#	TRIAGECTL=build/src/triagectl sh tests/integration/foo.sh
# Exit status: 0 pass, 1 fail, 77 skip.

set -eu

PYTHON=${PYTHON:-/usr/bin/python3}
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
TRIAGED=${TRIAGED:-$top_builddir/src/triaged}
TRIAGECTL=${TRIAGECTL:-$top_builddir/src/triagectl}
CORPUS_DIR=${CORPUS_DIR:-$top_srcdir/../shared/corpus}
MAILTOOL=$top_srcdir/tests/peers/mailtool.py
SINK_PY=$top_srcdir/tests/peers/sink.py
SUPPORT=support@example.test
TEST_NAME=$(basename "$0" .sh)

# Deadlines (seconds).  Generous: the daemon runs under ASan on CI.
READY_TIMEOUT=30
STOP_TIMEOUT=10

case $TRIAGED in /*) ;; *) TRIAGED=$(pwd)/$TRIAGED ;; esac
case $TRIAGECTL in /*) ;; *) TRIAGECTL=$(pwd)/$TRIAGECTL ;; esac

if [ ! -x "$TRIAGED" ] || [ ! -x "$TRIAGECTL" ]; then
	echo "SKIP: $TRIAGED or $TRIAGECTL not built"
	exit 77
fi
if ! "$PYTHON" -c 'import aiosmtpd' 2>/dev/null; then
	echo "SKIP: $PYTHON lacks aiosmtpd (Debian python3-aiosmtpd)"
	exit 77
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/triaged-$TEST_NAME.XXXXXX")
CONF=$WORK/triaged.conf
STATE=$WORK/var
SINK_DIR=$WORK/sink
OUT_MAILDIR=$STATE/outgoing
LIB_PIDS=""		# every process started here, stopped at exit
LIB_PGIDS=""		# process groups of ours (setsid): emptied at exit
LIB_FAILURES=$WORK/failures.txt	# every failure, repeated at the end
export LIB_FAILURES
LIB_SOFT_FAILS=0
LIB_NSTART=0
LIB_PG_DIR=""		# the private PostgreSQL cluster of this test
DATABASE=$STATE/triaged.db
TRIAGED_PID=""
TRIAGED_LOG=""
LMTP_PORT=""
SMTP_PORT=""
SINK_PID=""
SINK_PORT=""

trap 'lib_teardown $?' EXIT
trap 'exit 1' INT TERM
cd "$WORK"

# The database on PostgreSQL: one fresh database per test, named after it.
PG_CLUSTER="$top_srcdir/tests/integration/pg_cluster.sh"
LIB_PG_STATE=""		# the $STATE the current PostgreSQL database is for
LIB_PG_N=0

# lib_pg_database: on PostgreSQL, a fresh database for each $STATE, as
# SQLite gets a fresh $STATE/triaged.db (a test that moves STATE starts
# on an empty store on both engines).
lib_pg_database() {
	[ "${TRIAGED_TEST_DB:-sqlite}" = pg ] || return 0
	[ "$STATE" != "$LIB_PG_STATE" ] || return 0
	LIB_PG_STATE=$STATE
	LIB_PG_N=$((LIB_PG_N + 1))
	DATABASE=$(sh "$PG_CLUSTER" createdb "$(printf '%s_%s_%s' \
	    "$TEST_NAME" "$$" "$LIB_PG_N" | tr -c 'a-zA-Z0-9_\n' _)") ||
	    fail "cannot create a PostgreSQL database"
}

# --- failures ----------------------------------------------------------

fail() {
	echo "FAIL: $*" >&2
	echo "FAIL: $*" >>"$LIB_FAILURES"
	exit 1
}

assert_eq() {	# what expected actual
	[ "$2" = "$3" ] ||
	    fail "$1: expected [$2], got [$3]"
}

assert_contains() {	# what haystack needle
	case $2 in
	*"$3"*) ;;
	*) fail "$1: [$3] not found in [$2]" ;;
	esac
}

assert_not_contains() {	# what haystack needle
	case $2 in
	*"$3"*) fail "$1: [$3] must not be in [$2]" ;;
	esac
}

# A soft check: reports and records a mismatch; the test fails at exit.
check_eq() {	# what expected actual
	if [ "$2" = "$3" ]; then
		echo "ok: $1"
	else
		echo "FAIL: $1: expected [$2], got [$3]" >&2
		echo "FAIL: $1: expected [$2], got [$3]" >>"$LIB_FAILURES"
		LIB_SOFT_FAILS=$((LIB_SOFT_FAILS + 1))
	fi
}

# wait_for CONDITION SECONDS: polls the shell condition every 0.1 s until
# it holds; returns 1 (with a message) at the deadline.
wait_for() {
	wf_n=$(($2 * 10))
	while [ "$wf_n" -gt 0 ]; do
		if eval "$1" >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
		wf_n=$((wf_n - 1))
	done
	echo "timeout after $2 s waiting for: $1" >&2
	return 1
}

# --- processes ----------------------------------------------------------

free_port() {
	"$PYTHON" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# write_config [sink]: writes $CONF: both listeners on port 0, state in
# $STATE, the Maildir $OUT_MAILDIR for outgoing mail, or with "sink" the
# sink on $SINK_PORT as smarthost (plain SMTP, fast retries).  A test
# appends other groups (acknowledgement, limits, ...) itself.
write_config() {
	mkdir -p "$STATE"
	lib_pg_database
	[ "${TRIAGED_TEST_DB:-sqlite}" = pg ] || DATABASE=$STATE/triaged.db
	OUT_MAILDIR=$STATE/outgoing
	if [ "${1:-}" = sink ]; then
		[ -n "$SINK_PORT" ] || fail "write_config sink: no sink started"
		wc_host="127.0.0.1"
	else
		wc_host=""
	fi
	cat >"$CONF" <<EOF
# written by tests/integration/lib.sh for $TEST_NAME
hostname = "triaged.example.test";
database = "$DATABASE";
log_level = "info";
# CI runs the tests as root: a deliberate root run (a root start without
# user is refused); run by another user, "root" drops nothing either.
user = "root";
support = {
  addresses = [ "$SUPPORT", "help@example.test" ];
  name = "Example Support";
};
listen = (
  { protocol = "lmtp"; address = "127.0.0.1"; port = 0; },
  { protocol = "smtp"; address = "127.0.0.1"; port = 0; }
);
outgoing = {
  maildir = "$OUT_MAILDIR";
  smarthost = {
    host = "$wc_host";
    port = ${SINK_PORT:-25};
    tls = "none";
    timeout = 10;
  };
  retry_min = 1;
  retry_max = 2;
};
EOF
}

# start_triaged [CONF]: runs the daemon in the background (stderr to
# $WORK/triaged.N.log), waits for its "ready" line and sets TRIAGED_PID,
# TRIAGED_LOG, LMTP_PORT and SMTP_PORT ("<6>ready" with log = "journal").
start_triaged() {
	st_conf=${1:-$CONF}
	LIB_NSTART=$((LIB_NSTART + 1))
	TRIAGED_LOG=$WORK/triaged.$LIB_NSTART.log
	"$TRIAGED" -c "$st_conf" 2>>"$TRIAGED_LOG" </dev/null &
	TRIAGED_PID=$!
	LIB_PIDS="$LIB_PIDS $TRIAGED_PID"
	st_n=$((READY_TIMEOUT * 10))
	while ! grep -q '[ >]ready ' "$TRIAGED_LOG"; do
		kill -0 "$TRIAGED_PID" 2>/dev/null ||
		    fail "triaged exited before it was ready (see $TRIAGED_LOG)"
		st_n=$((st_n - 1))
		[ "$st_n" -gt 0 ] ||
		    fail "triaged not ready after $READY_TIMEOUT s"
		sleep 0.1
	done
	st_line=$(grep '[ >]ready ' "$TRIAGED_LOG" | head -n 1)
	LMTP_PORT=$(printf '%s\n' "$st_line" |
	    sed -n 's/.* lmtp=[^ ]*:\([0-9][0-9]*\).*/\1/p')
	SMTP_PORT=$(printf '%s\n' "$st_line" |
	    sed -n 's/.* smtp=[^ ]*:\([0-9][0-9]*\).*/\1/p')
	[ -n "$LMTP_PORT" ] && [ -n "$SMTP_PORT" ] ||
	    fail "no lmtp/smtp port in the ready line: $st_line"
}

# stop_pid PID: TERM, KILL after $STOP_TIMEOUT s; returns the exit status
# (137 when it had to be killed).
stop_pid() {
	kill -TERM "$1" 2>/dev/null || true
	sp_n=$((STOP_TIMEOUT * 10))
	while kill -0 "$1" 2>/dev/null && [ "$sp_n" -gt 0 ]; do
		# a zombie is done: only our wait reaps it
		case $(ps -o stat= -p "$1" 2>/dev/null) in Z*) break ;; esac
		sleep 0.1
		sp_n=$((sp_n - 1))
	done
	if [ "$sp_n" -eq 0 ]; then
		echo "pid $1 still running after $STOP_TIMEOUT s: SIGKILL" >&2
		kill -KILL "$1" 2>/dev/null || true
	fi
	sp_rc=0
	wait "$1" 2>/dev/null || sp_rc=$?
	LIB_PIDS=$(printf '%s\n' "$LIB_PIDS" | tr ' ' '\n' | grep -vx "$1" |
	    tr '\n' ' ' || true)
	return "$sp_rc"
}

# stop_triaged: stops the current daemon; fails unless it exits 0 in time.
stop_triaged() {
	[ -n "$TRIAGED_PID" ] || return 0
	stt_rc=0
	stop_pid "$TRIAGED_PID" || stt_rc=$?
	TRIAGED_PID=""
	assert_eq "triaged exit status after SIGTERM" 0 "$stt_rc"
}

# start_sink [OPTIONS]: the aiosmtpd sink (tests/peers/sink.py) writing
# into the Maildir $SINK_DIR; sets SINK_PID and SINK_PORT.
start_sink() {
	"$PYTHON" "$SINK_PY" --port 0 --maildir "$SINK_DIR" "$@" \
	    >"$WORK/sink.out" 2>"$WORK/sink.log" </dev/null &
	SINK_PID=$!
	LIB_PIDS="$LIB_PIDS $SINK_PID"
	wait_for 'grep -q "^ready port=" "$WORK/sink.out" ||
	    ! kill -0 "$SINK_PID"' 30 || fail "sink not ready"
	SINK_PORT=$(sed -n 's/^ready port=\([0-9][0-9]*\).*/\1/p' \
	    "$WORK/sink.out")
	[ -n "$SINK_PORT" ] || fail "sink did not start (see $WORK/sink.log)"
}

stop_all() {
	for sa_pid in $LIB_PIDS; do
		stop_pid "$sa_pid" || true
	done
	# a daemon's helpers its leader left behind when it was stopped
	for sa_pgid in $LIB_PGIDS; do
		kill -KILL -- "-$sa_pgid" 2>/dev/null || true
	done
}

lib_teardown() {
	lt_rc=$1
	set +e
	trap - EXIT INT TERM
	stop_all
	if [ -n "$LIB_PG_DIR" ]; then
		sh "$PG_CLUSTER" stop "$LIB_PG_DIR"
		rm -rf "$LIB_PG_DIR"
	fi
	for lt_log in "$WORK"/triaged*.log "$WORK"/inject*.log; do
		[ -f "$lt_log" ] || continue
		if grep -q -e 'Sanitizer' -e 'runtime error' \
		    -e 'LeakSanitizer' "$lt_log"; then
			echo "FAIL: sanitizer report in $lt_log" >&2
			echo "FAIL: sanitizer report in $lt_log" >>"$LIB_FAILURES"
			[ "$lt_rc" -ne 0 ] && [ "$lt_rc" -ne 77 ] || lt_rc=1
		fi
	done
	if [ "$lt_rc" -eq 0 ] && [ "$LIB_SOFT_FAILS" -gt 0 ]; then
		echo "FAIL: $LIB_SOFT_FAILS check(s) failed" >&2
		lt_rc=1
	fi
	cd /
	if [ "$lt_rc" -eq 0 ] || [ "$lt_rc" -eq 77 ]; then
		rm -rf "$WORK"
	else
		for lt_log in "$WORK"/*.log; do
			[ -f "$lt_log" ] || continue
			echo "---- $lt_log (last 60 lines)"
			tail -n 60 "$lt_log"
		done
		echo "---- kept $WORK"
		if [ -s "$LIB_FAILURES" ]; then
			echo "---- $TEST_NAME failed:"
			cat "$LIB_FAILURES"
		fi
	fi
	exit "$lt_rc"
}

# --- mail ----------------------------------------------------------------

# make_msg FILE [mailtool make options]: writes a message (see
# tests/peers/mailtool.py: --from, --subject, --charset, --message-id,
# --no-message-id, --in-reply-to, --references, --header, --body).
make_msg() {
	"$PYTHON" "$MAILTOOL" make "$@"
}

# lmtp_send [--from S] [--rcpt R]... FILE...: delivers over LMTP and prints
# "FILE STAGE ADDR CODE TEXT" per recipient (see mailtool.py send).
lmtp_send() {
	"$PYTHON" "$MAILTOOL" send --proto lmtp --port "$LMTP_PORT" "$@"
}

smtp_send() {
	"$PYTHON" "$MAILTOOL" send --proto smtp --port "$SMTP_PORT" "$@"
}

# reply_of OUTPUT: "CODE TEXT" of the first line of a send's output.
reply_of() {
	printf '%s\n' "$1" | head -n 1 | cut -d' ' -f4-
}

# ticket_of OUTPUT: the N of "ticket #N" in the first reply ("" if none).
ticket_of() {
	printf '%s\n' "$1" | head -n 1 | sed -n 's/.*ticket #\([0-9][0-9]*\).*/\1/p'
}

# --- inspection ------------------------------------------------------------

# ctl COMMAND...: triagectl on our config with --json.
ctl() {
	"$TRIAGECTL" -c "$CONF" --json "$@"
}

# db_sql STATEMENT...: runs each statement on the daemon's database
# ($DATABASE, SQLite or PostgreSQL) and prints the rows of the last one,
# fields joined by "|", NULL as "".  For what triagectl does not show;
# write the SQL both engines share.
db_sql() {
	if [ "${TRIAGED_TEST_DB:-sqlite}" = pg ]; then
		for ds_s in "$@"; do
			ds_out=$(/usr/lib/postgresql/15/bin/psql -X -q -A -t \
			    -F '|' -v ON_ERROR_STOP=1 -d "$DATABASE" \
			    -c "$ds_s") || return 1
		done
		[ -z "$ds_out" ] || printf '%s\n' "$ds_out"
		return 0
	fi
	"$PYTHON" - "$DATABASE" "$@" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=30)
out = None
for s in sys.argv[2:]:
    out = db.execute(s).fetchall()
db.commit()
if out:
    for row in out:
        print("|".join("" if v is None else str(v) for v in row))
EOF
}

# db_value SQL: the first field of the first row of SQL on the daemon's
# database ("" if none or NULL), on either engine (db_sql).
db_value() {
	db_sql "$1" | head -n 1 | cut -d'|' -f1
}

# db_list SQL: the first field of every row of SQL joined by "," (as
# SQLite's group_concat, which PostgreSQL lacks; order by SQL's ORDER BY).
db_list() {
	db_sql "$1" | cut -d'|' -f1 | paste -s -d, -
}

# on_pg: true when the test runs on PostgreSQL (TRIAGED_TEST_DB=pg).
on_pg() {
	[ "${TRIAGED_TEST_DB:-sqlite}" = pg ]
}

# skip_on_pg REASON: a test (or part) that cannot mean anything on
# PostgreSQL says why and skips there (exit 77); nothing on SQLite.
skip_on_pg() {
	on_pg || return 0
	echo "SKIP on PostgreSQL: $*"
	exit 77
}

# pg_reply_key: the agent_mail setting PostgreSQL needs for the reply key
# (there is no file beside a URI to generate it in, README "PostgreSQL"):
# `secret_file = "$WORK/reply.key";` (made here) on PostgreSQL, nothing on
# SQLite, so that SQLite keeps generating its key beside the database.
# Tests write `agent_mail = { $(pg_reply_key) ... };`.
pg_reply_key() {
	on_pg || return 0
	[ -s "$WORK/reply.key" ] || head -c 32 /dev/urandom | od -An -tx1 |
	    tr -d ' \n' >"$WORK/reply.key"
	printf 'secret_file = "%s/reply.key";' "$WORK"
}

# pg_agent_mail: for a test whose config has agents and no agent_mail
# group: on PostgreSQL appends `agent_mail = { <pg_reply_key> };` to
# $CONF; nothing on SQLite.
pg_agent_mail() {
	on_pg || return 0
	printf 'agent_mail = { %s };\n' "$(pg_reply_key)" >>"$CONF"
}

# json_get EXPR: evaluates EXPR on the JSON document on stdin (as d).
json_get() {
	"$PYTHON" "$MAILTOOL" json "$1"
}

# sink_json: the sink's Maildir as JSON (see mailtool.py maildir).
sink_json() {
	"$PYTHON" "$MAILTOOL" maildir "${1:-$SINK_DIR}"
}

sink_count() {
	if [ -d "${1:-$SINK_DIR}/new" ]; then
		ls "${1:-$SINK_DIR}/new" | wc -l | tr -d ' '
	else
		echo 0
	fi
}

# outbox_idle: true when no outgoing mail waits (none queued).
outbox_idle() {
	[ "$(ctl outbox | json_get \
	    'len([o for o in d["outbox"] if o["status"] == "queued"])')" = 0 ]
}

# requests_count: the number of requests (triagectl list).
requests_count() {
	ctl list --limit 100000 | json_get 'len(d["requests"])'
}

# in_messages N: the number of incoming messages of request N.
in_messages() {
	ctl show "$1" | json_get \
	    'len([m for m in d["messages"] if m["direction"] == "in"])'
}

# pid_gone PID: true once PID has exited (a zombie counts: only our wait
# reaps it).
pid_gone() {
	kill -0 "$1" 2>/dev/null || return 0
	case $(ps -o stat= -p "$1" 2>/dev/null) in Z*) return 0 ;; esac
	return 1
}

# wait_exit PID SECONDS: waits for a process started here to end by
# itself; returns its exit status (fails the test at the deadline).
wait_exit() {
	wait_for "pid_gone $1" "$2" || fail "pid $1 still running after $2 s"
	we_rc=0
	wait "$1" 2>/dev/null || we_rc=$?
	LIB_PIDS=$(printf '%s\n' "$LIB_PIDS" | tr ' ' '\n' | grep -vx "$1" |
	    tr '\n' ' ' || true)
	return "$we_rc"
}

# --- the database on PostgreSQL (last: it fails with the helpers above) ----
if [ "${TRIAGED_TEST_DB:-sqlite}" = pg ]; then
	if [ -z "${TRIAGED_PG_SOCK:-}" ]; then
		# outside $WORK (0700): the server runs as another user
		LIB_PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/triaged-pg.XXXXXX")
		lib_pg=$(sh "$PG_CLUSTER" start "$LIB_PG_DIR") ||
		    fail "cannot start a PostgreSQL cluster"
		TRIAGED_PG_SOCK=${lib_pg% *}
		TRIAGED_PG_PORT=${lib_pg#* }
		export TRIAGED_PG_SOCK TRIAGED_PG_PORT
	fi
fi
lib_pg_database
