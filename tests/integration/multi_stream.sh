#!/bin/sh
# multi_stream.sh (issue 15): one stream of 2,000 new requests over LMTP
# to instances of triaged on one PostgreSQL database, as MTAs deliver
# behind several MX records (tests/peers/multi_stream.py: every 4th
# message to two instances at once, each delivery retried on a 4xx or a
# lost connection, on the next instance when one is down):
# - 1,000 to two instances, then 1,000 to three, one of which is killed
#   with kill -9 in the middle of the stream (and of its outbox);
# - every message accepted, stored once, one request each, no request
#   number twice;
# - every acknowledgement at the smarthost (the sink) once, at most the
#   one in flight at the kill twice; the killed instance's claimed
#   outbox rows are sent by the others once their lease ran out.
# Each instance writes through three connections (database_writers = 3,
# counted on the server), so the stream also runs through several
# writers of one instance at once.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/multi_lib.sh"

HALF=${MULTI_HALF:-1000}
N=$((2 * HALF))
multi_setup
echo "database_writers = 3;" >>"$CONF"
multi_start A
multi_start B
# three writers and the sender's connection each
assert_eq "sessions of two instances on the database" 8 \
    "$(db_value "SELECT count(*) FROM pg_stat_activity WHERE
    datname = current_database() AND pid <> pg_backend_pid()")"

stream() {	# TAG START PORTS...: see multi_stream.py
	st_tag=$1
	st_start=$2
	shift 2
	st_ports=""
	for p in "$@"; do st_ports="$st_ports --port $p"; done
	# shellcheck disable=SC2086
	"$PYTHON" "$top_srcdir/tests/peers/multi_stream.py" $st_ports \
	    --start "$st_start" --count "$HALF" --both 4 --threads 8 --tag "$st_tag" \
	    ${KILL_FILE:+--kill-file "$KILL_FILE" --kill-after "$((HALF / 3))"} \
	    >"$WORK/stream.$st_tag.out" ||
	    fail "stream $st_tag: not every message accepted: $(grep -cv ' 250$' \
	    "$WORK/stream.$st_tag.out") (stream.$st_tag.out)"
}

t0=$(date +%s)
KILL_FILE=""
stream two 0 "$A_LMTP" "$B_LMTP"
echo "two instances: $HALF messages in $(($(date +%s) - t0)) s"

multi_start C
KILL_FILE=$WORK/kill
(
	while [ ! -f "$KILL_FILE" ]; do sleep 0.1; done
	kill -KILL "$B_PID"
) &
killer=$!
t0=$(date +%s)
stream three "$HALF" "$A_LMTP" "$B_LMTP" "$C_LMTP"
wait "$killer" || true
wait_exit "$B_PID" 10 || true
echo "three instances, B killed after $((HALF / 3)): $HALF messages in" \
    "$(($(date +%s) - t0)) s"

assert_eq "incoming messages, each stored once" "$N|$N" \
    "$(db_sql "SELECT count(*), count(DISTINCT message_id) FROM messages
    WHERE direction = 'in'")"
assert_eq "requests, one per message, no number twice" "$N|$N" \
    "$(db_sql "SELECT count(*), count(DISTINCT id) FROM tickets")"
assert_eq "one request per customer" "$N" \
    "$(db_sql "SELECT count(DISTINCT customer_id) FROM tickets")"

# the outbox: B's claims run out after 60 s, then A or C sends them
wait_for "[ \"\$(db_sql \"SELECT count(*) FROM outbox
    WHERE status = 'queued'\")\" = 0 ]" 150 ||
    fail "outbox not drained: $(db_sql "SELECT count(*), claimed_by
    FROM outbox WHERE status = 'queued' GROUP BY claimed_by")"
set -- $(multi_acks)
echo "acknowledgements at the sink: $1 for $2 customers"
assert_eq "every customer acknowledged" "$N" "$2"
[ "$1" -le $((N + 1)) ] ||
    fail "$1 acknowledgements for $N requests: more than the one in flight"
for x in A B C; do
	eval "log=\$${x}_LOG"
	echo "instance $x: $(grep -c 'outbox id=[0-9]* sent' "$log" || true)" \
	    "sent, $(grep -c ' stored\| ticket=' "$log" || true) log lines" \
	    "of intake"
done
echo "PASS: multi_stream"
