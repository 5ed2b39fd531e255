#!/bin/sh
#
# service_conf.sh (issue 13, "Safe config handling", "Logs", "Help and
# versions"):
# - `triaged -t` on a config whose database does not exist yet writes
#   nothing (no directory, no reply key);
# - the reply key is made with a new database, 0600, the database 0640
#   in a 0750 directory; once the database exists a lost key is never
#   made again behind the admin's back: triaged -t, the daemon and
#   triagectl refuse with one clear error, and only `triagectl reply-key
#   --new` makes a new one (refused while one exists);
# - --help and --version of both programs, `triagectl COMMAND --help`;
# - `log = "journal"`: every line carries its syslog priority as the
#   journal's "<N>" prefix: info <6>, a smarthost failure a warning <4>,
#   a broken reload an error <3> on one line naming every problem;
# - SIGHUP with a changed listen port is refused loudly: a warning names
#   `listen`, and the old port keeps serving.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

# --- help and version --------------------------------------------------
for prog in "$TRIAGED" "$TRIAGECTL"; do
	name=$(basename "$prog")
	out=$("$prog" --version) || fail "$name --version failed"
	assert_contains "$name --version" "$out" "$name "
	out=$("$prog" --help) || fail "$name --help failed"
	assert_contains "$name --help" "$out" "usage: $name"
	assert_contains "$name --help names the default config" "$out" \
	    "/triaged/triaged.conf"
done
out=$("$TRIAGECTL" list --help) || fail "triagectl list --help failed"
assert_contains "triagectl list --help" "$out" "usage: triagectl"
assert_contains "triagectl list --help" "$out" " list "
rc=0
"$TRIAGED" --no-such-option 2>/dev/null || rc=$?
assert_eq "triaged with a bad option (EX_USAGE)" 64 "$rc"

# --- -t writes nothing; the reply key is born with the database ---------
write_config
rmdir "$STATE"
cat >>"$CONF" <<EOF
agents = ( { name = "anna"; addresses = [ "anna@example.test" ]; } );
EOF
pg_agent_mail
out=$("$TRIAGED" -t -c "$CONF" 2>&1) || fail "triaged -t: $out"
assert_contains "triaged -t" "$out" "configuration OK"
[ ! -e "$STATE" ] || fail "triaged -t created $STATE: $(ls -la "$STATE")"

# The modes of the files and the key beside the database are SQLite's; a
# PostgreSQL store has neither (its reply key is agent_mail.secret_file).
if on_pg; then
	echo "PostgreSQL: no database file, no reply key beside it"
else
	start_triaged
	stop_triaged
	assert_eq "database directory mode" 750 "$(stat -c %a "$STATE")"
	assert_eq "database mode" 640 "$(stat -c %a "$STATE/triaged.db")"
	assert_eq "reply key mode" 600 "$(stat -c %a "$STATE/triaged.db.reply-key")"
	key1=$(cat "$STATE/triaged.db.reply-key")

	rm "$STATE/triaged.db.reply-key"
	rc=0
	out=$("$TRIAGED" -t -c "$CONF" 2>&1) || rc=$?
	printf '%s\n' "$out"
	assert_eq "triaged -t with the key lost" 1 "$rc"
	assert_contains "triaged -t with the key lost" "$out" \
	    "reply key $STATE/triaged.db.reply-key is missing"
	assert_contains "triaged -t with the key lost" "$out" "reply-key --new"
	rc=0
	out=$("$TRIAGED" -c "$CONF" 2>&1 </dev/null) || rc=$?
	assert_eq "triaged with the key lost" 1 "$rc"
	assert_contains "triaged with the key lost" "$out" "is missing"
	rc=0
	out=$("$TRIAGECTL" -c "$CONF" list 2>&1) || rc=$?
	assert_eq "triagectl list with the key lost" 1 "$rc"
	[ ! -e "$STATE/triaged.db.reply-key" ] ||
	    fail "a lost reply key was made again silently"

	out=$("$TRIAGECTL" -c "$CONF" reply-key --new 2>&1) ||
	    fail "reply-key --new: $out"
	assert_eq "new reply key mode" 600 "$(stat -c %a "$STATE/triaged.db.reply-key")"
	[ "$(cat "$STATE/triaged.db.reply-key")" != "$key1" ] ||
	    fail "reply-key --new kept the old key"
	rc=0
	out=$("$TRIAGECTL" -c "$CONF" reply-key --new 2>&1) || rc=$?
	assert_eq "reply-key --new with a key present" 1 "$rc"
	assert_contains "reply-key --new with a key present" "$out" "exists already"
	chmod 0644 "$STATE/triaged.db.reply-key"
	rc=0
	out=$("$TRIAGED" -t -c "$CONF" 2>&1) || rc=$?
	assert_eq "triaged -t with a key readable by others" 1 "$rc"
	assert_contains "key readable by others" "$out" "readable by others"
	chmod 0600 "$STATE/triaged.db.reply-key"
fi

# --- journal priorities, one-line reload errors, listen changes --------
# The smarthost is a closed port: every delivery fails temporarily.
SINK_PORT=$(free_port)
write_config sink
cat >>"$CONF" <<EOF
agents = ( { name = "anna"; addresses = [ "anna@example.test" ]; } );
log = "journal";
EOF
pg_agent_mail
start_triaged
grep -q '^<6>ready lmtp=' "$TRIAGED_LOG" ||
    fail "the ready line is not at priority info (<6>)"
make_msg m1.eml --from 'Karl <karl@customer.example.org>' --subject 'one'
out=$(lmtp_send m1.eml)
assert_contains "delivery" "$(reply_of "$out")" "ticket #1"
wait_for "grep -q 'retry in' '$TRIAGED_LOG'" 30 ||
    fail "no smarthost failure logged"
assert_eq "smarthost failures are warnings (<4>)" "" \
    "$(grep 'retry in' "$TRIAGED_LOG" | grep -v '^<4>outbox id=' || true)"

# A broken config: one line, at priority error, with both problems.
cp "$CONF" good.conf
cat >>"$CONF" <<'EOF'
limits = { max_recipients = -5; idle_timeout = -1; };
EOF
kill -HUP "$TRIAGED_PID"
wait_for "grep -q 'reload failed' '$TRIAGED_LOG'" 30 ||
    fail "broken reload not logged"
line=$(grep 'reload failed' "$TRIAGED_LOG")
assert_eq "broken reload: one line" 1 "$(printf '%s\n' "$line" | wc -l)"
assert_contains "broken reload at priority error" "$line" "<3>reload failed"
assert_contains "broken reload names the first" "$line" "limits.max_recipients"
assert_contains "broken reload names the second" "$line" "limits.idle_timeout"

# A changed port: refused loudly, the old port keeps serving.
new_port=$(free_port)
sed "s/port = 0; },/port = $new_port; },/" good.conf >"$CONF"
grep -q "port = $new_port" "$CONF" || fail "test config not changed"
kill -HUP "$TRIAGED_PID"
wait_for "grep -q 'need a restart' '$TRIAGED_LOG'" 30 ||
    fail "listen change not logged"
line=$(grep 'need a restart' "$TRIAGED_LOG")
assert_contains "listen change is a warning" "$line" "<4>reload:"
assert_contains "listen change names the setting" "$line" "listen"
make_msg m2.eml --from 'Lena <lena@customer.example.org>' --subject 'two'
out=$(lmtp_send m2.eml)
assert_contains "the old port after the reload" "$(reply_of "$out")" \
    "ticket #2"
stop_triaged
