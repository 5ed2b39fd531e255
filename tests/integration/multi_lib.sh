# multi_lib.sh: several triaged instances on one PostgreSQL database
# (issue 15), for multi_*.sh (sourced after lib.sh).
#
# multi_setup [SINK OPTIONS]: the suite's PostgreSQL cluster (make
# check-pg), or a private one of this test; a fresh database; the sink
# as smarthost; $CONF for every instance (they differ by pid only: the
# listeners take free ports).
# multi_start NAME: starts one more instance; sets NAME_PID, NAME_LMTP
# and NAME_LOG (its log file).
# multi_acks: "ACKS DISTINCT" of the sink: acknowledgements received,
# distinct recipients among them.

[ -x /usr/lib/postgresql/15/bin/initdb ] ||
    { echo "SKIP: no PostgreSQL 15 (Debian postgresql-15)"; exit 77; }

multi_setup() {
	if [ -z "${TRIAGED_PG_SOCK:-}" ]; then
		# outside $WORK (0700): the server runs as another user
		LIB_PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/triaged-pg.XXXXXX")
		ms_pg=$(sh "$PG_CLUSTER" start "$LIB_PG_DIR") ||
		    fail "cannot start a PostgreSQL cluster"
		TRIAGED_PG_SOCK=${ms_pg% *}
		TRIAGED_PG_PORT=${ms_pg#* }
		export TRIAGED_PG_SOCK TRIAGED_PG_PORT
	fi
	TRIAGED_TEST_DB=pg	# db_sql and write_config on PostgreSQL
	LIB_PG_STATE=""		# a fresh database for this test
	start_sink "$@"
	write_config sink
	cat >>"$CONF" <<EOF
limits = { max_connections = 200; max_connections_per_client = 100;
  idle_timeout = 120; };
EOF
}

multi_start() {
	start_triaged
	eval "$1_PID=\$TRIAGED_PID; $1_LMTP=\$LMTP_PORT; $1_LOG=\$TRIAGED_LOG"
	TRIAGED_PID=""	# stopped by stop_all at the end, or by the test
}

multi_acks() {
	"$PYTHON" - "$SINK_DIR/new" <<'EOF'
import email, os, sys
d = sys.argv[1]
rcpts = []
for name in os.listdir(d) if os.path.isdir(d) else []:
    with open(os.path.join(d, name), "rb") as f:
        msg = email.message_from_binary_file(f)
    if msg.get("Auto-Submitted", "").startswith("auto-replied"):
        rcpts.append(msg["X-Sink-Rcpt-To"].strip())
print(len(rcpts), len(set(rcpts)))
EOF
}
