/*
 * test_store_desk: the typed functions routing, assignment, SLA, reports,
 * digests and ratings read and write through (issue 12, stage 3), one
 * case per store file: assign_state.c, sla_mark.c, digest_run.c,
 * rule_hit.c, report_query.c and the store-b section of ticket.c.  A
 * fresh store is filled with plain SQL and inspected with plain SQL, so
 * each function is checked against the rows it is meant to read or
 * write.  The last case checks that a lookup leaves no read open: one
 * that did would pin its connection's snapshot, and the next BEGIN
 * IMMEDIATE after another connection's commit would fail at once.
 */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assign_state.h"
#include "digest_run.h"
#include "error.h"
#include "fixture.h"
#include "history.h"
#include "report_query.h"
#include "rule_hit.h"
#include "sla_mark.h"
#include "store.h"
#include "ticket.h"
#include "xmalloc.h"

static const char seed[] =
    "INSERT INTO customers (id, name, company, created_at) VALUES"
    " (1, 'Alice', 'Acme', 100), (2, '', NULL, 300);"
    "INSERT INTO customer_addresses (address, customer_id, added_at) VALUES"
    " ('zed@a.test', 1, 100), ('alice@b.test', 1, 200),"
    " ('alice@a.test', 1, 100), ('bob@c.test', 2, 300);"
    /*
     * 1-3 Alice's (3 the newest), 4 Bob's; 5 hidden, 6 merged into 4;
     * 7 resolved and rated
     */
    "INSERT INTO tickets (id, subject, customer_id, status, priority,"
    " category, assignee, company, created_at, updated_at,"
    " first_response_at, last_customer_at, last_agent_at, resolved_at,"
    " first_response_due, next_response_due, resolution_due,"
    " sla_check_at, hidden, merged_into, rating, reopen_count,"
    " paused_secs) VALUES"
    " (1, 'One', 1, 'open', 'high', 'billing', 'anna', NULL, 1000, 1000,"
    "  NULL, 1500, NULL, NULL, 5000, NULL, 9000, 4000, 0, NULL, NULL, 0,"
    "  0),"
    " (2, 'Two', 1, 'new', 'low', 'billing', NULL, NULL, 2000, 2000,"
    "  NULL, NULL, NULL, NULL, 3000, NULL, NULL, 2500, 0, NULL, NULL, 0,"
    "  0),"
    " (3, 'Three', 1, 'new', 'urgent', 'billing/refunds', '', NULL, 2500,"
    "  2500, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL,"
    "  NULL, 0, 0),"
    " (4, 'Four', 2, 'pending', 'normal', 'sales', NULL, 'Initech', 3000,"
    "  3000, 3100, 3000, 3100, NULL, NULL, NULL, NULL, 6000, 0, NULL,"
    "  NULL, 1, 0),"
    " (5, 'Spam', 2, 'new', 'normal', 'sales', NULL, NULL, 3000, 3000,"
    "  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1, NULL, NULL, 0,"
    "  0),"
    " (6, 'Merged', 2, 'open', 'normal', 'sales', NULL, NULL, 3000, 3000,"
    "  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 4, NULL, 0, 0),"
    " (7, 'Done', 1, 'resolved', 'normal', NULL, 'anna', NULL, 1000, 8000,"
    "  1200, 1000, 1200, 8000, 2000, NULL, 9000, NULL, 0, NULL, 4, 0,"
    "  600);"
    "INSERT INTO messages (id, ticket_id, direction, message_id, from_addr,"
    " auto_reason, source, created_at) VALUES"
    " (1, 1, 'in', 'm1@a.test', 'alice@a.test', NULL, 'lmtp', 1000),"
    " (2, 1, 'out', 'r1@us.test', 'support@us.test', NULL, 'lmtp', 1200),"
    " (3, 1, 'in', 'm2@a.test', 'alice@b.test', NULL, 'lmtp', 1700),"
    " (4, 1, 'in', 'm3@a.test', 'daemon@a.test', 'auto-replied', 'lmtp',"
    "  1900),"
    " (5, 1, 'out', 'r2@us.test', 'support@us.test', NULL, 'lmtp', 1800),"
    " (6, 7, 'in', 'm7@a.test', 'alice@a.test', NULL, 'lmtp', 1000),"
    " (7, 7, 'auto', 's7@us.test', 'support@us.test', NULL, 'survey',"
    "  8100);"
    "INSERT INTO message_ids (message_id, ticket_id) VALUES"
    " ('m1@a.test', 1), ('s7@us.test', 7), ('r1@us.test', 1);"
    "INSERT INTO sla_marks (ticket_id, target, due, stage, at) VALUES"
    " (7, 'first_response', 2000, 'breach', 2000);"
    "INSERT INTO events (ticket_id, at, kind, actor, detail) VALUES"
    " (7, 2000, 'sla_breach', 'sla', 'first_response due'),"
    " (1, 2100, 'sla_warning', 'sla', 'no'),"
    " (1, 5000, 'sla_breach', 'sla', 'later');";

