#!/bin/sh
#
# postfix.sh (issue 14): triaged behind a real Postfix (Debian's package),
# configured with contrib/postfix/ as it is shipped (example.com becomes
# example.test, port 2424 the daemon's LMTP port, /etc/postfix/ a private
# config_directory; the private instance listens on loopback only and
# its queue is under $WORK).  The test's clients connect from 127.0.0.2,
# outside Postfix's mynetworks (127.0.0.1), as strangers on the Internet
# would; triaged sends from 127.0.0.1 through Postfix as its smarthost, and
# Postfix delivers outside domains to the sink (their "MX").
#
# Checked: mail from an outside domain to the support address becomes a
# request (no "Relay access denied"); an unknown address of the support
# domain is refused at RCPT (550 5.1.1), and relaying elsewhere too; the
# acknowledgement leaves through Postfix; an agent's answer to the signed
# `+` Reply-To of a notification reaches triaged intact through Postfix
# and is relayed to the customer as the agent's reply; a UTF-8 message
# from an internationalised address passes (SMTPUTF8).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/agent_lib.sh"
# Agents outside the support domain: relay_domains covers its subdomains
# too (parent_domain_matches_subdomains).
ANNA=anna@agents.example.net
BOB=bob@agents.example.net

POSTFIX=/usr/sbin/postfix
if [ ! -x "$POSTFIX" ] || [ ! -x /usr/lib/postfix/sbin/master ]; then
	echo "SKIP: Postfix is not installed (Debian postfix)"
	exit 77
fi
if [ "$(id -u)" != 0 ] || ! id postfix >/dev/null 2>&1; then
	echo "SKIP: a private Postfix needs root and the postfix user"
	exit 77
fi
if ! "$PYTHON" -c 'import socket; s = socket.socket();
s.bind(("127.0.0.2", 0))' 2>/dev/null; then
	echo "SKIP: cannot bind 127.0.0.2 (the outside client's address)"
	exit 77
fi

chmod 755 "$WORK"	# Postfix's daemons run as user postfix
PF=$WORK/postfix
PF_PORT=$(free_port)
mkdir -p "$PF/queue" "$PF/data"
chown postfix "$PF/data"

start_sink --smtputf8
write_config sink
# The smarthost is Postfix, not the sink.
sed -i -e "s/^    port = $SINK_PORT;/    port = $PF_PORT;/" "$CONF"
grep -q "port = $PF_PORT;" "$CONF" || fail "smarthost not set in $CONF"
agents_settings
start_triaged

# contrib/postfix as shipped, for this test's domain and ports.
from_contrib() {
	sed -e 's/example\.com/example.test/g' \
	    -e "s/127\.0\.0\.1:2424/127.0.0.1:$LMTP_PORT/" \
	    -e "s|/etc/postfix/|$PF/|g" "$top_srcdir/contrib/postfix/$1"
}
from_contrib triaged_recipients >"$PF/triaged_recipients"
from_contrib triaged_transport >"$PF/triaged_transport"
# The outside world: customers' and agents' domains are the sink.
for dom in customer.example.org agents.example.net outside.example \
    bücher.example; do
	printf '%s\tsmtp:[127.0.0.1]:%s\n' "$dom" "$SINK_PORT" \
	    >>"$PF/triaged_transport"
done
cat >"$PF/main.cf" <<EOF
# private instance for tests/integration/postfix.sh
compatibility_level = 3.6
config_directory = $PF
queue_directory = $PF/queue
data_directory = $PF/data
daemon_directory = /usr/lib/postfix/sbin
command_directory = /usr/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.example.test
mydomain = example.test
mydestination =
alias_maps =
alias_database =
local_recipient_maps =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
smtp_dns_support_level = disabled
maillog_file_prefixes = $WORK
maillog_file = $PF/maillog
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
smtpd_banner = \$myhostname ESMTP
biff = no
EOF
from_contrib main.cf >>"$PF/main.cf"
cat >"$PF/master.cf" <<EOF
127.0.0.1:$PF_PORT inet n - n - - smtpd
cleanup   unix n - n - 0 cleanup
qmgr      unix n - n 300 1 qmgr
rewrite   unix - - n - - trivial-rewrite
bounce    unix - - n - 0 bounce
defer     unix - - n - 0 bounce
trace     unix - - n - 0 bounce
verify    unix - - n - 1 verify
flush     unix n - n 1000? 0 flush
proxymap  unix - - n - - proxymap
smtp      unix - - n - - smtp
relay     unix - - n - - smtp
showq     unix n - n - - showq
error     unix - - n - - error
retry     unix - - n - - error
discard   unix - - n - - discard
lmtp      unix - - n - - lmtp
anvil     unix - - n - 1 anvil
scache    unix - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
EOF
postmap -c "$PF" "hash:$PF/triaged_recipients" "hash:$PF/triaged_transport" ||
    fail "postmap failed"
"$POSTFIX" -c "$PF" check 2>"$WORK/postfix-check.log" ||
    fail "postfix check: $(cat "$WORK/postfix-check.log")"
# "start" waits until master is up; its pid goes to lib.sh's list, and
# a TERM makes master stop its daemons.
"$POSTFIX" -c "$PF" start >"$WORK/postfix.out" 2>&1 </dev/null ||
    fail "postfix start: $(cat "$WORK/postfix.out")"
PF_PID=$(tr -d ' ' <"$PF/queue/pid/master.pid")
LIB_PIDS="$LIB_PIDS $PF_PID"
wait_for '"$PYTHON" -c "import socket; socket.create_connection((\"127.0.0.1\",
    $PF_PORT), 1).close()" 2>/dev/null' 30 ||
    fail "Postfix did not listen on $PF_PORT ($(cat "$WORK/postfix.out"))"
stop_postfix() {
	[ -n "$PF_PID" ] || return 0
	stop_pid "$PF_PID" || true
	PF_PID=""
	echo "---- Postfix log"
	cat "$PF/maillog" 2>/dev/null || true
}

# mta_send FROM RCPT FILE: one SMTP transaction with Postfix from outside
# (tests/peers/mta_send.py); prints the reply that ended it.
mta_send() {
	"$PYTHON" "$top_srcdir/tests/peers/mta_send.py" "$1" "$2" "$PF_PORT" "$3"
}

. "$top_srcdir/tests/integration/mta_scenario.sh"
MTA_NAME=Postfix
MTA_LOG=$PF/maillog
MTA_LMTP_SEEN="relay=127.0.0.1[127.0.0.1]:$LMTP_PORT"
MTA_UNKNOWN_REPLY="550 5.1.1"
MTA_RELAY_REPLY="Relay access denied"
MTA_RECEIVED_BY="by mx.example.test (Postfix)"
MTA_SENT_UTF8="to=<jörg@bücher.example>.*status=sent"
mta_scenario

stop_postfix
stop_triaged
