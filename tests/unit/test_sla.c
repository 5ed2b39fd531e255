/*
 * test_sla: SLA deadlines on a fake clock.  The users' Friday example
 * (3 business hours from Friday 15:00 with hours 9-17 is Monday 10:00),
 * warnings at a share of the target, pausing while pending and resuming,
 * next-response restarts, the order in which a policy is chosen, the
 * "due in / overdue by" text, the config's errors, and the timer: each
 * warning and breach once ever (sla_marks), to the right people.
 * Calendar arithmetic itself is test_calendar's.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "buf.h"
#include "calendar.h"
#include "config.h"
#include "error.h"
#include "fixture.h"
#include "sla.h"
#include "sla_timer.h"
#include "store.h"

#define NOV1	1793491200LL	/* 2026-11-01 00:00 UTC, a Sunday */
/* UTC instants of November 2026; Warsaw is UTC+1 all month. */
#define AT(d, h, m)	((time_t)(NOV1 + ((d) - 1) * 86400LL + \
			    (h) * 3600LL + (m) * 60LL))
/* The same in Warsaw's wall-clock time. */
#define WAW(d, h, m)	(AT(d, h, m) - 3600)
#define MIN		60L
#define HOUR		3600L

static struct fixture	 fx;
static struct config	*cfg;
static struct store	*st;

static const char conf[] =
    "agents = (\n"
    "  { name = \"anna\"; addresses = [ \"anna@example.test\" ];\n"
    "    categories = [ \"Support\" ]; },\n"
    "  { name = \"olek\"; addresses = [ \"olek@example.test\" ];\n"
    "    categories = [ \"Support\" ]; },\n"
    "  { name = \"boss\"; addresses = [ \"boss@example.test\" ];\n"
    "    categories = [ \"Support\" ]; manager = true; }\n"
    ");\n"
    "categories = ( { path = \"Support\"; },\n"
    "  { path = \"Gold\"; sla_policy = \"gold\"; } );\n"
    "calendars = (\n"
    "  { name = \"office\"; timezone = \"Europe/Warsaw\";\n"
    "    hours = { mon = [ \"9:00-17:00\" ]; tue = [ \"9:00-17:00\" ];\n"
    "      wed = [ \"9:00-17:00\" ]; thu = [ \"9:00-17:00\" ];\n"
    "      fri = [ \"9:00-17:00\" ]; sat = []; };\n"
    "    holidays = [ \"2026-12-25\" ]; workdays = [ \"2026-12-27\" ]; },\n"
    "  { name = \"always\"; timezone = \"UTC\";\n"
    "    hours = { sun = [ \"0:00-24:00\" ]; mon = [ \"0:00-24:00\" ];\n"
    "      tue = [ \"0:00-24:00\" ]; wed = [ \"0:00-24:00\" ];\n"
    "      thu = [ \"0:00-24:00\" ]; fri = [ \"0:00-24:00\" ];\n"
    "      sat = [ \"0:00-24:00\" ]; }; }\n"
    ");\n"
    "sla_policies = (\n"
    "  { name = \"standard\"; calendar = \"office\";\n"
    "    first_response = 180; next_response = 240; resolution = 2400;\n"
    "    priorities = [ \"normal\" ]; warn_at = 80;\n"
    "    escalate = { priority = \"+1\"; tag = \"breached\";\n"
    "      notify = [ \"lead@example.test\" ]; }; },\n"
    "  { name = \"urgent\"; calendar = \"always\"; first_response = 30;\n"
    "    priorities = [ \"urgent\", \"high\" ]; },\n"
    "  { name = \"gold\"; calendar = \"always\"; first_response = 10; },\n"
    "  { name = \"basic\"; first_response = 600; }\n"
    ");\n"
    "sla = { default_policy = \"basic\";\n"
    "  warning = { subject = \"W {{target}} {{left}}\"; };\n"
    "  breach = { subject = \"B {{target}} {{left}}\"; }; };\n";

static void
setup(void)
{
	fixture_open(&fx, "test_sla", conf);
	cfg = fx.cfg;
	st = fx.st;
}

static void
teardown(void)
{
	fixture_close(&fx);
}

static void
exec_sql(const char *sql)
{
	fixture_exec(st, sql);
}

static long long
count(const char *sql)
{
	return fixture_count(st, sql);
}

