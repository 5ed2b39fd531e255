/*
 * test_store_writer: the writer's parse stage and commit order on a real
 * SQLite file and event loop.  A small message is not held behind a big
 * one being parsed or stored (issue 20: a small message waited up to
 * 2.7 s); jobs sharing an order key (an IMAP batch) are committed in the
 * order they were submitted, big or small; and stopping runs every
 * job's completion.
 *
 * "Not held behind" is checked by order, not by time: the small job's
 * completion must come before the big one's.  The big message is large
 * enough (16 MiB of 8-bit text to convert) that its parse takes orders
 * of magnitude longer than the small one's on any machine.
 */
#include <check.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "buf.h"
#include "config.h"
#include "customer.h"
#include "error.h"
#include "fixture.h"
#include "history.h"
#include "intake.h"
#include "message.h"
#include "outbox.h"
#include "search_index.h"
#include "store.h"
#include "store_writer.h"
#include "ticket.h"
#include "thread_id.h"
#include "ticket_tag.h"

#define MAXJOBS	64

struct run {
	struct event_base	*base;
	struct event		*ev;		/* the completions */
	struct store_writer	*w;
	size_t			 ndone;
	int			 order[MAXJOBS];	/* tags, in completion order */
	long long		 ticket[MAXJOBS];	/* by tag */
	int			 status[MAXJOBS];	/* by tag */
};

struct tag {
	struct run	*run;
	int		 n;
};

static struct fixture	fx;
static struct tag	tags[MAXJOBS];

static void
setup(void)
{
	fixture_open(&fx, "test_store_writer", "support = { addresses = "
	    "[ \"support@example.test\" ]; };\n");
	config_set_current(config_ref(fx.cfg));
}

static void
teardown(void)
{
	config_set_current(NULL);
	fixture_close(&fx);
}

/* The writer's thread: completions go to the loop, as in the daemon. */
static void
notify(void *arg)
{
	struct run *r = arg;

	event_active(r->ev, 0, 0);
}

static void
complete_cb(evutil_socket_t fd, short what, void *arg)
{
	struct run *r = arg;

	(void)store_writer_complete(r->w);
}

static void
run_start(struct run *r)
{
	struct error err;
	char path[128];

	memset(r, 0, sizeof(*r));
	ck_assert_ptr_nonnull(r->base = event_base_new());
	/* the fixture's database: TRIAGED_TEST_DATABASE if set */
	if (getenv("TRIAGED_TEST_DATABASE") != NULL)
		snprintf(path, sizeof(path), "%s",
		    getenv("TRIAGED_TEST_DATABASE"));
	else
		snprintf(path, sizeof(path), "%s/t.db", fx.dir);
	ck_assert_ptr_nonnull(r->ev = event_new(r->base, -1, 0, complete_cb,
	    r));
	r->w = store_writer_start(path, 1, notify, r, &err);
	ck_assert_msg(r->w != NULL, "store_writer_start: %s", err.msg);
}

static void
run_stop(struct run *r)
{
	store_writer_stop(r->w);
	event_free(r->ev);
	event_base_free(r->base);
}

static void
done(struct intake_job *job, void *arg)
{
	struct tag *t = arg;
	struct run *r = t->run;

	ck_assert_uint_lt(r->ndone, MAXJOBS);
	r->order[r->ndone++] = t->n;
	r->ticket[t->n] = (long long)job->ticket_id;
	r->status[t->n] = job->status;
	intake_job_free(job);
}

/* A message of about size bytes: 8-bit text in no declared charset. */
static struct buf *
message(int n, size_t size)
{
	struct buf *b = buf_new();

	buf_printf(b, "From: c%d@example.org\r\nTo: support@example.test\r\n"
	    "Subject: message %d\r\nMessage-ID: <m%d@example.org>\r\n\r\n",
	    n, n, n);
	while (b->len < size)
		buf_append_str(b, "\xcf\xf0\xe8\xe2\xe5\xf2 \xec\xe8\xf0, "
		    "\xfd\xf2\xee \xf2\xe5\xf1\xf2 \xee\xe4\xed\xee\xe3\xee "
		    "\xef\xe8\xf1\xfc\xec\xe0.\r\n");
	return b;
}

