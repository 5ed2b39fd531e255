#!/bin/sh
#
# config_check.sh (issue 2, "Config"): `triaged -t -c conf/triaged.conf`
# (the shipped file) prints "configuration OK" and exits 0, as does an
# empty file.  Broken files exit 1 with every error as FILE:LINE: SETTING:
# problem on stderr: an unknown setting, a value out of range (both
# reported from one file), a wrong type, a syntax error and an @include
# of a directory or device (libconfig would exit on it).  The daemon
# refuses to start on a broken file with the same message, and starts on
# the good one.  The commented examples of the shipped file, uncommented,
# form a valid config too.  `triaged -t --print` lists the effective
# settings with the password masked, as a file that reads back to the
# same print (conf/triaged.conf, full.conf, mailboxes), and a check
# writes no key file.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

# check FILE: runs triaged -t; sets CHECK_RC, CHECK_OUT (stdout+stderr).
check() {
	CHECK_RC=0
	CHECK_OUT=$(timeout 60 "$TRIAGED" -t -c "$1" 2>&1) || CHECK_RC=$?
	printf '%s\n' "$CHECK_OUT"
	no_sanitizer "triaged -t -c $1" "$CHECK_OUT"
}

# no_sanitizer WHAT OUTPUT: these runs log to our pipe, not a log file.
no_sanitizer() {
	for ns_word in Sanitizer "runtime error"; do
		assert_not_contains "$1: sanitizer report" "$2" "$ns_word"
	done
}

check "$top_srcdir/conf/triaged.conf"
assert_eq "exit status for the shipped config" 0 "$CHECK_RC"
assert_contains "output for the shipped config" "$CHECK_OUT" "configuration OK"

: >empty.conf
check "$WORK/empty.conf"
assert_eq "exit status for an empty config" 0 "$CHECK_RC"
assert_contains "output for an empty config" "$CHECK_OUT" "configuration OK"

write_config
check "$CONF"
assert_eq "exit status for the test config" 0 "$CHECK_RC"

# --print: every table setting with its effective value, defaults filled
# in, the password masked, a 64-bit size with its L; and -t writes no
# file (the agents' generated reply key is the daemon's to make).
PRINT=$WORK/print.conf
cat >"$PRINT" <<EOF
database = "$WORK/print/p.db";
outgoing = { smarthost = { host = "relay.example.org"; user = "bot";
  password = "pr1nt-s3cret"; }; };
limits = { max_inflight_bytes = 8589934592L; };
agents = ( { name = "anna"; addresses = [ "anna@example.test" ]; } );
EOF
PRINT_RC=0
PRINT_OUT=$(timeout 60 "$TRIAGED" -t -c "$PRINT" --print 2>&1) || PRINT_RC=$?
no_sanitizer "triaged -t --print" "$PRINT_OUT"
assert_eq "exit status of --print" 0 "$PRINT_RC"
assert_contains "--print: a set value" "$PRINT_OUT" \
    'host = "relay.example.org";'
assert_contains "--print: a default" "$PRINT_OUT" \
    'max_recipients = 100;'
assert_contains "--print: a 64-bit size" "$PRINT_OUT" \
    'max_inflight_bytes = 8589934592L;'
assert_contains "--print: the listeners" "$PRINT_OUT" \
    '{ protocol = "smtp"; address = "127.0.0.1"; port = 2525; }'
assert_contains "--print: the password masked" "$PRINT_OUT" \
    'password = "****************";'
assert_not_contains "--print: no password" "$PRINT_OUT" "pr1nt-s3cret"
assert_contains "--print: an agent" "$PRINT_OUT" 'name = "anna";'
assert_contains "--print: a section's default" "$PRINT_OUT" \
    'require = "signature-or-auth";'
assert_contains "--print still checks" "$PRINT_OUT" "configuration OK"
[ ! -e "$WORK/print/p.db.reply-key" ] ||
	fail "triaged -t made the reply key $WORK/print/p.db.reply-key"
