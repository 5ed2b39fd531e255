/*
 * test_report_model: a randomised check of the report's durations
 * against a deliberately naive model.  2,000 requests, each with its own
 * random history (seeded, reproducible: statuses new/open/pending/
 * resolved/closed, pauses, resolutions straight from pending, reopens,
 * a first answer or none), are written as the daemon writes them
 * (tickets row + status events) around the DST change of 29 March 2026
 * on a Warsaw calendar with hours 08:00-17:00 and a holiday.  Each one
 * has its own assignee, so report --by agent gives one group per
 * request; the model walks each life in 5-minute steps (every time and
 * every calendar boundary falls on one), asking only "is it pending
 * now?" and calendar_is_open, and must agree on every figure.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "error.h"
#include "fixture.h"
#include "report.h"
#include "store.h"

#define NREQ	2000
#define STEP	300
#define MAXEV	8
/* 2026-03-23 00:00 UTC, a Monday; the DST change is Sunday 29th */
#define BASE	1774224000LL
#define NOW	(BASE + 40 * 86400LL)

struct life {
	time_t		 created, first_at, resolved_at;
	int		 nev;
	time_t		 at[MAXEV];
	const char	*from[MAXEV], *to[MAXEV];
	const char	*status;
};

static struct fixture	 fx;
static struct calendar	*cal;
static uint64_t		 seed = 20261116;

static long
rnd(long n)
{
	seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return (long)((seed >> 33) % (uint64_t)n);
}

static void
setup(void)
{
	struct error err;
	int d;

	fixture_open(&fx, "test_report_model", NULL);
	cal = calendar_new("Europe/Warsaw", &err);
	ck_assert_ptr_nonnull(cal);
	for (d = 1; d <= 5; d++)
		ck_assert_int_eq(calendar_add_hours(cal, d, "08:00", "17:00",
		    &err), 0);
	ck_assert_int_eq(calendar_add_holiday(cal, "2026-04-06", &err), 0);
}

static void
teardown(void)
{
	calendar_free(cal);
	fixture_close(&fx);
}

/* A random life, as ticket_ops_status would leave it. */
static void
life_make(struct life *l)
{
	static const char *const st[] = { "open", "pending", "resolved",
	    "closed" };
	const char *cur = rnd(2) ? "new" : "open", *next;
	time_t t;
	int n = (int)rnd(MAXEV + 1), i;

	memset(l, 0, sizeof(*l));
	l->created = BASE + rnd(14 * 288) * STEP;
	t = l->created;
	for (i = 0; i < n; i++) {
		do
			next = st[rnd(4)];
		while (strcmp(next, cur) == 0);
		t += (1 + rnd(rnd(3) ? 24 : 432)) * STEP;
		l->at[l->nev] = t;
		l->from[l->nev] = cur;
		l->to[l->nev++] = next;
		if (strcmp(next, "resolved") == 0)
			l->resolved_at = t;
		else if (strcmp(next, "closed") == 0 && l->resolved_at == 0)
			l->resolved_at = t;
		cur = next;
	}
	l->status = cur;
	if (rnd(4) != 0)
		l->first_at = l->created + (1 + rnd(rnd(2) ? 30 : 600)) * STEP;
}

/* Is l pending during [t, t + STEP)? */
static int
life_pending(const struct life *l, time_t t)
{
	int i, p = 0;

	for (i = 0; i < l->nev && l->at[i] <= t; i++)
		p = strcmp(l->to[i], "pending") == 0;
	return p;
}

static void
life_store(const struct life *l, int id)
{
	char sql[512];
	int i;

	snprintf(sql, sizeof(sql), "INSERT INTO tickets (id, subject, status,"
	    " assignee, created_at, updated_at, first_response_at,"
	    " resolved_at) VALUES (%d, 's', '%s', 'a%05d', %lld, %lld,"
	    " NULLIF(%lld, 0), NULLIF(%lld, 0))", id, l->status, id,
	    (long long)l->created, (long long)l->created,
	    (long long)l->first_at, (long long)l->resolved_at);
	fixture_exec(fx.st, sql);
	for (i = 0; i < l->nev; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO events (ticket_id,"
		    " at, kind, actor, detail) VALUES (%d, %lld, 'status',"
		    " 'anna', '%s -> %s')", id, (long long)l->at[i],
		    l->from[i], l->to[i]);
		fixture_exec(fx.st, sql);
	}
}

START_TEST(test_model)
{
	static struct life lives[NREQ + 1];
	struct report r;
	struct error err;
	size_t g;
	long resolved = 0;
	int i;

	fixture_exec(fx.st, "BEGIN");
	for (i = 1; i <= NREQ; i++) {
		life_make(&lives[i]);
		life_store(&lives[i], i);
	}
	fixture_exec(fx.st, "COMMIT");
	ck_assert_int_eq(report_build(fx.st, NULL, cal, BASE, NOW,
	    REPORT_BY_AGENT, NOW, &r, &err), 0);
	ck_assert_uint_eq(r.nrows, NREQ);
	for (g = 0; g < r.nrows; g++) {
		const struct report_row *row = &r.rows[g];
		const struct life *l;
		long fw = 0, fb = 0, rw = 0, rb = 0;
		bool done;
		time_t t;

		i = atoi(row->group + 1);
		ck_assert(i >= 1 && i <= NREQ);
		l = &lives[i];
		done = l->resolved_at != 0 &&
		    (strcmp(l->status, "resolved") == 0 ||
		    strcmp(l->status, "closed") == 0);
		for (t = l->created; t < l->first_at; t += STEP) {
			fw += STEP;
			fb += calendar_is_open(cal, t) ? STEP : 0;
		}
		for (t = l->created; done && t < l->resolved_at; t += STEP) {
			if (life_pending(l, t))
				continue;
			rw += STEP;
			rb += calendar_is_open(cal, t) ? STEP : 0;
		}
		resolved += done;
		ck_assert_msg(row->opened == 1 && row->resolved == done,
		    "#%d: opened %ld resolved %ld", i, row->opened,
		    row->resolved);
		ck_assert_msg(row->first_wall.n == (l->first_at != 0) &&
		    row->first_wall.max == fw && row->first_business.max == fb,
		    "#%d first response: %ld/%ld, model %ld/%ld", i,
		    row->first_wall.max, row->first_business.max, fw, fb);
		ck_assert_msg(row->resolution_wall.n == done &&
		    row->resolution_wall.max == rw &&
		    row->resolution_business.max == rb,
		    "#%d resolution: %ld/%ld, model %ld/%ld", i,
		    row->resolution_wall.max, row->resolution_business.max, rw,
		    rb);
	}
	ck_assert_int_eq(r.total.resolved, resolved);
	report_free(&r);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("report_model");
	TCase *tc = tcase_create("model");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_model);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
