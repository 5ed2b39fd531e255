#!/bin/sh
# multi_outbox.sh (issue 15): two triaged instances on one PostgreSQL
# database share the outbox, each row delivered by the one instance that
# claimed it (sender.c, outbox_claim):
# - 300 new requests delivered over LMTP partly to each instance, partly
#   to both at once: each stored once, one request each;
# - the acknowledgements go to a slow smarthost (the sink waits 0.2 s
#   before each 250), and both instances deliver them: each row is sent
#   by one instance (no id in both logs);
# - kill -9 of one instance while it holds claimed rows: the survivor
#   takes them over once their lease ran out, and every acknowledgement
#   reaches the sink, at most the one in flight at the kill twice; the
#   lease is outgoing.lease (20 s here: logged, and the rows are taken
#   over after it);
# - `triagectl outbox` shows the dead instance's claim and its lease
#   (JSON and text), and no claim once everything is sent.
# On either suite (its own cluster when not under make check-pg).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/multi_lib.sh"

N=300
LEASE=20
multi_setup --delay 0.2
sed -i "s/^  retry_max = 2;/&\n  lease = $LEASE;/" "$CONF"
grep -q "lease = $LEASE;" "$CONF" || fail "no outgoing.lease in $CONF"
multi_start A
multi_start B

"$PYTHON" "$top_srcdir/tests/peers/multi_stream.py" --port "$A_LMTP" \
    --port "$B_LMTP" --count "$N" --both 4 --threads 4 --tag o \
    >"$WORK/stream.out" || fail "not every message accepted (stream.out)"

assert_eq "requests, one per message" "$N|$N" \
    "$(db_sql "SELECT count(*), count(DISTINCT id) FROM tickets")"
assert_eq "incoming messages, each stored once" "$N|$N" \
    "$(db_sql "SELECT count(*), count(DISTINCT message_id) FROM messages
    WHERE direction = 'in'")"

# A holds rows it has not delivered yet: kill it there
held_sql="SELECT count(*) FROM outbox WHERE status = 'queued'
    AND claimed_by LIKE '%:$A_PID:%'"
wait_for "[ \"\$(db_sql \"$held_sql\")\" -gt 1 ]" 60 ||
    fail "instance A never held outbox rows"
kill -KILL "$A_PID"
wait_exit "$A_PID" 10 || true
# read after the kill: a row A finished between a read before it and the
# signal is A's, sent once (CI saw that race once)
db_sql "SELECT id FROM outbox WHERE status = 'queued'
    AND claimed_by LIKE '%:$A_PID:%' ORDER BY id" >"$WORK/held"
[ -s "$WORK/held" ] || fail "A held no undelivered rows at the kill"
echo "killed A holding $(wc -l <"$WORK/held") rows"
# what the admin sees meanwhile: A's claim, until its lease runs out
last=$(tail -n 1 "$WORK/held")
assert_eq "triagectl outbox: row $last claimed by A, with its lease" 1 \
    "$(ctl outbox --status queued | json_get "len([o for o in d['outbox']
    if o['id'] == $last and ':$A_PID:' in (o['claimed_by'] or '')
    and o['lease_until'] is not None])")"
"$TRIAGECTL" -c "$CONF" outbox --status queued >"$WORK/outbox.txt"
grep -q "CLAIMED BY" "$WORK/outbox.txt" &&
    grep -Eq "^$last .*:$A_PID:[^ ]*, ([0-9]+s left|expired [0-9]+s ago)" \
    "$WORK/outbox.txt" ||
    fail "triagectl outbox: row $last without A's claim (outbox.txt)"

# B delivers the rest, A's rows once their lease ran out
wait_for "[ \"\$(db_sql \"SELECT count(*) FROM outbox
    WHERE status = 'queued'\")\" = 0 ]" 150 ||
    fail "the survivor did not deliver everything"
assert_eq "acknowledgements sent" "$N" \
    "$(db_sql "SELECT count(*) FROM outbox WHERE kind = 'ack'
    AND status = 'sent'")"
assert_eq "claims left once everything is sent" 0 \
    "$(ctl outbox | json_get "len([o for o in d['outbox']
    if o['claimed_by'] is not None])")"
grep -q "outbox: instance .* claims rows for ${LEASE}s, renewed every $((LEASE / 4))s" "$B_LOG" ||
    fail "no instance line in B's log"
while read -r id; do
	grep -q "outbox id=$id sent" "$B_LOG" ||
	    fail "row $id, held by A at the kill, not sent by B"
done <"$WORK/held"

# every acknowledgement at the sink, each row sent by one instance
set -- $(multi_acks)
assert_eq "distinct acknowledgements at the sink" "$N" "$2"
[ "$1" -le $((N + 1)) ] ||
    fail "$1 acknowledgements for $N requests: more than the one in flight"
grep -ho 'outbox id=[0-9]* sent' "$A_LOG" "$B_LOG" | sort | uniq -d \
    >"$WORK/both"
[ "$(wc -l <"$WORK/both")" -le 1 ] ||
    fail "rows sent by both instances: $(cat "$WORK/both")"
sent_a=$(grep -c 'outbox id=[0-9]* sent' "$A_LOG" || true)
sent_b=$(grep -c 'outbox id=[0-9]* sent' "$B_LOG" || true)
echo "sent by A: $sent_a, by B: $sent_b, twice: $(($1 - N))"
[ "$sent_a" -gt 0 ] || fail "A sent nothing: the outbox was not shared"
echo "PASS: multi_outbox"