static void
submit(struct run *r, int n, size_t size, const void *order)
{
	struct intake_job *job;
	static char rcpt[] = "support@example.test";
	char *rcpts[] = { rcpt };

	ck_assert_int_lt(n, MAXJOBS);
	job = intake_job_new(message(n, size), "test", "c@example.org",
	    rcpts, 1);
	tags[n].run = r;
	tags[n].n = n;
	job->done = done;
	job->arg = &tags[n];
	job->order = order;
	intake_submit(r->w, job);
}

static void
wait_done(struct run *r, size_t n)
{
	while (r->ndone < n)
		ck_assert_int_ge(event_base_loop(r->base, EVLOOP_ONCE), 0);
}

/* Position of tag n in the completion order. */
static size_t
pos(const struct run *r, int n)
{
	size_t i;

	for (i = 0; i < r->ndone; i++)
		if (r->order[i] == n)
			return i;
	ck_abort_msg("job %d not done", n);
	return 0;
}

START_TEST(test_small_passes_big)
{
	struct run r;
	int i;

	run_start(&r);
	submit(&r, 0, 16 * 1024 * 1024, NULL);
	for (i = 1; i <= 5; i++)
		submit(&r, i, 2000, NULL);
	wait_done(&r, 6);
	for (i = 1; i <= 5; i++) {
		ck_assert_uint_lt(pos(&r, i), pos(&r, 0));
		ck_assert_int_eq(r.status[i], INTAKE_STORED);
	}
	ck_assert_int_eq(r.status[0], INTAKE_STORED);
	run_stop(&r);
	ck_assert_int_eq(fixture_count(fx.st, "SELECT count(*) FROM messages"
	    " WHERE direction = 'in'"), 6);
}
END_TEST

/*
 * One order key, big and small mixed: committed as submitted (each
 * message opens a request, so request numbers follow the commits).  A
 * small job without a key may still pass them all.
 */
START_TEST(test_order_key)
{
	static const size_t sizes[] = { 3 * 1024 * 1024, 1000, 2 * 1024 * 1024,
	    500, 800, 4 * 1024 * 1024, 300 };
	const size_t n = sizeof(sizes) / sizeof(sizes[0]);
	struct run r;
	int key, i;

	run_start(&r);
	for (i = 0; i < (int)n; i++)
		submit(&r, i, sizes[i], &key);
	submit(&r, (int)n, 1000, NULL);
	wait_done(&r, n + 1);
	for (i = 1; i < (int)n; i++) {
		ck_assert_uint_lt(pos(&r, i - 1), pos(&r, i));
		ck_assert_int_lt(r.ticket[i - 1], r.ticket[i]);
	}
	run_stop(&r);
}
END_TEST

/* Stopping finishes what was submitted and runs every completion. */
START_TEST(test_stop_finishes)
{
	struct run r;
	int i, key;

	run_start(&r);
	for (i = 0; i < 40; i++)
		submit(&r, i, i % 10 == 0 ? 2 * 1024 * 1024 : 1500,
		    i % 3 == 0 ? (const void *)&key : NULL);
	run_stop(&r);
	ck_assert_uint_eq(r.ndone, 40);
	for (i = 0; i < 40; i++)
		ck_assert_int_eq(r.status[i], INTAKE_STORED);
	ck_assert_int_eq(fixture_count(fx.st, "SELECT count(*) FROM messages"
	    " WHERE direction = 'in'"), 40);
}
END_TEST

/* A unit that writes nothing, its parse taking us microseconds. */
struct gather_unit {
	struct store_work	 work;		/* first */
	struct run		*r;
	useconds_t		 us;
};

static void
gather_prepare(struct store_work *w)
{
	struct gather_unit *g = (struct gather_unit *)(void *)w;

	if (g->us > 0)
		usleep(g->us);
}

