#!/bin/sh
#
# ack.sh (issue 2; DESIGN promise 3): the auto-acknowledgement.  With the
# sink as smarthost, a new request's acknowledgement reaches the sink
# exactly once: From the support address, To the customer, Subject with
# "[#1]" and the customer's Cyrillic subject intact, In-Reply-To and
# References = the customer's Message-ID, Auto-Submitted: auto-replied,
# X-Loop; the body (from the configured template) holds the customer's
# name and the request number.  No acknowledgement (but a request) for
# automatic mail: Auto-Submitted, Precedence: bulk, List-Id, From
# MAILER-DAEMON, the null sender, multipart/report, our own X-Loop.  With
# rate_limit = 2 a third new request from one address within the period is
# created but not acknowledged.  Without a smarthost the acknowledgement is
# a file in the configured outgoing Maildir's new/.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

ack_settings() {
	cat >>"$CONF" <<'EOF'
acknowledgement = {
  enabled = true;
  rate_limit = 2;
  rate_period = 3600;
  subject = "{{subject}}";
  body = "Dear {{customer_name}},\n\nwe opened request number {{id}} for you.\n"
         "Your message:\n{{quoted_text}}";
};
EOF
}

# acks_to ADDR: how many mails in the sink went to ADDR.
acks_to() {
	sink_json | json_get "len([m for m in d if '<$1>' in m['rcpt_to']])"
}

# no_ack WHAT OUTPUT: the delivery made a request without acknowledgement.
no_ack() {
	na_ticket=$(ticket_of "$2")
	if [ -z "$na_ticket" ]; then
		check_eq "$1: delivered (250 ... ticket #N)" "ticket" "$2"
		return
	fi
	check_eq "$1: outbox of #$na_ticket" 0 \
	    "$(ctl show "$na_ticket" | json_get 'len(d["outbox"])')"
}

start_sink
write_config sink
ack_settings
start_triaged

CUST='jana@customer.example.org'
make_msg m1.eml --from "Jana Svobodová <$CUST>" \
    --subject 'Принтер горит' --message-id '<ack1@customer.example.org>' \
    --body 'Здравствуйте,\nthe printer is on fire.\n'
out=$(lmtp_send m1.eml)
printf '%s\n' "$out"
assert_contains "reply" "$(reply_of "$out")" "stored as ticket #1"

wait_for '[ "$(acks_to "$CUST")" -ge 1 ] && outbox_idle' 30 ||
    fail "no acknowledgement reached the sink"
ack=$(sink_json | json_get "[m for m in d if '<$CUST>' in m['rcpt_to']][0]")
printf '%s\n' "$ack"
h() {	# h NAME: the decoded header NAME of the acknowledgement ("" if none)
	printf '%s\n' "$ack" | json_get "' | '.join(v.strip() for v in d['headers'].get('$1', []))"
}
assert_contains "From" "$(h from)" "<$SUPPORT>"
assert_contains "From" "$(h from)" "Example Support"
assert_contains "To" "$(h to)" "$CUST"
assert_contains "Subject" "$(h subject)" "[#1]"
assert_contains "Subject (decoded Cyrillic)" "$(h subject)" "Принтер горит"
assert_eq "In-Reply-To" "<ack1@customer.example.org>" "$(h in-reply-to)"
assert_contains "References" "$(h references)" "<ack1@customer.example.org>"
assert_eq "Auto-Submitted" "auto-replied" \
    "$(h auto-submitted | sed 's/[; ].*//')"
xloop=$(h x-loop)
[ -n "$xloop" ] || fail "no X-Loop header in the acknowledgement"
assert_contains "Message-ID" "$(h message-id)" "@"
body=$(printf '%s\n' "$ack" | json_get 'd["body"]')
assert_contains "body: customer name" "$body" "Dear Jana Svobodová,"
assert_contains "body: request number" "$body" "request number 1 "
assert_contains "body: quoted text" "$body" "> Здравствуйте,"
assert_eq "acknowledgements to the customer" 1 "$(acks_to "$CUST")"
assert_eq "outbox of #1" '[["ack", "sent"]]' \
    "$(ctl show 1 | json_get '[[o["kind"], o["status"]] for o in d["outbox"]]')"

# Automatic mail: a request, never an acknowledgement.  Each case carries
# exactly one marker (neutral From and Subject otherwise).
make_msg a1.eml --from 'Otto <ooo@customer.example.org>' \
    --subject 'Your message' --header 'Auto-Submitted: auto-replied'
