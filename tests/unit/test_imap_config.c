/*
 * Unit tests for the IMAP intake's pieces that need no server: the
 * mailboxes list in config.c (values, defaults, and one exact
 * "file:line: setting: problem" line per mistake), imap_poller_same()
 * (what a reload compares), mailbox_state.c on a real store, and a
 * mailbox's defaults reaching a new request through intake.  Files live
 * under a mkdtemp() directory removed at the end.
 */
#include <sys/stat.h>

#include <check.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "error.h"
#include "imap_poller.h"
#include "intake.h"
#include "mailbox_lease.h"
#include "mailbox_state.h"
#include "store.h"
#include "store_sqlite.h"
#include "xmalloc.h"

static char	tmpdir[] = "/tmp/test_imap_config.XXXXXX";

static char	*write_file(const char *name, const char *text);
static char	*expand(const char *pattern, const char *file);
static struct config *load_text(const char *name, const char *text,
		    struct buf *errors);
static int	 remove_entry(const char *, const struct stat *, int,
		    struct FTW *);

/* "FILE" in a pattern stands for the config file, "DIR" for tmpdir. */
static char *
expand(const char *pattern, const char *file)
{
	struct buf b;
	const char *p = pattern;
	char *out;

	buf_init(&b);
	while (*p != '\0') {
		if (strncmp(p, "FILE", 4) == 0) {
			buf_append_str(&b, file);
			p += 4;
		} else if (strncmp(p, "DIR", 3) == 0) {
			buf_append_str(&b, tmpdir);
			p += 3;
		} else
			buf_append_char(&b, *p++);
	}
	out = buf_steal(&b, NULL);
	buf_release(&b);
	return out;
}

static char *
write_file(const char *name, const char *text)
{
	char *path, *body;
	FILE *f;

	xasprintf(&path, "%s/%s", tmpdir, name);
	body = expand(text, path);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(body, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	free(body);
	return path;
}

static struct config *
load_text(const char *name, const char *text, struct buf *errors)
{
	struct config *c;
	char *path = write_file(name, text);

	c = config_load(path, errors);
	free(path);
	return c;
}

START_TEST(test_valid_block)
{
	struct buf *errors = buf_new();
	struct config *c;
	const struct config_mailbox *a, *b;

	free(write_file("secret", "  s3cret \nsecond line\n"));
	c = load_text("valid.conf",
	    "mailboxes = (\n"
	    "  { name = \"support\"; host = \"imap.example.com\";\n"
	    "    user = \"support@example.com\"; password = \"pw\"; },\n"
	    "  { name = \"billing-2.eu\"; host = \"127.0.0.1\"; port = 10143;\n"
	    "    tls = \"starttls\"; verify = false;\n"
	    "    user = \"bill\"; password_file = \"DIR/secret\";\n"
	    "    folder = \"Support\"; after = \"move\"; move_to = \"Done\";\n"
	    "    idle = false; poll_interval = 5; batch = 1000;\n"
	    "    max_message_size = 1048576;\n"
	    "    category = \"billing/invoices\"; priority = \"high\";\n"
	    "    tags = [ \"eu\", \"vip\" ]; }\n"
	    ");\n", errors);
	ck_assert_msg(c != NULL, "%s", errors->data);
	ck_assert_uint_eq(c->nmailboxes, 2);
	a = &c->mailboxes[0];
	ck_assert_str_eq(a->name, "support");
	ck_assert_str_eq(a->host, "imap.example.com");
	ck_assert_int_eq(a->port, 993);
	ck_assert_int_eq(a->tls, CONFIG_TLS_IMPLICIT);
	ck_assert(!a->allow_plaintext);
	ck_assert(a->verify);
	ck_assert_ptr_null(a->ca_file);
	ck_assert_str_eq(a->password, "pw");
	ck_assert_str_eq(a->folder, "INBOX");
	ck_assert_int_eq(a->after, CONFIG_IMAP_AFTER_SEEN);
	ck_assert_ptr_null(a->move_to);
	ck_assert(a->idle);
	ck_assert_int_eq(a->poll_interval, 60);
	ck_assert_int_eq(a->batch, 50);
	ck_assert_uint_eq(a->max_message_size, 26214400);	/* limits' */
	ck_assert_ptr_null(a->category);
	ck_assert_ptr_null(a->priority);
	ck_assert_uint_eq(a->ntags, 0);
	b = &c->mailboxes[1];
	ck_assert_str_eq(b->name, "billing-2.eu");
	ck_assert_int_eq(b->port, 10143);
	ck_assert_int_eq(b->tls, CONFIG_TLS_STARTTLS);
	ck_assert(!b->verify);
	ck_assert_str_eq(b->password, "s3cret");
	ck_assert_str_eq(b->folder, "Support");
	ck_assert_int_eq(b->after, CONFIG_IMAP_AFTER_MOVE);
	ck_assert_str_eq(b->move_to, "Done");
	ck_assert(!b->idle);
	ck_assert_int_eq(b->poll_interval, 5);
	ck_assert_int_eq(b->batch, 1000);
	ck_assert_uint_eq(b->max_message_size, 1048576);
	ck_assert_str_eq(b->category, "billing/invoices");
	ck_assert_str_eq(b->priority, "high");
	ck_assert_uint_eq(b->ntags, 2);
	ck_assert_str_eq(b->tags[0], "eu");
	ck_assert_str_eq(b->tags[1], "vip");
	config_unref(c);
	buf_free(errors);
}
END_TEST

START_TEST(test_plain_and_default_port)
{
	struct config *c;

	c = load_text("plain.conf",
	    "mailboxes = ( { name = \"a\"; host = \"h\"; user = \"u\";\n"
	    "  tls = \"none\"; allow_plaintext = true; after = \"delete\"; }"
	    " );\n", NULL);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->mailboxes[0].port, 143);
	ck_assert_int_eq(c->mailboxes[0].tls, CONFIG_TLS_NONE);
	ck_assert_int_eq(c->mailboxes[0].after, CONFIG_IMAP_AFTER_DELETE);
	config_unref(c);

	/* 0, or left out, is the listeners' limit, wherever it is set. */
	c = load_text("size.conf",
	    "mailboxes = ( { name = \"a\"; host = \"h\"; user = \"u\"; },\n"
	    "  { name = \"b\"; host = \"h\"; user = \"u\";\n"
	    "    max_message_size = 0; } );\n"
	    "limits = { max_message_size = 2048; max_line_length = 1000; };\n",
	    NULL);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->mailboxes[0].max_message_size, 2048);
	ck_assert_uint_eq(c->mailboxes[1].max_message_size, 2048);
	config_unref(c);

	c = load_text("none.conf", "mailboxes = [];\n", NULL);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->nmailboxes, 0);
	config_unref(c);
}
END_TEST

