#!/bin/sh
#
# reload.sh (issue 2, "Config"): SIGHUP reloads the configuration without
# dropping connections.  An LMTP connection opened before the reload
# delivers a message after it (same connection); a changed
# acknowledgement.subject applies to the next acknowledgement; a broken
# config on SIGHUP is logged (FILE:LINE) and the old one keeps serving: the
# next acknowledgement still uses the subject of the last good config.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

# config SUBJECT_PREFIX: the test config with that acknowledgement subject.
config() {
	write_config sink
	cat >>"$CONF" <<EOF
acknowledgement = {
  rate_limit = 0;
  subject = "$1 {{subject}}";
};
EOF
}

# ack_subject N: the subject of the acknowledgement of request N.
ack_subject() {
	wait_for "sink_json | json_get 'len([m for m in d if \"[#$1]\" in m[\"headers\"][\"subject\"][0]])' | grep -qx 1" 30 ||
	    fail "no acknowledgement of #$1 in the sink"
	sink_json | json_get "[m['headers']['subject'][0] for m in d
	    if '[#$1]' in m['headers']['subject'][0]][0]"
}

# hup: SIGHUP, then wait until the daemon logged one more line about it.
hup() {
	hup_n=$(grep -ci reload "$TRIAGED_LOG" || true)
	kill -HUP "$TRIAGED_PID"
	wait_for '[ "$(grep -ci reload "$TRIAGED_LOG")" -gt "$hup_n" ]' 30 ||
	    fail "SIGHUP not logged"
}

start_sink
config First
start_triaged

make_msg m1.eml --from 'Karl <karl@customer.example.org>' --subject 'one'
out=$(lmtp_send m1.eml)
printf '%s\n' "$out"
assert_contains "reply before the reload" "$(reply_of "$out")" "ticket #1"
assert_contains "acknowledgement before the reload" "$(ack_subject 1)" "First one"

# A connection held open across the reload: h1 before, h2 after the HUP.
make_msg h1.eml --from 'Lena <lena@customer.example.org>' --subject 'held before'
make_msg h2.eml --from 'Mira <mira@customer.example.org>' --subject 'held after'
lmtp_send --pause-after 1 --pause-file "$WORK/hold" h1.eml h2.eml \
    >held.out 2>held.log &
held_pid=$!
LIB_PIDS="$LIB_PIDS $held_pid"
wait_for '[ -f "$WORK/hold.reached" ]' 30 || fail "held client did not start"
assert_contains "held connection, before the reload" "$(cat held.out)" "ticket #2"

config Second
hup
assert_not_contains "log after a good reload" \
    "$(grep -i reload "$TRIAGED_LOG")" "failed"
: >"$WORK/hold.go"
rc=0
wait_exit "$held_pid" 60 || rc=$?
cat held.out held.log
assert_eq "exit status of the held client" 0 "$rc"
assert_contains "held connection, after the reload" \
    "$(grep '^h2.eml ' held.out)" "250 2.0.0 Ok: stored as ticket #3"
assert_contains "acknowledgement after the reload" "$(ack_subject 3)" \
    "Second held after"

# A broken config: logged with FILE:LINE, the old one stays.
cat >>"$CONF" <<'EOF'
limits = { max_recipients = -5; };
EOF
hup
log=$(cat "$TRIAGED_LOG")
assert_contains "broken config on SIGHUP is logged" "$log" "$CONF:"
assert_contains "broken config on SIGHUP is logged" "$log" "limits.max_recipients"
make_msg m4.eml --from 'Nora <nora@customer.example.org>' --subject 'four'
out=$(lmtp_send m4.eml)
printf '%s\n' "$out"
assert_contains "reply after a broken reload" "$(reply_of "$out")" "ticket #4"
assert_contains "acknowledgement after a broken reload" "$(ack_subject 4)" \
    "Second four"
kill -0 "$TRIAGED_PID" || fail "triaged died"

# An @include of a directory: libconfig's scanner would exit(2) inside
# the reload; it is refused before libconfig reads, the daemon lives on.
printf '@include "."\n' >>"$CONF"
hup
assert_contains "@include of a directory on SIGHUP is logged" \
    "$(cat "$TRIAGED_LOG")" '@include ".":'
kill -0 "$TRIAGED_PID" || fail "triaged died on an @include of a directory"
make_msg m5.eml --from 'Olga <olga@customer.example.org>' --subject 'five'
out=$(lmtp_send m5.eml)
printf '%s\n' "$out"
assert_contains "reply after an @include of a directory" \
    "$(reply_of "$out")" "ticket #5"

stop_triaged
