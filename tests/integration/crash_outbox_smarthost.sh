#!/bin/sh
#
# crash_outbox_smarthost.sh (issue 20, item 3; DESIGN promises 1 and 2):
# with a smarthost (the aiosmtpd sink), each delivery is recorded right
# after the server's 250, so a kill -9 sends at most the one mail in
# flight twice.  10 rounds of 300 new messages over LMTP, each ended by
# kill -9 while messages stream in, while the sender delivers, or (built
# with --enable-test-hooks) between a delivery and its record; the
# unacknowledged are resent.  In the end every message is stored once,
# every acknowledgement reached the sink, and the duplicates there are at
# most one per kill (tests/peers/crashloop.py).
#
# CRASH_ROUNDS, CRASH_PER_ROUND and CRASH_SEED override the defaults.
# Exit 0 pass, 1 fail, 77 skip.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

start_sink
write_config sink
cat >>"$CONF" <<EOF
limits = { max_connections = 50; idle_timeout = 120; };
EOF

"$PYTHON" "$top_srcdir/tests/peers/crashloop.py" --triaged "$TRIAGED" \
    --conf "$CONF" --db "$DATABASE" --work "$WORK" \
    --mode smarthost --maildir "$SINK_DIR" \
    --rounds "${CRASH_ROUNDS:-10}" --per-round "${CRASH_PER_ROUND:-300}" \
    ${CRASH_SEED:+--seed "$CRASH_SEED"} ||
    fail "acknowledgements lost or sent twice too often (see above)"
echo "PASS"