struct error_case {
	const char	*text;
	const char	*want;		/* "FILE": the file; "DIR" */
};

#define MB	"name = \"a\"; host = \"h\"; user = \"u\";"

static const struct error_case error_cases[] = {
	{ "mailboxes = (\n { " MB "\n   hots = \"x\"; }\n);\n",
	  "FILE:3: mailboxes[0].hots: unknown setting (did you mean host?)\n" },
	{ "mailboxes = (\n { " MB "\n   max_message_size = 10; }\n);\n",
	  "FILE:3: mailboxes[0].max_message_size: must be 0 (limits."
	  "max_message_size) or at least 1024\n" },
	{ "mailboxes = (\n { " MB "\n   tls = \"none\"; }\n);\n",
	  "FILE:3: mailboxes[0].tls: \"none\" sends the password in clear "
	  "text; set allow_plaintext = true to allow it\n" },
	{ "mailboxes = (\n { " MB "\n   after = \"move\"; }\n);\n",
	  "FILE:3: mailboxes[0].after: \"move\" needs move_to (the folder to "
	  "move into)\n" },
	{ "mailboxes = (\n { " MB " after = \"move\";\n"
	  "   move_to = \"INBOX\"; }\n);\n",
	  "FILE:3: mailboxes[0].move_to: must differ from folder\n" },
	{ "mailboxes = (\n { " MB " },\n { name = \"b\"; host = \"h\";"
	  " user = \"u\"; },\n { user = \"v\"; host = \"h\";\n"
	  "   name = \"a\"; }\n);\n",
	  "FILE:5: mailboxes[2].name: \"a\" is already the name of "
	  "mailboxes[0]\n" },
	{ "mailboxes = (\n { " MB " password = \"p\";\n"
	  "   password_file = \"DIR/secret\"; }\n);\n",
	  "FILE:3: mailboxes[0].password_file: cannot be used together with "
	  "password\n" },
	{ "mailboxes = (\n { " MB "\n   password_file = \"DIR/nope\"; }\n);\n",
	  "FILE:3: mailboxes[0].password_file: cannot read DIR/nope: No such "
	  "file or directory\n" },
	{ "mailboxes = (\n { name = \"a\"; user = \"u\"; }\n);\n",
	  "FILE:2: mailboxes[0]: missing host\n" },
	{ "mailboxes = (\n { name = \"a b\"; host = \"h\"; user = \"u\"; }\n"
	  ");\n",
	  "FILE:2: mailboxes[0].name: must contain only letters, digits, "
	  "'_', '.' and '-'\n" },
	{ "mailboxes = (\n { " MB "\n   tls = \"ssl\"; }\n);\n",
	  "FILE:3: mailboxes[0].tls: must be one of implicit, starttls, "
	  "none\n" },
	{ "mailboxes = (\n { " MB "\n   after = \"keep\"; }\n);\n",
	  "FILE:3: mailboxes[0].after: must be one of seen, move, delete\n" },
	{ "mailboxes = (\n { " MB "\n   batch = 0; }\n);\n",
	  "FILE:3: mailboxes[0].batch: must be between 1 and 1000\n" },
	{ "mailboxes = (\n { " MB "\n   poll_interval = 1; }\n);\n",
	  "FILE:3: mailboxes[0].poll_interval: must be between 5 and 86400\n" },
	{ "mailboxes = (\n { " MB "\n   priority = \"asap\"; }\n);\n",
	  "FILE:3: mailboxes[0].priority: unknown priority asap (use low, "
	  "normal, high, urgent)\n" },
	/* the levels are the admin's */
	{ "priorities = [ \"p3\", \"p2\", \"p1\" ];\n"
	  "mailboxes = (\n { " MB "\n   priority = \"high\"; }\n);\n",
	  "FILE:4: mailboxes[0].priority: unknown priority high (use p3, p2, "
	  "p1)\n" },
	{ "categories = ( { path = \"Support\"; } );\n"
	  "mailboxes = (\n { " MB "\n   category = \"Sales\"; }\n);\n",
	  "FILE:4: mailboxes[0].category: unknown category Sales\n" },
	{ "mailboxes = (\n { " MB "\n   tags = \"x\"; }\n);\n",
	  "FILE:3: mailboxes[0].tags: must be a list of strings [ \"a\", "
	  "\"b\" ]\n" },
	{ "mailboxes = (\n { " MB "\n   tags = [ \"\" ]; }\n);\n",
	  "FILE:3: mailboxes[0].tags[0]: must not be empty\n" },
	{ "mailboxes = (\n { " MB "\n   ca_file = \"DIR/nope.pem\"; }\n);\n",
	  "FILE:3: mailboxes[0].ca_file: cannot read DIR/nope.pem: No such "
	  "file or directory\n" },
	{ "mailboxes = { name = \"a\"; };\n",
	  "FILE:1: mailboxes: must be a list ( { name = \"support\"; host = "
	  "\"imap.example.com\"; user = \"support@example.com\"; ... }, ... )\n" },
	{ "mailboxes = ( 5 );\n",
	  "FILE:1: mailboxes[0]: must be a group { name = \"support\"; host = "
	  "\"imap.example.com\"; user = \"support@example.com\"; ... }\n" },
};

