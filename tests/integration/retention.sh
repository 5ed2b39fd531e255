#!/bin/sh
#
# retention.sh (issue 14, "Retention and erasure"), on a fake clock:
# - `retention.raw_messages = 10`: 40 days on, the finished requests'
#   messages lose their raw bytes (the attachment can no longer be
#   written out) and keep their text; the open request keeps everything;
# - `retention.closed_requests = 60`: 70 days on, the finished requests
#   are purged by the daemon's timer: no subject, customer, address,
#   name or text left in `triagectl show`; a customer left with no
#   request is gone, one with an open request stays;
# - `triagectl forget ADDRESS`: refused without --yes (nothing changes);
#   with it, prints what it removed, the person's open request keeps its
#   row but no trace of them, the customer is gone, and the erasure is
#   recorded; an unknown address is an error;
# - `triagectl report` over the month agrees before and after both
#   (counts and times).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

T0=2026-01-05T10:00:00Z
TRIAGED_FAKE_TIME=$T0
export TRIAGED_FAKE_TIME
KARL=karl@customer.example.org
LENA=lena@customer.example.org

base_config() {
	write_config
	cat >>"$CONF" <<EOF
agents = ( { name = "anna"; addresses = [ "anna@example.test" ]; } );
EOF
	pg_agent_mail
}

# report_month: January's figures, as JSON, without the backlog's ages
# (they grow with the clock: the open request is older each time).
report_month() {
	"$TRIAGECTL" -c "$CONF" --utc report --from 2026-01-01 \
	    --to 2026-01-31 --json | "$PYTHON" -c 'import json, sys
def strip(x):
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items()
                if not k.startswith("backlog_age")}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x
print(json.dumps(strip(json.load(sys.stdin)), indent=1, sort_keys=True))'
}

base_config
start_triaged
"$PYTHON" - "$KARL" <<'PYEOF' >m1.eml
import sys
from email.message import EmailMessage
m = EmailMessage()
m["From"] = "Karl Kunde <%s>" % sys.argv[1]
m["To"] = "support@example.test"
m["Subject"] = "Karl's broken printer"
m["Message-ID"] = "<karl1@customer.example.org>"
m.set_content("Karl writes: the printer is broken.\n")
m.add_attachment(b"%PDF-1.4 karl's invoice\n", maintype="application",
                 subtype="pdf", filename="karl-invoice.pdf")
print(m.as_string())
PYEOF
out=$(lmtp_send m1.eml)
assert_contains "delivery 1" "$(reply_of "$out")" "ticket #1"
make_msg m2.eml --from "Karl Kunde <$KARL>" --subject "Karl's second" \
    --body 'Karl again, still open.\n'
out=$(lmtp_send m2.eml)
assert_contains "delivery 2" "$(reply_of "$out")" "ticket #2"
make_msg m3.eml --from "Lena Leser <$LENA>" --subject "Lena's question" \
    --body 'Lena asks something.\n'
out=$(lmtp_send m3.eml)
assert_contains "delivery 3" "$(reply_of "$out")" "ticket #3"
printf 'We fixed it, Karl.\n' | "$TRIAGECTL" -c "$CONF" reply 1 \
    --from anna >/dev/null || fail "reply to #1"
"$TRIAGECTL" -c "$CONF" status 1 closed >/dev/null || fail "close #1"
"$TRIAGECTL" -c "$CONF" status 3 resolved >/dev/null || fail "resolve #3"
att=$(ctl attachments 1 | json_get 'd[0]["id"]')
"$TRIAGECTL" -c "$CONF" attachment 1 "$att" -o - >/dev/null ||
    fail "the attachment before retention"
report_month >before.json
stop_triaged

# raw_messages applies 40 days on; closed_requests not yet.
TRIAGED_FAKE_TIME=2026-02-14T10:00:00Z
cat >>"$CONF" <<'EOF'
retention = { raw_messages = 10; closed_requests = 60; };
EOF
start_triaged
wait_for "grep -q 'retention: purged requests=0 ' '$TRIAGED_LOG'" 30 ||
    fail "no retention step logged"
