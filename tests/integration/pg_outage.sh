#!/bin/sh
# pg_outage.sh (issue 15): triaged on PostgreSQL, in a private cluster of
# this test (on either suite: it stops and starts its own server).
# - two `triaged inject` starting at once on an empty database migrate it
#   once (the advisory lock): every schema version recorded once, both
#   messages stored;
# - the daemon stores, acknowledges and answers 250 through libpq;
# - PostgreSQL stopped: SMTP intake answers 4xx, never 250;
# - PostgreSQL started again: the same daemon, not restarted, stores the
#   retried message and what follows; every message stored once;
# - a write sent without waiting (pipeline mode) that fails refuses its
#   message (4xx, nothing kept), and only that one.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

[ -x /usr/lib/postgresql/15/bin/initdb ] ||
    { echo "SKIP: no PostgreSQL 15 (Debian postgresql-15)"; exit 77; }
PSQL=/usr/lib/postgresql/15/bin/psql

# our own server (lib.sh stops LIB_PG_DIR at exit), never the suite's
if [ -z "$LIB_PG_DIR" ]; then
	LIB_PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/triaged-pg.XXXXXX")
	sh "$PG_CLUSTER" start "$LIB_PG_DIR" >/dev/null ||
	    fail "cannot start PostgreSQL"
fi
port=$(cat "$LIB_PG_DIR/port")
"$PSQL" -X -q -h "$LIB_PG_DIR" -p "$port" -U postgres -d postgres \
    -c 'CREATE DATABASE outage' || fail "CREATE DATABASE"
DATABASE="postgresql:///outage?host=$LIB_PG_DIR&port=$port&user=postgres"
TRIAGED_TEST_DB=pg	# db_sql on this database
LIB_PG_STATE=$STATE	# write_config keeps it
write_config

# two instances meet an empty database at once
make_msg a.eml --from ann@customer.example.org --subject 'first inject' \
    --message-id '<inject-a@customer.example.org>'
make_msg b.eml --from bob@customer.example.org --subject 'second inject' \
    --message-id '<inject-b@customer.example.org>'
"$TRIAGED" inject -c "$CONF" <a.eml 2>"$WORK/inject.1.log" &
ia=$!
"$TRIAGED" inject -c "$CONF" <b.eml 2>"$WORK/inject.2.log" &
ib=$!
rc_a=0; wait "$ia" || rc_a=$?
rc_b=0; wait "$ib" || rc_b=$?
assert_eq "inject a exit status" 0 "$rc_a"
assert_eq "inject b exit status" 0 "$rc_b"
versions=$(db_sql "SELECT count(*), count(DISTINCT version), max(version)
    FROM triaged_schema")
assert_eq "every schema version recorded once" \
    "$(echo "$versions" | cut -d'|' -f3)|$(echo "$versions" | cut -d'|' -f3)" \
    "$(echo "$versions" | cut -d'|' -f1)|$(echo "$versions" | cut -d'|' -f2)"

start_triaged
make_msg m1.eml --from carl@customer.example.org --subject 'before' \
    --message-id '<m1@customer.example.org>'
out=$(smtp_send m1.eml)
assert_contains "stored before the outage" "$(reply_of "$out")" "250 "

sh "$PG_CLUSTER" stop "$LIB_PG_DIR"
make_msg m2.eml --from dora@customer.example.org --subject 'during' \
    --message-id '<m2@customer.example.org>'
out=$(smtp_send m2.eml)
case $(reply_of "$out") in
4*) ;;
*) fail "PostgreSQL stopped: expected 4xx, got [$(reply_of "$out")]" ;;
esac
out=$(smtp_send m2.eml)
case $(reply_of "$out") in
4*) ;;
*) fail "still stopped: expected 4xx, got [$(reply_of "$out")]" ;;
esac
kill -0 "$TRIAGED_PID" || fail "triaged died with its database"

sh "$PG_CLUSTER" again "$LIB_PG_DIR"
# the MTA's retry: the first one after the restart may still meet the
# connection that died (4xx again); it reconnects by itself
n=0
while :; do
	out=$(smtp_send m2.eml)
	case $(reply_of "$out") in 250*) break ;; esac
	n=$((n + 1))
	[ "$n" -lt 20 ] || fail "not back after PostgreSQL restarted: $out"
	sleep 0.5
done
make_msg m3.eml --from emil@customer.example.org --subject 'after' \
    --message-id '<m3@customer.example.org>'
out=$(smtp_send m3.eml)
assert_contains "stored after the outage" "$(reply_of "$out")" "250 "

# A write sent without waiting for its result (store_q_exec_later: the
# search document here) that fails, fails its message: 4xx, nothing of it
# kept; the next message is stored, and the first once the cause is gone.
db_sql "CREATE FUNCTION refuse_doc() RETURNS trigger LANGUAGE plpgsql AS
    \$\$ BEGIN IF NEW.doc::text LIKE '%refuseme%' THEN
    RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END \$\$" \
    "CREATE TRIGGER refuse_doc BEFORE INSERT ON message_tsv
    FOR EACH ROW EXECUTE FUNCTION refuse_doc()" || fail "CREATE TRIGGER"
make_msg m4.eml --from fred@customer.example.org --subject 'refuseme please' \
    --message-id '<m4@customer.example.org>'
out=$(smtp_send m4.eml)
case $(reply_of "$out") in
4*) ;;
*) fail "a deferred write failed: expected 4xx, got [$(reply_of "$out")]" ;;
esac
assert_eq "nothing of the refused message kept" "0|0" \
    "$(db_sql "SELECT (SELECT count(*) FROM messages WHERE subject LIKE
    'refuseme%'), (SELECT count(*) FROM message_ids WHERE message_id =
    'm4@customer.example.org')")"
make_msg m5.eml --from gina@customer.example.org --subject 'next one' \
    --message-id '<m5@customer.example.org>'
out=$(smtp_send m5.eml)
assert_contains "stored after a refused write" "$(reply_of "$out")" "250 "
db_sql "DROP TRIGGER refuse_doc ON message_tsv" || fail "DROP TRIGGER"
out=$(smtp_send m4.eml)
assert_contains "the refused message, retried" "$(reply_of "$out")" "250 "
assert_contains "the daemon logged the failed write" \
    "$(cat "$WORK"/triaged.*.log)" "refused by the test"

assert_eq "requests" 7 "$(requests_count)"
assert_eq "incoming messages, each once" "7|7" \
    "$(db_sql "SELECT count(*), count(DISTINCT message_id) FROM messages
    WHERE direction = 'in'")"
wait_for outbox_idle 30 || fail "acknowledgements not sent"
assert_eq "acknowledgements" 7 "$(db_sql "SELECT count(*) FROM outbox
    WHERE kind = 'ack' AND status = 'sent'")"
stop_triaged
echo "PASS: pg_outage"