static int
gather_run(struct store *st, struct store_work *w, struct error *err)
{
	(void)st;
	(void)w;
	(void)err;
	return 0;
}

static void
gather_done(struct store_work *w)
{
	struct gather_unit *g = (struct gather_unit *)(void *)w;

	g->r->ndone++;
}

/*
 * SQLite: a small job still being parsed when the writer takes a batch
 * joins it (store_writer_gather) instead of waiting for the next commit.
 * A unit parsed at once and one whose parse takes 150 us, submitted
 * together: one batch for both.  Without the gathering the writer takes
 * the first alone nearly every time (its commit's fsync outlasts the
 * second's parse); counted over 20 tries, so a slow moment of the
 * machine does not decide.
 */
START_TEST(test_gathers_parsing)
{
	struct gather_unit a, b;
	struct store_writer_stats s0, s1;
	struct run r;
	int i, together = 0;

	if (getenv("TRIAGED_TEST_DATABASE") != NULL)
		return;		/* PostgreSQL's writer does not gather */
	run_start(&r);
	for (i = 0; i < 20; i++) {
		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		a.work.run = b.work.run = gather_run;
		a.work.done = b.work.done = gather_done;
		b.work.prepare = gather_prepare;
		a.r = b.r = &r;
		b.us = 150;
		r.ndone = 0;
		store_writer_stats(r.w, &s0);
		store_writer_submit(r.w, &a.work);
		store_writer_submit(r.w, &b.work);
		wait_done(&r, 2);
		store_writer_stats(r.w, &s1);
		ck_assert_int_eq(a.work.status, STORE_WORK_COMMITTED);
		ck_assert_int_eq(b.work.status, STORE_WORK_COMMITTED);
		if (s1.batches - s0.batches == 1)
			together++;
	}
	run_stop(&r);
	ck_assert_msg(together >= 10, "one batch in %d of 20", together);
}
END_TEST

/*
 * A generic unit: opens a request named subject, or fails after it; or
 * one of the kinds the deferred-release test needs.
 */
enum unit_kind {
	UNIT_CREATE,		/* a request (a read on PostgreSQL) */
	UNIT_BLOCK,		/* holds the writer until released */
	UNIT_BAD_TAG,		/* a request, then a tag on none: FK fails */
	UNIT_SWALLOW,		/* a read whose failure it ignores */
	UNIT_TAG,		/* only a deferred write (a tag) */
	UNIT_NESTED		/* a savepoint of its own, a read that
				   fails, its own rollback, ignored */
};

struct unit {
	struct store_work	 work;
	enum unit_kind		 kind;
	const char		*subject;
	bool			 fail;
	bool			 done;
	struct run		*run;
};

static atomic_int	blocked, unblock;
static int64_t		tagged;		/* the request UNIT_TAG tags */

static int
unit_create(struct store *st, const char *subject, int64_t *id_out,
    struct error *err)
{
	struct ticket t;
	char *company;
	int64_t reserved;

	if (ticket_create(st, &(struct ticket_new){ .subject = subject,
	    .source = "test", .now = 1000 }, &t, &company, &reserved,
	    err) == -1)
		return -1;
	if (id_out != NULL)
		*id_out = t.id;
	ticket_clear(&t);
	free(company);
	return 0;
}

static int
unit_run(struct store *st, struct store_work *work, struct error *err)
{
	struct unit *u = (struct unit *)(void *)work;
	struct error ignored;
	bool exists;

	switch (u->kind) {
	case UNIT_BLOCK:
		atomic_store(&blocked, 1);
		while (!atomic_load(&unblock))
			usleep(1000);
		return unit_create(st, u->subject, &tagged, err);
	case UNIT_BAD_TAG:
		if (unit_create(st, u->subject, NULL, err) == -1)
			return -1;
		return ticket_tag_add(st, 987654321, "nowhere", NULL, err);
	case UNIT_SWALLOW:
		(void)ticket_exists(st, 1, &exists, &ignored);
		return 0;
	case UNIT_TAG:
		return ticket_tag_add(st, tagged, "kept", NULL, err);
	case UNIT_NESTED:
		/* as the SLA pass does: a failure undone, the pass goes on */
		if (store_savepoint(st, &ignored) == -1)
			return 0;
		if (ticket_exists(st, 1, &exists, &ignored) == -1)
			store_rollback_to(st);
		else
			(void)store_release(st, &ignored);
		return 0;
	case UNIT_CREATE:
		break;
	}
	if (unit_create(st, u->subject, NULL, err) == -1)
		return -1;
	if (u->fail)
		return error_set(err, ERR_PERM, "refused");
	return 0;
}

