#!/bin/sh
#
# imap_uidvalidity.sh (issue 3; DESIGN promise 2): a UIDVALIDITY change
# repeats nothing.  The daemon polls the folder "Support" (after = seen)
# and takes 5 messages.  Then, while it runs, the folder is deleted (the
# daemon's IDLE gets a BYE; it reconnects and finds the folder missing:
# state "error") and created again (a new UIDVALIDITY) with the same 5
# messages APPENDed again (unseen, new UIDs) plus one new one: the daemon
# retries by itself and logs
# "imap mailbox=uv uidvalidity changed OLD -> NEW" with the two values,
# the new message becomes request #6, the 5 old ones become no second
# request, and all 6 end up \Seen.  Once more with the daemon stopped
# while the folder is recreated (the stored UIDVALIDITY is compared at
# the next start): again no repeat, one more new request.  And once
# more deleted and recreated at once, under the daemon's IDLE.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/dovecot.sh"

start_dovecot a
imap_create_folder a Support
imap_gen a Support 5 uvm
v1=$(imap_uidvalidity a Support)

write_config
cat >>"$CONF" <<EOF
mailboxes = (
$(mailbox_conf uv a "tls = \"implicit\"; port = $IMAPS_PORT;
    ca_file = \"$DOVECOT_CERT\"; folder = \"Support\"; after = \"seen\";")
);
EOF
start_triaged
wait_for '[ "$(imap_stored uvm)" -ge 5 ]' 30 || fail "first 5 not taken"
wait_for '[ "$(imap_count a Support SEEN)" = 5 ]' 10 || fail "first 5 not \\Seen"
check_eq "uidvalidity recorded" "$v1" "$(mailbox_json uv '["uidvalidity"]')"

# --- recreated while the daemon runs -------------------------------------
imap_delete_folder a Support
wait_for '[ "$(mailbox_json uv "[\"state\"]")" = error ]' 20 ||
    fail "the daemon did not notice the deleted folder"
echo "after the delete: $(mailbox_json uv '["last_error"]')"
imap_create_folder a Support
imap_gen a Support 6 uvm
v2=$(imap_uidvalidity a Support)
echo "uidvalidity $v1 -> $v2"
[ "$v2" != "$v1" ] || fail "test setup: Dovecot kept UIDVALIDITY $v1"

wait_for "grep -q 'imap mailbox=uv uidvalidity changed $v1 -> $v2' '$TRIAGED_LOG'" 30 ||
    fail "no 'uidvalidity changed $v1 -> $v2' line"
wait_for '[ "$(imap_stored uvm)" -ge 6 ]' 30 || fail "the new message not taken"
wait_for '[ "$(imap_count a Support UNSEEN)" = 0 ]' 20 ||
    fail "$(imap_count a Support UNSEEN) left unseen after the change"
sleep 1	# a late second request would show up now
imap_check uvm 6 imap:uv || fail "requests after the live change"
check_eq "requests after the live change" 6 "$(requests_count)"
check_eq "uidvalidity recorded" "$v2" "$(mailbox_json uv '["uidvalidity"]')"

# --- recreated while the daemon is stopped ---------------------------------
stop_triaged
imap_delete_folder a Support
imap_create_folder a Support
imap_gen a Support 7 uvm
v3=$(imap_uidvalidity a Support)
[ "$v3" != "$v2" ] || fail "test setup: Dovecot kept UIDVALIDITY $v2"
start_triaged
wait_for "grep -q 'imap mailbox=uv uidvalidity changed $v2 -> $v3' '$TRIAGED_LOG'" 30 ||
    fail "no 'uidvalidity changed $v2 -> $v3' line after the restart"
wait_for '[ "$(imap_stored uvm)" -ge 7 ]' 30 || fail "the 7th message not taken"
wait_for '[ "$(imap_count a Support UNSEEN)" = 0 ]' 20 ||
    fail "$(imap_count a Support UNSEEN) left unseen after the restart"
sleep 1
imap_check uvm 7 imap:uv || fail "requests after the change at restart"
check_eq "requests after the change at restart" 7 "$(requests_count)"
check_eq "uidvalidity changed lines after the restart" 1 \
    "$(log_count 'imap mailbox=uv uidvalidity changed')"

# --- deleted and recreated at once, under an IDLE ---------------------------
# Dovecot answers the IDLE with "* NO Internal error" and keeps doing so
# on that session; the daemon must drop it and SELECT afresh.
imap_delete_folder a Support
imap_create_folder a Support
imap_gen a Support 8 uvm
v4=$(imap_uidvalidity a Support)
[ "$v4" != "$v3" ] || fail "test setup: Dovecot kept UIDVALIDITY $v3"
wait_for "grep -q 'imap mailbox=uv uidvalidity changed $v3 -> $v4' '$TRIAGED_LOG'" 30 ||
    fail "no 'uidvalidity changed $v3 -> $v4' line after a fast recreate"
wait_for '[ "$(imap_stored uvm)" -ge 8 ]' 30 || fail "the 8th message not taken"
wait_for '[ "$(imap_count a Support UNSEEN)" = 0 ]' 20 ||
    fail "$(imap_count a Support UNSEEN) left unseen after a fast recreate"
sleep 1
imap_check uvm 8 imap:uv || fail "requests after a fast recreate"
check_eq "requests after a fast recreate" 8 "$(requests_count)"

stop_triaged
