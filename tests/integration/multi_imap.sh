#!/bin/sh
# multi_imap.sh (issue 15): two triaged instances on one PostgreSQL
# database, one IMAP mailbox (Dovecot) configured on both:
# - one instance polls it, the other stands by (mailbox_leases, logged);
# - kill -9 of the one polling: the other takes the mailbox over within
#   `takeover` seconds (10 here) and takes what came meanwhile;
# - every message stored once, one request each, all flagged \Seen;
# - `triagectl mailboxes` shows the lease's holder and expiry (JSON and
#   text), the survivor's after the takeover.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/dovecot.sh"
. "$top_srcdir/tests/integration/multi_lib.sh"

TAKEOVER=10
start_dovecot a
multi_setup
cat >>"$CONF" <<EOF
mailboxes = (
$(mailbox_conf shared a "tls = \"implicit\"; port = $IMAPS_PORT;
    ca_file = \"$DOVECOT_CERT\"; idle = true; takeover = $TAKEOVER;")
);
EOF
multi_start A
multi_start B

stored() {
	db_sql "SELECT count(*), count(DISTINCT message_id) FROM messages
	    WHERE direction = 'in' AND message_id LIKE '%mim-%'"
}
polls() {	# LOG: does that instance poll the mailbox?
	grep -q 'imap mailbox=shared connected' "$1"
}
wait_for "polls '$A_LOG' || polls '$B_LOG'" 30 ||
    fail "no instance connected to the mailbox"
if polls "$A_LOG"; then
	HOLDER=A; H_PID=$A_PID; OTHER_LOG=$B_LOG; O_PID=$B_PID
else
	HOLDER=B; H_PID=$B_PID; OTHER_LOG=$A_LOG; O_PID=$A_PID
fi
# lease_held PID: the mailbox's lease, as triagectl shows it, is PID's
lease_held() {
	ctl mailboxes | json_get "int(':$1:' in (d['mailboxes'][0]
	    ['lease_holder'] or '') and d['mailboxes'][0]['lease_until']
	    is not None)"
}
wait_for "grep -q 'imap mailbox=shared standing by' '$OTHER_LOG'" 30 ||
    fail "the other instance does not stand by"
echo "instance $HOLDER polls the mailbox"
assert_eq "triagectl mailboxes: the holder's lease" 1 "$(lease_held "$H_PID")"
"$TRIAGECTL" -c "$CONF" mailboxes >"$WORK/mailboxes.txt"
cat "$WORK/mailboxes.txt"
grep -q "POLLED BY" "$WORK/mailboxes.txt" &&
    grep -Eq "^shared .*:$H_PID:[^ ]*, [0-9]+s left" "$WORK/mailboxes.txt" ||
    fail "triagectl mailboxes: no holder and time left in the text"

imap_gen a INBOX 20 mim
wait_for '[ "$(stored)" = "20|20" ]' 60 || fail "first 20 not stored: $(stored)"
polls "$OTHER_LOG" && fail "both instances polled the mailbox at once"
assert_eq "the holder's lease" 1 "$(db_sql "SELECT count(*) FROM
    mailbox_leases WHERE name = 'shared' AND holder LIKE '%:$H_PID:%'")"

kill -KILL "$H_PID"
wait_exit "$H_PID" 10 || true
t0=$(date +%s)
imap_gen a INBOX 20 mim 20
wait_for "grep -q 'imap mailbox=shared taken over' '$OTHER_LOG'" \
    $((TAKEOVER + 20)) || fail "the survivor did not take the mailbox over"
wait_for '[ "$(stored)" = "40|40" ]' 60 || fail "not all 40 stored: $(stored)"
assert_eq "triagectl mailboxes: the survivor's lease" 1 \
    "$(lease_held "$O_PID")"
echo "taken over and all stored $(($(date +%s) - t0)) s after the kill" \
    "(takeover = $TAKEOVER s)"
assert_eq "requests, one per message" "40|40" \
    "$(db_sql "SELECT count(*), count(DISTINCT id) FROM tickets")"
wait_for '[ "$(imap_count a INBOX SEEN)" = 40 ]' 20 ||
    fail "not every message flagged \\Seen: $(imap_count a INBOX SEEN)"
echo "PASS: multi_imap"
