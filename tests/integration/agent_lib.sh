# agent_lib.sh: helpers shared by the agent mail tests (issue 4), sourced
# after lib.sh: the agents config, finding notifications in the sink,
# answering them like a mail client, reading the database.

AGENT_REPLY=$top_srcdir/tests/peers/agent_reply.py
ANNA=anna@agents.example.test
BOB=bob@agents.example.test
NOTE_ADDR=support-note@example.test
CUST=jana@customer.example.org

# agents_settings: anna (billing) and bob, the reply key, the note
# address, the trusted authserv-id, two canned answers; $AGENT_MAIL_EXTRA
# (if set) goes into the agent_mail group.
agents_settings() {
	cat >>"$CONF" <<EOF
agents = (
  { name = "anna"; display_name = "Anna Agent";
    addresses = [ "$ANNA" ]; categories = [ "billing" ]; },
  { name = "bob"; display_name = "Bob Builder";
    addresses = [ "$BOB" ]; }
);
agent_mail = {
  secret = "0123456789abcdef0123456789abcdef";
  note_address = "$NOTE_ADDR";
  trusted_authserv_ids = [ "mx.example.test" ];
  ${AGENT_MAIL_EXTRA:-}
};
canned = {
  printer_reset = "Please switch the printer off and on again.\n{{agent_name}}, request {{id}}";
  refund = "Your refund is on its way.";
};
EOF
}

# sql QUERY: rows of QUERY on the daemon's database, fields joined by |.
sql() {
	db_sql "$1"
}

# mails_to ADDR: how many mails in the sink went to ADDR.
mails_to() {
	sink_json | json_get "len([m for m in d if '<$1>' in m['rcpt_to']])"
}

# mail_file_to ADDR [INDEX]: the path of the INDEX-th (default: last)
# mail in the sink to ADDR.
mail_file_to() {
	mf=$(sink_json | json_get \
	    "[m['file'] for m in d if '<$1>' in m['rcpt_to']][${2:--1}]")
	printf '%s/new/%s\n' "$SINK_DIR" "$mf"
}

# mail_json_to ADDR [INDEX]: that mail as mailtool's JSON.
mail_json_to() {
	sink_json | json_get "[m for m in d if '<$1>' in m['rcpt_to']][${2:--1}]"
}

# header_of JSON NAME: the decoded header NAME ("" if none).
header_of() {
	printf '%s\n' "$1" | json_get \
	    "' | '.join(v.strip() for v in d['headers'].get('$2', []))"
}

body_of() {
	printf '%s\n' "$1" | json_get 'd["body"]'
}

# reply_to_of FILE: the bare address in FILE's Reply-To.
reply_to_of() {
	"$PYTHON" - "$1" <<'EOF'
import email, email.utils, sys
msg = email.message_from_binary_file(open(sys.argv[1], "rb"))
print(email.utils.parseaddr(msg.get("Reply-To", ""))[1])
EOF
}

# wait_mails ADDR N: waits until the sink holds N mails to ADDR.
wait_mails() {
	wm_addr=$1
	wm_n=$2
	wait_for '[ "$(mails_to "$wm_addr")" -ge "$wm_n" ]' 30 ||
	    fail "no mail number $2 to $1 in the sink"
}

# agent_send FILE RCPT: an agent's reply over LMTP to RCPT; prints the
# delivery lines.
agent_send() {
	lmtp_send --rcpt "$2" "$1"
}
