/*
 * test_task: tasks on a request (issue 19) below the daemon: task_ops
 * reads "#task [@AGENT] [WHEN] TEXT" in the writer's zone and the
 * request's calendar, refuses without storing; task_remind queues one
 * reminder per due task, once (the mark in the same transaction), to the
 * assignee, else the request's assignee, else the team; a merge moves
 * the tasks; the report counts tasks done on time.  Fixed clock:
 * Wednesday 2026-12-02 10:00 UTC (11:00 in Warsaw).
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "error.h"
#include "fixture.h"
#include "reply_key.h"
#include "report.h"
#include "store.h"
#include "task.h"
#include "task_ops.h"
#include "task_remind.h"
#include "ticket_ops.h"

#define NOW	1796205600LL	/* 2026-12-02 10:00:00 UTC, a Wednesday */
#define H	3600LL

static struct fixture	 fx;

static const char conf[] =
    "agents = (\n"
    "  { name = \"anna\"; addresses = [ \"anna@example.test\" ];\n"
    "    categories = [ \"billing\" ]; timezone = \"Europe/Warsaw\"; },\n"
    "  { name = \"bob\"; addresses = [ \"bob@example.test\" ];\n"
    "    categories = [ \"billing\" ]; },\n"
    "  { name = \"carl\"; addresses = [ \"carl@example.test\" ]; }\n"
    ");\n"
    "agent_mail = { secret = \"0123456789abcdef0123456789abcdef\"; };\n"
    "categories = ( { path = \"billing\"; } );\n"
    "calendars = (\n"
    "  { name = \"utc\"; timezone = \"UTC\"; hours = {\n"
    "      sun = [ \"0:00-24:00\" ]; mon = [ \"0:00-24:00\" ];\n"
    "      tue = [ \"0:00-24:00\" ]; wed = [ \"0:00-24:00\" ];\n"
    "      thu = [ \"0:00-24:00\" ]; fri = [ \"0:00-24:00\" ];\n"
    "      sat = [ \"0:00-24:00\" ]; }; },\n"
    "  { name = \"office\"; timezone = \"Europe/Warsaw\";\n"
    "    hours = { mon = [ \"9:00-17:00\" ]; tue = [ \"9:00-17:00\" ];\n"
    "      wed = [ \"9:00-17:00\" ]; thu = [ \"9:00-17:00\" ];\n"
    "      fri = [ \"9:00-17:00\" ]; }; }\n"
    ");\n"
    "sla_policies = ( { name = \"office\"; calendar = \"office\";\n"
    "  first_response = 600; } );\n";

static void
setup(void)
{
	struct error err;

	fixture_open(&fx, "test_task", conf);
	/* the daemon reads the key at start; signed Reply-To needs it */
	ck_assert_msg(reply_key_load(fx.cfg, true, &err) == 0, "%s", err.msg);
	fixture_exec(fx.st, "INSERT INTO tickets (id, subject, status,"
	    " category, sla_policy, created_at, updated_at) VALUES"
	    " (1, 'invoice', 'open', 'billing', 'office', 0, 0),"
	    " (2, 'other', 'open', 'billing', NULL, 0, 0),"
	    " (3, 'third', 'open', NULL, NULL, 0, 0)");
}

static void
teardown(void)
{
	fixture_close(&fx);
}

static long long
count(const char *sql)
{
	return fixture_count(fx.st, sql);
}

/* task_ops_command in its own transaction; 0 or -1 (err kept). */
static int
command(int64_t ticket, const char *agent, const char *line, time_t now,
    struct error *err)
{
	struct error e;
	int rc;

	ck_assert_int_eq(store_begin(fx.st, &e), 0);
	rc = task_ops_command(fx.st, fx.cfg, ticket, agent, line, now, NULL,
	    err);
	if (rc == 0)
		ck_assert_int_eq(store_commit(fx.st, &e), 0);
	else
		store_rollback(fx.st);
	return rc;
}

