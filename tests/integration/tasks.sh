#!/bin/sh
#
# tasks.sh (issue 19): tasks on a request, on an accelerated fake clock
# (Wednesday 2026-12-02 10:00 UTC = 11:00 in Warsaw, a minute per real
# second, shared with triagectl through TRIAGED_FAKE_START).
#
# anna (timezone Europe/Warsaw) answers her notice of #1 with
# "#task @bob tomorrow 10:00 ..." (10:00 Warsaw time, 09:00 UTC) and
# "#task +8bh ..." (eight business hours of the office calendar); an
# unknown agent and an unparsable WHEN get the usual command-error reply
# and store nothing.  `triagectl task add 1 --agent anna --due +30m`
# adds a task; the daemon is restarted before it is due and exactly one
# reminder reaches the sink, to anna, threaded on her notices of #1 and
# with her signed Reply-To; a kill -9 and a restart after it send
# nothing more.  anna answers the reminder with "#done 3": the task is
# done, and `show` has the task and task_done events.  `task list`
# --mine, --overdue and --json; `task done`; `list` counts the overdue
# tasks and --tasks-overdue keeps the requests that have some; `report`
# gives the tasks done on time (50 %: one early, one after its reminder).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/agent_lib.sh"

TRIAGED_FAKE_TIME=2026-12-02T10:00:00Z
TRIAGED_FAKE_SPEED=60
TRIAGED_FAKE_START=$(date +%s)
export TRIAGED_FAKE_TIME TRIAGED_FAKE_SPEED TRIAGED_FAKE_START

start_sink
write_config sink
agents_settings
# anna writes times in Warsaw; the office calendar counts "+3bh"
sed -i 's|categories = \[ "billing" \]; },|categories = [ "billing" ];\n    timezone = "Europe/Warsaw"; },|' "$CONF"
cat >>"$CONF" <<'EOF'
calendars = (
  { name = "office"; timezone = "Europe/Warsaw";
    hours = { mon = [ "9:00-17:00" ]; tue = [ "9:00-17:00" ];
      wed = [ "9:00-17:00" ]; thu = [ "9:00-17:00" ];
      fri = [ "9:00-17:00" ]; }; }
);
EOF
grep -q 'timezone = "Europe/Warsaw"; }' "$CONF" || fail "config not edited"
start_triaged

make_msg c1.eml --from "Jana <$CUST>" --subject 'Invoice wrong' \
    --message-id '<task1@customer.example.org>' --body 'Please check.\n'
assert_contains "customer mail" "$(reply_of "$(lmtp_send c1.eml)")" "ticket #1"
wait_mails "$ANNA" 1
NOTIF=$(mail_file_to "$ANNA" 0)
SIGNED=$(reply_to_of "$NOTIF")
case $SIGNED in
support+r1.aanna.*@example.test) ;;
*) fail "first notification to anna is not for #1: Reply-To [$SIGNED]" ;;
esac
NOTIF_ID=$(header_of "$(mail_json_to "$ANNA" 0)" message-id)

results() {	# result mails to anna so far
	sink_json | json_get "len([m for m in d if '<$ANNA>' in m['rcpt_to']
	    and ('Done on request' in m['body'] or
	         'Nothing was changed' in m['body'])])"
}
last_result() {
	sink_json | json_get "[m['body'] for m in d if '<$ANNA>' in m['rcpt_to']
	    and ('Done on request' in m['body'] or
	         'Nothing was changed' in m['body'])][-1]"
}
# cmd NAME TEXT [MAIL]: anna answers MAIL (default: her first notice)
# with TEXT; RESULT is the body of the result mail she gets.
N=0
cmd() {
	N=$((N + 1))
	cm_before=$(results)
	cm_to=${3:-$NOTIF}
	"$PYTHON" "$AGENT_REPLY" "$cm_to" "$WORK/cmd$N.eml" \
	    --style thunderbird --text "$2" \
	    --message-id "<task-cmd$N@agents.example.test>"
	cm_out=$(agent_send "$WORK/cmd$N.eml" "$(reply_to_of "$cm_to")")
	assert_contains "$1: delivered" "$cm_out" " 250 "
	wait_for '[ "$(results)" -gt "$cm_before" ]' 30 ||
	    fail "$1: no result mail"
	RESULT=$(last_result)
	printf '%s\n%s\n' "--- $1" "$RESULT"
}
ntasks() { sql "SELECT count(*) FROM tasks"; }

