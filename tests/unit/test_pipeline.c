/*
 * test_pipeline: the core path for one message, on a real SQLite file:
 * new requests, threading by token / In-Reply-To / References,
 * redelivery (promise 2), acknowledgements and when they are withheld
 * (promise 3), customers and Cc.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "config_language.h"
#include "error.h"
#include "langdetect.h"
#include "pipeline.h"
#include "store.h"
#include "store_sqlite.h"

static char		 dir[] = "/tmp/test_pipeline.XXXXXX";
static char		 dbpath[256];
static struct config	*cfg;
static struct store	*st;
static struct pipeline	*pl;

static void
setup(void)
{
	struct buf errors;
	struct error err;

	strcpy(dir, "/tmp/test_pipeline.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(dbpath, sizeof(dbpath), "%s/t.db", dir);
	buf_init(&errors);
	cfg = config_load(NULL, &errors);
	ck_assert_msg(cfg != NULL, "defaults: %s", errors.data);
	buf_release(&errors);
	st = store_open(dbpath, 0, &err);
	ck_assert_msg(st != NULL, "store_open: %s", err.msg);
	pl = pipeline_new(cfg, &err);
	ck_assert_ptr_nonnull(pl);
}

static void
teardown(void)
{
	char cmd[300];

	pipeline_free(pl);
	store_close(st);
	config_unref(cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static struct pipeline_result
ingest(const char *raw, const char *mail_from)
{
	struct pipeline_input in;
	struct pipeline_result res;
	struct pipeline_parsed *parsed;
	struct error err;
	char *rcpt = (char *)"support@example.test";

	memset(&in, 0, sizeof(in));
	in.raw = raw;
	in.len = strlen(raw);
	in.source = "test";
	in.mail_from = mail_from;
	in.rcpts = &rcpt;
	in.nrcpts = 1;
	/* As the daemon does: the parse stage first, then the writer. */
	parsed = pipeline_parse(cfg, &in);
	ck_assert_int_eq(store_begin(st, &err), 0);
	ck_assert_msg(pipeline_ingest(pl, st, &in, parsed, 1700000000, &res,
	    &err) == 0, "ingest: %s", err.msg);
	ck_assert_int_eq(store_commit(st, &err), 0);
	pipeline_parsed_free(parsed);
	return res;
}

