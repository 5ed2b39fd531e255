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
# notification; the customer's Cc is kept, In-Reply-To is the customer's
# latest message.  Attachments (a Cyrillic RFC 2231 name; a PDF named
# the Outlook way, RFC 2047, inside multipart/mixed around an alternative)
# reach the customer byte for byte.  The customer's answer to a relay
# threads back to #1 and anna is notified again, in her thread of #1
# (In-Reply-To her previous notice).  The first response time is
# recorded, and the first reply takes the request.  A second request of
# the same customer, unassigned, goes to every agent while it has no
# category and to the category's agents (anna) once it has one; its
# notices carry the contact card (earlier requests: 1) and the state, and
# start a thread of their own.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/agent_lib.sh"

start_sink
write_config sink
agents_settings
start_triaged

DAVE=dave@customer.example.org
make_msg c1.eml --from "Jana Svobodová <$CUST>" --subject 'Printer on fire' \
    --message-id '<rt1@customer.example.org>' \
    --header "Cc: Dave Boss <$DAVE>" \
    --body 'Hello,\nthe printer in room 4 is on fire.\n'
assert_contains "customer mail" "$(reply_of "$(lmtp_send c1.eml)")" "ticket #1"
wait_mails "$ANNA" 1
# Unassigned and without a category: every agent is told.
wait_mails "$BOB" 1
note=$(mail_json_to "$ANNA")
NOTICE1_ID=$(header_of "$note" message-id)
nb=$(body_of "$note")
for want in "Customer: Jana Svobodová" "Addresses: $CUST" \
    "Earlier requests: 0" "Status: new" "Assignee: (nobody)"; do
	assert_contains "notification: card and state [$want]" "$nb" "$want"
done
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
	assert_eq "$an_style: relay In-Reply-To the customer's latest" \
	    "${WANT_IRT:-<rt1@customer.example.org>}" \
	    "$(header_of "$RELAY" in-reply-to)"
	assert_contains "$an_style: the customer's Cc kept" \
	    "$(header_of "$RELAY" cc)" "$DAVE"
	assert_contains "$an_style: the Cc in the envelope" \
	    "$(printf '%s\n' "$RELAY" | json_get 'd["rcpt_to"]')" "<$DAVE>"
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
answer outlook "The technician will arrive at 14:00." \
    --attach-pdf 'счёт №5 к договору.pdf'
# The PDF, named the Outlook way and next to a multipart/alternative,
# arrives whole, with its name; the relay's row lists it.
"$PYTHON" - "$SINK_DIR/new/$(printf '%s\n' "$RELAY" | json_get 'd["file"]')" \
    "$top_srcdir/tests/peers" <<'EOF' || fail "outlook: the PDF was not relayed intact"
import email, email.policy, sys
sys.path.insert(0, sys.argv[2])
from agent_reply import PDF_ATTACHMENT
with open(sys.argv[1], "rb") as f:
    msg = email.message_from_bytes(f.read(), policy=email.policy.default)
parts = [p for p in msg.iter_attachments()]
names = [p.get_filename() for p in parts]
print("relay attachments:", names)
assert names == ["счёт №5 к договору.pdf"], names
assert parts[0].get_content_type() == "application/pdf"
assert parts[0].get_content() == PDF_ATTACHMENT, "PDF bytes differ"
body = msg.get_body(preferencelist=("plain",)).get_content()
assert "Original Message" not in body, body
EOF
check_eq "outlook: the relay lists the PDF" "счёт №5 к договору.pdf|application/pdf" \
    "$(sql "SELECT a.filename, a.content_type FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.direction = 'out' AND a.filename LIKE '%.pdf'")"
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
note2=$(mail_json_to "$ANNA")
assert_contains "second notification: customer's answer" \
    "$(body_of "$note2")" "the fire is out"
# Her thread of #1: it answers her previous notice of #1.
assert_eq "second notification: In-Reply-To her first notice" \
    "$NOTICE1_ID" "$(header_of "$note2" in-reply-to)"
assert_contains "second notification: References the request's first" \
    "$(header_of "$note2" references)" \
    "<$(sql "SELECT thread_root FROM tickets WHERE id = 1")>"
check_eq "assigned: bob no longer told" 1 "$(mails_to "$BOB")"
# Anna answers the customer's answer: the relay answers rt2.
WANT_IRT='<rt2@customer.example.org>'
answer thunderbird "Glad to hear it, closing the request."
assert_contains "relay References the conversation" \
    "$(header_of "$RELAY" references)" "$relay_id"
assert_contains "relay References the customer's answer" \
    "$(header_of "$RELAY" references)" "<rt2@customer.example.org>"
check_eq "six relays stored" 6 \
    "$(sql "SELECT count(*) FROM messages WHERE ticket_id = 1 AND direction = 'out'")"
