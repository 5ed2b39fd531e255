/*
 * test_report: a generated history with known answers.  Eight requests
 * are written straight into a store (so the test depends on no other
 * part's progress) around a weekend, under a fixed clock (Tuesday
 * 2026-11-10 12:00 UTC), with a Monday-Friday 09:00-17:00 calendar; every
 * figure of the report, by agent and in total, is checked against values
 * worked out by hand in the comments below.
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>

#include "calendar.h"
#include "clock.h"
#include "error.h"
#include "report.h"
#include "store.h"
#include "store_sqlite.h"

/* 2026-11-01 00:00 UTC, a Sunday. */
#define NOV1	1793491200LL
#define AT(d, h, m)	(NOV1 + ((d) - 1) * 86400LL + (h) * 3600LL + (m) * 60LL)
#define NOW	AT(10, 12, 0)
#define FROM	AT(1, 0, 0)
#define TO	AT(11, 0, 0)

static char		 tmpdir[64];
static char		 dbpath[128];
static struct store	*st;
static struct calendar	*cal;

/*
 * The history.  Times: first response / resolved; "frd"/"rd" the due
 * times; marks are breach rows in sla_marks.
 *  T1 alice  Fri 6 16:00, answered Mon 9 10:00, resolved Mon 12:00; frd
 *            Fri 17:00 (breached, marked), rd Tue 10 16:00 (met);
 *            rating 4; 2 in, 1 out.  wall 66h = 237600 / business
 *            Fri 16-17 + Mon 9-10 = 7200; resolution 244800 / 14400.
 *  T2 alice  Mon 9 09:00, answered 09:30, closed 11:00 with 30 min
 *            pending (10:00-10:30, status events), reopened once;
 *            frd 10:00, rd 17:00 (met); rating 5;
 *            1 in, 2 out, a note and an ack (neither counted).
 *            1800 / 1800; resolution 7200 - 1800 = 5400 / 5400.
 *  T3 bob    Sat 7 10:00, answered 11:00 (business 0: weekend), open;
 *            rd Mon 9 17:00 passed, unmarked (breached); 3 in, 1 out.
 *  T4 bob    Tue 10 08:00, new; frd 13:00, rd Wed 11 08:00 (running);
 *            1 in.
 *  T5 none   Mon 9 14:00, answered 15:00, pending, resolution marked
 *            breached without a due; 1 in, 1 out.  3600 / 3600.
 *  T6 spam (hidden), T8 merged into T2: not counted anywhere.
 *  T7 alice  Tue Oct 20 12:00, open: backlog only (before the period).
 */
static const char history[] =
    "INSERT INTO tickets (id, subject, status, priority, category,"
    " assignee, company, created_at, updated_at, first_response_at,"
    " resolved_at, reopen_count, paused_secs, first_response_due,"
    " resolution_due, rating, hidden, merged_into) VALUES"
    " (1, 's', 'resolved', 'high', 'billing', 'alice', 'Acme', %lld, 0,"
    "  %lld, %lld, 0, 0, %lld, %lld, 4, 0, NULL),"
    " (2, 's', 'closed', 'normal', 'billing', 'alice', 'Acme', %lld, 0,"
    "  %lld, %lld, 1, 1800, %lld, %lld, 5, 0, NULL),"
    " (3, 's', 'open', 'normal', 'tech', 'bob', NULL, %lld, 0,"
    "  %lld, NULL, 0, 0, NULL, %lld, NULL, 0, NULL),"
    " (4, 's', 'new', 'high', 'tech', 'bob', NULL, %lld, 0,"
    "  NULL, NULL, 0, 0, %lld, %lld, NULL, 0, NULL),"
    " (5, 's', 'pending', 'low', NULL, NULL, 'Zeta', %lld, 0,"
    "  %lld, NULL, 0, 0, NULL, NULL, NULL, 0, NULL),"
    " (6, 'spam', 'new', 'normal', NULL, 'bob', NULL, %lld, 0,"
    "  NULL, NULL, 0, 0, NULL, NULL, NULL, 1, NULL),"
    " (7, 's', 'open', 'normal', NULL, 'alice', NULL, %lld, 0,"
    "  NULL, NULL, 0, 0, NULL, NULL, NULL, 0, NULL),"
    " (8, 's', 'closed', 'normal', NULL, 'alice', NULL, %lld, 0,"
    "  %lld, %lld, 0, 0, NULL, NULL, 1, 0, 2);"
    "INSERT INTO sla_marks VALUES (1, 'first_response', %lld, 'warning', 0),"
    " (1, 'first_response', %lld, 'breach', 0),"
    " (5, 'resolution', 0, 'breach', 0),"
    " (2, 'resolution', %lld, 'warning', 0);"
    "INSERT INTO events (ticket_id, at, kind, detail) VALUES"
    " (2, %lld, 'status', 'open -> pending'),"
    " (2, %lld, 'status', 'pending -> open');";

