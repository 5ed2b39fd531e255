#!/bin/sh
#
# schema_upgrade.sh (issue 13, "Backup and upgrade"): every earlier
# schema version has a stored fixture, tests/fixtures/schema/vN.sql (a
# text dump of what that version left on disk, with two customers, two
# requests, their messages, raw bytes, attachments, events, Cc, tags,
# outbox, tasks ... as far as that version had them; made once by
# make-fixtures.py beside it).  For each one:
# - a read-only triagectl refuses it with one line naming both versions
#   (a reader never migrates);
# - today's daemon upgrades it at start: the schema it ends with is the
#   one a new database gets (so an edited old migration, which the stored
#   fixture no longer follows, fails here), every row is still there,
#   triagectl shows the old requests as they were (text, customer, Cc,
#   attachments, UTF-8; the tags in the database), the raw bytes are
#   intact, and a customer's reply carrying the old token threads onto
#   the old request.
# A version below the newest without a fixture fails the test: make it
# with make-fixtures.py before appending the next migration.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

if [ "${TRIAGED_TEST_DB:-sqlite}" != sqlite ]; then
	echo "SKIP: the fixtures are SQLite databases"
	exit 77
fi
SCHEMA_SQL=$top_builddir/tests/tools/schema_sql
FIXTURES=$top_srcdir/tests/fixtures/schema
[ -x "$SCHEMA_SQL" ] || fail "$SCHEMA_SQL not built (make check builds it)"
newest=$("$SCHEMA_SQL")
[ "$newest" -ge 2 ] || fail "schema_sql: newest version [$newest]"

missing=
v=1
while [ "$v" -lt "$newest" ]; do
	[ -f "$FIXTURES/v$v.sql" ] || missing="$missing $v"
	v=$((v + 1))
done
[ -z "$missing" ] || fail "no stored fixture for schema version(s)$missing:" \
    "run tests/fixtures/schema/make-fixtures.py $SCHEMA_SQL $FIXTURES" \
    "and commit what it writes"

# sqlite_py DB CODE [ARG...]: runs python CODE with db open on DB
# (sys.argv[2:] the ARGs).
sqlite_py() {
	sp_db=$1
	sp_code=$2
	shift 2
	"$PYTHON" -c "import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
$sp_code" "$sp_db" "$@"
}

# schema_of DB: the schema as SQLite keeps it, one object a line.
schema_of() {
	sqlite_py "$1" 'for r in db.execute("SELECT type, name, tbl_name, sql "
    "FROM sqlite_master WHERE name NOT LIKE '"'sqlite_%'"' ORDER BY 1, 2"):
    print("|".join(str(x) for x in r).replace("\n", " "))'
}

# counts_of DB: "table rows" for each table of ours that holds rows.
counts_of() {
	sqlite_py "$1" 'for (t,) in db.execute("SELECT name FROM sqlite_master "
    "WHERE type = '"'table'"' AND name NOT LIKE '"'sqlite_%'"' "
    "AND name NOT LIKE '"'%search%'"' AND name <> '"'store_info'"' "
    "ORDER BY 1"):
    n = db.execute("SELECT count(*) FROM \"%s\"" % t).fetchone()[0]
    if n: print(t, n)'
}

# The schema a new database gets, for comparison.
STATE=$WORK/fresh
write_config
start_triaged
stop_triaged
schema_of "$STATE/triaged.db" >fresh.schema
grep -q '^table|tickets|' fresh.schema || fail "no schema read: $(cat fresh.schema)"

