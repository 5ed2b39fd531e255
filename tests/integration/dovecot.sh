# dovecot.sh: a private Dovecot IMAP server for the IMAP intake tests
# (issue 3).  Sourced after lib.sh:
#	. "$top_srcdir/tests/integration/lib.sh"
#	. "$top_srcdir/tests/integration/dovecot.sh"
#
# start_dovecot USER...: writes a Dovecot config under $WORK/dovecot
# (base_dir, state_dir, log, users, certificate and every Maildir inside
# it), listening on 127.0.0.1 only: plain IMAP (STARTTLS offered) on
# $IMAP_PORT and implicit TLS on $IMAPS_PORT, both free ports chosen once,
# so a restart keeps them.  Each USER logs in with password "pw-USER" and
# has the Maildir $DOVECOT_DIR/mail/USER.  The certificate
# ($DOVECOT_CERT) is self-signed for CN and IP SAN 127.0.0.1 (and DNS
# localhost), so it serves as its own ca_file.  Sets DOVECOT_PID.
# stop_dovecot / restart_dovecot: by PID, the same config and data.
#
# imap_append USER FOLDER FILE... / imap_gen USER FOLDER N PREFIX [START]:
# APPEND over one connection (see tests/peers/imaptool.py).  imap_count
# USER FOLDER [ALL|SEEN|UNSEEN|ANY] (-1: no such folder), imap_ids,
# imap_unseen, imap_uidvalidity, imap_delete_folder, imap_create_folder.
# DOVECOT_EXTRA_CONF, when set, is appended to the config (LMTP, Sieve).
# mailbox_conf NAME USER [key = value; ...]: prints one entry of the
# daemon's `mailboxes` list for USER on this Dovecot (plain IMAP, the
# caller adds tls and the rest).
# Daemon side: log_count REGEX (lines of $TRIAGED_LOG), mailbox_json NAME
# EXPR (triagectl mailboxes --json), imap_stored PREFIX (messages stored
# with Message-ID <PREFIX-i@...>), imap_check PREFIX N SOURCE (each of
# them exactly one request with that source).
#
# Dovecot runs as root here (CI) with its own users dovenull and dovecot
# (Debian's dovecot-core); mail processes run as dovecot.  Without root or
# those users the test is skipped (77).

DOVECOT_BIN=${DOVECOT_BIN:-/usr/sbin/dovecot}
IMAPTOOL=$top_srcdir/tests/peers/imaptool.py
DOVECOT_DIR=$WORK/dovecot
DOVECOT_CONF=$DOVECOT_DIR/dovecot.conf
DOVECOT_CERT=$DOVECOT_DIR/cert.pem
DOVECOT_LOG=$DOVECOT_DIR/dovecot.log
DOVECOT_PID=""
IMAP_PORT=""
IMAPS_PORT=""
DOVECOT_TIMEOUT=30

if [ ! -x "$DOVECOT_BIN" ] || [ ! -x /usr/lib/dovecot/imap ]; then
	echo "SKIP: no Dovecot IMAP server (Debian dovecot-imapd)"
	exit 77
fi
if [ "$(id -u)" != 0 ] || ! id dovecot >/dev/null 2>&1 ||
    ! id dovenull >/dev/null 2>&1; then
	echo "SKIP: Dovecot needs root and the users dovecot and dovenull"
	exit 77
fi
command -v openssl >/dev/null 2>&1 || { echo "SKIP: no openssl"; exit 77; }

# The mail processes run as dovecot: they must reach $WORK.
chmod 755 "$WORK"