no_ack "Auto-Submitted: auto-replied" "$(lmtp_send a1.eml)"
make_msg a2.eml --from 'News <news@customer.example.org>' \
    --subject 'Newsletter' --header 'Precedence: bulk'
no_ack "Precedence: bulk" "$(lmtp_send a2.eml)"
make_msg a3.eml --from 'A list <list@lists.example.org>' \
    --subject 'List traffic' --header 'List-Id: <users.lists.example.org>'
no_ack "List-Id" "$(lmtp_send a3.eml)"
make_msg a4.eml --from 'Mailer <MAILER-DAEMON@mx.example.org>' \
    --subject 'About your message'
no_ack "From MAILER-DAEMON" "$(lmtp_send a4.eml)"
make_msg a5.eml --from 'Someone <nullsender@customer.example.org>' \
    --subject 'Sent with an empty return path'
no_ack "null sender (MAIL FROM:<>)" "$(smtp_send --from '' a5.eml)"
cat >a6.eml <<'EOF'
From: Reports <reports@mx.customer.example.org>
To: support@example.test
Subject: About your message
Message-ID: <dsn1@mx.customer.example.org>
Date: Mon, 2 Mar 2026 10:00:00 +0100
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="dsnboundary"

--dsnboundary
Content-Type: text/plain

Your message could not be delivered.

--dsnboundary
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.customer.example.org

Final-Recipient: rfc822; gone@customer.example.org
Action: failed
Status: 5.1.1

--dsnboundary--
EOF
no_ack "multipart/report" "$(lmtp_send a6.eml)"
make_msg a7.eml --from 'Loop <loop@customer.example.org>' \
    --subject 'Looping back' --header "X-Loop: $xloop"
no_ack "our own X-Loop ($xloop)" "$(lmtp_send a7.eml)"

# Rate limit 2 per hour: the third new request gets none.
RL=rate@customer.example.org
for i in 1 2 3; do
	make_msg "r$i.eml" --from "Rita <$RL>" --subject "Problem number $i"
	out=$(lmtp_send "r$i.eml")
	printf '%s\n' "$out"
	assert_contains "rate-limited sender, request $i" "$(reply_of "$out")" \
	    "stored as ticket #"
	eval "rl_ticket_$i=\$(ticket_of \"\$out\")"
done
no_ack "third request within the rate period" "x ticket #$rl_ticket_3"

wait_for 'outbox_idle && [ "$(acks_to "$RL")" -ge 2 ]' 30 ||
    fail "acknowledgements of the first two requests not delivered"
assert_eq "acknowledgements to the rate-limited address" 2 "$(acks_to "$RL")"
assert_eq "requests" 11 "$(requests_count)"
assert_eq "mails in the sink" 3 "$(sink_count)"
stop_triaged

# Maildir mode: no smarthost, the acknowledgement is a file.
STATE=$WORK/var2
write_config
ack_settings
start_triaged
make_msg m2.eml --from "Jana Svobodová <$CUST>" --subject 'Maildir please' \
    --message-id '<ack2@customer.example.org>'
out=$(lmtp_send m2.eml)
assert_contains "reply" "$(reply_of "$out")" "stored as ticket #1"
wait_for '[ "$(sink_count "$OUT_MAILDIR")" -ge 1 ]' 30 ||
    fail "no acknowledgement in $OUT_MAILDIR/new"
assert_eq "files in $OUT_MAILDIR/new" 1 "$(sink_count "$OUT_MAILDIR")"
m=$(sink_json "$OUT_MAILDIR")
assert_contains "Maildir acknowledgement: To" \
    "$(printf '%s\n' "$m" | json_get 'd[0]["headers"]["to"][0]')" "$CUST"
assert_contains "Maildir acknowledgement: Subject" \
    "$(printf '%s\n' "$m" | json_get 'd[0]["headers"]["subject"][0]')" "[#1]"
assert_contains "Maildir acknowledgement: Subject" \
    "$(printf '%s\n' "$m" | json_get 'd[0]["headers"]["subject"][0]')" \
    "Maildir please"
assert_eq "Maildir acknowledgement: In-Reply-To" "<ack2@customer.example.org>" \
    "$(printf '%s\n' "$m" | json_get 'd[0]["headers"]["in-reply-to"][0].strip()')"
stop_triaged
