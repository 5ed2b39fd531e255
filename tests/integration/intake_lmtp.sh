#!/bin/sh
#
# intake_lmtp.sh (issue 2): a message delivered over LMTP (RFC 2033,
# Python's smtplib.LMTP) becomes request #1 with reply "250 2.0.0 ...
# ticket #1"; `triagectl show --json` holds the message and the customer
# (name and address from From).  A transaction with two support recipients
# and one unknown recipient gets 550 5.1.1 at RCPT for the unknown one and
# one 250 per accepted recipient after DATA, and stores the message once.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

write_config
start_triaged

make_msg m1.eml --from 'Anna Kowalska <anna@customer.example.org>' \
    --subject 'My printer is on fire' --message-id '<m1@customer.example.org>' \
    --body 'Hello,\nthe printer in room 4 is on fire.\n'
out=$(lmtp_send m1.eml)
printf '%s\n' "$out"
assert_eq "lines of replies" 1 "$(printf '%s\n' "$out" | wc -l | tr -d ' ')"
assert_contains "LMTP reply to a new message" "$(reply_of "$out")" \
    "250 2.0.0"
assert_contains "LMTP reply to a new message" "$(reply_of "$out")" \
    "ticket #1"

show=$(ctl show 1)
assert_eq "request id" 1 "$(printf '%s\n' "$show" | json_get 'd["id"]')"
assert_eq "request subject" "My printer is on fire" \
    "$(printf '%s\n' "$show" | json_get 'd["subject"]')"
assert_eq "incoming messages of #1" 1 "$(in_messages 1)"
assert_eq "stored Message-ID (angle brackets aside)" m1@customer.example.org \
    "$(printf '%s\n' "$show" | json_get '[m["message_id"].strip("<>")
    for m in d["messages"] if m["direction"] == "in"][0]')"
assert_contains "stored body" "$(printf '%s\n' "$show" | json_get \
    '[m["body"] for m in d["messages"] if m["direction"] == "in"][0]')" \
    "room 4 is on fire"
assert_eq "customer address on the request" anna@customer.example.org \
    "$(printf '%s\n' "$show" | json_get 'd["customer"]["address"]')"

cust=$(ctl customer anna@customer.example.org)
assert_eq "customer name" "Anna Kowalska" "$(printf '%s\n' "$cust" | json_get 'd["name"]')"
assert_eq "customer addresses" '["anna@customer.example.org"]' \
    "$(printf '%s\n' "$cust" | json_get 'd["addresses"]')"
assert_eq "customer's requests" '[1]' \
    "$(printf '%s\n' "$cust" | json_get '[r["id"] for r in d["requests"]]')"

# Two support recipients and an unknown one in one LMTP transaction.
make_msg m2.eml --from 'Bob <bob@customer.example.org>' \
    --subject 'Second problem' --message-id '<m2@customer.example.org>'
out=$(lmtp_send --rcpt "$SUPPORT" --rcpt nobody@example.test \
    --rcpt help@example.test m2.eml)
printf '%s\n' "$out"
assert_eq "reply lines for 3 recipients" 3 "$(printf '%s\n' "$out" | wc -l | tr -d ' ')"
rejected=$(printf '%s\n' "$out" | grep ' rcpt nobody@example.test ' || true)
assert_contains "unknown recipient refused at RCPT" "$rejected" "550 5.1.1"
r1=$(printf '%s\n' "$out" | grep " data $SUPPORT " | cut -d' ' -f4- || true)
r2=$(printf '%s\n' "$out" | grep ' data help@example.test ' | cut -d' ' -f4- || true)
assert_contains "LMTP reply for $SUPPORT" "$r1" "250 2.0.0"
assert_contains "LMTP reply for $SUPPORT" "$r1" "ticket #2"
assert_contains "LMTP reply for help@example.test" "$r2" "250 2.0.0"
assert_contains "LMTP reply for help@example.test" "$r2" "ticket #2"
assert_eq "requests after two messages" 2 "$(requests_count)"
assert_eq "incoming messages of #2 (stored once for two recipients)" 1 \
    "$(in_messages 2)"

# Recipients are case-insensitive.
make_msg m3.eml --from 'Carol <carol@customer.example.org>' \
    --subject 'Third' --message-id '<m3@customer.example.org>'
out=$(lmtp_send --rcpt Support@EXAMPLE.test m3.eml)
printf '%s\n' "$out"
assert_contains "reply for Support@EXAMPLE.test" "$(reply_of "$out")" \
    "ticket #3"

# A "+" sub-address of a support address is that address (as Postfix's
# recipient_delimiter has it); a look-alike is still refused.
make_msg m4.eml --from 'Dave <dave@customer.example.org>' \
    --subject 'Fourth' --message-id '<m4@customer.example.org>'
out=$(lmtp_send --rcpt support+billing@example.test m4.eml)
printf '%s\n' "$out"
assert_contains "reply for support+billing@example.test" \
    "$(reply_of "$out")" "ticket #4"
make_msg m5.eml --from 'Eve <eve@customer.example.org>' \
    --subject 'Fifth' --message-id '<m5@customer.example.org>'
out=$(lmtp_send --rcpt supportx@example.test m5.eml || true)
assert_contains "look-alike recipient refused" "$out" "550 5.1.1"

stop_triaged
