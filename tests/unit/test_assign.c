/*
 * test_assign: the assignment strategies on a scratch store and a config
 * file of seven agents: round-robin (with absences from the config
 * and from agent_away), least-open with uneven loads, sticky, pool, the
 * managers' notice when nobody is available (once per request), the
 * pull queue's order (with ticket_ops_assign), working hours (a calendar
 * of the SLA part), and the list views of ticket_list.
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "assign.h"
#include "buf.h"
#include "config.h"
#include "config_agents.h"
#include "error.h"
#include "fixture.h"
#include "pipeline.h"
#include "store.h"
#include "store_sqlite.h"
#include "ticket.h"

/* 2026-11-02 10:00 UTC, a Monday; cyril's config absence covers it. */
#define AWAY_NOW	1793613600
/* 2026-11-16 10:00 UTC: nobody absent in the config. */
#define NOW		1794823200

static struct fixture	 fx;
static struct config	*cfg;
static struct store	*st;

static const char conf_text[] =
    "support = { addresses = [ \"support@example.test\" ];"
    "  name = \"Support\"; };\n"
    "agents = (\n"
    "  { name = \"anna\"; addresses = [ \"anna@example.test\" ];\n"
    "    categories = [ \"billing\", \"sales\" ]; },\n"
    "  { name = \"boris\"; addresses = [ \"boris@example.test\" ];\n"
    "    categories = [ \"billing\", \"sales\" ]; },\n"
    "  { name = \"cyril\"; addresses = [ \"cyril@example.test\" ];\n"
    "    categories = [ \"billing\", \"tech\" ];\n"
    "    away = ( { from = \"2026-11-01\"; until = \"2026-11-05\"; } ); },\n"
    "  { name = \"dora\"; addresses = [ \"dora@example.test\" ];\n"
    "    categories = [ \"tech\" ]; manager = true; },\n"
    "  { name = \"boss\"; addresses = [ \"boss@example.test\" ];\n"
    "    categories = [ \"management\" ]; manager = true; },\n"
    "  { name = \"wendy\"; addresses = [ \"wendy@example.test\" ];\n"
    "    categories = [ \"support\" ]; calendar = \"office\"; },\n"
    "  { name = \"walt\"; addresses = [ \"walt@example.test\" ];\n"
    "    categories = [ \"support\" ]; }\n"
    ");\n"
    "calendars = ( { name = \"office\"; timezone = \"UTC\";\n"
    "  hours = { mon = [ \"9:00-17:00\" ]; }; } );\n"
    "categories = (\n"
    "  { path = \"billing\"; strategy = \"round-robin\";"
    "    managers = [ \"boss\" ]; },\n"
    "  { path = \"tech\"; strategy = \"least-open\"; },\n"
    "  { path = \"sales\"; strategy = \"sticky\"; },\n"
    "  { path = \"pool\"; strategy = \"pool\"; },\n"
    "  { path = \"management\"; strategy = \"pool\"; },\n"
    "  { path = \"support\"; strategy = \"round-robin\";"
    "    working_hours = true; }\n"
    ");\n";

static void
setup(void)
{
	fixture_open(&fx, "test_assign", conf_text);
	cfg = fx.cfg;
	st = fx.st;
}

static void
teardown(void)
{
	fixture_close(&fx);
}

static void
sql(const char *q)
{
	fixture_exec(st, q);
}

