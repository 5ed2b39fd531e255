#!/bin/sh
#
# exim.sh (issue 14): triaged behind a real Exim 4 (Debian's
# exim4-daemon-light, unpacked with dpkg-deb -x into a cache, since Debian
# installs one MTA at a time and Postfix is the one installed), configured
# with contrib/exim4/exim4.conf as shipped: example.com becomes
# example.test, port 2424 the daemon's LMTP port, the DNS router a route
# to the sink (the "Internet"); paths, the loopback port and the exim
# user (in a private mount namespace, with /etc/passwd bound over by a
# copy that has Debian-exim) are this test's.  The clients connect from
# 127.0.0.2, outside relay_from_hosts.
#
# Checked as for Postfix (postfix.sh): mail from outside to the support
# address becomes a request; an unknown address of the support domain is
# refused at RCPT; relaying for strangers is refused; the acknowledgement
# leaves through Exim; an agent's answer to the signed `+` Reply-To
# reaches triaged intact and is relayed to the customer; UTF-8 mail
# passes (SMTPUTF8).
#
# The packages: $MTA_CACHE (default $top_builddir/mta-cache) holds the
# unpacked tree; when it lacks Exim, `apt-get download` fetches
# exim4-daemon-light, exim4-base and libidn12 into it (skipped when that
# fails: no network, no apt).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/agent_lib.sh"
ANNA=anna@agents.example.net
BOB=bob@agents.example.net

if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
	echo "SKIP: a private Exim needs root and unshare"
	exit 77
fi
if ! "$PYTHON" -c 'import socket; s = socket.socket();
s.bind(("127.0.0.2", 0))' 2>/dev/null; then
	echo "SKIP: cannot bind 127.0.0.2 (the outside client's address)"
	exit 77
fi
MTA_CACHE=${MTA_CACHE:-$top_builddir/mta-cache}
EXIM_ROOT=$MTA_CACHE/root
EXIM=$EXIM_ROOT/usr/sbin/exim4
if [ ! -x "$EXIM" ]; then
	mkdir -p "$MTA_CACHE/debs"
	if ! (cd "$MTA_CACHE/debs" && timeout 300 apt-get download \
	    exim4-daemon-light exim4-base libidn12) >"$WORK/apt.log" 2>&1; then
		echo "SKIP: cannot download Exim ($(tail -n 1 "$WORK/apt.log"))"
		exit 77
	fi
	for deb in "$MTA_CACHE"/debs/*.deb; do
		dpkg-deb -x "$deb" "$EXIM_ROOT" || fail "dpkg-deb -x $deb"
	done
fi
EXIM_LIBS=$EXIM_ROOT/usr/lib/x86_64-linux-gnu

chmod 755 "$WORK"
X=$WORK/exim
MTA_PORT=$(free_port)
mkdir -p "$X/spool" "$X/log"
cp /etc/passwd "$X/passwd"
cp /etc/group "$X/group"
grep -q '^Debian-exim:' "$X/passwd" ||
    echo 'Debian-exim:x:64990:64990::/nonexistent:/usr/sbin/nologin' \
    >>"$X/passwd"
grep -q '^Debian-exim:' "$X/group" || echo 'Debian-exim:x:64990:' >>"$X/group"
EXIM_UID=$(sed -n 's/^Debian-exim:x:\([0-9]*\):.*/\1/p' "$X/passwd")
chown -R "$EXIM_UID" "$X/spool" "$X/log"

start_sink --smtputf8
write_config sink
# The smarthost is Exim, not the sink.
sed -i -e "s/^    port = $SINK_PORT;/    port = $MTA_PORT;/" "$CONF"
grep -q "port = $MTA_PORT;" "$CONF" || fail "smarthost not set in $CONF"
agents_settings
start_triaged

