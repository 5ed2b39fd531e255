/*
 * test_digest: digest schedules (which period is due when), the mail's
 * shape, "each period once" through digest_runs, and the survey the
 * same worker pass queues for resolved requests.  Fixed clock: Tuesday
 * 2026-11-10 12:00 UTC; no calendar (UTC days).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "buf.h"
#include "config.h"
#include "digest.h"
#include "error.h"
#include "fixture.h"
#include "report.h"
#include "store.h"
#include "store_sqlite.h"

#define NOV1	1793491200LL	/* 2026-11-01 00:00 UTC, a Sunday */
#define AT(d, h, m)	(NOV1 + ((d) - 1) * 86400LL + (h) * 3600LL + (m) * 60LL)
#define NOW	AT(10, 12, 0)

static struct fixture	 fx;
static struct config	*cfg;
static struct store	*st;

static const char conf[] =
    "reports = {\n"
    "  survey = true;\n"
    "  rating_key = \"0123456789abcdef0123456789abcdef\";\n"
    "  digests = (\n"
    "    { name = \"daily\"; every = \"daily\"; at = \"08:00\";\n"
    "      to = \"lead@example.test\"; },\n"
    "    { name = \"weekly\"; every = \"weekly\"; day = \"monday\";\n"
    "      at = \"07:30\"; to = [ \"boss@example.test\", \"b2@example.test\" ]; }\n"
    "  );\n"
    "};\n";

static void
setup(void)
{
	fixture_open(&fx, "test_digest", conf);
	cfg = fx.cfg;
	st = fx.st;
}

static void
teardown(void)
{
	fixture_close(&fx);
}

static long long
count(const char *sql)
{
	return fixture_count(st, sql);
}

static int
run(time_t now)
{
	struct error err;
	int queued;

	ck_assert_int_eq(store_begin(st, &err), 0);
	ck_assert_msg(digest_run(st, cfg, now, &queued, &err) == 0,
	    "digest_run: %s", err.msg);
	ck_assert_int_eq(store_commit(st, &err), 0);
	return queued;
}

START_TEST(test_period)
{
	static const struct {
		size_t		 digest;	/* 0 daily, 1 weekly */
		long long	 now, from, to;
	} cases[] = {
		/* after today's 08:00: yesterday */
		{ 0, NOW, AT(9, 0, 0), AT(10, 0, 0) },
		{ 0, AT(10, 8, 0), AT(9, 0, 0), AT(10, 0, 0) },
		/* before it: the day before yesterday */
		{ 0, AT(10, 7, 59), AT(8, 0, 0), AT(9, 0, 0) },
		/* weekly on Monday 07:30: the 7 days before Monday 9th */
		{ 1, NOW, AT(2, 0, 0), AT(9, 0, 0) },
		{ 1, AT(9, 7, 30), AT(2, 0, 0), AT(9, 0, 0) },
		/* Monday 9th 07:29: the week before Monday 2nd */
		{ 1, AT(9, 7, 29), AT(2, 0, 0) - 7 * 86400LL, AT(2, 0, 0) },
	};
	time_t from, to;
	size_t i;

	ck_assert_uint_eq(config_reports_ndigests(cfg), 2);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		digest_period(config_reports_digest_at(cfg, cases[i].digest),
		    NULL, cases[i].now, &from, &to);
		ck_assert_msg(from == cases[i].from && to == cases[i].to,
		    "case %zu: [%lld, %lld)", i, (long long)from,
		    (long long)to);
	}
}
END_TEST