start_dovecot() {
	mkdir -p "$DOVECOT_DIR/run" "$DOVECOT_DIR/state" "$DOVECOT_DIR/mail"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -days 2 -subj /CN=127.0.0.1 \
	    -addext subjectAltName=IP:127.0.0.1,DNS:localhost \
	    -keyout "$DOVECOT_DIR/key.pem" -out "$DOVECOT_CERT" \
	    >/dev/null 2>&1 || fail "openssl could not make a certificate"
	sd_uid=$(id -u dovecot)
	sd_gid=$(id -g dovecot)
	: >"$DOVECOT_DIR/users"
	for sd_user in "$@"; do
		echo "$sd_user:{PLAIN}pw-$sd_user:$sd_uid:$sd_gid::$DOVECOT_DIR/mail/$sd_user::" \
		    >>"$DOVECOT_DIR/users"
		mkdir -p "$DOVECOT_DIR/mail/$sd_user"
	done
	chown -R dovecot:dovecot "$DOVECOT_DIR/mail"
	# A free port may be taken by someone else before Dovecot binds it:
	# then new ports, up to three times.
	for sd_try in 1 2 3; do
		IMAP_PORT=$(free_port)
		IMAPS_PORT=$(free_port)
		while [ "$IMAPS_PORT" = "$IMAP_PORT" ]; do
			IMAPS_PORT=$(free_port)
		done
		dovecot_write_conf
		dovecot_run "$1" && return 0
		grep -q 'Address already in use' "$DOVECOT_LOG" \
		    "$DOVECOT_DIR/dovecot.out" 2>/dev/null ||
		    fail "dovecot exited at start (see $DOVECOT_LOG)"
		echo "dovecot: port taken, try $sd_try" >&2
		: >"$DOVECOT_LOG"
		: >"$DOVECOT_DIR/dovecot.out"
	done
	fail "dovecot: no free ports after 3 tries"
}

dovecot_write_conf() {
	cat >"$DOVECOT_CONF" <<EOF
# written by tests/integration/dovecot.sh for $TEST_NAME
base_dir = $DOVECOT_DIR/run
state_dir = $DOVECOT_DIR/state
log_path = $DOVECOT_LOG
instance_name = triaged-test-$$
protocols = imap
listen = 127.0.0.1
shutdown_clients = yes
default_login_user = dovenull
default_internal_user = dovecot
default_internal_group = dovecot
first_valid_uid = 1
first_valid_gid = 1
auth_mechanisms = plain login
disable_plaintext_auth = no
# A failed login (imap_errors.sh) must not slow down the good ones: no
# failure delay, and no per-IP penalty for the (trusted) loopback.
auth_failure_delay = 0
login_trusted_networks = 127.0.0.0/8
ssl = yes
ssl_cert = <$DOVECOT_CERT
ssl_key = <$DOVECOT_DIR/key.pem
ssl_min_protocol = TLSv1.2
mail_location = maildir:$DOVECOT_DIR/mail/%u
mail_fsync = never
passdb {
  driver = passwd-file
  args = scheme=PLAIN $DOVECOT_DIR/users
}
userdb {
  driver = passwd-file
  args = $DOVECOT_DIR/users
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $IMAPS_PORT
    ssl = yes
  }
}
${DOVECOT_EXTRA_CONF:-}
EOF
}

# dovecot_run USER: starts Dovecot on $DOVECOT_CONF and waits until USER
# can log in; returns 1 if Dovecot exited (its output is in the log).
dovecot_run() {
	"$DOVECOT_BIN" -F -c "$DOVECOT_CONF" \
	    >>"$DOVECOT_DIR/dovecot.out" 2>&1 </dev/null &
	DOVECOT_PID=$!
	LIB_PIDS="$LIB_PIDS $DOVECOT_PID"
	dr_n=$((DOVECOT_TIMEOUT * 10))
	while ! imaptool --user "$1" login >/dev/null 2>&1; do
		if pid_gone "$DOVECOT_PID"; then
			cat "$DOVECOT_DIR/dovecot.out" "$DOVECOT_LOG" >&2 || true
			stop_pid "$DOVECOT_PID" || true
			DOVECOT_PID=""
			return 1
		fi
		dr_n=$((dr_n - 1))
		[ "$dr_n" -gt 0 ] ||
		    fail "dovecot: no LOGIN after $DOVECOT_TIMEOUT s"
		sleep 0.1
	done
	echo "dovecot pid $DOVECOT_PID imap $IMAP_PORT imaps $IMAPS_PORT"
}

stop_dovecot() {
	[ -n "$DOVECOT_PID" ] || return 0
	stop_pid "$DOVECOT_PID" || fail "dovecot did not stop cleanly"
	DOVECOT_PID=""
}

# restart_dovecot USER: the same config, ports and mail.
restart_dovecot() {
	stop_dovecot
	dovecot_run "$1" || fail "dovecot exited at restart (see $DOVECOT_LOG)"
}

# imaptool [--user U] ARGS...: imaptool.py on our Dovecot's plain port.
imaptool() {
	if [ "$1" = --user ]; then
		it_user=$2
		shift 2
	else
		it_user=a
	fi
	"$PYTHON" "$IMAPTOOL" --port "$IMAP_PORT" --user "$it_user" \
	    --password "pw-$it_user" "$@"
}

