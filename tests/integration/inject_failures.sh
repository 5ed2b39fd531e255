#!/bin/sh
#
# inject_failures.sh (issue 14): the exit status of `triaged inject` by
# failure class, since it is all an MTA's pipe transport reads (0 and 75
# keep the mail, anything else bounces it).  Every failure that is ours
# exits 75 (EX_TEMPFAIL) and stores nothing: a pipe line written wrong, a
# config missing, broken or unreadable by the pipe's user, a database that
# cannot be created, is not writable by the pipe's user, is locked by
# another writer past the busy wait, cannot grow (a file size limit; a
# full tmpfs) or sits on a read-only file system, is of a newer schema,
# a reply key missing.
# Mail that is malformed but can be taken exits 0.  Only a message that
# can never be taken exits 65 (EX_DATAERR): empty, or over
# limits.max_message_size.  After all that, the same message is taken
# once, with exit 0.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

write_config
cat >>"$CONF" <<EOF
limits = { max_message_size = 4096; max_line_length = 1000; };
EOF

NINJECT=0
# inject FILE [inject options]: runs triaged inject; sets INJECT_RC and
# INJECT_LOG (its stderr).
inject() {
	NINJECT=$((NINJECT + 1))
	in_file=$1
	shift
	INJECT_LOG=$WORK/inject.$NINJECT.log
	INJECT_RC=0
	"$TRIAGED" inject "$@" <"$in_file" 2>"$INJECT_LOG" || INJECT_RC=$?
	cat "$INJECT_LOG"
}

# as_nobody CMD...: runs CMD as the unprivileged user an MTA's pipe uses.
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
}

make_msg m1.eml --from 'Fiona Green <fiona@customer.example.org>' \
    --subject 'Deferred, not bounced' \
    --message-id '<failclass1@customer.example.org>'

# A message taken, which creates the database (request #1).
make_msg m0.eml --from 'Gustav <gustav@customer.example.org>' \
    --subject 'First' --message-id '<failclass0@customer.example.org>'
inject m0.eml -c "$CONF"
assert_eq "exit status of inject (first message)" 0 "$INJECT_RC"

# The pipe line written wrong.
inject m1.eml -c "$CONF" -x
assert_eq "exit status of inject with an unknown option" 75 "$INJECT_RC"
inject m1.eml -c "$CONF" stray
assert_eq "exit status of inject with a stray argument" 75 "$INJECT_RC"

# The config.
inject m1.eml -c "$WORK/no-such.conf"
assert_eq "exit status of inject without its config" 75 "$INJECT_RC"
printf 'database = "%s/var/triaged.db"\nsupport = {\n' "$WORK" >broken.conf
inject m1.eml -c broken.conf
assert_eq "exit status of inject with a broken config" 75 "$INJECT_RC"
assert_contains "the broken config is named" "$(cat "$INJECT_LOG")" \
    broken.conf

# The database cannot be created: its directory would be under a file.
: >"$WORK/plainfile"
sed "s|^database = .*|database = \"$WORK/plainfile/sub/triaged.db\";|" \
    "$CONF" >nodir.conf
inject m1.eml -c nodir.conf
assert_eq "exit status of inject when the database cannot be created" 75 \
    "$INJECT_RC"

# Permissions, as the pipe's user (nobody) where the files are root's.
if [ "$(id -u)" = 0 ] && as_nobody true 2>/dev/null; then
	chmod 755 "$WORK"
	cp "$CONF" private.conf
	chmod 600 private.conf
	NINJECT=$((NINJECT + 1))
	INJECT_LOG=$WORK/inject.$NINJECT.log
	INJECT_RC=0
	as_nobody "$TRIAGED" inject -c "$WORK/private.conf" <m1.eml \
	    2>"$INJECT_LOG" || INJECT_RC=$?
	cat "$INJECT_LOG"
	assert_eq "exit status of inject with a config it may not read" 75 \
	    "$INJECT_RC"

	# The database exists, root's and not writable by the pipe's user.
	if ! on_pg; then
		chmod 644 "$CONF"
		chmod -R go-w "$STATE"
		NINJECT=$((NINJECT + 1))
		INJECT_LOG=$WORK/inject.$NINJECT.log
		INJECT_RC=0
		as_nobody "$TRIAGED" inject -c "$CONF" <m1.eml 2>"$INJECT_LOG" ||
		    INJECT_RC=$?
		cat "$INJECT_LOG"
		assert_eq "exit status of inject with a database it may not write" \
		    75 "$INJECT_RC"
		assert_eq "requests after the permission failures" 1 \
		    "$(requests_count)"
	else
		echo "PostgreSQL: no database file to protect"
	fi
