#!/bin/sh
#
# sla.sh (issue 6): SLA deadlines through the daemon on an accelerated
# fake clock (TRIAGED_FAKE_TIME Saturday 2026-11-21 10:00 UTC, a minute
# per real second, shared with triagectl through TRIAGED_FAKE_START).
#
# A request routed to Support and assigned to anna falls under the
# "fast" policy (normal priority; 24/7 calendar; first response 10 min,
# warning at 50 %): the warning reaches the sink once, to anna; the
# breach once, to anna, the manager boss and the policy's notify address;
# the escalation raises the priority, adds the tag and reassigns to boss.
# Nothing is sent twice, also across a restart of the daemon (sla_marks).
# A request under the "office" policy (Warsaw, Mon-Fri 9-17) arriving on
# Saturday gets the out-of-hours acknowledgement naming Monday 09:00 CET,
# and `triagectl show` gives its deadline (Monday 12:00 CET).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

TRIAGED_FAKE_TIME=2026-11-21T10:00:00Z
TRIAGED_FAKE_SPEED=60
TRIAGED_FAKE_START=$(date +%s)
export TRIAGED_FAKE_TIME TRIAGED_FAKE_SPEED TRIAGED_FAKE_START

sla_settings() {
	cat >>"$CONF" <<'EOF'
acknowledgement = {
  enabled = true;
  subject = "{{subject}}";
  body = "We opened request {{id}}.";
};
agents = (
  { name = "anna"; addresses = [ "anna@example.test" ];
    categories = [ "Support" ]; },
  { name = "boss"; addresses = [ "boss@example.test" ];
    categories = [ "Support" ]; manager = true; },
  { name = "esther"; addresses = [ "esther@example.test" ];
    categories = [ "Escalations" ]; }
);
categories = ( { path = "Support"; },
  { path = "Escalations"; strategy = "round-robin"; } );
rules = (
  { name = "support"; if = { subject = { contains = "printer"; }; };
    then = { category = "Support"; assign = "anna"; }; },
  { name = "scanner"; if = { subject = { contains = "scanner"; }; };
    then = { category = "Support"; assign = "anna";
             sla_policy = "handover"; }; },
  { name = "office"; if = { subject = { contains = "question"; }; };
    then = { sla_policy = "office"; }; }
);
calendars = (
  { name = "always"; timezone = "UTC";
    hours = { sun = [ "0:00-24:00" ]; mon = [ "0:00-24:00" ];
      tue = [ "0:00-24:00" ]; wed = [ "0:00-24:00" ];
      thu = [ "0:00-24:00" ]; fri = [ "0:00-24:00" ];
      sat = [ "0:00-24:00" ]; }; },
  { name = "office"; timezone = "Europe/Warsaw";
    hours = { mon = [ "9:00-17:00" ]; tue = [ "9:00-17:00" ];
      wed = [ "9:00-17:00" ]; thu = [ "9:00-17:00" ];
      fri = [ "9:00-17:00" ]; }; }
);
sla_policies = (
  { name = "fast"; calendar = "always"; first_response = 10; warn_at = 50;
    priorities = [ "normal" ];
    escalate = { priority = "+1"; tag = "breached"; assign = "boss";
      notify = [ "lead@example.test" ]; }; },
  { name = "office"; calendar = "office"; first_response = 180; },
  { name = "handover"; calendar = "always"; first_response = 10;
    escalate = { category = "Escalations"; }; }
);
sla = {
  default_policy = "fast";
  warning = { subject = "SLA warning {{token}}"; };
  breach = { subject = "SLA breach {{token}}"; };
  out_of_hours_ack = { subject = "Out of hours: {{subject}}";
    body = "Request {{id}}: we answer from {{clock_starts}}."; };
};
EOF
	pg_agent_mail
}

# mails KIND-PATTERN: how many sink mails have a Subject containing it.
mails() {
	sink_json | json_get "len([m for m in d if '$1' in m['headers']['subject'][0]])"
}