cat >"$X/exim4.conf" <<EOF
# private instance for tests/integration/exim.sh
primary_hostname = exim.example.test
daemon_smtp_ports = $MTA_PORT
local_interfaces = 127.0.0.1
spool_directory = $X/spool
log_file_path = $X/log/%slog
pid_file_path = $X/exim.pid
host_lookup =
rfc1413_hosts =
# Exim re-executes itself (queue runs, deliveries) by exim_path.
exim_path = $EXIM
keep_environment =
EOF
# The shipped file, with the DNS router replaced by a route to the sink.
awk -v lmtp="$LMTP_PORT" -v sink="$SINK_PORT" '
/^# --- outside/ {
	print "outside:"
	print "  driver = manualroute"
	print "  domains = ! +support_domains"
	print "  route_list = * 127.0.0.1"
	print "  self = send"
	print "  transport = to_sink"
	print "  no_more"
	skip = 1; next
}
/^# --- end outside/ { skip = 0; next }
skip { next }
/^begin retry/ {
	print "to_sink:"
	print "  driver = smtp"
	print "  port = " sink
	print "  allow_localhost"
	print ""
}
{ gsub(/example\.com/, "example.test"); sub(/port = 2424/, "port = " lmtp);
  print }
' "$top_srcdir/contrib/exim4/exim4.conf" >>"$X/exim4.conf"
# The loader cache of the namespace finds libidn in the unpacked tree
# (Exim re-executes itself with a clean environment: no LD_LIBRARY_PATH).
{ cat /etc/ld.so.conf; echo "$EXIM_LIBS"; } >"$X/ld.so.conf"
ldconfig -C "$X/ld.so.cache" -f "$X/ld.so.conf" 2>/dev/null ||
    fail "ldconfig for the unpacked Exim"
# exim_in_ns ARGS...: Exim in a mount namespace that knows Debian-exim.
exim_in_ns() {
	unshare --mount sh -c 'mount --bind "$1" /etc/passwd &&
	    mount --bind "$2" /etc/group &&
	    mount --bind "$3" /etc/ld.so.cache && shift 3 && exec "$@"' sh \
	    "$X/passwd" "$X/group" "$X/ld.so.cache" \
	    "$EXIM" -C "$X/exim4.conf" "$@"
}
exim_in_ns -bV >"$WORK/exim-check.log" 2>&1 ||
    fail "exim -bV: $(cat "$WORK/exim-check.log")"
exim_in_ns -bdf -q2s >"$WORK/exim.out" 2>&1 </dev/null &
MTA_PID=$!
LIB_PIDS="$LIB_PIDS $MTA_PID"
wait_for '"$PYTHON" -c "import socket; socket.create_connection((\"127.0.0.1\",
    $MTA_PORT), 1).close()" 2>/dev/null' 30 ||
    fail "Exim did not listen on $MTA_PORT ($(cat "$WORK/exim.out"))"
MTA_LOG=$X/log/mainlog
# stop_exim: the daemon, and whatever it left running (by its pid file).
stop_exim() {
	stop_pid "$MTA_PID" || true
	if [ -s "$X/exim.pid" ]; then
		kill "$(cat "$X/exim.pid")" 2>/dev/null || true
	fi
}
trap 'lt_saved=$?; stop_exim; lib_teardown $lt_saved' EXIT
# mta_send FROM RCPT FILE: one SMTP transaction with Exim from outside
# (tests/peers/mta_send.py); prints the reply that ended it.
mta_send() {
	"$PYTHON" "$top_srcdir/tests/peers/mta_send.py" "$1" "$2" "$MTA_PORT" "$3"
}

. "$top_srcdir/tests/integration/mta_scenario.sh"
MTA_NAME=Exim
MTA_LMTP_SEEN="=> support@example.test R=triaged T=triaged_lmtp H=127.0.0.1"
MTA_UNKNOWN_REPLY="550 5.1.1 Unknown address"
MTA_RELAY_REPLY="relay not permitted"
MTA_RECEIVED_BY="by exim.example.test"
MTA_SENT_UTF8="=> jörg@bücher.example R=outside"
mta_scenario

stop_exim
stop_triaged
