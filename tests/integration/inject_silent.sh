#!/bin/sh
#
# inject_silent.sh (issue 19, "Onboarding"): `triaged inject --silent`
# imports old mail one message per call (formail -s, a loop over a
# Maildir).  Outgoing mail goes to a Maildir, and the daemon's sender
# runs throughout.
#   - 200 old messages (one of them a follow-up to another by
#     In-Reply-To) exit 0 and become 199 requests, all closed and tagged
#     "imported", the follow-up on its request's history; no outbox row,
#     nothing in the outgoing Maildir.
#   - The same message again is a duplicate (exit 0, nothing changes).
#   - A new message injected without --silent gets its acknowledgement
#     in the Maildir; a customer writing again on an imported request
#     reopens it like any closed request.
#   - --silent without inject is a usage error (64).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

N=200
write_config
cat >>"$CONF" <<EOF
sla_policies = ( { name = "std"; first_response = 60; resolution = 480; } );
sla = { default_policy = "std"; };
EOF
start_triaged

NINJECT=0
inject() {	# FILE [options]: sets INJECT_RC
	NINJECT=$((NINJECT + 1))
	in_file=$1
	shift
	INJECT_RC=0
	"$TRIAGED" inject -c "$CONF" "$@" <"$in_file" \
	    2>>"$WORK/inject.log" || INJECT_RC=$?
}

"$PYTHON" - "$N" <<'EOF'
import sys
n = int(sys.argv[1])
for i in range(n):
    extra = ""
    if i == n - 1:	# the last one follows up the first
        extra = "In-Reply-To: <old-0@customers.example>\r\n"
    with open("old-%d.eml" % i, "wb") as f:
        f.write(("From: Customer %d <cust-%d@customers.example>\r\n"
                 "To: <support@example.test>\r\n"
                 "Subject: Old question %d\r\n"
                 "Message-ID: <old-%d@customers.example>\r\n%s"
                 "Date: Mon, 3 Mar 2025 10:00:00 +0100\r\n"
                 "Content-Type: text/plain; charset=utf-8\r\n\r\n"
                 "An old question, number %d.\r\n"
                 % (i, i if i < n - 1 else 0, i, i, extra, i)).encode())
EOF
i=0
while [ "$i" -lt "$N" ]; do
	inject "old-$i.eml" --silent
	[ "$INJECT_RC" = 0 ] || fail "inject --silent of old-$i.eml: $INJECT_RC"
	i=$((i + 1))
done
inject old-7.eml --silent
assert_eq "exit status of a duplicate" 0 "$INJECT_RC"

db() { db_value "$1"; }
check_eq "requests" $((N - 1)) "$(requests_count)"
check_eq "closed" $((N - 1)) "$(ctl list --status closed --limit 100000 |
    json_get 'len(d["requests"])')"
check_eq "tagged imported" $((N - 1)) \
    "$(db "SELECT count(*) FROM ticket_tags WHERE tag = 'imported'")"
check_eq "incoming messages of #1 (the follow-up joined it)" 2 \
    "$(in_messages 1)"
check_eq "#1 still closed after its old follow-up" closed \
    "$(ctl show 1 | json_get 'd["status"]')"
check_eq "outbox rows" 0 "$(ctl outbox | json_get 'len(d["outbox"])')"
check_eq "SLA clocks" 0 "$(db "SELECT count(*) FROM tickets WHERE
    first_response_due IS NOT NULL OR resolution_due IS NOT NULL OR
    sla_check_at IS NOT NULL")"

# New mail, handled normally.
make_msg new.eml --from 'Nadia <nadia@customer.example.org>' \
    --subject 'Printer on fire' --message-id '<inject-new@customer.example.org>'
inject new.eml
assert_eq "exit status of a new message" 0 "$INJECT_RC"
wait_for '[ "$(sink_count "$OUT_MAILDIR")" -ge 1 ] && outbox_idle' 30 ||
    fail "no acknowledgement for the new message"
check_eq "mails in the outgoing Maildir" 1 "$(sink_count "$OUT_MAILDIR")"
check_eq "the new request's SLA clock runs" 1 "$(db "SELECT count(*)
    FROM tickets WHERE sla_check_at IS NOT NULL")"
check_eq "to the new customer" 1 "$(grep -l 'nadia@customer.example.org' \
    "$OUT_MAILDIR"/new/* | wc -l | tr -d ' ')"

make_msg again.eml --from 'Customer 3 <cust-3@customers.example>' \
    --subject 'Re: Old question 3' --message-id '<again-3@customers.example>' \
    --in-reply-to '<old-3@customers.example>'
inject again.eml
check_eq "an imported request the customer writes on again" open \
    "$(ctl show 4 | json_get 'd["status"]')"

rc=0
"$TRIAGED" -c "$CONF" --silent </dev/null 2>/dev/null || rc=$?
check_eq "--silent without inject" 64 "$rc"

stop_triaged