static int64_t
sql_int(const char *q)
{
	sqlite3_stmt *stmt;
	int64_t v;

	ck_assert_int_eq(sqlite3_prepare_v2(store_db(st), q, -1, &stmt, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

/* A new request of customer in category; returns its number. */
static int64_t
ticket(int64_t customer, const char *category, const char *assignee,
    const char *priority, int64_t due, int64_t created)
{
	sqlite3_stmt *stmt;
	char q[256];

	snprintf(q, sizeof(q), "INSERT OR IGNORE INTO customers (id, name,"
	    " created_at) VALUES (%lld, 'c', 0)", (long long)customer);
	sql(q);
	ck_assert_int_eq(sqlite3_prepare_v2(store_db(st), "INSERT INTO"
	    " tickets (subject, customer_id, category, assignee, priority,"
	    " first_response_due, created_at, updated_at)"
	    " VALUES ('s', ?1, ?2, ?3, ?4, ?5, ?6, ?6)", -1, &stmt, NULL),
	    SQLITE_OK);
	sqlite3_bind_int64(stmt, 1, customer);
	sqlite3_bind_text(stmt, 2, category, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, assignee, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, priority, -1, SQLITE_STATIC);
	if (due != 0)
		sqlite3_bind_int64(stmt, 5, due);
	sqlite3_bind_int64(stmt, 6, created);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_DONE);
	sqlite3_finalize(stmt);
	return sqlite3_last_insert_rowid(store_db(st));
}

/* Runs assign_pick and records the choice as the daemon would. */
static const char *
pick(int64_t customer, const char *category, time_t now)
{
	struct error err;
	const char *who;
	char q[256];
	int64_t id;

	id = ticket(customer, category, NULL, "normal", 0, now);
	ck_assert_msg(assign_pick(st, cfg, id, category, NULL, now, &who,
	    &err) == 0, "assign_pick: %s", err.msg);
	if (who != NULL) {
		snprintf(q, sizeof(q), "UPDATE tickets SET assignee = '%s'"
		    " WHERE id = %lld", who, (long long)id);
		sql(q);
	}
	return who != NULL ? who : "(nobody)";
}

START_TEST(test_round_robin)
{
	static const struct {
		time_t		 now;
		const char	*away;	/* triagectl agent away, or NULL */
		const char	*want[5];
	} cases[] = {
		{ NOW, NULL, { "anna", "boris", "cyril", "anna", "boris" } },
		/* cyril absent in the config */
		{ AWAY_NOW, NULL, { "anna", "boris", "anna", "boris", "anna" } },
		/* boris away by triagectl */
		{ NOW, "boris", { "anna", "cyril", "anna", "cyril", "anna" } },
	};
	struct error err;
	size_t i, k;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sql("DELETE FROM assign_cursor; DELETE FROM agent_away");
		if (cases[i].away != NULL)
			ck_assert_int_eq(assign_away(st, cfg, cases[i].away,
			    cases[i].now - 60, cases[i].now + 3600, &err), 0);
		for (k = 0; k < 5; k++)
			ck_assert_msg(strcmp(pick(1, "billing", cases[i].now),
			    cases[i].want[k]) == 0, "case %zu pick %zu: %s",
			    i, k, pick(1, "billing", cases[i].now));
	}
	/* Back: boris is in the rotation again, after the cursor. */
	ck_assert_int_eq(assign_back(st, cfg, "boris", &err), 0);
	ck_assert_str_eq(pick(1, "billing", NOW), "boris");
	/* The cursor names the last agent. */
	ck_assert_int_eq(sql_int("SELECT count(*) FROM assign_cursor"
	    " WHERE category = 'billing' AND last_agent = 'boris'"), 1);
	/* An absence that ended no longer counts. */
	ck_assert_int_eq(assign_away(st, cfg, "cyril", NOW - 7200, NOW - 3600,
	    &err), 0);
	ck_assert_str_eq(pick(1, "billing", NOW), "cyril");
	/* Unknown agents and empty absences are refused. */
	ck_assert_int_eq(assign_away(st, cfg, "zed", NOW, NOW + 1, &err), -1);
	ck_assert_int_eq(err.kind, ERR_PERM);
	ck_assert_int_eq(assign_away(st, cfg, "anna", NOW, NOW, &err), -1);
}
END_TEST

START_TEST(test_least_open)
{
	static const char *const want[] = { "dora", "dora", "cyril", "dora",
	    "cyril" };
	size_t k;

	/* cyril carries two open requests and a closed one. */
	(void)ticket(9, "tech", "cyril", "normal", 0, NOW - 100);
	(void)ticket(9, "tech", "cyril", "normal", 0, NOW - 100);
	sql("UPDATE tickets SET status = 'pending'");
	(void)ticket(9, "tech", "cyril", "normal", 0, NOW - 100);
	sql("UPDATE tickets SET status = 'closed' WHERE id = 3");
	for (k = 0; k < 5; k++)
		ck_assert_msg(strcmp(pick(2, "tech", NOW), want[k]) == 0,
		    "pick %zu", k);
}
END_TEST

START_TEST(test_sticky)
{
	/* customer 5 was served by boris before */
	(void)ticket(5, "sales", "boris", "normal", 0, NOW - 1000);
	ck_assert_str_eq(pick(5, "sales", NOW), "boris");
	ck_assert_str_eq(pick(5, "sales", NOW), "boris");
	/* a new customer: round-robin */
	ck_assert_str_eq(pick(6, "sales", NOW), "anna");
	ck_assert_str_eq(pick(7, "sales", NOW), "boris");
	/* boris away: his customer goes round-robin */
	sql("INSERT INTO agent_away VALUES ('boris', 0, 9999999999)");
	ck_assert_str_eq(pick(5, "sales", NOW), "anna");
	/* the customer's latest request is anna's now */
	sql("DELETE FROM agent_away");
	ck_assert_str_eq(pick(5, "sales", NOW), "anna");
}
END_TEST

START_TEST(test_pool_and_nobody)
{
	struct error err;
	const char *who = "x";
	int64_t id;

	/* pool: nobody, and nobody is told */
	ck_assert_str_eq(pick(1, "pool", NOW), "(nobody)");
	ck_assert_int_eq(sql_int("SELECT count(*) FROM outbox"), 0);
	/* no category: nobody either */
	id = ticket(1, NULL, NULL, "normal", 0, NOW);
	ck_assert_int_eq(assign_pick(st, cfg, id, NULL, NULL, NOW, &who, &err),
	    0);
	ck_assert_ptr_null(who);
	/* an unknown strategy is an error */
	ck_assert_int_eq(assign_pick(st, cfg, id, "billing", "random", NOW,
	    &who, &err), -1);

	/* billing: everyone away; its configured manager is told once */
	sql("INSERT INTO agent_away VALUES ('anna', 0, 9999999999),"
	    " ('boris', 0, 9999999999)");
	id = ticket(1, "billing", NULL, "normal", 0, AWAY_NOW);
	ck_assert_int_eq(assign_pick(st, cfg, id, "billing", NULL, AWAY_NOW,
	    &who, &err), 0);
	ck_assert_ptr_null(who);
	ck_assert_int_eq(assign_pick(st, cfg, id, "billing", NULL, AWAY_NOW,
	    &who, &err), 0);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM outbox WHERE"
	    " kind = 'nobody_available' AND rcpts = 'boss@example.test'"), 1);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM outbox"), 1);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM events WHERE"
	    " kind = 'nobody_available'"), 1);

	/* tech names no manager: the manager agents serving it are told */
	sql("INSERT INTO agent_away VALUES ('cyril', 0, 9999999999),"
	    " ('dora', 0, 9999999999)");
	ck_assert_str_eq(pick(1, "tech", NOW), "(nobody)");
	ck_assert_int_eq(sql_int("SELECT count(*) FROM outbox WHERE"
	    " kind = 'nobody_available' AND rcpts = 'dora@example.test'"), 1);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM outbox"), 2);
}
END_TEST