imap_append() {	# USER FOLDER FILE...
	ia_user=$1
	shift
	imaptool --user "$ia_user" append "$@" >/dev/null ||
	    fail "APPEND to $ia_user failed"
}

imap_gen() {	# USER FOLDER N PREFIX [START]
	imaptool --user "$1" append "$2" --gen "$3" --prefix "$4" \
	    --start "${5:-0}" >/dev/null || fail "APPEND to $1 failed"
}

imap_count() {	# USER FOLDER [ALL|SEEN|UNSEEN]
	imaptool --user "$1" count "$2" "${3:-ALL}"
}

imap_ids() {	# USER FOLDER [ALL|SEEN|UNSEEN]
	imaptool --user "$1" ids "$2" "${3:-ALL}"
}

# imap_unseen USER FOLDER N: removes \Seen from N messages that have it.
imap_unseen() {
	imaptool --user "$1" unseen "$2" "$3" >/dev/null ||
	    fail "cannot remove \\Seen in $2 of $1"
}

imap_uidvalidity() {	# USER FOLDER
	imaptool --user "$1" uidvalidity "$2"
}

imap_delete_folder() {	# USER FOLDER
	imaptool --user "$1" delete "$2" || fail "cannot delete $2 of $1"
}

imap_create_folder() {	# USER FOLDER
	imaptool --user "$1" create "$2" || fail "cannot create $2 of $1"
}

# mailbox_conf NAME USER [MORE]: one `mailboxes` entry for USER here;
# MORE is further settings ("tls = \"implicit\"; port = N; ...").
mailbox_conf() {
	cat <<EOF
  {
    name = "$1";
    host = "127.0.0.1";
    user = "$2";
    password = "pw-$2";
    $3
  }
EOF
}

# log_count REGEX [LOG]: lines of the daemon's log matching REGEX.
log_count() {
	grep -c -e "$1" "${2:-$TRIAGED_LOG}" 2>/dev/null || true
}

# mailbox_json NAME EXPR: EXPR on the `triagectl mailboxes --json` entry
# of mailbox NAME (as m).
mailbox_json() {
	ctl mailboxes | json_get \
	    "[m for m in d['mailboxes'] if m['name'] == '$1'][0]$2"
}

# imap_stored PREFIX: the number of stored incoming messages whose
# Message-ID starts with PREFIX- (straight from the database, read only).
imap_stored() {
	db_value "SELECT count(*) FROM messages WHERE direction = 'in' AND
	    message_id LIKE '%$1-%'" 2>/dev/null || echo -1
}

# imap_check PREFIX N SOURCE: messages <PREFIX-0@...> .. <PREFIX-(N-1)@...>
# are each stored exactly once as an incoming message with source SOURCE,
# each opening a request of its own (read-only look at the database).
# Prints what is wrong and returns 1, else prints "ok: ..." and returns 0.
imap_check() {
	PYTHONPATH=$top_srcdir/tests/peers "$PYTHON" - "$DATABASE" "$1" "$2" \
	    "$3" <<'PYEOF'
import collections, re, sys, testdb
db, prefix, n, source = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
con = testdb.connect(db)
pat = re.compile(r"^<?" + re.escape(prefix) + r"-(\d+)@")
seen, tickets, bad = collections.Counter(), collections.Counter(), []
for mid, tid, src in con.execute(
        "SELECT message_id, ticket_id, source FROM messages "
        "WHERE direction = 'in' AND message_id LIKE ?",
        ("%" + prefix + "-%",)):
    m = pat.match(mid or "")
    if not m:
        continue
    seen[int(m.group(1))] += 1
    tickets[tid] += 1
    if src != source:
        bad.append("%s: source %r" % (mid, src))
problems = []
missing = [i for i in range(n) if seen[i] == 0]
if missing:
    problems.append("%d of %d missing, e.g. %s" % (len(missing), n, missing[:5]))
twice = [i for i, c in seen.items() if c > 1]
if twice:
    problems.append("stored more than once: %s" % twice[:5])
extra = [i for i in seen if i >= n]
if extra:
    problems.append("unexpected: %s" % extra[:5])
shared = [t for t, c in tickets.items() if c > 1]
if shared:
    problems.append("requests holding several of them: %s" % shared[:5])
if bad:
    problems.append("wrong source: %s" % bad[:3])
for p in problems:
    print("%s: %s" % (prefix, p))
if not problems:
    print("ok: %s-0..%d each one request, source %s" % (prefix, n - 1, source))
sys.exit(1 if problems else 0)
PYEOF
}