/* Requests named subject, through the store (either engine). */
static size_t
count_subject(const char *subject)
{
	struct ticket_filter f;
	struct ticket_row *rows;
	struct error err;
	size_t n, i, count = 0;

	memset(&f, 0, sizeof(f));
	ck_assert_msg(ticket_list(fx.st, &f, &rows, &n, &err) == 0,
	    "ticket_list: %s", err.msg);
	for (i = 0; i < n; i++)
		if (strcmp(rows[i].subject, subject) == 0)
			count++;
	ticket_rows_free(rows, n);
	return count;
}

static void
unit_done(struct store_work *work)
{
	struct unit *u = (struct unit *)(void *)work;

	u->done = true;
	u->run->ndone++;
}

/*
 * Units that are not intake jobs: each runs under its own savepoint, so
 * the one that fails is undone alone and the others of its batch commit.
 */
START_TEST(test_unit_rolls_back_alone)
{
	struct unit u[3];
	struct run r;
	int i;

	run_start(&r);
	memset(u, 0, sizeof(u));
	for (i = 0; i < 3; i++) {
		u[i].work.run = unit_run;
		u[i].work.done = unit_done;
		u[i].subject = i == 1 ? "unit fails" : "unit commits";
		u[i].fail = i == 1;
		u[i].run = &r;
		store_writer_submit(r.w, &u[i].work);
	}
	wait_done(&r, 3);
	ck_assert_int_eq(u[0].work.status, STORE_WORK_COMMITTED);
	ck_assert_int_eq(u[1].work.status, STORE_WORK_FAILED);
	ck_assert_int_eq(u[1].work.err.kind, ERR_PERM);
	ck_assert_int_eq(u[2].work.status, STORE_WORK_COMMITTED);
	ck_assert_uint_eq(store_writer_pending(r.w), 0);
	run_stop(&r);
	ck_assert_uint_eq(count_subject("unit commits"), 2);
	ck_assert_uint_eq(count_subject("unit fails"), 0);
}
END_TEST

/*
 * A unit whose deferred write fails (PostgreSQL sends it with the next
 * unit's first read, store_writer.c): the failure is that unit's, and
 * the rollback undoes it whichever unit read it.  Four cases after a
 * failing unit: the next one reads (and fails with it), reads and
 * ignores the failure (it still fails: nothing it did is kept), only
 * writes, or reads under a savepoint of its own and rolls that back
 * (which must not undo the failing unit's savepoint, store.h).  On SQLite the write fails at once and the next unit commits.
 * The unit after each pair commits on both engines, and nothing of a
 * failed unit is kept.
 */