static int
remind(time_t now)
{
	struct error err;
	bool again;
	int queued;

	ck_assert_int_eq(store_begin(fx.st, &err), 0);
	ck_assert_msg(task_remind_run(fx.st, fx.cfg, now, TASK_REMIND_BATCH,
	    &queued, &again, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(store_commit(fx.st, &err), 0);
	return queued;
}

START_TEST(test_command)
{
	struct error err;

	/* 10:00 Warsaw (CET) tomorrow is 09:00 UTC; the event says it in
	 * the assignee's zone (bob: the default calendar's, UTC) */
	ck_assert_int_eq(command(1, "anna", "@bob tomorrow 10:00 call back",
	    NOW, &err), 0);
	ck_assert_int_eq(count("SELECT due_at FROM tasks WHERE id = 1"),
	    NOW + 23 * H);
	ck_assert_int_eq(count("SELECT count(*) FROM tasks WHERE id = 1 AND"
	    " assignee = 'bob' AND created_by = 'anna' AND text = 'call back'"),
	    1);
	/* bob has no zone of his own: the default calendar's, UTC */
	ck_assert_int_eq(command(1, "bob", "tomorrow 10:00 x", NOW, &err), 0);
	ck_assert_int_eq(count("SELECT due_at FROM tasks WHERE id = 2"),
	    NOW + 24 * H);
	/* +3bh on #1's office calendar: 11:00 Warsaw + 3h, same day */
	ck_assert_int_eq(command(1, "anna", "+3bh check", NOW, &err), 0);
	ck_assert_int_eq(count("SELECT due_at FROM tasks WHERE id = 3"),
	    NOW + 3 * H);
	/* +8bh: 6 hours today, 2 tomorrow */
	ck_assert_int_eq(command(1, "anna", "+8bh check", NOW, &err), 0);
	ck_assert_int_eq(count("SELECT due_at FROM tasks WHERE id = 4"),
	    NOW + 24 * H);
	/* no WHEN: no due time, the writer's own */
	ck_assert_int_eq(command(2, "bob", "just text", NOW, &err), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM tasks WHERE id = 5 AND"
	    " due_at IS NULL AND assignee = 'bob'"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE"
	    " kind = 'task'"), 5);
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE kind ="
	    " 'task' AND ticket_id = 1 AND actor = 'anna' AND detail LIKE"
	    " '#1 for bob due % 09:00 UTC: call back'"), 1);

	/* refusals store nothing */
	ck_assert_int_eq(command(1, "anna", "@nobody +1h x", NOW, &err), -1);
	ck_assert_str_eq(err.msg, "no agent nobody");
	ck_assert_int_eq(command(1, "anna", "today 25:00 x", NOW, &err), -1);
	ck_assert_int_eq(err.kind, ERR_PERM);
	ck_assert_int_eq(command(1, "anna", "today 09:00 x", NOW, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "in the past"));
	ck_assert_int_eq(command(1, "anna", "@bob +1h", NOW, &err), -1);
	ck_assert_str_eq(err.msg, "the task has no text");
	ck_assert_int_eq(command(9, "anna", "+1h x", NOW, &err), -1);
	ck_assert_str_eq(err.msg, "no request #9");
	ck_assert_int_eq(count("SELECT count(*) FROM tasks"), 5);
}
END_TEST

START_TEST(test_remind_once)
{
	struct error err;

	ck_assert_int_eq(command(1, "anna", "+1h mine", NOW, &err), 0);
	ck_assert_int_eq(command(1, "anna", "@bob +2h his", NOW, &err), 0);
	ck_assert_int_eq(command(1, "anna", "+1d later", NOW, &err), 0);
	ck_assert_int_eq(remind(NOW + H - 1), 0);
	ck_assert_int_eq(remind(NOW + H), 1);
	ck_assert_int_eq(remind(NOW + H + 10), 0);	/* once */
	ck_assert_int_eq(remind(NOW + 3 * H), 1);
	ck_assert_int_eq(remind(NOW + 4 * H), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM outbox WHERE kind ="
	    " 'task_reminder' AND rcpts = 'anna@example.test'"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM outbox WHERE kind ="
	    " 'task_reminder' AND rcpts = 'bob@example.test' AND mail_from ="
	    " ''"), 1);
	/* data is a BLOB: LIKE wants it as text */
	ck_assert_int_eq(count("SELECT count(*) FROM outbox WHERE kind ="
	    " 'task_reminder' AND CAST(data AS TEXT) LIKE"
	    " '%Auto-Submitted: auto-generated%' AND CAST(data AS TEXT) LIKE"
	    " '%Reply-To: <%+r1.aanna.%'"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM tasks WHERE"
	    " reminded_at IS NOT NULL"), 2);
	/* done before due: never reminded */
	ck_assert_int_eq(store_begin(fx.st, &err), 0);
	ck_assert_int_eq(task_ops_done(fx.st, fx.cfg, 3, "anna", NOW, &err),
	    0);
	/* done twice: harmless, one event */
	ck_assert_int_eq(task_ops_done(fx.st, fx.cfg, 3, "bob", NOW + 1,
	    &err), 0);
	ck_assert_int_eq(task_ops_done(fx.st, fx.cfg, 99, "bob", NOW, &err),
	    -1);
	ck_assert_str_eq(err.msg, "no task #99");
	ck_assert_int_eq(store_commit(fx.st, &err), 0);
	ck_assert_int_eq(remind(NOW + 2 * 86400), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE"
	    " kind = 'task_done'"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM tasks WHERE id = 3 AND"
	    " done_by = 'anna'"), 1);
}
END_TEST

