#!/bin/sh
#
# imap_idle.sh (issue 3): with IDLE, new mail becomes a request within
# 2 seconds.  The mailbox polls only every 300 s, so only IDLE can be that
# fast.  Once the poller is idle (triagectl mailboxes: state "idle") a
# message is APPENDed and the time from the start of the APPEND to its
# request being stored is measured: it must be under 2 s.  Then the same
# for a second and a third message, so IDLE was entered again after each
# round.  The log says "connected ... idle=yes".

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/dovecot.sh"

LIMIT=2.0

start_dovecot a
write_config
cat >>"$CONF" <<EOF
mailboxes = (
$(mailbox_conf idle a "tls = \"implicit\"; port = $IMAPS_PORT;
    ca_file = \"$DOVECOT_CERT\"; idle = true; poll_interval = 300;")
);
EOF
start_triaged
wait_for "grep -q 'imap mailbox=idle connected .* idle=yes' '$TRIAGED_LOG'" 20 ||
    fail "no 'connected ... idle=yes' line"

now() { date +%s.%N; }

for i in 0 1 2; do
	wait_for '[ "$(mailbox_json idle "[\"state\"]")" = idle ]' 20 ||
	    fail "mailbox not idle before message $i"
	t0=$(now)
	imap_gen a INBOX 1 idl "$i"
	t1=$(now)
	wait_for '[ "$(imap_stored idl)" -ge '$((i + 1))' ]' 10 ||
	    fail "message $i not taken within 10 s"
	t2=$(now)
	took=$("$PYTHON" -c "print('%.3f' % ($t2 - $t0))")
	echo "message $i: request $took s after the APPEND began" \
	    "(APPEND itself $("$PYTHON" -c "print('%.3f' % ($t1 - $t0))") s)"
	"$PYTHON" -c "import sys; sys.exit(0 if $took < $LIMIT else 1)" ||
	    fail "message $i: $took s from APPEND to request, limit $LIMIT s"
done

imap_check idl 3 imap:idle || fail "requests of the IDLE mailbox"
wait_for '[ "$(imap_count a INBOX SEEN)" = 3 ]' 10 ||
    fail "the messages were not flagged \\Seen"
check_eq "requests" 3 "$(requests_count)"

stop_triaged