/* ticket, direction: the message rows */
static const struct { int t; const char *dir; } msgs[] = {
	{ 1, "in" }, { 1, "in" }, { 1, "out" },
	{ 2, "in" }, { 2, "out" }, { 2, "out" }, { 2, "note" }, { 2, "auto" },
	{ 3, "in" }, { 3, "in" }, { 3, "in" }, { 3, "out" },
	{ 4, "in" },
	{ 5, "in" }, { 5, "out" },
	{ 6, "in" }, { 8, "in" }, { 8, "out" },
};

static void
exec_sql(const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(store_db(st), sql, NULL, NULL, &msg) != SQLITE_OK)
		ck_abort_msg("sql: %s", msg);
}

static void
setup(void)
{
	struct error err;
	char *sql;
	size_t i;
	int d;

	clock_set_fake(NOW);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_report.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(dbpath, sizeof(dbpath), "%s/triaged.db", tmpdir);
	st = store_open(dbpath, 0, &err);
	ck_assert_msg(st != NULL, "store_open: %s", err.msg);
	if (asprintf(&sql, history,
	    AT(6, 16, 0), AT(9, 10, 0), AT(9, 12, 0), AT(6, 17, 0),
	    AT(10, 16, 0),
	    AT(9, 9, 0), AT(9, 9, 30), AT(9, 11, 0), AT(9, 10, 0),
	    AT(9, 17, 0),
	    AT(7, 10, 0), AT(7, 11, 0), AT(9, 17, 0),
	    AT(10, 8, 0), AT(10, 13, 0), AT(11, 8, 0),
	    AT(9, 14, 0), AT(9, 15, 0),
	    AT(9, 15, 0),
	    NOV1 - 12 * 86400LL + 12 * 3600LL,
	    AT(9, 9, 0), AT(9, 9, 10), AT(9, 9, 20),
	    AT(6, 17, 0), AT(6, 17, 0), AT(9, 17, 0),
	    AT(9, 10, 0), AT(9, 10, 30)) == -1)
		ck_abort();
	exec_sql(sql);
	free(sql);
	for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		if (asprintf(&sql, "INSERT INTO messages (ticket_id, direction,"
		    " created_at) VALUES (%d, '%s', 0)", msgs[i].t,
		    msgs[i].dir) == -1)
			ck_abort();
		exec_sql(sql);
		free(sql);
	}
	cal = calendar_new("UTC", &err);
	ck_assert_msg(cal != NULL, "calendar: %s", err.msg);
	for (d = 1; d <= 5; d++)
		ck_assert_int_eq(calendar_add_hours(cal, d, "09:00", "17:00",
		    &err), 0);
}

static void
teardown(void)
{
	char path[192];
	static const char *const files[] = { "triaged.db",
	    "triaged.db-wal", "triaged.db-shm" };
	size_t i;

	store_close(st);
	calendar_free(cal);
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, files[i]);
		(void)unlink(path);
	}
	(void)rmdir(tmpdir);
	clock_set_fake(0);
}

