#!/bin/sh
#
# schema_upgrade.sh (issue 13, "Backup and upgrade"): a database made at
# each older schema version (built by tests/tools/schema_sql from the
# migrations, with a customer, a request, its message, raw bytes and
# events written as that version's columns allow) is
# - refused by a read-only triagectl with one clear line naming both
#   versions (a reader never migrates);
# - upgraded by today's daemon at start, the data intact: the customer's
#   reply carrying the old token threads onto the old request, and
#   triagectl then shows the old message, its text and the customer.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

SCHEMA_SQL=$top_builddir/tests/tools/schema_sql
[ -x "$SCHEMA_SQL" ] || fail "$SCHEMA_SQL not built (make check builds it)"
newest=$("$SCHEMA_SQL")
[ "$newest" -ge 2 ] || fail "schema_sql: newest version [$newest]"

v=1
while [ "$v" -lt "$newest" ]; do
	echo "--- schema version $v of $newest"
	STATE=$WORK/v$v
	write_config
	"$SCHEMA_SQL" "$v" >"$WORK/v$v.sql"
	"$PYTHON" - "$STATE/triaged.db" "$WORK/v$v.sql" <<'PYEOF' ||
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript(open(sys.argv[2]).read())
t = 1700000000
db.execute("PRAGMA journal_mode=WAL")
db.execute("INSERT INTO customers (id, name, created_at) "
           "VALUES (1, 'Olga Old', ?)", (t,))
db.execute("INSERT INTO customer_addresses VALUES "
           "('olga@customer.example.org', 1, ?)", (t,))
db.execute("INSERT INTO tickets (id, subject, customer_id, status, "
           "source, created_at, updated_at) VALUES "
           "(7, 'printer on fire', 1, 'open', 'lmtp', ?, ?)", (t, t))
db.execute("INSERT INTO messages (id, ticket_id, direction, dedupe_key, "
           "message_id, from_addr, from_name, subject, body, created_at, "
           "raw) VALUES (1, 7, 'in', 'mid:<old1@customer.example.org>', "
           "'<old1@customer.example.org>', 'olga@customer.example.org', "
           "'Olga Old', 'printer on fire', 'The old text survives.', ?, "
           "?)", (t, b"Subject: printer on fire\r\n\r\nThe old text.\r\n"))
db.execute("INSERT INTO message_ids VALUES "
           "('<old1@customer.example.org>', 7)")
db.execute("INSERT INTO events (ticket_id, at, kind, actor) "
           "VALUES (7, ?, 'created', 'olga@customer.example.org')", (t,))
db.commit()
PYEOF
	    fail "building the version $v fixture"
	chmod 0640 "$STATE/triaged.db"	# the daemon refuses one open to others

	rc=0
	out=$("$TRIAGECTL" -c "$CONF" list 2>&1) || rc=$?
	[ "$rc" -ne 0 ] || fail "v$v: triagectl list read an old schema: $out"
	assert_contains "v$v: a reader names the versions" "$out" \
	    "schema version $v, this program $newest"

	start_triaged
	make_msg r$v.eml --from 'Olga Old <olga@customer.example.org>' \
	    --subject 'Re: [#7] printer on fire' \
	    --in-reply-to '<old1@customer.example.org>' \
	    --body 'Still burning.'
	out=$(lmtp_send r$v.eml)
	assert_contains "v$v: the reply threads onto the old request" \
	    "$(reply_of "$out")" "ticket #7"
	stop_triaged
	assert_eq "v$v: upgraded to" "$newest" "$("$PYTHON" -c '
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("PRAGMA user_version").fetchone()[0])' \
	    "$STATE/triaged.db")"
	show=$(ctl show 7)
	assert_eq "v$v: both messages" 2 "$(printf '%s' "$show" |
	    json_get 'len(d["messages"])')"
	assert_contains "v$v: the old text" "$show" "The old text survives."
	assert_contains "v$v: the customer" "$show" "Olga Old"
	assert_eq "v$v: one request" 1 "$(requests_count)"
	v=$((v + 1))
done
