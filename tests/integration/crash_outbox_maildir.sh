#!/bin/sh
#
# crash_outbox_maildir.sh (issue 20, item 3; DESIGN promises 1 and 2):
# the acknowledgements reach the outgoing Maildir exactly once however
# often the daemon is killed.  20 rounds of 500 new messages over LMTP,
# each round ended by kill -9: while messages stream in, while the sender
# writes the acknowledgements into the Maildir, or (built with
# --enable-test-hooks) from inside, between a delivery and its record.
# Each restart resends what was not acknowledged.  In the end every
# message is stored once with one ack row, every acknowledgement is in
# new/ or cur/ exactly once (by In-Reply-To) and tmp/ is empty
# (tests/peers/crashloop.py does the rounds and the checks).
#
# CRASH_ROUNDS, CRASH_PER_ROUND and CRASH_SEED override the defaults.
# Exit 0 pass, 1 fail, 77 skip.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

write_config
cat >>"$CONF" <<EOF
limits = { max_connections = 50; idle_timeout = 120; };
EOF

"$PYTHON" "$top_srcdir/tests/peers/crashloop.py" --triaged "$TRIAGED" \
    --conf "$CONF" --db "$DATABASE" --work "$WORK" \
    --mode maildir --maildir "$OUT_MAILDIR" \
    --rounds "${CRASH_ROUNDS:-20}" --per-round "${CRASH_PER_ROUND:-500}" \
    ${CRASH_SEED:+--seed "$CRASH_SEED"} ||
    fail "acknowledgements not in the Maildir exactly once (see above)"
echo "PASS"