static void
check_dur(const struct report_durations *d, long n, long avg, long median,
    long p90, long max, const char *what)
{
	ck_assert_msg(d->n == n, "%s n %ld != %ld", what, d->n, n);
	ck_assert_msg(d->avg == avg, "%s avg %ld != %ld", what, d->avg, avg);
	ck_assert_msg(d->median == median, "%s median %ld != %ld", what,
	    d->median, median);
	ck_assert_msg(d->p90 == p90, "%s p90 %ld != %ld", what, d->p90, p90);
	ck_assert_msg(d->max == max, "%s max %ld != %ld", what, d->max, max);
}

static void
check_sla(const struct report_sla *s, long met, long breached, long running,
    const char *what)
{
	ck_assert_msg(s->met == met && s->breached == breached &&
	    s->running == running, "%s: %ld/%ld/%ld != %ld/%ld/%ld", what,
	    s->met, s->breached, s->running, met, breached, running);
}

START_TEST(test_total)
{
	struct report r;
	struct error err;
	const struct report_row *t = &r.total;

	ck_assert_int_eq(report_build(st, NULL, cal, FROM, TO,
	    REPORT_BY_NONE, NOW, &r, &err), 0);
	ck_assert_uint_eq(r.nrows, 0);
	ck_assert_int_eq(t->opened, 5);
	ck_assert_int_eq(t->resolved, 2);
	ck_assert_int_eq(t->reopened, 1);
	/* wall [1800, 3600, 3600, 237600]: 246600 / 4 */
	check_dur(&t->first_wall, 4, 61650, 3600, 237600, 237600, "frt wall");
	/* business [0, 1800, 3600, 7200] */
	check_dur(&t->first_business, 4, 3150, 2700, 7200, 7200, "frt bus");
	check_dur(&t->resolution_wall, 2, 125100, 125100, 244800, 244800,
	    "res wall");
	check_dur(&t->resolution_business, 2, 9900, 9900, 14400, 14400,
	    "res bus");
	check_sla(&t->sla_first, 3, 1, 1, "sla frt");
	check_sla(&t->sla_resolution, 2, 2, 1, "sla res");
	ck_assert_int_eq(report_sla_percent(&t->sla_first), 75);
	ck_assert_int_eq(report_sla_percent(&t->sla_resolution), 50);
	ck_assert_int_eq(t->customer_messages, 8);
	ck_assert_int_eq(t->agent_replies, 5);
	/* T3 266400, T4 14400, T5 79200, T7 1814400 */
	ck_assert_int_eq(t->backlog, 4);
	ck_assert_int_eq(t->backlog_age_avg, 543600);
	ck_assert_int_eq(t->backlog_age_max, 1814400);
	ck_assert_int_eq(t->rated, 2);
	ck_assert(t->rating_avg > 4.49 && t->rating_avg < 4.51);
	report_free(&r);
}
END_TEST

