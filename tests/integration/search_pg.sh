#!/bin/sh
#
# search_pg.sh (issues 15, 17): search.sh on PostgreSQL, in the normal
# suite: the same mails, queries and answers through PostgreSQL's own
# full-text search (tsvector, GIN, ts_rank_cd; README "Search").  On the
# suite's cluster under `make check-pg`, else on a private one (lib.sh,
# TRIAGED_TEST_DB=pg).  Exit 77 without Debian's postgresql-15.

[ -x /usr/lib/postgresql/15/bin/initdb ] ||
    { echo "SKIP: no PostgreSQL 15 (Debian postgresql-15)"; exit 77; }
TRIAGED_TEST_DB=pg
export TRIAGED_TEST_DB
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/search.sh"
