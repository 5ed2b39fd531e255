#!/bin/sh
#
# kb_pg.sh (issues 15, 19): the knowledge base on PostgreSQL.  kb.sh's
# daemon, acknowledgement and `triagectl kb` checks on a PostgreSQL store
# (TRIAGED_TEST_DB=pg: the suite's cluster under `make check-pg`, else a
# private one).  kb_answers_pg.sh compares the answers to test_kb's
# questions on both engines.  Exit 77 without Debian's postgresql-15.

[ -x /usr/lib/postgresql/15/bin/initdb ] ||
    { echo "SKIP: no PostgreSQL 15 (Debian postgresql-15)"; exit 77; }
TRIAGED_TEST_DB=pg
export TRIAGED_TEST_DB
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/kb.sh"