START_TEST(test_deferred_write_fails)
{
	static const enum unit_kind kinds[] = {
		UNIT_BLOCK,
		UNIT_BAD_TAG, UNIT_CREATE, UNIT_CREATE,
		UNIT_BAD_TAG, UNIT_SWALLOW, UNIT_CREATE,
		UNIT_BAD_TAG, UNIT_TAG, UNIT_CREATE,
		UNIT_BAD_TAG, UNIT_NESTED, UNIT_CREATE,
	};
	const size_t n = sizeof(kinds) / sizeof(kinds[0]);
	bool pg = getenv("TRIAGED_TEST_DATABASE") != NULL;
	struct unit u[sizeof(kinds) / sizeof(kinds[0])];
	char **tags_of;
	size_t ntags, i;
	struct run r;
	struct error err;

	run_start(&r);
	memset(u, 0, sizeof(u));
	atomic_store(&blocked, 0);
	atomic_store(&unblock, 0);
	for (i = 0; i < n; i++) {
		u[i].work.run = unit_run;
		u[i].work.done = unit_done;
		u[i].kind = kinds[i];
		u[i].subject = kinds[i] == UNIT_BAD_TAG ? "deferred fails" :
		    kinds[i] == UNIT_BLOCK ? "deferred block" :
		    "deferred after";
		u[i].run = &r;
	}
	/*
	 * The rest queue up while the first runs: one batch after it, in
	 * the order submitted (one order key: the parse workers keep it;
	 * order-keyed units of no size commit together).  The pause lets
	 * the parse workers hand them all to the writer first.
	 */
	for (i = 0; i < n; i++)
		u[i].work.order = &blocked;
	store_writer_submit(r.w, &u[0].work);
	while (!atomic_load(&blocked))
		usleep(1000);
	for (i = 1; i < n; i++)
		store_writer_submit(r.w, &u[i].work);
	usleep(200 * 1000);
	atomic_store(&unblock, 1);
	wait_done(&r, n);
	ck_assert_int_eq(u[0].work.status, STORE_WORK_COMMITTED);
	for (i = 1; i < n; i += 3) {
		ck_assert_int_eq(u[i].work.status, STORE_WORK_FAILED);
		ck_assert_msg(strcasestr(u[i].work.err.msg, "foreign key") != NULL,
		    "unit %zu: %s", i, u[i].work.err.msg);
		ck_assert_int_eq(u[i + 1].work.status, pg ?
		    STORE_WORK_FAILED : STORE_WORK_COMMITTED);
		if (pg)
			ck_assert_int_eq(u[i + 1].work.err.kind, ERR_TEMP);
		ck_assert_int_eq(u[i + 2].work.status, STORE_WORK_COMMITTED);
	}
	run_stop(&r);
	ck_assert_uint_eq(count_subject("deferred fails"), 0);
	/* the readers after a failing unit: 1 of 2 kept on PostgreSQL */
	ck_assert_uint_eq(count_subject("deferred after"), pg ? 4 : 5);
	ck_assert_int_eq(ticket_tag_list(fx.st, tagged, &tags_of, &ntags,
	    &err), 0);
	ck_assert_uint_eq(ntags, pg ? 0 : 1);
	ticket_tag_list_free(tags_of, ntags);
}
END_TEST

/*
 * A request whose number the intake's first read drew (PostgreSQL; on
 * SQLite none is drawn and ticket_create reads the row back): the row
 * ticket_create hands the pipeline is the one stored, with its first
 * event, customer_seq counts the customer's requests, the opening
 * message takes the id drawn for it (with its search document and
 * thread id: one statement there), an outgoing mail's thread id goes
 * with its outbox row, and a duplicate draws no number.
 */
struct reserved {
	struct store_work	 work;
	struct ticket		 t[2];
	int64_t			 message[2];
	int64_t			 dup;
	int64_t			 dup_reserved;
	bool			 drawn;
	struct run		*run;
};