START_TEST(test_next)
{
	struct error err;
	int64_t want[5], got, hidden;
	size_t k;

	want[3] = ticket(1, "billing", NULL, "normal", 0, NOW - 500);
	want[0] = ticket(1, "billing/refunds", NULL, "normal", NOW + 3600,
	    NOW - 400);
	want[1] = ticket(1, "billing", NULL, "urgent", 0, NOW - 300);
	want[2] = ticket(1, "sales", NULL, "high", 0, NOW - 200);
	want[4] = 0;
	/* not anna's: another category, hidden, taken, resolved */
	(void)ticket(2, "tech", NULL, "urgent", NOW - 100, NOW - 100);
	hidden = ticket(2, "billing", NULL, "urgent", NOW - 100, NOW - 100);
	(void)ticket(2, "billing", "boris", "urgent", NOW - 100, NOW - 100);
	(void)ticket(2, NULL, NULL, "urgent", NOW - 100, NOW - 100);
	sql("UPDATE tickets SET hidden = 1 WHERE id = 6");
	ck_assert_int_eq(hidden, 6);
	(void)ticket(2, "billing", NULL, "urgent", NOW - 100, NOW - 100);
	sql("UPDATE tickets SET status = 'resolved' WHERE id = 9");
	for (k = 0; k < 5; k++) {
		ck_assert_msg(assign_next(st, cfg, "anna", NOW, &got, &err) ==
		    0, "assign_next: %s", err.msg);
		ck_assert_int_eq(got, want[k]);
	}
	ck_assert_int_eq(sql_int("SELECT count(*) FROM tickets"
	    " WHERE assignee = 'anna'"), 4);
	ck_assert_int_eq(assign_next(st, cfg, "zed", NOW, &got, &err), -1);
	ck_assert_int_eq(err.kind, ERR_PERM);
}
END_TEST