for fixture in $(ls "$FIXTURES"/v*.sql | sort -t v -k 2 -n); do
	v=$(basename "$fixture" .sql | tr -d v)
	[ "$v" -lt "$newest" ] ||
	    fail "$fixture: version $v, but this program's newest is $newest"
	echo "--- schema version $v of $newest, from $fixture"
	STATE=$WORK/v$v
	write_config
	sqlite_py "$STATE/triaged.db" \
	    'db.executescript(open(sys.argv[2], encoding="utf-8").read())' \
	    "$fixture" 2>err.txt || { cat err.txt; fail "loading $fixture"; }
	chmod 0640 "$STATE/triaged.db"	# the daemon refuses one open to others
	assert_eq "v$v: fixture's version" "$v" \
	    "$(sqlite_py "$STATE/triaged.db" \
	    'print(db.execute("PRAGMA user_version").fetchone()[0])')"
	counts_of "$STATE/triaged.db" >"v$v.before"
	raw_before=$(sqlite_py "$STATE/triaged.db" \
	    'print(db.execute("SELECT hex(raw) FROM messages WHERE id = 1").fetchone()[0])')

	rc=0
	out=$("$TRIAGECTL" -c "$CONF" list 2>&1) || rc=$?
	[ "$rc" -ne 0 ] || fail "v$v: triagectl list read an old schema: $out"
	assert_contains "v$v: a reader names the versions" "$out" \
	    "schema version $v, this program $newest"

	start_triaged
	stop_triaged
	assert_eq "v$v: upgraded to" "$newest" \
	    "$(sqlite_py "$STATE/triaged.db" \
	    'print(db.execute("PRAGMA user_version").fetchone()[0])')"
	schema_of "$STATE/triaged.db" >"v$v.schema"
	diff fresh.schema "v$v.schema" >"v$v.diff" ||
	    { cat "v$v.diff"; fail "v$v: the upgraded schema is not a new database's (an old" \
	    "migration edited?), see above"; }
	counts_of "$STATE/triaged.db" >"v$v.after"
	# every table of the fixture keeps its rows (new tables may gain some)
	while read -r table n; do
		assert_eq "v$v: rows of $table" "$table $n" \
		    "$(grep "^$table " "v$v.after")"
	done <"v$v.before"
	assert_eq "v$v: raw bytes of message 1" "$raw_before" \
	    "$(sqlite_py "$STATE/triaged.db" \
	    'print(db.execute("SELECT hex(raw) FROM messages WHERE id = 1").fetchone()[0])')"

	show=$(ctl show 7)
	printf '%s\n' "$show" >"v$v.show7.json"
	assert_eq "v$v: #7 subject" "printer on fire" \
	    "$(printf '%s' "$show" | json_get 'd["subject"]')"
	assert_eq "v$v: #7 status" "open" \
	    "$(printf '%s' "$show" | json_get 'd["status"]')"
	assert_eq "v$v: #7 messages" 2 \
	    "$(printf '%s' "$show" | json_get 'len(d["messages"])')"
	assert_contains "v$v: #7 old text, UTF-8" "$show" \
	    "The old text survives. Grüße."
	assert_contains "v$v: #7 agent's reply" "$show" "Unplug it, please."
	assert_contains "v$v: #7 customer" "$show" "Jörg Müller"
	assert_contains "v$v: #7 Cc" "$show" "boss@customer.example.org"
	if [ "$v" -ge 2 ]; then	# tags came with version 2
		assert_eq "v$v: #7 tag" hardware "$(sqlite_py \
		    "$STATE/triaged.db" 'print(db.execute("SELECT tag FROM "
    "ticket_tags WHERE ticket_id = 7").fetchone()[0])')"
	fi
	assert_contains "v$v: #7 attachment" "$show" "photo.jpg"
	assert_eq "v$v: #8 status" "resolved" \
	    "$(ctl show 8 | json_get 'd["status"]')"
	assert_eq "v$v: requests" 2 "$(requests_count)"
	# version 22 numbered each customer's requests (notices' "Earlier
	# requests") as counting them would
	assert_eq "v$v: customers' requests numbered" "" "$(sqlite_py \
	    "$STATE/triaged.db" 'for r in db.execute("SELECT id FROM tickets t "
    "WHERE customer_id IS NOT NULL AND customer_seq IS NOT (SELECT "
    "count(*) FROM tickets u WHERE u.customer_id = t.customer_id AND "
    "u.id <= t.id)"): print(r[0])')"

	start_triaged
	make_msg r$v.eml --from 'Jörg Müller <joerg@customer.example.org>' \
	    --subject 'Re: [#7] printer on fire' \
	    --in-reply-to '<old1@customer.example.org>' \
	    --body 'Still burning.'
	out=$(lmtp_send r$v.eml)
	assert_contains "v$v: the reply threads onto the old request" \
	    "$(reply_of "$out")" "ticket #7"
	stop_triaged
	assert_eq "v$v: #7 messages after the reply" 3 \
	    "$(ctl show 7 | json_get 'len(d["messages"])')"
	assert_eq "v$v: requests after the reply" 2 "$(requests_count)"
done
