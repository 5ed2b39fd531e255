/*
 * test_ticket: the read side triagectl uses.  A fresh store is filled
 * with plain SQL (two customers, one with two addresses; three requests
 * with messages, attachments, cc and outbox rows), closed, and reopened
 * read-only as triagectl does; then list (order, every filter), show,
 * customer and outbox are checked.  Also json.c: the writer's commas and
 * the escaping of control characters, quotes, Cyrillic and invalid UTF-8.
 */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "error.h"
#include "json.h"
#include "store.h"
#include "store_sqlite.h"
#include "ticket.h"

static const char fixture_sql[] =
    "INSERT INTO customers (id, name, company, created_at) VALUES"
    " (1, 'Alice Example', 'Acme', 1000),"
    " (2, 'Борис', NULL, 2900);"
    "INSERT INTO customer_addresses (address, customer_id, added_at) VALUES"
    " ('alice@example.org', 1, 1000),"
    " ('alice@home.example', 1, 2000),"
    " ('boris@example.net', 2, 2900);"
    "INSERT INTO tickets (id, subject, customer_id, status, priority,"
    " category, assignee, source, created_at, updated_at) VALUES"
    " (1, 'Printer on fire', 1, 'new', 'normal', 'hardware/printers',"
    "  NULL, 'lmtp', 1000, 1500),"
    " (2, 'Invoice', 1, 'open', 'high', 'billing', 'agent1', 'smtp',"
    "  2000, 2500),"
    " (3, 'Ответ: вопрос', 2, 'new', 'normal', 'hardware', '', 'inject',"
    "  3000, 3000);"
    "INSERT INTO messages (id, ticket_id, direction, dedupe_key, message_id,"
    " from_addr, from_name, subject, body, source, auto_reason,"
    " parse_warning, created_at) VALUES"
    " (1, 1, 'in', 'k1', 'm1@example.org', 'alice@example.org',"
    "  'Alice Example', 'Printer on fire', 'It burns.\nHelp!', 'lmtp',"
    "  NULL, NULL, 1000),"
    " (2, 1, 'auto', 'k2', 'ack1@triaged', 'support@example.test',"
    "  'Support', '[#1] Printer on fire', 'We got it.', NULL,"
    "  NULL, NULL, 1001),"
    " (3, 2, 'in', 'k3', 'm3@example.org', 'alice@home.example', NULL,"
    "  'Invoice', 'Where is it?', 'smtp', NULL, 'bad charset', 2000),"
    " (4, 3, 'in', 'k4', NULL, 'boris@example.net', 'Борис',"
    "  'Ответ: вопрос', 'Привет' || char(27) || '[31m', 'inject',"
    "  'auto-submitted', NULL, 3000);"
    "INSERT INTO attachments (id, message_id, filename, content_type, size)"
    " VALUES (1, 1, 'photo.jpg', 'image/jpeg', 12345),"
    " (2, 1, 'счёт.pdf', 'application/pdf', 99),"
    " (3, 3, NULL, 'application/octet-stream', 7);"
    "INSERT INTO ticket_cc (ticket_id, address, name) VALUES"
    " (1, 'dave@example.com', NULL),"
    " (1, 'carol@example.com', 'Carol');"
    "INSERT INTO outbox (id, ticket_id, kind, mail_from, rcpts, data,"
    " status, attempts, created_at, next_attempt_at, sent_at, last_error)"
    " VALUES (1, 1, 'ack', 's@x', 'alice@example.org', 'd', 'queued', 0,"
    "  1001, 1001, NULL, NULL),"
    " (2, 2, 'ack', 's@x', 'alice@home.example', 'd', 'sent', 1,"
    "  2001, 2001, 2002, NULL),"
    " (3, 1, 'notice', 's@x', 'carol@example.com dave@example.com', 'd',"
    "  'failed', 3, 1600, 1600, NULL, '550 5.1.1 no such user');";

static char		 tmpdir[64];
static char		 dbpath[128];
static struct store	*st;

static void
setup(void)
{
	struct store *rw;
	struct error err;
	char *msg = NULL;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_ticket.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(dbpath, sizeof(dbpath), "%s/triaged.db", tmpdir);
	rw = store_open(dbpath, 0, &err);
	ck_assert_msg(rw != NULL, "store_open: %s", err.msg);
	if (sqlite3_exec(store_db(rw), fixture_sql, NULL, NULL, &msg) !=
	    SQLITE_OK)
		ck_abort_msg("fixture: %s", msg);
	store_close(rw);
	/* As triagectl opens it. */
	st = store_open(dbpath, STORE_READONLY, &err);
	ck_assert_msg(st != NULL, "store_open ro: %s", err.msg);
}