/* A request #id created at t, in category cat (NULL: none). */
static void
ticket(int id, time_t t, const char *cat, const char *assignee)
{
	char sql[512];

	snprintf(sql, sizeof(sql), "INSERT INTO tickets (id, subject, status,"
	    " created_at, updated_at, category, assignee) VALUES (%d,"
	    " 'printer', 'open', %lld, %lld, %s%s%s, %s%s%s)", id,
	    (long long)t, (long long)t, cat ? "'" : "", cat ? cat : "NULL",
	    cat ? "'" : "", assignee ? "'" : "", assignee ? assignee : "NULL",
	    assignee ? "'" : "");
	exec_sql(sql);
}

static void
update(int id, time_t now)
{
	struct error err;

	ck_assert_int_eq(store_begin(st, &err), 0);
	ck_assert_msg(sla_update(st, cfg, id, now, &err) == 0,
	    "sla_update: %s", err.msg);
	ck_assert_int_eq(store_commit(st, &err), 0);
}

static int
check(time_t now)
{
	struct error err;
	int queued;

	ck_assert_int_eq(store_begin(st, &err), 0);
	ck_assert_msg(sla_timer_check(st, cfg, now, 100, &queued, &err) == 0,
	    "sla_timer_check: %s", err.msg);
	ck_assert_int_eq(store_commit(st, &err), 0);
	return queued;
}

static long long
column(int id, const char *col)
{
	char sql[160];

	snprintf(sql, sizeof(sql), "SELECT COALESCE(%s, 0) FROM tickets"
	    " WHERE id = %d", col, id);
	return count(sql);
}

START_TEST(test_friday)
{
	const struct sla_policy *p = config_sla_policy_find(cfg, "standard");
	struct sla_state s = { .status = "open",
	    .created_at = WAW(20, 15, 0) };
	struct sla_deadlines d;

	ck_assert_ptr_nonnull(p);
	sla_compute(p, &s, &d);
	/* 2 h on Friday, 1 h on Monday */
	ck_assert_int_eq(d.due[SLA_FIRST_RESPONSE], WAW(23, 10, 0));
	/* 80 % of 180 min = 144 min: Friday's 2 h, then 24 min */
	ck_assert_int_eq(d.warn[SLA_FIRST_RESPONSE], WAW(23, 9, 24));
	/* 40 business hours: five days of eight, ending next Friday 15:00 */
	ck_assert_int_eq(d.due[SLA_RESOLUTION], WAW(27, 15, 0));
	ck_assert_int_eq(d.due[SLA_NEXT_RESPONSE], 0);
	/* arriving on Saturday, the clock starts on Monday 9:00 */
	s.created_at = WAW(21, 11, 0);
	sla_compute(p, &s, &d);
	ck_assert_int_eq(d.due[SLA_FIRST_RESPONSE], WAW(23, 12, 0));
	/* resolved and closed requests have no deadlines */
	s.status = "resolved";
	sla_compute(p, &s, &d);
	ck_assert_int_eq(d.due[SLA_FIRST_RESPONSE], 0);
	ck_assert_int_eq(d.due[SLA_RESOLUTION], 0);
}
END_TEST

START_TEST(test_next_response)
{
	static const struct {
		long long	 first, customer, agent, due;
	} cases[] = {
		/* not answered yet: the first response runs instead */
		{ 0, WAW(23, 10, 0), 0, 0 },
		/* answered, nothing since */
		{ WAW(23, 10, 0), WAW(23, 9, 0), WAW(23, 10, 0), 0 },
		/* the customer wrote again at 11:00: 4 h from then */
		{ WAW(23, 10, 0), WAW(23, 11, 0), WAW(23, 10, 0),
		    WAW(23, 15, 0) },
		/* ... and once more at 16:00: restarted, into Tuesday */
		{ WAW(23, 10, 0), WAW(23, 16, 0), WAW(23, 10, 0),
		    WAW(24, 12, 0) },
		/* the agent answered that: stopped */
		{ WAW(23, 10, 0), WAW(23, 16, 0), WAW(23, 16, 30), 0 },
	};
	const struct sla_policy *p = config_sla_policy_find(cfg, "standard");
	struct sla_deadlines d;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sla_state s = { .status = "open",
		    .created_at = WAW(23, 9, 0),
		    .first_response_at = (time_t)cases[i].first,
		    .last_customer_at = (time_t)cases[i].customer,
		    .last_agent_at = (time_t)cases[i].agent };

		sla_compute(p, &s, &d);
		ck_assert_msg(d.due[SLA_NEXT_RESPONSE] == (time_t)cases[i].due,
		    "case %zu: %lld", i, (long long)d.due[SLA_NEXT_RESPONSE]);
		ck_assert_int_eq(d.due[SLA_FIRST_RESPONSE] == 0,
		    cases[i].first != 0);
	}
}
END_TEST

