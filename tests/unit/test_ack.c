/*
 * test_ack: what an acknowledgement may carry and to how many (issue 20,
 * item 5: no reflection).  The customer's text is quoted up to
 * acknowledgement.quote_limit bytes, cut at a line end or inside a long
 * line at a whole UTF-8 character, marked "[…]": a 1 MiB message gives
 * an acknowledgement no bigger than one of an empty message plus the
 * limit.  The subject is cut alike.  The rate limits per envelope sender
 * and per client address hold however many victims the Reply-To names,
 * an IPv4-mapped client counts as its IPv4 address, exempt networks are
 * not counted, and each skip names its reason.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "charset.h"
#include "config.h"
#include "error.h"
#include "fixture.h"
#include "pipeline.h"
#include "store.h"
#include "store_sqlite.h"
#include "xmalloc.h"

#define NOW	1700000000
#define MARK	"[\xe2\x80\xa6]"	/* "[…]" */

static struct fixture	 fx;
static struct pipeline	*pl;

static void
open_with(const char *conf)
{
	struct error err;

	fixture_open(&fx, "test_ack", conf);
	pl = pipeline_new(fx.cfg, &err);
	ck_assert_ptr_nonnull(pl);
}

static void
teardown(void)
{
	pipeline_free(pl);
	pl = NULL;
	fixture_close(&fx);
}

static struct pipeline_result
ingest(const char *raw, const char *mail_from, const char *client)
{
	struct pipeline_input in;
	struct pipeline_result res;
	struct error err;
	char *rcpt = (char *)"support@example.test";

	memset(&in, 0, sizeof(in));
	in.raw = raw;
	in.len = strlen(raw);
	in.source = client != NULL ? "smtp" : "inject";
	in.mail_from = mail_from;
	in.rcpts = &rcpt;
	in.nrcpts = 1;
	in.client = client;
	ck_assert_int_eq(store_begin(fx.st, &err), 0);
	ck_assert_msg(pipeline_ingest(pl, fx.st, &in, NULL, NOW, &res,
	    &err) == 0, "ingest: %s", err.msg);
	ck_assert_int_eq(store_commit(fx.st, &err), 0);
	return res;
}

/* The body of the acknowledgement of request id, as we rendered it. */
static char *
ack_body(long long id)
{
	sqlite3_stmt *stmt;
	char *s;

	ck_assert_int_eq(sqlite3_prepare_v2(store_db(fx.st), "SELECT body"
	    " FROM messages WHERE direction = 'auto' AND ticket_id = ?", -1,
	    &stmt, NULL), SQLITE_OK);
	sqlite3_bind_int64(stmt, 1, id);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	s = xstrdup((const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	return s;
}

static long long
ack_data_len(long long id)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT length(data) FROM outbox"
	    " WHERE kind = 'ack' AND ticket_id = %lld", id);
	return fixture_count(fx.st, sql);
}

/* A message whose body is body, from a fresh sender number n. */
static char *
message(int n, const char *subject, const char *body)
{
	char *raw;

	xasprintf(&raw, "From: Customer <c%d@customer.example>\r\n"
	    "To: support@example.test\r\nSubject: %s\r\n"
	    "Message-ID: <m%d@customer.example>\r\n\r\n%s", n, subject, n,
	    body);
	return raw;
}

#define TEMPLATE \
	"acknowledgement = { body = \"We opened {{token}}.\\n\\n" \
	"{{quoted_text}}-- \\nSupport\\n\"; quote_limit = 1000; };\n"