static int
reserved_run(struct store *st, struct store_work *work, struct error *err)
{
	struct reserved *u = (struct reserved *)(void *)work;
	struct customer_seen seen;
	struct ticket_reserve reserve;
	struct message_row row;
	int64_t customer, dup, id;
	char *company;
	int i;

	if (customer_find_or_create(st, "reserved@example.org", "Res", 1000,
	    NULL, &customer, NULL, err) == -1)
		return -1;
	for (i = 0; i < 2; i++) {
		if (customer_seen_with_duplicate(st, i == 0 ? "rk1" : "rk2",
		    "reserved@example.org", &dup, &seen, &reserve, err) == -1)
			return -1;
		customer_seen_clear(&seen);
		u->drawn = reserve.id != 0;
		if (ticket_create(st, &(struct ticket_new){
		    .subject = "Reserved", .customer = customer,
		    .source = "test", .now = 1000 + i, .reserve = &reserve,
		    .event_kind = "created", .event_actor = "customer",
		    .event_detail = "reserved@example.org" }, &u->t[i],
		    &company, &u->message[i], err) == -1) {
			ticket_reserve_clear(&reserve);
			return -1;
		}
		ticket_reserve_clear(&reserve);
		free(company);
		/* the message, its search document and its thread id */
		memset(&row, 0, sizeof(row));
		row.id = u->message[i];
		row.ticket_id = u->t[i].id;
		row.direction = "in";
		row.dedupe_key = i == 0 ? "rk1" : "rk2";
		row.message_id = i == 0 ? "<rk1@example.org>" :
		    "<rk2@example.org>";
		row.body = i == 0 ? "quokkaone" : "quokkatwo";
		row.created_at = 1000 + i;
		row.threads = true;
		if (message_insert(st, &row, &id, err) == -1)
			return -1;
		/* a mail to it, and the reply's thread id */
		if (outbox_add(st, &(struct outbox_mail){
		    .ticket_id = u->t[i].id, .kind = "ack", .mail_from = "",
		    .rcpts = "reserved@example.org",
		    .message_id = i == 0 ? "<ack1@example.test>" :
		    "<ack2@example.test>", .data = "x", .len = 1,
		    .now = 1000 + i, .threads = true }, err) == -1)
			return -1;
	}
	/* a duplicate: its request, and no number drawn */
	if (customer_seen_with_duplicate(st, "rk1", "reserved@example.org",
	    &u->dup, &seen, &reserve, err) == -1)
		return -1;
	customer_seen_clear(&seen);
	u->dup_reserved = reserve.id;
	ticket_reserve_clear(&reserve);
	return 0;
}

static void
reserved_done(struct store_work *work)
{
	struct reserved *u = (struct reserved *)(void *)work;

	u->run->ndone++;
}

START_TEST(test_reserved_request)
{
	struct reserved u;
	struct ticket t;
	struct run r;
	struct error err;
	bool found;
	int i;

	run_start(&r);
	memset(&u, 0, sizeof(u));
	u.work.run = reserved_run;
	u.work.done = reserved_done;
	u.run = &r;
	store_writer_submit(r.w, &u.work);
	wait_done(&r, 1);
	run_stop(&r);
	ck_assert_msg(u.work.status == STORE_WORK_COMMITTED, "%s",
	    u.work.err.msg);
	ck_assert(u.drawn == (getenv("TRIAGED_TEST_DATABASE") != NULL));
	ck_assert_int_eq(u.dup, u.t[0].id);
	ck_assert_int_eq(u.dup_reserved, 0);
	ck_assert_int_gt(u.t[1].id, u.t[0].id);
	for (i = 0; i < 2; i++) {
		struct message_stored m;
		struct search_filter f;
		struct search_hit *hits;
		int64_t thread;
		size_t n;

		/* the message went in (with the id drawn, if one was) */
		ck_assert_int_eq(message_latest(fx.st, u.t[i].id, "in", &m,
		    &err), 0);
		ck_assert_int_gt(m.id, 0);
		if (u.drawn)
			ck_assert_int_eq(m.id, u.message[i]);
		message_stored_clear(&m);
		/*
		 * its search document (on SQLite the writer's store leaves
		 * it to the daemon's timer: made here as that would)
		 */
		ck_assert_int_eq(search_index_catch_up(fx.st, SIZE_MAX, &n,
		    &err), 0);
		memset(&f, 0, sizeof(f));
		ck_assert_int_eq(search_index_find(fx.st, i == 0 ? "quokkaone" :
		    "quokkatwo", &f, &hits, &n, &err), 0);
		ck_assert_uint_eq(n, 1);
		ck_assert_int_eq(hits[0].ticket, u.t[i].id);
		search_index_hits_free(hits, n);
		/* its thread id and the outgoing mail's */
		ck_assert_int_eq(thread_id_find(fx.st, i == 0 ?
		    "<rk1@example.org>" : "<rk2@example.org>", &thread, &err),
		    0);
		ck_assert_int_eq(thread, u.t[i].id);
		ck_assert_int_eq(thread_id_find(fx.st, i == 0 ?
		    "<ack1@example.test>" : "<ack2@example.test>", &thread,
		    &err), 0);
		ck_assert_int_eq(thread, u.t[i].id);
	}
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(ticket_load(fx.st, u.t[i].id, &t, &err), 0);
		ck_assert_str_eq(t.subject, u.t[i].subject);
		ck_assert_str_eq(t.status, u.t[i].status);
		ck_assert_str_eq(t.priority, u.t[i].priority);
		ck_assert_str_eq(t.source, u.t[i].source);
		ck_assert_int_eq(t.customer_id, u.t[i].customer_id);
		ck_assert_int_eq(t.created_at, u.t[i].created_at);
		ck_assert_int_eq(t.updated_at, u.t[i].updated_at);
		ck_assert_int_eq(t.customer_seq, u.t[i].customer_seq);
		ck_assert_int_eq(t.customer_seq, i + 1);
		ck_assert_ptr_null(u.t[i].category);
		ck_assert_ptr_null(t.category);
		ck_assert_ptr_null(t.assignee);
		ck_assert_int_eq(t.hidden, u.t[i].hidden);
		ck_assert_int_eq(t.reopen_count, 0);
		/* its first event, written with it */
		ck_assert_int_eq(history_has(fx.st, t.id, "created", &found,
		    &err), 0);
		ck_assert(found);
		ticket_clear(&t);
		ticket_clear(&u.t[i]);
	}
}
END_TEST

