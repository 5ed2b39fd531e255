#!/bin/sh
#
# writer_pg.sh (issues 12, 15): the writer's units on PostgreSQL.  There
# a unit's RELEASE and deferred writes travel with the next unit's first
# read (src/store/store_writer.c), so a write that fails is read while
# another unit runs; test_store_writer's "units" case (a unit failing
# alone, a deferred write failing before a reader, an ignoring reader and
# a writer-only unit; a request whose number the first read drew; a
# COMMIT of a transaction a failed statement aborted) runs with its store on a fresh PostgreSQL database
# (TRIAGED_TEST_DATABASE) as it runs on SQLite in `make check`.
# Exit 77 without Debian's postgresql-15 or the unit test built.

[ -x /usr/lib/postgresql/15/bin/initdb ] ||
    { echo "SKIP: no PostgreSQL 15 (Debian postgresql-15)"; exit 77; }
TRIAGED_TEST_DB=pg
export TRIAGED_TEST_DB
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

TEST_WRITER=$top_builddir/tests/unit/test_store_writer
[ -x "$TEST_WRITER" ] || { echo "SKIP: $TEST_WRITER not built"; exit 77; }

rc=0
CK_RUN_CASE=units TRIAGED_TEST_DATABASE=$DATABASE "$TEST_WRITER" \
    >"$WORK/pg.out" 2>&1 || rc=$?
grep -v ' info: ' "$WORK/pg.out"
[ "$rc" = 0 ] || fail "test_store_writer on PostgreSQL failed"
grep -q "^100%: Checks: 4," "$WORK/pg.out" ||
    fail "test_store_writer ran other than its 4 unit checks"
exit 0
