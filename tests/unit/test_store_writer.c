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
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "buf.h"
#include "config.h"
#include "error.h"
#include "fixture.h"
#include "intake.h"
#include "store.h"
#include "store_writer.h"
#include "ticket.h"

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

/* A generic unit: opens a request named subject, or fails after it. */
struct unit {
	struct store_work	 work;
	const char		*subject;
	bool			 fail;
	bool			 done;
	struct run		*run;
};

static int
unit_run(struct store *st, struct store_work *work, struct error *err)
{
	struct unit *u = (struct unit *)(void *)work;
	struct ticket t;
	char *company;
	int64_t reserved;

	if (ticket_create(st, u->subject, 0, "test", 1000, &t, &company,
	    &reserved, err) == -1)
		return -1;
	ticket_clear(&t);
	free(company);
	if (u->fail)
		return error_set(err, ERR_PERM, "refused");
	return 0;
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
	ck_assert_int_eq(fixture_count(fx.st, "SELECT count(*) FROM tickets"
	    " WHERE subject = 'unit commits'"), 2);
	ck_assert_int_eq(fixture_count(fx.st, "SELECT count(*) FROM tickets"
	    " WHERE subject = 'unit fails'"), 0);
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
	tcase_add_test(tc, test_unit_rolls_back_alone);
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