/* Pending stops the resolution clock; leaving pending adds the pause. */
START_TEST(test_pause)
{
	ticket(1, WAW(23, 9, 0), NULL, NULL);
	update(1, WAW(23, 9, 0));
	ck_assert_int_eq(column(1, "resolution_due"), WAW(27, 17, 0));
	/* pending at Monday 13:00 */
	exec_sql("UPDATE tickets SET status = 'pending' WHERE id = 1");
	update(1, WAW(23, 13, 0));
	ck_assert_int_eq(column(1, "paused_at"), WAW(23, 13, 0));
	ck_assert_int_eq(column(1, "resolution_due"), 0);
	/* the first response still runs: nobody answered */
	ck_assert_int_eq(column(1, "first_response_due"), WAW(23, 12, 0));
	/* the customer answers on Tuesday 11:00: 4 + 2 business hours */
	exec_sql("UPDATE tickets SET status = 'open' WHERE id = 1");
	update(1, WAW(24, 11, 0));
	ck_assert_int_eq(column(1, "paused_at"), 0);
	ck_assert_int_eq(column(1, "paused_secs"), 6 * HOUR);
	/* so the deadline moves from Friday 17:00 to Monday 15:00 */
	ck_assert_int_eq(column(1, "resolution_due"), WAW(30, 15, 0));
	/* resolving clears everything */
	exec_sql("UPDATE tickets SET status = 'resolved' WHERE id = 1");
	update(1, WAW(24, 12, 0));
	ck_assert_int_eq(column(1, "resolution_due"), 0);
	ck_assert_int_eq(column(1, "first_response_due"), 0);
	ck_assert_int_eq(column(1, "sla_check_at"), 0);
}
END_TEST

/* An agent's answer (an 'out' message) ends the first response. */
START_TEST(test_answered)
{
	char sql[256];

	ticket(1, WAW(23, 9, 0), NULL, NULL);
	update(1, WAW(23, 9, 0));
	ck_assert_int_eq(column(1, "sla_check_at"), WAW(23, 11, 24));
	snprintf(sql, sizeof(sql), "INSERT INTO messages (ticket_id,"
	    " direction, created_at) VALUES (1, 'in', %lld), (1, 'out', %lld)",
	    (long long)WAW(23, 9, 0), (long long)WAW(23, 10, 0));
	exec_sql(sql);
	update(1, WAW(23, 10, 0));
	ck_assert_int_eq(column(1, "first_response_due"), 0);
	ck_assert_int_eq(column(1, "next_response_due"), 0);
	/* a customer message after the answer starts the next response */
	snprintf(sql, sizeof(sql), "UPDATE tickets SET last_customer_at ="
	    " %lld WHERE id = 1", (long long)WAW(23, 11, 0));
	exec_sql(sql);
	update(1, WAW(23, 11, 0));
	ck_assert_int_eq(column(1, "next_response_due"), WAW(23, 15, 0));
}
END_TEST

START_TEST(test_policy_choice)
{
	static const struct {
		const char	*chosen, *priority, *want;
	} cases[] = {
		{ "gold", "urgent", "gold" },	/* rule/category/company */
		{ NULL, "urgent", "urgent" },	/* priority mapping */
		{ NULL, "high", "urgent" },
		{ NULL, "normal", "standard" },
		{ NULL, "low", "basic" },	/* the default */
		{ "nosuch", "high", "urgent" },	/* unknown: as if none */
		{ NULL, NULL, "basic" },
	};
	const struct sla_policy *p;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p = config_sla_policy_for(cfg, cases[i].chosen,
		    cases[i].priority);
		ck_assert_ptr_nonnull(p);
		ck_assert_str_eq(p->name, cases[i].want);
	}
	ck_assert_str_eq(config_sla_default_policy(cfg), "basic");
	/* basic names no calendar: the first one, office */
	p = config_sla_policy_find(cfg, "basic");
	ck_assert_ptr_eq(p->calendar, config_sla_calendar(cfg, "office"));
	ck_assert_ptr_eq(config_sla_calendar(cfg, NULL),
	    config_sla_calendar(cfg, "office"));
	ck_assert_ptr_null(config_sla_calendar(cfg, "nosuch"));
	/* holidays and extra days reach the calendar */
	ck_assert(!calendar_is_open(p->calendar, WAW(25 + 30, 10, 0)));
}
END_TEST