# a few scalars of the table, one of each kind
for key in hostname database log_level token idle_timeout tls enabled \
    attach_max; do
	assert_contains "--print: $key" "$PRINT_OUT" "$key = "
done

# The printed file is a config: read back, it prints the same again
# (every section, the mailboxes with their password masked, the rules'
# conditions as written).
MBOX=$WORK/mbox.conf
cp "$top_srcdir/tests/integration/full.conf" "$MBOX"
cat >>"$MBOX" <<'EOF'
mailboxes = ( { name = "m1"; host = "imap.example.test";
  user = "u"; password = "mb-s3cret"; tags = [ "a" ]; } );
canned = { hello = "Hello {{customer_name}}"; };
EOF
for f in "$top_srcdir/conf/triaged.conf" \
    "$top_srcdir/tests/integration/full.conf" "$MBOX"; do
	name=$(basename "$f")
	RT1=$WORK/rt1-$name
	RT2=$WORK/rt2-$name
	rc=0
	timeout 60 "$TRIAGED" -t -c "$f" --print >"$RT1" 2>"$RT1.err" ||
	    rc=$?
	assert_eq "--print of $name" 0 "$rc"
	no_sanitizer "--print of $name" "$(cat "$RT1.err")"
	rc=0
	timeout 60 "$TRIAGED" -t -c "$RT1" --print >"$RT2" 2>"$RT2.err" ||
	    rc=$?
	assert_eq "the printed $name is accepted: $(cat "$RT2.err")" 0 "$rc"
	cmp -s "$RT1" "$RT2" ||
	    fail "the printed $name prints differently: $(diff "$RT1" "$RT2")"
done
RT=$(cat "$WORK/rt1-mbox.conf")
assert_contains "round trip: a mailbox" "$RT" 'host = "imap.example.test";'
assert_contains "round trip: a mailbox default" "$RT" 'folder = "INBOX";'
assert_contains "round trip: the mailbox password masked" "$RT" \
    'password = "****************";'
assert_not_contains "round trip: no mailbox password" "$RT" "mb-s3cret"
assert_contains "round trip: a canned answer" "$RT" 'hello = "Hello'
assert_contains "round trip: a rule's condition" "$RT" \
    'if = { business_hours = false; };'
assert_contains "round trip: the SLA calendars" "$RT" \
    'timezone = "Europe/Warsaw";'

# Line 3: unknown setting; line 5: value out of range.
BAD1=$WORK/bad1.conf
cat >"$BAD1" <<'EOF'
# a broken config
hostname = "triaged.example.test";
supprt = { addresses = [ "support@example.test" ]; };
limits = {
  max_recipients = 0;
};
EOF
check "$BAD1"
assert_eq "exit status for unknown setting + bad value" 1 "$CHECK_RC"
assert_contains "unknown setting" "$CHECK_OUT" "$BAD1:3: supprt: unknown setting"
assert_contains "value out of range" "$CHECK_OUT" "$BAD1:5: limits.max_recipients: "
assert_not_contains "a broken config is not OK" "$CHECK_OUT" "configuration OK"

# Line 3: a string where a number belongs.
BAD2=$WORK/bad2.conf
cat >"$BAD2" <<'EOF'
limits = {
  max_connections = 10;
  idle_timeout = "soon";
};
EOF
check "$BAD2"
assert_eq "exit status for a wrong type" 1 "$CHECK_RC"
assert_contains "wrong type" "$CHECK_OUT" "$BAD2:3: limits.idle_timeout: "

# Line 3: a syntax error.
BAD3=$WORK/bad3.conf
cat >"$BAD3" <<'EOF'
hostname = "triaged.example.test";
log_level = "info";
database = ;
EOF
check "$BAD3"
assert_eq "exit status for a syntax error" 1 "$CHECK_RC"
assert_contains "syntax error" "$CHECK_OUT" "$BAD3:3: syntax error"