/*
 * The config's away dates are the agent's local days: Warsaw's 24
 * December runs from 23:00 UTC on the 23rd to 23:00 UTC on the 24th.
 */
START_TEST(test_away_local_days)
{
	static const char text[] =
	    "agents = ( { name = \"ola\"; addresses = [ \"ola@example.test\" ];"
	    " calendar = \"waw\";"
	    " away = ( { from = \"2026-12-24\"; until = \"2026-12-24\"; } ); } );\n"
	    "calendars = ( { name = \"waw\"; timezone = \"Europe/Warsaw\";"
	    " hours = { mon = [ \"9:00-17:00\" ]; }; } );\n";
	static const struct {
		time_t	 t;
		bool	 away;
	} cases[] = {
		{ 1798065000, false },	/* 2026-12-23 22:30 UTC, 23:30 local */
		{ 1798068600, true },	/* 2026-12-23 23:30 UTC, 00:30 local */
		{ 1798153140, true },	/* 2026-12-24 22:59 UTC */
		{ 1798153200, false },	/* 2026-12-24 23:00 UTC, 00:00 on 25th */
	};
	struct fixture	 other;
	const struct agent *a;
	size_t		 i;

	fixture_open(&other, "test_assign_away", text);
	a = config_agents_find(other.cfg, "ola");
	ck_assert_ptr_nonnull(a);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(config_agents_absent(a, cases[i].t) ==
		    cases[i].away,
		    "case %zu", i);
	fixture_close(&other);
}
END_TEST

/* One new request from raw through the whole intake, committed. */
static void
ingest_new(struct fixture *f, const char *raw, const char *source,
    const char *category)
{
	struct pipeline_input	 in;
	struct pipeline_result	 res;
	struct pipeline_parsed	*parsed;
	struct pipeline		*p;
	struct error		 err;
	char			*rcpt = (char *)"support@example.test";

	memset(&in, 0, sizeof(in));
	in.raw = raw;
	in.len = strlen(raw);
	in.source = source;
	in.mail_from = "carl@acme.test";
	in.rcpts = &rcpt;
	in.nrcpts = 1;
	in.category = category;
	ck_assert_ptr_nonnull(p = pipeline_new(f->cfg, &err));
	parsed = pipeline_parse(f->cfg, &in);
	ck_assert_int_eq(store_begin(f->st, &err), 0);
	ck_assert_msg(pipeline_ingest(p, f->st, &in, parsed, NOW, &res,
	    &err) == 0, "ingest: %s", err.msg);
	ck_assert_int_eq(store_commit(f->st, &err), 0);
	ck_assert(res.new_ticket);
	pipeline_parsed_free(parsed);
	pipeline_free(p);
}

/* ola takes round-robin "billing"; Acme's requests are at least high. */
#define ROUTE_CONF \
	"agents = ( { name = \"ola\"; addresses = [ \"ola@example.test\" ];" \
	" categories = [ \"billing\" ]; } );\n" \
	"categories = ( { path = \"billing\";" \
	" strategy = \"round-robin\"; } );\n" \
	"priorities = { levels = [ \"low\", \"normal\", \"high\" ];" \
	" default = \"normal\"; };\n" \
	"companies = ( { name = \"Acme\"; domains = [ \"acme.test\" ];" \
	" priority_floor = \"high\"; } );\n"

/*
 * A new request through the pipeline with an IMAP mailbox's category
 * and a company whose floor raises its priority: routing writes the
 * route and carries it on the request's row in memory, where the
 * category it keeps is the very string it then hands to round-robin
 * (AddressSanitizer's use-after-free if the carried row let it go).
 */
