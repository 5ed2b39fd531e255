#!/bin/sh
#
# dedupe.sh (issue 2; DESIGN promise 2, nothing is done twice): the same
# message (same Message-ID) delivered twice over LMTP, once over SMTP and
# once through `triaged inject` is stored once: one message, one request,
# one acknowledgement in the outbox and in the sink; the redeliveries are
# answered "250 2.0.0 Ok: already stored (ticket #1)".  A message without
# Message-ID delivered twice with different Received headers in front (as
# two MTA paths would) is also stored once (the digest ignores the trace).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

start_sink
write_config sink
start_triaged

make_msg m1.eml --from 'Hana Novak <hana@customer.example.org>' \
    --subject 'Login fails' --message-id '<dup1@customer.example.org>'

out=$(lmtp_send m1.eml)
printf '%s\n' "$out"
assert_contains "first delivery" "$(reply_of "$out")" "stored as ticket #1"
out=$(lmtp_send m1.eml)
printf '%s\n' "$out"
assert_contains "second LMTP delivery" "$(reply_of "$out")" "250 2.0.0"
assert_contains "second LMTP delivery" "$(reply_of "$out")" \
    "already stored (ticket #1)"
out=$(smtp_send m1.eml)
printf '%s\n' "$out"
assert_contains "SMTP redelivery" "$(reply_of "$out")" \
    "already stored (ticket #1)"
rc=0
"$TRIAGED" inject -c "$CONF" <m1.eml 2>"$WORK/inject.1.log" || rc=$?
assert_eq "exit status of inject of a duplicate" 0 "$rc"

assert_eq "requests" 1 "$(requests_count)"
assert_eq "incoming messages of #1" 1 "$(in_messages 1)"
assert_eq "outbox rows" 1 "$(ctl outbox | json_get 'len(d["outbox"])')"
wait_for 'outbox_idle && [ "$(sink_count)" -ge 1 ]' 30 ||
    fail "acknowledgement not delivered"
assert_eq "acknowledgements in the sink" 1 "$(sink_count)"

# No Message-ID: identical but for the Received headers in front.
make_msg body.eml --no-message-id --from 'Ivo <ivo@customer.example.org>' \
    --subject 'No message id here' --date 'Mon, 2 Mar 2026 10:00:00 +0100'
{
	printf 'Received: from mx1.customer.example.org by mx.example.test;\r\n'
	printf '\tMon, 2 Mar 2026 10:00:05 +0100\r\n'
	cat body.eml
} >nomid1.eml
{
	printf 'Received: from mx2.customer.example.org by mx2.example.test;\r\n'
	printf '\tMon, 2 Mar 2026 10:07:42 +0100\r\n'
	printf 'Received: from relay.customer.example.org by mx2.customer.example.org;\r\n'
	printf '\tMon, 2 Mar 2026 10:07:40 +0100\r\n'
	cat body.eml
} >nomid2.eml
out=$(lmtp_send nomid1.eml)
printf '%s\n' "$out"
assert_contains "first delivery without Message-ID" "$(reply_of "$out")" \
    "stored as ticket #2"
out=$(lmtp_send nomid2.eml)
printf '%s\n' "$out"
assert_contains "redelivery without Message-ID, other Received" \
    "$(reply_of "$out")" "already stored (ticket #2)"
out=$(smtp_send nomid1.eml)
assert_contains "SMTP redelivery without Message-ID" "$(reply_of "$out")" \
    "already stored (ticket #2)"
assert_eq "requests" 2 "$(requests_count)"
assert_eq "incoming messages of #2" 1 "$(in_messages 2)"
wait_for 'outbox_idle && [ "$(sink_count)" -ge 2 ]' 30 ||
    fail "acknowledgement of #2 not delivered"
assert_eq "acknowledgements in the sink" 2 "$(sink_count)"
assert_eq "outbox rows" 2 "$(ctl outbox | json_get 'len(d["outbox"])')"

stop_triaged
