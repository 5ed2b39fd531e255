#!/bin/sh
#
# imap_modes.sh (issue 3): one daemon polls three mailboxes of a real
# Dovecot at once, one per TLS mode and per "after" mode:
#   ma  implicit TLS (IMAPS), verify = true with ca_file = the test
#       certificate (IP SAN 127.0.0.1), after = "seen";
#   mb  STARTTLS on the plain port, verify = true with the ca_file,
#       after = "move" to "Done" (the daemon creates it);
#   mc  implicit TLS with verify = false, after = "delete".
# Three messages wait in each INBOX before the daemon starts, two more
# are APPENDed while it runs.  Each message becomes exactly one request
# whose message has source "imap:NAME" (triagectl show), and afterwards
# the server matches the mode: ma's messages are all \Seen in INBOX; mb's
# INBOX is empty and Done holds all five; mc's INBOX is empty, expunged.
# The daemon logs "connected ... idle=yes" per mailbox, and triagectl
# mailboxes --json shows each connected (or idle) with taken = 5.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/dovecot.sh"

start_dovecot a b c
imap_gen a INBOX 3 ma
imap_gen b INBOX 3 mb
imap_gen c INBOX 3 mc

write_config
cat >>"$CONF" <<EOF
mailboxes = (
$(mailbox_conf ma a "tls = \"implicit\"; port = $IMAPS_PORT; verify = true;
    ca_file = \"$DOVECOT_CERT\"; after = \"seen\";"),
$(mailbox_conf mb b "tls = \"starttls\"; port = $IMAP_PORT; verify = true;
    ca_file = \"$DOVECOT_CERT\"; after = \"move\"; move_to = \"Done\";"),
$(mailbox_conf mc c "tls = \"implicit\"; port = $IMAPS_PORT; verify = false;
    after = \"delete\";")
);
EOF
start_triaged

wait_for '[ "$(requests_count)" -ge 9 ]' 30 ||
    fail "the 9 waiting messages did not become requests"
for mb in ma mb mc; do
	wait_for "grep -q 'imap mailbox=$mb connected host=127.0.0.1 folder=INBOX uidvalidity=[0-9]* idle=yes' '$TRIAGED_LOG'" 10 ||
	    fail "no 'connected' log line for $mb"
done

# Two more each while the daemon runs (IDLE).
imap_gen a INBOX 2 ma 3
imap_gen b INBOX 2 mb 3
imap_gen c INBOX 2 mc 3
wait_for '[ "$(requests_count)" -ge 15 ]' 30 ||
    fail "the 6 later messages did not become requests"

# The server side follows the commit: wait for it, then check exactly.
wait_for '[ "$(imap_count a INBOX SEEN)" = 5 ]' 15 || true
wait_for '[ "$(imap_count b Done)" = 5 ] && [ "$(imap_count b INBOX ANY)" = 0 ]' 15 || true
wait_for '[ "$(imap_count c INBOX ANY)" = 0 ]' 15 || true

check_eq "ma (seen): messages in INBOX" 5 "$(imap_count a INBOX ALL)"
check_eq "ma (seen): \\Seen in INBOX" 5 "$(imap_count a INBOX SEEN)"
check_eq "mb (move): left in INBOX, \\Deleted ones too" 0 \
    "$(imap_count b INBOX ANY)"
check_eq "mb (move): in Done" 5 "$(imap_count b Done)"
check_eq "mb (move): Done holds mb's messages" \
    "mb-0 mb-1 mb-2 mb-3 mb-4" \
    "$(imap_ids b Done | sed 's/@.*//' | tr '\n' ' ' | sed 's/ $//')"
check_eq "mc (delete): left in INBOX, \\Deleted ones too" 0 \
    "$(imap_count c INBOX ANY)"
check_eq "mc (delete): no Done folder made" -1 "$(imap_count c Done)"

# Exactly one request per message, source imap:NAME (triagectl show).
sleep 1	# a late duplicate request would show up now
check_eq "requests" 15 "$(requests_count)"
sources=$(for id in $(ctl list --limit 100000 | json_get \
    '" ".join(str(r["id"]) for r in d["requests"])'); do
	ctl show "$id" | json_get '" ".join(m["source"] + ":" +
	    m["message_id"].strip("<>").split("@")[0]
	    for m in d["messages"] if m["direction"] == "in")'
done | sort | tr '\n' ' ')
expect=""
for mb in ma mb mc; do
	for i in 0 1 2 3 4; do
		expect="${expect}imap:$mb:$mb-$i "
	done
done
check_eq "source:message of each request (one each)" "$expect" "$sources"
for mb in ma mb mc; do
	imap_check "$mb" 5 "imap:$mb" || fail "requests of $mb"
done

# triagectl mailboxes --json
js=$(ctl mailboxes)
printf '%s\n' "$js"
check_eq "mailboxes in config order" '["ma", "mb", "mc"]' \
    "$(printf '%s\n' "$js" | json_get '[m["name"] for m in d["mailboxes"]]')"
for mb in ma mb mc; do
	check_eq "$mb state" yes "$(mailbox_json $mb '["state"]' |
	    sed -n 's/^\(connected\|idle\)$/yes/p')"
	check_eq "$mb taken" 5 "$(mailbox_json $mb '["taken"]')"
	check_eq "$mb last_error" null "$(mailbox_json $mb '["last_error"]')"
	# one instance on SQLite polls without a lease (multi_imap.sh: with)
	[ "${TRIAGED_TEST_DB:-sqlite}" = pg ] ||
	    check_eq "$mb lease_holder" null \
	    "$(mailbox_json $mb '["lease_holder"]')"
	check_eq "$mb uidvalidity" \
	    "$(imap_uidvalidity "$(echo $mb | cut -c2)" INBOX)" \
	    "$(mailbox_json $mb '["uidvalidity"]')"
done
check_eq "mb after" move "$(mailbox_json mb '["after"]')"
[ "${TRIAGED_TEST_DB:-sqlite}" = pg ] ||
    assert_not_contains "triagectl mailboxes on SQLite: no lease column" \
    "$("$TRIAGECTL" -c "$CONF" mailboxes)" "POLLED BY"
check_eq "no error line in the log" 0 "$(log_count 'imap mailbox=.* error:')"

stop_triaged
