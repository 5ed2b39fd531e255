#!/bin/sh
#
# service_notify.sh (issue 13, "systemd": Type=notify): the daemon speaks
# sd_notify(3) to a listener this test plays systemd with
# (tests/peers/notify_listener.py on a datagram socket in $NOTIFY_SOCKET):
# - READY=1 once the listeners are bound and the store is open (the
#   database exists when it arrives; the LMTP port takes mail), with a
#   STATUS= line naming the listeners and counts;
# - WATCHDOG=1 at half of $WATCHDOG_USEC, repeatedly; none when
#   $WATCHDOG_PID names another process;
# - SIGHUP: RELOADING=1 with MONOTONIC_USEC, then READY=1 again;
# - SIGTERM: STOPPING=1, the last state, after which the daemon exits 0;
# - an abstract socket ("@name") works too.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

NOTIFY_PY=$top_srcdir/tests/peers/notify_listener.py

# listen PATH OUT: starts the listener, sets LISTENER_PID.
listen() {
	"$PYTHON" "$NOTIFY_PY" "$1" "$2" --db "$DATABASE" \
	    >"$WORK/listener.out" 2>"$WORK/listener.log" </dev/null &
	LISTENER_PID=$!
	LIB_PIDS="$LIB_PIDS $LISTENER_PID"
	wait_for 'grep -q "^ready" "$WORK/listener.out"' 30 ||
	    fail "notify listener not ready (see $WORK/listener.log)"
}

# states OUT: each datagram's state, one line each: RELOADING, STOPPING,
# READY (the status refresh repeats it), else WATCHDOG.
states() {
	"$PYTHON" -c 'import json, sys
for line in open(sys.argv[1]):
    m = json.loads(line)["msg"]
    print([k for k in ("RELOADING", "STOPPING", "READY", "WATCHDOG", "")
        if k in m or not k][0])' "$1"
}

count_of() {	# OUT KEY
	states "$1" | grep -cw "$2" || true
}

write_config
listen "$WORK/notify.sock" "$WORK/notify.jsonl"
NOTIFY_SOCKET=$WORK/notify.sock
WATCHDOG_USEC=400000
export NOTIFY_SOCKET WATCHDOG_USEC
start_triaged

wait_for '[ "$(count_of notify.jsonl READY)" -ge 1 ]' 30 ||
    fail "no READY=1"
first=$("$PYTHON" -c 'import json
r = [json.loads(l) for l in open("notify.jsonl")]
r = [x for x in r if "READY" in x["msg"]][0]
print(r["db"], r["msg"]["READY"], r["msg"].get("STATUS", ""))')
printf 'first READY: %s\n' "$first"
assert_contains "READY=1 after the store is open" "$first" "True 1 "
assert_contains "STATUS names the listeners" "$first" " lmtp=127.0.0.1:"
assert_contains "STATUS has counts" "$first" "0 sessions"
make_msg m1.eml --from 'Karl <karl@customer.example.org>' --subject 'one'
out=$(lmtp_send m1.eml)
assert_contains "delivery once READY" "$(reply_of "$out")" "ticket #1"

# 400 ms watchdog: a ping every 200 ms.
wait_for '[ "$(count_of notify.jsonl WATCHDOG)" -ge 3 ]' 30 ||
    fail "fewer than 3 WATCHDOG=1 pings"

kill -HUP "$TRIAGED_PID"
wait_for 'grep -q "configuration reloaded" "$TRIAGED_LOG"' 30 ||
    fail "reload not logged"
wait_for '"$PYTHON" -c "import json, sys
r = [json.loads(l)[\"msg\"] for l in open(\"notify.jsonl\")]
i = [n for n, m in enumerate(r) if \"RELOADING\" in m][0]
sys.exit(0 if any(\"READY\" in m for m in r[i + 1:]) else 1)"' 30 ||
    fail "no RELOADING=1 followed by READY=1"
mono=$("$PYTHON" -c 'import json
r = [json.loads(l)["msg"] for l in open("notify.jsonl")]
print([m for m in r if "RELOADING" in m][0].get("MONOTONIC_USEC", ""))')
case $mono in
[1-9]*) ;;
*) fail "RELOADING=1 without MONOTONIC_USEC: [$mono]" ;;
esac

stop_triaged
sleep 0.3	# the listener writes what it received
last=$(states notify.jsonl | grep -vx WATCHDOG | tail -n 1)
assert_eq "STOPPING=1 is the last state" "STOPPING" "$last"
seq=$(states notify.jsonl | grep -vx WATCHDOG | uniq | tr '\n' ,)
printf 'sequence: %s\n' "$seq"
assert_eq "the sequence through start, reload and stop" \
    "READY,RELOADING,READY,STOPPING," "$seq"
stop_pid "$LISTENER_PID" || true

# The watchdog is another process's ($WATCHDOG_PID): no pings; the
# abstract namespace.
listen "@triaged-test-$$" "$WORK/abstract.jsonl"
NOTIFY_SOCKET=@triaged-test-$$
WATCHDOG_PID=1
export NOTIFY_SOCKET WATCHDOG_PID
start_triaged
wait_for '[ "$(count_of abstract.jsonl READY)" -ge 1 ]' 30 ||
    fail "no READY=1 on an abstract socket"
sleep 1
assert_eq "no WATCHDOG=1 for another pid's watchdog" 0 \
    "$(count_of abstract.jsonl WATCHDOG)"
stop_triaged
