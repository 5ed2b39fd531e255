#!/bin/sh
# multi_assign.sh (issue 15): assignment stays fair across two triaged
# instances on one PostgreSQL database, picking at the same instants
# (assign_state_lock: the category's cursor row locked before the pick):
# - round-robin over three agents: 150 requests delivered to both
#   instances at once (8 connections, some messages to both) give each
#   agent exactly 50;
# - least-open over two agents: 100 requests give each exactly 50;
# - the pull queue: eight `triagectl next` at once, four per agent, on
#   six unassigned requests take six different ones, each assigned once.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/multi_lib.sh"

multi_setup
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$WORK/reply.key"
cat >>"$CONF" <<EOF
agents = (
  { name = "ra"; addresses = [ "ra@agents.example" ]; categories = [ "rr" ]; },
  { name = "rb"; addresses = [ "rb@agents.example" ]; categories = [ "rr" ]; },
  { name = "rc"; addresses = [ "rc@agents.example" ]; categories = [ "rr" ]; },
  { name = "la"; addresses = [ "la@agents.example" ]; categories = [ "lo" ]; },
  { name = "lb"; addresses = [ "lb@agents.example" ]; categories = [ "lo" ]; },
  { name = "pa"; addresses = [ "pa@agents.example" ]; categories = [ "pool" ]; },
  { name = "pb"; addresses = [ "pb@agents.example" ]; categories = [ "pool" ]; }
);
agent_mail = { secret_file = "$WORK/reply.key"; };
categories = (
  { path = "rr"; strategy = "round-robin"; },
  { path = "lo"; strategy = "least-open"; },
  { path = "pool"; strategy = "pool"; }
);
rules = (
  { name = "rr"; if = { subject = { contains = "multi rrq "; }; };
    then = { category = "rr"; }; },
  { name = "lo"; if = { subject = { contains = "multi loq "; }; };
    then = { category = "lo"; }; },
  { name = "pool"; if = { subject = { contains = "multi poq "; }; };
    then = { category = "pool"; }; }
);
EOF
multi_start A
multi_start B

stream() {	# TAG START COUNT
	"$PYTHON" "$top_srcdir/tests/peers/multi_stream.py" \
	    --port "$A_LMTP" --port "$B_LMTP" --start "$2" --count "$3" \
	    --both 5 --threads 8 --tag "$1" >"$WORK/stream.$1.out" ||
	    fail "stream $1: not every message accepted (stream.$1.out)"
}
per_agent() {	# CATEGORY
	db_sql "SELECT coalesce(assignee, '-') || ':' || count(*) FROM tickets
	    WHERE category = '$1' GROUP BY assignee ORDER BY assignee" |
	    tr '\n' ' '
}

stream rrq 0 150 &
s1=$!
stream loq 1000 100 &
s2=$!
wait "$s1" || fail "round-robin stream"
wait "$s2" || fail "least-open stream"
echo "round-robin: $(per_agent rr)"
echo "least-open: $(per_agent lo)"
assert_eq "round-robin, 150 over three agents" "ra:50 rb:50 rc:50 " \
    "$(per_agent rr)"
assert_eq "least-open, 100 over two agents" "la:50 lb:50 " "$(per_agent lo)"

# the pull queue: triagectl on the same database, eight at once
stream poq 2000 6
assert_eq "pool requests unassigned" "-:6 " "$(per_agent pool)"
i=0
for who in pa pb pa pb pa pb pa pb; do
	i=$((i + 1))
	ctl next --agent "$who" >"$WORK/next.$i" 2>&1 &
	eval "next_$i=\$!"
done
for i in 1 2 3 4 5 6 7 8; do
	eval "wait \$next_$i" || true
done
assert_eq "every pool request pulled once" "6|6" \
    "$(db_sql "SELECT count(*), count(DISTINCT ticket_id) FROM events
    WHERE kind = 'assigned' AND ticket_id IN
    (SELECT id FROM tickets WHERE category = 'pool')")"
assert_eq "none left" "" "$(db_sql "SELECT id FROM tickets
    WHERE category = 'pool' AND assignee IS NULL")"
echo "PASS: multi_assign"
