#!/bin/sh
#
# ack_auth.sh (issue 20, "No reflection"; DESIGN promise 3): with
# acknowledgement.require_auth = true a new request is acknowledged only
# when a trusted Authentication-Results (agent_mail.trusted_authserv_ids,
# read from the raw header as for agents) vouches for the address the
# acknowledgement goes to.  Acknowledged: a trusted dkim=pass for the
# sender's domain (over LMTP and over SMTP), a trusted spf=pass for the
# sender's address.  Every other one still opens its request, with no
# outgoing mail, and logs "ack=skipped:unauthenticated": no header, a
# trusted dkim=fail, an spf=pass for another address, a pass from an
# untrusted authserv-id, a pass as an encoded-word, with a blank before
# the colon, below a foreign Received, and a genuine pass for the From
# whose Reply-To names a third party (reflection).  Only the proven
# senders' acknowledgements reach the sink.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

start_sink
write_config sink
cat >>"$CONF" <<'EOF'
acknowledgement = {
  rate_limit = 0;
  require_auth = true;
};
agent_mail = {
  trusted_authserv_ids = [ "mx.example.test" ];
};
EOF
start_triaged

DOM=customer.example.org
FOREIGN_RCVD="Received: from laptop (laptop [198.51.100.7]) by relay.elsewhere.example (Postfix) with ESMTP id X1; Mon, 2 Mar 2026 09:59:00 +0100"

acks_to() {
	sink_json | json_get "len([m for m in d if '<$1>' in m['rcpt_to']])"
}

# deliver NAME ADDR SEND [make_msg options]: a new request from ADDR;
# its number in DV_TICKET.
N=0
deliver() {
	dv_name=$1
	dv_addr=$2
	dv_send=$3
	shift 3
	N=$((N + 1))
	make_msg "m$N.eml" --from "Customer $N <$dv_addr>" \
	    --subject "Question $N" --message-id "<q$N@$DOM>" \
	    --body "Question number $N.\n" "$@"
	dv_out=$($dv_send "m$N.eml")
	printf '%s\n' "$dv_out"
	DV_TICKET=$(ticket_of "$dv_out")
	[ -n "$DV_TICKET" ] || fail "$dv_name: not stored"
	assert_contains "$dv_name: a new request" "$dv_out" "stored as ticket"
}

# acked NAME ADDR SEND [options]: acknowledged, the ack reaches ADDR.
acked() {
	ak_addr=$2
	deliver "$@"
	grep -q "ticket=$DV_TICKET new=1 .* ack=queued" "$TRIAGED_LOG" ||
	    fail "$1: #$DV_TICKET not acknowledged"
	wait_for '[ "$(acks_to "$ak_addr")" -ge 1 ]' 30 ||
	    fail "$1: no acknowledgement reached $ak_addr"
}

# unacked NAME ADDR SEND [options]: a request, no acknowledgement.
unacked() {
	ua_name=$1
	deliver "$@"
	grep -q "ticket=$DV_TICKET new=1 .* ack=skipped:unauthenticated" \
	    "$TRIAGED_LOG" || fail "$ua_name: no ack=skipped:unauthenticated"
	check_eq "$ua_name: outbox of #$DV_TICKET" 0 \
	    "$(ctl show "$DV_TICKET" | json_get 'len(d["outbox"])')"
}

acked "trusted dkim=pass" "dkim@$DOM" lmtp_send \
    --header "Authentication-Results: mx.example.test; dkim=pass header.d=$DOM header.s=sel"
acked "trusted dkim=pass over SMTP" "smtp@$DOM" smtp_send \
    --header "Authentication-Results: mx.example.test; dkim=pass header.d=$DOM"
acked "trusted spf=pass for the address" "spf@$DOM" lmtp_send \
    --header "Authentication-Results: mx.example.test; spf=pass smtp.mailfrom=spf@$DOM"

unacked "no Authentication-Results" "none@$DOM" lmtp_send
unacked "trusted dkim=fail" "fail@$DOM" lmtp_send \
    --header "Authentication-Results: mx.example.test; dkim=fail header.d=$DOM"
unacked "spf=pass for another address" "other@$DOM" lmtp_send \
    --header "Authentication-Results: mx.example.test; spf=pass smtp.mailfrom=bounces@$DOM"
unacked "untrusted authserv-id" "untrusted@$DOM" lmtp_send \
    --header "Authentication-Results: evil.example; dkim=pass header.d=$DOM"
unacked "encoded-word" "encoded@$DOM" lmtp_send \
    --header "Authentication-Results: =?us-ascii?q?mx.example.test=3B_dkim=3Dpass_header.d=3D$DOM?="
unacked "blank before the colon" "blank@$DOM" smtp_send \
    --header "Authentication-Results : mx.example.test; dkim=pass header.d=$DOM"
unacked "below a foreign Received" "below@$DOM" lmtp_send \
    --header "$FOREIGN_RCVD" \
    --header "Authentication-Results: mx.example.test; dkim=pass header.d=$DOM"
unacked "Reply-To a third party" "reflect@$DOM" lmtp_send \
    --header "Reply-To: victim@elsewhere.example" \
    --header "Authentication-Results: mx.example.test; dkim=pass header.d=$DOM"

wait_for outbox_idle 30 || fail "outbox not idle"
check_eq "requests" 11 "$(requests_count)"
check_eq "acknowledgements in the sink" 3 "$(sink_count)"
check_eq "nothing to the third party" 0 "$(acks_to victim@elsewhere.example)"
stop_triaged
