#!/bin/sh
#
# dovecot_sieve.sh (issue 14): the Sieve/Dovecot variant of README
# "Using it behind an MTA": mail for the support address is delivered
# into a Dovecot mailbox first (Dovecot LMTP with Pigeonhole Sieve, as an
# MTA would hand it over), contrib/dovecot/triaged.sieve as shipped files
# it into "Helpdesk", and triaged polls that folder over IMAP:
# - mail to support@ and to support+billing@ lands in Helpdesk and each
#   becomes a request, acknowledged by triaged (nothing answered by
#   Sieve);
# - spam (X-Spam-Flag: YES) goes to Junk and becomes no request;
# - what triaged took is \Seen in Helpdesk (after = "seen").
# Needs Debian's dovecot-lmtpd and dovecot-sieve (skipped without).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

if [ ! -x /usr/lib/dovecot/lmtp ] ||
    [ ! -f /usr/lib/dovecot/modules/lib90_sieve_plugin.so ]; then
	echo "SKIP: no Dovecot LMTP or Sieve (Debian dovecot-lmtpd, dovecot-sieve)"
	exit 77
fi
DOVECOT_LMTP_PORT=$(free_port)
. "$top_srcdir/tests/integration/dovecot.sh"
SIEVE_SCRIPT=$WORK/dovecot/mail/support/triaged.sieve
DOVECOT_EXTRA_CONF="protocols = imap lmtp
# LMTP recipients support@example.test, support+billing@example.test are
# the account support.
auth_username_format = %Ln
recipient_delimiter = +
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $DOVECOT_LMTP_PORT
  }
}
protocol lmtp {
  mail_plugins = \$mail_plugins sieve
}
plugin {
  sieve = $SIEVE_SCRIPT
}"
mkdir -p "$WORK/dovecot/mail/support"
cp "$top_srcdir/contrib/dovecot/triaged.sieve" "$SIEVE_SCRIPT"
start_dovecot support
imap_create_folder support Helpdesk >/dev/null

write_config
cat >>"$CONF" <<EOF
mailboxes = (
$(mailbox_conf desk support "tls = \"implicit\"; port = $IMAPS_PORT;
    verify = true; ca_file = \"$DOVECOT_CERT\"; folder = \"Helpdesk\";
    after = \"seen\"; poll_interval = 5;")
);
EOF
start_triaged
wait_for "grep -q 'imap mailbox=desk connected host=127.0.0.1 folder=Helpdesk' '$TRIAGED_LOG'" 30 ||
    fail "triaged did not connect to Helpdesk"

# dovecot_lmtp RCPT FILE: delivers FILE to Dovecot's LMTP, as an MTA would.
dovecot_lmtp() {
	"$PYTHON" - "$DOVECOT_LMTP_PORT" "$1" "$2" <<'PYEOF'
import smtplib, sys
c = smtplib.LMTP("127.0.0.1", int(sys.argv[1]))
c.sendmail("customer@customer.example.org", [sys.argv[2]],
           open(sys.argv[3], "rb").read())
c.quit()
PYEOF
}

make_msg s1.eml --from 'Karin <karin@customer.example.org>' --to "$SUPPORT" \
    --subject 'Printer on fire' --message-id '<sieve1@customer.example.org>'
make_msg s2.eml --from 'Lars <lars@customer.example.org>' \
    --to "support+billing@example.test" --subject 'Invoice 4711' \
    --message-id '<sieve2@customer.example.org>'
make_msg spam.eml --from 'Spammer <win@spam.example>' --to "$SUPPORT" \
    --subject 'You won' --message-id '<sieve3@spam.example>' \
    --header 'X-Spam-Flag: YES'
dovecot_lmtp "$SUPPORT" s1.eml || fail "Dovecot LMTP refused s1"
dovecot_lmtp "support+billing@example.test" s2.eml ||
    fail "Dovecot LMTP refused s2"
dovecot_lmtp "$SUPPORT" spam.eml || fail "Dovecot LMTP refused the spam"

assert_eq "Sieve filed the support mail into Helpdesk" 2 \
    "$(imap_count support Helpdesk ALL)"
assert_eq "Sieve filed the spam into Junk" 1 "$(imap_count support Junk ALL)"
assert_eq "nothing left in INBOX" 0 "$(imap_count support INBOX ALL)"
wait_for '[ "$(requests_count)" -ge 2 ]' 30 ||
    fail "the filed mail did not become requests"
assert_eq "subject of #1" "Printer on fire" \
    "$(ctl show 1 | json_get 'd["subject"]')"
assert_eq "subject of #2" "Invoice 4711" \
    "$(ctl show 2 | json_get 'd["subject"]')"
assert_eq "source of #1" "imap:desk" \
    "$(ctl show 1 | json_get 'd["messages"][0]["source"]')"
wait_for '[ "$(imap_count support Helpdesk SEEN)" = 2 ]' 30 ||
    fail "what triaged took is not \\Seen in Helpdesk"
assert_eq "requests: the spam is none" 2 "$(requests_count)"
# triaged's acknowledgements (the Maildir, no smarthost); Sieve sent none.
wait_for '[ "$(ls "$OUT_MAILDIR/new" | wc -l)" -ge 2 ]' 30 ||
    fail "no acknowledgements"
assert_not_contains "Sieve answered nothing" "$(cat "$DOVECOT_LOG")" \
    "vacation"
stop_triaged
stop_dovecot