START_TEST(test_errors)
{
	const struct error_case *tc = &error_cases[_i];
	struct buf *errors = buf_new();
	struct config *c;
	char *name, *path, *want;

	free(write_file("secret", "pw\n"));
	xasprintf(&name, "error%d.conf", _i);
	path = write_file(name, tc->text);
	c = config_load(path, errors);
	want = expand(tc->want, path);
	ck_assert_msg(c == NULL, "case %d loaded", _i);
	ck_assert_str_eq(errors->data, want);
	free(want);
	free(path);
	free(name);
	buf_free(errors);
}
END_TEST

START_TEST(test_same)
{
	struct config *a, *b, *d, *e, *f;

	a = load_text("same1.conf", "mailboxes = ( { " MB
	    " tags = [ \"x\" ]; } );\n", NULL);
	b = load_text("same2.conf", "mailboxes = ( { " MB
	    " tags = [ \"x\" ]; } );\nlog_level = \"debug\";\n", NULL);
	d = load_text("same3.conf", "mailboxes = ( { " MB
	    " tags = [ \"y\" ]; } );\n", NULL);
	e = config_load(NULL, NULL);
	/* The listeners' limit changes a mailbox's that follows it. */
	f = load_text("same4.conf", "mailboxes = ( { " MB
	    " tags = [ \"x\" ]; } );\nlimits = { max_message_size = "
	    "2000000; };\n", NULL);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_nonnull(f);
	ck_assert(imap_poller_same(a, b));
	ck_assert(!imap_poller_same(a, d));
	ck_assert(!imap_poller_same(a, e));
	ck_assert(!imap_poller_same(a, f));
	ck_assert(imap_poller_same(e, e));
	config_unref(a);
	config_unref(b);
	config_unref(d);
	config_unref(e);
	config_unref(f);
}
END_TEST

