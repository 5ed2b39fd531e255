# mta_scenario.sh: the scenario every MTA snippet of contrib/ must pass
# (issue 14), sourced by postfix.sh and exim.sh once their MTA runs in
# front of triaged.  The caller defines mta_send FROM TO FILE (prints the
# MTA's last reply) and sets:
#   MTA_NAME           the MTA's name, for messages
#   MTA_LOG            its log file
#   MTA_LMTP_SEEN      what its log says when it delivered to our LMTP
#   MTA_UNKNOWN_REPLY  its RCPT reply to an unknown support address
#   MTA_RELAY_REPLY    its RCPT reply to relaying for a stranger
#   MTA_RECEIVED_BY    its Received field's "by" part on our outgoing mail
#   MTA_SENT_UTF8      a grep pattern of its log: the acknowledgement to
#                      jörg@bücher.example left
#   MTA_SMTPUTF8       "no" when the MTA does not offer SMTPUTF8 (step 5)
# Steps: an outside customer's mail becomes a request; unknown addresses
# and relaying are refused at RCPT; the acknowledgement and notification
# leave through the MTA; the agent's answer to the signed + address
# reaches triaged intact and is relayed; UTF-8 mail passes both hops.

mta_scenario() {
	# 1. A customer from outside writes to the support address.
	make_msg c1.eml --from "Jana Svobodová <$CUST>" --subject 'Printer on fire' \
	    --message-id '<pf1@customer.example.org>'
	out=$(mta_send "$CUST" "$SUPPORT" c1.eml)
	printf '%s\n' "$out"
	assert_contains "outside sender to the support address" "$out" "250"
	wait_for '[ "$(requests_count)" -ge 1 ]' 30 ||
	    fail "the customer's mail did not become a request"
	assert_eq "subject of #1" "Printer on fire" \
	    "$(ctl show 1 | json_get 'd["subject"]')"
	assert_contains "$MTA_NAME delivered it over LMTP" "$(cat "$MTA_LOG")" \
	    "$MTA_LMTP_SEEN"

	# 2. Refused at RCPT, not bounced later.
	out=$(mta_send "$CUST" "nobody@example.test" c1.eml)
	assert_contains "unknown address of the support domain" "$out" \
	    "$MTA_UNKNOWN_REPLY"
	out=$(mta_send "$CUST" "someone@elsewhere.example" c1.eml)
	assert_contains "relaying for a stranger" "$out" "$MTA_RELAY_REPLY"

	# 3. The acknowledgement and the notification leave through $MTA_NAME.
	wait_mails "$CUST" 1
	wait_mails "$ANNA" 1
	ack=$(mail_json_to "$CUST")
	assert_contains "acknowledgement subject" "$(header_of "$ack" subject)" "[#1]"
	assert_contains "acknowledgement passed $MTA_NAME" \
	    "$(printf '%s\n' "$ack" | json_get '" ".join(d["headers"]["received"])')" \
	    "$MTA_RECEIVED_BY"

	# 4. Anna answers the notification's signed + address through $MTA_NAME;
	# triaged gets the address intact and relays her answer to the customer.
	SIGNED=$(reply_to_of "$(mail_file_to "$ANNA")")
	case $SIGNED in
	support+r1.aanna.*@example.test) ;;
	*) fail "notification Reply-To is not signed for anna on #1: [$SIGNED]" ;;
	esac
	"$PYTHON" "$AGENT_REPLY" "$(mail_file_to "$ANNA")" answer.eml \
	    --from "Anna Agent <$ANNA>" --text "Switch it off and on again."
	out=$(mta_send "$ANNA" "$SIGNED" answer.eml)
	assert_contains "the agent's answer through $MTA_NAME" "$out" "250"
	wait_mails "$CUST" 2
	relay=$(mail_json_to "$CUST")
	assert_contains "the customer gets anna's answer" "$(body_of "$relay")" \
	    "Switch it off and on again."
	assert_contains "triaged saw the whole signed address" "$(cat "$TRIAGED_LOG")" \
	    "rcpt=<$SIGNED>"
	assert_eq "requests after the agent's answer" 1 "$(requests_count)"

	# 5. Internationalised mail passes $MTA_NAME (SMTPUTF8 on both hops);
	# MTA_SMTPUTF8=no: this MTA does not offer it, so this step is left out.
	[ "${MTA_SMTPUTF8:-yes}" = yes ] || return 0
	cat >u1.eml <<'EOF'
From: Jörg Müller <jörg@bücher.example>
To: support@example.test
Subject: Grüße aus Köln
Message-ID: <pf-utf8@bücher.example>
Date: Sat, 05 Dec 2026 06:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Der Drucker brennt.
EOF
	out=$(mta_send "jörg@bücher.example" "$SUPPORT" u1.eml)
	assert_contains "UTF-8 mail through $MTA_NAME" "$out" "250"
	wait_for '[ "$(requests_count)" -ge 2 ]' 30 ||
	    fail "the UTF-8 mail did not become a request"
	assert_eq "customer of #2" "jörg@bücher.example" \
	    "$(ctl show 2 | json_get 'd["customer"]["address"]')"
	assert_eq "subject of #2" "Grüße aus Köln" \
	    "$(ctl show 2 | json_get 'd["subject"]')"

	# Its acknowledgement goes out through $MTA_NAME with SMTPUTF8 too.
	wait_for 'grep -q "$MTA_SENT_UTF8" "$MTA_LOG"' 30 ||
	    fail "the acknowledgement to jörg@bücher.example did not leave $MTA_NAME"
}
