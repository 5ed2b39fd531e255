/*
 * test_search_index (issue 17): what people type becomes a safe FTS5
 * query (quotes, NEAR, *, -, column filters, parentheses are words, never
 * syntax; OR, -word and word* are ours), errors are clear, and the index
 * kept by the schema's triggers finds messages by folded words (case,
 * Polish and Russian letters), skips automatic mail, marks notes, follows
 * a merge and forgets a deleted message.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "buf.h"
#include "error.h"
#include "fixture.h"
#include "message.h"
#include "search_index.h"
#include "search_tok.h"
#include "store.h"
#include "store_schema.h"
#include "store_sqlite.h"

static struct fixture	 fx;

static void
setup(void)
{
	fixture_open(&fx, "test_search_index", NULL);
	fixture_exec(fx.st,
	    "INSERT INTO tickets (id, subject, status, assignee, created_at,"
	    " updated_at) VALUES (1, 'Żółw', 'open', 'anna', 10, 10),"
	    " (2, 'Заказ', 'new', NULL, 20, 20),"
	    " (3, 'spam', 'new', NULL, 30, 30),"
	    " (4, 'Invoice', 'resolved', 'bert', 40, 40);"
	    "UPDATE tickets SET hidden = 1 WHERE id = 3;"
	    "INSERT INTO messages (id, ticket_id, direction, from_addr,"
	    " from_name, subject, body, created_at) VALUES"
	    " (1, 1, 'in', 'ola@x.pl', 'Ola Łącka', 'Żółw w ogrodzie',"
	    "  'Mój żółw uciekł. Zażółć gęślą jaźń.', 100),"
	    " (2, 2, 'in', 'ivan@x.ru', 'Иван', 'ЗАКАЗ №5',"
	    "  'Где мой заказ? Ёлка не пришла.', 200),"
	    " (3, 3, 'in', 'spam@x.test', NULL, 'cheap invoice', 'invoice', 300),"
	    " (4, 4, 'in', 'cust@x.test', 'Cust', 'Invoice 42',"
	    "  'The invoice for March is wrong, the VAT is missing.', 400),"
	    " (5, 4, 'auto', 'support@us.test', NULL, 'Re: Invoice 42',"
	    "  'We received your request about the turtle', 410),"
	    " (6, 4, 'note', 'anna@us.test', NULL, NULL,"
	    "  'Checked with accounting: the turtle invoice is fine', 420);");
}

static void
teardown(void)
{
	fixture_close(&fx);
}

static void
query_is(const char *text, const char *want)
{
	struct error err;
	char *q;

	error_clear(&err);
	q = search_index_query(text, &err);
	ck_assert_msg(q != NULL, "%s: %s", text, err.msg);
	ck_assert_str_eq(q, want);
	free(q);
}

static void
query_fails(const char *text, const char *why)
{
	struct error err;
	char *q;

	error_clear(&err);
	q = search_index_query(text, &err);
	ck_assert_msg(q == NULL, "%s gave %s", text, q);
	ck_assert_int_eq(err.kind, ERR_PERM);
	ck_assert_msg(strstr(err.msg, why) != NULL, "%s: %s", text, err.msg);
}

START_TEST(test_query_escaping)
{
	query_is("invoice", "(\"invoice\")");
	query_is("  late   invoice ", "(\"late\") AND (\"invoice\")");
	query_is("\"late invoice\"", "(\"late invoice\")");
	query_is("inv*", "(\"inv\"*)");
	query_is("\"late inv\"*", "(\"late inv\"*)");
	query_is("invoice -vat", "((\"invoice\")) NOT \"vat\"");
	query_is("invoice -\"late fee\"", "((\"invoice\")) NOT \"late fee\"");
	query_is("invoice OR faktura vat",
	    "(\"invoice\" OR \"faktura\") AND (\"vat\")");
	/* FTS5's own syntax is only words */
	query_is("NEAR(a b)", "(\"NEAR(a\") AND (\"b)\")");
	query_is("a AND b NOT c", "(\"a\") AND (\"AND\") AND (\"b\") AND "
	    "(\"NOT\") AND (\"c\")");
	query_is("subject:invoice", "(\"subject:invoice\")");
	query_is("{subject body}:x", "(\"{subject\") AND (\"body}:x\")");
	query_is("^start", "(\"^start\")");
	query_is("a-b", "(\"a-b\")");
	query_is("it's o'clock", "(\"it's\") AND (\"o'clock\")");
	query_is("x\"y\"", "(\"x\") AND (\"y\")");
	query_is("or and", "(\"or\") AND (\"and\")");
	/* punctuation alone is dropped, not an empty phrase */
	query_is("invoice - * () \"\"", "(\"invoice\")");
	/* folded like the index */
	query_is("ŁÓDŹ ёлка", "(\"LÓDŹ\") AND (\"елка\")");

	query_fails("", "nothing to search for");
	query_fails("  * - ", "nothing to search for");
	query_fails("-vat", "not only words to leave out");
	query_fails("\"late invoice", "not closed");
	query_fails("OR invoice", "OR needs");
	query_fails("invoice OR", "OR needs");
	query_fails("a OR OR b", "OR needs");
	query_fails("a OR -b", "OR needs");
	/* a prefix of fewer than 3 letters (characters, not bytes) */
	query_fails("bo*", "a prefix needs 3 letters");
	query_fails("\"late i\"*", "a prefix needs 3 letters");
	query_fails("-ab*", "a prefix needs 3 letters");
	query_is("зак*", "(\"зак\"*)");
	query_fails("за*", "a prefix needs 3 letters");
	query_fails("a b c d e f g h i j k l m n o p q r s t u v w x y z "
	    "a1 b1 c1 d1 e1 f1 g1", "too many");
}
END_TEST