START_TEST(test_intake_carries_route)
{
	static const char text[] = ROUTE_CONF;
	static const char raw[] = "From: Carl <carl@acme.test>\r\n"
	    "To: support@example.test\r\nSubject: invoice\r\n"
	    "Message-ID: <c1@acme.test>\r\n\r\nWhere is it?\r\n";
	struct fixture		 other;

	fixture_open(&other, "test_assign_route", text);
	ingest_new(&other, raw, "imap:billing", "billing");
	ck_assert_int_eq(fixture_count(other.st, "SELECT count(*) FROM tickets"
	    " WHERE category = 'billing' AND company = 'Acme' AND"
	    " priority = 'high' AND assignee = 'ola'"), 1);
	fixture_close(&other);
}
END_TEST

/*
 * Every stage on a new request (a rule's category, a company's floor,
 * round-robin, an SLA policy): the request's row is written once after
 * its INSERT with all of it (routing.c: three UPDATEs were a tenth of
 * the writer's time), and its agent gets one notice, not a second one
 * for the customer's message.
 */
START_TEST(test_intake_one_write)
{
	static const char text[] =
	    "support = { addresses = [ \"support@example.test\" ]; };\n"
	    ROUTE_CONF
	    "rules = ( { name = \"bills\"; if = { subject = { contains ="
	    " [ \"invoice\" ]; }; }; then = { category = \"billing\"; }; } );\n"
	    "sla_policies = ( { name = \"basic\"; first_response = 600;"
	    " resolution = 6000; } );\n"
	    "sla = { default_policy = \"basic\"; };\n";
	static const char raw[] = "From: Carl <carl@acme.test>\r\n"
	    "To: support@example.test\r\nSubject: invoice\r\n"
	    "Message-ID: <c2@acme.test>\r\n\r\nWhere is it?\r\n";
	struct fixture		 other;

	fixture_open(&other, "test_assign_once", text);
	/* counts the writes of what routing and SLA decide */
	fixture_exec(other.st, "CREATE TEMP TABLE routed_writes (n);"
	    "CREATE TEMP TRIGGER routed_write AFTER UPDATE OF category,"
	    " priority, company, assignee, first_response_due, sla_check_at"
	    " ON main.tickets BEGIN INSERT INTO routed_writes VALUES (1); END;");
	ingest_new(&other, raw, "lmtp", NULL);
	ck_assert_int_eq(fixture_count(other.st, "SELECT count(*) FROM tickets"
	    " WHERE category = 'billing' AND company = 'Acme' AND"
	    " priority = 'high' AND assignee = 'ola' AND sla_policy IS NULL"
	    " AND first_response_due = created_at + 600 * 60"
	    " AND resolution_due = created_at + 6000 * 60"
	    /* the warning first, at the default 80 % */
	    " AND sla_check_at = created_at + 600 * 60 * 80 / 100"), 1);
	ck_assert_int_eq(fixture_count(other.st,
	    "SELECT count(*) FROM temp.routed_writes"), 1);
	ck_assert_int_eq(fixture_count(other.st, "SELECT count(*) FROM events"
	    " WHERE kind = 'assigned' AND actor = 'routing'"
	    " AND detail = 'ola'"), 1);
	ck_assert_int_eq(fixture_count(other.st, "SELECT count(*) FROM outbox"
	    " WHERE kind = 'notify'"), 1);
	ck_assert_int_eq(fixture_count(other.st, "SELECT count(*) FROM outbox"
	    " WHERE kind = 'notify' AND rcpts = 'ola@example.test'"), 1);
	fixture_close(&other);
}
END_TEST

START_TEST(test_working_hours)
{
	/* Monday 10:00 UTC wendy's office is open; 20:00 it is closed. */
	ck_assert_str_eq(pick(1, "support", NOW), "wendy");
	ck_assert_str_eq(pick(1, "support", NOW), "walt");
	ck_assert_str_eq(pick(1, "support", NOW), "wendy");
	ck_assert_str_eq(pick(1, "support", NOW + 10 * 3600), "walt");
	ck_assert_str_eq(pick(1, "support", NOW + 10 * 3600), "walt");
	/* billing does not ask for working hours */
	ck_assert_str_eq(pick(1, "billing", NOW + 10 * 3600), "anna");
}
END_TEST

