#!/bin/sh
#
# kb_answers_pg.sh (issues 15, 19): the knowledge base answers the same
# on PostgreSQL as on SQLite.  test_kb (tests/unit/test_kb.c: 62
# questions, 8 unrelated mails, reloads, canned answers) runs on SQLite,
# then with its store on a fresh PostgreSQL database
# (TRIAGED_TEST_DATABASE); both must pass and print the same lines: the
# same hit rate, the same questions missed if any, and the same score
# margins (bm25 computed the same way on both, src/store/kb_index.c), so
# knowledge_base.min_score means the same on both engines.
# Exit 77 without Debian's postgresql-15 or the unit test built.

[ -x /usr/lib/postgresql/15/bin/initdb ] ||
    { echo "SKIP: no PostgreSQL 15 (Debian postgresql-15)"; exit 77; }
TRIAGED_TEST_DB=pg
export TRIAGED_TEST_DB
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

TEST_KB=$top_builddir/tests/unit/test_kb
[ -x "$TEST_KB" ] || { echo "SKIP: $TEST_KB not built"; exit 77; }

# CK_FORK=no: one process, its lines in order
run_kb() {	# OUT [DATABASE]
	rc=0
	if [ -n "${2:-}" ]; then
		CK_FORK=no TRIAGED_TEST_DATABASE=$2 "$TEST_KB" >"$1" 2>&1 ||
		    rc=$?
	else
		(unset TRIAGED_TEST_DATABASE; CK_FORK=no "$TEST_KB") \
		    >"$1" 2>&1 || rc=$?
	fi
	[ "$rc" = 0 ] || fail "test_kb on ${2:-SQLite} failed: $(tail -5 "$1")"
}
run_kb "$WORK/sqlite.out"
run_kb "$WORK/pg.out" "$DATABASE"
cat "$WORK/pg.out"
grep -q "^knowledge base: " "$WORK/pg.out" ||
    fail "test_kb printed no hit rate on PostgreSQL"
diff "$WORK/sqlite.out" "$WORK/pg.out" >"$WORK/diff.out" ||
    fail "PostgreSQL answers otherwise than SQLite: $(cat "$WORK/diff.out")"
exit 0