static void
teardown(void)
{
	char path[160];
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	size_t i;

	store_close(st);
	st = NULL;
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s%s", dbpath, suffixes[i]);
		(void)unlink(path);
	}
	(void)rmdir(tmpdir);
}

/* The ids of a list as "3,2,1". */
static void
ids_of(const struct ticket_filter *f, char *out, size_t size)
{
	struct ticket_row *rows;
	struct error err;
	size_t i, n, len = 0;

	out[0] = '\0';
	ck_assert_msg(ticket_list(st, f, &rows, &n, &err) == 0, "list: %s",
	    err.msg);
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(out + len, size - len, "%s%lld",
		    i > 0 ? "," : "", (long long)rows[i].id);
	ticket_rows_free(rows, n);
}

START_TEST(test_list_filters)
{
	static const struct {
		struct ticket_filter	 f;
		const char		*want;
	} cases[] = {
		{ { 0 }, "3,2,1" },
		{ { .status = "new" }, "3,1" },
		{ { .status = "open" }, "2" },
		{ { .status = "closed" }, "" },
		{ { .unassigned = true }, "3,1" },
		{ { .category = "hardware" }, "3,1" },
		{ { .category = "hardware/" }, "3,1" },
		{ { .category = "hardware/printers" }, "1" },
		{ { .category = "hard" }, "" },
		{ { .category = "billing" }, "2" },
		{ { .customer = "alice@example.org" }, "2,1" },
		{ { .customer = "ALICE@Home.Example" }, "2,1" },
		{ { .customer = " <boris@example.net> " }, "3" },
		{ { .customer = "nobody@example.org" }, "" },
		{ { .customer_id = 2 }, "3" },
		{ { .limit = 2 }, "3,2" },
		{ { .limit = 10 }, "3,2,1" },
		{ { .status = "new", .customer = "alice@example.org" }, "1" },
		{ { .status = "new", .unassigned = true, .limit = 1 }, "3" },
	};
	char got[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ids_of(&cases[i].f, got, sizeof(got));
		ck_assert_msg(strcmp(got, cases[i].want) == 0,
		    "case %zu: got \"%s\", want \"%s\"", i, got, cases[i].want);
	}
}
END_TEST

START_TEST(test_list_rows)
{
	struct ticket_filter f = { 0 };
	struct ticket_row *rows;
	struct error err;
	size_t n;

	ck_assert_int_eq(ticket_list(st, &f, &rows, &n, &err), 0);
	ck_assert_uint_eq(n, 3);
	/* Newest first: #3 (Boris), #2, #1. */
	ck_assert_str_eq(rows[0].subject, "Ответ: вопрос");
	ck_assert_ptr_null(rows[0].assignee);	/* '' reads as unassigned */
	ck_assert_int_eq(rows[0].customer.id, 2);
	ck_assert_str_eq(rows[0].customer.name, "Борис");
	ck_assert_str_eq(rows[1].assignee, "agent1");
	ck_assert_str_eq(rows[1].priority, "high");
	ck_assert_str_eq(rows[2].status, "new");
	ck_assert_str_eq(rows[2].category, "hardware/printers");
	ck_assert_ptr_null(rows[2].assignee);
	ck_assert_int_eq(rows[2].customer.id, 1);
	/* The customer's first address, whichever address wrote. */
	ck_assert_str_eq(rows[2].customer.address, "alice@example.org");
	ck_assert_str_eq(rows[1].customer.address, "alice@example.org");
	ck_assert_int_eq(rows[2].nmessages, 2);
	ck_assert_int_eq(rows[2].created_at, 1000);
	ck_assert_int_eq(rows[2].updated_at, 1500);
	ticket_rows_free(rows, n);
}
END_TEST