START_TEST(test_format_left)
{
	static const struct {
		long long	 delta;
		const char	*want;
	} cases[] = {
		{ 80 * 60, "due in 1h20m" },
		{ -35 * 60, "overdue by 35m" },
		{ 45, "due in 45s" },
		{ 0, "due in 0s" },
		{ 2 * 86400 + 3 * 3600 + 59, "due in 2d3h" },
		{ -(5 * 3600 + 7 * 60), "overdue by 5h07m" },
	};
	char buf[48];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sla_format_left((time_t)(NOV1 + cases[i].delta), (time_t)NOV1,
		    buf, sizeof(buf));
		ck_assert_str_eq(buf, cases[i].want);
	}
	sla_format_time(config_sla_calendar(cfg, "office"), WAW(23, 9, 0), buf,
	    sizeof(buf));
	ck_assert_str_eq(buf, "Monday 23 Nov 2026 09:00 CET");
}
END_TEST

/* Each warning and breach once, to the right people; escalation runs. */
START_TEST(test_timer_once)
{
	ticket(1, WAW(23, 9, 0), "Support", NULL);
	ticket(2, WAW(23, 9, 0), "Support", "olek");
	update(1, WAW(23, 9, 0));
	update(2, WAW(23, 9, 0));
	ck_assert_int_eq(check(WAW(23, 11, 0)), 0);
	/* 80 %: 11:24 */
	ck_assert_int_eq(check(WAW(23, 11, 24)), 2);
	ck_assert_int_eq(check(WAW(23, 11, 26)), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM outbox"
	    " WHERE kind = 'sla_warning' AND ticket_id = 1 AND rcpts ="
	    " 'anna@example.test olek@example.test boss@example.test'"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM outbox"
	    " WHERE kind = 'sla_warning' AND ticket_id = 2 AND rcpts ="
	    " 'olek@example.test'"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM outbox WHERE CAST(data"
	    " AS TEXT) LIKE '%Subject: [#_] W first response due in 36m%'"), 2);
	/* the deadline: 12:00 */
	ck_assert_int_eq(check(WAW(23, 12, 1)), 2);
	ck_assert_int_eq(check(WAW(23, 12, 2)), 0);
	ck_assert_int_eq(check(WAW(23, 18, 0)), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM outbox"
	    " WHERE kind = 'sla_breach' AND ticket_id = 2 AND rcpts ="
	    " 'olek@example.test boss@example.test lead@example.test'"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM sla_marks"), 4);
	ck_assert_int_eq(count("SELECT count(*) FROM events"
	    " WHERE kind = 'sla_breach' AND actor = 'sla'"), 2);
	ck_assert_int_eq(count("SELECT count(*) FROM events"
	    " WHERE kind = 'sla_warning'"), 2);
	/* escalated: a level up, tagged */
	ck_assert_int_eq(count("SELECT count(*) FROM tickets WHERE"
	    " priority = 'high'"), 2);
	ck_assert_int_eq(count("SELECT count(*) FROM ticket_tags WHERE"
	    " tag = 'breached'"), 2);
	/*
	 * high is the "urgent" policy's: its first response (30 min) is
	 * past too, but the clock that started at creation has breached
	 * once already, and it has no other target: nothing left to do.
	 */
	ck_assert_int_eq(column(1, "first_response_due"), WAW(23, 9, 30));
	ck_assert_int_eq(column(1, "sla_check_at"), 0);
	/* a recompute (config reload) changes none of that */
	ck_assert_int_eq(store_begin(st, NULL), 0);
	ck_assert_int_eq(sla_recompute_all(st, cfg, WAW(23, 18, 0), NULL), 0);
	ck_assert_int_eq(store_commit(st, NULL), 0);
	ck_assert_int_eq(check(WAW(23, 18, 1)), 0);
}
END_TEST

/* A reload's recompute goes in batches, each a transaction of its own. */
START_TEST(test_recompute_batches)
{
	struct error err;
	int64_t after = 0;
	int i, n;

	ck_assert_int_eq(store_begin(st, &err), 0);
	for (i = 1; i <= SLA_RECOMPUTE_BATCH + 44; i++)
		ticket(i, WAW(23, 10, 0), NULL, NULL);
	ck_assert_int_eq(store_commit(st, &err), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM tickets"
	    " WHERE first_response_due IS NOT NULL"), 0);
	ck_assert_int_eq(store_begin(st, &err), 0);
	n = sla_recompute_some(st, cfg, WAW(23, 10, 0), &after, &err);
	ck_assert_int_eq(store_commit(st, &err), 0);
	ck_assert_int_eq(n, SLA_RECOMPUTE_BATCH);
	ck_assert_int_eq(after, SLA_RECOMPUTE_BATCH);
	ck_assert_int_eq(store_begin(st, &err), 0);
	n = sla_recompute_some(st, cfg, WAW(23, 10, 0), &after, &err);
	ck_assert_int_eq(store_commit(st, &err), 0);
	ck_assert_int_eq(n, 44);
	ck_assert_int_eq(count("SELECT count(*) FROM tickets"
	    " WHERE first_response_due IS NULL"), 0);
}
END_TEST

