#!/bin/sh
#
# imap_restart.sh (issue 3): Dovecot stopped while the daemon is taking a
# backlog (1,000 messages, batch = 10) and started again 5 s later on the
# same data and ports:
#   - during the outage the daemon logs exactly one
#     "imap mailbox=rs error: ...; retry in Ns" line although it retries
#     several times (backoff 1 s, 2 s, ...), triagectl mailboxes shows
#     state "error" with last_error, and the LMTP listener keeps
#     accepting mail (a message delivered then becomes a request);
#   - after the restart the daemon reconnects by itself (a second
#     "connected" line) and takes the rest plus 10 messages APPENDed after
#     the restart: every message exactly one request, nothing lost or
#     repeated, all \Seen on the server, no second error line.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/dovecot.sh"

TOTAL=1000
OUTAGE=5

start_dovecot a
imap_gen a INBOX "$TOTAL" rst

write_config
cat >>"$CONF" <<EOF
mailboxes = (
$(mailbox_conf rs a "tls = \"implicit\"; port = $IMAPS_PORT;
    ca_file = \"$DOVECOT_CERT\"; after = \"seen\"; batch = 10;")
);
EOF
start_triaged

# Stop Dovecot as soon as the first messages are in: mid-backlog.
n=0
while [ "$(imap_stored rst)" -lt 50 ]; do
	n=$((n + 1))
	[ "$n" -lt 3000 ] || fail "no progress before the outage"
	sleep 0.01
done
stop_dovecot
at_stop=$(imap_stored rst)
echo "dovecot stopped with $at_stop of $TOTAL stored"
[ "$at_stop" -lt "$TOTAL" ] ||
    echo "note: the whole backlog was taken before the stop"

wait_for "grep -q 'imap mailbox=rs error: .*; retry in [0-9]*s' '$TRIAGED_LOG'" 20 ||
    fail "no error line for the outage"
grep 'imap mailbox=rs error:' "$TRIAGED_LOG"
wait_for '[ "$(mailbox_json rs "[\"state\"]")" = error ]' 10 ||
    fail "triagectl mailboxes does not show state error"
le=$(mailbox_json rs '["last_error"]')
echo "last_error: $le"
case $le in ""|null) fail "no last_error during the outage" ;; esac

# LMTP keeps working while the mailbox is down.
make_msg lmtp.eml --from 'Lena <lena@customer.example.org>' \
    --subject 'During the outage' --message-id '<outage-lmtp@customer.example.org>'
out=$(lmtp_send lmtp.eml)
assert_contains "LMTP during the IMAP outage" "$(reply_of "$out")" "250 2.0.0"
assert_contains "LMTP during the IMAP outage" "$(reply_of "$out")" "ticket #"

sleep "$OUTAGE"	# the outage itself: several retries happen meanwhile
restart_dovecot a
imap_gen a INBOX 10 rst "$TOTAL"

wait_for '[ "$(imap_stored rst)" -ge '$((TOTAL + 10))' ]' 60 ||
    fail "only $(imap_stored rst) of $((TOTAL + 10)) stored after the restart"
wait_for '[ "$(imap_count a INBOX UNSEEN)" = 0 ]' 20 ||
    fail "$(imap_count a INBOX UNSEEN) messages left unseen"
wait_for '[ "$(mailbox_json rs "[\"state\"]")" = idle ]' 20 ||
    fail "the mailbox did not return to idle"

imap_check rst $((TOTAL + 10)) imap:rs || fail "requests of the mailbox"
check_eq "requests (IMAP and the one LMTP message)" $((TOTAL + 11)) \
    "$(requests_count)"
check_eq "\\Seen on the server" $((TOTAL + 10)) "$(imap_count a INBOX SEEN)"
check_eq "error lines for one outage" 1 "$(log_count 'imap mailbox=rs error:')"
check_eq "connected lines (start, after the outage)" 2 \
    "$(log_count 'imap mailbox=rs connected ')"

stop_triaged
