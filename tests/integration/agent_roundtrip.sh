#!/bin/sh
#
# agent_roundtrip.sh (issue 4): the whole loop through the real daemon
# and the sink.  A customer writes; anna is notified with a signed
# Reply-To; she answers five times, as Thunderbird ("On ... wrote:" and
# "> " quotes), Outlook ("-----Original Message-----" + "From:/Sent:"
# block, HTML alternative, CRLF), Gmail (a wrapped "On ..., Name
# <addr> wrote:", an attachment), Apple Mail ("On ..., at ..., Name
# <addr> wrote:") and Outlook on the web (HTML only, a rule and a bold
# From/Sent block) would.  Each time the customer receives
# a clean relay: From the support address with anna's name, the token in
# the subject, threaded on the customer's own message, none of the quoted
# notification.  The customer's answer to a relay threads back to #1 and
# anna is notified again.  The first response time is recorded, and the
# first reply takes the request.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/agent_lib.sh"

start_sink
write_config sink
agents_settings
start_triaged

make_msg c1.eml --from "Jana Svobodová <$CUST>" --subject 'Printer on fire' \
    --message-id '<rt1@customer.example.org>' \
    --body 'Hello,\nthe printer in room 4 is on fire.\n'
assert_contains "customer mail" "$(reply_of "$(lmtp_send c1.eml)")" "ticket #1"
wait_mails "$ANNA" 1
note=$(mail_json_to "$ANNA")
SIGNED=$(reply_to_of "$(mail_file_to "$ANNA")")
case $SIGNED in
support+r1.aanna.*@example.test) ;;
*) fail "notification Reply-To is not signed for anna on #1: [$SIGNED]" ;;
esac
assert_contains "notification: customer's text" "$(body_of "$note")" \
    "room 4 is on fire"
assert_contains "notification: subject token" "$(header_of "$note" subject)" "[#1]"

# answer STYLE TEXT [agent_reply options]: anna answers the latest
# notification in STYLE; checks the relay the customer gets.
answer() {
	an_style=$1
	an_text=$2
	shift 2
	an_before=$(mails_to "$CUST")
	an_notif=$(mail_file_to "$ANNA")
	"$PYTHON" "$AGENT_REPLY" "$an_notif" "$WORK/$an_style.eml" \
	    --style "$an_style" --text "$an_text" "$@"
	an_out=$(agent_send "$WORK/$an_style.eml" "$SIGNED")
	printf '%s\n' "$an_out"
	assert_contains "$an_style: delivered" "$an_out" " 250 "
	wait_for '[ "$(mails_to "$CUST")" -gt "$an_before" ]' 30 ||
	    fail "$an_style: no relay reached the customer"
	RELAY=$(mail_json_to "$CUST")
	an_body=$(body_of "$RELAY")
	printf '%s\n' "--- relay ($an_style)" "$an_body"
	assert_contains "$an_style: relay From" "$(header_of "$RELAY" from)" \
	    "<$SUPPORT>"
	assert_contains "$an_style: relay From name" \
	    "$(header_of "$RELAY" from)" "Anna Agent"
	assert_contains "$an_style: relay Subject" \
	    "$(header_of "$RELAY" subject)" "[#1]"
	assert_contains "$an_style: relay References" \
	    "$(header_of "$RELAY" references)" "<rt1@customer.example.org>"
	assert_contains "$an_style: relay text" "$an_body" "$an_text"
	for an_bad in "wrote:" "Original Message" "Sent:" "> " \
	    "room 4 is on fire" "reply above this line" "support+r1"; do
		assert_not_contains "$an_style: relay free of [$an_bad]" \
		    "$an_body" "$an_bad"
	done
	assert_not_contains "$an_style: raw relay free of the signed address" \
	    "$(cat "$SINK_DIR/new/$(printf '%s\n' "$RELAY" | json_get 'd["file"]')")" \
	    "$SIGNED"
}

answer thunderbird "Please switch it off at the wall, we are on our way."
check_eq "first response recorded" 1 \
    "$(sql "SELECT count(*) FROM tickets WHERE id = 1 AND first_response_at IS NOT NULL")"
check_eq "first reply takes the request" anna \
    "$(sql "SELECT assignee FROM tickets WHERE id = 1")"
answer outlook "The technician will arrive at 14:00."
answer gmail "Here is the log the technician asked for." \
    --attach 'журнал drukarki łódź.bin'
# The attachment reaches the customer whole, with its name.
"$PYTHON" - "$SINK_DIR/new/$(printf '%s\n' "$RELAY" | json_get 'd["file"]')" \
    "$top_srcdir/tests/peers" <<'EOF' || fail "gmail: the attachment was not relayed intact"
import email, email.policy, sys
sys.path.insert(0, sys.argv[2])
from agent_reply import ATTACHMENT
with open(sys.argv[1], "rb") as f:
    msg = email.message_from_bytes(f.read(), policy=email.policy.default)
parts = [p for p in msg.iter_attachments()]
names = [p.get_filename() for p in parts]
print("relay attachments:", names)
assert names == ["журнал drukarki łódź.bin"], names
assert parts[0].get_content() == ATTACHMENT, "attachment bytes differ"
EOF

answer apple "Please also check the fuse box."
answer outlook-html "Update: the new printer ships today."
# The customer answers the last relay: it threads back, anna is told.
relay_id=$(header_of "$RELAY" message-id)
relay_subject=$(header_of "$RELAY" subject)
notes_before=$(mails_to "$ANNA")
make_msg c2.eml --from "Jana Svobodová <$CUST>" \
    --subject "Re: $relay_subject" --in-reply-to "$relay_id" \
    --references "<rt1@customer.example.org> $relay_id" \
    --message-id '<rt2@customer.example.org>' --body 'Thanks, the fire is out.\n'
out=$(lmtp_send c2.eml)
check_eq "customer answer threads to #1" 1 "$(ticket_of "$out")"
wait_for '[ "$(mails_to "$ANNA")" -gt "$notes_before" ]' 30 ||
    fail "anna was not notified of the customer's answer"
assert_contains "second notification: customer's answer" \
    "$(body_of "$(mail_json_to "$ANNA")")" "the fire is out"
check_eq "five relays stored" 5 \
    "$(sql "SELECT count(*) FROM messages WHERE ticket_id = 1 AND direction = 'out'")"
check_eq "agent mail kept raw (dedupe keys)" 5 \
    "$(sql "SELECT count(*) FROM messages WHERE ticket_id = 1 AND agent = 'anna' AND raw IS NOT NULL AND dedupe_key IS NOT NULL")"
check_eq "no request opened by agent mail" 1 \
    "$(sql "SELECT count(*) FROM tickets")"
stop_triaged