# @include of a directory, ".", an empty name or a device: libconfig's
# scanner would exit(2) on the first read ("input in flex scanner
# failed"), so these are refused first, with file and line; nested
# includes too.  An include inside a comment is not read by libconfig
# and not refused.
mkdir -p "$WORK/incdir"
for name in "" "." "incdir" "../../../../../../dev/zero"; do
	printf '/* @include "." */\nlog_level = "info";\n@include "%s"\n' \
	    "$name" >"$WORK/inc.conf"
	check "$WORK/inc.conf"
	assert_eq "exit status for @include \"$name\"" 1 "$CHECK_RC"
	assert_contains "@include \"$name\"" "$CHECK_OUT" \
	    "$WORK/inc.conf:3: @include \"$name\": "
done
printf '@include "incdir/inner.conf"\n' >"$WORK/outer.conf"
printf 'log_level = "info";\n\n@include "incdir"\n' >"$WORK/incdir/inner.conf"
check "$WORK/outer.conf"
assert_eq "exit status for a nested @include of a directory" 1 "$CHECK_RC"
assert_contains "nested @include" "$CHECK_OUT" \
    "$WORK/incdir/inner.conf:3: @include \"incdir\": $WORK/incdir is a directory"
printf 'log_level = "debug";\n' >"$WORK/incdir/inner.conf"
check "$WORK/outer.conf"
assert_eq "exit status for a good nested @include" 0 "$CHECK_RC"
check "$WORK"
assert_eq "exit status for a directory as the config" 1 "$CHECK_RC"
assert_contains "a directory as the config" "$CHECK_OUT" "$WORK: is a directory"

# A missing file.
check "$WORK/does-not-exist.conf"
assert_eq "exit status for a missing file" 1 "$CHECK_RC"
assert_contains "missing file" "$CHECK_OUT" "$WORK/does-not-exist.conf"

# The daemon refuses to start on a broken config, with the same message.
for bad in "$BAD1" "$BAD3"; do
	rc=0
	out=$(timeout 60 "$TRIAGED" -c "$bad" 2>&1 </dev/null) || rc=$?
	printf '%s\n' "$out"
	no_sanitizer "triaged -c $bad" "$out"
	assert_eq "exit status of triaged -c $(basename "$bad")" 1 "$rc"
	assert_not_contains "triaged -c $(basename "$bad")" "$out" " ready"
done
assert_contains "daemon on bad3.conf" "$out" "$BAD3:3: syntax error"
out=$(timeout 60 "$TRIAGED" -c "$BAD1" 2>&1 </dev/null || true)
assert_contains "daemon on bad1.conf" "$out" "$BAD1:3: supprt: unknown setting"
assert_contains "daemon on bad1.conf" "$out" "$BAD1:5: limits.max_recipients: "

start_triaged
stop_triaged

# Every commented example in the shipped file, uncommented together, is a
# valid config: the documentation cannot drift from what triaged accepts.
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$WORK/reply.key"
"$PYTHON" - "$top_srcdir/conf/triaged.conf" "$WORK/reply.key" \
    >"$WORK/examples.conf" <<'EOF'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
out = []
for block in text.split("\n\n"):
    lines = block.strip("\n").split("\n")
    if "#" not in lines:
        continue
    code = lines[lines.index("#") + 1:]
    if not code or not all(l.startswith("#") for l in code):
        continue
    code = [l[2:] if l.startswith("# ") else l[1:] for l in code]
    if re.match(r"^[a-z_]+ = ", code[0]):
        out.append("\n".join(code))
conf = "\n\n".join(out).replace("/etc/triaged/reply.key", sys.argv[2])
print(conf)
print("examples: %d blocks" % len(out), file=sys.stderr)
EOF
for section in mailboxes agents agent_mail notifications canned priorities \
    categories companies tags rules calendars sla_policies sla reports \
    metrics; do
	grep -q "^$section = " "$WORK/examples.conf" ||
	    fail "no commented example of $section in conf/triaged.conf"
done
check "$WORK/examples.conf"
assert_eq "exit status for the shipped examples" 0 "$CHECK_RC"
assert_contains "the shipped examples" "$CHECK_OUT" "configuration OK"