START_TEST(test_quote_cut_at_a_line)
{
	struct buf big;
	struct pipeline_result r;
	char *raw, *body, *empty_body, *q;
	long long empty_len, big_len;
	int i;

	open_with(TEMPLATE);
	raw = message(1, "empty", "");
	r = ingest(raw, "c1@customer.example", NULL);
	free(raw);
	ck_assert(r.ack_queued);
	empty_body = ack_body(r.ticket_id);
	empty_len = ack_data_len(r.ticket_id);

	/* 1 MiB of 64-byte lines */
	buf_init(&big);
	for (i = 0; big.len < 1024 * 1024; i++)
		buf_printf(&big, "line %06d of a long message, "
		    "padded to 64 bytes with xxxxxxxx\r\n", i);
	raw = message(2, "big", big.data);
	buf_release(&big);
	r = ingest(raw, "c2@customer.example", NULL);
	free(raw);
	ck_assert(r.ack_queued);
	body = ack_body(r.ticket_id);
	big_len = ack_data_len(r.ticket_id);
	/* the rendered text: the empty one plus at most the limit */
	ck_assert_msg(strlen(body) <= strlen(empty_body) + 1000,
	    "%zu > %zu + 1000", strlen(body), strlen(empty_body));
	ck_assert_uint_gt(strlen(body), strlen(empty_body) + 900);
	/* the mail: quoted-printable adds little to this ASCII */
	ck_assert_int_le(big_len, empty_len + 1100);
	/* whole lines, then the mark on a line of its own */
	ck_assert_ptr_nonnull(strstr(body, "> line 000000 of a long message"));
	q = strstr(body, "> " MARK "\n-- \nSupport\n");
	ck_assert_msg(q != NULL, "%s", body);
	ck_assert_int_eq(q[-1], '\n');
	ck_assert_ptr_nonnull(strstr(q - 64, "xxxxxxxx\n"));
	free(body);
	free(empty_body);
}
END_TEST

/* One endless line of Cyrillic: cut inside it, never inside a letter. */
START_TEST(test_quote_cut_in_a_line_at_utf8)
{
	struct buf big;
	struct pipeline_result r;
	char *raw, *body, *q, *end;
	size_t i;

	open_with(TEMPLATE);
	buf_init(&big);
	buf_append_str(&big, "a");	/* odd offset for the 2-byte letters */
	for (i = 0; i < 50000; i++)
		buf_append_str(&big, "\xd1\x8f");	/* я */
	raw = message(1, "=?utf-8?B?0Y8=?=", big.data);
	buf_release(&big);
	r = ingest(raw, "c1@customer.example", NULL);
	free(raw);
	ck_assert(r.ack_queued);
	body = ack_body(r.ticket_id);
	ck_assert(charset_is_utf8(body, strlen(body)));
	q = strstr(body, "> a\xd1\x8f\xd1\x8f");
	ck_assert_ptr_nonnull(q);
	end = strstr(q, "\n> " MARK "\n");
	ck_assert_msg(end != NULL, "%s", body);
	/* most of the room was used */
	ck_assert_int_gt(end - q, 900);
	ck_assert_int_le(end - q, 1000);
	free(body);
}
END_TEST

