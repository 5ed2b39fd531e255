/*
 * test_report_figures: the figures issue 16 found wrong, with its own
 * hand-counted numbers, on a Warsaw calendar with hours 08:00-17:00 and
 * a fake clock.  The requests go through the real status path
 * (ticket_ops_status: status events and sla_update), as the daemon
 * writes them:
 *  #1  created Tue 10 Nov 10:00, answered 10:05, pending 10:11, the
 *      customer answers Wed 10:00, resolved Wed 11:00.  Wall: 25h less
 *      the wall pause 23h49m = 4260 s (not 90000 - 31740 business
 *      seconds = 58260); business: 10h less 31740 = 4260 s.
 *  #2  created Tue 10:00, answered 10:05, pending 10:11, resolved
 *      straight from pending Thu 10:00: 660 s both ways (not 64800).
 *  #3  created Tue 10:00, first response due 11:00 (1 business hour),
 *      answered 12:00 while no timer ran (no breach mark): breached.
 *  #4  created Tue 10:00, answered 10:30: met.
 *  #5  created Tue 09:00, resolution due Tue 17:00 (8 business hours),
 *      pending only at 18:00, resolved from pending Thu 10:00, no mark
 *      (the daemon was down at 17:00): breached.  A pause that begins
 *      after the due time does not move it (the model test found the
 *      report counting it met: the due time moved by the pause's 11
 *      business hours to Thu 10:00).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "clock.h"
#include "config.h"
#include "error.h"
#include "fixture.h"
#include "report.h"
#include "sla.h"
#include "store.h"
#include "ticket_ops.h"

#define NOV1	1793491200LL	/* 2026-11-01 00:00 UTC, a Sunday */
/* Warsaw wall-clock time of November 2026 (UTC+1 all month). */
#define WAW(d, h, m)	((time_t)(NOV1 + ((d) - 1) * 86400LL + \
			    (h) * 3600LL + (m) * 60LL - 3600))
#define NOW	WAW(13, 12, 0)	/* Friday 13 Nov 12:00 */

static struct fixture	 fx;

static const char conf[] =
    "calendars = (\n"
    "  { name = \"warsaw\"; timezone = \"Europe/Warsaw\";\n"
    "    hours = { mon = [ \"8:00-17:00\" ]; tue = [ \"8:00-17:00\" ];\n"
    "      wed = [ \"8:00-17:00\" ]; thu = [ \"8:00-17:00\" ];\n"
    "      fri = [ \"8:00-17:00\" ]; }; }\n"
    ");\n"
    "sla_policies = (\n"
    "  { name = \"standard\"; calendar = \"warsaw\";\n"
    "    first_response = 60; resolution = 480; }\n"
    ");\n"
    "reports = { calendar = \"warsaw\"; };\n";

static void
setup(void)
{
	clock_set_fake(NOW);
	fixture_open(&fx, "test_report_figures", conf);
}

static void
teardown(void)
{
	fixture_close(&fx);
	clock_set_fake(0);
}

/* Request id created at t, its deadlines set as the daemon sets them. */
static void
created(int id, time_t t)
{
	struct error err;
	char sql[256];

	snprintf(sql, sizeof(sql), "INSERT INTO tickets (id, subject, status,"
	    " created_at, updated_at) VALUES (%d, 'printer', 'open', %lld,"
	    " %lld)", id, (long long)t, (long long)t);
	fixture_exec(fx.st, sql);
	ck_assert_int_eq(store_begin(fx.st, &err), 0);
	ck_assert_msg(sla_update(fx.st, fx.cfg, id, t, &err) == 0, "%s",
	    err.msg);
	ck_assert_int_eq(store_commit(fx.st, &err), 0);
}

/* The first agent answer of request id at t. */
static void
answered(int id, time_t t)
{
	struct error err;
	char sql[256];

	snprintf(sql, sizeof(sql), "UPDATE tickets SET first_response_at ="
	    " %lld, last_agent_at = %lld WHERE id = %d", (long long)t,
	    (long long)t, id);
	fixture_exec(fx.st, sql);
	ck_assert_int_eq(store_begin(fx.st, &err), 0);
	ck_assert_msg(sla_update(fx.st, fx.cfg, id, t, &err) == 0, "%s",
	    err.msg);
	ck_assert_int_eq(store_commit(fx.st, &err), 0);
}

static void
status(int id, const char *s, time_t t)
{
	struct error err;

	ck_assert_int_eq(store_begin(fx.st, &err), 0);
	ck_assert_msg(ticket_ops_status(fx.st, fx.cfg, id, s, "anna", t,
	    &err) == 0, "%s", err.msg);
	ck_assert_int_eq(store_commit(fx.st, &err), 0);
}

