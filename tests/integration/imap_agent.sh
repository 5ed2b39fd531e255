#!/bin/sh
#
# imap_agent.sh (issues 3 and 4): the whole agent loop through a real
# Dovecot mailbox, as when the support address is a hosted mailbox that
# the MTA fills, "+" sub-addresses included, and triaged polls it over
# IMAPS.  There is no envelope then: the signed Reply-To must be found
# in the To header.
#
# A customer's mail is APPENDed to the INBOX: it becomes request #1 and
# anna is notified (sink) with a signed Reply-To.  Her Thunderbird-style
# answer to that address is APPENDed too: the customer receives the clean
# relay and the request is hers.  A reply to the same signed address
# From someone who is not anna (a forwarded notice) is APPENDed: it is
# customer mail on #1, relays nothing and closes nothing.  Every message
# ends up \Seen on the server.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/dovecot.sh"
. "$top_srcdir/tests/integration/agent_lib.sh"

start_dovecot support
start_sink
write_config sink
agents_settings
cat >>"$CONF" <<EOF
mailboxes = (
$(mailbox_conf ms support "tls = \"implicit\"; port = $IMAPS_PORT;
    verify = true; ca_file = \"$DOVECOT_CERT\"; after = \"seen\";")
);
EOF
start_triaged

make_msg c1.eml --from "Jana <$CUST>" --to "$SUPPORT" \
    --subject 'Skaner nie działa' --message-id '<ia1@customer.example.org>' \
    --body 'Dzień dobry,\nskaner w pokoju 4 nie działa.\n'
imap_append support INBOX c1.eml >/dev/null
wait_mails "$ANNA" 1
check_eq "request from the mailbox" 1 "$(requests_count)"
NOTIF=$(mail_file_to "$ANNA")
SIGNED=$(reply_to_of "$NOTIF")
case $SIGNED in
support+r1.aanna.*@example.test) ;;
*) fail "notification Reply-To is not signed for anna on #1: [$SIGNED]" ;;
esac

wait_for outbox_idle 30 || fail "outbox not idle"
cust0=$(mails_to "$CUST")	# the acknowledgement

# anna's answer arrives through the mailbox, addressed to the signed address
"$PYTHON" "$AGENT_REPLY" "$NOTIF" "$WORK/a1.eml" --style thunderbird \
    --text 'Technik przyjdzie jutro o 10:00.' \
    --message-id '<ia2@agents.example.test>'
imap_append support INBOX "$WORK/a1.eml" >/dev/null
wait_for '[ "$(mails_to "$CUST")" -gt "$cust0" ]' 30 ||
    fail "anna's answer from the mailbox was not relayed"
relay=$(mail_json_to "$CUST")
assert_contains "relay text" "$(body_of "$relay")" "Technik przyjdzie jutro"
assert_not_contains "relay: no quote" "$(body_of "$relay")" "pokoju 4"
assert_contains "relay From" "$(header_of "$relay" from)" "<$SUPPORT>"
check_eq "first reply takes the request" anna \
    "$(sql "SELECT assignee FROM tickets WHERE id = 1")"

# the same signed address From someone else: customer mail, nothing done
make_msg f1.eml --from "Vendor <helper@vendor.example>" --to "$SIGNED" \
    --subject 'Re: [#1] Skaner nie działa' \
    --message-id '<ia3@vendor.example>' --body '#status closed\nDone.\n'
imap_append support INBOX f1.eml >/dev/null
wait_for "grep -q 'forged-from=helper@vendor.example ticket=1 treated as customer reason=signed-from-other' '$TRIAGED_LOG'" 30 ||
    fail "the outsider's reply was not logged as forged"
check_eq "outsider: status unchanged" open \
    "$(sql "SELECT status FROM tickets WHERE id = 1")"
check_eq "outsider: stored as incoming on #1" "in|1" \
    "$(sql "SELECT direction, ticket_id FROM messages WHERE message_id = 'ia3@vendor.example'")"
wait_for outbox_idle 30 || fail "outbox not idle"
check_eq "one relay to the customer" $((cust0 + 1)) "$(mails_to "$CUST")"

wait_for '[ "$(imap_count support INBOX SEEN)" = 3 ]' 15 || true
check_eq "every message \\Seen on the server" 3 \
    "$(imap_count support INBOX SEEN)"
stop_triaged
stop_dovecot