static struct fixture	 fx;

static void
setup(void)
{
	fixture_open(&fx, "test_store_desk", NULL);
	fixture_exec(fx.st, seed);
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

START_TEST(test_assign_state)
{
	struct error	 err;
	char		*agent;
	time_t		 until;

	ck_assert_int_eq(assign_state_cursor(fx.st, "billing", &agent, &err),
	    0);
	ck_assert_ptr_null(agent);
	ck_assert_int_eq(assign_state_cursor_set(fx.st, "billing", "anna",
	    &err), 0);
	ck_assert_int_eq(assign_state_cursor_set(fx.st, "billing", "bert",
	    &err), 0);
	ck_assert_int_eq(assign_state_cursor(fx.st, "billing", &agent, &err),
	    0);
	ck_assert_str_eq(agent, "bert");
	free(agent);
	ck_assert_int_eq(count("SELECT count(*) FROM assign_cursor"), 1);

	ck_assert_int_eq(assign_state_away_at(fx.st, "anna", 150, &until,
	    &err), 0);
	ck_assert_int_eq(assign_state_away_set(fx.st, "anna", 100, 200, &err),
	    0);
	ck_assert_int_eq(assign_state_away_at(fx.st, "anna", 100, &until,
	    &err), 1);
	ck_assert_int_eq(until, 200);
	/* [since, until): the end is not inside */
	ck_assert_int_eq(assign_state_away_at(fx.st, "anna", 200, &until,
	    &err), 0);
	ck_assert_int_eq(until, 0);
	ck_assert_int_eq(assign_state_away_set(fx.st, "anna", 300, 400, &err),
	    0);
	ck_assert_int_eq(assign_state_away_at(fx.st, "anna", 150, &until,
	    &err), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM agent_away"), 1);
	ck_assert_int_eq(assign_state_away_clear(fx.st, "anna", &err), 0);
	ck_assert_int_eq(assign_state_away_at(fx.st, "anna", 350, &until,
	    &err), 0);
}
END_TEST

START_TEST(test_sla_mark)
{
	struct error	 err;
	bool		 b;

	ck_assert_int_eq(sla_mark_add(fx.st, 1, "resolution", 9000, "warning",
	    8000, &b, &err), 0);
	ck_assert(b);
	ck_assert_int_eq(sla_mark_add(fx.st, 1, "resolution", 9000, "warning",
	    8500, &b, &err), 0);
	ck_assert(!b);
	ck_assert_int_eq(count("SELECT at FROM sla_marks WHERE ticket_id = 1"),
	    8000);
	ck_assert_int_eq(sla_mark_since(fx.st, 1, "resolution", "warning",
	    8000, &b, &err), 0);
	ck_assert(b);
	ck_assert_int_eq(sla_mark_since(fx.st, 1, "resolution", "warning",
	    8001, &b, &err), 0);
	ck_assert(!b);
	ck_assert_int_eq(sla_mark_since(fx.st, 1, "resolution", "breach",
	    0, &b, &err), 0);
	ck_assert(!b);
	ck_assert_int_eq(sla_mark_since(fx.st, 1, "first_response", "warning",
	    0, &b, &err), 0);
	ck_assert(!b);
}
END_TEST

START_TEST(test_digest_run)
{
	struct error	 err;
	time_t		 end;
	bool		 won;

	ck_assert_int_eq(digest_run_last(fx.st, "daily", &end, &err), 0);
	ck_assert_int_eq(end, 0);
	ck_assert_int_eq(digest_run_done(fx.st, "daily", 86400, &err), 0);
	ck_assert_int_eq(digest_run_done(fx.st, "weekly", 7 * 86400, &err), 0);
	ck_assert_int_eq(digest_run_done(fx.st, "daily", 2 * 86400, &err), 0);
	ck_assert_int_eq(digest_run_last(fx.st, "daily", &end, &err), 0);
	ck_assert_int_eq(end, 2 * 86400);
	ck_assert_int_eq(count("SELECT count(*) FROM digest_runs"), 2);
	/* a claim wins only over an older period (another instance's race) */
	ck_assert_int_eq(digest_run_claim(fx.st, "daily", 2 * 86400, &won,
	    &err), 0);
	ck_assert(!won);
	ck_assert_int_eq(digest_run_claim(fx.st, "daily", 3 * 86400, &won,
	    &err), 0);
	ck_assert(won);
	ck_assert_int_eq(digest_run_claim(fx.st, "hourly", 3600, &won,
	    &err), 0);
	ck_assert(won);
	ck_assert_int_eq(digest_run_last(fx.st, "daily", &end, &err), 0);
	ck_assert_int_eq(end, 3 * 86400);
}
END_TEST

START_TEST(test_rule_hit)
{
	struct error	 err;

	ck_assert_int_eq(rule_hit_add(fx.st, 1, 3, 1700, "vip",
	    "priority=high", &err), 0);
	ck_assert_int_eq(rule_hit_add(fx.st, 1, 0, 1800, "spam", "hide",
	    &err), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM rule_hits WHERE"
	    " ticket_id = 1 AND message_row = 3 AND at = 1700 AND rule = 'vip'"
	    " AND actions = 'priority=high'"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM rule_hits WHERE"
	    " rule = 'spam' AND message_row IS NULL"), 1);
}
END_TEST

/* Takes the first request whose category is under "billing". */
static bool
take_billing(const char *category, void *arg)
{
	int *asked = arg;

	(*asked)++;
	return strncmp(category, "billing", 7) == 0;
}

static bool
take_sales(const char *category, void *arg)
{
	(void)arg;
	return strcmp(category, "sales") == 0;
}

START_TEST(test_ticket_assignment)
{
	static const char *const levels[] = { "low", "normal", "high",
	    "urgent" };
	struct error	 err;
	int64_t		 n, id;
	char		*s;
	int		 asked = 0;

	ck_assert_int_eq(ticket_open_count(fx.st, "anna", &n, &err), 0);
	ck_assert_int_eq(n, 1);		/* 7 is resolved */
	ck_assert_int_eq(ticket_open_count(fx.st, "nobody", &n, &err), 0);
	ck_assert_int_eq(n, 0);
	/* Alice's most recent other request with an assignee */
	ck_assert_int_eq(ticket_previous_assignee(fx.st, 3, &s, &err), 0);
	ck_assert_str_eq(s, "anna");
	free(s);
	ck_assert_int_eq(ticket_previous_assignee(fx.st, 4, &s, &err), 0);
	ck_assert_ptr_null(s);
	/* 2 (a deadline) before 3 (urgent, none); 4 is not unassigned-open */
	ck_assert_int_eq(ticket_next_unassigned(fx.st, levels, 4,
	    take_billing, &asked, &id, &err), 0);
	ck_assert_int_eq(id, 2);
	ck_assert_int_eq(asked, 1);
	fixture_exec(fx.st, "UPDATE tickets SET first_response_due = NULL"
	    " WHERE id = 2");
	ck_assert_int_eq(ticket_next_unassigned(fx.st, levels, 4,
	    take_billing, &asked, &id, &err), 0);
	ck_assert_int_eq(id, 3);	/* urgent before low */
	/* hidden 5, merged 6, pending 4 with an assignee NULL: 4 only */
	ck_assert_int_eq(ticket_next_unassigned(fx.st, levels, 4,
	    take_sales, NULL, &id, &err), 0);
	ck_assert_int_eq(id, 4);
	fixture_exec(fx.st, "UPDATE tickets SET assignee = 'bert'"
	    " WHERE id = 4");
	ck_assert_int_eq(ticket_next_unassigned(fx.st, levels, 4,
	    take_sales, NULL, &id, &err), 0);
	ck_assert_int_eq(id, 0);
}
END_TEST

START_TEST(test_ticket_sla)
{
	struct error	 err;
	struct ticket	 t;
	int64_t		 ids[8];
	size_t		 n;
	char		*s;

	/* the answer times from the messages where the row has none */
	ck_assert_int_eq(ticket_load_sla(fx.st, 1, &t, &err), 0);
	ck_assert_int_eq(t.first_response_at, 1200);
	ck_assert_int_eq(t.last_customer_at, 1700);	/* not the auto one */
	ck_assert_int_eq(t.last_agent_at, 1800);
	ck_assert_str_eq(t.subject, "One");
	t.first_response_due = 0;
	t.next_response_due = 7000;
	t.resolution_due = 9500;
	t.sla_check_at = 6500;
	t.paused_at = 6000;
	t.paused_secs = 42;
	ck_assert_int_eq(ticket_save_sla(fx.st, &t, &err), 0);
	ticket_clear(&t);
	ck_assert_int_eq(count("SELECT count(*) FROM tickets WHERE id = 1"
	    " AND first_response_due IS NULL AND next_response_due = 7000"
	    " AND resolution_due = 9500 AND sla_check_at = 6500"
	    " AND paused_at = 6000 AND paused_secs = 42"
	    " AND first_response_at IS NULL"), 1);
	/* the row's own times win when later */
	ck_assert_int_eq(ticket_load_sla(fx.st, 4, &t, &err), 0);
	ck_assert_int_eq(t.first_response_at, 3100);
	ck_assert_int_eq(t.last_customer_at, 3000);
	ticket_clear(&t);
	ck_assert_int_eq(ticket_load_sla(fx.st, 99, &t, &err), -1);
	ck_assert_int_eq(err.kind, ERR_PERM);

	ck_assert_int_eq(ticket_open_ids(fx.st, 0, 8, ids, &n, &err), 0);
	ck_assert_uint_eq(n, 5);	/* 1 2 3 4 6: not hidden 5 */
	ck_assert_int_eq(ids[0], 1);
	ck_assert_int_eq(ticket_open_ids(fx.st, 2, 2, ids, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(ids[0], 3);
	ck_assert_int_eq(ids[1], 4);
	ck_assert_int_eq(ticket_sla_due(fx.st, 6500, 8, ids, &n, &err), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(ids[0], 2);
	ck_assert_int_eq(ids[1], 4);
	ck_assert_int_eq(ids[2], 1);
	ck_assert_int_eq(ticket_sla_due(fx.st, 6500, 1, ids, &n, &err), 0);
	ck_assert_uint_eq(n, 1);

	ck_assert_int_eq(ticket_customer_address(fx.st, 1, &s, &err), 0);
	ck_assert_str_eq(s, "alice@a.test");	/* oldest, then by name */
	free(s);
	fixture_exec(fx.st, "UPDATE tickets SET customer_id = NULL"
	    " WHERE id = 2");
	ck_assert_int_eq(ticket_customer_address(fx.st, 2, &s, &err), 0);
	ck_assert_ptr_null(s);
}
END_TEST

START_TEST(test_ticket_route)
{
	struct error	 err;
	char		*s;
	struct ticket	 t, r;

	/* the intake's one write: route, assignee, updated_at, deadlines */
	ck_assert_int_eq(ticket_load(fx.st, 2, &r, &err), 0);
	xstrset(&r.company, "Acme");
	xstrset(&r.category, "billing/refunds");
	xstrset(&r.priority, "urgent");
	xstrset(&r.sla_policy, "gold");
	xstrset(&r.assignee, "anna");
	r.hidden = true;
	r.updated_at = 2500;
	r.first_response_due = 3000;
	r.next_response_due = 3100;
	r.resolution_due = 9000;
	r.sla_check_at = 2900;
	r.paused_at = 2600;
	r.paused_secs = 42;
	ck_assert_int_eq(ticket_save_routed(fx.st, &r, &err), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM tickets WHERE id = 2"
	    " AND company = 'Acme' AND category = 'billing/refunds'"
	    " AND priority = 'urgent' AND sla_policy = 'gold' AND hidden = 1"
	    " AND assignee = 'anna' AND updated_at = 2500"
	    " AND first_response_due = 3000 AND next_response_due = 3100"
	    " AND resolution_due = 9000 AND sla_check_at = 2900"
	    " AND paused_at = 2600 AND paused_secs = 42"), 1);
	/* NULL strings and 0 times are NULL; the other requests untouched */
	xstrset(&r.company, NULL);
	xstrset(&r.category, NULL);
	xstrset(&r.priority, "low");
	xstrset(&r.sla_policy, NULL);
	xstrset(&r.assignee, NULL);
	r.hidden = false;
	r.updated_at = 2000;
	r.first_response_due = r.next_response_due = r.resolution_due = 0;
	r.sla_check_at = r.paused_at = 0;
	r.paused_secs = 0;
	ck_assert_int_eq(ticket_save_routed(fx.st, &r, &err), 0);
	ticket_clear(&r);
	ck_assert_int_eq(count("SELECT count(*) FROM tickets WHERE id = 2"
	    " AND company IS NULL AND category IS NULL AND sla_policy IS NULL"
	    " AND assignee IS NULL AND hidden = 0 AND priority = 'low'"
	    " AND first_response_due IS NULL AND next_response_due IS NULL"
	    " AND resolution_due IS NULL AND sla_check_at IS NULL"
	    " AND paused_at IS NULL AND paused_secs = 0"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM tickets WHERE id = 1"
	    " AND company IS NULL AND assignee = 'anna' AND priority = 'high'"
	    " AND first_response_due = 5000 AND sla_check_at = 4000"), 1);
	ck_assert_int_eq(ticket_raise_priority(fx.st, 2, "high", &err), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM tickets WHERE id = 2"
	    " AND priority = 'high' AND updated_at = 2000"), 1);
	ck_assert_int_eq(ticket_load_with_company(fx.st, 1, &t, &s, &err), 0);
	ck_assert_int_eq(t.id, 1);
	ck_assert_str_eq(s, "Acme");
	ticket_clear(&t);
	free(s);
	/* the customer's, not the request's */
	ck_assert_int_eq(ticket_load_with_company(fx.st, 4, &t, &s, &err), 0);
	ck_assert_int_eq(t.id, 4);
	ck_assert_ptr_null(s);
	ticket_clear(&t);
	/* no such request: an error, nothing to free */
	ck_assert_int_eq(ticket_load_with_company(fx.st, 999, &t, &s, &err),
	    -1);
	ck_assert_int_eq(err.kind, ERR_PERM);
	ck_assert_ptr_null(s);
}
END_TEST

START_TEST(test_ticket_rating)
{
	struct ticket_survey *v;
	struct error	 err;
	int64_t		 id;
	size_t		 n;
	bool		 found, marked;

	ck_assert_int_eq(ticket_survey_of(fx.st, "s7@us.test", &id, &err), 0);
	ck_assert_int_eq(id, 7);
	/* a Message-ID of the request, but not of a survey */
	ck_assert_int_eq(ticket_survey_of(fx.st, "m1@a.test", &id, &err), 0);
	ck_assert_int_eq(id, 0);

	fixture_exec(fx.st, "UPDATE tickets SET rating = NULL WHERE id = 7");
	ck_assert_int_eq(ticket_survey_due(fx.st, 8000, 10, &v, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(v[0].id, 7);
	ck_assert_str_eq(v[0].subject, "Done");
	ck_assert_str_eq(v[0].to, "alice@a.test");
	ck_assert_str_eq(v[0].name, "Alice");
	ticket_surveys_free(v, n);
	ck_assert_int_eq(ticket_survey_due(fx.st, 8001, 10, &v, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
	ticket_surveys_free(v, n);
	ck_assert_int_eq(ticket_survey_sent(fx.st, 7, 8200, &marked, &err),
	    0);
	ck_assert(marked);
	ck_assert_int_eq(ticket_survey_sent(fx.st, 7, 8300, &marked, &err),
	    0);
	ck_assert(!marked);
	ck_assert_int_eq(count("SELECT survey_sent_at FROM tickets"
	    " WHERE id = 7"), 8200);
	ck_assert_int_eq(ticket_survey_due(fx.st, 0, 10, &v, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
	ticket_surveys_free(v, n);

	ck_assert_int_eq(ticket_rate(fx.st, 7, 5, 9000, &found, &err), 0);
	ck_assert(found);
	ck_assert_int_eq(count("SELECT count(*) FROM tickets WHERE id = 7"
	    " AND rating = 5 AND rated_at = 9000 AND updated_at = 9000"), 1);
	ck_assert_int_eq(ticket_rate(fx.st, 99, 5, 9000, &found, &err), 0);
	ck_assert(!found);
}
END_TEST

struct seen {
	char	 text[512];
	size_t	 n;
};

static void
seen_request(const struct report_query_request *r, void *arg)
{
	struct seen *s = arg;
	size_t len = strlen(s->text);

	snprintf(s->text + len, sizeof(s->text) - len,
	    "%lld:%s:%s:%lld:%lld:%lld:%d:%d%d:%lld/%lld ",
	    (long long)r->created_at, r->group != NULL ? r->group : "-",
	    r->status, (long long)r->resolved_at,
	    (long long)r->first_response_at, (long long)r->paused_secs,
	    r->rating, r->first_breached, r->resolution_breached,
	    (long long)r->customer_messages, (long long)r->agent_replies);
	s->n++;
}

START_TEST(test_report_cohort)
{
	struct error	 err;
	struct seen	 s;

	/* hidden 5 and merged 6 are never counted */
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(report_query_cohort(fx.st, REPORT_QUERY_COMPANY,
	    3000, 3001, seen_request, &s, &err), 0);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_str_eq(s.text, "3000:Initech:pending:0:3100:0:0:00:0/0 ");
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(report_query_cohort(fx.st, REPORT_QUERY_AGENT,
	    1000, 1001, seen_request, &s, &err), 0);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_ptr_nonnull(strstr(s.text,
	    "1000:anna:open:0:0:0:0:00:3/2 "));
	ck_assert_ptr_nonnull(strstr(s.text,
	    "1000:anna:resolved:8000:1200:600:4:10:1/0 "));
	/* the company of the customer where the request has none */
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(report_query_cohort(fx.st, REPORT_QUERY_COMPANY,
	    2000, 2001, seen_request, &s, &err), 0);
	ck_assert_str_eq(s.text, "2000:Acme:new:0:0:0:0:00:0/0 ");
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(report_query_cohort(fx.st, REPORT_QUERY_NONE,
	    2000, 2001, seen_request, &s, &err), 0);
	ck_assert_str_eq(s.text, "2000:-:new:0:0:0:0:00:0/0 ");
}
END_TEST

static void
seen_backlog(time_t created_at, const char *group, void *arg)
{
	struct seen *s = arg;
	size_t len = strlen(s->text);

	snprintf(s->text + len, sizeof(s->text) - len, "%lld:%s ",
	    (long long)created_at, group != NULL ? group : "-");
	s->n++;
}

static void
seen_opened(time_t created_at, void *arg)
{
	seen_backlog(created_at, NULL, arg);
}

static void
seen_load(const struct report_query_load *l, void *arg)
{
	struct seen *s = arg;
	size_t len = strlen(s->text);

	snprintf(s->text + len, sizeof(s->text) - len, "%s:%lld:%lld:%lld ",
	    l->agent != NULL ? l->agent : "-", (long long)l->open,
	    (long long)l->overdue, (long long)l->due_soon);
}

static void
seen_item(const struct report_query_item *it, void *arg)
{
	struct seen *s = arg;
	size_t len = strlen(s->text);

	snprintf(s->text + len, sizeof(s->text) - len, "%lld:%s:%s:%s:%lld ",
	    (long long)it->ticket, it->subject,
	    it->agent != NULL ? it->agent : "-",
	    it->detail != NULL ? it->detail : "-", (long long)it->at);
}

START_TEST(test_report_open)
{
	struct error	 err;
	struct seen	 s;

	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(report_query_backlog(fx.st, REPORT_QUERY_CATEGORY,
	    seen_backlog, &s, &err), 0);
	ck_assert_uint_eq(s.n, 4);
	ck_assert_ptr_nonnull(strstr(s.text, "2500:billing/refunds "));
	ck_assert_ptr_nonnull(strstr(s.text, "3000:sales "));
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(report_query_opened(fx.st, 2000, 3001, seen_opened,
	    &s, &err), 0);
	ck_assert_uint_eq(s.n, 3);	/* 2, 3, 4: not 5 nor 6 */
	/*
	 * by assignee, the unassigned last; the earliest deadline: 1 anna's
	 * 5000, 2 3000, 3 ('') and 4 none
	 */
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(report_query_load(fx.st, 4000, seen_load, &s, &err),
	    0);
	ck_assert_str_eq(s.text, ":1:0:0 anna:1:0:1 -:2:1:0 ");
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(report_query_load(fx.st, 1000, seen_load, &s, &err),
	    0);
	ck_assert_str_eq(s.text, ":1:0:0 anna:1:0:0 -:2:0:1 ");

	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(report_query_breaches(fx.st, 0, 5000, 10, seen_item,
	    &s, &err), 0);
	ck_assert_str_eq(s.text, "7:Done:anna:first_response due:2000 ");
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(report_query_oldest_open(fx.st, 3000, 2, seen_item,
	    &s, &err), 0);
	ck_assert_str_eq(s.text, "1:One:anna:-:1000 2:Two:-:-:2000 ");
}
END_TEST

/* After each lookup another connection commits; we must still write. */
START_TEST(test_lookup_leaves_no_read)
{
	struct error	 err;
	struct ticket	 t;
	struct store	*other;
	char		 path[128], *s;
	time_t		 until;
	int64_t		 id;
	bool		 b;
	int		 i;

	snprintf(path, sizeof(path), "%s/t.db", fx.dir);
	other = store_open(path, 0, &err);
	ck_assert_ptr_nonnull(other);
	ck_assert_int_eq(assign_state_cursor_set(fx.st, "c", "anna", &err), 0);
	ck_assert_int_eq(assign_state_away_set(fx.st, "anna", 0, 99, &err), 0);
	ck_assert_int_eq(digest_run_done(fx.st, "daily", 5, &err), 0);
	for (i = 0; i < 9; i++) {
		switch (i) {
		case 0:
			ck_assert_int_eq(ticket_load(fx.st, 1, &t, &err), 0);
			ticket_clear(&t);
			break;
		case 1:
			ck_assert_int_eq(ticket_load_sla(fx.st, 1, &t, &err),
			    0);
			ticket_clear(&t);
			break;
		case 2:
			ck_assert_int_eq(history_has(fx.st, 7, "sla_breach",
			    &b, &err), 0);
			ck_assert(b);
			break;
		case 3:
			ck_assert_int_eq(assign_state_cursor(fx.st, "c", &s,
			    &err), 0);
			free(s);
			break;
		case 4:
			ck_assert_int_eq(assign_state_away_at(fx.st, "anna",
			    5, &until, &err), 1);
			break;
		case 5:
			ck_assert_int_eq(sla_mark_since(fx.st, 7,
			    "first_response", "breach", 0, &b, &err), 0);
			ck_assert(b);
			break;
		case 6:
			ck_assert_int_eq(ticket_previous_assignee(fx.st, 3, &s,
			    &err), 0);
			free(s);
			break;
		case 7:
			ck_assert_int_eq(ticket_survey_of(fx.st, "s7@us.test",
			    &id, &err), 0);
			break;
		default:
			ck_assert_int_eq(ticket_customer_address(fx.st, 1, &s,
			    &err), 0);
			free(s);
			break;
		}
		fixture_exec(other, "UPDATE tickets SET updated_at ="
		    " updated_at + 1 WHERE id = 2");
		ck_assert_msg(store_begin(fx.st, &err) == 0,
		    "lookup %d left a read open: %s", i, err.msg);
		store_rollback(fx.st);
	}
	store_close(other);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("store_desk");
	TCase *tc = tcase_create("store_desk");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_assign_state);
	tcase_add_test(tc, test_sla_mark);
	tcase_add_test(tc, test_digest_run);
	tcase_add_test(tc, test_rule_hit);
	tcase_add_test(tc, test_ticket_assignment);
	tcase_add_test(tc, test_ticket_sla);
	tcase_add_test(tc, test_ticket_route);
	tcase_add_test(tc, test_ticket_rating);
	tcase_add_test(tc, test_report_cohort);
	tcase_add_test(tc, test_report_open);
	tcase_add_test(tc, test_lookup_leaves_no_read);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