START_TEST(test_state)
{
	struct mailbox_state s, *rows;
	struct store *st;
	struct error err;
	char *db;
	bool found;
	size_t n;

	xasprintf(&db, "%s/state.db", tmpdir);
	error_clear(&err);
	st = store_open(db, 0, &err);
	ck_assert_msg(st != NULL, "%s", err.msg);
	ck_assert_int_eq(mailbox_state_get(st, "a", &s, &found, &err), 0);
	ck_assert(!found);
	ck_assert_int_eq(s.uidvalidity, -1);
	mailbox_state_clear(&s);

	ck_assert_int_eq(mailbox_state_set(st, "a", MAILBOX_STATE_CONNECTING,
	    NULL, 100, &err), 0);
	ck_assert_int_eq(mailbox_state_set_uidvalidity(st, "a", 77, &err), 0);
	ck_assert_int_eq(mailbox_state_round(st, "a", MAILBOX_STATE_IDLE, 12,
	    5, 3, 200, &err), 0);
	ck_assert_int_eq(mailbox_state_round(st, "a", MAILBOX_STATE_IDLE, 9,
	    2, 0, 300, &err), 0);
	ck_assert_int_eq(mailbox_state_set(st, "a", MAILBOX_STATE_ERROR,
	    "login failed", 400, &err), 0);
	ck_assert_int_eq(mailbox_state_set(st, "a", MAILBOX_STATE_CONNECTED,
	    NULL, 500, &err), 0);
	ck_assert_int_eq(mailbox_state_get(st, "a", &s, &found, &err), 0);
	ck_assert(found);
	ck_assert_int_eq(s.uidvalidity, 77);
	ck_assert_int_eq(s.last_uid, 12);	/* never goes down */
	ck_assert_int_eq(s.taken, 7);
	ck_assert_int_eq(s.backlog, 0);
	ck_assert_int_eq(s.last_success, 300);
	ck_assert_str_eq(s.state, "connected");
	ck_assert_str_eq(s.last_error, "login failed");	/* kept */
	ck_assert_int_eq(s.last_error_at, 400);
	mailbox_state_clear(&s);

	/* A new UIDVALIDITY starts last_uid again, keeps the counters. */
	ck_assert_int_eq(mailbox_state_set_uidvalidity(st, "a", 78, &err), 0);
	ck_assert_int_eq(mailbox_state_set(st, "b", MAILBOX_STATE_ERROR,
	    "refused", 600, &err), 0);
	ck_assert_int_eq(mailbox_state_list(st, &rows, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(rows[0].name, "a");
	ck_assert_int_eq(rows[0].uidvalidity, 78);
	ck_assert_int_eq(rows[0].last_uid, 0);
	ck_assert_int_eq(rows[0].taken, 7);
	ck_assert_str_eq(rows[1].name, "b");
	ck_assert_int_eq(rows[1].last_uid, -1);
	ck_assert_str_eq(rows[1].last_error, "refused");
	mailbox_state_free(rows, n);
	store_close(st);
	free(db);
}
END_TEST

/* The lease of a mailbox: one holder at a time, taken over once run out. */
START_TEST(test_lease)
{
	struct store *st;
	struct error err;
	char *db;
	bool held;

	xasprintf(&db, "%s/lease.db", tmpdir);
	error_clear(&err);
	st = store_open(db, 0, &err);
	ck_assert_msg(st != NULL, "%s", err.msg);
	ck_assert_int_eq(mailbox_lease_take(st, "a", "h1", 100, 160, &held,
	    &err), 0);
	ck_assert(held);			/* free */
	ck_assert_int_eq(mailbox_lease_take(st, "a", "h2", 110, 170, &held,
	    &err), 0);
	ck_assert(!held);			/* h1's runs till 160 */
	ck_assert_int_eq(mailbox_lease_take(st, "a", "h1", 150, 210, &held,
	    &err), 0);
	ck_assert(held);			/* renewed */
	ck_assert_int_eq(mailbox_lease_take(st, "a", "h2", 200, 260, &held,
	    &err), 0);
	ck_assert(!held);
	ck_assert_int_eq(mailbox_lease_take(st, "a", "h2", 211, 271, &held,
	    &err), 0);
	ck_assert(held);			/* h1 stopped renewing */
	ck_assert_int_eq(mailbox_lease_take(st, "a", "h1", 212, 272, &held,
	    &err), 0);
	ck_assert(!held);			/* lost */
	ck_assert_int_eq(mailbox_lease_take(st, "b", "h1", 212, 272, &held,
	    &err), 0);
	ck_assert(held);			/* per mailbox */
	/* a release by a non-holder changes nothing; the holder's frees it */
	ck_assert_int_eq(mailbox_lease_release(st, "a", "h1", &err), 0);
	ck_assert_int_eq(mailbox_lease_take(st, "a", "h3", 213, 273, &held,
	    &err), 0);
	ck_assert(!held);
	ck_assert_int_eq(mailbox_lease_release(st, "a", "h2", &err), 0);
	ck_assert_int_eq(mailbox_lease_take(st, "a", "h3", 214, 274, &held,
	    &err), 0);
	ck_assert(held);
	store_close(st);
	free(db);
}
END_TEST

/* A mailbox's category, priority and tags land on the request it opens. */
START_TEST(test_defaults_reach_request)
{
	static const char msg[] = "From: Ann <ann@example.org>\r\n"
	    "To: support@example.test\r\nSubject: help\r\n"
	    "Message-ID: <m1@example.org>\r\n\r\nHello\r\n";
	static const char reply[] = "From: Ann <ann@example.org>\r\n"
	    "To: support@example.test\r\nSubject: Re: [#1] help\r\n"
	    "Message-ID: <m2@example.org>\r\n\r\nMore\r\n";
	char vip[] = "vip", eu[] = "eu";
	char *const tags[] = { vip, eu };
	struct intake_job *job;
	struct store *st;
	struct error err;
	struct buf *raw;
	sqlite3_stmt *q;
	char *db;

	config_set_current(config_load(NULL, NULL));
	xasprintf(&db, "%s/defaults.db", tmpdir);
	st = store_open(db, 0, &err);
	ck_assert_ptr_nonnull(st);
	raw = buf_new();
	buf_append(raw, msg, sizeof(msg) - 1);
	job = intake_job_new(raw, "imap:a", NULL, NULL, 0);
	intake_job_set_defaults(job, "billing", "high", tags, 2);
	ck_assert_int_eq(intake_run(st, job), 0);
	ck_assert_int_eq(job->status, INTAKE_STORED);
	intake_job_free(job);
	/* A follow-up from another mailbox changes nothing of that. */
	raw = buf_new();
	buf_append(raw, reply, sizeof(reply) - 1);
	job = intake_job_new(raw, "lmtp", NULL, NULL, 0);
	intake_job_set_defaults(job, "other", "low", NULL, 0);
	ck_assert_int_eq(intake_run(st, job), 0);
	intake_job_free(job);

	ck_assert_int_eq(sqlite3_prepare_v2(store_db(st), "SELECT category,"
	    " priority, source, (SELECT group_concat(tag, ',') FROM (SELECT"
	    " tag FROM ticket_tags WHERE ticket_id = tickets.id ORDER BY tag))"
	    " FROM tickets", -1, &q, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(q, 0), "billing");
	ck_assert_str_eq((const char *)sqlite3_column_text(q, 1), "high");
	ck_assert_str_eq((const char *)sqlite3_column_text(q, 2), "imap:a");
	ck_assert_str_eq((const char *)sqlite3_column_text(q, 3), "eu,vip");
	ck_assert_int_eq(sqlite3_step(q), SQLITE_DONE);
	sqlite3_finalize(q);
	store_close(st);
	config_set_current(NULL);
	free(db);
}
END_TEST

static int
remove_entry(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	return remove(path);
}

static Suite *
imap_config_suite(void)
{
	Suite *s = suite_create("imap_config");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_valid_block);
	tcase_add_test(tc, test_plain_and_default_port);
	tcase_add_loop_test(tc, test_errors, 0,
	    sizeof(error_cases) / sizeof(error_cases[0]));
	tcase_add_test(tc, test_same);
	tcase_add_test(tc, test_state);
	tcase_add_test(tc, test_lease);
	tcase_add_test(tc, test_defaults_reach_request);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return EXIT_FAILURE;
	}
	sr = srunner_create(imap_config_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
