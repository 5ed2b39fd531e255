#!/bin/sh
#
# backup.sh (issue 13, "Backup and upgrade"): `triagectl backup FILE`
# - copies the database while the daemon runs and takes mail (a
#   delivery loop runs during the backup): the copy opens, passes
#   SQLite's integrity check, and holds every request committed before
#   the backup began;
# - copies the reply key beside it (FILE.reply-key, 0600, same bytes);
# - refuses to overwrite FILE or FILE.reply-key (exit 1, FILE untouched);
# - with the daemon idle, `triagectl -d COPY list` is `triagectl list`;
# - restore (README): the daemon started on the copy serves, numbering
#   on.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

write_config
cat >>"$CONF" <<EOF
agents = ( { name = "anna"; addresses = [ "anna@example.test" ]; } );
EOF
if on_pg; then
	# SQLite's online backup; a PostgreSQL store is pg_dump's: triagectl
	# says so and copies nothing
	pg_agent_mail
	rc=0
	out=$("$TRIAGECTL" -c "$CONF" backup "$WORK/copy.db" 2>&1) || rc=$?
	assert_eq "backup of a PostgreSQL store refused" 1 "$rc"
	assert_contains "backup names pg_dump" "$out" "pg_dump"
	[ ! -e "$WORK/copy.db" ] || fail "a refused backup left copy.db"
	skip_on_pg "triagectl backup copies the SQLite file (pg_dump's job)"
fi
start_triaged
for i in 1 2 3; do
	make_msg m$i.eml --from "C$i <c$i@customer.example.org>" \
	    --subject "before $i"
	out=$(lmtp_send m$i.eml)
	assert_contains "delivery $i" "$(reply_of "$out")" "ticket #$i"
done

# Deliveries go on while the copy is taken.
(
	i=10
	while [ ! -e stop-loop ] && [ "$i" -lt 60 ]; do
		make_msg l$i.eml --from "L$i <l$i@customer.example.org>" \
		    --subject "during $i"
		lmtp_send l$i.eml >/dev/null || true
		i=$((i + 1))
	done
) &
LOOP_PID=$!
LIB_PIDS="$LIB_PIDS $LOOP_PID"
sleep 1
out=$("$TRIAGECTL" -c "$CONF" backup "$WORK/copy.db" 2>&1) ||
    fail "backup while the daemon runs: $out"
printf '%s\n' "$out"
assert_contains "backup reports pages" "$out" "pages"
assert_contains "backup names the key copy" "$out" "copy.db.reply-key"
touch stop-loop
wait_exit "$LOOP_PID" 60 || true

"$PYTHON" - "$WORK/copy.db" <<'PYEOF' || fail "the copy does not check out"
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
subjects = {r[0] for r in db.execute("SELECT subject FROM tickets")}
for i in (1, 2, 3):
    assert "before %d" % i in subjects, subjects
PYEOF
n=$("$TRIAGECTL" -c "$CONF" -d "$WORK/copy.db" --json list --limit 1000 |
    json_get 'len(d["requests"])')
[ "$n" -ge 3 ] || fail "triagectl -d COPY list: $n requests"
assert_eq "key copy mode" 600 "$(stat -c %a "$WORK/copy.db.reply-key")"
cmp -s "$STATE/triaged.db.reply-key" "$WORK/copy.db.reply-key" ||
    fail "the key copy differs"

# Never overwrites: neither the database nor the key.
sum=$(md5sum <"$WORK/copy.db")
rc=0
out=$("$TRIAGECTL" -c "$CONF" backup "$WORK/copy.db" 2>&1) || rc=$?
assert_eq "backup onto an existing file" 1 "$rc"
assert_contains "backup onto an existing file" "$out" "exists"
assert_eq "the existing file untouched" "$sum" "$(md5sum <"$WORK/copy.db")"
touch "$WORK/other.db.reply-key"
rc=0
out=$("$TRIAGECTL" -c "$CONF" backup "$WORK/other.db" 2>&1) || rc=$?
assert_eq "backup onto an existing key" 1 "$rc"
[ ! -e "$WORK/other.db" ] || fail "a refused backup left other.db"
rc=0
"$TRIAGECTL" -c "$CONF" backup "$WORK/no/such/dir.db" 2>/dev/null || rc=$?
assert_eq "backup into a missing directory" 1 "$rc"

# Idle daemon: the copy lists as the original.
rm -f "$WORK/other.db.reply-key"
"$TRIAGECTL" -c "$CONF" backup "$WORK/idle.db" >/dev/null ||
    fail "second backup"
a=$("$TRIAGECTL" -c "$CONF" list --limit 1000)
b=$("$TRIAGECTL" -c "$CONF" -d "$WORK/idle.db" list --limit 1000)
assert_eq "triagectl -d COPY list matches" "$a" "$b"
count=$(requests_count)
stop_triaged

# Restore: point `database` at the copy (its key beside it).
sed "s|^database = .*|database = \"$WORK/idle.db\";|" "$CONF" >restore.conf
start_triaged "$WORK/restore.conf"
grep -q "database=$WORK/idle.db" "$TRIAGED_LOG" ||
    fail "the daemon did not open the restored copy"
make_msg after.eml --from 'Z <z@customer.example.org>' --subject 'after'
out=$(lmtp_send after.eml)
assert_contains "delivery into the restored copy" "$(reply_of "$out")" \
    "ticket #$((count + 1))"
stop_triaged