static void
build(struct report *r)
{
	struct error err;
	const struct calendar *cal;

	cal = config_sla_calendar(fx.cfg, config_reports_calendar(fx.cfg));
	ck_assert_ptr_nonnull(cal);
	ck_assert_msg(report_build(fx.st, fx.cfg, cal, WAW(9, 0, 0),
	    WAW(16, 0, 0), REPORT_BY_NONE, NOW, r, &err) == 0, "%s",
	    err.msg);
}

/* Wall resolution less the wall pause, not the business one. */
START_TEST(test_wall_pause)
{
	struct report r;

	created(1, WAW(10, 10, 0));
	answered(1, WAW(10, 10, 5));
	status(1, "pending", WAW(10, 10, 11));
	status(1, "open", WAW(11, 10, 0));
	status(1, "resolved", WAW(11, 11, 0));
	build(&r);
	ck_assert_int_eq(r.total.resolved, 1);
	ck_assert_int_eq(r.total.resolution_wall.max, 4260);
	ck_assert_int_eq(r.total.resolution_business.max, 4260);
	ck_assert_int_eq(r.total.sla_resolution.met, 1);
	report_free(&r);
}
END_TEST

/* Resolved straight from pending: the pending stretch is paused. */
START_TEST(test_resolved_from_pending)
{
	struct report r;

	created(2, WAW(10, 10, 0));
	answered(2, WAW(10, 10, 5));
	status(2, "pending", WAW(10, 10, 11));
	status(2, "resolved", WAW(12, 10, 0));
	build(&r);
	ck_assert_int_eq(r.total.resolved, 1);
	ck_assert_int_eq(r.total.resolution_wall.max, 660);
	ck_assert_int_eq(r.total.resolution_business.max, 660);
	ck_assert_int_eq(r.total.sla_resolution.met, 1);
	ck_assert_int_eq(r.total.sla_resolution.breached, 0);
	/* the deadline keeps the stretch too, should it come back */
	ck_assert_int_eq(fixture_count(fx.st, "SELECT paused_secs FROM"
	    " tickets WHERE id = 2"), 24540 + 32400 + 7200);
	report_free(&r);
}
END_TEST

/* A late answer is a breach, marked or not. */
START_TEST(test_late_unmarked)
{
	struct report r;

	created(3, WAW(10, 10, 0));
	created(4, WAW(10, 10, 0));
	ck_assert_int_eq(fixture_count(fx.st, "SELECT first_response_due"
	    " FROM tickets WHERE id = 3"), WAW(10, 11, 0));
	answered(3, WAW(10, 12, 0));
	answered(4, WAW(10, 10, 30));
	ck_assert_int_eq(fixture_count(fx.st, "SELECT count(*) FROM"
	    " sla_marks"), 0);
	build(&r);
	ck_assert_int_eq(r.total.sla_first.met, 1);
	ck_assert_int_eq(r.total.sla_first.breached, 1);
	ck_assert_int_eq(r.total.sla_first.running, 0);
	/* resolution: 8 business hours from Tue 10:00, Wed 09:00, passed */
	ck_assert_int_eq(r.total.sla_resolution.breached, 2);
	report_free(&r);
}
END_TEST

/* Late before it waited: a later pause does not make it in time. */
START_TEST(test_late_then_pending)
{
	struct report r;

	created(5, WAW(10, 9, 0));
	answered(5, WAW(10, 9, 30));
	status(5, "pending", WAW(10, 18, 0));
	status(5, "resolved", WAW(12, 10, 0));
	ck_assert_int_eq(fixture_count(fx.st, "SELECT count(*) FROM"
	    " sla_marks"), 0);
	build(&r);
	ck_assert_int_eq(r.total.resolved, 1);
	ck_assert_int_eq(r.total.sla_resolution.met, 0);
	ck_assert_int_eq(r.total.sla_resolution.breached, 1);
	/* 8 business hours to Tue 17:00, and one after: 18:00 - 09:00 */
	ck_assert_int_eq(r.total.resolution_business.max, 8 * 3600);
	report_free(&r);
}
END_TEST

static Suite *
report_figures_suite(void)
{
	Suite *s = suite_create("report_figures");
	TCase *tc = tcase_create("issue16");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_wall_pause);
	tcase_add_test(tc, test_resolved_from_pending);
	tcase_add_test(tc, test_late_unmarked);
	tcase_add_test(tc, test_late_then_pending);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(report_figures_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