START_TEST(test_show)
{
	struct ticket_detail *d;
	struct error err;

	d = ticket_show(st, 1, &err);
	ck_assert_msg(d != NULL, "show: %s", err.msg);
	ck_assert_int_eq(d->row.id, 1);
	ck_assert_str_eq(d->row.subject, "Printer on fire");
	ck_assert_str_eq(d->source, "lmtp");
	ck_assert_str_eq(d->row.customer.name, "Alice Example");
	/* cc sorted by address */
	ck_assert_uint_eq(d->ncc, 2);
	ck_assert_str_eq(d->cc[0].address, "carol@example.com");
	ck_assert_str_eq(d->cc[0].name, "Carol");
	ck_assert_str_eq(d->cc[1].address, "dave@example.com");
	ck_assert_ptr_null(d->cc[1].name);
	/* messages oldest first, with attachments */
	ck_assert_uint_eq(d->nmessages, 2);
	ck_assert_str_eq(d->messages[0].direction, "in");
	ck_assert_str_eq(d->messages[0].from_addr, "alice@example.org");
	ck_assert_str_eq(d->messages[0].body, "It burns.\nHelp!");
	ck_assert_uint_eq(d->messages[0].body_len, 15);
	ck_assert_str_eq(d->messages[0].message_id, "m1@example.org");
	ck_assert_uint_eq(d->messages[0].nattachments, 2);
	ck_assert_str_eq(d->messages[0].attachments[0].filename, "photo.jpg");
	ck_assert_int_eq(d->messages[0].attachments[0].size, 12345);
	ck_assert_str_eq(d->messages[0].attachments[1].filename, "счёт.pdf");
	ck_assert_str_eq(d->messages[1].direction, "auto");
	ck_assert_ptr_null(d->messages[1].source);
	ck_assert_uint_eq(d->messages[1].nattachments, 0);
	/* outbox rows of this ticket only, queue order */
	ck_assert_uint_eq(d->noutbox, 2);
	ck_assert_int_eq(d->outbox[0].id, 1);
	ck_assert_str_eq(d->outbox[0].status, "queued");
	ck_assert_ptr_null(d->outbox[0].last_error);
	ck_assert_int_eq(d->outbox[1].id, 3);
	ck_assert_str_eq(d->outbox[1].last_error, "550 5.1.1 no such user");
	ck_assert_int_eq(d->outbox[1].attempts, 3);
	ticket_detail_free(d);

	d = ticket_show(st, 2, &err);
	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(d->ncc, 0);
	ck_assert_str_eq(d->messages[0].parse_warning, "bad charset");
	ck_assert_ptr_null(d->messages[0].from_name);
	ck_assert_ptr_null(d->messages[0].attachments[0].filename);
	ticket_detail_free(d);
}
END_TEST

/* ticket_load: every column of the one request struct. */
START_TEST(test_load)
{
	struct ticket t;
	struct error err;

	ck_assert_int_eq(ticket_load(st, 2, &t, &err), 0);
	ck_assert_int_eq(t.id, 2);
	ck_assert_str_eq(t.subject, "Invoice");
	ck_assert_int_eq(t.customer_id, 1);
	ck_assert_str_eq(t.status, "open");
	ck_assert_str_eq(t.priority, "high");
	ck_assert_str_eq(t.category, "billing");
	ck_assert_str_eq(t.assignee, "agent1");
	ck_assert_str_eq(t.source, "smtp");
	ck_assert_ptr_null(t.company);
	ck_assert_int_eq(t.created_at, 2000);
	ck_assert_int_eq(t.updated_at, 2500);
	ck_assert_int_eq(t.first_response_at, 0);
	ck_assert_int_eq(t.merged_into, 0);
	ck_assert(!t.hidden);
	ticket_clear(&t);
	ticket_clear(&t);	/* a cleared ticket clears again */

	ck_assert_int_eq(ticket_load(st, 99, &t, &err), -1);
	ck_assert_int_eq(err.kind, ERR_PERM);
	ck_assert_str_eq(err.msg, "no request #99");
	ck_assert_ptr_null(t.subject);
}
END_TEST

START_TEST(test_show_unknown)
{
	struct error err;

	error_clear(&err);
	ck_assert_ptr_null(ticket_show(st, 42, &err));
	ck_assert_int_eq(err.kind, ERR_PERM);
	ck_assert_str_eq(err.msg, "no request #42");
}
END_TEST