else
	echo "not root: the permission cases are skipped"
fi

# The SQLite file's own failures (locked, cannot grow, newer user_version,
# the reply key beside it) do not exist on PostgreSQL.
if ! on_pg; then
	# The database locked by another writer for longer than inject waits.
	"$PYTHON" -c '
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(300)
' "$STATE/triaged.db" >locker.out 2>locker.log </dev/null &
	LOCKER_PID=$!
	LIB_PIDS="$LIB_PIDS $LOCKER_PID"
	wait_for 'grep -q locked locker.out' 30 || fail "the locker did not lock"
	inject m1.eml -c "$CONF"
	assert_eq "exit status of inject with the database locked" 75 "$INJECT_RC"
	stop_pid "$LOCKER_PID" || true

	# The database cannot grow: a file size limit fails the writes as a full
	# disk would (EFBIG instead of ENOSPC; SQLite takes both as a failed
	# write).  Its stderr goes through a pipe, which the limit does not touch.
	NINJECT=$((NINJECT + 1))
	INJECT_LOG=$WORK/inject.$NINJECT.log
	{ fs_rc=0; (ulimit -f 0 && exec "$TRIAGED" inject -c "$CONF" <m1.eml \
	    2>&1 >/dev/null) || fs_rc=$?; echo "$fs_rc" >rc.txt; } |
	    cat >"$INJECT_LOG"
	INJECT_RC=$(cat rc.txt)
	cat "$INJECT_LOG"
	assert_eq "exit status of inject when the database cannot grow" 75 \
	    "$INJECT_RC"
	assert_eq "requests after the temporary failures" 1 "$(requests_count)"

	# A database of a newer schema (a downgraded binary): the admin's.
	cp "$STATE/triaged.db" newer.db
	"$PYTHON" -c 'import sqlite3, sys
sqlite3.connect(sys.argv[1]).execute("PRAGMA user_version=100000")' newer.db
	sed "s|^database = .*|database = \"$WORK/newer.db\";|" "$CONF" >newer.conf
	inject m1.eml -c newer.conf
	assert_eq "exit status of inject on a newer schema" 75 "$INJECT_RC"

	# With agents, the reply key missing beside the database: the admin's
	# to restore (a new one would turn every signed agent address into
	# customer mail).
	cp "$CONF" agents.conf
	echo 'agents = ( { name = "anna"; addresses = [ "anna@example.test" ]; } );' \
	    >>agents.conf
	inject m1.eml -c agents.conf
	assert_eq "exit status of inject without the reply key" 75 "$INJECT_RC"
	assert_contains "the missing key is named" "$(cat "$INJECT_LOG")" \
	    "reply key"
else
	# agents without a reply key setting: there is no file beside a URI
	# to keep one in, so the config check refuses them
	cp "$CONF" agents.conf
	echo 'agents = ( { name = "anna"; addresses = [ "anna@example.test" ]; } );' \
	    >>agents.conf
	inject m1.eml -c agents.conf
	assert_eq "exit status of inject without agent_mail.secret_file" 75 \
	    "$INJECT_RC"
	assert_contains "the missing setting is named" "$(cat "$INJECT_LOG")" \
	    secret_file
fi

# A read-only file system under the database (a remount after disk
# errors; as root, where no permission stops us) and a full disk (a
# tiny tmpfs), each in a mount namespace of its own so nothing outlives
# the test.  Without one (not root, a container without CAP_SYS_ADMIN)
# the file size limit above stands for the full disk.
if on_pg; then
	echo "PostgreSQL: read-only and full file systems are the SQLite file's"
