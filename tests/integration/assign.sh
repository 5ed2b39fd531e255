#!/bin/sh
#
# assign.sh (issue 5): the assignment strategies through the daemon, the
# pull queue and absences through triagectl.  Rules put each request in a
# category by a word of its subject; the category's strategy picks:
#   - round-robin over anna, boris, cyril: cyril is away by the config's
#     dates, so anna, boris, anna, boris; then `triagectl agent away anna`
#     leaves boris alone, and `agent back anna` brings her back;
#   - least-open: tom already carries two requests (a rule assigns them),
#     so tina gets the next two, then the tie goes to tom (config order);
#   - sticky: customers X, Y, Y, X get sam, sue, sue, sam (round-robin
#     would alternate);
#   - pool: three requests stay unassigned; four `triagectl next` run at
#     once take three different requests and one finds nothing; each
#     request is assigned once, to the agent that pulled it;
#   - nobody available (vic away by triagectl): the request stays
#     unassigned and the category's manager gets one mail in the sink.
# Then the list views: --mine, --unassigned, --category, --uncategorized,
# --untagged, --priority, --sort priority.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

assign_settings() {
	cat >>"$CONF" <<'EOF'
agents = (
  { name = "anna"; addresses = [ "anna@agents.example" ];
    categories = [ "billing" ]; },
  { name = "boris"; addresses = [ "boris@agents.example" ];
    categories = [ "billing" ]; },
  { name = "cyril"; addresses = [ "cyril@agents.example" ];
    categories = [ "billing" ];
    away = ( { from = "2020-01-01"; until = "2099-12-31"; } ); },
  { name = "tom"; addresses = [ "tom@agents.example" ];
    categories = [ "tech" ]; },
  { name = "tina"; addresses = [ "tina@agents.example" ];
    categories = [ "tech" ]; },
  { name = "sam"; addresses = [ "sam@agents.example" ];
    categories = [ "sales" ]; },
  { name = "sue"; addresses = [ "sue@agents.example" ];
    categories = [ "sales" ]; },
  { name = "pia"; addresses = [ "pia@agents.example" ];
    categories = [ "queue" ]; },
  { name = "paul"; addresses = [ "paul@agents.example" ];
    categories = [ "queue" ]; },
  { name = "vic"; addresses = [ "vic@agents.example" ];
    categories = [ "vip" ]; },
  { name = "boss"; addresses = [ "boss@agents.example" ];
    categories = [ "management" ]; manager = true; }
);
categories = (
  { path = "billing"; strategy = "round-robin"; },
  { path = "tech"; strategy = "least-open"; },
  { path = "sales"; strategy = "sticky"; },
  { path = "queue"; strategy = "pool"; },
  { path = "vip"; strategy = "round-robin"; managers = [ "boss" ]; },
  { path = "management"; strategy = "pool"; }
);
rules = (
  { name = "tom-load"; if = { subject = { contains = "for-tom"; }; };
    then = { category = "tech"; assign = "tom"; }; stop = true; },
  { name = "billing"; if = { subject = { contains = "billing"; }; };
    then = { category = "billing"; }; },
  { name = "tech"; if = { subject = { contains = "tech"; }; };
    then = { category = "tech"; }; },
  { name = "sales"; if = { subject = { contains = "sales"; }; };
    then = { category = "sales"; }; },
  { name = "queue"; if = { subject = { contains = "queue"; }; };
    then = { category = "queue"; }; },
  { name = "urgent"; if = { subject = { contains = "urgent"; }; };
    then = { priority = "urgent"; tag = "hot"; }; },
  { name = "vip"; if = { subject = { contains = "vip"; }; };
    then = { category = "vip"; }; }
);
EOF
	pg_agent_mail
}

