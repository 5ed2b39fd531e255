#!/usr/bin/python3
"""testdb.py: the integration tests' read access to the daemon's database,
on either engine (tests/integration/lib.sh's db_sql for Python tests).

    import testdb
    db = testdb.connect(os.environ["DATABASE"])
    rows = db.execute("SELECT id FROM tickets WHERE status = ?", ("new",))
    db.execute(...).fetchone()

DATABASE is what the config's `database` says: a SQLite file (opened
read-only, as the tests always did, unless write=True) or a libpq URI
postgresql://...
(Debian's python3-psycopg2).  Queries use SQLite's "?" placeholders and the
SQL both engines share (src/store/store_db.h); on PostgreSQL "?" becomes
"%s" and a literal "%" is doubled.  BYTEA values come back as bytes, as
SQLite's BLOBs do.  Each execute() runs in its own committed transaction
on PostgreSQL, so a test polling the database sees new rows (commit()
is then a no-op, cursor() the connection itself).
"""

import os
import re
import sqlite3
import subprocess


def is_pg(database):
    return database.startswith(("postgresql://", "postgres://"))


class _Rows:
    def __init__(self, rows):
        self._rows = rows

    def fetchone(self):
        return self._rows[0] if self._rows else None

    def fetchall(self):
        return list(self._rows)

    def __iter__(self):
        return iter(self._rows)


def _plain(v):
    return bytes(v) if isinstance(v, memoryview) else v


class _Pg:
    def __init__(self, uri):
        import psycopg2  # only where a test runs on PostgreSQL
        self._con = psycopg2.connect(uri)
        self._con.autocommit = True

    def execute(self, sql, params=()):
        sql = sql.replace("%", "%%").replace("?", "%s")
        with self._con.cursor() as cur:
            cur.execute(sql, tuple(params))
            rows = cur.fetchall() if cur.description is not None else []
        return _Rows([tuple(_plain(v) for v in r) for r in rows])

    def cursor(self):
        return self

    def commit(self):
        pass

    def close(self):
        self._con.close()


def test_database(workdir, name):
    """The `database` setting of a Python test's daemon: the SQLite file
    workdir/var/triaged.db, or with TRIAGED_TEST_DB=pg a fresh database
    NAME_PID in the cluster of TRIAGED_PG_SOCK/TRIAGED_PG_PORT (as lib.sh
    gives the shell tests); None on PostgreSQL without a cluster (`make
    check-pg` starts one): the caller skips."""
    if os.environ.get("TRIAGED_TEST_DB", "sqlite") != "pg":
        return os.path.join(workdir, "var", "triaged.db")
    if not os.environ.get("TRIAGED_PG_SOCK"):
        return None
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          "..", "integration", "pg_cluster.sh")
    dbname = re.sub(r"[^A-Za-z0-9_]", "_", "%s_%d" % (name, os.getpid()))
    return subprocess.run(["sh", script, "createdb", dbname], check=True,
                          capture_output=True, text=True).stdout.strip()


def connect(database, timeout=30, write=False):
    if is_pg(database):
        return _Pg(database)
    if write:
        return sqlite3.connect(database, timeout=timeout)
    return sqlite3.connect("file:%s?mode=ro" % database, uri=True,
                           timeout=timeout)