# rcpts_of PATTERN: the sorted envelope recipients of the first such mail.
rcpts_of() {
	sink_json | json_get "' '.join(sorted(re.findall('<([^>]*)>', [m for m in d if '$1' in m['headers']['subject'][0]][0]['rcpt_to'])))"
}

db() {
	db_value "$1"
}

start_sink
write_config sink
sla_settings
start_triaged
grep -q 'fake time' "$TRIAGED_LOG" || fail "no fake-clock warning in the log"

CUST=kasia@customer.example.org
make_msg m1.eml --from "Kasia <$CUST>" --subject 'The printer is broken' \
    --message-id '<sla1@customer.example.org>' --body 'It smokes.\n'
out=$(lmtp_send m1.eml)
assert_contains "first request" "$(reply_of "$out")" "ticket #1"
make_msg m2.eml --from "Kasia <$CUST>" --subject 'A question' \
    --message-id '<sla2@customer.example.org>' --body 'When?\n'
out=$(lmtp_send m2.eml)
assert_contains "second request" "$(reply_of "$out")" "ticket #2"

make_msg m4.eml --from "Kasia <$CUST>" --subject 'The scanner is jammed' \
    --message-id '<sla4@customer.example.org>' --body 'Paper stuck.\n'
out=$(lmtp_send m4.eml)
assert_contains "scanner request" "$(reply_of "$out")" "ticket #3"

# the out-of-hours acknowledgement of #2, the usual one of #1
wait_for '[ "$(mails "Out of hours")" -ge 1 ]' 20 ||
    fail "no out-of-hours acknowledgement"
check_eq "out-of-hours acknowledgements" 1 "$(mails "Out of hours")"
body=$(sink_json | json_get "[m for m in d if 'Out of hours' in m['headers']['subject'][0]][0]['body']")
assert_contains "out-of-hours body" "$body" \
    "Request 2: we answer from Monday 23 Nov 2026 09:00 CET."
check_eq "usual acknowledgement of #1" 1 \
    "$(sink_json | json_get "len([m for m in d if '<$CUST>' in m['rcpt_to'] and m['headers']['subject'][0].endswith('The printer is broken')])")"
check_eq "deadline of #2 (Monday 12:00 CET)" 2026-11-23T11:00:00Z \
    "$(ctl show 2 | json_get 'd["sla"]["first_response_due"]')"
check_eq "policy of #2" office \
    "$(ctl show 2 | json_get 'd["sla"]["policy"]')"
text=$("$TRIAGECTL" -c "$CONF" show 2)
assert_contains "show #2 (text)" "$text" "SLA:       office"
assert_contains "show #2 (text)" "$text" "Due:       first response"
# a minute of the fake clock per real second: on a loaded machine the
# two days left may already be 1d23h or 1d22h
printf '%s\n' "$text" | grep -Eq '\(due in (2d|1d2[0-3]h)' ||
    fail "show #2 (text): no '(due in 2d' or '(due in 1d2Xh' in: $text"
# issue 16: times for people in the reports' calendar zone, named (here
# the first calendar, UTC; with reports.calendar = "office", Warsaw);
# --utc for scripts
assert_contains "show #2 (text, zone)" "$text" \
    "Due:       first response 2026-11-23 11:00 UTC"
cp "$CONF" "$WORK/office.conf"
echo 'reports = { calendar = "office"; };' >>"$WORK/office.conf"
assert_contains "show #2 (text, office zone)" \
    "$("$TRIAGECTL" -c "$WORK/office.conf" show 2)" \
    "Due:       first response 2026-11-23 12:00 CET"
assert_contains "show #2 (text, --utc)" \
    "$("$TRIAGECTL" -c "$WORK/office.conf" --utc show 2)" \
    "Due:       first response 2026-11-23 11:00 UTC"

