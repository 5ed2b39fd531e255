#!/bin/sh
#
# agents_ctl.sh (issue 4): the actions on a request through triagectl
# (assign, take, status, priority, category, tag, note, reply, merge), each
# one written into the daemon's database in triagectl's own transaction and
# its mail delivered by the running daemon's sender to the sink:
#   - a new request notifies the agents (signed Reply-To, token, marker,
#     the customer's text, contact card, request state);
#   - assign notifies the new assignee in the request's notification thread
#     (In-Reply-To = the first notice); take by the agent himself does not,
#     and with tell_customer_on_reassign the customer hears who took over;
#   - a note reaches the other agent and never the customer;
#   - reply relays to the customer From the support address with the
#     agent's name, the token, In-Reply-To the customer's message, the Cc
#     kept, no Auto-Submitted; the customer's answer threads back and
#     notifies the assignee;
#   - every refusal exits 65 with a clear sentence and changes nothing;
#   - merge moves the history and closes the merged request.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

CUST=carla@customer.example.org
ANNA=anna@agents.example.org
BORIS=boris@agents.example.org

agents_settings() {
	cat >>"$CONF" <<EOF
acknowledgement = { enabled = false; };
agents = (
  { name = "anna"; display_name = "Anna Kowalska";
    addresses = [ "$ANNA" ]; categories = [ "billing" ]; },
  { name = "boris"; addresses = [ "$BORIS" ]; categories = [ "billing" ]; }
);
agent_mail = { $(pg_reply_key) tell_customer_on_reassign = true; };
EOF
}

# tctl ARGS...: triagectl in text mode; prints "rc=N" then its stderr.
tctl() {
	tc_rc=0
	"$TRIAGECTL" -c "$CONF" "$@" >"$WORK/ctl.out" 2>"$WORK/ctl.err" ||
	    tc_rc=$?
	printf 'rc=%s %s\n' "$tc_rc" "$(cat "$WORK/ctl.err")"
}

# db SQL: the first column of the first row (empty if none).
db() {
	db_value "$1"
}

# mails_to ADDR: how many mails the sink got for ADDR.
mails_to() {
	sink_json | json_get "len([m for m in d if '<$1>' in m['rcpt_to']])"
}

# mail_to ADDR N: the Nth (from 0) mail to ADDR as JSON.
mail_to() {
	sink_json | json_get "[m for m in d if '<$1>' in m['rcpt_to']][$2]"
}

# h JSON NAME: a header of one mail ("" if none).
h() {
	printf '%s\n' "$1" | json_get \
	    "' | '.join(v.strip() for v in d['headers'].get('$2', []))"
}

body_of() {
	printf '%s\n' "$1" | json_get 'd["body"]'
}

# wait_mails ADDR N: until ADDR got N mails and nothing waits.
wait_mails() {
	wm_addr=$1
	wm_n=$2
	wait_for '[ "$(mails_to "$wm_addr")" -ge "$wm_n" ] && outbox_idle' 30 ||
	    fail "$wm_addr did not get $wm_n mails (got $(mails_to "$wm_addr"))"
}

start_sink
write_config sink
agents_settings
start_triaged

# --- a new request: both agents are told ----------------------------
make_msg m1.eml --from "Carla Customer <$CUST>" --subject 'Invoice wrong' \
    --message-id '<c1@customer.example.org>' \
    --header "Cc: Dave <dave@customer.example.org>" \
    --body 'Invoice 17 charges me twice.\n'
out=$(lmtp_send m1.eml)
assert_contains "delivery" "$(reply_of "$out")" "ticket #1"
wait_mails "$ANNA" 1
wait_mails "$BORIS" 1
n1=$(mail_to "$ANNA" 0)
assert_contains "notice subject" "$(h "$n1" subject)" "[#1]"
assert_contains "notice subject" "$(h "$n1" subject)" "Invoice wrong"
assert_contains "notice From" "$(h "$n1" from)" "<$SUPPORT>"
assert_contains "notice Reply-To is signed" "$(h "$n1" reply-to)" \
    "support+r1."