/* A deadline already past when first seen: the breach, no warning. */
START_TEST(test_timer_late)
{
	ticket(1, WAW(23, 9, 0), "Support", "anna");
	update(1, WAW(23, 9, 0));
	ck_assert_int_eq(check(WAW(24, 9, 0)), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM outbox"
	    " WHERE kind = 'sla_warning'"), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM outbox"
	    " WHERE kind = 'sla_breach'"), 1);
	ck_assert_int_eq(check(WAW(24, 9, 1)), 0);
}
END_TEST

START_TEST(test_config_errors)
{
	static const struct {
		const char	*text, *want;
	} cases[] = {
		{ "calendars = ( { name = \"x\"; timezone = \"Mars/Base\";"
		    " hours = {}; } );", "timezone Mars/Base" },
		{ "calendars = ( { name = \"x\"; hours = { mon ="
		    " [ \"17:00-9:00\" ]; }; } );", "calendars[0].hours.mon" },
		{ "calendars = ( { name = \"x\"; hours = { mon ="
		    " [ \"9-5\" ]; }; } );", "calendars[0].hours.mon" },
		{ "calendars = ( { name = \"x\"; hours = {}; holidays ="
		    " [ \"2026-02-30\" ]; } );", "calendars[0].holidays" },
		{ "sla_policies = ( { name = \"p\"; calendar = \"none\"; } );",
		    "no calendar none" },
		{ "sla_policies = ( { name = \"p\"; warn_at = 120; } );",
		    "warn_at" },
		{ "sla_policies = ( { name = \"p\"; escalate = { assign ="
		    " \"ghost\"; }; } );", "no agent ghost" },
		{ "sla_policies = ( { name = \"p\"; priorities ="
		    " [ \"hot\" ]; } );", "unknown priority hot" },
		{ "sla = { default_policy = \"none\"; };", "no policy none" },
		{ "sla = { warning = { subject = \"{{nope}}\"; }; };",
		    "sla.warning" },
		{ "categories = ( { path = \"A\"; sla_policy = \"none\"; } );"
		    " sla_policies = ( { name = \"p\"; } );",
		    "no policy none" },
	};
	char path[128];
	struct buf errors;
	struct config *c;
	size_t i;
	FILE *f;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(path, sizeof(path), "%s/bad.conf", fx.dir);
		ck_assert_ptr_nonnull(f = fopen(path, "w"));
		fputs(cases[i].text, f);
		fclose(f);
		buf_init(&errors);
		c = config_load(path, &errors);
		ck_assert_msg(c == NULL, "case %zu loaded", i);
		ck_assert_msg(errors.data != NULL &&
		    strstr(errors.data, cases[i].want) != NULL,
		    "case %zu: [%s] not in [%s]", i, cases[i].want,
		    errors.data ? errors.data : "");
		buf_release(&errors);
	}
}
END_TEST

static Suite *
sla_suite(void)
{
	Suite *s = suite_create("sla");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_friday);
	tcase_add_test(tc, test_next_response);
	tcase_add_test(tc, test_pause);
	tcase_add_test(tc, test_answered);
	tcase_add_test(tc, test_policy_choice);
	tcase_add_test(tc, test_format_left);
	tcase_add_test(tc, test_timer_once);
	tcase_add_test(tc, test_timer_late);
	tcase_add_test(tc, test_recompute_batches);
	tcase_add_test(tc, test_config_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(sla_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