START_TEST(test_once_per_period)
{
	sqlite3_stmt *stmt;
	const char *data;

	/* installed on Sunday 1st: the schedules start there */
	ck_assert_int_eq(run(AT(1, 12, 0)), 0);
	ck_assert_int_eq(run(NOW), 2);
	ck_assert_int_eq(count("SELECT count(*) FROM outbox WHERE kind ="
	    " 'digest'"), 2);
	ck_assert_int_eq(count("SELECT count(*) FROM outbox WHERE kind ="
	    " 'digest' AND rcpts = 'boss@example.test b2@example.test'"), 1);
	ck_assert_int_eq(run(NOW + 60), 0);
	ck_assert_int_eq(run(AT(10, 23, 59)), 0);
	/* Wednesday 08:00: the next daily period, not the weekly one */
	ck_assert_int_eq(run(AT(11, 8, 0)), 1);
	ck_assert_int_eq(count("SELECT period_end FROM digest_runs WHERE"
	    " schedule = 'daily'"), AT(11, 0, 0));

	ck_assert_int_eq(sqlite3_prepare_v2(store_db(st), "SELECT data FROM"
	    " outbox WHERE kind = 'digest' ORDER BY id LIMIT 1", -1, &stmt,
	    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	data = (const char *)sqlite3_column_text(stmt, 0);
	ck_assert_ptr_nonnull(strstr(data, "\r\nTo: <lead@example.test>\r\n"));
	ck_assert_ptr_nonnull(strstr(data, "Subject: Support digest daily: "
	    "2026-11-09\r\n"));
	ck_assert_ptr_nonnull(strstr(data, "multipart/alternative"));
	ck_assert_ptr_nonnull(strstr(data, "Content-Type: text/plain; "
	    "charset=utf-8\r\n"));
	ck_assert_ptr_nonnull(strstr(data, "Content-Type: text/html; "
	    "charset=utf-8\r\n"));
	/* the loop headers of automatic mail, set by the one builder */
	ck_assert_ptr_nonnull(strstr(data, "\r\nAuto-Submitted: "
	    "auto-generated\r\n"));
	ck_assert_ptr_nonnull(strstr(data, "\r\nX-Loop: "));
	ck_assert_ptr_null(strstr(data, "\n\n"));	/* CRLF only */
	sqlite3_finalize(stmt);
}
END_TEST

START_TEST(test_survey)
{
	char sql[512];

	ck_assert_int_eq(run(AT(1, 12, 0)), 0);	/* the install */
	snprintf(sql, sizeof(sql), "INSERT INTO tickets (id, subject, status,"
	    " created_at, updated_at, resolved_at) VALUES"
	    " (1, 'printer', 'resolved', 0, 0, %lld),"
	    " (2, 'old', 'resolved', 0, 0, %lld),"
	    " (3, 'open', 'open', 0, 0, NULL);"
	    "INSERT INTO messages (ticket_id, direction, from_addr,"
	    " created_at) VALUES (1, 'in', 'first@example.org', 0),"
	    " (1, 'in', 'cust@example.org', 0),"
	    " (2, 'in', 'old@example.org', 0)", NOW - 3600,
	    NOW - 30 * 86400LL);
	ck_assert_int_eq(sqlite3_exec(store_db(st), sql, NULL, NULL, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(run(NOW), 3);	/* two digests and one survey */
	ck_assert_int_eq(count("SELECT count(*) FROM outbox WHERE kind ="
	    " 'survey' AND rcpts = 'cust@example.org' AND ticket_id = 1"), 1);
	ck_assert_int_eq(count("SELECT survey_sent_at FROM tickets"
	    " WHERE id = 1"), NOW);
	ck_assert_int_eq(count("SELECT count(*) FROM messages WHERE"
	    " source = 'survey' AND message_id IS NOT NULL"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM messages WHERE"
	    " source = 'survey' AND body LIKE '%5 (excellent): mailto:"
	    "support+r1.arate5.%@example.test?subject=Rating%205%'"), 1);
	/* too old to ask (a week), asked once only */
	ck_assert_int_eq(count("SELECT count(*) FROM outbox WHERE"
	    " ticket_id = 2"), 0);
	ck_assert_int_eq(run(NOW + 60), 0);
}
END_TEST

/*
 * Issue 19: the key figures count the tasks done in the period (on time
 * or late) and the open ones overdue now, and the overdue ones are
 * listed, in the text and the HTML part.
 */
START_TEST(test_tasks)
{
	sqlite3_stmt *stmt;
	const char *data;
	char sql[1024];

	ck_assert_int_eq(run(AT(1, 12, 0)), 0);	/* the install */
	snprintf(sql, sizeof(sql), "INSERT INTO tickets (id, subject, status,"
	    " created_at, updated_at) VALUES (1, 'invoice', 'open', 0, 0);"
	    "INSERT INTO tasks (id, ticket_id, assignee, due_at, text,"
	    " created_by, created_at, done_at) VALUES"
	    " (1, 1, 'anna', %lld, 'on time', 'anna', 0, %lld),"
	    " (2, 1, 'anna', %lld, 'late', 'anna', 0, %lld),"
	    " (3, 1, 'bob', %lld, 'call the customer back', 'anna', 0, NULL),"
	    " (4, 1, 'bob', %lld, 'not yet due', 'anna', 0, NULL)",
	    (long long)AT(9, 10, 0), (long long)AT(9, 9, 0),
	    (long long)AT(9, 10, 0), (long long)AT(9, 11, 0),
	    (long long)AT(9, 10, 0), (long long)AT(12, 10, 0));
	ck_assert_int_eq(sqlite3_exec(store_db(st), sql, NULL, NULL, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(run(NOW), 2);
	ck_assert_int_eq(sqlite3_prepare_v2(store_db(st), "SELECT data FROM"
	    " outbox WHERE kind = 'digest' ORDER BY id LIMIT 1", -1, &stmt,
	    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	data = (const char *)sqlite3_column_text(stmt, 0);
	ck_assert_msg(strstr(data, "Tasks done on time                   "
	    "50% (1 of 2)") != NULL, "%s", data);
	ck_assert_ptr_nonnull(strstr(data, "Tasks overdue now                  "
	    "  1\r\n"));
	ck_assert_ptr_nonnull(strstr(data, "Overdue tasks\r\n\r\n  task 3 on "
	    "#1, 26h late (bob) call the customer back\r\n"));
	ck_assert_ptr_null(strstr(data, "not yet due"));
	ck_assert_ptr_nonnull(strstr(data, "<h2>Overdue tasks</h2>"));
	sqlite3_finalize(stmt);
}
END_TEST

/*
 * Issue 16: the first start sends no digest for the periods before it,
 * nor for the one running (not full); the first is the next full one.
 */
START_TEST(test_first_start)
{
	/* Tuesday 10th 12:00: daily [9, 10) and weekly [2, 9) are past */
	ck_assert_int_eq(run(NOW), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM outbox"), 0);
	ck_assert_int_eq(count("SELECT period_end FROM digest_runs WHERE"
	    " schedule = 'daily'"), AT(11, 0, 0));
	ck_assert_int_eq(count("SELECT period_end FROM digest_runs WHERE"
	    " schedule = 'weekly'"), AT(16, 0, 0));
	ck_assert_int_eq(run(AT(11, 7, 59)), 0);
	/* Thursday 08:00: Wednesday 11th, the first full day */
	ck_assert_int_eq(run(AT(12, 8, 0)), 1);
	/* Monday 16th 07:29: the daily one only, no weekly yet */
	ck_assert_int_eq(run(AT(16, 7, 29)), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM outbox WHERE"
	    " rcpts = 'boss@example.test b2@example.test'"), 0);
	/* Monday 23rd: the week of the 16th, the first full one */
	ck_assert_int_eq(run(AT(23, 7, 30)), 2);
	ck_assert_int_eq(count("SELECT count(*) FROM outbox WHERE"
	    " rcpts = 'boss@example.test b2@example.test'"), 1);
	ck_assert_int_eq(count("SELECT period_end FROM digest_runs WHERE"
	    " schedule = 'weekly'"), AT(23, 0, 0));
}
END_TEST

/*
 * Issue 16: a weekly digest for New York is dated by its own last day,
 * and says which zone its period is in.
 */
START_TEST(test_zone)
{
	struct fixture ny;
	struct error err;
	char *data;
	int queued;

	fixture_open(&ny, "test_digest_ny",
	    "calendars = ( { name = \"ny\"; timezone = \"America/New_York\";\n"
	    "  hours = { mon = [ \"9:00-17:00\" ]; tue = [ \"9:00-17:00\" ]; };"
	    " } );\n"
	    "reports = { calendar = \"ny\"; digests = (\n"
	    "  { name = \"weekly\"; every = \"weekly\"; day = \"monday\";\n"
	    "    at = \"07:30\"; to = \"boss@example.test\"; } ); };\n");
	/* Monday 2nd 07:00 in New York (EST, UTC-5): the install */
	ck_assert_int_eq(store_begin(ny.st, &err), 0);
	ck_assert_int_eq(digest_run(ny.st, ny.cfg, AT(2, 12, 0), &queued,
	    &err), 0);
	ck_assert_int_eq(queued, 0);
	/* Monday 9th 07:30 New York: the week of 2-8 November */
	ck_assert_int_eq(digest_run(ny.st, ny.cfg, AT(9, 12, 30), &queued,
	    &err), 0);
	ck_assert_int_eq(queued, 1);
	ck_assert_int_eq(store_commit(ny.st, &err), 0);
	data = NULL;
	{
		sqlite3_stmt *stmt;

		ck_assert_int_eq(sqlite3_prepare_v2(store_db(ny.st), "SELECT"
		    " data FROM outbox WHERE kind = 'digest'", -1, &stmt,
		    NULL), SQLITE_OK);
		ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
		data = strdup((const char *)sqlite3_column_text(stmt, 0));
		sqlite3_finalize(stmt);
	}
	ck_assert_ptr_nonnull(strstr(data, "Subject: Support digest weekly: "
	    "week to 2026-11-08\r\n"));
	ck_assert_ptr_nonnull(strstr(data, "Requests opened 2026-11-02 00:00"
	    " to 2026-11-09 00:00 America/New_York"));
	free(data);
	fixture_close(&ny);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("digest");
	TCase *tc = tcase_create("digest");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_period);
	tcase_add_test(tc, test_once_per_period);
	tcase_add_test(tc, test_survey);
	tcase_add_test(tc, test_tasks);
	tcase_add_test(tc, test_first_start);
	tcase_add_test(tc, test_zone);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
