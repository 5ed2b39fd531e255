#!/bin/sh
#
# agent_commands.sh (issue 4): every mail command, valid and invalid, in
# replies to anna's signed Reply-To on #1.  Each valid one changes the
# database as triagectl would and anna gets one result mail saying
# "done"; each invalid one changes nothing and the result mail says why.
# A refusal anywhere undoes the whole message (all or nothing), text
# included: nothing reaches the customer.  Commands only: nothing is
# sent to the customer.  #note stays internal.  #template inserts a canned
# answer (with its variables) into the relay.  #merge moves #1 into #2 and
# both histories survive.  A redelivered command mail (same Message-ID)
# is a duplicate: applied once, answered once.  Result mails come from
# the config's command_result template.  #assign notifies the new agent;
# with tell_customer_on_reassign, #take from bob tells the customer that
# anna handles the request now.  #cc puts the address on later relays.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/agent_lib.sh"

start_sink
write_config sink
AGENT_MAIL_EXTRA='tell_customer_on_reassign = true;'
agents_settings
# The admin's command_result template shapes every result mail.
cat >>"$CONF" <<'EOF'
notifications = {
  command_result = { subject = "Commands on {{token}}";
                     body = "Hello {{agent_name}},\n\n{{result}}\n-- the helpdesk\n"; };
};
EOF
start_triaged

make_msg c1.eml --from "Jana <$CUST>" --subject 'Printer on fire' \
    --message-id '<cmd1@customer.example.org>' --body 'Help!\n'
assert_contains "customer mail" "$(reply_of "$(lmtp_send c1.eml)")" "ticket #1"
make_msg c2.eml --from "Jana <$CUST>" --subject 'Second printer' \
    --message-id '<cmd2@customer.example.org>' --body 'This one too.\n'
assert_contains "customer mail 2" "$(reply_of "$(lmtp_send c2.eml)")" \
    "ticket #2"
wait_mails "$ANNA" 1
NOTIF=$(mail_file_to "$ANNA" 0)
SIGNED=$(reply_to_of "$NOTIF")
case $SIGNED in
support+r1.aanna.*@example.test) ;;
*) fail "first notification to anna is not for #1: Reply-To [$SIGNED]" ;;
esac
wait_for outbox_idle 30 || fail "outbox not idle"

results() {	# result mails to anna so far
	sink_json | json_get "len([m for m in d if '<$ANNA>' in m['rcpt_to']
	    and ('Done on request' in m['body'] or
	         'Nothing was changed' in m['body'])])"
}
last_result() {
	sink_json | json_get "[m['body'] for m in d if '<$ANNA>' in m['rcpt_to']
	    and ('Done on request' in m['body'] or
	         'Nothing was changed' in m['body'])][-1]"
}
col() { sql "SELECT $1 FROM tickets WHERE id = ${2:-1}"; }

# cmd NAME TEXT: anna replies TEXT (\n for newlines); waits for her result
# mail; RESULT holds its body.
N=0
cmd() {
	N=$((N + 1))
	cm_before=$(results)
	"$PYTHON" "$AGENT_REPLY" "$NOTIF" "$WORK/cmd$N.eml" --style thunderbird \
	    --text "$2" --message-id "<cmd$N@agents.example.test>"
	cm_out=$(agent_send "$WORK/cmd$N.eml" "$SIGNED")
	assert_contains "$1: delivered" "$cm_out" " 250 "
	wait_for '[ "$(results)" -gt "$cm_before" ]' 30 ||
	    fail "$1: no result mail"
	RESULT=$(last_result)
	printf '%s\n%s\n' "--- $1" "$RESULT"
	assert_contains "$1: result from the template" "$RESULT" "-- the helpdesk"
}
done_ok() {	# done_ok NAME TEXT: the command was applied
	cmd "$1" "$2"
	assert_contains "$1: result" "$RESULT" "Done on request"
	assert_not_contains "$1: result" "$RESULT" "Nothing was changed"
}
refused() {	# refused NAME TEXT WHY: nothing applied, WHY told
	cmd "$1" "$2"
	assert_contains "$1: result" "$RESULT" "Nothing was changed"
	assert_contains "$1: reason" "$RESULT" "$3"
}
cust_before=$(mails_to "$CUST")
bob_before=$(mails_to "$BOB")

done_ok "#assign bob" '#assign bob'
check_eq "#assign bob: assignee" bob "$(col assignee)"
wait_mails "$BOB" $((bob_before + 1))
bob_note=$(mail_json_to "$BOB")
assert_contains "#assign bob: bob is told" "$(body_of "$bob_note")" \
    "anna assigned request [#1] to you"
assert_contains "#assign bob: bob's notice is signed for him" \
    "$(header_of "$bob_note" reply-to)" "support+r1.abob."
refused "#assign nobody" '#assign nobody' 'nobody'
check_eq "#assign nobody: assignee unchanged" bob "$(col assignee)"
done_ok "#take" '#take'
check_eq "#take: assignee" anna "$(col assignee)"
# bob had it: the customer hears who handles the request now (once).
wait_mails "$CUST" $((cust_before + 1))
tell=$(mail_json_to "$CUST")
assert_contains "#take: customer told" "$(body_of "$tell")" \
    "Anna Agent is now handling your request [#1]"
assert_eq "#take: the notice is automatic" "auto-generated" \
    "$(header_of "$tell" auto-submitted)"
check_eq "#assign from nobody told the customer nothing" \
    $((cust_before + 1)) "$(mails_to "$CUST")"
cust0=$(mails_to "$CUST")

