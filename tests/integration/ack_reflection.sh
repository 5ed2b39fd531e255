#!/bin/sh
#
# ack_reflection.sh (issue 20, item 5; DESIGN promise 3): nobody can use
# our acknowledgements to mail a third party much or often.
#   - A 1 MiB message whose Reply-To names a victim gets an
#     acknowledgement at most quote_limit (4096) bytes bigger than that of
#     a one-line message, its quote cut with "[…]".
#   - One envelope sender (SMTP MAIL FROM) with 20 messages naming 20
#     victims in From and Reply-To: rate_limit_sender (5) acknowledgements
#     reach the smarthost; the 20 requests exist; the other 15 are logged
#     "ack=skipped:rate-limited-sender".
#   - One client address with 10 messages under 10 envelope senders, over
#     SMTP and LMTP: rate_limit_client (4) acknowledgements, the rest
#     logged "ack=skipped:rate-limited-client" (127.0.0.1 made not exempt
#     for this); after a SIGHUP back to the default exemptions (loopback),
#     the same client is answered again.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

# acks_to ADDR: mails at the sink for ADDR.
acks_to() {
	sink_json | json_get "len([m for m in d if '<$1>' in m['rcpt_to']])"
}
# skipped REASON: intake log lines with ack=skipped:REASON.
skipped() {
	grep -c "ack=skipped:$1\$\| ack=skipped:$1 " "$TRIAGED_LOG" || true
}

start_sink
write_config sink
cat >>"$CONF" <<EOF
acknowledgement = { rate_limit_sender = 5; rate_limit_client = 0; };
EOF
start_triaged

# --- the quote is capped --------------------------------------------------
make_msg small.eml --from 'Small <small@customer.example>' \
    --subject 'Printer' --body 'One line.\n'
"$PYTHON" - big.eml <<'EOF'
import sys
lines = ["line %06d: the quick brown fox jumps over the lazy dog ..." % i
         for i in range(17000)]
with open(sys.argv[1], "w") as f:
    f.write("From: Attacker <big@attacker.example>\r\n"
            "Reply-To: <victim@third.example>\r\n"
            "To: support@example.test\r\nSubject: Printer\r\n"
            "Message-ID: <big@attacker.example>\r\n\r\n"
            + "\r\n".join(lines) + "\r\n")
EOF
size=$(wc -c <big.eml)
[ "$size" -gt 1048576 ] || fail "big.eml is only $size bytes"
out=$(smtp_send --from small@customer.example small.eml)
assert_contains "small message" "$(reply_of "$out")" "250"
out=$(smtp_send --from big@attacker.example big.eml)
assert_contains "1 MiB message" "$(reply_of "$out")" "250"
wait_for '[ "$(acks_to victim@third.example)" -ge 1 ] &&
    [ "$(acks_to small@customer.example)" -ge 1 ] && outbox_idle' 30 ||
    fail "acknowledgements not delivered"
sizes=$(sink_json | json_get "[len(open('$SINK_DIR/new/' + m['file'], 'rb').read()) for m in sorted(d, key=lambda m: 'victim' in m['rcpt_to'])]")
echo "acknowledgement sizes (one line, 1 MiB): $sizes"
small_size=$(printf '%s\n' "$sizes" | json_get 'd[0]')
big_size=$(printf '%s\n' "$sizes" | json_get 'd[1]')
[ "$big_size" -le $((small_size + 4096 + 200)) ] ||
    fail "ack of a 1 MiB message is $big_size bytes (one-line: $small_size)"
body=$(sink_json | json_get "[m for m in d if 'victim' in m['rcpt_to']][0]['body']")
assert_contains "quote of the 1 MiB message" "$body" "> line 000000: the quick"
assert_contains "quote of the 1 MiB message" "$body" "> […]"
assert_not_contains "quote of the 1 MiB message" "$body" "line 016999"

# --- one envelope sender, twenty victims ------------------------------------
files=""
for i in $(seq 1 20); do
	make_msg "s$i.eml" --from "Victim $i <v$i@victims.example>" \
	    --header "Reply-To: <r$i@victims.example>" --subject "Hello $i"
	files="$files s$i.eml"
done
# shellcheck disable=SC2086
out=$(smtp_send --from spammer@attacker.example $files)
assert_eq "20 messages stored" 20 "$(printf '%s\n' "$out" | grep -c ' 250 ')"
wait_for outbox_idle 30 || fail "outbox not idle"
n=$(sink_json | json_get "len([m for m in d if 'victims.example' in m['rcpt_to']])")
assert_eq "acknowledgements to victims of one envelope sender" 5 "$n"
assert_eq "skips logged as rate-limited-sender" 15 \
    "$(skipped rate-limited-sender)"
assert_eq "requests" 22 "$(requests_count)"
stop_triaged

# --- one client, ten envelope senders -----------------------------------------
STATE=$WORK/var2
write_config sink
cat >>"$CONF" <<EOF
acknowledgement = { rate_limit_client = 4; rate_limit_exempt = [ ]; };
EOF
start_triaged
for i in $(seq 1 10); do
	make_msg "c$i.eml" --from "Victim $i <w$i@victims.example>" \
	    --subject "Hi $i"
	if [ $((i % 2)) = 0 ]; then
		out=$(lmtp_send --from "s$i@attacker.example" "c$i.eml")
	else
		out=$(smtp_send --from "s$i@attacker.example" "c$i.eml")
	fi
	assert_contains "client message $i" "$(reply_of "$out")" "250"
done
wait_for outbox_idle 30 || fail "outbox not idle"
n=$(sink_json | json_get "len([m for m in d if '@victims.example' in m['rcpt_to'] and '<w' in m['rcpt_to']])")
assert_eq "acknowledgements caused by one client" 4 "$n"
assert_eq "skips logged as rate-limited-client" 6 \
    "$(skipped rate-limited-client)"

# SIGHUP: the shipped exemptions (loopback) again.
sed -i 's/rate_limit_exempt = \[ \];//' "$CONF"
hup_n=$(grep -ci reload "$TRIAGED_LOG" || true)
kill -HUP "$TRIAGED_PID"
wait_for '[ "$(grep -ci reload "$TRIAGED_LOG")" -gt "$hup_n" ]' 30 ||
    fail "SIGHUP not logged"
make_msg after.eml --from 'After <after@victims.example>' --subject 'Later'
out=$(smtp_send --from later@attacker.example after.eml)
assert_contains "after the reload" "$(reply_of "$out")" "250"
wait_for '[ "$(acks_to after@victims.example)" = 1 ]' 30 ||
    fail "loopback still limited after the reload"
stop_triaged
echo "PASS"