/*
 * The messages the fixture's SQL wrote wait in search_pending (the
 * schema's trigger, version 24), as the daemon's writer leaves them: in.
 */
static void
catch_up(struct store *st)
{
	struct error err;
	size_t n;

	error_clear(&err);
	ck_assert_msg(search_index_catch_up(st, SIZE_MAX, &n, &err) == 0,
	    "%s", err.msg);
}

static int
by_ticket(const void *a, const void *b)
{
	const struct search_hit *x = a, *y = b;

	return x->ticket < y->ticket ? -1 : x->ticket > y->ticket;
}

/* The ids of the requests text finds, "1 4 ...", in id order. */
static char *
found(const char *text, const struct search_filter *f)
{
	static const struct search_filter none;
	struct search_hit *hits;
	struct error err;
	static char out[256];
	size_t n, i, len;

	catch_up(fx.st);
	error_clear(&err);
	ck_assert_msg(search_index_find(fx.st, text, f != NULL ? f : &none,
	    &hits, &n, &err) == 0, "%s: %s", text, err.msg);
	out[0] = '\0';
	if (n > 1)
		qsort(hits, n, sizeof(*hits), by_ticket);
	for (i = 0; i < n; i++) {
		len = strlen(out);
		snprintf(out + len, sizeof(out) - len, "%s%lld",
		    i > 0 ? " " : "", (long long)hits[i].ticket);
		ck_assert_ptr_nonnull(hits[i].snippet);
		ck_assert_msg(strchr(hits[i].snippet, '[') != NULL,
		    "no match marked in %s", hits[i].snippet);
	}
	search_index_hits_free(hits, n);
	return out;
}

START_TEST(test_find_folded)
{
	ck_assert_str_eq(found("zolw", NULL), "1");
	ck_assert_str_eq(found("ZÓŁW", NULL), "1");
	ck_assert_str_eq(found("zazolc gesla jazn", NULL), "1");
	ck_assert_str_eq(found("lacka", NULL), "1");
	ck_assert_str_eq(found("заказ", NULL), "2");
	ck_assert_str_eq(found("ЗАКАЗ", NULL), "2");
	ck_assert_str_eq(found("елка", NULL), "2");
	ck_assert_str_eq(found("зак*", NULL), "2");
	ck_assert_str_eq(found("ivan@x.ru", NULL), "2");
	ck_assert_str_eq(found("\"мой заказ\"", NULL), "2");
	ck_assert_str_eq(found("\"заказ мой\"", NULL), "");
	ck_assert_str_eq(found("zolw OR заказ", NULL), "1 2");
}
END_TEST

