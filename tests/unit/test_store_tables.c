/*
 * test_store_tables: the typed functions the desk reads and changes
 * requests through (issue 12, stage 3), one case per store file: the
 * Message-IDs of threading (thread_id.c), tags (ticket_tag.c), Cc
 * (ticket_cc.c), the messages read back (message.c), the customer record
 * (customer.c), the agents' notice thread in the outbox (outbox.c) and
 * the agents' changes to the tickets table (ticket.c), the dashboard's
 * queue (queue_view.c).  A fresh store is
 * filled with plain SQL and inspected with plain SQL, so each function is
 * checked against the rows it is meant to read or write.
 */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "customer.h"
#include "error.h"
#include "fixture.h"
#include "history.h"
#include "message.h"
#include "outbox.h"
#include "queue_view.h"
#include "thread_id.h"
#include "ticket.h"
#include "ticket_cc.h"
#include "ticket_tag.h"

static const char seed[] =
    "INSERT INTO customers (id, name, company, created_at) VALUES"
    " (1, 'Alice', 'Acme', 100), (2, '', NULL, 300);"
    "INSERT INTO customer_addresses (address, customer_id, added_at) VALUES"
    " ('zed@a.test', 1, 100), ('alice@b.test', 1, 200),"
    " ('alice@a.test', 1, 100), ('bob@c.test', 2, 300);"
    "INSERT INTO tickets (id, subject, customer_id, status, created_at,"
    " updated_at, last_customer_at) VALUES"
    " (1, 'One', 1, 'new', 1000, 1000, 1000),"
    " (2, 'Two', 1, 'open', 2000, 2000, NULL),"
    " (3, 'Three', 2, 'resolved', 3000, 3000, 3500);"
    "INSERT INTO messages (id, ticket_id, direction, message_id, from_addr,"
    " from_name, body, agent, created_at) VALUES"
    " (1, 1, 'in', 'm1@a.test', 'Alice@A.test', 'Alice', 'first', NULL, 1000),"
    " (2, 1, 'in', 'x1@x.test', 'eve@x.test', 'Eve', 'threaded', NULL, 1100),"
    " (3, 1, 'out', 'r1@us.test', 'support@us.test', NULL, 'relay',"
    "  'anna', 1200),"
    " (4, 1, 'note', 'n1@us.test', 'anna@us.test', NULL, 'note', 'anna',"
    "  1300),"
    " (5, 1, 'in', '', 'alice@b.test', NULL, 'no id', NULL, 1400),"
    " (6, 2, 'auto', 'a2@us.test', 'support@us.test', NULL, 'ack', NULL,"
    "  2000);"
    "INSERT INTO outbox (id, ticket_id, kind, mail_from, rcpts, message_id,"
    " data, created_at, next_attempt_at) VALUES"
    " (1, 1, 'notify', '', 'anna@us.test', 'n-a@us', 'd', 1000, 1000),"
    " (2, 1, 'notify', '', 'anna@us.test', 'n-b@us', 'd', 1500, 1500),"
    " (3, 1, 'notify', '', 'bert@us.test', 'n-c@us', 'd', 1600, 1600),"
    " (4, 1, 'ack', '', 'anna@us.test', 'ack@us', 'd', 1700, 1700),"
    " (5, 2, 'notify', '', 'anna@us.test', 'n-d@us', 'd', 2100, 2100);"
    "INSERT INTO rule_hits (ticket_id, message_row, at, rule, actions)"
    " VALUES (1, 1, 1000, 'vip', 'priority=high'),"
    " (1, NULL, 1001, 'spam', 'hide'), (2, 6, 2000, 'other', 'tag=x');";

static struct fixture	 fx;

/*
 * The queue page's counts and deadlines: breached is the earliest of
 * the three deadlines before now, at risk before soon but not now; the
 * list is earliest first, ties by number, without requests that have no
 * running deadline, closed or hidden ones.
 */