START_TEST(test_by_agent)
{
	struct report r;
	struct error err;
	const struct report_row *a, *b, *u;

	ck_assert_int_eq(report_build(st, NULL, cal, FROM, TO,
	    REPORT_BY_AGENT, NOW, &r, &err), 0);
	ck_assert_uint_eq(r.nrows, 3);
	a = &r.rows[0];
	b = &r.rows[1];
	u = &r.rows[2];
	ck_assert_str_eq(a->group, "alice");
	ck_assert_str_eq(b->group, "bob");
	ck_assert_str_eq(u->group, "(unassigned)");

	ck_assert_int_eq(a->opened, 2);
	ck_assert_int_eq(a->resolved, 2);
	ck_assert_int_eq(a->reopened, 1);
	check_dur(&a->first_wall, 2, 119700, 119700, 237600, 237600, "a fw");
	check_dur(&a->first_business, 2, 4500, 4500, 7200, 7200, "a fb");
	check_dur(&a->resolution_business, 2, 9900, 9900, 14400, 14400,
	    "a rb");
	check_sla(&a->sla_first, 1, 1, 0, "a sla frt");
	check_sla(&a->sla_resolution, 2, 0, 0, "a sla res");
	ck_assert_int_eq(report_sla_percent(&a->sla_first), 50);
	ck_assert_int_eq(report_sla_percent(&a->sla_resolution), 100);
	ck_assert_int_eq(a->customer_messages, 3);
	ck_assert_int_eq(a->agent_replies, 3);
	ck_assert_int_eq(a->backlog, 1);
	ck_assert_int_eq(a->backlog_age_max, 1814400);
	ck_assert_int_eq(a->rated, 2);

	ck_assert_int_eq(b->opened, 2);
	ck_assert_int_eq(b->resolved, 0);
	check_dur(&b->first_wall, 1, 3600, 3600, 3600, 3600, "b fw");
	check_dur(&b->first_business, 1, 0, 0, 0, 0, "b fb");
	check_dur(&b->resolution_wall, 0, 0, 0, 0, 0, "b rw");
	check_sla(&b->sla_first, 1, 0, 1, "b sla frt");
	check_sla(&b->sla_resolution, 0, 1, 1, "b sla res");
	ck_assert_int_eq(report_sla_percent(&b->sla_resolution), 0);
	ck_assert_int_eq(b->customer_messages, 4);
	ck_assert_int_eq(b->agent_replies, 1);
	ck_assert_int_eq(b->backlog, 2);
	ck_assert_int_eq(b->backlog_age_avg, 140400);
	ck_assert_int_eq(b->backlog_age_max, 266400);
	ck_assert_int_eq(b->rated, 0);

	ck_assert_int_eq(u->opened, 1);
	check_dur(&u->first_business, 1, 3600, 3600, 3600, 3600, "u fb");
	check_sla(&u->sla_first, 1, 0, 0, "u sla frt");
	check_sla(&u->sla_resolution, 0, 1, 0, "u sla res");
	ck_assert_int_eq(u->backlog, 1);
	ck_assert_int_eq(u->backlog_age_avg, 79200);
	report_free(&r);
}
END_TEST

/* Groups of the other kinds: names, order and the opened count. */
START_TEST(test_groupings)
{
	static const struct {
		enum report_by	 by;
		size_t		 n;
		const char	*groups[6];
		long		 opened[6];
	} cases[] = {
		{ REPORT_BY_CATEGORY, 3, { "billing", "tech", "(none)" },
		    { 2, 2, 1 } },
		{ REPORT_BY_COMPANY, 3, { "Acme", "Zeta", "(none)" },
		    { 2, 1, 2 } },
		{ REPORT_BY_PRIORITY, 3, { "high", "low", "normal" },
		    { 2, 1, 2 } },
		{ REPORT_BY_DAY, 4, { "2026-11-06", "2026-11-07",
		    "2026-11-09", "2026-11-10" }, { 1, 1, 2, 1 } },
		{ REPORT_BY_HOUR, 5, { "08", "09", "10", "14", "16" },
		    { 1, 1, 1, 1, 1 } },
		{ REPORT_BY_WEEKDAY, 4, { "Mon", "Tue", "Fri", "Sat" },
		    { 2, 1, 1, 1 } },
	};
	struct report r;
	struct error err;
	size_t i, k;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(report_build(st, NULL, cal, FROM, TO,
		    cases[i].by, NOW, &r, &err), 0);
		ck_assert_msg(r.nrows == cases[i].n, "%s: %zu rows",
		    report_by_name(cases[i].by), r.nrows);
		for (k = 0; k < r.nrows; k++) {
			ck_assert_str_eq(r.rows[k].group, cases[i].groups[k]);
			ck_assert_int_eq(r.rows[k].opened, cases[i].opened[k]);
		}
		ck_assert_int_eq(r.total.opened, 5);
		report_free(&r);
	}
}
END_TEST

