#!/bin/sh
#
# service_user.sh (issue 13, "Privileges"): started as root with
# `user = "nobody"`, triaged binds its sockets as root, then becomes
# nobody before it opens the store or reads any mail: the running
# process has uid and gid nobody (all of real, effective, saved), the new
# database directory (0750), database (0640) and reply key (0600) belong
# to nobody, a message delivered over LMTP is stored, and triagectl reads
# it.  A user that does not exist is a config error with FILE:LINE.  The
# CI runs the tests as root; elsewhere this test skips.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: not root"
	exit 77
fi
NOBODY_UID=$(id -u nobody)
NOBODY_GID=$(id -g nobody)

# nobody must reach its state directory and read the config on reload.
chmod 0755 "$WORK"
write_config
rmdir "$STATE"		# the daemon makes it, for nobody
if on_pg; then
	# no database directory for the daemon to make: the outgoing
	# Maildir's parent is the admin's to give to nobody
	mkdir "$STATE"
	chown "$NOBODY_UID:$NOBODY_GID" "$STATE"
fi
sed -i 's/^user = "root";/user = "nobody";/' "$CONF"
cat >>"$CONF" <<EOF
agents = ( { name = "anna"; addresses = [ "anna@example.test" ]; } );
EOF
pg_agent_mail
start_triaged

grep 'running as user=nobody' "$TRIAGED_LOG" ||
    fail "no line about the privilege drop"
# the drop comes before the store opens and before the ready line
drop_line=$(grep -n 'running as user=' "$TRIAGED_LOG" | cut -d: -f1)
ready_line=$(grep -n ' ready' "$TRIAGED_LOG" | cut -d: -f1)
[ "$drop_line" -lt "$ready_line" ] || fail "privileges dropped after ready"
uids=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$TRIAGED_PID/status")
gids=$(awk '/^Gid:/ { print $2, $3, $4, $5 }' "/proc/$TRIAGED_PID/status")
assert_eq "uids of the daemon" \
    "$NOBODY_UID $NOBODY_UID $NOBODY_UID $NOBODY_UID" "$uids"
assert_eq "gids of the daemon" \
    "$NOBODY_GID $NOBODY_GID $NOBODY_GID $NOBODY_GID" "$gids"
groups=$(awk '/^Groups:/ { $1 = ""; print }' "/proc/$TRIAGED_PID/status" |
    tr -s ' ' | sed 's/^ //; s/ $//')
assert_eq "supplementary groups of the daemon" "$NOBODY_GID" "$groups"

make_msg m1.eml --from 'Karl <karl@customer.example.org>' --subject 'one'
out=$(lmtp_send m1.eml)
printf '%s\n' "$out"
assert_contains "reply as nobody" "$(reply_of "$out")" "ticket #1"
assert_eq "requests seen by triagectl" 1 \
    "$(ctl list | json_get 'len(d)')"

# the files are SQLite's; on PostgreSQL the privilege drop is all there is
if ! on_pg; then
	assert_eq "state directory" "nobody 750" "$(stat -c '%U %a' "$STATE")"
	assert_eq "database" "nobody 640" "$(stat -c '%U %a' "$STATE/triaged.db")"
	assert_eq "reply key" "nobody 600" \
	    "$(stat -c '%U %a' "$STATE/triaged.db.reply-key")"
	for f in "$STATE"/triaged.db-wal "$STATE"/triaged.db-shm; do
		[ -f "$f" ] || continue
		mode=$(stat -c '%U %a' "$f")
		case $mode in "nobody 640"|"nobody 600") ;;
		*) fail "$f: $mode" ;; esac
	done
fi
stop_triaged

# Started again: the existing database is opened as nobody again.
start_triaged
out=$(lmtp_send m1.eml)
assert_contains "reply after a restart" "$(reply_of "$out")" "250"
stop_triaged

# A user that does not exist: a config error, with the line.
sed 's/user = "nobody";/user = "no-such-user-13";/' "$CONF" >bad.conf
rc=0
out=$("$TRIAGED" -t -c bad.conf 2>&1) || rc=$?
printf '%s\n' "$out"
assert_eq "exit status for an unknown user" 1 "$rc"
assert_contains "unknown user" "$out" "bad.conf:"
assert_contains "unknown user" "$out" "user: no such user"

# Root without `user`: refused before a socket is bound or mail read,
# exit 78 (EX_CONFIG), one line naming the file and the way out.
sed '/^user = /d' "$CONF" >nouser.conf
rc=0
out=$(timeout 60 "$TRIAGED" -c nouser.conf 2>&1 </dev/null) || rc=$?
printf '%s\n' "$out"
assert_eq "exit status as root without user" 78 "$rc"
assert_contains "root without user" "$out" \
    "nouser.conf: user: running as root needs the account to drop to (user = \"triaged\"); user = \"root\" runs as root knowingly"
assert_not_contains "refused before the listeners" "$out" " ready "
sed 's/^user = "nobody";/user = "";/' "$CONF" >empty.conf
rc=0
out=$(timeout 60 "$TRIAGED" -c empty.conf 2>&1 </dev/null) || rc=$?
assert_eq "exit status as root with an empty user" 78 "$rc"
# -t answers the same whoever asks (the unit checks as the user).
out=$("$TRIAGED" -t -c nouser.conf 2>&1) || fail "-t refused: $out"

# The same under inject: 75, so the MTA keeps the mail queued.
make_msg m2.eml --from 'Karl <karl@customer.example.org>' --subject 'two'
rc=0
out=$("$TRIAGED" inject -c nouser.conf <m2.eml 2>&1) || rc=$?
printf '%s\n' "$out"
assert_eq "exit status of inject as root without user" 75 "$rc"
assert_contains "inject as root without user" "$out" \
    "user: running as root needs the account to drop to"

# inject started as root with user: it becomes nobody too, so what it
# writes belongs to nobody (a root-owned WAL would lock the daemon out).
rc=0
out=$("$TRIAGED" inject -c "$CONF" <m2.eml 2>&1) || rc=$?
assert_eq "exit status of inject as root with user" 0 "$rc"
find "$STATE" ! -user nobody >notnobody.txt
assert_eq "files not nobody's after inject as root" "" "$(cat notnobody.txt)"

# user = "root": a deliberate root run, with a warning.
sed 's/^user = "nobody";/user = "root";/' "$CONF" >root.conf
start_triaged root.conf
grep 'running as root (user = "root"' "$TRIAGED_LOG" ||
    fail "no warning for user = root"
assert_eq "uid of a deliberate root run" 0 \
    "$(awk '/^Uid:/ { print $3 }' "/proc/$TRIAGED_PID/status")"
stop_triaged
