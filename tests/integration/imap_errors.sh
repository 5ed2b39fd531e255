#!/bin/sh
#
# imap_errors.sh (issue 3): bad mailboxes next to a good one.  One daemon
# polls three mailboxes of one Dovecot:
#   good     right password (read from password_file), trusted ca_file;
#   badpw    a wrong password;
#   badcert  verify = true and no ca_file: the self-signed test
#            certificate is not in the system store.
# Over several retries (backoff 1 s, 2 s, ...) each bad mailbox logs
# exactly one clear line "imap mailbox=NAME error: REASON; retry in Ns"
# (the reason names the login or the certificate), triagectl mailboxes
# --json shows it in state "error" with last_error and last_error_at; the
# good mailbox takes the mail waiting at the start and mail APPENDed after
# the errors, logs no error, and the LMTP listener still works.  Dovecot
# saw no LOGIN from badcert (verification happens before LOGIN).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/dovecot.sh"

start_dovecot a b c
imap_gen a INBOX 3 gd
imap_gen b INBOX 2 bp
imap_gen c INBOX 2 bc
printf 'pw-a\nnot this line\n' >"$WORK/good.pw"

write_config
cat >>"$CONF" <<EOF
mailboxes = (
  {
    name = "good";
    host = "127.0.0.1";
    port = $IMAPS_PORT;
    tls = "implicit";
    ca_file = "$DOVECOT_CERT";
    user = "a";
    password_file = "$WORK/good.pw";
  },
$(mailbox_conf badpw b "tls = \"implicit\"; port = $IMAPS_PORT;
    ca_file = \"$DOVECOT_CERT\"; password = \"wrong\";" |
    sed '/password = "pw-b";/d'),
$(mailbox_conf badcert c "tls = \"implicit\"; port = $IMAPS_PORT;
    verify = true;")
);
EOF
c_logins=$(grep -c 'Login: user=<c>' "$DOVECOT_LOG" || true)
start_triaged

wait_for '[ "$(imap_stored gd)" -ge 3 ]' 30 || fail "good mailbox: 3 not taken"
for mb in badpw badcert; do
	wait_for "grep -q 'imap mailbox=$mb error: ' '$TRIAGED_LOG'" 20 ||
	    fail "no error line for $mb"
done
# Several retries (backoff 1 s, 2 s, ...) of each bad mailbox, as Dovecot
# saw them.
badpw_tries() { grep -c 'auth failed.*user=<b>' "$DOVECOT_LOG" || true; }
badcert_tries() { grep -c 'no auth attempts.*TLS' "$DOVECOT_LOG" || true; }
wait_for '[ "$(badpw_tries)" -ge 3 ] && [ "$(badcert_tries)" -ge 3 ]' 30 ||
    fail "no 3 attempts of each bad mailbox: badpw $(badpw_tries), badcert $(badcert_tries)"
echo "attempts at Dovecot: badpw $(badpw_tries), badcert $(badcert_tries)"

# The good one keeps working after the errors.
imap_gen a INBOX 2 gd 3
wait_for '[ "$(imap_stored gd)" -ge 5 ]' 10 ||
    fail "good mailbox: the 2 later messages not taken"
make_msg lmtp.eml --from 'Lena <lena@customer.example.org>' \
    --subject 'LMTP next to bad mailboxes' \
    --message-id '<errors-lmtp@customer.example.org>'
assert_contains "LMTP reply" "$(reply_of "$(lmtp_send lmtp.eml)")" "250 2.0.0"

grep 'imap mailbox=' "$TRIAGED_LOG" | grep -v ' took '
check_eq "badpw: error lines" 1 "$(log_count 'imap mailbox=badpw error: ')"
check_eq "badcert: error lines" 1 "$(log_count 'imap mailbox=badcert error: ')"
check_eq "good: error lines" 0 "$(log_count 'imap mailbox=good error')"
check_eq "badpw: the line names the login" 1 "$(grep \
    'imap mailbox=badpw error: .*; retry in [0-9]*s' "$TRIAGED_LOG" |
    grep -c -i -e 'login' -e 'auth' -e 'password' -e 'credentials' || true)"
check_eq "badcert: the line names the certificate" 1 "$(grep \
    'imap mailbox=badcert error: .*; retry in [0-9]*s' "$TRIAGED_LOG" |
    grep -c -i -e 'certificate' -e 'verif' || true)"
check_eq "badcert: no LOGIN reached Dovecot" "$c_logins" \
    "$(grep -c 'Login: user=<c>' "$DOVECOT_LOG" || true)"
for mb in badpw badcert; do
	check_eq "$mb state" error "$(mailbox_json $mb '["state"]')"
	check_eq "$mb last_error set" yes "$(mailbox_json $mb \
	    '["last_error"] not in (None, "") and "yes" or "no"')"
	check_eq "$mb last_error_at set" yes "$(mailbox_json $mb \
	    '["last_error_at"] is not None and "yes" or "no"')"
	check_eq "$mb taken" 0 "$(mailbox_json $mb '["taken"]')"
done
mailbox_json badpw '["last_error"]'
mailbox_json badcert '["last_error"]'
check_eq "good state" yes "$(mailbox_json good '["state"] in ("idle",
    "connected") and "yes" or "no"')"
check_eq "good taken" 5 "$(mailbox_json good '["taken"]')"
check_eq "good last_error" null "$(mailbox_json good '["last_error"]')"

imap_check gd 5 imap:good || fail "requests of the good mailbox"
check_eq "requests (5 good + 1 LMTP)" 6 "$(requests_count)"
check_eq "b's mail untouched" 2 "$(imap_count b INBOX UNSEEN)"
check_eq "c's mail untouched" 2 "$(imap_count c INBOX UNSEEN)"

stop_triaged
