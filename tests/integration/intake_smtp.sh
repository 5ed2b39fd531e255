#!/bin/sh
#
# intake_smtp.sh (issue 2): SMTP intake (RFC 5321).  swaks delivers a
# message to the SMTP listener: the EHLO reply offers PIPELINING, SIZE and
# 8BITMIME, the message becomes request #1 with "250 2.0.0 ... ticket #1".
# Python's smtplib.SMTP delivers a second one: request #2.  A relay attempt
# (RCPT to someone@other.example) gets 550 5.7.1 and stores nothing; the
# daemon goes on serving.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

command -v swaks >/dev/null || { echo "SKIP: swaks not installed"; exit 77; }

write_config
start_triaged

out=$(swaks --server "127.0.0.1:$SMTP_PORT" --helo client.example.org \
    --from dora@customer.example.org --to "$SUPPORT" \
    --header 'Subject: Coffee machine broken' \
    --header 'From: Dora Nowak <dora@customer.example.org>' \
    --body 'It makes tea instead.' 2>&1) || {
	printf '%s\n' "$out"
	fail "swaks failed"
}
printf '%s\n' "$out"
ehlo=$(printf '%s\n' "$out" | grep '^<-  250[- ]' || true)
for ext in PIPELINING SIZE 8BITMIME; do
	assert_contains "EHLO offers $ext" "$ehlo" "$ext"
done
assert_contains "reply to swaks' DATA" "$out" "250 2.0.0 Ok: stored as ticket #1"
assert_eq "subject of #1" "Coffee machine broken" \
    "$(ctl show 1 | json_get 'd["subject"]')"
assert_eq "customer of #1" "Dora Nowak" \
    "$(ctl show 1 | json_get 'd["customer"]["name"]')"

make_msg m2.eml --from 'Emil <emil@customer.example.org>' \
    --subject 'Printer jam' --message-id '<smtp2@customer.example.org>'
out=$(smtp_send m2.eml)
printf '%s\n' "$out"
assert_contains "smtplib reply" "$(reply_of "$out")" "250 2.0.0"
assert_contains "smtplib reply" "$(reply_of "$out")" "ticket #2"
assert_eq "incoming messages of #2" 1 "$(in_messages 2)"

# A relay attempt: refused at RCPT, nothing stored.
make_msg m3.eml --from 'Eve <eve@spam.example.net>' --to someone@other.example \
    --subject 'Relay me' --message-id '<relay@spam.example.net>'
out=$(smtp_send --rcpt someone@other.example m3.eml)
printf '%s\n' "$out"
assert_contains "relay attempt refused at RCPT" "$out" \
    " rcpt someone@other.example 550 5.7.1"
out=$(swaks --server "127.0.0.1:$SMTP_PORT" --from eve@spam.example.net \
    --to someone@other.example 2>&1 || true)
assert_contains "swaks relay attempt" "$out" "<** 550 5.7.1"
assert_eq "requests after the relay attempts" 2 "$(requests_count)"

# Still serving.
make_msg m4.eml --from 'Emil <emil@customer.example.org>' \
    --subject 'Another one' --message-id '<smtp4@customer.example.org>'
out=$(smtp_send m4.eml)
assert_contains "reply after the relay attempts" "$(reply_of "$out")" \
    "ticket #3"

stop_triaged