START_TEST(test_queue_view)
{
	struct queue_group *g;
	struct queue_due *d;
	struct error err;
	size_t n, i;
	long open = 0, breached = 0, risk = 0;

	fixture_exec(fx.st, "UPDATE tickets SET first_response_due = 5000,"
	    " resolution_due = 900 WHERE id = 1;"		/* breached */
	    "UPDATE tickets SET next_response_due = 1500 WHERE id = 2;"
	    "UPDATE tickets SET first_response_due = 10 WHERE id = 3;"
	    "INSERT INTO tickets (id, subject, customer_id, status,"
	    " created_at, updated_at, resolution_due, hidden) VALUES"
	    " (4, 'Four', 2, 'open', 4000, 4000, 1500, 0),"
	    " (5, 'Five', 2, 'pending', 4000, 4000, NULL, 0),"
	    " (6, 'Six', 2, 'open', 4000, 4000, 10, 1);");
	error_clear(&err);
	ck_assert_int_eq(queue_view_groups(fx.st, 1000, 2000, &g, &n, &err),
	    0);
	for (i = 0; i < n; i++) {
		open += g[i].open;
		breached += g[i].breached;
		risk += g[i].at_risk;
	}
	queue_view_free(g, n);
	ck_assert_int_eq(open, 4);		/* 1, 2, 4, 5 */
	ck_assert_int_eq(breached, 1);		/* 1 */
	ck_assert_int_eq(risk, 2);		/* 2, 4 */
	ck_assert_int_eq(queue_view_deadlines(fx.st, 10, &d, &n, &err), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(d[0].id, 1);
	ck_assert_int_eq(d[0].due, 900);
	ck_assert_int_eq(d[1].id, 2);		/* 1500, before 4 by number */
	ck_assert_int_eq(d[2].id, 4);
	ck_assert_int_eq(d[2].due, 1500);
	queue_view_dues_free(d, n);
	ck_assert_int_eq(queue_view_deadlines(fx.st, 1, &d, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(d[0].id, 1);
	queue_view_dues_free(d, n);
}
END_TEST

static void
setup(void)
{
	fixture_open(&fx, "test_store_tables", NULL);
	fixture_exec(fx.st, seed);
}

static void
teardown(void)
{
	fixture_close(&fx);
}

START_TEST(test_thread_id)
{
	struct error	 err;
	int64_t		 t;

	ck_assert_int_eq(thread_id_remember(fx.st, "a@x", 1, &err), 0);
	/* a Message-ID names one message: the first request keeps it */
	ck_assert_int_eq(thread_id_remember(fx.st, "a@x", 2, &err), 0);
	ck_assert_int_eq(thread_id_find(fx.st, "a@x", &t, &err), 0);
	ck_assert_int_eq(t, 1);
	ck_assert_int_eq(thread_id_find(fx.st, "A@x", &t, &err), 0);
	ck_assert_int_eq(t, 0);
	ck_assert_int_eq(thread_id_remember(fx.st, "b@x", 1, &err), 0);
	ck_assert_int_eq(thread_id_remember(fx.st, "c@x", 3, &err), 0);
	ck_assert_int_eq(thread_id_move(fx.st, 1, 2, &err), 0);
	ck_assert_int_eq(fixture_count(fx.st, "SELECT count(*) FROM message_ids"
	    " WHERE ticket_id = 2"), 2);
	ck_assert_int_eq(thread_id_find(fx.st, "c@x", &t, &err), 0);
	ck_assert_int_eq(t, 3);
}
END_TEST

START_TEST(test_tags)
{
	struct error	 err;
	char		**tags;
	size_t		 n;
	bool		 yes;

	ck_assert_int_eq(ticket_tag_add(fx.st, 1, "vip", &yes, &err), 0);
	ck_assert(yes);
	ck_assert_int_eq(ticket_tag_add(fx.st, 1, "vip", &yes, &err), 0);
	ck_assert(!yes);
	ck_assert_int_eq(ticket_tag_add(fx.st, 1, "billing", NULL, &err), 0);
	ck_assert_int_eq(ticket_tag_list(fx.st, 1, &tags, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(tags[0], "billing");
	ck_assert_str_eq(tags[1], "vip");
	ticket_tag_list_free(tags, n);
	ck_assert_int_eq(ticket_tag_remove(fx.st, 1, "billing", &yes, &err), 0);
	ck_assert(yes);
	ck_assert_int_eq(ticket_tag_remove(fx.st, 1, "billing", &yes, &err), 0);
	ck_assert(!yes);
	/* a tag both carry stays one row on the survivor */
	ck_assert_int_eq(ticket_tag_add(fx.st, 2, "vip", NULL, &err), 0);
	ck_assert_int_eq(ticket_tag_add(fx.st, 2, "late", NULL, &err), 0);
	ck_assert_int_eq(ticket_tag_move(fx.st, 1, 2, &err), 0);
	ck_assert_int_eq(ticket_tag_list(fx.st, 2, &tags, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ticket_tag_list_free(tags, n);
	ck_assert_int_eq(ticket_tag_list(fx.st, 1, &tags, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(tags);
}
END_TEST

START_TEST(test_cc)
{
	struct ticket_cc	*cc;
	struct error		 err;
	size_t			 n;
	bool			 yes;

	ck_assert_int_eq(ticket_cc_add(fx.st, 1, "dave@c.test", "Dave", &yes,
	    &err), 0);
	ck_assert(yes);
	ck_assert_int_eq(ticket_cc_add(fx.st, 1, "dave@c.test", NULL, &yes,
	    &err), 0);
	ck_assert(!yes);
	ck_assert_int_eq(ticket_cc_add(fx.st, 1, "carol@c.test", NULL, NULL,
	    &err), 0);
	ck_assert_int_eq(ticket_cc_add(fx.st, 2, "dave@c.test", "D.", NULL,
	    &err), 0);
	ck_assert_int_eq(ticket_cc_list(fx.st, 1, &cc, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(cc[0].address, "carol@c.test");
	ck_assert_ptr_null(cc[0].name);
	ck_assert_str_eq(cc[1].name, "Dave");
	ticket_cc_free(cc, n);
	ck_assert_int_eq(ticket_cc_move(fx.st, 1, 2, &err), 0);
	ck_assert_int_eq(ticket_cc_list(fx.st, 2, &cc, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(cc[1].address, "dave@c.test");
	ck_assert_str_eq(cc[1].name, "D.");	/* the survivor's own */
	ticket_cc_free(cc, n);
	ck_assert_int_eq(fixture_count(fx.st, "SELECT count(*) FROM ticket_cc"
	    " WHERE ticket_id = 1"), 0);
}
END_TEST

START_TEST(test_messages_read)
{
	struct message_stored	 m;
	struct error		 err;
	char			**ids;
	size_t			 n;
	int64_t			 id;
	bool			 yes;

	ck_assert_int_eq(message_latest(fx.st, 1, "in", &m, &err), 0);
	ck_assert_int_eq(m.id, 5);
	ck_assert_str_eq(m.message_id, "");
	ck_assert_ptr_null(m.from_name);
	message_stored_clear(&m);
	ck_assert_int_eq(message_latest(fx.st, 2, "in", &m, &err), 0);
	ck_assert_int_eq(m.id, 0);
	ck_assert_ptr_null(m.body);
	/* the customer's own addresses, any case; not Eve's threaded mail */
	ck_assert_int_eq(message_latest_from(fx.st, 1, 1, &m, &err), 0);
	ck_assert_int_eq(m.id, 5);
	message_stored_clear(&m);
	fixture_exec(fx.st, "DELETE FROM messages WHERE id = 5");
	ck_assert_int_eq(message_latest_from(fx.st, 1, 1, &m, &err), 0);
	ck_assert_int_eq(m.id, 1);
	ck_assert_str_eq(m.from_addr, "Alice@A.test");
	ck_assert_str_eq(m.body, "first");
	message_stored_clear(&m);
	ck_assert_int_eq(message_latest_from(fx.st, 1, 2, &m, &err), 0);
	ck_assert_int_eq(m.id, 0);
	/* in and out, with an id, oldest first: no notes */
	ck_assert_int_eq(message_conversation_ids(fx.st, 1, &ids, &n, &err),
	    0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(ids[0], "m1@a.test");
	ck_assert_str_eq(ids[2], "r1@us.test");
	message_ids_free(ids, n);
	ck_assert_int_eq(message_agent_wrote(fx.st, 1, "anna", &yes, &err), 0);
	ck_assert(yes);
	ck_assert_int_eq(message_agent_wrote(fx.st, 2, "anna", &yes, &err), 0);
	ck_assert(!yes);
	ck_assert_int_eq(message_last_row(fx.st, &id, &err), 0);
	ck_assert_int_eq(id, 6);
}
END_TEST

START_TEST(test_messages_write)
{
	struct message_row	 r;
	struct customer_seen	 seen;
	struct error		 err;
	int64_t			 id, id2;

	memset(&r, 0, sizeof(r));
	r.ticket_id = 2;
	r.direction = "out";
	r.agent = "bert";
	r.body = "hello";
	r.created_at = 2500;
	ck_assert_int_eq(message_insert(fx.st, &r, &id, &err), 0);
	ck_assert_int_eq(id, 7);
	ck_assert_int_eq(message_insert(fx.st, &r, &id2, &err), 0);
	ck_assert_int_eq(id2, 8);
	ck_assert_int_eq(fixture_count(fx.st, "SELECT count(*) FROM messages"
	    " WHERE agent = 'bert' AND raw IS NULL"), 2);
	/* the first of bert's rows after 6 that keeps no raw mail */
	ck_assert_int_eq(message_find_unkept(fx.st, 6, "bert", &id, &err), 0);
	ck_assert_int_eq(id, 7);
	ck_assert_int_eq(message_keep_raw(fx.st, 7, "key7", "RAW\0mail", 8,
	    NULL, "imap", &err), 0);
	ck_assert_int_eq(fixture_count(fx.st, "SELECT length(raw) FROM messages"
	    " WHERE id = 7 AND dedupe_key = 'key7' AND source = 'imap'"), 8);
	ck_assert_int_eq(message_find_unkept(fx.st, 6, "bert", &id, &err), 0);
	ck_assert_int_eq(id, 8);
	ck_assert_int_eq(message_find_unkept(fx.st, 8, "bert", &id, &err), 0);
	ck_assert_int_eq(id, 0);
	ck_assert_int_eq(customer_seen_with_duplicate(fx.st, "key7", NULL, &id,
	    &seen, NULL, &err), 0);
	ck_assert_int_eq(id, 2);
	ck_assert_int_eq(message_move(fx.st, 2, 3, &err), 0);
	ck_assert_int_eq(fixture_count(fx.st, "SELECT count(*) FROM messages"
	    " WHERE ticket_id = 3"), 3);
}
END_TEST

/*
 * The ids of INSERT ... RETURNING id, which the SQLite engine reads from
 * the connection's last insert instead (store.c): inserts into three
 * tables interleaved each get their own row's id, and a refused insert
 * gives none (no id of the row inserted before it).
 */
START_TEST(test_insert_ids)
{
	struct message_row	 r;
	struct error		 err;
	struct ticket		 row;
	int64_t			 t, c, c2, m, t2, bad = -7, reserved;
	char			*lang, *company;

	ck_assert_int_eq(ticket_create(fx.st, &(struct ticket_new){
	    .subject = "Four", .customer = 1, .source = "lmtp", .now = 4000 },
	    &row, &company, &reserved, &err), 0);
	t = row.id;
	ck_assert_int_eq(t, 4);
	/* the row as stored, with the column defaults */
	ck_assert_str_eq(row.subject, "Four");
	ck_assert_str_eq(row.status, "new");
	ck_assert_str_eq(row.source, "lmtp");
	ck_assert_int_eq(row.customer_id, 1);
	ck_assert_int_eq(row.created_at, 4000);
	ck_assert_ptr_null(row.assignee);
	ck_assert_int_eq(row.customer_seq, fixture_count(fx.st,
	    "SELECT customer_seq FROM tickets WHERE id = 4"));
	ck_assert_int_gt(row.customer_seq, 0);
	ticket_clear(&row);
	free(company);
	ck_assert_int_eq(customer_find_or_create(fx.st, "new@d.test", "New",
	    4000, NULL, &c, &lang, &err), 0);
	ck_assert_int_eq(c, 3);
	ck_assert_ptr_null(lang);	/* new: none */
	/* found again (any case): the language read with the id */
	ck_assert_int_eq(customer_set_language(fx.st, c, "pl", true, &err), 0);
	ck_assert_int_eq(customer_find_or_create(fx.st, "NEW@d.test", NULL,
	    4000, NULL, &c2, &lang, &err), 0);
	ck_assert_int_eq(c2, 3);
	ck_assert_str_eq(lang, "pl");
	free(lang);
	ck_assert_int_eq(customer_find_or_create(fx.st, "new@d.test", NULL,
	    4000, NULL, &c2, NULL, &err), 0);
	ck_assert_int_eq(c2, 3);
	memset(&r, 0, sizeof(r));
	r.ticket_id = t;
	r.direction = "in";
	r.created_at = 4000;
	ck_assert_int_eq(message_insert(fx.st, &r, &m, &err), 0);
	ck_assert_int_eq(m, 7);
	/* the company an admin gave the customer comes with the row */
	fixture_exec(fx.st, "UPDATE customers SET company = 'Acme'"
	    " WHERE id = 3;");
	/* with its first event */
	ck_assert_int_eq(ticket_create(fx.st, &(struct ticket_new){
	    .subject = "Five", .customer = c, .source = "imap", .now = 4001,
	    .event_kind = "created", .event_actor = "customer",
	    .event_detail = "new@d.test" }, &row, &company, &reserved, &err),
	    0);
	t2 = row.id;
	ck_assert_int_eq(fixture_count(fx.st, "SELECT count(*) FROM events"
	    " WHERE ticket_id = 5 AND kind = 'created' AND actor = 'customer'"
	    " AND detail = 'new@d.test' AND at = 4001"), 1);
	ck_assert_int_eq(fixture_count(fx.st, "SELECT count(*) FROM events"
	    " WHERE ticket_id = 4"), 0);
	ck_assert_int_eq(t2, 5);
	ck_assert_int_eq(row.customer_seq, 1);
	ck_assert_str_eq(company, "Acme");
	ticket_clear(&row);
	free(company);
	ck_assert_int_eq(fixture_count(fx.st, "SELECT count(*) FROM tickets"
	    " WHERE id = 5 AND subject = 'Five' AND customer_id = 3"), 1);
	/* an id reserved for the message (PostgreSQL's ticket_create) */
	r.id = 40;
	ck_assert_int_eq(message_insert(fx.st, &r, &m, &err), 0);
	ck_assert_int_eq(m, 40);
	ck_assert_int_eq(fixture_count(fx.st, "SELECT ticket_id FROM messages"
	    " WHERE id = 40"), t);
	r.id = 0;
	r.ticket_id = 99;	/* no such ticket: the foreign key refuses it */
	ck_assert_int_eq(message_insert(fx.st, &r, &bad, &err), -1);
	ck_assert_int_eq(bad, -7);
}
END_TEST

/*
 * The intake's first read: the duplicate and the sender's customer in
 * one statement, as a look-up of the key and customer_find_or_create
 * would find them; a customer found there is not looked up again, and
 * gets a name only where it had none.
 */
START_TEST(test_intake_lookup)
{
	struct customer_seen	 seen;
	struct error		 err;
	int64_t			 dup, id;
	char			*lang;

	fixture_exec(fx.st, "UPDATE messages SET dedupe_key = 'k1' WHERE"
	    " id = 2; UPDATE customers SET language = 'pl' WHERE id = 1;");
	ck_assert_int_eq(customer_seen_with_duplicate(fx.st, "k1",
	    "alice@b.test", &dup, &seen, NULL, &err), 0);
	ck_assert_int_eq(dup, 1);
	ck_assert(seen.read);
	ck_assert_int_eq(seen.id, 1);
	ck_assert_str_eq(seen.language, "pl");
	ck_assert(seen.named);
	customer_seen_clear(&seen);
	/* no duplicate, a customer without a name or language */
	ck_assert_int_eq(customer_seen_with_duplicate(fx.st, "k2",
	    "bob@c.test", &dup, &seen, NULL, &err), 0);
	ck_assert_int_eq(dup, 0);
	ck_assert_int_eq(seen.id, 2);
	ck_assert_ptr_null(seen.language);
	ck_assert(!seen.named);
	/* what was read is used: the name is filled, nothing looked up */
	fixture_exec(fx.st, "DELETE FROM customer_addresses"
	    " WHERE address = 'bob@c.test';");
	ck_assert_int_eq(customer_find_or_create(fx.st, "bob@c.test", "Bob",
	    5000, &seen, &id, &lang, &err), 0);
	ck_assert_int_eq(id, 2);
	ck_assert_ptr_null(lang);
	ck_assert_int_eq(fixture_count(fx.st, "SELECT count(*) FROM customers"
	    " WHERE id = 2 AND name = 'Bob'"), 1);
	customer_seen_clear(&seen);
	/* nobody's address, and no address at all */
	ck_assert_int_eq(customer_seen_with_duplicate(fx.st, "k1",
	    "new@d.test", &dup, &seen, NULL, &err), 0);
	ck_assert_int_eq(dup, 1);
	ck_assert(seen.read);
	ck_assert_int_eq(seen.id, 0);
	customer_seen_clear(&seen);
	ck_assert_int_eq(customer_seen_with_duplicate(fx.st, "k3", NULL,
	    &dup, &seen, NULL, &err), 0);
	ck_assert_int_eq(dup, 0);
	ck_assert_int_eq(seen.id, 0);
}
END_TEST

START_TEST(test_customer_load)
{
	struct customer	 c;
	struct error	 err;

	ck_assert_int_eq(customer_load(fx.st, 1, &c, &err), 0);
	ck_assert_int_eq(c.id, 1);
	ck_assert_str_eq(c.name, "Alice");
	ck_assert_str_eq(c.company, "Acme");
	ck_assert_int_eq(c.created_at, 100);
	/* oldest first, then by address */
	ck_assert_uint_eq(c.naddresses, 3);
	ck_assert_str_eq(c.addresses[0], "alice@a.test");
	ck_assert_str_eq(c.addresses[1], "zed@a.test");
	ck_assert_str_eq(c.addresses[2], "alice@b.test");
	customer_clear(&c);
	customer_clear(&c);
	ck_assert_int_eq(customer_load(fx.st, 2, &c, &err), 0);
	ck_assert_str_eq(c.name, "");
	ck_assert_ptr_null(c.company);
	customer_clear(&c);
	ck_assert_int_eq(customer_load(fx.st, 0, &c, &err), 0);
	ck_assert_int_eq(c.id, 0);
	ck_assert_ptr_null(c.name);
	ck_assert_uint_eq(c.naddresses, 0);
}
END_TEST

START_TEST(test_outbox_notices)
{
	struct error	 err;
	char		*id;
	bool		 yes;

	ck_assert_int_eq(outbox_queued_at(fx.st, 1, "notify", "anna@us.test",
	    1500, &yes, &err), 0);
	ck_assert(yes);
	ck_assert_int_eq(outbox_queued_at(fx.st, 1, "notify", "anna@us.test",
	    1700, &yes, &err), 0);
	ck_assert(!yes);	/* that one is an ack */
	ck_assert_int_eq(outbox_latest_message_id(fx.st, 1, "notify",
	    "anna@us.test", 1000, &id, &err), 0);
	ck_assert_str_eq(id, "n-b@us");
	free(id);
	ck_assert_int_eq(outbox_latest_message_id(fx.st, 2, "notify",
	    "bert@us.test", 2000, &id, &err), 0);
	ck_assert_ptr_null(id);
	ck_assert_int_eq(outbox_latest_message_id(fx.st, 1, "notify",
	    "anna@us.test", 1501, &id, &err), 0);
	ck_assert_ptr_null(id);
}
END_TEST

/*
 * A batch of deliveries marked sent by one statement: exactly those
 * rows, each one more attempt, its claim ended; none, one or several.
 */
START_TEST(test_outbox_sent_all)
{
	struct error	 err;
	int64_t		 ids[4];
	int		 i;

	fixture_exec(fx.st, "DELETE FROM outbox");
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(outbox_enqueue(fx.st, 0, "ack",
		    "support@us.test", "c@them.test", NULL,
		    "Subject: x\r\n\r\nx", 16, 3000, &err), 0);
		ids[i] = fixture_count(fx.st, "SELECT max(id) FROM outbox");
	}
	fixture_exec(fx.st, "UPDATE outbox SET claimed_by = 'me',"
	    " lease_until = 9999");
	ck_assert_int_eq(outbox_mark_sent_all(fx.st, ids, 0, 3100, &err), 0);
	ck_assert_int_eq(outbox_mark_sent_all(fx.st, ids, 3, 3100, &err), 0);
	ck_assert_int_eq(fixture_count(fx.st, "SELECT count(*) FROM outbox"
	    " WHERE status = 'sent' AND sent_at = 3100 AND attempts = 1"
	    " AND claimed_by IS NULL AND lease_until IS NULL"), 3);
	ck_assert_int_eq(fixture_count(fx.st, "SELECT count(*) FROM outbox"
	    " WHERE status = 'queued' AND claimed_by = 'me'"), 1);
	ck_assert_int_eq(outbox_mark_sent_all(fx.st, &ids[3], 1, 3200, &err),
	    0);
	ck_assert_int_eq(fixture_count(fx.st, "SELECT count(*) FROM outbox"
	    " WHERE status = 'sent'"), 4);
}
END_TEST

START_TEST(test_ticket_reads)
{
	struct ticket_rule_hit	*hits;
	struct error		 err;
	size_t			 n;
	int64_t			 count;
	bool			 yes;

	ck_assert_int_eq(ticket_exists(fx.st, 3, &yes, &err), 0);
	ck_assert(yes);
	ck_assert_int_eq(ticket_exists(fx.st, 4, &yes, &err), 0);
	ck_assert(!yes);
	ck_assert_int_eq(ticket_count_before(fx.st, 1, 2, &count, &err), 0);
	ck_assert_int_eq(count, 1);
	ck_assert_int_eq(ticket_count_before(fx.st, 0, 2, &count, &err), 0);
	ck_assert_int_eq(count, 0);
	ck_assert_int_eq(ticket_rule_hits(fx.st, 1, &hits, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(hits[0].rule, "vip");
	ck_assert_int_eq(hits[0].message_row, 1);
	ck_assert_str_eq(hits[1].actions, "hide");
	ck_assert_int_eq(hits[1].message_row, 0);
	ck_assert_int_eq(hits[1].at, 1001);
	ticket_rule_hits_free(hits, n);
	ck_assert_int_eq(ticket_rule_hits(fx.st, 9, &hits, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(test_ticket_changes)
{
	struct ticket	 t;
	struct error	 err;

	ck_assert_int_eq(ticket_set_thread_root(fx.st, 1, "root@us", &err), 0);
	ck_assert_int_eq(ticket_set_thread_root(fx.st, 1, "later@us", &err),
	    0);
	ck_assert_int_eq(ticket_set_assignee(fx.st, 1, "bert", 1100, &err), 0);
	ck_assert_int_eq(ticket_set_priority(fx.st, 1, "high", 1101, &err), 0);
	ck_assert_int_eq(ticket_set_category(fx.st, 1, "billing", 1102, &err),
	    0);
	ck_assert_int_eq(ticket_set_category(fx.st, 2, NULL, 2100, &err), 0);
	/* replied: first response once, the assignee stays, new -> open */
	ck_assert_int_eq(ticket_mark_replied(fx.st, 1, "anna", 1200, &err), 0);
	ck_assert_int_eq(ticket_mark_replied(fx.st, 1, "anna", 1300, &err), 0);
	ck_assert_int_eq(ticket_load(fx.st, 1, &t, &err), 0);
	ck_assert_str_eq(t.thread_root, "root@us");
	ck_assert_str_eq(t.assignee, "bert");
	ck_assert_str_eq(t.priority, "high");
	ck_assert_str_eq(t.category, "billing");
	ck_assert_str_eq(t.status, "open");
	ck_assert_int_eq(t.first_response_at, 1200);
	ck_assert_int_eq(t.last_agent_at, 1300);
	ck_assert_int_eq(t.updated_at, 1300);
	ticket_clear(&t);
	/* resolved, closed (resolved_at kept), reopened (counted) */
	ck_assert_int_eq(ticket_set_status(fx.st, 1, "resolved", false, 1400,
	    &err), 0);
	ck_assert_int_eq(ticket_set_status(fx.st, 1, "closed", false, 1500,
	    &err), 0);
	ck_assert_int_eq(ticket_set_status(fx.st, 1, "open", true, 1600, &err),
	    0);
	ck_assert_int_eq(ticket_touch(fx.st, 1, 1700, &err), 0);
	ck_assert_int_eq(ticket_load(fx.st, 1, &t, &err), 0);
	ck_assert_int_eq(t.resolved_at, 1400);
	ck_assert_int_eq(t.closed_at, 1500);
	ck_assert_int_eq(t.reopen_count, 1);
	ck_assert_int_eq(t.updated_at, 1700);
	ticket_clear(&t);
}
END_TEST

/* The survivor's last customer activity is the later of the two. */
START_TEST(test_ticket_merge)
{
	struct ticket	 t;
	struct error	 err;

	ck_assert_int_eq(ticket_merge(fx.st, 3, 2, 4000, &err), 0);
	ck_assert_int_eq(ticket_load(fx.st, 3, &t, &err), 0);
	ck_assert_int_eq(t.merged_into, 2);
	ck_assert_str_eq(t.status, "closed");
	ck_assert_int_eq(t.closed_at, 4000);
	ck_assert_int_eq(t.resolved_at, 4000);
	ticket_clear(&t);
	ck_assert_int_eq(ticket_load(fx.st, 2, &t, &err), 0);
	ck_assert_int_eq(t.last_customer_at, 3500);
	ck_assert_int_eq(t.updated_at, 4000);
	ticket_clear(&t);
	fixture_exec(fx.st, "UPDATE tickets SET resolved_at = 10"
	    " WHERE id = 1");
	ck_assert_int_eq(ticket_merge(fx.st, 1, 2, 5000, &err), 0);
	ck_assert_int_eq(ticket_load(fx.st, 2, &t, &err), 0);
	ck_assert_int_eq(t.last_customer_at, 3500);
	ticket_clear(&t);
	ck_assert_int_eq(ticket_load(fx.st, 1, &t, &err), 0);
	ck_assert_int_eq(t.resolved_at, 10);
	ticket_clear(&t);
	ck_assert_int_eq(history_add(fx.st, 1, 1, "note", NULL, NULL, &err), 0);
	ck_assert_int_eq(history_move(fx.st, 1, 2, &err), 0);
	ck_assert_int_eq(fixture_count(fx.st, "SELECT count(*) FROM events"
	    " WHERE ticket_id = 2"), 1);
}
END_TEST

static Suite *
store_tables_suite(void)
{
	Suite	*s = suite_create("store_tables");
	TCase	*tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_thread_id);
	tcase_add_test(tc, test_tags);
	tcase_add_test(tc, test_cc);
	tcase_add_test(tc, test_messages_read);
	tcase_add_test(tc, test_messages_write);
	tcase_add_test(tc, test_insert_ids);
	tcase_add_test(tc, test_intake_lookup);
	tcase_add_test(tc, test_customer_load);
	tcase_add_test(tc, test_outbox_notices);
	tcase_add_test(tc, test_outbox_sent_all);
	tcase_add_test(tc, test_ticket_reads);
	tcase_add_test(tc, test_ticket_changes);
	tcase_add_test(tc, test_ticket_merge);
	tcase_add_test(tc, test_queue_view);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(store_tables_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
