/*
 * test_rating: the satisfaction ratings' intake through the real
 * pipeline.  A reply to the survey with the digit on its first line and
 * mail to a signed rating address rate the request (message stored,
 * rating, rated_at, event); a digit without the survey, a forged address
 * and automatic mail do not.
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
#include "pipeline.h"
#include "rating.h"
#include "store.h"
#include "store_sqlite.h"

#define NOW	1794312000LL

static struct fixture	 fx;
static struct config	*cfg;
static struct store	*st;
static struct pipeline	*pl;

static void
setup(void)
{
	struct error err;

	fixture_open(&fx, "test_rating", "reports = { survey = true;"
	    " rating_key = \"0123456789abcdef0123456789abcdef\"; };\n");
	cfg = fx.cfg;
	st = fx.st;
	pl = pipeline_new(cfg, &err);
	ck_assert_ptr_nonnull(pl);
	/* request 7, resolved, with our survey <survey.1@x> on it */
	ck_assert_int_eq(sqlite3_exec(store_db(st), "INSERT INTO tickets"
	    " (id, subject, status, created_at, updated_at) VALUES"
	    " (7, 'printer', 'resolved', 0, 0);"
	    "INSERT INTO messages (ticket_id, direction, message_id, source,"
	    " created_at) VALUES (7, 'auto', 'survey.1@x', 'survey', 0);"
	    "INSERT INTO message_ids VALUES ('survey.1@x', 7);",
	    NULL, NULL, NULL), SQLITE_OK);
}

static void
teardown(void)
{
	pipeline_free(pl);
	fixture_close(&fx);
}

static struct pipeline_result
ingest(const char *raw, const char *rcpt)
{
	struct pipeline_input in;
	struct pipeline_result res;
	struct error err;
	char *r = (char *)rcpt;

	memset(&in, 0, sizeof(in));
	in.raw = raw;
	in.len = strlen(raw);
	in.source = "test";
	in.mail_from = "cust@example.org";
	in.rcpts = &r;
	in.nrcpts = 1;
	ck_assert_int_eq(store_begin(st, &err), 0);
	ck_assert_msg(pipeline_ingest(pl, st, &in, NULL, NOW, &res, &err) ==
	    0, "ingest: %s", err.msg);
	ck_assert_int_eq(store_commit(st, &err), 0);
	return res;
}

static long long
count(const char *sql)
{
	return fixture_count(st, sql);
}

START_TEST(test_parse_reply)
{
	static const struct { const char *body; int score; } cases[] = {
		{ "4", 4 }, { "5\n\nthanks", 5 }, { "\n  \r\n 1 - poor", 0 },
		{ "3/5", 3 }, { "0", 0 }, { "6", 0 }, { "45", 0 },
		{ "great, 5", 0 }, { "", 0 }, { NULL, 0 }, { "4.", 4 },
		{ "5!\r\nthanks", 5 }, { " 2 \r\n", 2 }, { "1 - -", 1 },
		{ "2 problems remain: the printer still jams", 0 },
		{ "3 \xc2\xbb", 0 }, { "4 stars", 0 }, { "3/4", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(rating_parse_reply(cases[i].body) ==
		    cases[i].score, "case %zu", i);
}
END_TEST

START_TEST(test_reply_rates)
{
	struct pipeline_result res;

	res = ingest("From: Cust <cust@example.org>\r\n"
	    "Subject: Re: How did we do?\r\n"
	    "Message-ID: <answer.1@example.org>\r\n"
	    "In-Reply-To: <survey.1@x>\r\n\r\n4\r\n\r\n> 1 (poor): ...\r\n",
	    "support@example.test");
	ck_assert_str_eq(res.how, "rating");
	ck_assert_int_eq(res.ticket_id, 7);
	ck_assert_int_eq(count("SELECT rating FROM tickets WHERE id = 7"), 4);
	ck_assert_int_eq(count("SELECT rated_at FROM tickets WHERE id = 7"),
	    NOW);
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE"
	    " ticket_id = 7 AND kind = 'rated' AND detail = '4'"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM messages WHERE"
	    " ticket_id = 7 AND direction = 'in' AND raw IS NOT NULL"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM tickets"), 1);
	/* the same mail again is a duplicate, not a second rating */
	res = ingest("From: Cust <cust@example.org>\r\n"
	    "Subject: Re: How did we do?\r\n"
	    "Message-ID: <answer.1@example.org>\r\n"
	    "In-Reply-To: <survey.1@x>\r\n\r\n4\r\n", "support@example.test");
	ck_assert_int_eq(res.status, PIPELINE_DUPLICATE);
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE"
	    " kind = 'rated'"), 1);
}
END_TEST