START_TEST(test_customer)
{
	static const char *const lookups[] = {
		"alice@example.org", "Alice@Home.EXAMPLE", "<alice@example.org>"
	};
	struct ticket_customer *c;
	struct error err;
	size_t i;

	for (i = 0; i < sizeof(lookups) / sizeof(lookups[0]); i++) {
		c = ticket_customer_load(st, lookups[i], &err);
		ck_assert_msg(c != NULL, "%s: %s", lookups[i], err.msg);
		ck_assert_int_eq(c->id, 1);
		ck_assert_str_eq(c->name, "Alice Example");
		ck_assert_str_eq(c->company, "Acme");
		ck_assert_uint_eq(c->naddresses, 2);
		ck_assert_str_eq(c->addresses[0], "alice@example.org");
		ck_assert_str_eq(c->addresses[1], "alice@home.example");
		ck_assert_uint_eq(c->nrequests, 2);
		ck_assert_int_eq(c->requests[0].id, 2);
		ck_assert_int_eq(c->requests[1].id, 1);
		ticket_customer_free(c);
	}
	c = ticket_customer_load(st, "boris@example.net", &err);
	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_null(c->company);
	ck_assert_uint_eq(c->nrequests, 1);
	ticket_customer_free(c);

	error_clear(&err);
	ck_assert_ptr_null(ticket_customer_load(st, "nobody@x.org", &err));
	ck_assert_int_eq(err.kind, ERR_PERM);
	ck_assert_str_eq(err.msg, "no customer nobody@x.org");
}
END_TEST

START_TEST(test_outbox)
{
	static const struct {
		const char	*status;
		const char	*want;
	} cases[] = {
		{ NULL, "1,2,3" },
		{ "queued", "1" },
		{ "sent", "2" },
		{ "failed", "3" },
	};
	struct ticket_outbox *rows;
	struct error err;
	char got[32];
	size_t i, k, n, len;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(ticket_outbox_list(st, cases[i].status, &rows,
		    &n, &err), 0);
		for (k = 0, len = 0, got[0] = '\0'; k < n; k++)
			len += (size_t)snprintf(got + len, sizeof(got) - len,
			    "%s%lld", k > 0 ? "," : "", (long long)rows[k].id);
		ck_assert_str_eq(got, cases[i].want);
		if (cases[i].status == NULL) {
			ck_assert_int_eq(rows[1].ticket_id, 2);
			ck_assert_str_eq(rows[1].kind, "ack");
			ck_assert_int_eq(rows[1].sent_at, 2002);
			ck_assert_int_eq(rows[2].created_at, 1600);
			ck_assert_str_eq(rows[2].rcpts,
			    "carol@example.com dave@example.com");
		}
		ticket_outbox_free(rows, n);
	}
}
END_TEST

START_TEST(test_statuses)
{
	ck_assert(ticket_status_valid("new"));
	ck_assert(ticket_status_valid("closed"));
	ck_assert(!ticket_status_valid("queued"));
	ck_assert(!ticket_status_valid(NULL));
	ck_assert(ticket_outbox_status_valid("failed"));
	ck_assert(!ticket_outbox_status_valid("open"));
}
END_TEST

START_TEST(test_readonly_store)
{
	struct store *missing;
	struct error err;
	char path[160];

	/* triagectl never creates a database by mistake. */
	snprintf(path, sizeof(path), "%s/none.db", tmpdir);
	error_clear(&err);
	missing = store_open(path, STORE_READONLY, &err);
	ck_assert_ptr_null(missing);
	ck_assert(err.msg[0] != '\0');
	ck_assert_int_eq(access(path, F_OK), -1);
}
END_TEST

START_TEST(test_store_many_statements)
{
	/* More distinct statements than the cache's first size. */
	static char sqls[600][24];
	sqlite3_stmt *first[600], *stmt;
	struct store *rw;
	char path[160];
	struct error err;
	size_t i;

	snprintf(dbpath, sizeof(dbpath), "%s/many.db", tmpdir);
	error_clear(&err);
	rw = store_open(dbpath, 0, &err);
	ck_assert_msg(rw != NULL, "store_open: %s", err.msg);
	for (i = 0; i < 600; i++) {
		snprintf(sqls[i], sizeof(sqls[i]), "SELECT %zu;", i);
		first[i] = store_stmt(rw, sqls[i], &err);
		ck_assert_msg(first[i] != NULL, "%zu: %s", i, err.msg);
	}
	for (i = 0; i < 600; i++) {
		stmt = store_stmt(rw, sqls[i], &err);
		ck_assert_ptr_eq(stmt, first[i]);
		ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
		ck_assert_int_eq(sqlite3_column_int(stmt, 0), (int)i);
	}
	store_close(rw);
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s%s", dbpath,
		    i == 0 ? "" : i == 1 ? "-wal" : "-shm");
		(void)unlink(path);
	}
	snprintf(dbpath, sizeof(dbpath), "%s/triaged.db", tmpdir);
}
END_TEST