/* Without a calendar business time is wall time. */
START_TEST(test_no_calendar)
{
	struct report r;
	struct error err;

	ck_assert_int_eq(report_build(st, NULL, NULL, FROM, TO,
	    REPORT_BY_NONE, NOW, &r, &err), 0);
	check_dur(&r.total.first_business, 4, 61650, 3600, 237600, 237600,
	    "24/7");
	report_free(&r);
}
END_TEST

START_TEST(test_load)
{
	struct report_load l;
	struct error err;
	long sum = 0;
	int d, h;

	ck_assert_int_eq(report_load_build(st, cal, FROM, TO, NOW, &l, &err),
	    0);
	ck_assert_uint_eq(l.nagents, 3);
	ck_assert_str_eq(l.agents[0].agent, "alice");
	ck_assert_int_eq(l.agents[0].open, 1);
	ck_assert_int_eq(l.agents[0].overdue, 0);
	ck_assert_str_eq(l.agents[1].agent, "bob");
	ck_assert_int_eq(l.agents[1].open, 2);
	ck_assert_int_eq(l.agents[1].overdue, 1);	/* T3 rd Mon 17:00 */
	ck_assert_int_eq(l.agents[1].due_soon, 1);	/* T4 frd 13:00 */
	ck_assert_str_eq(l.agents[2].agent, "(unassigned)");
	ck_assert_int_eq(l.agents[2].open, 1);
	ck_assert_int_eq(l.opened[4][16], 1);	/* Fri 16h */
	ck_assert_int_eq(l.opened[5][10], 1);	/* Sat 10h */
	ck_assert_int_eq(l.opened[0][9], 1);	/* Mon 09h */
	ck_assert_int_eq(l.opened[0][14], 1);
	ck_assert_int_eq(l.opened[1][8], 1);	/* Tue 08h */
	for (d = 0; d < 7; d++)
		for (h = 0; h < 24; h++)
			sum += l.opened[d][h];
	ck_assert_int_eq(sum, 5);
	report_load_free(&l);
}
END_TEST

START_TEST(test_periods)
{
	static const struct {
		const char	*name;
		long long	 from;
	} cases[] = {
		{ "today", AT(10, 0, 0) },
		{ "week", AT(9, 0, 0) },
		{ "month", AT(1, 0, 0) },
	};
	struct calendar *warsaw;
	struct error err;
	time_t from, to;
	size_t i;
	enum report_by by;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(report_period(cases[i].name, cal, NOW, &from,
		    &to), 0);
		ck_assert_int_eq(from, cases[i].from);
		ck_assert_int_eq(to, NOW + 1);
	}
	ck_assert_int_eq(report_period("year", cal, NOW, &from, &to), -1);
	/* Warsaw is UTC+1 in November: local midnight is 23:00 UTC */
	warsaw = calendar_new("Europe/Warsaw", &err);
	ck_assert_ptr_nonnull(warsaw);
	ck_assert_int_eq(report_date("2026-11-10", warsaw, &from), 0);
	ck_assert_int_eq(from, AT(9, 23, 0));
	ck_assert_int_eq(report_date("2026-7-10", warsaw, &from), -1);
	calendar_free(warsaw);
	ck_assert_int_eq(report_by_parse("weekday", &by), 0);
	ck_assert_int_eq(by, REPORT_BY_WEEKDAY);
	ck_assert_int_eq(report_by_parse("team", &by), -1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("report");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_total);
	tcase_add_test(tc, test_by_agent);
	tcase_add_test(tc, test_groupings);
	tcase_add_test(tc, test_no_calendar);
	tcase_add_test(tc, test_load);
	tcase_add_test(tc, test_periods);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