START_TEST(test_agents_rows)
{
	struct assign_agent_row *rows;
	struct error err;
	size_t n;

	(void)ticket(1, "billing", "anna", "normal", 0, NOW);
	(void)ticket(1, "billing", "anna", "normal", 0, NOW);
	ck_assert_int_eq(assign_away(st, cfg, "dora", NOW - 1, NOW + 60, &err),
	    0);
	ck_assert_int_eq(assign_agents(st, cfg, AWAY_NOW, &rows, &n, &err), 0);
	ck_assert_uint_eq(n, 7);
	ck_assert_str_eq(rows[0].name, "anna");
	ck_assert_int_eq(rows[0].open, 2);
	ck_assert_str_eq(rows[0].categories, "billing, sales");
	ck_assert(!rows[0].away);
	ck_assert(rows[2].away);	/* cyril, by the config */
	ck_assert(!rows[3].away);	/* dora's absence is later */
	ck_assert(rows[3].manager);
	assign_agent_rows_free(rows, n);
	ck_assert_int_eq(assign_agents(st, cfg, NOW, &rows, &n, &err), 0);
	ck_assert(rows[3].away);
	ck_assert_int_eq(rows[3].away_until, NOW + 60);
	assign_agent_rows_free(rows, n);
}
END_TEST

START_TEST(test_list_views)
{
	static const struct {
		struct ticket_filter	 f;
		const char		*want;	/* ids in order */
	} cases[] = {
		{ { .assignee = "anna" }, "3 1" },
		{ { .unassigned = true }, "5 4 2" },
		{ { .uncategorized = true }, "5" },
		{ { .untagged = true }, "5 4 3 1" },
		{ { .category = "billing" }, "4 3 2 1" },
		{ { .priority = "urgent" }, "4" },
		{ { .due_before = NOW }, "2" },
		{ { .due_before = NOW + 3600 }, "3 2" },
		{ { .sort = TICKET_SORT_DEADLINE, .status = "new" },
		    "2 3 4 5" },
		{ { .sort = TICKET_SORT_PRIORITY }, "4 3 5 2 1" },
		{ { .sort = TICKET_SORT_AGE }, "1 2 3 4 5" },
		{ { .hidden = true }, "6" },
	};
	static const char *const levels[] = { "low", "normal", "high",
	    "urgent" };
	struct ticket_filter f;
	struct ticket_row *rows;
	struct error err;
	struct buf got;
	size_t i, k, n;

	/* 1: anna, low, no deadline; 2: overdue; 3: due in 30 min, high */
	(void)ticket(1, "billing", "anna", "low", 0, NOW - 500);
	(void)ticket(1, "billing/refunds", NULL, "normal", NOW - 10,
	    NOW - 400);
	(void)ticket(1, "billing", "anna", "high", NOW + 1800, NOW - 300);
	(void)ticket(2, "billing", NULL, "urgent", NOW + 7200, NOW - 200);
	(void)ticket(2, NULL, NULL, "normal", 0, NOW - 100);
	(void)ticket(2, "billing", NULL, "normal", NOW - 10, NOW - 50);
	sql("UPDATE tickets SET hidden = 1 WHERE id = 6");
	sql("INSERT INTO ticket_tags VALUES (2, 'vip')");
	/* 1 is resolved: its stale deadline is not due */
	sql("UPDATE tickets SET status = 'resolved', first_response_due = "
	    "  1 WHERE id = 1");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		f = cases[i].f;
		f.levels = levels;
		f.nlevels = 4;
		ck_assert_int_eq(ticket_list(st, &f, &rows, &n, &err), 0);
		buf_init(&got);
		for (k = 0; k < n; k++)
			buf_printf(&got, "%s%lld", k ? " " : "",
			    (long long)rows[k].id);
		buf_append_char(&got, '\0');
		ck_assert_msg(strcmp(got.data, cases[i].want) == 0,
		    "case %zu: got '%s', want '%s'", i, got.data,
		    cases[i].want);
		buf_release(&got);
		ticket_rows_free(rows, n);
	}
}
END_TEST

static Suite *
assign_suite(void)
{
	Suite *s = suite_create("assign");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_round_robin);
	tcase_add_test(tc, test_least_open);
	tcase_add_test(tc, test_sticky);
	tcase_add_test(tc, test_pool_and_nobody);
	tcase_add_test(tc, test_next);
	tcase_add_test(tc, test_working_hours);
	tcase_add_test(tc, test_away_local_days);
	tcase_add_test(tc, test_intake_carries_route);
	tcase_add_test(tc, test_intake_one_write);
	tcase_add_test(tc, test_agents_rows);
	tcase_add_test(tc, test_list_views);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(assign_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