echo 0 >"$WORK/n"
# new_request FROM SUBJECT: delivers a new request; prints its number.
# (It runs in $(...): the message counter lives in a file.)
new_request() {
	N=$(($(cat "$WORK/n") + 1))
	echo "$N" >"$WORK/n"
	make_msg "m$N.eml" --from "$1" --subject "$2" \
	    --message-id "<assign$N@customer.example>" --body "text $N\n"
	nr_out=$(lmtp_send "m$N.eml")
	nr_t=$(ticket_of "$nr_out")
	[ -n "$nr_t" ] || fail "no ticket for $2: $nr_out"
	echo "$nr_t"
}

# assignee_of N: the assignee of request N ("null" if nobody).
assignee_of() {
	ctl show "$1" | json_get 'd["assignee"]'
}

# picks CATEGORY-WORD FROM COUNT: that many new requests; their assignees.
picks() {
	pk_all=""
	pk_i=0
	while [ "$pk_i" -lt "$3" ]; do
		pk_t=$(new_request "$2" "$1 question $pk_i")
		pk_all="$pk_all $(assignee_of "$pk_t")"
		pk_i=$((pk_i + 1))
	done
	echo $pk_all
}

# db SQL: one value from the daemon's database (read-only).
db() {
	db_value "$1"
}

start_sink
write_config sink
assign_settings
start_triaged

# --- round-robin, cyril absent by the config ---------------------------
check_eq "round-robin, cyril away (config)" "anna boris anna boris" \
    "$(picks billing a@customer.example 4)"
ctl agent away anna --until 2099-01-01 >/dev/null
check_eq "agents shows anna away" "true" \
    "$(ctl agents | json_get '[a for a in d["agents"] if a["name"] == "anna"][0]["away"]')"
check_eq "round-robin, anna away (triagectl)" "boris boris" \
    "$(picks billing a@customer.example 2)"
ctl agent back anna >/dev/null
check_eq "round-robin, anna back" "anna boris" \
    "$(picks billing a@customer.example 2)"

# --- least-open with uneven loads --------------------------------------
check_eq "tom's load (rule assign)" "tom tom" \
    "$(picks for-tom b@customer.example 2)"
check_eq "least-open" "tina tina tom tina" \
    "$(picks tech b@customer.example 4)"

# --- sticky ---------------------------------------------------------------
X=x@customer.example
Y=y@customer.example
s1=$(assignee_of "$(new_request "$X" "sales one")")
s2=$(assignee_of "$(new_request "$Y" "sales two")")
s3=$(assignee_of "$(new_request "$Y" "sales three")")
s4=$(assignee_of "$(new_request "$X" "sales four")")
check_eq "sticky" "sam sue sue sam" "$s1 $s2 $s3 $s4"

# --- pool and the pull queue ---------------------------------------------
q1=$(new_request p@customer.example "queue one")
q2=$(new_request p@customer.example "queue two urgent")
q3=$(new_request p@customer.example "queue three")
check_eq "pool leaves them unassigned" "null null null" \
    "$(assignee_of "$q1") $(assignee_of "$q2") $(assignee_of "$q3")"
check_eq "list --unassigned --category queue" "$q3 $q2 $q1" \
    "$(ctl list --unassigned --category queue |
    json_get '" ".join(str(r["id"]) for r in d["requests"])')"
# only the pullers: a bare `wait` would wait for the daemon too
pullers=""
k=0
for who in pia paul pia paul; do
	k=$((k + 1))
	"$TRIAGECTL" -c "$CONF" --json next --agent "$who" \
	    >"next.$k.out" 2>>next.err &
	pullers="$pullers $!"
done
for p in $pullers; do
	wait "$p" || fail "triagectl next exited $?"
done
cat next.*.out >next.all
got=$("$PYTHON" -c 'import json, sys
ids = []
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d["request"] is not None:
        ids.append(d["request"])
print(" ".join(str(i) for i in sorted(ids)))' next.all)
check_eq "four pulls take three different requests" "$q1 $q2 $q3" "$got"
check_eq "pull errors" "" "$(cat next.err)"
for q in $q1 $q2 $q3; do
	check_eq "#$q assigned once" 1 "$(db "SELECT count(*) FROM events
	    WHERE ticket_id = $q AND kind = 'assigned'")"
	check_eq "#$q assigned to who pulled it" "$("$PYTHON" -c '
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d["request"] == int(sys.argv[2]):
        print(d["agent"])' next.all "$q")" "$(assignee_of "$q")"
done
check_eq "nothing left" "null" "$(ctl next --agent pia |
    json_get 'd["request"]')"