# --- #task in agent mail ---------------------------------------------------
cmd "task for bob" "#task @bob tomorrow 10:00 call the customer back"
assert_contains "task for bob: result" "$RESULT" "Done on request #1"
check_eq "task 1" "1|bob|call the customer back|anna" \
    "$(sql "SELECT ticket_id, assignee, text, created_by FROM tasks WHERE id = 1")"
# tomorrow 10:00 in anna's zone (CET, +1) is 09:00 UTC
check_eq "task 1 due" "$(date -u -d 2026-12-03T09:00:00Z +%s)" \
    "$(sql "SELECT due_at FROM tasks WHERE id = 1")"

cmd "task in business hours" "#task +8bh check the invoice with accounting"
assert_contains "+8bh: result" "$RESULT" "Done on request #1"
# Wednesday 11:0x in a 9-17 office: 6 hours today, 2 tomorrow, so the
# same time tomorrow
check_eq "task 2 (anna's own)" "anna|86400" \
    "$(sql "SELECT assignee, due_at - created_at FROM tasks WHERE id = 2")"

cmd "unknown agent" "#task @nobody +1h call"
assert_contains "unknown agent: refused" "$RESULT" "Nothing was changed"
assert_contains "unknown agent: why" "$RESULT" "no agent nobody"
cmd "bad WHEN" "#task today 25:00 call"
assert_contains "bad WHEN: refused" "$RESULT" "Nothing was changed"
assert_contains "bad WHEN: why" "$RESULT" "not a time of day"
cmd "#done of no task" "#done 99"
assert_contains "#done 99: refused" "$RESULT" "no task #99"
check_eq "tasks stored after the refusals" 2 "$(ntasks)"

# --- triagectl task add, a reminder across a restart ----------------------
out=$("$TRIAGECTL" -c "$CONF" task add 1 --agent anna --due +30m ring Jana)
assert_contains "task add" "$out" "request #1: task #3 added"
# refused: exit 65 and nothing stored
rc=0
"$TRIAGECTL" -c "$CONF" task add 1 --due 'tomorrow 25:00' x 2>/dev/null ||
    rc=$?
check_eq "task add with a bad --due" 65 "$rc"
rc=0
"$TRIAGECTL" -c "$CONF" task add 1 --agent nobody x 2>/dev/null || rc=$?
check_eq "task add for an unknown agent" 65 "$rc"
check_eq "tasks after triagectl" 3 "$(ntasks)"
# the daemon goes down before the task is due and comes back
check_eq "no reminder before the restart" 0 \
    "$(sql "SELECT count(*) FROM outbox WHERE kind = 'task_reminder'")"
stop_triaged
start_triaged

reminders() {	# reminders of task $1 in the sink
	sink_json | json_get "len([m for m in d
	    if 'Task #$1 due' in m['headers']['subject'][0]])"
}
wait_for '[ "$(reminders 3)" -ge 1 ]' 90 || fail "no reminder of task #3"
REM=$(sink_json | json_get "[m for m in d
    if 'Task #3 due' in m['headers']['subject'][0]][0]")
assert_contains "reminder to anna" "$(printf '%s' "$REM" |
    json_get 'd["rcpt_to"]')" "<$ANNA>"
assert_contains "reminder subject has the token" \
    "$(header_of "$REM" subject)" "[#1]"
# In-Reply-To her latest notice of #1, References from the first one
assert_contains "reminder threaded on anna's notices" \
    "$(header_of "$REM" references)" "$NOTIF_ID"
assert_contains "reminder answers a notice" \
    "$(header_of "$REM" in-reply-to)" "<notify."
check_eq "reminder is automatic mail" auto-generated \
    "$(header_of "$REM" auto-submitted)"
assert_contains "reminder has our X-Loop" "$(header_of "$REM" x-loop)" \
    "$SUPPORT"
assert_contains "reminder body" "$(body_of "$REM")" "ring Jana"
check_eq "reminded_at set" 1 \
    "$(sql "SELECT count(*) FROM tasks WHERE id = 3 AND reminded_at IS NOT NULL")"