# 5 fake minutes: the warning; 10: the breach
wait_for '[ "$(mails "SLA warning [#1]")" -ge 1 ]' 30 || fail "no SLA warning"
check_eq "warning recipients" "anna@example.test" "$(rcpts_of "SLA warning [#1]")"
wait_for '[ "$(mails "SLA breach [#1]")" -ge 1 ]' 30 || fail "no SLA breach"
check_eq "breach recipients" \
    "anna@example.test boss@example.test lead@example.test" \
    "$(rcpts_of "SLA breach [#1]")"

# the escalation
wait_for '[ "$(ctl show 1 | json_get "d[\"assignee\"]")" = boss ]' 10 ||
    fail "#1 not reassigned to boss"
check_eq "priority raised" high "$(ctl show 1 | json_get 'd["priority"]')"
check_eq "tag added" 1 \
    "$(db "SELECT count(*) FROM ticket_tags WHERE ticket_id = 1 AND tag = 'breached'")"
check_eq "events" "sla_warning sla_breach" \
    "$(db_list "SELECT kind FROM events WHERE ticket_id = 1 AND kind LIKE 'sla_%' ORDER BY id" | tr , ' ')"
# escalated to a category: it goes to that category's people
wait_for '[ "$(ctl show 3 | json_get "d[\"assignee\"]")" = esther ]' 10 ||
    fail "#3 not handed over to the Escalations category"
check_eq "#3 category" Escalations "$(ctl show 3 | json_get 'd["category"]')"
check_eq "#1 shows its breach" "overdue" \
    "$(ctl show 1 | json_get 'd["sla"]["first_response_left"].split()[0]')"

# the list views: overdue, due within a time, the DUE column
check_eq "list --overdue" "1 3" \
    "$(ctl list --overdue | json_get '" ".join(sorted(str(r["id"]) for r in d["requests"]))')"
check_eq "list --due-within 1h" "1 3" \
    "$(ctl list --due-within 1h | json_get '" ".join(sorted(str(r["id"]) for r in d["requests"]))')"
check_eq "list --due-within 3d" "1 3 2" \
    "$(ctl list --due-within 3d --sort deadline | json_get '" ".join(str(r["id"]) for r in d["requests"])')"
text=$("$TRIAGECTL" -c "$CONF" list)
printf '%s\n' "$text"
assert_contains "list (text): overdue" "$text" "overdue by"
printf '%s\n' "$text" | grep -Eq 'due in (2d|1d2[0-3]h)' ||
    fail "list (text): no 'due in 2d' or 'due in 1d2Xh' in: $text"

# once: more passes, and a restart, send nothing again
sleep 5
stop_triaged
start_triaged
sleep 5
wait_for outbox_idle 20 || fail "outbox not idle"
check_eq "warnings in the sink" 1 "$(mails "SLA warning [#1]")"
check_eq "breaches in the sink" 1 "$(mails "SLA breach [#1]")"
check_eq "SLA mail in the outbox" 2 \
    "$(db "SELECT count(*) FROM outbox WHERE kind LIKE 'sla_%' AND ticket_id = 1")"

# a reload that changes the policy recomputes the open requests' deadlines
make_msg m3.eml --from "Kasia <$CUST>" --subject 'The printer again' \
    --message-id '<sla3@customer.example.org>' --body 'Smoke again.\n'
out=$(lmtp_send m3.eml)
assert_contains "fourth request" "$(reply_of "$out")" "ticket #4"
sed 's/first_response = 10;/first_response = 600;/' "$CONF" >"$CONF.new"
mv "$CONF.new" "$CONF"
kill -HUP "$TRIAGED_PID"
wait_for 'ctl show 4 | json_get "d[\"sla\"][\"first_response_left\"]" |
    grep -q "^due in 9h"' 20 ||
    fail "#4's deadline not recomputed after the reload: $(ctl show 4 |
    json_get 'd["sla"]')"
stop_triaged
echo "PASS"