static long long
count(const char *sql)
{
	sqlite3_stmt *stmt;
	long long n;

	ck_assert_int_eq(sqlite3_prepare_v2(store_db(st), sql, -1, &stmt,
	    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	n = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return n;
}

static char *
text(const char *sql)
{
	sqlite3_stmt *stmt;
	char *s = NULL;

	ck_assert_int_eq(sqlite3_prepare_v2(store_db(st), sql, -1, &stmt,
	    NULL), SQLITE_OK);
	if (sqlite3_step(stmt) == SQLITE_ROW &&
	    sqlite3_column_text(stmt, 0) != NULL)
		s = strdup((const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	return s;
}

#define FIRST \
	"From: =?utf-8?B?0JjQstCw0L0g0J/QtdGC0YDQvtCy?= <Ivan@Customer.example>\r\n" \
	"To: support@example.test\r\n" \
	"Cc: Boss <boss@customer.example>\r\n" \
	"Subject: Printer is broken\r\n" \
	"Message-ID: <first@customer.example>\r\n" \
	"\r\n" \
	"It does not print.\r\n"

START_TEST(test_new_request_and_ack)
{
	struct pipeline_result r = ingest(FIRST, "ivan@customer.example");
	char *s;

	ck_assert_int_eq(r.status, PIPELINE_STORED);
	ck_assert_int_eq(r.ticket_id, 1);
	ck_assert(r.new_ticket);
	ck_assert(r.ack_queued);
	ck_assert_int_eq(count("SELECT count(*) FROM outbox WHERE kind='ack'"
	    " AND rcpts='ivan@customer.example' AND mail_from=''"), 1);
	s = text("SELECT name FROM customers");
	ck_assert_str_eq(s, "Иван Петров");
	free(s);
	ck_assert_int_eq(count("SELECT count(*) FROM customer_addresses"
	    " WHERE address='ivan@customer.example'"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM ticket_cc WHERE"
	    " address='boss@customer.example'"), 1);
	s = text("SELECT data FROM outbox");
	ck_assert_ptr_nonnull(strstr(s, "[#1]"));
	ck_assert_ptr_nonnull(strstr(s, "In-Reply-To: <first@customer.example>"));
	ck_assert_ptr_nonnull(strstr(s, "Auto-Submitted: auto-replied"));
	free(s);
	/* the raw message is kept byte for byte */
	ck_assert_int_eq(count("SELECT length(raw) FROM messages WHERE"
	    " direction='in'"), (long long)strlen(FIRST));
}
END_TEST

START_TEST(test_duplicate_changes_nothing)
{
	struct pipeline_result r;

	ingest(FIRST, "ivan@customer.example");
	r = ingest(FIRST, "ivan@customer.example");
	ck_assert_int_eq(r.status, PIPELINE_DUPLICATE);
	ck_assert_int_eq(r.ticket_id, 1);
	ck_assert_int_eq(count("SELECT count(*) FROM messages"), 2);	/* in + ack */
	ck_assert_int_eq(count("SELECT count(*) FROM outbox"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM tickets"), 1);
}
END_TEST

START_TEST(test_threading)
{
	static const char *replies[] = {
		"Subject: Re: [#1] Printer is broken\r\nMessage-ID: <r1@c>\r\n",
		"Subject: =?koi8-r?B?8NLJzcXSIFsjMV0=?=\r\nMessage-ID: <r2@c>\r\n",
		"Subject: Odp: #1] broken\r\nMessage-ID: <r3@c>\r\n",
		"Subject: no token\r\nIn-Reply-To: <first@customer.example>\r\n"
		    "Message-ID: <r4@c>\r\n",
		"Subject: no token\r\nReferences: <zz@x> <r4@c>\r\n"
		    "Message-ID: <r5@c>\r\n",
	};
	char raw[512];
	size_t i;

	ingest(FIRST, "ivan@customer.example");
	for (i = 0; i < sizeof(replies) / sizeof(replies[0]); i++) {
		struct pipeline_result r;

		snprintf(raw, sizeof(raw), "From: ivan@customer.example\r\n"
		    "%s\r\nthanks\r\n", replies[i]);
		r = ingest(raw, "ivan@customer.example");
		ck_assert_msg(r.ticket_id == 1 && !r.new_ticket,
		    "reply %zu went to ticket %lld", i, (long long)r.ticket_id);
		ck_assert(!r.ack_queued);
	}
	ck_assert_int_eq(count("SELECT count(*) FROM tickets"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM outbox"), 1);
}
END_TEST

START_TEST(test_follow_up_reopens)
{
	static const struct {
		const char	*was;
		const char	*auto_hdr;
		const char	*status;
		long long	 reopened;
	} cases[] = {
		{ "resolved", "", "open", 1 },
		{ "closed", "", "open", 1 },
		{ "pending", "", "open", 0 },	/* waiting on them, not done */
		{ "resolved", "Auto-Submitted: auto-replied\r\n", "resolved", 0 },
	};
	char raw[512], sql[128], *status;
	size_t i;

	ingest(FIRST, "ivan@customer.example");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(sql, sizeof(sql), "UPDATE tickets SET status = '%s',"
		    " reopen_count = 0 WHERE id = 1", cases[i].was);
		ck_assert_int_eq(sqlite3_exec(store_db(st), sql, NULL, NULL,
		    NULL), SQLITE_OK);
		snprintf(raw, sizeof(raw), "From: ivan@customer.example\r\n"
		    "%sSubject: Re: [#1] Printer\r\nMessage-ID: <fu%zu@c>\r\n"
		    "\r\nagain\r\n", cases[i].auto_hdr, i);
		ingest(raw, "ivan@customer.example");
		status = text("SELECT status FROM tickets WHERE id = 1");
		ck_assert_msg(strcmp(status, cases[i].status) == 0,
		    "case %zu: %s", i, status);
		free(status);
		ck_assert_int_eq(count("SELECT reopen_count FROM tickets"
		    " WHERE id = 1"), cases[i].reopened);
	}
	ck_assert_int_eq(count("SELECT count(*) FROM events"
	    " WHERE kind = 'reopened'"), 2);
}
END_TEST

START_TEST(test_reply_to_ack_threads)
{
	char raw[512], *ackid;
	struct pipeline_result r;

	ingest(FIRST, "ivan@customer.example");
	ackid = text("SELECT message_id FROM outbox");
	snprintf(raw, sizeof(raw), "From: ivan@customer.example\r\n"
	    "Subject: what?\r\nIn-Reply-To: <%s>\r\n\r\nhello\r\n", ackid);
	free(ackid);
	r = ingest(raw, "ivan@customer.example");
	ck_assert_int_eq(r.ticket_id, 1);
}
END_TEST

START_TEST(test_unknown_token_opens_new)
{
	struct pipeline_result r = ingest("From: a@b.example\r\n"
	    "Subject: Re: [#999] other system\r\n\r\nx\r\n", "a@b.example");

	ck_assert(r.new_ticket);
	ck_assert_int_eq(r.ticket_id, 1);
}
END_TEST

START_TEST(test_no_ack_for_automatic_mail)
{
	static const char *autos[] = {
		"From: a@b.example\r\nAuto-Submitted: auto-replied\r\n",
		"From: a@b.example\r\nPrecedence: bulk\r\n",
		"From: a@b.example\r\nList-Id: <list.b.example>\r\n",
		"From: MAILER-DAEMON@b.example\r\n",
		"From: a@b.example\r\nX-Loop: support@example.test\r\n",
		"From: support@example.test\r\n",
	};
	char raw[512];
	size_t i;

	for (i = 0; i < sizeof(autos) / sizeof(autos[0]); i++) {
		struct pipeline_result r;

		snprintf(raw, sizeof(raw), "%sSubject: auto %zu\r\n"
		    "Message-ID: <auto%zu@b>\r\n\r\nbody\r\n", autos[i], i, i);
		r = ingest(raw, "a@b.example");
		ck_assert(r.new_ticket);
		ck_assert_msg(!r.ack_queued, "case %zu got an ack", i);
	}
	/* the null sender (a bounce) */
	ck_assert(!ingest("From: a@b.example\r\nSubject: x\r\n\r\nb\r\n",
	    "").ack_queued);
	ck_assert_int_eq(count("SELECT count(*) FROM outbox"), 0);
}
END_TEST

START_TEST(test_rate_limit)
{
	char raw[512];
	int i, acks = 0;

	for (i = 0; i < 5; i++) {
		snprintf(raw, sizeof(raw), "From: a@b.example\r\n"
		    "Subject: new %d\r\nMessage-ID: <n%d@b>\r\n\r\nx\r\n", i, i);
		acks += ingest(raw, "a@b.example").ack_queued;
	}
	ck_assert_int_eq(acks, cfg->ack_rate_limit);
	ck_assert_int_eq(count("SELECT count(*) FROM tickets"), 5);
}
END_TEST

/* inject's path: no parse stage, pipeline_ingest parses itself. */
START_TEST(test_ingest_parses_when_not_parsed)
{
	struct pipeline_input in;
	struct pipeline_result res;
	struct error err;

	memset(&in, 0, sizeof(in));
	in.raw = FIRST;
	in.len = strlen(FIRST);
	in.source = "inject";
	ck_assert_int_eq(store_begin(st, &err), 0);
	ck_assert_int_eq(pipeline_ingest(pl, st, &in, NULL, 1700000000, &res,
	    &err), 0);
	ck_assert_int_eq(store_commit(st, &err), 0);
	ck_assert(res.new_ticket && res.ack_queued);
}
END_TEST

START_TEST(test_garbage_is_stored)
{
	struct pipeline_result r = ingest("\x01\x02 not a message at all", NULL);

	ck_assert_int_eq(r.status, PIPELINE_STORED);
	ck_assert(r.new_ticket);
	ck_assert(!r.ack_queued);
	ck_assert_int_eq(count("SELECT count(*) FROM messages WHERE"
	    " raw IS NOT NULL"), 1);
}
END_TEST

/*
 * The language memo (language.h): a customer's text is classified until
 * the store has a language for them; once a message found it remembered
 * ("customer"), the sender is settled and their texts are no longer
 * classified.  Cleared by an admin, the customer's next message goes
 * unclassified (the default), unsettles, and the one after is
 * classified and remembered again.
 */
#define POLISH(n) \
	"From: Agnieszka <Agnieszka@Klient.example.pl>\r\n" \
	"Subject: faktura " #n "\r\nMessage-ID: <pl" #n "@klient>\r\n" \
	"Content-Type: text/plain; charset=utf-8\r\n\r\n" \
	"Dzień dobry, przesyłam pytanie dotyczące faktury za listopad. " \
	"Kwota na fakturze nie zgadza się z umową, którą podpisaliśmy " \
	"w zeszłym miesiącu. Proszę o korektę.\r\n"

START_TEST(test_language_memo)
{
	struct langdetect *ld = config_language_detector(cfg);
	const char *who = "agnieszka@klient.example.pl";
	char *lang;

	ck_assert_ptr_nonnull(ld);
	ingest(POLISH(1), NULL);
	lang = text("SELECT language FROM customers");
	ck_assert_str_eq(lang, "pl");
	free(lang);
	ck_assert(!langdetect_settled(ld, who));	/* not committed yet */
	ingest(POLISH(2), NULL);
	ck_assert(langdetect_settled(ld, who));
	ck_assert_int_eq(sqlite3_exec(store_db(st),
	    "UPDATE customers SET language = NULL", NULL, NULL, NULL),
	    SQLITE_OK);
	ingest(POLISH(3), NULL);
	ck_assert_ptr_null(text("SELECT language FROM customers"));
	ck_assert(!langdetect_settled(ld, who));
	ingest(POLISH(4), NULL);
	lang = text("SELECT language FROM customers");
	ck_assert_str_eq(lang, "pl");
	free(lang);
}
END_TEST

static Suite *
pipeline_suite(void)
{
	Suite *s = suite_create("pipeline");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_new_request_and_ack);
	tcase_add_test(tc, test_duplicate_changes_nothing);
	tcase_add_test(tc, test_threading);
	tcase_add_test(tc, test_follow_up_reopens);
	tcase_add_test(tc, test_reply_to_ack_threads);
	tcase_add_test(tc, test_unknown_token_opens_new);
	tcase_add_test(tc, test_no_ack_for_automatic_mail);
	tcase_add_test(tc, test_rate_limit);
	tcase_add_test(tc, test_garbage_is_stored);
	tcase_add_test(tc, test_ingest_parses_when_not_parsed);
	tcase_add_test(tc, test_language_memo);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(pipeline_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