/* No assignee: the request's, else its category's agents, else all. */
START_TEST(test_remind_who)
{
	struct error err;
	int64_t id;

	ck_assert_int_eq(store_begin(fx.st, &err), 0);
	ck_assert_int_eq(task_ops_add(fx.st, fx.cfg, 2, NULL, NOW + H, "team",
	    "triagectl", NOW, &id, &err), 0);
	ck_assert_int_eq(task_ops_add(fx.st, fx.cfg, 3, NULL, NOW + H, "all",
	    "triagectl", NOW, &id, &err), 0);
	ck_assert_int_eq(store_commit(fx.st, &err), 0);
	ck_assert_int_eq(remind(NOW + H), 5);	/* anna, bob; all three */
	ck_assert_int_eq(count("SELECT count(*) FROM outbox WHERE"
	    " ticket_id = 2 AND kind = 'task_reminder'"), 2);
	ck_assert_int_eq(count("SELECT count(*) FROM outbox WHERE"
	    " ticket_id = 3 AND kind = 'task_reminder'"), 3);
	fixture_exec(fx.st, "UPDATE tickets SET assignee = 'carl'"
	    " WHERE id = 2");
	ck_assert_int_eq(store_begin(fx.st, &err), 0);
	ck_assert_int_eq(task_ops_add(fx.st, fx.cfg, 2, NULL, NOW + 2 * H,
	    "assignee's", "triagectl", NOW, &id, &err), 0);
	ck_assert_int_eq(store_commit(fx.st, &err), 0);
	ck_assert_int_eq(remind(NOW + 2 * H), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM outbox WHERE"
	    " rcpts = 'carl@example.test' AND ticket_id = 2"), 1);
}
END_TEST

START_TEST(test_merge_and_report)
{
	struct report rep;
	struct error err;

	ck_assert_int_eq(command(1, "anna", "+1h a", NOW, &err), 0);
	ck_assert_int_eq(command(1, "anna", "+1h b", NOW, &err), 0);
	ck_assert_int_eq(command(2, "anna", "+1h c", NOW, &err), 0);
	ck_assert_int_eq(store_begin(fx.st, &err), 0);
	ck_assert_int_eq(task_ops_done(fx.st, fx.cfg, 1, "anna", NOW + 10,
	    &err), 0);
	ck_assert_int_eq(task_ops_done(fx.st, fx.cfg, 2, "anna", NOW + 2 * H,
	    &err), 0);
	ck_assert_msg(ticket_ops_merge(fx.st, fx.cfg, 2, 1, "anna", NOW,
	    &err) == 0, "%s", err.msg);
	ck_assert_int_eq(store_commit(fx.st, &err), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM tasks WHERE"
	    " ticket_id = 1"), 3);
	/* a merged-away request takes no more tasks */
	ck_assert_int_eq(command(2, "anna", "+1h d", NOW, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "was merged into #1"));
	ck_assert_int_eq(report_build(fx.st, fx.cfg, NULL, NOW - 86400,
	    NOW + 86400, REPORT_BY_NONE, NOW + 3 * H, &rep, &err), 0);
	ck_assert_int_eq(rep.tasks_done, 2);
	ck_assert_int_eq(rep.tasks_on_time, 1);
	ck_assert_int_eq(report_tasks_percent(&rep), 50);
	ck_assert_int_eq(rep.tasks_overdue, 1);	/* c */
	report_free(&rep);
}
END_TEST

static Suite *
task_suite(void)
{
	Suite *s = suite_create("task");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_command);
	tcase_add_test(tc, test_remind_once);
	tcase_add_test(tc, test_remind_who);
	tcase_add_test(tc, test_merge_and_report);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(task_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