START_TEST(test_address_rates)
{
	struct pipeline_result res;
	struct error err;
	char *addr, *forged, *p;

	ck_assert_ptr_nonnull(addr = rating_address(cfg, 7, 2, &err));
	ck_assert_ptr_nonnull(strstr(addr, "support+r7.arate2."));
	ck_assert_ptr_null(rating_address(cfg, 7, 6, &err));
	forged = strdup(addr);
	p = strstr(forged, "arate2");
	p[5] = '5';
	res = ingest("From: cust@example.org\r\nSubject: Rating 5\r\n"
	    "Message-ID: <click.2@example.org>\r\n\r\n", forged);
	ck_assert_str_ne(res.how, "rating");
	ck_assert_int_eq(count("SELECT rating IS NULL FROM tickets"
	    " WHERE id = 7"), 1);
	res = ingest("From: cust@example.org\r\nSubject: Rating 2\r\n"
	    "Message-ID: <click.1@example.org>\r\n\r\n", addr);
	ck_assert_str_eq(res.how, "rating");
	ck_assert_int_eq(count("SELECT rating FROM tickets WHERE id = 7"), 2);
	free(addr);
	free(forged);
}
END_TEST

/*
 * Issue 16: a survey reply that starts with a digit but says more is a
 * customer's message: stored as text, the request reopened, no rating.
 */
START_TEST(test_digit_and_text)
{
	struct pipeline_result res;

	res = ingest("From: Cust <cust@example.org>\r\n"
	    "Subject: Re: How did we do?\r\n"
	    "Message-ID: <answer.2@example.org>\r\n"
	    "In-Reply-To: <survey.1@x>\r\n\r\n"
	    "2 problems remain: the printer still jams\r\n",
	    "support@example.test");
	ck_assert_str_ne(res.how, "rating");
	ck_assert_int_eq(res.ticket_id, 7);
	ck_assert(!res.new_ticket);
	ck_assert_int_eq(count("SELECT rating IS NULL FROM tickets"
	    " WHERE id = 7"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE"
	    " kind = 'rated'"), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM tickets WHERE id = 7"
	    " AND status = 'open' AND reopen_count = 1"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM messages WHERE"
	    " ticket_id = 7 AND direction = 'in' AND body LIKE"
	    " '2 problems remain%'"), 1);
}
END_TEST

START_TEST(test_not_ratings)
{
	struct pipeline_result res;

	/* a digit, but no survey answered: a new request */
	res = ingest("From: cust@example.org\r\nSubject: hi\r\n"
	    "Message-ID: <n.1@example.org>\r\n\r\n5\r\n",
	    "support@example.test");
	ck_assert_ptr_nonnull(res.how);
	ck_assert_str_ne(res.how, "rating");
	ck_assert(res.new_ticket);
	/* a vacation notice answering the survey */
	res = ingest("From: cust@example.org\r\nSubject: Out of office\r\n"
	    "Auto-Submitted: auto-replied\r\n"
	    "Message-ID: <n.2@example.org>\r\nIn-Reply-To: <survey.1@x>\r\n"
	    "\r\n5\r\n", "support@example.test");
	ck_assert_str_ne(res.how, "rating");
	ck_assert_int_eq(count("SELECT count(*) FROM tickets WHERE"
	    " rating IS NOT NULL"), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("rating");
	TCase *tc = tcase_create("rating");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_parse_reply);
	tcase_add_test(tc, test_reply_rates);
	tcase_add_test(tc, test_address_rates);
	tcase_add_test(tc, test_not_ratings);
	tcase_add_test(tc, test_digit_and_text);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
