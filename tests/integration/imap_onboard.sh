#!/bin/sh
#
# imap_onboard.sh (issue 19, "Onboarding"): connecting a mailbox that
# already holds years of mail sends nothing to anybody.
#   - Mailbox ob (existing not set: import-silently) holds 2,000 old
#     messages at its first connection, the smarthost is a real SMTP
#     sink.  triaged is stopped (SIGTERM) in the middle of the import,
#     one new message arrives while it is down, and it starts again:
#     the UID boundary recorded at the first connection (import_uid
#     2000 in triagectl mailboxes) holds, so the rest of the old mail
#     is still imported silently and the new message, above the
#     boundary, is handled normally.  In the end: 2,001 requests, the
#     2,000 old ones closed and tagged "imported", no outbox row for
#     any of them, and exactly one mail in the sink for them all: the
#     new message's acknowledgement.
#   - Mailbox sk (existing = "skip") holds 20 old messages: none is
#     stored or flagged (still unseen on the server, import_uid 20);
#     two messages appended while the daemon runs are stored and
#     acknowledged.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/dovecot.sh"

OLD=${ONBOARD_OLD:-2000}

start_dovecot a b
imap_gen a INBOX "$OLD" old
imap_gen b INBOX 20 skp
start_sink
write_config sink
cat >>"$CONF" <<EOF
mailboxes = (
$(mailbox_conf ob a "tls = \"implicit\"; port = $IMAPS_PORT;
    ca_file = \"$DOVECOT_CERT\"; batch = 50;"),
$(mailbox_conf sk b "tls = \"implicit\"; port = $IMAPS_PORT;
    ca_file = \"$DOVECOT_CERT\"; existing = \"skip\";")
);
EOF

start_triaged
wait_for '[ "$(imap_stored old)" -ge 200 ]' 60 ||
    fail "the import did not start"
stop_triaged
mid=$(imap_stored old)
echo "stopped with $mid of $OLD old messages stored"
[ "$mid" -lt "$OLD" ] || echo "note: the whole import ended before the stop"
check_eq "ob: boundary recorded at the first connection" "$OLD" \
    "$(mailbox_json ob '["import_uid"]')"
check_eq "sk: boundary recorded at the first connection" 20 \
    "$(mailbox_json sk '["import_uid"]')"
check_eq "outbox rows during the import" 0 \
    "$(ctl outbox | json_get 'len(d["outbox"])')"

# New mail while the daemon is down: above the boundary.
make_msg new.eml --from 'Nadia <nadia@customer.example.org>' \
    --subject 'Printer on fire' --message-id '<onboard-new@customer.example.org>'
imap_append a INBOX new.eml

start_triaged
wait_for '[ "$(imap_stored old)" -ge '"$OLD"' ]' 120 ||
    fail "only $(imap_stored old) of $OLD old messages stored"
wait_for '[ "$(imap_stored onboard)" -ge 1 ]' 30 ||
    fail "the new message was not stored"
imap_gen b INBOX 2 skn
wait_for '[ "$(imap_stored skn)" -ge 2 ]' 30 ||
    fail "the new messages of the skip mailbox were not stored"
wait_for '[ "$(sink_count)" -ge 3 ] && outbox_idle' 30 ||
    fail "the acknowledgements were not sent ($(sink_count) in the sink)"

imap_check old "$OLD" imap:ob || fail "requests of the old mail"
check_eq "requests" $((OLD + 3)) "$(requests_count)"
db() { db_value "$1"; }
check_eq "old requests closed" "$OLD" "$(db "SELECT count(*) FROM tickets t
    JOIN messages m ON m.ticket_id = t.id WHERE m.message_id LIKE
    '%old-%' AND t.status = 'closed'")"
check_eq "old requests tagged imported" "$OLD" "$(db "SELECT count(*)
    FROM ticket_tags WHERE tag = 'imported'")"
check_eq "new requests not closed" 3 "$(db "SELECT count(*) FROM tickets
    WHERE status <> 'closed'")"
check_eq "outbox rows: the three acknowledgements only" 3 \
    "$(ctl outbox | json_get 'len(d["outbox"])')"
check_eq "mails in the sink" 3 "$(sink_count)"
check_eq "ack log lines of the import" 0 \
    "$(cat "$WORK"/triaged.*.log | grep 'source=imap:ob' |
    grep -v 'from="nadia@' | grep -c 'ack=queued' || true)"
check_eq "stored lines of the import, all silent" "$OLD" \
    "$(cat "$WORK"/triaged.*.log | grep 'source=imap:ob' |
    grep -c 'ack=skipped:silent' || true)"

# The skip mailbox: the 20 old messages untouched.
check_eq "sk: old messages stored" 0 "$(imap_stored skp)"
wait_for '[ "$(imap_count b INBOX SEEN)" = 2 ]' 15 || true
check_eq "sk: new messages seen" 2 "$(imap_count b INBOX SEEN)"
check_eq "sk: old messages still unseen" 20 "$(imap_count b INBOX UNSEEN)"
check_eq "sk: backlog (skipped mail is not backlog)" 0 \
    "$(mailbox_json sk '["backlog"]')"

stop_triaged
