#!/bin/sh
#
# opensmtpd.sh (issue 14): triaged behind a real OpenSMTPD (Debian's
# opensmtpd 6.8, unpacked with dpkg-deb -x into a cache, since Debian
# installs one MTA at a time and Postfix is the one installed),
# configured with contrib/opensmtpd/smtpd.conf as shipped: example.com
# becomes example.test, port 2424 the daemon's LMTP port, port 25 a
# loopback port of this test, the outbound relay a relay to the sink (the
# "Internet").  OpenSMTPD runs as root (it must: it forks its privilege
# separated processes as opensmtpd/opensmtpq and chroots them), in a
# private mount namespace where /etc/passwd has its users, its spool and
# /run are a tmpfs, and its helpers (/usr/libexec/opensmtpd/mail.lmtp)
# and chroot (/var/lib/opensmtpd/empty) are laid over the system's by a
# read-only overlay.  The clients connect from 127.0.0.2, which is not
# "local" to it.
#
# Checked as for Postfix and Exim (mta_scenario.sh): mail from outside to
# the support address becomes a request; an unknown address of the
# support domain is refused at RCPT; relaying for strangers is refused;
# the acknowledgement leaves through OpenSMTPD; an agent's answer to the
# signed `+` Reply-To reaches triaged intact and is relayed to the
# customer.  And a note to the agents' note address (support-note@,
# which triaged wants apart from the support addresses) arrives and
# becomes an internal note; UTF-8 headers pass
# (8BITMIME).  UTF-8 addresses do not: OpenSMTPD 6.8 has no SMTPUTF8.
#
# The package: $MTA_CACHE/opensmtpd (default $top_builddir/mta-cache)
# holds it; when missing, `apt-get download opensmtpd` fetches it
# (skipped when that fails: no network, no apt).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/agent_lib.sh"
ANNA=anna@agents.example.net
BOB=bob@agents.example.net

if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
	echo "SKIP: a private OpenSMTPD needs root and unshare"
	exit 77
fi
if ! "$PYTHON" -c 'import socket; s = socket.socket();
s.bind(("127.0.0.2", 0))' 2>/dev/null; then
	echo "SKIP: cannot bind 127.0.0.2 (the outside client's address)"
	exit 77
