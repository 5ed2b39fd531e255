#!/bin/sh
#
# agent_forgery.sh (issue 4; DESIGN promise 5): only agents act as agents.
# A customer opens #1.  Then, each changing nothing on #1 and relaying
# nothing, each stored as customer mail on #1 and logged once as
# "agent-mail forged-from=... treated as customer":
#   - a mail From anna's address with commands and no proof;
#   - the same with an Authentication-Results dkim=pass from an authserv-id
#     that is not trusted (anybody can write that header);
#   - the same with a trusted authserv-id reporting dkim=fail, and a
#     trusted spf=pass for another address of anna's domain;
#   - a reply to anna's signed Reply-To with one MAC character changed;
#   - a reply to anna's genuine signed Reply-To From someone who is not
#     anna (a notice forwarded outside): the address proves which notice
#     it answers, not who wrote it;
#   - a mail to the note address from a non-agent;
#   - issue 20, forms a stripping MTA reads otherwise than a decoder of
#     the header: a trusted dkim=pass as an RFC 2047 encoded-word (also
#     over SMTP), a quoted authserv-id, a comment before it, a blank
#     before the colon, and a trusted pass below a Received field written
#     outside the trust boundary (logged auth=below-received).
# Then what does act: a trusted dkim=pass for anna's domain sets the status;
# a trusted spf=pass for anna's address adds a tag; a pass under the
# trusted MX's own Received (and above a foreign one) adds another; a note
# to the note address from anna with a trusted pass is stored as a note
# and never reaches the customer; the genuine signed Reply-To From anna's
# address (in capitals) is relayed.
# Then again with agent_mail.require = "signature+auth": the signed
# address From anna alone (what anyone holding a forwarded notice can
# type) is refused (reason=signed-without-auth), a trusted pass alone is
# refused (reason=no-signature), both together act (proof=signed+dkim).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/agent_lib.sh"

start_sink
write_config sink
agents_settings
start_triaged

make_msg c1.eml --from "Jana <$CUST>" --subject 'Printer on fire' \
    --message-id '<forge1@customer.example.org>' --body 'Help!\n'
out=$(lmtp_send c1.eml)
assert_contains "customer mail" "$(reply_of "$out")" "ticket #1"
wait_mails "$ANNA" 1
wait_for outbox_idle 30 || fail "outbox not idle"
cust_mails=$(mails_to "$CUST")

status1() { sql "SELECT status FROM tickets WHERE id = 1"; }
forged_lines() { grep -c 'agent-mail forged-from=' "$TRIAGED_LOG" || true; }
before=$(status1)

# forged NAME RCPT [make_msg options]: a forged agent mail; nothing changes.
N=0
forged() {
	fg_name=$1
	fg_rcpt=$2
	shift 2
	N=$((N + 1))
	fg_lines=$(forged_lines)
	make_msg "f$N.eml" --to "$fg_rcpt" --subject 'Re: [#1] Printer on fire' \
	    --message-id "<forged$N@attacker.example>" "$@"
	fg_out=$(${FG_SEND:-lmtp_send} --rcpt "$fg_rcpt" "f$N.eml")
	printf '%s\n' "$fg_out"
	check_eq "$fg_name: stored on #1 as customer mail" 1 \
	    "$(ticket_of "$fg_out")"
	check_eq "$fg_name: status unchanged" "$before" "$(status1)"
	check_eq "$fg_name: stored as incoming mail" "in" \
	    "$(sql "SELECT direction FROM messages WHERE message_id = 'forged$N@attacker.example'")"
	check_eq "$fg_name: one forged-from log line" $((fg_lines + 1)) \
	    "$(forged_lines)"
	check_eq "$fg_name: flagged in show --json" forged-agent \
	    "$(ctl show 1 | json_get "[m['token_flag'] for m in d['messages'] if m['message_id'] == 'forged$N@attacker.example'][0]")"
}

forged "no proof" "$SUPPORT" --from "Anna Agent <$ANNA>" \
    --body '#status closed\n#assign bob\nYou will get nothing.\n'
forged "untrusted authserv-id" "$SUPPORT" --from "Anna Agent <$ANNA>" \
    --header "Authentication-Results: evil.example; dkim=pass header.d=agents.example.test" \
    --body '#status closed\nNothing for you.\n'
forged "trusted dkim=fail" "$SUPPORT" --from "Anna Agent <$ANNA>" \
    --header "Authentication-Results: mx.example.test; dkim=fail header.d=agents.example.test" \
    --body '#status closed\n'
forged "trusted spf=pass for another address" "$SUPPORT" \
    --from "Anna Agent <$ANNA>" \
    --header "Authentication-Results: mx.example.test; spf=pass smtp.mailfrom=mallory@agents.example.test" \
    --body '#status closed\n'