START_TEST(test_find_rows)
{
	struct search_filter f;
	struct search_hit *hits;
	struct error err;
	size_t n;

	/* spam is hidden; our acknowledgement is not indexed */
	ck_assert_str_eq(found("invoice", NULL), "4");
	ck_assert_str_eq(found("invoice -vat", NULL), "4");
	ck_assert_str_eq(found("invoice -vat -accounting", NULL), "");
	ck_assert_str_eq(found("received request", NULL), "");
	/* the note is found, and said to be internal */
	catch_up(fx.st);
	error_clear(&err);
	memset(&f, 0, sizeof(f));
	ck_assert_int_eq(search_index_find(fx.st, "turtle", &f, &hits, &n,
	    &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(hits[0].message, 6);
	ck_assert(hits[0].internal);
	ck_assert_str_eq(hits[0].snippet, "Checked with accounting: the "
	    "[turtle] invoice is fine");
	ck_assert_str_eq(hits[0].status, "resolved");
	ck_assert(hits[0].score > 0);
	search_index_hits_free(hits, n);

	f.status = "open";
	ck_assert_str_eq(found("zolw OR invoice", &f), "1");
	f.status = NULL;
	f.agent = "bert";
	ck_assert_str_eq(found("zolw OR invoice", &f), "4");
	f.agent = NULL;
	f.since = 200;
	ck_assert_str_eq(found("zolw OR invoice OR заказ", &f), "2 4");
	f.since = 0;
	f.limit = 1;
	ck_assert_uint_eq(strlen(found("zolw OR заказ", &f)), 1);

	/* a word in the subject weighs more than in a long body */
	fixture_exec(fx.st,
	    "INSERT INTO tickets (id, subject, created_at, updated_at)"
	    " VALUES (5, 'Question', 50, 50);"
	    "INSERT INTO messages (id, ticket_id, direction, subject, body,"
	    " created_at) VALUES (7, 5, 'in', 'Question', 'I have a question"
	    " about the delivery of the parcel and the invoice too', 500);");
	catch_up(fx.st);
	memset(&f, 0, sizeof(f));
	ck_assert_int_eq(search_index_find(fx.st, "invoice", &f, &hits, &n,
	    &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(hits[0].ticket, 4);
	ck_assert_int_eq(hits[1].ticket, 5);
	ck_assert(hits[0].score > hits[1].score);
	search_index_hits_free(hits, n);

	/*
	 * the best 64 messages all on the spam request: the search looks
	 * further (twice as many) and still finds the one request shown
	 */
	fixture_exec(fx.st, "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL"
	    " SELECT i + 1 FROM s WHERE i < 100) INSERT INTO messages"
	    " (ticket_id, direction, subject, body, created_at)"
	    " SELECT 3, 'in', 'widget', 'widget', 300 FROM s;"
	    "INSERT INTO messages (ticket_id, direction, subject, body,"
	    " created_at) VALUES (1, 'in', 'Re', 'a long text that names one"
	    " widget among many other words of no interest at all', 600);");
	ck_assert_str_eq(found("widget", NULL), "1");

	/* a merge moves messages: the index follows (ticket by join) */
	ck_assert_int_eq(message_move(fx.st, 2, 1, &err), 0);
	ck_assert_str_eq(found("заказ", NULL), "1");
	/* a message deleted (retention) leaves the index too */
	fixture_exec(fx.st, "DELETE FROM messages WHERE id = 1");
	ck_assert_str_eq(found("zolw", NULL), "");
	fixture_exec(fx.st, "UPDATE messages SET body = 'plain words'"
	    " WHERE id = 2");
	ck_assert_str_eq(found("заказ", NULL), "1");	/* the subject */
	ck_assert_str_eq(found("елка", NULL), "");
	ck_assert_str_eq(found("plain", NULL), "1");
	ck_assert_int_eq(fixture_count(fx.st, "SELECT count(*) FROM"
	    " message_search WHERE message_search MATCH 'turtle'"), 1);
}
END_TEST

/*
 * A store made before the index (the schema up to the migration that
 * adds it, found by its text: the lead renumbers migrations) gets its
 * old messages indexed when it is opened.
 */
START_TEST(test_migration_fills)
{
	struct search_filter f;
	struct search_hit *hits;
	struct store *st;
	struct error err;
	sqlite3 *db;
	char path[128], pragma[64];
	size_t v, mine = 0, n;

	for (v = 1; v <= store_schema_version(); v++)
		if (strstr(store_schema_migration(v),
		    "VIRTUAL TABLE message_search") != NULL)
			mine = v;
	ck_assert_uint_gt(mine, 1);
	snprintf(path, sizeof(path), "%s/old.db", fx.dir);
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	for (v = 1; v < mine; v++)
		ck_assert_int_eq(sqlite3_exec(db, store_schema_migration(v),
		    NULL, NULL, NULL), SQLITE_OK);
	snprintf(pragma, sizeof(pragma), "PRAGMA user_version=%zu;",
	    mine - 1);
	ck_assert_int_eq(sqlite3_exec(db, pragma, NULL, NULL, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db,
	    "INSERT INTO tickets (id, subject, created_at, updated_at)"
	    " VALUES (7, 'Żółw', 1, 1);"
	    "INSERT INTO messages (ticket_id, direction, subject, body,"
	    " created_at) VALUES (7, 'in', 'Żółw', 'Mój żółw', 1),"
	    " (7, 'auto', 'ack', 'acknowledged', 2);", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);

	error_clear(&err);
	st = store_open(path, 0, &err);
	ck_assert_msg(st != NULL, "%s", err.msg);
	memset(&f, 0, sizeof(f));
	ck_assert_int_eq(search_index_find(st, "zolw", &f, &hits, &n, &err),
	    0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(hits[0].ticket, 7);
	search_index_hits_free(hits, n);
	ck_assert_int_eq(search_index_find(st, "acknowledged", &f, &hits, &n,
	    &err), 0);
	ck_assert_uint_eq(n, 0);
	store_close(st);
}
END_TEST

/* A searched message of ticket 4 through message_insert; its id. */
static int64_t
insert_text(struct store *st, const char *body)
{
	struct message_row r;
	struct error err;
	int64_t id = 0;

	memset(&r, 0, sizeof(r));
	r.ticket_id = 4;
	r.direction = "in";
	r.from_addr = "cust@x.test";
	r.subject = "later";
	r.body = body;
	r.created_at = 500;
	error_clear(&err);
	ck_assert_msg(message_insert(st, &r, &id, &err) == 0, "%s", err.msg);
	return id;
}

static long long
pending(struct store *st)
{
	struct error err;
	int64_t n;

	error_clear(&err);
	ck_assert_int_eq(search_index_pending(st, &n, &err), 0);
	return (long long)n;
}

/*
 * Does the index hold exactly the searched messages not pending, word
 * for word?  Compared with a table of FTS5's own made from the messages
 * now (fts5vocab: every term, document, column and position; and the
 * totals bm25 ranks by).
 */
static void
index_exact(struct store *st)
{
	fixture_exec(st,
	    "DROP TABLE IF EXISTS temp.v1; DROP TABLE IF EXISTS temp.v2;"
	    "DROP TABLE IF EXISTS temp.expect;"
	    "CREATE VIRTUAL TABLE temp.expect USING fts5(subject, body,"
	    "  from_name, from_addr, tokenize='unicode61 remove_diacritics 2');"
	    "INSERT INTO temp.expect (rowid, subject, body, from_name,"
	    "  from_addr) SELECT id, " SEARCH_FOLD("subject") ", "
	    SEARCH_FOLD("body") ", " SEARCH_FOLD("from_name") ", "
	    SEARCH_FOLD("from_addr") " FROM messages WHERE direction <> 'auto'"
	    "  AND id NOT IN (SELECT id FROM search_pending);"
	    "CREATE VIRTUAL TABLE temp.v1 USING fts5vocab(main,"
	    "  message_search, instance);"
	    "CREATE VIRTUAL TABLE temp.v2 USING fts5vocab(temp, expect,"
	    "  instance);");
	ck_assert_int_eq(fixture_count(st, "SELECT count(*) FROM temp.v2"),
	    fixture_count(st, "SELECT count(*) FROM temp.v1"));
	ck_assert_int_eq(fixture_count(st, "SELECT count(*) FROM (SELECT *"
	    " FROM temp.v1 EXCEPT SELECT * FROM temp.v2)"), 0);
	ck_assert_int_eq(fixture_count(st, "SELECT count(*) FROM (SELECT *"
	    " FROM temp.v2 EXCEPT SELECT * FROM temp.v1)"), 0);
	/* the documents and words counted for bm25 (FTS5's averages row) */
	ck_assert_int_eq(fixture_count(st, "SELECT (SELECT block FROM"
	    " main.message_search_data WHERE id = 1) = (SELECT block FROM"
	    " temp.expect_data WHERE id = 1)"), 1);
}

/*
 * The daemon's writer (STORE_SEARCH_LATER) leaves a message's words for
 * the bulk catch-up; any other store indexes at once.  A pending message
 * that changes or goes before its turn leaves the index consistent
 * (FTS5's integrity-check, which also compares with the content table).
 */
START_TEST(test_search_later)
{
	struct store *later;
	struct error err;
	char path[128];
	size_t done;
	int64_t c;

	catch_up(fx.st);
	ck_assert_int_eq(pending(fx.st), 0);
	snprintf(path, sizeof(path), "%s/t.db", fx.dir);
	error_clear(&err);
	later = store_open(path, STORE_SEARCH_LATER, &err);
	ck_assert_msg(later != NULL, "%s", err.msg);

	/* at once through a store of triagectl's kind */
	(void)insert_text(fx.st, "quokka");
	ck_assert_int_eq(pending(fx.st), 0);
	ck_assert_int_eq(fixture_count(fx.st, "SELECT count(*) FROM"
	    " message_search WHERE message_search MATCH 'quokka'"), 1);

	/* later through the writer's: not found until caught up */
	(void)insert_text(later, "wombat numbat");
	(void)insert_text(later, "wombat echidna");
	c = insert_text(later, "wombat platypus");
	ck_assert_int_eq(pending(later), 3);
	ck_assert_int_eq(fixture_count(fx.st, "SELECT count(*) FROM"
	    " message_search WHERE message_search MATCH 'wombat'"), 0);

	/* a pending one deleted, one changed, one made automatic mail */
	fixture_exec(fx.st, "DELETE FROM messages WHERE id = (SELECT"
	    " max(id) - 2 FROM messages)");
	fixture_exec(fx.st, "UPDATE messages SET body = 'wombat dingo'"
	    " WHERE id = (SELECT max(id) - 1 FROM messages)");
	ck_assert_int_eq(pending(later), 2);
	index_exact(fx.st);

	/* a bulk of one, then the rest */
	error_clear(&err);
	ck_assert_int_eq(search_index_catch_up(later, 1, &done, &err), 0);
	ck_assert_uint_eq(done, 1);
	ck_assert_int_eq(pending(later), 1);
	ck_assert_int_eq(search_index_catch_up(later, 500, &done, &err), 0);
	ck_assert_uint_eq(done, 1);
	ck_assert_int_eq(search_index_catch_up(later, 500, &done, &err), 0);
	ck_assert_uint_eq(done, 0);
	ck_assert_str_eq(found("wombat", NULL), "4");
	ck_assert_int_eq(fixture_count(fx.st, "SELECT count(*) FROM"
	    " message_search WHERE message_search MATCH 'wombat'"), 2);
	ck_assert_int_eq(fixture_count(fx.st, "SELECT count(*) FROM"
	    " message_search WHERE message_search MATCH 'numbat OR echidna'"),
	    0);
	ck_assert_int_eq(fixture_count(fx.st, "SELECT count(*) FROM"
	    " message_search WHERE message_search MATCH 'dingo'"), 1);
	index_exact(fx.st);

	/* indexed ones change and go as before; automatic mail is left */
	fixture_exec(fx.st, "UPDATE messages SET direction = 'auto'"
	    " WHERE id = (SELECT max(id) FROM messages)");
	ck_assert_int_eq(fixture_count(fx.st, "SELECT count(*) FROM"
	    " message_search WHERE message_search MATCH 'platypus'"), 0);
	(void)insert_text(later, "kiwi");
	fixture_exec(fx.st, "UPDATE messages SET direction = 'auto'"
	    " WHERE id = (SELECT max(id) FROM messages)");
	ck_assert_int_eq(search_index_catch_up(later, 500, &done, &err), 0);
	ck_assert_int_eq(pending(later), 0);
	ck_assert_int_eq(fixture_count(fx.st, "SELECT count(*) FROM"
	    " message_search WHERE message_search MATCH 'kiwi'"), 0);
	ck_assert_int_eq(c, fixture_count(fx.st, "SELECT max(id) - 1 FROM"
	    " messages"));
	fixture_exec(fx.st, "DELETE FROM messages WHERE body = 'wombat dingo'");
	ck_assert_int_eq(fixture_count(fx.st, "SELECT count(*) FROM"
	    " message_search WHERE message_search MATCH 'wombat OR dingo'"),
	    0);
	index_exact(fx.st);

	/*
	 * the bulk folds in C (triaged_fold) what the triggers fold in SQL:
	 * the same bytes, a NUL inside a text included
	 */
	fixture_exec(fx.st, "INSERT INTO messages (ticket_id, direction,"
	    " from_addr, from_name, subject, body, created_at) VALUES (4, 'in',"
	    " 'łø@x.pl', 'Łukasz Ёжов', 'Żółw ёлка', 'przed' || char(0) ||"
	    " ' po łódź ĐØøđ ЁЁё', 600)");
	ck_assert_int_eq(search_index_catch_up(later, 500, &done, &err), 0);
	ck_assert_uint_eq(done, 1);
	index_exact(fx.st);
	ck_assert_int_eq(fixture_count(fx.st, "SELECT count(*) FROM"
	    " message_search WHERE message_search MATCH 'lodz AND dood'"), 1);
	fixture_exec(fx.st, "DELETE FROM messages WHERE from_name ="
	    " 'Łukasz Ёжов'");
	index_exact(fx.st);
	store_close(later);
}
END_TEST

/*
 * triage_bm25 (search_rank.c) scores as FTS5's bm25 where a phrase has
 * fewer matches than its sample, and within a few percent where the
 * count is estimated (here from the first 2,000 of 2,500 and of 5,000
 * messages spread evenly over the ids: the store's ids have no gap).
 */
START_TEST(test_rank_as_bm25)
{
	static const char *queries[] = { "beta", "beta gamma", "alpha beta",
	    "\"alpha gamma\" beta", "beta OR fill" };
	sqlite3_stmt *stmt;
	char sql[512];
	double mine, theirs, worst = 0.0;
	size_t i;
	int rows;

	fixture_exec(fx.st, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL"
	    " SELECT i + 1 FROM n WHERE i < 5000) INSERT INTO messages"
	    " (id, ticket_id, direction, from_addr, subject, body, created_at)"
	    " SELECT 6 + i, 4, 'in', 'c@x.test', 'about ' || (i % 7),"
	    " 'alpha' || CASE WHEN i % 2 = 0 THEN ' gamma' ELSE '' END ||"
	    " CASE WHEN i % 10 = 0 THEN substr(' beta beta beta', 1,"
	    " 5 * (1 + i % 3)) ELSE '' END || substr(replace(hex(zeroblob(50)),"
	    " '00', ' fill'), 1, 5 * (i % 50)), 500 FROM n");
	catch_up(fx.st);
	for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		snprintf(sql, sizeof(sql), "SELECT bm25(message_search, 4.0,"
		    " 1.0, 2.0, 2.0), triage_bm25(message_search, (SELECT"
		    " min(id) FROM messages), (SELECT max(id) FROM messages),"
		    " NULL, 4.0, 1.0, 2.0, 2.0) FROM message_search"
		    " WHERE message_search MATCH '%s'", queries[i]);
		ck_assert_int_eq(sqlite3_prepare_v2(store_db(fx.st), sql, -1,
		    &stmt, NULL), SQLITE_OK);
		rows = 0;
		while (sqlite3_step(stmt) == SQLITE_ROW) {
			theirs = sqlite3_column_double(stmt, 0);
			mine = sqlite3_column_double(stmt, 1);
			ck_assert_msg(theirs < 0 && mine < 0, "%s: %g %g",
			    queries[i], theirs, mine);
			if (fabs(mine - theirs) / -theirs > worst)
				worst = fabs(mine - theirs) / -theirs;
			/* beta alone: 500 matches, counted exactly */
			if (i == 0)
				ck_assert_msg(fabs(mine - theirs) < 1e-9,
				    "beta: %.12g vs %.12g", mine, theirs);
			rows++;
		}
		sqlite3_finalize(stmt);
		ck_assert_int_gt(rows, 0);
	}
	ck_assert_msg(worst < 0.03, "worst relative difference %g", worst);
}
END_TEST

/* --customer: an address in any case, or a domain, even with % in it */
START_TEST(test_find_customer)
{
	struct search_filter f;
	struct search_hit *hits;
	struct error err;
	size_t n;

	fixture_exec(fx.st,
	    "INSERT INTO customers (id, name, created_at) VALUES"
	    " (1, 'Ola', 1), (2, 'Cust', 1);"
	    "INSERT INTO customer_addresses (address, customer_id, added_at)"
	    " VALUES ('ola@x.pl', 1, 1), ('cust@x.test', 2, 1),"
	    " ('billing@x.test', 2, 1);"
	    "UPDATE tickets SET customer_id = 1 WHERE id = 1;"
	    "UPDATE tickets SET customer_id = 2 WHERE id = 4;");
	memset(&f, 0, sizeof(f));
	f.customer = "ola@x.pl";
	ck_assert_str_eq(found("zolw OR invoice", &f), "1");
	f.customer = "CUST@X.Test";
	ck_assert_str_eq(found("zolw OR invoice", &f), "4");
	f.customer = "billing@x.test";	/* another of its addresses */
	ck_assert_str_eq(found("zolw OR invoice", &f), "4");
	f.customer = "@x.test";
	ck_assert_str_eq(found("zolw OR invoice", &f), "4");
	f.customer = "x.pl";
	ck_assert_str_eq(found("zolw OR invoice", &f), "1");
	f.customer = "nobody@x.pl";
	ck_assert_str_eq(found("zolw OR invoice", &f), "");
	f.customer = "%";
	ck_assert_str_eq(found("zolw OR invoice", &f), "");
	f.customer = "x_test";
	ck_assert_str_eq(found("zolw OR invoice", &f), "");
	/*
	 * a customer's old mail among many newer matches of another's
	 * (looked up from the customer's messages), and a customer with more
	 * than SEARCH_INDEX_CUSTOMER_MAX messages (the newest matches
	 * filtered instead)
	 */
	fixture_exec(fx.st, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL"
	    " SELECT i + 1 FROM n WHERE i < 20100) INSERT INTO messages"
	    " (ticket_id, direction, subject, body, created_at)"
	    " SELECT 4, 'in', 'widget', 'widget ' || i, 500 + i FROM n;"
	    "INSERT INTO messages (id, ticket_id, direction, subject, body,"
	    " created_at) VALUES (0, 1, 'in', 'old', 'a widget', 5);");
	f.customer = "ola@x.pl";
	ck_assert_str_eq(found("widget", &f), "1");
	f.customer = "cust@x.test";
	ck_assert_str_eq(found("widget", &f), "4");
	f.customer = "x.pl";
	ck_assert_str_eq(found("widget -turtle", &f), "1");

	/* the customer's first address comes with each hit */
	f.customer = "x.test";
	catch_up(fx.st);
	error_clear(&err);
	ck_assert_int_eq(search_index_find(fx.st, "invoice", &f, &hits, &n,
	    &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(hits[0].customer, "billing@x.test");
	search_index_hits_free(hits, n);
}
END_TEST

/* A big-endian uint16/uint32 of the binary tsvector at *at, advanced. */
static unsigned
be(const struct buf *b, size_t *at, size_t n)
{
	unsigned v = 0;

	ck_assert_uint_le(*at + n, b->len);
	while (n-- > 0)
		v = v << 8 | (unsigned char)b->data[(*at)++];
	return v;
}

/* The next lexeme of the binary tsvector, NUL-terminated in b. */
static const char *
lexeme(const struct buf *b, size_t *at)
{
	const char *w = b->data + *at;

	*at += strlen(w) + 1;
	ck_assert_uint_le(*at, b->len);
	return w;
}

/*
 * The PostgreSQL document in tsvectorrecv's binary form (search_tok.h):
 * lexemes once each, in tsvector order, their positions rising with the
 * weight in the top bits (A 3 .. D 0), a field's gap, at most 256
 * positions a lexeme, and past 16383 one position that keeps the
 * heaviest weight.
 */
START_TEST(test_tsvector_binary)
{
	struct search_tok *tok;
	struct search_tok_doc *d;
	struct buf b, filler;
	struct error err;
	size_t at = 0;
	unsigned i, npos;

	ck_assert_ptr_nonnull(tok = search_tok_open(&err));
	buf_init(&b);
	buf_init(&filler);
	/* no words (an empty mail): no lexemes */
	d = search_tok_doc_new();
	ck_assert_uint_eq(search_tok_doc_add(tok, d, "", 'A'), 0);
	search_tok_doc_binary(d, &b);
	ck_assert_uint_eq(b.len, 4);
	ck_assert_uint_eq(be(&b, &at, 4), 0);
	search_tok_doc_free(d);
	at = 0;
	d = search_tok_doc_new();
	ck_assert_uint_eq(search_tok_doc_add(tok, d, "Late Invoice", 'A'), 2);
	ck_assert_uint_eq(search_tok_doc_add(tok, d, NULL, 'B'), 0);
	ck_assert_uint_eq(search_tok_doc_add(tok, d, "invoice", 'B'), 1);
	for (i = 0; i < 300; i++)
		buf_append_str(&filler, "late ");
	ck_assert_uint_eq(search_tok_doc_add(tok, d, filler.data, 'D'), 300);
	search_tok_doc_binary(d, &b);
	ck_assert_uint_eq(be(&b, &at, 4), 2);
	ck_assert_str_eq(lexeme(&b, &at), "invoice");
	ck_assert_uint_eq(be(&b, &at, 2), 2);
	ck_assert_uint_eq(be(&b, &at, 2), 3u << 14 | 2);	/* A, 2 */
	ck_assert_uint_eq(be(&b, &at, 2), 2u << 14 | 4);	/* B, after the gap */
	ck_assert_str_eq(lexeme(&b, &at), "late");
	ck_assert_uint_eq(be(&b, &at, 2), 256);
	ck_assert_uint_eq(be(&b, &at, 2), 3u << 14 | 1);
	for (i = 1; i < 256; i++)
		ck_assert_uint_eq(be(&b, &at, 2), 5 + i);	/* D: weight 0 */
	ck_assert_uint_eq(at, b.len);
	search_tok_doc_free(d);

	/* past the last position: one, the heaviest weight */
	d = search_tok_doc_new();
	buf_reset(&filler);
	for (i = 0; i < 16400; i++)
		buf_printf(&filler, "f%u ", i);
	(void)search_tok_doc_add(tok, d, filler.data, 'D');
	(void)search_tok_doc_add(tok, d, "zz", 'C');
	(void)search_tok_doc_add(tok, d, "zz", 'A');
	(void)search_tok_doc_add(tok, d, "zz", 'B');
	search_tok_doc_binary(d, &b);
	at = 0;
	npos = be(&b, &at, 4);
	ck_assert_uint_eq(npos, 16401);
	for (i = 0; i < 16400; i++) {
		(void)lexeme(&b, &at);
		ck_assert_uint_eq(be(&b, &at, 2), 1);
		(void)be(&b, &at, 2);
	}
	ck_assert_str_eq(lexeme(&b, &at), "zz");
	ck_assert_uint_eq(be(&b, &at, 2), 1);
	ck_assert_uint_eq(be(&b, &at, 2), 3u << 14 | 16383);
	ck_assert_uint_eq(at, b.len);
	search_tok_doc_free(d);
	buf_release(&filler);
	buf_release(&b);
	search_tok_close(tok);
}
END_TEST

static Suite *
search_index_suite(void)
{
	Suite *s = suite_create("search_index");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_query_escaping);
	tcase_add_test(tc, test_find_folded);
	tcase_add_test(tc, test_find_rows);
	tcase_add_test(tc, test_migration_fills);
	tcase_add_test(tc, test_rank_as_bm25);
	tcase_add_test(tc, test_find_customer);
	tcase_add_test(tc, test_search_later);
	tcase_add_test(tc, test_tsvector_binary);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(search_index_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