/*
 * A statement failed in the transaction and nobody rolled back: on
 * PostgreSQL the transaction is aborted and its COMMIT is a ROLLBACK,
 * which must be told as a failure (nothing told stored that was not);
 * SQLite undoes the failed statement alone and commits the rest.
 */
START_TEST(test_commit_of_failed)
{
	bool pg = getenv("TRIAGED_TEST_DATABASE") != NULL;
	struct ticket t;
	struct error err;
	char *company;
	int64_t reserved;

	ck_assert_int_eq(store_begin(fx.st, &err), 0);
	ck_assert_int_eq(unit_create(fx.st, "before the failure", NULL, &err),
	    0);
	/* subject is NOT NULL: the INSERT fails */
	ck_assert_int_eq(ticket_create(fx.st, &(struct ticket_new){
	    .source = "test", .now = 1000 }, &t, &company, &reserved, &err),
	    -1);
	ck_assert_int_eq(store_commit(fx.st, &err), pg ? -1 : 0);
	if (pg) {
		ck_assert_msg(strstr(err.msg, "rolled back") != NULL, "%s",
		    err.msg);
		store_rollback(fx.st);
	}
	ck_assert_uint_eq(count_subject("before the failure"), pg ? 0 : 1);
}
END_TEST

static Suite *
store_writer_suite(void)
{
	Suite *s = suite_create("store_writer");
	TCase *tc = tcase_create("parse stage");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_small_passes_big);
	tcase_add_test(tc, test_order_key);
	tcase_add_test(tc, test_stop_finishes);
	tcase_add_test(tc, test_gathers_parsing);
	suite_add_tcase(s, tc);
	/* these run on PostgreSQL too (tests/integration/writer_pg.sh) */
	tc = tcase_create("units");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_unit_rolls_back_alone);
	tcase_add_test(tc, test_deferred_write_fails);
	tcase_add_test(tc, test_reserved_request);
	tcase_add_test(tc, test_commit_of_failed);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	/*
	 * The writer activates the loop's event from its own thread, as in
	 * the daemon (triaged.c does the same): without libevent's thread
	 * support a loop already in epoll_wait is never woken, and a test
	 * waited forever for its last completions (1 run in 12).
	 */
	if (evthread_use_pthreads() != 0) {
		fprintf(stderr, "evthread_use_pthreads failed\n");
		return EXIT_FAILURE;
	}
	sr = srunner_create(store_writer_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