# one at a time: the urgent one first, then the older
q4=$(new_request p@customer.example "queue four")
q5=$(new_request p@customer.example "queue five")
q6=$(new_request p@customer.example "queue six urgent")
check_eq "pull order" "$q6 $q4 $q5" "$(ctl next --agent paul |
    json_get 'd["request"]') $(ctl next --agent pia |
    json_get 'd["request"]') $(ctl next --agent paul |
    json_get 'd["request"]')"
check_eq "an agent of another category gets nothing" "null" \
    "$(ctl next --agent anna | json_get 'd["request"]')"

# --- nobody available: the manager is told ---------------------------------
ctl agent away vic --until 2099-01-01 >/dev/null
v1=$(new_request v@customer.example "vip help")
check_eq "nobody available: unassigned" "null" "$(assignee_of "$v1")"
wait_for '[ "$(sink_json | json_get "len([m for m in d
    if \"<boss@agents.example>\" in m[\"rcpt_to\"]])")" -ge 1 ] &&
    outbox_idle' 30 || fail "no mail to the manager"
check_eq "one mail to the manager" 1 "$(sink_json | json_get "len([m for m in d
    if '<boss@agents.example>' in m['rcpt_to']])")"
check_eq "the mail names the request" 1 "$(sink_json | json_get "len([m for m in d
    if '<boss@agents.example>' in m['rcpt_to'] and
    '#$v1' in m['headers']['subject'][0]])")"

# --- list views ---------------------------------------------------------------
check_eq "--mine anna" 3 "$(ctl list --mine anna |
    json_get 'len(d["requests"])')"
check_eq "--mine tom" 3 "$(ctl list --mine tom |
    json_get 'len(d["requests"])')"
u=$(new_request z@customer.example "no category at all")
check_eq "--uncategorized" "$u" "$(ctl list --uncategorized |
    json_get '" ".join(str(r["id"]) for r in d["requests"])')"
check_eq "--untagged leaves out the tagged" 0 "$(ctl list --untagged |
    json_get "len([r for r in d['requests'] if r['id'] in ($q2, $q6)])")"
check_eq "--priority urgent" "$q6 $q2" "$(ctl list --priority urgent |
    json_get '" ".join(str(r["id"]) for r in d["requests"])')"
check_eq "--overdue (no deadlines here)" 0 "$(ctl list --overdue |
    json_get 'len(d["requests"])')"
if ctl list --priority nonsense >/dev/null 2>&1; then
	fail "list --priority nonsense accepted"
fi
if ctl agent away nobody --until 2099-01-01 >/dev/null 2>&1; then
	fail "agent away for an unknown agent accepted"
fi

# Dates are the agent's local days: with a Warsaw default calendar, 1
# January 2099 runs from 23:00 UTC the day before.
{ cat "$CONF"; cat <<'EOF'
calendars = ( { name = "waw"; timezone = "Europe/Warsaw";
  hours = { mon = [ "9:00-17:00" ]; }; } );
EOF
} >"$WORK/waw.conf"
away=$("$TRIAGECTL" -c "$WORK/waw.conf" --json agent away tina \
    --from 2099-01-01 --until 2099-01-01) || fail "agent away (Warsaw) failed"
check_eq "away from local midnight" 2098-12-31T23:00:00Z \
    "$(printf '%s' "$away" | json_get 'd["from"]')"
check_eq "away until the end of the local day" 2099-01-01T23:00:00Z \
    "$(printf '%s' "$away" | json_get 'd["until"]')"

stop_triaged