# kill -9 after the reminder, restart: nothing is sent again
kill -KILL "$TRIAGED_PID"
wait "$TRIAGED_PID" 2>/dev/null || true
LIB_PIDS=$(printf '%s\n' "$LIB_PIDS" | tr ' ' '\n' | grep -vx "$TRIAGED_PID" |
    tr '\n' ' ' || true)
TRIAGED_PID=""
start_triaged
sleep 4
wait_for outbox_idle 20 || fail "outbox not idle"
check_eq "reminders of task #3 in the sink" 1 "$(reminders 3)"
check_eq "reminders of task #3 in the outbox" 1 \
    "$(sql "SELECT count(*) FROM outbox WHERE kind = 'task_reminder'")"

# --- #done in an answer to the reminder ------------------------------------
REM_FILE=$(sink_json | json_get "[m['file'] for m in d
    if 'Task #3 due' in m['headers']['subject'][0]][0]")
cmd "#done" "#done 3" "$SINK_DIR/new/$REM_FILE"
assert_contains "#done: result" "$RESULT" "Done on request #1"
check_eq "task 3 done by anna" "anna" \
    "$(sql "SELECT done_by FROM tasks WHERE id = 3 AND done_at IS NOT NULL")"
check_eq "task events" "task task task task_done" \
    "$(ctl show 1 | json_get '" ".join(e["kind"] for e in d["events"] if e["kind"].startswith("task"))')"
text=$("$TRIAGECTL" -c "$CONF" show 1)
assert_contains "show (text): tasks" "$text" "Tasks:"
assert_contains "show (text): task 1" "$text" "call the customer back"
assert_contains "show (text): done event" "$text" "task_done  anna"

# --- task list, task done ---------------------------------------------------
check_eq "task list (open), by due time" "1 2" \
    "$(ctl task list | json_get '" ".join(str(t["id"]) for t in d)')"
check_eq "task list --all" "1 2 3" \
    "$(ctl task list --all | json_get '" ".join(sorted(str(t["id"]) for t in d))')"
check_eq "task list --mine bob" "1" \
    "$(ctl task list --mine bob | json_get '" ".join(str(t["id"]) for t in d)')"
check_eq "nothing overdue yet" "" \
    "$(ctl task list --overdue | json_get '" ".join(str(t["id"]) for t in d)')"
# two days on (triagectl's clock alone): both open tasks are overdue
check_eq "overdue in two days" "1 2" \
    "$(TRIAGED_FAKE_TIME=2026-12-04T10:00:00Z TRIAGED_FAKE_START=$(date +%s) \
    ctl task list --overdue | json_get '" ".join(sorted(str(t["id"]) for t in d))')"
check_eq "list: overdue tasks of #1 in two days" 2 \
    "$(TRIAGED_FAKE_TIME=2026-12-04T10:00:00Z TRIAGED_FAKE_START=$(date +%s) \
    ctl list --tasks-overdue | json_get '[r["tasks_overdue"] for r in d["requests"] if r["id"] == 1][0]')"
check_eq "list --tasks-overdue now" 0 \
    "$(ctl list --tasks-overdue | json_get 'len(d["requests"])')"
text=$(TRIAGED_FAKE_TIME=2026-12-04T10:00:00Z TRIAGED_FAKE_START=$(date +%s) \
    "$TRIAGECTL" -c "$CONF" list)
assert_contains "list (text): TASKS column" "$text" "2 overdue"
text=$("$TRIAGECTL" -c "$CONF" task list)
printf '%s\n' "$text"
assert_contains "task list (text)" "$text" "call the customer back"
out=$("$TRIAGECTL" -c "$CONF" task done 1)
assert_contains "task done" "$out" "task #1: done"
check_eq "task list after done" "2" \
    "$(ctl task list | json_get '" ".join(str(t["id"]) for t in d)')"
rc=0
"$TRIAGECTL" -c "$CONF" task done 42 2>/dev/null || rc=$?
check_eq "task done of no task" 65 "$rc"

# --- report: task 1 done before its due time, task 3 after it ---------------
check_eq "report --json tasks" "2 1 50 0" \
    "$(ctl report --period today | json_get '" ".join(str(d["tasks"][k]) for k in ("done", "done_on_time", "on_time_percent", "overdue"))')"
text=$("$TRIAGECTL" -c "$CONF" report --period today)
assert_contains "report (text): tasks" "$text" "on time 1 (50 %)"

stop_triaged
echo "PASS"
