#!/bin/sh
#
# shutdown.sh (issue 2, "SIGTERM finishes in-flight messages and exits
# cleanly"; DESIGN promise 1).  Client A has three messages acknowledged
# and is in the middle of the DATA of a fourth; client B sits after RCPT.
# On SIGTERM the daemon exits 0 within 10 s; every message it answered 250
# is stored (checked with triagectl on the database afterwards); whatever
# happened to A's fourth message, after a restart its redelivery is stored
# or recognised as already stored, and there are exactly 4 requests.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

write_config
start_triaged

for i in 1 2 3 4; do
	make_msg "a$i.eml" --from "Otto <otto$i@customer.example.org>" \
	    --subject "shutdown $i" --message-id "<shutdown$i@customer.example.org>"
done
lmtp_send --stall-last "$WORK/stall" a1.eml a2.eml a3.eml a4.eml \
    >a.out 2>a.log &
a_pid=$!
LIB_PIDS="$LIB_PIDS $a_pid"

# Client B: LHLO, MAIL, RCPT, then silence until the server hangs up.
"$PYTHON" - "$LMTP_PORT" "$WORK/b" >b.out 2>&1 <<'EOF' &
import smtplib, sys
c = smtplib.LMTP("127.0.0.1", int(sys.argv[1]), timeout=60)
c.ehlo("b.example.org")
print(c.mail("otto-b@customer.example.org"))
print(c.rcpt("support@example.test"), flush=True)
open(sys.argv[2] + ".ready", "w").close()
try:
    print(c.getreply())
except (smtplib.SMTPException, OSError) as e:
    print("closed:", e)
EOF
b_pid=$!
LIB_PIDS="$LIB_PIDS $b_pid"

wait_for '[ -f "$WORK/stall.reached" ] && [ -f "$WORK/b.ready" ]' 30 ||
    fail "clients did not get into their transactions"
cat a.out
assert_eq "messages acknowledged before SIGTERM" 3 \
    "$(grep -c ' 250 2.0.0 Ok: stored as ticket #' a.out || true)"

kill -TERM "$TRIAGED_PID"
: >"$WORK/stall.go"
wait_for 'pid_gone "$TRIAGED_PID"' 10 ||
    fail "triaged still running 10 s after SIGTERM"
rc=0
wait "$TRIAGED_PID" || rc=$?
assert_eq "exit status after SIGTERM" 0 "$rc"
TRIAGED_PID=""
stop_pid "$a_pid" || true
stop_pid "$b_pid" || true
echo "client A:"; cat a.out a.log
echo "client B:"; cat b.out

# Every acknowledged message is stored (the daemon is down: triagectl
# reads the database).
sed -n 's/^\(a[0-9]\.eml\) data .* 250 2\.0\.0 Ok: stored as ticket #\([0-9]*\).*/\1 \2/p' \
    a.out | while read -r f n; do
	i=${f#a}
	i=${i%.eml}
	assert_eq "subject of #$n (acknowledged $f)" "shutdown $i" \
	    "$(ctl show "$n" | json_get 'd["subject"]')"
	assert_eq "incoming messages of #$n" 1 "$(in_messages "$n")"
done

# After a restart, A's fourth message again: stored exactly once.
start_triaged
out=$(lmtp_send a4.eml)
printf '%s\n' "$out"
assert_contains "redelivery of the interrupted message" "$(reply_of "$out")" \
    "250 2.0.0"
assert_eq "requests" 4 "$(requests_count)"
stop_triaged
