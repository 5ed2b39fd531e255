/*
 * test_store_walbuf: the VFS that gathers a COMMIT's WAL frames
 * (src/store/store_walbuf.c) keeps what SQLite wrote, byte for byte,
 * wherever it is read from:
 *   - a transaction of many megabytes (many buffers' worth, so also
 *     the unix VFS's 128 KiB limit a write) commits, and a reader on
 *     the default VFS sees every row;
 *   - with a tiny page cache the pager spills pages into the WAL in the
 *     middle of a transaction and writes some of them again: the last
 *     version is what is read back, and a rollback leaves nothing;
 *   - a reader that stays open across the writer's commits sees each
 *     one; the checkpoint reads the frames back into the database
 *     file, which integrity_check then finds whole;
 *   - a process killed in the middle of a big transaction (kill -9,
 *     buffer unwritten) leaves the database as of its last COMMIT.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store_walbuf.h"

static char	 dir[64];
static char	 path[128];
static int	 psow0;		/* open with psow=0: SQLite pads and syncs mid-frame */

static void
setup(void)
{
	(void)snprintf(dir, sizeof(dir), "/tmp/test_walbuf.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	(void)snprintf(path, sizeof(path), "%s/t.db", dir);
}

static void
teardown(void)
{
	char cmd[160];

	(void)snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static sqlite3 *
open_db(const char *vfs)
{
	char uri[200];
	sqlite3 *db = NULL;

	(void)snprintf(uri, sizeof(uri), "file:%s%s", path, psow0 ?
	    "?psow=0" : "");
	ck_assert_int_eq(sqlite3_open_v2(uri, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_URI, vfs), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	return db;
}

static void
exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK,
	    "%s: %s", sql, msg != NULL ? msg : "?");
}

static long long
value(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v;

	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static sqlite3 *
open_writer(void)
{
	const char *vfs = store_walbuf_vfs();
	sqlite3 *db;

	ck_assert_ptr_nonnull(vfs);
	db = open_db(vfs);
	exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	    "PRAGMA wal_autocheckpoint=0;"
	    "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v BLOB);");
	return db;
}

/* n rows of size bytes each, their content a function of id and gen. */
static void
fill(sqlite3 *db, int first, int n, int size, int gen)
{
	char sql[200];

	(void)snprintf(sql, sizeof(sql), "WITH RECURSIVE c(i) AS (SELECT %d"
	    " UNION ALL SELECT i + 1 FROM c WHERE i < %d) INSERT OR REPLACE"
	    " INTO t SELECT i, printf('%%0%dd', i * 7 + %d) FROM c", first,
	    first + n - 1, size, gen);
	exec(db, sql);
}

/* Every row as fill() made it with gen: count of those that differ. */
static long long
wrong(sqlite3 *db, int size, int gen)
{
	char sql[200];

	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM t WHERE v IS"
	    " NOT printf('%%0%dd', id * 7 + %d)", size, gen);
	return value(db, sql);
}

START_TEST(test_big_transaction)
{
	sqlite3 *w = open_writer(), *r;

	exec(w, "BEGIN");
	fill(w, 1, 4000, 3000, 1);	/* 12 MB, a few thousand frames */
	exec(w, "COMMIT");
	r = open_db(NULL);
	ck_assert_int_eq(value(r, "SELECT count(*) FROM t"), 4000);
	ck_assert_int_eq(wrong(r, 3000, 1), 0);
	sqlite3_close(r);
	sqlite3_close(w);
}
END_TEST

START_TEST(test_spilled_pages_rewritten)
{
	sqlite3 *w = open_writer(), *r;

	exec(w, "PRAGMA cache_size=10; PRAGMA cache_spill=1;");
	exec(w, "BEGIN");
	fill(w, 1, 2000, 500, 1);
	fill(w, 1, 2000, 500, 2);	/* the same pages again */
	fill(w, 500, 100, 500, 3);
	exec(w, "UPDATE t SET v = printf('%0500d', id * 7 + 2)"
	    " WHERE id BETWEEN 500 AND 599");
	exec(w, "COMMIT");
	exec(w, "BEGIN");
	fill(w, 1, 2000, 500, 9);
	exec(w, "ROLLBACK");
	r = open_db(NULL);
	ck_assert_int_eq(value(r, "SELECT count(*) FROM t"), 2000);
	ck_assert_int_eq(wrong(r, 500, 2), 0);
	sqlite3_close(r);
	ck_assert_int_eq(wrong(w, 500, 2), 0);
	sqlite3_close(w);
}
END_TEST

/* Without power-safe overwrite the writes go straight through. */
START_TEST(test_no_psow)
{
	sqlite3 *w, *r;
	int i;

	psow0 = 1;
	w = open_writer();
	r = open_db(NULL);
	for (i = 0; i < 20; i++) {
		exec(w, "BEGIN");
		fill(w, i * 10 + 1, 10, 3000, 7);
		exec(w, "COMMIT");
		ck_assert_int_eq(value(r, "SELECT count(*) FROM t"),
		    (i + 1) * 10);
	}
	ck_assert_int_eq(wrong(r, 3000, 7), 0);
	sqlite3_close(r);
	sqlite3_close(w);
	psow0 = 0;
}
END_TEST

START_TEST(test_reader_across_commits)
{
	sqlite3 *w = open_writer(), *r = open_db(NULL);
	int i;

	for (i = 0; i < 50; i++) {
		exec(w, "BEGIN");
		fill(w, i * 20 + 1, 20, 2000, 4);
		exec(w, "COMMIT");
		ck_assert_int_eq(value(r, "SELECT count(*) FROM t"),
		    (i + 1) * 20);
	}
	ck_assert_int_eq(wrong(r, 2000, 4), 0);
	exec(w, "PRAGMA wal_checkpoint(TRUNCATE)");
	sqlite3_close(r);
	sqlite3_close(w);
	r = open_db(NULL);
	ck_assert_int_eq(value(r, "SELECT count(*) FROM t"), 1000);
	ck_assert_int_eq(wrong(r, 2000, 4), 0);
	ck_assert_int_eq(value(r, "SELECT count(*) FROM pragma_integrity_check"
	    " WHERE integrity_check <> 'ok'"), 0);
	sqlite3_close(r);
}
END_TEST

START_TEST(test_killed_mid_transaction)
{
	sqlite3 *w = open_writer(), *r;
	pid_t pid;
	int status;

	exec(w, "BEGIN");
	fill(w, 1, 300, 1000, 5);
	exec(w, "COMMIT");
	sqlite3_close(w);
	if ((pid = fork()) == 0) {
		w = open_writer();
		exec(w, "PRAGMA cache_size=10;");
		exec(w, "BEGIN");
		fill(w, 1, 3000, 1000, 6);	/* spilled, some in the buffer */
		(void)kill(getpid(), SIGKILL);
		_exit(1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status));
	r = open_db(NULL);
	ck_assert_int_eq(value(r, "SELECT count(*) FROM t"), 300);
	ck_assert_int_eq(wrong(r, 1000, 5), 0);
	ck_assert_int_eq(value(r, "SELECT count(*) FROM pragma_integrity_check"
	    " WHERE integrity_check <> 'ok'"), 0);
	sqlite3_close(r);
}
END_TEST

static Suite *
walbuf_suite(void)
{
	Suite *s = suite_create("store_walbuf");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_big_transaction);
	tcase_add_test(tc, test_spilled_pages_rewritten);
	tcase_add_test(tc, test_reader_across_commits);
	tcase_add_test(tc, test_killed_mid_transaction);
	tcase_add_test(tc, test_no_psow);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(walbuf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