raw=$(db_sql "SELECT ticket_id || ':' || CASE WHEN raw IS NULL THEN 0
    ELSE 1 END FROM messages WHERE direction = 'in' ORDER BY ticket_id" |
    paste -s -d ' ' -)
assert_eq "raw bytes kept only on the open request" "1:0 2:1 3:0" "$raw"
rc=0
"$TRIAGECTL" -c "$CONF" attachment 1 "$att" -o - >/dev/null 2>&1 || rc=$?
[ "$rc" -ne 0 ] || fail "the attachment survived raw_messages"
assert_contains "the text stays" "$(ctl show 1)" "the printer is broken"
stop_triaged

# 70 days on: the finished requests are purged.
TRIAGED_FAKE_TIME=2026-03-16T10:00:00Z
start_triaged
wait_for "grep -q 'retention: purged requests=2 ' '$TRIAGED_LOG'" 30 ||
    fail "the finished requests were not purged"
for n in 1 3; do
	show=$(ctl show $n)
	for word in "$KARL" "$LENA" Karl Lena printer question "fixed it" \
	    invoice; do
		assert_not_contains "#$n purged ($word)" "$show" "$word"
	done
done
assert_contains "the open request keeps its customer" "$(ctl show 2)" \
    "$KARL"
rc=0
"$TRIAGECTL" -c "$CONF" customer "$LENA" >/dev/null 2>&1 || rc=$?
[ "$rc" -ne 0 ] || fail "Lena's customer record survived her last request"
"$TRIAGECTL" -c "$CONF" customer "$KARL" >/dev/null ||
    fail "Karl's record went although #2 is open"
report_month >after.json
cmp -s before.json after.json ||
    fail "the report changed: $(diff before.json after.json | head -20)"

# forget: --yes or nothing.
rc=0
out=$("$TRIAGECTL" -c "$CONF" forget "$KARL" 2>&1) || rc=$?
assert_eq "forget without --yes" 2 "$rc"
assert_contains "forget without --yes" "$out" "--yes"
assert_contains "nothing forgotten without --yes" "$(ctl show 2)" "$KARL"
out=$("$TRIAGECTL" -c "$CONF" forget "$KARL" --yes) ||
    fail "forget --yes: $out"
printf '%s\n' "$out"
assert_contains "forget reports requests" "$out" "requests=1 "
assert_contains "forget reports messages (hers and our ack)" "$out" \
    "messages=2 "
assert_contains "forget reports the mail sent" "$out" "outbox=2 "
assert_contains "forget reports the customer" "$out" "customers=1"
show=$(ctl show 2)
for word in "$KARL" Karl "still open"; do
	assert_not_contains "#2 after forget ($word)" "$show" "$word"
done
rc=0
"$TRIAGECTL" -c "$CONF" customer "$KARL" >/dev/null 2>&1 || rc=$?
[ "$rc" -ne 0 ] || fail "Karl's customer record survived forget"
assert_eq "the erasure is recorded" 1 "$(db_value \
    "SELECT count(*) FROM erasures WHERE requests = 1")"
rc=0
"$TRIAGECTL" -c "$CONF" forget nobody@nowhere.example --yes 2>/dev/null ||
    rc=$?
assert_eq "forget of an unknown address" 1 "$rc"
report_month >forgot.json
cmp -s before.json forgot.json ||
    fail "forget changed the report: $(diff before.json forgot.json |
	head -20)"
# Nothing of it is left in the file either (secure_delete; the WAL is
# checkpointed and removed when the daemon stops).  SQLite only: on
# PostgreSQL the old row versions stay in its files until VACUUM (README).
stop_triaged
on_pg ||
for word in "Karl's second" "still open" "printer is broken" "$LENA"; do
	! grep -q -a -F "$word" "$STATE/triaged.db" ||
	    fail "the database file still holds [$word]"
done
start_triaged
# The daemon goes on: Karl writing again is a new customer.
make_msg m4.eml --from "Karl Kunde <$KARL>" --subject 'back again'
out=$(lmtp_send m4.eml)
assert_contains "a new request after forget" "$(reply_of "$out")" \
    "ticket #4"
stop_triaged