assert_contains "notice Reply-To names anna" "$(h "$n1" reply-to)" ".aanna."
assert_eq "notice Auto-Submitted" "auto-generated" "$(h "$n1" auto-submitted)"
b=$(body_of "$n1")
assert_contains "notice marker" "$b" "Please type your reply above this line"
assert_contains "notice text" "$b" "Invoice 17 charges me twice."
assert_contains "notice card" "$b" "Addresses: $CUST"
assert_contains "notice card" "$b" "Earlier requests: 0"
assert_contains "notice state" "$b" "Status: new"
check_eq "thread_root is the first notice's Message-ID" \
    "$(h "$n1" message-id)" \
    "<$(db 'SELECT thread_root FROM tickets WHERE id = 1')>"

# --- refusals: exit 65, a sentence, nothing changed -------------------
check_eq "assign to nobody known" "rc=65 triagectl: no agent bob" \
    "$(tctl assign 1 bob)"
check_eq "no such request" "rc=65 triagectl: no request #9" \
    "$(tctl status 9 open)"
assert_contains "bad status" "$(tctl status 1 done)" "rc=65"
assert_contains "bad status says why" "$(cat "$WORK/ctl.err")" \
    "unknown status done"
check_eq "bad priority" "rc=65 triagectl: unknown priority extreme (use low, normal, high, urgent)" \
    "$(tctl priority 1 extreme)"
assert_contains "note needs --agent" "$(tctl note 1 </dev/null)" "rc=2"
check_eq "empty reply" "rc=65 triagectl: the reply is empty" \
    "$(tctl reply 1 --from anna </dev/null)"
check_eq "merge into itself" \
    "rc=65 triagectl: request #1 cannot be merged into itself" \
    "$(tctl merge 1 1)"
check_eq "no event from refusals" 0 "$(db "SELECT count(*) FROM events
    WHERE kind IN ('assigned', 'status', 'priority', 'merged')")"

# --- assign: anna told, in the request's thread ------------------------
check_eq "assign" "rc=0 " "$(tctl assign 1 anna)"
assert_eq "assign output" "request #1: assign anna" "$(cat "$WORK/ctl.out")"
wait_mails "$ANNA" 2
n2=$(mail_to "$ANNA" 1)
assert_contains "assigned notice" "$(body_of "$n2")" "assigned request [#1]"
assert_contains "assigned notice threads" "$(h "$n2" in-reply-to)" \
    "$(db 'SELECT thread_root FROM tickets WHERE id = 1')"
check_eq "assigned event" "triagectl anna" "$(db "SELECT actor || ' ' ||
    detail FROM events WHERE kind = 'assigned'")"
check_eq "nobody else told of the assignment" 1 "$(mails_to "$BORIS")"
check_eq "customer not told of a first assignment" 0 "$(mails_to "$CUST")"

# --- status, priority, category, tag ------------------------------------
check_eq "status" "rc=0 " "$(tctl status 1 pending)"
check_eq "priority" "rc=0 " "$(tctl priority 1 high)"
check_eq "category" "rc=0 " "$(tctl category 1 billing/refunds)"
check_eq "tag" "rc=0 " "$(tctl tag 1 vip)"
check_eq "tag again" "rc=0 " "$(tctl tag 1 later)"
check_eq "untag" "rc=0 " "$(tctl tag 1 later --remove)"
check_eq "row" "pending high billing/refunds" "$(db "SELECT status || ' ' ||
    priority || ' ' || category FROM tickets WHERE id = 1")"
check_eq "tags" "vip" "$(db_list 'SELECT tag FROM ticket_tags ORDER BY tag')"
check_eq "events" "status,priority,category,tag,tag,untag" "$(db_list "SELECT
    kind FROM events WHERE ticket_id = 1
    AND kind IN ('status','priority','category','tag','untag') ORDER BY id")"

# --- note: boris writes, anna (assignee) is told, the customer never ----
printf 'Refund approved by finance.\n' >note.txt
check_eq "note" "rc=0 " "$(tctl note 1 --agent boris <note.txt)"
wait_mails "$ANNA" 3
assert_contains "note notice" "$(body_of "$(mail_to "$ANNA" 2)")" \
    "Refund approved by finance."
check_eq "note stored" "note boris" "$(db "SELECT direction || ' ' || agent
    FROM messages WHERE direction = 'note'")"
check_eq "boris not told of his own note" 1 "$(mails_to "$BORIS")"

