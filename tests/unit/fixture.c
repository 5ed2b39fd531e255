/*
 * fixture: the shared setup of the unit tests (see fixture.h).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "buf.h"
#include "config.h"
#include "error.h"
#include "fixture.h"
#include "reply_key.h"
#include "store.h"
#include "store_sqlite.h"

void
fixture_open(struct fixture *fx, const char *name, const char *conf)
{
	char path[128];
	struct buf errors;
	struct error err;
	FILE *f;

	memset(fx, 0, sizeof(*fx));
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/%s.XXXXXX", name);
	ck_assert_ptr_nonnull(mkdtemp(fx->dir));
	snprintf(path, sizeof(path), "%s/t.conf", fx->dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fprintf(f, "database = \"%s/t.db\";\n%s", fx->dir,
	    conf != NULL ? conf : "");
	ck_assert_int_eq(fclose(f), 0);
	buf_init(&errors);
	fx->cfg = config_load(path, &errors);
	ck_assert_msg(fx->cfg != NULL, "config: %s", errors.data);
	buf_release(&errors);
	ck_assert_msg(reply_key_load(fx->cfg, true, &err) == 0, "key: %s",
	    err.msg);
	snprintf(path, sizeof(path), "%s/t.db", fx->dir);
	/*
	 * TRIAGED_TEST_DATABASE: the store in that database instead (a
	 * PostgreSQL URI: tests/integration/kb_pg.sh runs test_kb so); only
	 * the tests that reach the store through its functions run there.
	 */
	fx->st = store_open(getenv("TRIAGED_TEST_DATABASE") != NULL ?
	    getenv("TRIAGED_TEST_DATABASE") : path, 0, &err);
	ck_assert_msg(fx->st != NULL, "store_open: %s", err.msg);
}

void
fixture_close(struct fixture *fx)
{
	char cmd[96];

	store_close(fx->st);
	config_unref(fx->cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", fx->dir);
	ck_assert_int_eq(system(cmd), 0);
	memset(fx, 0, sizeof(*fx));
}

void
fixture_exec(struct store *st, const char *sql)
{
	char *msg = NULL;

	ck_assert_msg(sqlite3_exec(store_db(st), sql, NULL, NULL, &msg) ==
	    SQLITE_OK, "%s: %s", sql, msg != NULL ? msg : "");
}

long long
fixture_count(struct store *st, const char *sql)
{
	sqlite3_stmt *stmt;
	long long n;

	ck_assert_msg(sqlite3_prepare_v2(store_db(st), sql, -1, &stmt, NULL) ==
	    SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(store_db(st)));
	ck_assert_msg(sqlite3_step(stmt) == SQLITE_ROW, "%s: no row", sql);
	n = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return n;
}