START_TEST(test_store_bare_names)
{
	static const char *const names[] = { "bare.db", ":memory:" };
	struct store *rw;
	struct error err;
	char cwd[256];
	size_t i;

	/* A database path without a directory part: nothing to create. */
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	ck_assert_int_eq(chdir(tmpdir), 0);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		error_clear(&err);
		rw = store_open(names[i], 0, &err);
		ck_assert_msg(rw != NULL, "%s: %s", names[i], err.msg);
		store_close(rw);
	}
	ck_assert_int_eq(access("bare.db", F_OK), 0);
	(void)unlink("bare.db");
	(void)unlink("bare.db-wal");
	(void)unlink("bare.db-shm");
	ck_assert_int_eq(chdir(cwd), 0);
}
END_TEST

START_TEST(test_json_escape)
{
	static const struct {
		const char	*in;
		size_t		 len;
		const char	*want;
	} cases[] = {
#define C(s, w)	{ s, sizeof(s) - 1, w }
		C("", "\"\""),
		C("plain", "\"plain\""),
		C("a\"b\\c/d", "\"a\\\"b\\\\c/d\""),
		C("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\""),
		C("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\""),
		C("\x1b[31m", "\"\\u001b[31m\""),
		C("a\0b", "\"a\\u0000b\""),
		C("Привет, мир", "\"Привет, мир\""),
		C("ёЁ €", "\"ёЁ €\""),
		C("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\""),
		C("\xe2\x80\xa8", "\"\\u2028\""),
		/* invalid UTF-8: one U+FFFD per maximal invalid subpart */
		C("\xff", "\"\xef\xbf\xbd\""),
		C("a\x80z", "\"a\xef\xbf\xbdz\""),
		C("\xc3", "\"\xef\xbf\xbd\""),
		C("\xc3" "a", "\"\xef\xbf\xbd" "a\""),
		C("\xe2\x82" "x", "\"\xef\xbf\xbd" "x\""),
		C("\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\""),
		C("\xe0\x80\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""),
		C("\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""),
		C("\xf4\x90\x80\x80", "\"\xef\xbf\xbd\xef\xbf\xbd"
		    "\xef\xbf\xbd\xef\xbf\xbd\""),
		C("\xd0\x9f\xd1", "\"П\xef\xbf\xbd\""),
		/* windows-1251 "Привет" stored raw */
		C("\xcf\xf0\xe8", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""),
#undef C
	};
	struct buf *b;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		b = buf_new();
		json_escape(b, cases[i].in, cases[i].len);
		ck_assert_msg(strcmp(b->data, cases[i].want) == 0,
		    "case %zu: got %s want %s", i, b->data, cases[i].want);
		buf_free(b);
	}
}
END_TEST

START_TEST(test_json_writer)
{
	struct buf *b = buf_new();
	struct json j;

	json_init(&j, b);
	json_object_begin(&j);
	json_kv_int(&j, "a", -1);
	json_key(&j, "b");
	json_array_begin(&j);
	json_int(&j, 1);
	json_string(&j, "x");
	json_string(&j, NULL);
	json_bool(&j, true);
	json_object_begin(&j);
	json_object_end(&j);
	json_array_begin(&j);
	json_array_end(&j);
	json_array_end(&j);
	json_key(&j, "c\n");
	json_object_begin(&j);
	json_key(&j, "d");
	json_bool(&j, false);
	json_kv_string(&j, "e", "é");
	json_object_end(&j);
	json_object_end(&j);
	ck_assert_int_eq(j.depth, 0);
	ck_assert_str_eq(b->data, "{\"a\":-1,\"b\":[1,\"x\",null,true,{},[]],"
	    "\"c\\n\":{\"d\":false,\"e\":\"é\"}}");
	buf_free(b);
}
END_TEST

static Suite *
ticket_suite(void)
{
	Suite *s = suite_create("ticket");
	TCase *tc;

	tc = tcase_create("store");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_list_filters);
	tcase_add_test(tc, test_list_rows);
	tcase_add_test(tc, test_show);
	tcase_add_test(tc, test_show_unknown);
	tcase_add_test(tc, test_load);
	tcase_add_test(tc, test_customer);
	tcase_add_test(tc, test_outbox);
	tcase_add_test(tc, test_readonly_store);
	tcase_add_test(tc, test_store_bare_names);
	tcase_add_test(tc, test_store_many_statements);
	suite_add_tcase(s, tc);

	tc = tcase_create("json");
	tcase_add_test(tc, test_statuses);
	tcase_add_test(tc, test_json_escape);
	tcase_add_test(tc, test_json_writer);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ticket_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