# --- reply: the customer's relay ----------------------------------------
printf 'Dear Carla,\n\nwe refunded the second charge.\n\nAnna\n' >reply.txt
check_eq "reply" "rc=0 " "$(tctl reply 1 --from anna <reply.txt)"
wait_mails "$CUST" 1
r=$(mail_to "$CUST" 0)
printf '%s\n' "$r"
assert_contains "relay From name" "$(h "$r" from)" "Anna Kowalska"
assert_contains "relay From address" "$(h "$r" from)" "<$SUPPORT>"
assert_contains "relay Subject" "$(h "$r" subject)" "[#1] Invoice wrong"
assert_eq "relay In-Reply-To" "<c1@customer.example.org>" \
    "$(h "$r" in-reply-to)"
assert_contains "relay Cc" "$(h "$r" cc)" "dave@customer.example.org"
assert_contains "relay envelope has the Cc" \
    "$(printf '%s\n' "$r" | json_get 'd["rcpt_to"]')" \
    "<dave@customer.example.org>"
assert_eq "relay is personal mail" "" "$(h "$r" auto-submitted)"
assert_contains "relay body" "$(body_of "$r")" "we refunded the second charge"
assert_not_contains "the note never reaches the customer" "$(sink_json |
    json_get "[m['body'] for m in d if '<$CUST>' in m['rcpt_to']]")" \
    "Refund approved"
check_eq "first response recorded" 1 "$(db 'SELECT CASE WHEN
    first_response_at > 0 THEN 1 ELSE 0 END FROM tickets WHERE id = 1')"
check_eq "reply event" "anna" "$(db "SELECT actor FROM events
    WHERE kind = 'reply'")"

# --- the customer's answer threads back; anna is told -------------------
make_msg m2.eml --from "Carla Customer <$CUST>" --subject 'Thanks' \
    --message-id '<c2@customer.example.org>' \
    --in-reply-to "$(h "$r" message-id)" --body 'Thank you!\n'
out=$(lmtp_send m2.eml)
assert_contains "answer threads to #1" "$(reply_of "$out")" "ticket #1"
wait_mails "$ANNA" 4
assert_contains "anna told of the answer" "$(body_of "$(mail_to "$ANNA" \
    3)")" "Thank you!"

# --- take: boris takes over; the customer hears it, boris gets nothing ---
check_eq "take" "rc=0 " "$(tctl take 1 --agent boris)"
wait_mails "$CUST" 2
assert_contains "customer told of the new agent" \
    "$(body_of "$(mail_to "$CUST" 1)")" "boris is now handling"
check_eq "boris not told of his own take" 1 "$(mails_to "$BORIS")"
check_eq "assignee" "boris" "$(db 'SELECT assignee FROM tickets WHERE id = 1')"

# --- merge: #2 into #1 keeps both histories -----------------------------
make_msg m3.eml --from "$CUST" --subject 'Another thing' \
    --message-id '<c3@customer.example.org>' --body 'Also the address.\n'
out=$(lmtp_send m3.eml)
assert_contains "second request" "$(reply_of "$out")" "ticket #2"
check_eq "merge" "rc=0 " "$(tctl merge 2 1)"
check_eq "merged row" "closed 1" "$(db "SELECT status || ' ' || merged_into
    FROM tickets WHERE id = 2")"
check_eq "messages moved" 3 "$(in_messages 1)"
check_eq "merge event on the merged request" "into #1" "$(db "SELECT detail
    FROM events WHERE kind = 'merged' AND ticket_id = 2")"
check_eq "merge event on the surviving one" "from #2" "$(db "SELECT detail
    FROM events WHERE kind = 'merged' AND ticket_id = 1")"
check_eq "the merged request's history moved" 2 "$(db "SELECT count(*)
    FROM events WHERE ticket_id = 1 AND kind = 'created'")"
check_eq "merged request refuses changes" \
    "rc=65 triagectl: request #2 was merged into #1" "$(tctl status 2 open)"

# --- clearing, and the JSON answer --------------------------------------
check_eq "unassign" "rc=0 " "$(tctl assign 1 -)"
check_eq "category cleared" "rc=0 " "$(tctl category 1 -)"
check_eq "cleared row" "None None" "$(db "SELECT COALESCE(assignee, 'None')
    || ' ' || COALESCE(category, 'None') FROM tickets WHERE id = 1")"
check_eq "json answer" '{"request":1,"action":"tag","value":"late","removed":false}' \
    "$(ctl tag 1 late)"

stop_triaged