START_TEST(test_quote_limit_zero_and_subject)
{
	struct buf subj;
	struct pipeline_result r;
	sqlite3_stmt *stmt;
	char *raw, *body, *subject, sql[128];
	int i;

	open_with("acknowledgement = { body = \"[{{quoted_text}}]"
	    "[{{original_text}}]\"; quote_limit = 0; };\n");
	buf_init(&subj);
	for (i = 0; i < 100; i++)
		buf_append_str(&subj, "word ");
	raw = message(1, subj.data, "secret text\r\n");
	buf_release(&subj);
	r = ingest(raw, "c1@customer.example", NULL);
	free(raw);
	body = ack_body(r.ticket_id);
	ck_assert_str_eq(body, "[][]");
	free(body);
	/* 500 bytes of subject: 256 kept, cut marked, on one line */
	snprintf(sql, sizeof(sql), "SELECT subject FROM messages"
	    " WHERE direction = 'auto' AND ticket_id = %lld",
	    (long long)r.ticket_id);
	ck_assert_int_eq(sqlite3_prepare_v2(store_db(fx.st), sql, -1, &stmt,
	    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	subject = xstrdup((const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	ck_assert_msg(strlen(subject) < 256 + 20, "%s", subject);
	ck_assert_ptr_nonnull(strstr(subject, "word word"));
	ck_assert_ptr_nonnull(strstr(subject, " " MARK));
	ck_assert_ptr_null(strchr(subject, '\n'));
	free(subject);
}
END_TEST

/* One MAIL FROM, twenty victims in Reply-To: rate_limit_sender acks. */
START_TEST(test_rate_limit_sender)
{
	struct pipeline_result r;
	char raw[512];
	int i, acks = 0, skipped = 0;

	open_with("acknowledgement = { rate_limit_sender = 4; };\n");
	for (i = 0; i < 20; i++) {
		snprintf(raw, sizeof(raw), "From: Victim <v%d@victims.example>\r\n"
		    "Reply-To: <r%d@victims.example>\r\n"
		    "Subject: hello %d\r\nMessage-ID: <s%d@attacker.example>\r\n"
		    "\r\nhi\r\n", i, i, i, i);
		r = ingest(raw, "Attacker@Attacker.example", NULL);
		ck_assert(r.new_ticket);
		if (r.ack_queued)
			acks++;
		else {
			ck_assert_str_eq(r.ack_skipped, "rate-limited-sender");
			skipped++;
		}
	}
	ck_assert_int_eq(acks, 4);
	ck_assert_int_eq(skipped, 16);
	/* counted lowercased: another case is the same sender */
	r = ingest("From: x@victims.example\r\nSubject: y\r\n"
	    "Message-ID: <y@a>\r\n\r\nhi\r\n", "attacker@attacker.example", NULL);
	ck_assert(!r.ack_queued);
	/* another sender is not affected */
	r = ingest("From: z@victims.example\r\nSubject: z\r\n"
	    "Message-ID: <z@a>\r\n\r\nhi\r\n", "other@example.org", NULL);
	ck_assert(r.ack_queued);
	ck_assert_int_eq(fixture_count(fx.st, "SELECT count(*) FROM tickets"),
	    22);
}
END_TEST

/* Varying MAIL FROM from one client: rate_limit_client acks. */
START_TEST(test_rate_limit_client)
{
	static const char *const clients[] = { "192.0.2.7",
	    "::ffff:192.0.2.7" };
	struct pipeline_result r;
	char raw[512], from[64];
	int i, acks = 0;

	open_with("acknowledgement = { rate_limit_client = 3;"
	    " rate_limit_exempt = [ \"198.51.100.0/24\", \"2001:db8::/32\" ];"
	    " };\n");
	for (i = 0; i < 10; i++) {
		snprintf(raw, sizeof(raw), "From: <v%d@victims.example>\r\n"
		    "Subject: hello %d\r\nMessage-ID: <c%d@attacker.example>\r\n"
		    "\r\nhi\r\n", i, i, i);
		snprintf(from, sizeof(from), "a%d@attacker.example", i);
		r = ingest(raw, from, clients[i % 2]);
		if (r.ack_queued)
			acks++;
		else
			ck_assert_str_eq(r.ack_skipped, "rate-limited-client");
	}
	ck_assert_int_eq(acks, 3);
	/* exempt networks and unknown clients (inject) are not counted */
	for (i = 0; i < 10; i++) {
		snprintf(raw, sizeof(raw), "From: <w%d@victims.example>\r\n"
		    "Subject: x %d\r\nMessage-ID: <e%d@mta.example>\r\n\r\nhi\r\n",
		    i, i, i);
		snprintf(from, sizeof(from), "b%d@example.org", i);
		ck_assert(ingest(raw, from, i % 3 == 0 ? "198.51.100.25" :
		    i % 3 == 1 ? "2001:db8::25" : NULL).ack_queued);
	}
}
END_TEST

/* The shipped default exempts loopback: an MTA on this host. */
START_TEST(test_loopback_exempt_by_default)
{
	char raw[512], from[64];
	int i;

	open_with(NULL);
	for (i = 0; i < 40; i++) {
		snprintf(raw, sizeof(raw), "From: <v%d@example.org>\r\n"
		    "Subject: hello %d\r\nMessage-ID: <l%d@example.org>\r\n"
		    "\r\nhi\r\n", i, i, i);
		snprintf(from, sizeof(from), "v%d@example.org", i);
		ck_assert_msg(ingest(raw, from, i % 2 ? "127.0.0.1" :
		    "::1").ack_queued, "message %d", i);
	}
}
END_TEST

static Suite *
ack_suite(void)
{
	Suite *s = suite_create("ack");
	TCase *tc = tcase_create("reflection");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_quote_cut_at_a_line);
	tcase_add_test(tc, test_quote_cut_in_a_line_at_utf8);
	tcase_add_test(tc, test_quote_limit_zero_and_subject);
	tcase_add_test(tc, test_rate_limit_sender);
	tcase_add_test(tc, test_rate_limit_client);
	tcase_add_test(tc, test_loopback_exempt_by_default);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ack_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