elif [ "$(id -u)" = 0 ] && unshare -m mount -t tmpfs tmpfs /mnt 2>/dev/null
then
	make_msg f0.eml --from 'Hanna <hanna@customer.example.org>' \
	    --subject 'Before the disk filled' \
	    --message-id '<failclass-full0@customer.example.org>'
	mkdir -p "$WORK/full"
	sed "s|^database = .*|database = \"$WORK/full/triaged.db\";|" \
	    "$CONF" >full.conf
	cat >mounts.sh <<MOUNTS
inj() {	# LABEL CONF MSG: "LABEL RC" into mounts.out, stderr to LABEL.log
	rc=0
	"$TRIAGED" inject -c "\$2" <"\$3" 2>"\$1.log" || rc=\$?
	echo "\$1 \$rc" >>mounts.out
}
set -e
mount --bind "$STATE" "$STATE"
mount -o remount,bind,ro "$STATE"
inj readonly "$CONF" m1.eml
umount "$STATE"
mount -t tmpfs -o size=4m,mode=0750 tmpfs "$WORK/full"
inj full-first full.conf f0.eml
dd if=/dev/zero of="$WORK/full/filler" bs=4k 2>/dev/null || true
inj full full.conf m1.eml
rm "$WORK/full/filler"
inj full-freed full.conf m1.eml
"$TRIAGECTL" -c full.conf --json list >full-list.json
MOUNTS
	: >mounts.out
	unshare -m sh mounts.sh || { cat mounts.out; fail "mounts.sh"; }
	cat mounts.out readonly.log full.log
	assert_eq "exit status of inject on a read-only file system" \
	    "readonly 75" "$(grep '^readonly ' mounts.out)"
	assert_eq "exit status of inject, a first message on the tmpfs" \
	    "full-first 0" "$(grep '^full-first ' mounts.out)"
	assert_eq "exit status of inject with the disk full" \
	    "full 75" "$(grep '^full ' mounts.out)"
	assert_eq "exit status of inject once space is freed" \
	    "full-freed 0" "$(grep '^full-freed ' mounts.out)"
	assert_eq "requests on the tmpfs: none lost, none twice" 2 \
	    "$(json_get 'len(d["requests"])' <full-list.json)"
else
	echo "no mount namespace: read-only and full file systems skipped"
fi

# Mail that is malformed but can be taken is taken (promise 4): no
# header block, NUL and 8-bit bytes, a multipart without its closing
# boundary and an unknown charset.
printf 'not a header at all\n\000\377\376 binary junk\n' >junk.eml
inject junk.eml -c "$CONF"
assert_eq "exit status of inject (no headers, binary junk)" 0 "$INJECT_RC"
printf '%s\n' 'From: Ivo <ivo@customer.example.org>' \
    'Subject: =?x-unknown?Q?broken?= =?utf-8?B?invalid base64' \
    'Message-ID: <failclass-broken@customer.example.org>' \
    'MIME-Version: 1.0' 'Content-Type: multipart/mixed; boundary="b1"' '' \
    '--b1' 'Content-Type: text/plain; charset=x-no-such-charset' \
    'Content-Transfer-Encoding: base64' '' '!!not base64!!' '--b1' \
    'Content-Type: application/octet-stream' '' 'cut off here' >broken.eml
inject broken.eml -c "$CONF"
assert_eq "exit status of inject (broken MIME)" 0 "$INJECT_RC"
assert_eq "requests after the malformed mail" 3 "$(requests_count)"

# Messages that will never be taken.
: >empty.eml
inject empty.eml -c "$CONF"
assert_eq "exit status of inject (empty input)" 65 "$INJECT_RC"
make_msg big.eml --subject 'Too big' --body "$(head -c 6000 /dev/zero |
    tr '\0' x | fold -w 70)"
inject big.eml -c "$CONF"
assert_eq "exit status of inject (over max_message_size)" 65 "$INJECT_RC"

# Once the admin has fixed things, the MTA's retry is taken, once.
inject m1.eml -c "$CONF" -f fiona@customer.example.org
assert_eq "exit status of inject after the failures" 0 "$INJECT_RC"
assert_eq "requests after the retry" 4 "$(requests_count)"
assert_eq "subject of #4" "Deferred, not bounced" \
    "$(ctl show 4 | json_get 'd["subject"]')"
