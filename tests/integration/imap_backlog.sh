#!/bin/sh
#
# imap_backlog.sh (issue 3): a backlog of 2,000 messages waiting in the
# INBOX before the daemon starts is taken in batches: exactly 2,000
# requests, each message stored once (no duplicates, none missing, source
# imap:bl), all 2,000 flagged \Seen on the server and none left unseen;
# the "took N messages (backlog M)" lines add up to 2,000 and triagectl
# mailboxes counts taken = 2000, backlog 0.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/dovecot.sh"

TOTAL=${BACKLOG_TOTAL:-2000}

start_dovecot a
imap_gen a INBOX "$TOTAL" bk
assert_eq "backlog in the INBOX" "$TOTAL" "$(imap_count a INBOX UNSEEN)"

write_config
cat >>"$CONF" <<EOF
mailboxes = (
$(mailbox_conf bl a "tls = \"implicit\"; port = $IMAPS_PORT;
    ca_file = \"$DOVECOT_CERT\"; after = \"seen\"; batch = 100;")
);
EOF
t0=$(date +%s)
start_triaged
wait_for '[ "$(imap_stored bk)" -ge '"$TOTAL"' ]' 100 ||
    fail "only $(imap_stored bk) of $TOTAL stored after 100 s"
echo "$TOTAL stored in $(($(date +%s) - t0)) s"
wait_for '[ "$(imap_count a INBOX UNSEEN)" = 0 ]' 20 ||
    fail "$(imap_count a INBOX UNSEEN) messages still unseen"

imap_check bk "$TOTAL" imap:bl || fail "requests of the backlog"
check_eq "requests" "$TOTAL" "$(requests_count)"
check_eq "\\Seen on the server" "$TOTAL" "$(imap_count a INBOX SEEN)"
check_eq "messages on the server" "$TOTAL" "$(imap_count a INBOX ALL)"
check_eq "sum of 'took N messages' lines" "$TOTAL" "$(sed -n \
    's/.*imap mailbox=bl took \([0-9]*\) messages (backlog [0-9]*).*/\1/p' \
    "$TRIAGED_LOG" | awk '{ s += $1 } END { print s + 0 }')"
check_eq "rounds of at most batch = 100" 0 "$(sed -n \
    's/.*imap mailbox=bl took \([0-9]*\) messages.*/\1/p' "$TRIAGED_LOG" |
    awk '$1 > 100' | wc -l | tr -d ' ')"
check_eq "taken" "$TOTAL" "$(mailbox_json bl '["taken"]')"
check_eq "backlog" 0 "$(mailbox_json bl '["backlog"]')"

stop_triaged