fi
MTA_CACHE=${MTA_CACHE:-$top_builddir/mta-cache}
OSMTPD_ROOT=$MTA_CACHE/opensmtpd/root
SMTPD=$OSMTPD_ROOT/usr/sbin/smtpd
if [ ! -x "$SMTPD" ]; then
	mkdir -p "$MTA_CACHE/opensmtpd/debs"
	if ! (cd "$MTA_CACHE/opensmtpd/debs" && timeout 300 apt-get download \
	    opensmtpd) >"$WORK/apt.log" 2>&1; then
		echo "SKIP: cannot download OpenSMTPD ($(tail -n 1 "$WORK/apt.log"))"
		exit 77
	fi
	for deb in "$MTA_CACHE"/opensmtpd/debs/*.deb; do
		dpkg-deb -x "$deb" "$OSMTPD_ROOT" || fail "dpkg-deb -x $deb"
	done
fi

chmod 755 "$WORK"
X=$WORK/opensmtpd
MTA_PORT=$(free_port)
mkdir -p "$X/varlib/opensmtpd/empty"
cp /etc/passwd "$X/passwd"
cp /etc/group "$X/group"
for u in opensmtpd:64980 opensmtpq:64981; do
	name=${u%:*}
	id=${u#*:}
	grep -q "^$name:" "$X/passwd" ||
	    echo "$name:x:$id:$id::/nonexistent:/usr/sbin/nologin" >>"$X/passwd"
	grep -q "^$name:" "$X/group" || echo "$name:x:$id:" >>"$X/group"
done

start_sink --smtputf8
write_config sink
# The smarthost is OpenSMTPD, not the sink.
sed -i -e "s/^    port = $SINK_PORT;/    port = $MTA_PORT;/" "$CONF"
grep -q "port = $MTA_PORT;" "$CONF" || fail "smarthost not set in $CONF"
agents_settings
start_triaged

# The shipped file: our ports, and the relay out goes to the sink.
sed -e "s/example\.com/example.test/g" -e 's/example\\\.com/example\\.test/g' \
    -e "s/^listen on 0\.0\.0\.0 port 25$/listen on 127.0.0.1 port $MTA_PORT hostname smtpd.example.test/" \
    -e "s/127\.0\.0\.1:2424/127.0.0.1:$LMTP_PORT/" \
    -e "s|^action \"outbound\" relay$|action \"outbound\" relay host smtp://127.0.0.1:$SINK_PORT|" \
    "$top_srcdir/contrib/opensmtpd/smtpd.conf" >"$X/smtpd.conf"
grep -q "port $MTA_PORT" "$X/smtpd.conf" || fail "listen not rewritten"
grep -q ":$SINK_PORT" "$X/smtpd.conf" || fail "relay not rewritten"
grep -q ":$LMTP_PORT" "$X/smtpd.conf" || fail "lmtp not rewritten"


# smtpd_in_ns ARGS...: OpenSMTPD in its namespace (see the top); with
# SMTPD_BG=1 (run with &) it replaces the subshell, so $! is smtpd's own
# PID, and leads a process group of its own.
smtpd_in_ns() {
	${SMTPD_BG:+exec setsid} unshare --mount sh -c 'set -e
	    mount --bind "$1/passwd" /etc/passwd
	    mount --bind "$1/group" /etc/group
	    mount -t tmpfs -o mode=0755 tmpfs /var/spool
	    mkdir -m 0711 /var/spool/smtpd
	    mount -t tmpfs -o mode=0755 tmpfs /run
	    mount -t overlay overlay -o "lowerdir=$1/varlib:/var/lib" /var/lib
	    mount -t overlay overlay \
	        -o "lowerdir=$2/usr/libexec:/usr/libexec" /usr/libexec
	    shift 2
	    exec "$@"' sh "$X" "$OSMTPD_ROOT" "$SMTPD" -f "$X/smtpd.conf" "$@"
}
smtpd_in_ns -n >"$WORK/smtpd-check.log" 2>&1 ||
    fail "smtpd -n: $(cat "$WORK/smtpd-check.log")"
MTA_LOG=$WORK/smtpd.log
# $! was the function's subshell, and a SIGTERM to it left smtpd
# running after the test; now smtpd is $! and leads its group (setsid
# does not fork here), so a helper that outlives the parent goes too.
SMTPD_BG=1 smtpd_in_ns -d -v >"$MTA_LOG" 2>&1 </dev/null &
MTA_PID=$!
LIB_PIDS="$LIB_PIDS $MTA_PID"
LIB_PGIDS="$LIB_PGIDS $MTA_PID"
wait_for '"$PYTHON" -c "import socket; socket.create_connection((\"127.0.0.1\",
    $MTA_PORT), 1).close()" 2>/dev/null' 30 ||
    fail "OpenSMTPD did not listen on $MTA_PORT ($(cat "$MTA_LOG"))"
# mta_send FROM RCPT FILE: one SMTP transaction with OpenSMTPD from
# outside (tests/peers/mta_send.py); prints the reply that ended it.
mta_send() {
	"$PYTHON" "$top_srcdir/tests/peers/mta_send.py" "$1" "$2" "$MTA_PORT" "$3"
}

. "$top_srcdir/tests/integration/mta_scenario.sh"
MTA_NAME=OpenSMTPD
MTA_LMTP_SEEN="rcpt=<$SUPPORT> user=nobody delay="
MTA_UNKNOWN_REPLY="550 Invalid recipient"
MTA_RELAY_REPLY="550 Invalid recipient"
MTA_RECEIVED_BY="by smtpd.example.test (OpenSMTPD)"
# OpenSMTPD 6.8 offers 8BITMIME but not SMTPUTF8 (RFC 6531): a UTF-8
# address cannot pass it (mta_send gets "SMTPUTF8 not supported").
MTA_SMTPUTF8=no
mta_scenario

# UTF-8 in the header and body, with ASCII addresses, does pass (8BITMIME).
cat >u2.eml <<'EOF'
From: Jörg Müller <joerg@buecher.example>
To: support@example.test
Subject: Grüße aus Köln
Message-ID: <pf-utf8-headers@buecher.example>
Date: Sat, 05 Dec 2026 06:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Der Drucker brennt.
EOF
out=$(mta_send joerg@buecher.example "$SUPPORT" u2.eml)
assert_contains "UTF-8 headers through OpenSMTPD" "$out" "250"
wait_for '[ "$(requests_count)" -ge 2 ]' 30 ||
    fail "the mail with UTF-8 headers did not become a request"
assert_eq "subject of #2" "Grüße aus Köln" \
    "$(ctl show 2 | json_get 'd["subject"]')"

# anna's #note in a reply to the signed + address: the address arrives
# whole, the proof holds, the text becomes an internal note, not relayed.
"$PYTHON" "$AGENT_REPLY" "$(mail_file_to "$ANNA")" note.eml \
    --from "Anna Agent <$ANNA>" \
    --text "#note
Customer called, the printer is a 1998 model."
out=$(mta_send "$ANNA" "$SIGNED" note.eml)
assert_contains "the #note through OpenSMTPD" "$out" "250"
wait_for '[ "$(db_sql "SELECT count(*) FROM messages WHERE ticket_id = 1
    AND direction = '"'note'"' AND body LIKE '"'%1998 model%'"'")" = 1 ]' 30 ||
    fail "the #note did not become a note on #1"
assert_eq "the note reached no customer" 0 "$(db_sql "SELECT count(*)
    FROM outbox WHERE data LIKE '%1998 model%'")"

# Mail to the note address (support-note@, which triaged wants apart from
# the support addresses) passes OpenSMTPD whole; with its
# Authentication-Results written by the sender, below OpenSMTPD's
# Received, it proves nothing (promise 5): customer mail, flagged.
make_msg n1.eml --from "Anna Agent <$ANNA>" --to "$NOTE_ADDR" \
    --subject 'Re: [#1] Printer on fire' \
    --message-id '<note1@agents.example.net>' \
    --header "Authentication-Results: mx.example.test; dkim=pass header.d=agents.example.net" \
    --body 'A forged note.\n'
out=$(mta_send "$ANNA" "$NOTE_ADDR" n1.eml)
assert_contains "mail to the note address through OpenSMTPD" "$out" "250"
wait_for 'grep -q "rcpt=<$NOTE_ADDR>" "$TRIAGED_LOG"' 30 ||
    fail "triaged did not get the note address"
assert_contains "an outside A-R proves nothing" "$(cat "$TRIAGED_LOG")" \
    "auth=below-received"
assert_eq "requests after the note" 2 "$(requests_count)"

stop_pid "$MTA_PID" || true
stop_triaged