done_ok "#status pending" '#status pending'
check_eq "#status pending" pending "$(col status)"
refused "#status done" '#status done' 'open, pending, resolved or closed'
check_eq "#status done: unchanged" pending "$(col status)"

done_ok "#priority high" '#priority high'
check_eq "#priority high" high "$(col priority)"
refused "#priority urgentt" '#priority urgentt' 'urgentt'
check_eq "#priority urgentt: unchanged" high "$(col priority)"

done_ok "#category billing" '#category billing'
check_eq "#category billing" billing "$(col category)"
refused "#category without path" '#category' 'category'
check_eq "#category: unchanged" billing "$(col category)"

done_ok "#tag vip" '#tag vip'
check_eq "#tag vip" vip "$(sql "SELECT tag FROM ticket_tags WHERE ticket_id = 1 ORDER BY tag")"
done_ok "#untag vip" '#untag vip'
check_eq "#untag vip" "" "$(sql "SELECT tag FROM ticket_tags WHERE ticket_id = 1 ORDER BY tag")"
refused "#tag without name" '#tag' 'tag'

done_ok "#cc" '#cc Boss <boss@customer.example.org>'
check_eq "#cc: on the request" 1 \
    "$(sql "SELECT count(*) FROM ticket_cc WHERE ticket_id = 1 AND address = 'boss@customer.example.org'")"
refused "#cc not an address" '#cc not-an-address' 'address'

refused "unknown command" '#asign bob' 'unknown command #asign'
# All or nothing: a valid command and a typo change nothing, send nothing.
refused "all or nothing" '#status resolved\n#prioritty low\nAll fixed, bye!' \
    'unknown command #prioritty'
check_eq "all or nothing: status" pending "$(col status)"
check_eq "all or nothing: priority" high "$(col priority)"
# ... also when the refusal comes from applying (no agent nobody).
refused "all or nothing, applied" '#status resolved\n#assign nobody\nBye!' \
    'no agent nobody'
check_eq "all or nothing, applied: status" pending "$(col status)"
check_eq "all or nothing, applied: assignee" anna "$(col assignee)"
refused "#note with no text" '#note' 'note'
refused "empty reply" '' 'no text above the quoted notification'
refused "#template unknown" '#template nope' 'no template nope'
wait_for outbox_idle 30 || fail "outbox not idle"
check_eq "commands only and refusals sent the customer nothing" "$cust0" \
    "$(mails_to "$CUST")"

# #template: the canned answer, variables filled, reaches the customer.
done_ok "#template" '#template printer_reset'
wait_for '[ "$(mails_to "$CUST")" -gt "$cust0" ]' 30 ||
    fail "#template: nothing relayed"
relay=$(mail_json_to "$CUST")
assert_contains "#template: canned text" "$(body_of "$relay")" \
    "switch the printer off and on again"
assert_contains "#template: variables" "$(body_of "$relay")" "request 1"
assert_not_contains "#template: no command" "$(body_of "$relay")" "#template"
assert_contains "#cc: the relay has the Cc" "$(header_of "$relay" cc)" \
    "boss@customer.example.org"
assert_contains "#cc: the Cc in the envelope" \
    "$(printf '%s\n' "$relay" | json_get 'd["rcpt_to"]')" \
    "<boss@customer.example.org>"
cust1=$(mails_to "$CUST")

# #note: internal, stored, never to the customer (no result mail either).
N=$((N + 1))
"$PYTHON" "$AGENT_REPLY" "$NOTIF" "$WORK/cmd$N.eml" --style gmail \
    --text '#note\nThe customer is a VIP reseller, be gentle.' \
    --message-id "<cmd$N@agents.example.test>"
agent_send "$WORK/cmd$N.eml" "$SIGNED"
check_eq "#note: stored as a note" 1 \
    "$(sql "SELECT count(*) FROM messages WHERE ticket_id = 1 AND direction = 'note' AND body LIKE '%VIP reseller%'")"
wait_for outbox_idle 30 || fail "outbox not idle"
check_eq "#note: nothing to the customer" "$cust1" "$(mails_to "$CUST")"
for f in "$SINK_DIR"/new/*; do
	if grep -q "<$CUST>" "$f" && grep -q "VIP reseller" "$f"; then
		fail "the note reached the customer: $f"
	fi
done

# Redelivery of a command mail is a duplicate: applied and answered once.
r=$(results)
out=$(agent_send "$WORK/cmd1.eml" "$SIGNED")
assert_contains "redelivery" "$out" "250"
wait_for outbox_idle 30 || fail "outbox not idle"
check_eq "redelivery: no second result" "$r" "$(results)"
check_eq "redelivery: assignee unchanged" anna "$(col assignee)"

# #merge: #1 goes into #2; both histories are on #2.
refused "#merge unknown" '#merge 999' '999'
in12=$(sql "SELECT count(*) FROM messages WHERE ticket_id IN (1, 2)")
done_ok "#merge 2" '#merge 2'
check_eq "#merge: #1 merged into #2" 2 "$(col merged_into 1)"
check_eq "#merge: no message left on #1" 0 \
    "$(sql "SELECT count(*) FROM messages WHERE ticket_id = 1")"
[ "$(sql "SELECT count(*) FROM messages WHERE ticket_id = 2")" -gt "$in12" ] ||
    fail "#merge: #2 does not hold both histories"
show=$(ctl show 2)
assert_contains "#merge: triagectl show 2 has #1's text" "$show" "Help!"
assert_contains "#merge: triagectl show 2 has #2's text" "$show" "This one too."
stop_triaged
