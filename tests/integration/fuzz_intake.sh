#!/bin/sh
#
# fuzz_intake.sh (DESIGN promises 1, 3 and 4): 600 mangled messages
# (tests/peers/mutate.py, fixed seed: the same mail every run) over LMTP
# into a daemon with every intake stage configured (full.conf: agents and
# trusted Authentication-Results, rules, assignment, SLA, survey).  Four in
# ten pose as an agent's reply with mail commands, valid and not, on
# requests that may not exist.
#
# Every message is answered 250 or refused for good (5xx): never a
# temporary failure (a 4xx here is a bug that would stall mail at the
# MTA) and never a dropped connection.  Every 250 "stored" is one message
# in the database.  The daemon stays up, still takes a normal message,
# drains its outbox into the sink and shows no sanitizer report.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

[ -d "$CORPUS_DIR" ] || { echo "SKIP: no corpus at $CORPUS_DIR"; exit 77; }

start_sink
write_config sink
cat "$top_srcdir/tests/integration/full.conf" >>"$CONF"
start_triaged

"$PYTHON" "$top_srcdir/tests/peers/mutate.py" "$LMTP_PORT" 600 20261123 \
    "$CORPUS_DIR" "$WORK/fuzz.json" || fail "mutate.py failed"
summary=$(cat "$WORK/fuzz.json")
printf '%s\n' "$summary"
kill -0 "$TRIAGED_PID" 2>/dev/null || fail "triaged died under the fuzzer"

check_eq "dropped connections" 0 \
    "$(printf '%s' "$summary" | json_get 'd["disconnects"]')"
check_eq "temporary failures" 0 \
    "$(printf '%s' "$summary" | json_get 'sum(n for c, n in d["replies"].items() if c.startswith("4"))')"
check_eq "answers" 600 \
    "$(printf '%s' "$summary" | json_get 'sum(d["replies"].values())')"
stored=$(printf '%s' "$summary" | json_get 'd["stored"]')
[ "$stored" -gt 300 ] || fail "only $stored of 600 messages stored"

# Every message stored once: every mail that came in (a customer's, an
# agent's reply or note) is a row with its dedupe key; what we sent has none.
check_eq "stored messages in the database" "$stored" \
    "$(db_value "SELECT count(*) FROM messages
    WHERE dedupe_key IS NOT NULL")"

# Still at work: a normal message, and the outbox drains.
make_msg ok.eml --from 'Ola <ola@customer.example.org>' \
    --subject 'After the storm' --message-id '<after-fuzz@customer.example.org>'
assert_contains "a normal message afterwards" \
    "$(reply_of "$(lmtp_send ok.eml)")" "stored as ticket"
wait_for outbox_idle 120 || fail "outbox not drained"
check_eq "outbox rows that failed" 0 \
    "$(ctl outbox | json_get 'len([o for o in d["outbox"] if o["status"] == "failed"])')"
stop_triaged