check_eq "agent mail kept raw (dedupe keys)" 6 \
    "$(sql "SELECT count(*) FROM messages WHERE ticket_id = 1 AND agent = 'anna' AND raw IS NOT NULL AND dedupe_key IS NOT NULL")"
check_eq "no request opened by agent mail" 1 \
    "$(sql "SELECT count(*) FROM tickets")"

# --- a second request: routing while unassigned, card, its own thread ---
a0=$(mails_to "$ANNA")
b0=$(mails_to "$BOB")
make_msg c3.eml --from "Jana Svobodová <$CUST>" --subject 'Refund for the toner' \
    --message-id '<rt3@customer.example.org>' --body 'Please refund the toner.\n'
check_eq "second request" 2 "$(ticket_of "$(lmtp_send c3.eml)")"
wait_mails "$ANNA" $((a0 + 1))
wait_mails "$BOB" $((b0 + 1))
n3=$(mail_json_to "$ANNA")
assert_contains "#2 notice: earlier requests" "$(body_of "$n3")" \
    "Earlier requests: 1"
assert_contains "#2 notice: state" "$(body_of "$n3")" \
    "Request #2: Refund for the toner"
assert_contains "#2 notice: token" "$(header_of "$n3" subject)" "[#2]"
assert_not_contains "#2 notice: not in #1's thread" \
    "$(header_of "$n3" references) $(header_of "$n3" in-reply-to)" \
    "$NOTICE1_ID"
"$TRIAGECTL" -c "$CONF" category 2 billing >/dev/null ||
    fail "triagectl category 2 billing"
make_msg c4.eml --from "Jana Svobodová <$CUST>" \
    --subject 'Re: [#2] Refund for the toner' \
    --message-id '<rt4@customer.example.org>' \
    --body 'Any news on the refund?\n'
check_eq "follow-up on #2" 2 "$(ticket_of "$(lmtp_send c4.eml)")"
wait_mails "$ANNA" $((a0 + 2))
wait_for outbox_idle 30 || fail "outbox not idle"
check_eq "unassigned billing request: bob (not billing) not told" \
    $((b0 + 1)) "$(mails_to "$BOB")"
n4=$(mail_json_to "$ANNA")
assert_contains "#2 follow-up notice" "$(body_of "$n4")" \
    "Any news on the refund?"
assert_contains "#2 follow-up notice: category" "$(body_of "$n4")" \
    "Category: billing"
assert_eq "#2 follow-up notice: In-Reply-To anna's first #2 notice" \
    "$(header_of "$n3" message-id)" "$(header_of "$n4" in-reply-to)"
# One more: it answers her latest #2 notice, not the first one.
make_msg c5.eml --from "Jana Svobodová <$CUST>" \
    --subject 'Re: [#2] Refund for the toner' \
    --message-id '<rt5@customer.example.org>' --body 'Hello?\n'
check_eq "second follow-up on #2" 2 "$(ticket_of "$(lmtp_send c5.eml)")"
wait_mails "$ANNA" $((a0 + 3))
n5=$(mail_json_to "$ANNA")
assert_eq "#2 third notice: In-Reply-To anna's previous #2 notice" \
    "$(header_of "$n4" message-id)" "$(header_of "$n5" in-reply-to)"
assert_contains "#2 third notice: References the first #2 notice" \
    "$(header_of "$n5" references)" "$(header_of "$n3" message-id)"

# A file sent without a word (no text, no command) still reaches the
# customer; a really empty reply does not (agent_commands.sh).
c0=$(mails_to "$CUST")
n5file=$(mail_file_to "$ANNA")
"$PYTHON" "$AGENT_REPLY" "$n5file" "$WORK/fileonly.eml" --style gmail \
    --text '' --attach 'refund form.bin'
assert_contains "file only: delivered" \
    "$(agent_send "$WORK/fileonly.eml" "$(reply_to_of "$n5file")")" " 250 "
wait_for '[ "$(mails_to "$CUST")" -gt "$c0" ]' 30 ||
    fail "file only: nothing relayed"
RELAY=$(mail_json_to "$CUST")
assert_contains "file only: relay Subject" "$(header_of "$RELAY" subject)" "[#2]"
assert_not_contains "file only: no quote" "$(body_of "$RELAY")" "wrote:"
"$PYTHON" - "$SINK_DIR/new/$(printf '%s\n' "$RELAY" | json_get 'd["file"]')" \
    "$top_srcdir/tests/peers" <<'EOF' || fail "file only: attachment not relayed intact"
import email, email.policy, sys
sys.path.insert(0, sys.argv[2])
from agent_reply import ATTACHMENT
with open(sys.argv[1], "rb") as f:
    msg = email.message_from_bytes(f.read(), policy=email.policy.default)
parts = list(msg.iter_attachments())
assert [p.get_filename() for p in parts] == ["refund form.bin"], parts
assert parts[0].get_content() == ATTACHMENT
EOF
stop_triaged
