#!/bin/sh
#
# one_writer.sh (issue 12, stage 4): "one writing SQLite connection in the
# daemon whatever the number of IMAP mailboxes".  The daemon runs with
# three IMAP mailboxes of a real Dovecot, its LMTP and SMTP listeners, an
# SLA policy whose warnings and breaches fire during the test, and the
# satisfaction survey and a daily digest (the reports pass).  Mail goes in
# through all of them.  Then /proc/PID/fd is read: of the descriptors on
# the database file, exactly one is open read-write (the store writer)
# and exactly one read-only (the sender); the IMAP workers, the SLA
# timer, the reports timer and the sender's marks have none of their own.
# (The -wal and -shm files are not counted: SQLite opens those per
# connection too, the database file itself is the clearest count.)
# database_writers = 3 is set: SQLite still has its one writer.  On
# PostgreSQL the daemon's sessions on its database are counted: the three
# writing connections asked for and the sender's, four.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/dovecot.sh"

start_dovecot a b c
imap_gen a INBOX 2 wa
imap_gen b INBOX 2 wb
imap_gen c INBOX 2 wc

write_config
cat >>"$CONF" <<EOF
database_writers = 3;
mailboxes = (
$(mailbox_conf wa a "tls = \"implicit\"; port = $IMAPS_PORT; verify = false;
    after = \"seen\";"),
$(mailbox_conf wb b "tls = \"implicit\"; port = $IMAPS_PORT; verify = false;
    after = \"seen\";"),
$(mailbox_conf wc c "tls = \"implicit\"; port = $IMAPS_PORT; verify = false;
    after = \"seen\";")
);
calendars = (
  { name = "always"; timezone = "UTC";
    hours = { sun = [ "0:00-24:00" ]; mon = [ "0:00-24:00" ];
      tue = [ "0:00-24:00" ]; wed = [ "0:00-24:00" ];
      thu = [ "0:00-24:00" ]; fri = [ "0:00-24:00" ];
      sat = [ "0:00-24:00" ]; }; }
);
sla_policies = (
  { name = "fast"; calendar = "always"; first_response = 1; warn_at = 50;
    escalate = { tag = "breached"; notify = [ "lead@example.test" ]; }; }
);
sla = { default_policy = "fast"; };
reports = {
  survey = true;
  rating_key = "0123456789abcdef0123456789abcdef";
  digests = (
    { name = "daily"; every = "daily"; at = "00:00";
      to = [ "lead@example.test" ]; }
  );
};
EOF
start_triaged

make_msg l1.eml --from 'Lena <lena@customer.example.org>' \
    --subject 'Over LMTP' --message-id '<ow-l1@customer.example.org>'
make_msg s1.eml --from 'Sam <sam@customer.example.org>' \
    --subject 'Over SMTP' --message-id '<ow-s1@customer.example.org>'
assert_contains "LMTP reply" "$(reply_of "$(lmtp_send l1.eml)")" "250"
assert_contains "SMTP reply" "$(reply_of "$(smtp_send s1.eml)")" "250"
wait_for '[ "$(requests_count)" -ge 8 ]' 30 ||
    fail "the 8 messages did not all become requests"
imap_gen a INBOX 1 wa 2
imap_gen b INBOX 1 wb 2
imap_gen c INBOX 1 wc 2
wait_for '[ "$(requests_count)" -ge 11 ]' 30 ||
    fail "the 3 later IMAP messages did not become requests"
for mb in wa wb wc; do
	wait_for "grep -q 'imap mailbox=$mb connected' '$TRIAGED_LOG'" 10 ||
	    fail "no 'connected' log line for $mb"
done
wait_for 'outbox_idle' 30 || fail "the outbox did not drain"

# db_fds MODE: descriptors of the daemon on the database file opened
# read-write (rw) or read-only (ro), from /proc/PID/fdinfo's flags.
db_fds() {
	n=0
	for fd in /proc/"$TRIAGED_PID"/fd/*; do
		[ "$(readlink "$fd")" = "$STATE/triaged.db" ] || continue
		flags=$(sed -n 's/^flags:[[:space:]]*//p' \
		    "/proc/$TRIAGED_PID/fdinfo/${fd##*/}")
		acc=$(( 0$flags & 3 ))
		case "$1:$acc" in
		rw:2|ro:0) n=$((n + 1)) ;;
		esac
	done
	echo "$n"
}

if on_pg; then
	# PostgreSQL: the daemon's sessions on its database (this psql's
	# excluded): the three writers' and the sender's read-only one
	check_eq "connections on the database (3 mailboxes)" 4 \
	    "$(db_value "SELECT count(*) FROM pg_stat_activity WHERE
	    datname = current_database() AND pid <> pg_backend_pid()")"
else
	check_eq "writing connections on the database (3 mailboxes)" 1 "$(db_fds rw)"
	check_eq "read-only connections on the database (the sender)" 1 "$(db_fds ro)"
fi
check_eq "mailboxes connected" 3 \
    "$(ctl mailboxes | json_get 'len([m for m in d["mailboxes"] if m["state"] in ("connected", "idle")])')"

stop_triaged