signed=$(reply_to_of "$(mail_file_to "$ANNA")")
case $signed in
support+r1.aanna.*@example.test) ;;
*) fail "notification Reply-To is not a signed address: [$signed]" ;;
esac
local_part=${signed%@*}
last=${local_part#"${local_part%?}"}
if [ "$last" = a ]; then swap=b; else swap=a; fi
tampered=${local_part%?}$swap@${signed#*@}
forged "tampered signed address" "$tampered" --from "Mallory <mallory@attacker.example>" \
    --body '#status closed\nGotcha.\n'
forged "genuine signed address, From a non-agent (a forwarded notice)" \
    "$signed" --from "Vendor <helper@vendor.example>" \
    --body '#status closed\nWe fixed it for you.\n'
grep -q "forged-from=helper@vendor.example ticket=1 treated as customer reason=signed-from-other" \
    "$TRIAGED_LOG" || fail "no signed-from-other log line"
forged "note address from a non-agent" "$NOTE_ADDR" \
    --from "Mallory <mallory@attacker.example>" --body 'A fake note.\n'
grep -q "forged-from=$ANNA ticket=1 treated as customer" "$TRIAGED_LOG" ||
    fail "no forged-from log line naming anna and #1"

# Issue 20: what the trusted MTA does not strip must not count either.
FOREIGN_RCVD="Received: from laptop (laptop [198.51.100.7]) by relay.elsewhere.example (Postfix) with ESMTP id X1; Mon, 2 Mar 2026 09:59:00 +0100"
forged "encoded-word authserv-id" "$SUPPORT" --from "Anna Agent <$ANNA>" \
    --header "Authentication-Results: =?us-ascii?q?mx.example.test=3B_dkim=3Dpass_header.d=3Dagents.example.test?=" \
    --body '#status closed\nEncoded.\n'
FG_SEND=smtp_send forged "encoded-word authserv-id over SMTP" "$SUPPORT" \
    --from "Anna Agent <$ANNA>" \
    --header "Authentication-Results: =?utf-8?b?bXguZXhhbXBsZS50ZXN0OyBka2ltPXBhc3MgaGVhZGVyLmQ9YWdlbnRzLmV4YW1wbGUudGVzdA==?=" \
    --body '#status closed\nEncoded again.\n'
forged "quoted authserv-id" "$SUPPORT" --from "Anna Agent <$ANNA>" \
    --header "Authentication-Results: \"mx.example.test\"; dkim=pass header.d=agents.example.test" \
    --body '#status closed\nQuoted.\n'
forged "comment before the authserv-id" "$SUPPORT" --from "Anna Agent <$ANNA>" \
    --header "Authentication-Results: (trusted) mx.example.test; dkim=pass header.d=agents.example.test" \
    --body '#status closed\nCommented.\n'
forged "blank before the colon" "$SUPPORT" --from "Anna Agent <$ANNA>" \
    --header "Authentication-Results : mx.example.test; dkim=pass header.d=agents.example.test" \
    --body '#status closed\nBlank.\n'
forged "trusted pass below a foreign Received" "$SUPPORT" \
    --from "Anna Agent <$ANNA>" --header "$FOREIGN_RCVD" \
    --header "Authentication-Results: mx.example.test; dkim=pass header.d=agents.example.test" \
    --body '#status closed\nForwarded from outside.\n'
grep -q "forged-from=$ANNA ticket=1 treated as customer reason=no-trusted-pass auth=below-received" \
    "$TRIAGED_LOG" || fail "no auth=below-received log line"
for text in Encoded Quoted Commented Blank 'Forwarded from outside'; do
	check_eq "no relay of '$text'" 0 \
	    "$(sql "SELECT count(*) FROM messages WHERE direction = 'out' AND body LIKE '%$text%'")"
done

wait_for outbox_idle 30 || fail "outbox not idle"
check_eq "no relay reached the customer" "$cust_mails" "$(mails_to "$CUST")"
check_eq "nothing relayed (no out rows)" 0 \
    "$(sql "SELECT count(*) FROM messages WHERE direction = 'out'")"

# --- genuine proofs ------------------------------------------------------

make_msg g1.eml --from "Anna Agent <$ANNA>" --subject 'Re: [#1] Printer on fire' \
    --message-id '<genuine1@agents.example.test>' \
    --header "Authentication-Results: mx.example.test; dkim=pass (ok) header.d=agents.example.test header.i=@agents.example.test" \
    --body '#status pending\n'
lmtp_send g1.eml
check_eq "trusted dkim pass: status" pending "$(status1)"
grep -q 'agent-mail .*ticket=1 agent=anna proof=dkim' "$TRIAGED_LOG" ||
    fail "no agent-mail proof=dkim log line"

make_msg g2.eml --from "Anna Agent <$ANNA>" --subject 'Re: [#1] Printer on fire' \
    --message-id '<genuine2@agents.example.test>' \
    --header "Authentication-Results: mx.example.test; spf=pass smtp.mailfrom=$ANNA" \
    --body '#tag vip\n'
lmtp_send g2.eml
check_eq "trusted spf pass: tag" vip \
    "$(sql "SELECT tag FROM ticket_tags WHERE ticket_id = 1")"

# Under the trusted MX's own Received (where OpenDKIM puts it), above the
# foreign Received of the agent's own relay: counts.
make_msg g2b.eml --from "Anna Agent <$ANNA>" --subject 'Re: [#1] Printer on fire' \
    --message-id '<genuine2b@agents.example.test>' \
    --header "Received: from mail.agents.example.test (mail.agents.example.test [192.0.2.1]) by mx.example.test (Postfix) with ESMTPS id 4Q2x; Mon, 2 Mar 2026 10:00:00 +0100" \
    --header "Authentication-Results: mx.example.test; dkim=pass header.d=agents.example.test" \
    --header "$FOREIGN_RCVD" \
    --body '#tag mx-ok\n'
lmtp_send g2b.eml
check_eq "pass under the MX's Received: tag" 1 \
    "$(sql "SELECT count(*) FROM ticket_tags WHERE ticket_id = 1 AND tag = 'mx-ok'")"

make_msg g3.eml --from "Anna Agent <$ANNA>" --to "$NOTE_ADDR" \
    --subject 'Re: [#1] Printer on fire' \
    --message-id '<genuine3@agents.example.test>' \
    --header "Authentication-Results: mx.example.test; dkim=pass header.d=agents.example.test" \
    --body 'Customer called, printer is a 1998 model.\n'
lmtp_send --rcpt "$NOTE_ADDR" g3.eml
check_eq "note address: a note row" 1 \
    "$(sql "SELECT count(*) FROM messages WHERE ticket_id = 1 AND direction = 'note' AND body LIKE '%1998 model%'")"

# The genuine signed address, From anna's address (any case).
reply=$WORK/r1.eml
"$PYTHON" "$AGENT_REPLY" "$(mail_file_to "$ANNA" 0)" "$reply" \
    --style thunderbird --from "Anna <$(printf '%s' "$ANNA" | tr a-z A-Z)>" \
    --text 'We will replace the printer tomorrow.'
lmtp_send --rcpt "$signed" "$reply"
wait_for '[ "$(mails_to "$CUST")" -gt "$cust_mails" ]' 30 ||
    fail "the signed reply was not relayed"
relay=$(mail_json_to "$CUST")
assert_contains "relay body" "$(body_of "$relay")" "replace the printer tomorrow"
assert_not_contains "relay: no note" "$(body_of "$relay")" "1998 model"
assert_not_contains "relay: no fake note" "$(body_of "$relay")" "fake note"
wait_for outbox_idle 30 || fail "outbox not idle"
for m in $(sink_json | json_get "[m['file'] for m in d if '<$CUST>' in m['rcpt_to']]" | tr -d '[],"'); do
	assert_not_contains "customer mail $m" "$(cat "$SINK_DIR/new/$m")" "1998 model"
done
stop_triaged

# --- require = "signature+auth" ------------------------------------------

write_config sink
AGENT_MAIL_EXTRA='require = "signature+auth";' agents_settings
# a note address carries no signature: the config refuses both together
sed -i '/note_address/d' "$CONF"
start_triaged
# open, as customer mail leaves it: a forged one must change nothing more
ctl status 1 open >/dev/null
before=$(status1)
AR_ANNA="Authentication-Results: mx.example.test; dkim=pass header.d=agents.example.test"

forged "signature+auth: the signed address alone" "$signed" \
    --from "Anna Agent <$ANNA>" --body '#status closed\nOnly signed.\n'
grep -q "forged-from=$ANNA ticket=1 treated as customer reason=signed-without-auth auth=none" \
    "$TRIAGED_LOG" || fail "no signed-without-auth log line"
forged "signature+auth: a trusted pass alone" "$SUPPORT" \
    --from "Anna Agent <$ANNA>" --header "$AR_ANNA" \
    --body '#status closed\nOnly authenticated.\n'
grep -q "forged-from=$ANNA ticket=1 treated as customer reason=no-signature" \
    "$TRIAGED_LOG" || fail "no no-signature log line"
forged "signature+auth: signed, but the pass below a foreign Received" \
    "$signed" --from "Anna Agent <$ANNA>" --header "$FOREIGN_RCVD" \
    --header "$AR_ANNA" --body '#status closed\nBelow.\n'

make_msg both.eml --from "Anna Agent <$ANNA>" --to "$signed" \
    --subject 'Re: [#1] Printer on fire' \
    --message-id '<both@agents.example.test>' --header "$AR_ANNA" \
    --body '#tag both-proofs\n'
lmtp_send --rcpt "$signed" both.eml
check_eq "signature+auth: both act" 1 \
    "$(sql "SELECT count(*) FROM ticket_tags WHERE ticket_id = 1 AND tag = 'both-proofs'")"
grep -q 'agent-mail .*ticket=1 agent=anna proof=signed+dkim' "$TRIAGED_LOG" ||
    fail "no agent-mail proof=signed+dkim log line"
# issue 16: the agents' notice and `show` say who wrote and why it is
# suspect (the customer's own mail carries no warning)
"$TRIAGECTL" -c "$CONF" show 1 >"$WORK/show1.txt" ||
    fail "triagectl show 1 failed"
grep -q "Suspect:.*claimed to be an agent without proof" "$WORK/show1.txt" ||
    fail "show: no Suspect line for a forged agent"
stop_triaged
