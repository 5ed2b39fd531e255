/*
 * test_sender: the outbox drain against a real SMTP peer (the aiosmtpd
 * sink in tests/peers/sink.py, started on a free loopback port).  Mail
 * queued in a temp store arrives exactly once and is marked sent; 451s
 * are retried with backoff on the fake clock; a 550 fails the row with
 * the server's text; mail too old is given up; without a smarthost the
 * Maildir gets it, exactly once across a restart (issue 20: a mail found
 * in new/ or cur/ is recorded, not written again; our unfinished files in
 * tmp/ are removed; two databases never share a file name); AUTH PLAIN
 * works and a wrong password waits; STARTTLS verifies the certificate.  Exit 77 (skip) without Debian's python3 and
 * aiosmtpd.
 */
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "config.h"
#include "error.h"
#include "outbox.h"
#include "sender.h"
#include "store.h"
#include "store_writer.h"
#include "store_sqlite.h"
#include "xmalloc.h"

#define PYTHON		"/usr/bin/python3"
#define T0		1800000000	/* fake "now" */
#define WAIT_MS		20000

struct fixture {
	char		 dir[64];
	char		 db[128];
	char		 sinkdir[128];
	pid_t		 sink_pid;
	int		 sink_port;
	struct store	*st;
};

static struct fixture fx;

/* --- helpers ------------------------------------------------------ */

static const char *
sink_script(void)
{
	static char path[PATH_MAX];
	const char *top = getenv("top_srcdir");

	if (top != NULL) {
		snprintf(path, sizeof(path), "%s/tests/peers/sink.py", top);
		return path;
	}
	/* Built from the source tree: __FILE__ is .../tests/unit/x.c */
	snprintf(path, sizeof(path), "%.*s/peers/sink.py",
	    (int)(strstr(__FILE__, "/unit/test_sender.c") - __FILE__),
	    __FILE__);
	return path;
}

/* Starts the sink with extra args (NULL-terminated); waits for "ready". */
static void
sink_start(const char *const *extra)
{
	const char *argv[16];
	char line[128] = "";
	struct pollfd pfd;
	int out[2], n = 0, i, got = 0;
	ssize_t r;

	argv[n++] = PYTHON;
	argv[n++] = sink_script();
	argv[n++] = "--port";
	argv[n++] = "0";
	argv[n++] = "--maildir";
	argv[n++] = fx.sinkdir;
	for (i = 0; extra != NULL && extra[i] != NULL; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	ck_assert_int_eq(pipe(out), 0);
	fx.sink_pid = fork();
	ck_assert_int_ge(fx.sink_pid, 0);
	if (fx.sink_pid == 0) {
		/* Dies with the test process, even if an assertion ends it. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(out[1], STDOUT_FILENO);
		close(out[0]);
		close(out[1]);
		execv(PYTHON, (char *const *)(void *)argv);
		_exit(127);
	}
	close(out[1]);
	pfd.fd = out[0];
	pfd.events = POLLIN;
	while (got < (int)sizeof(line) - 1 && strchr(line, '\n') == NULL) {
		ck_assert_msg(poll(&pfd, 1, WAIT_MS) == 1, "sink not ready");
		r = read(out[0], line + got, sizeof(line) - 1 - (size_t)got);
		ck_assert_msg(r > 0, "sink exited");
		got += (int)r;
		line[got] = '\0';
	}
	close(out[0]);
	ck_assert_int_eq(sscanf(line, "ready port=%d", &fx.sink_port), 1);
}

static void
sink_stop(void)
{
	if (fx.sink_pid > 0) {
		kill(fx.sink_pid, SIGTERM);
		waitpid(fx.sink_pid, NULL, 0);
		fx.sink_pid = 0;
	}
}

/* Loads a config made of the outgoing settings given, as current. */
static void
config_use(const char *outgoing)
{
	char path[160];
	struct config *cfg;
	struct buf errors;
	FILE *f;

	snprintf(path, sizeof(path), "%s/triaged.conf", fx.dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "hostname = \"triaged.example.test\";\n"
	    "database = \"%s\";\n"
	    "outgoing = { %s };\n", fx.db, outgoing);
	fclose(f);
	buf_init(&errors);
	cfg = config_load(path, &errors);
	ck_assert_msg(cfg != NULL, "config: %s", errors.data);
	buf_release(&errors);
	config_set_current(cfg);
}

static char *
smarthost_conf(const char *more)
{
	char *s;

	xasprintf(&s, "smarthost = { host = \"127.0.0.1\"; port = %d;"
	    " tls = \"none\"; timeout = 10; %s };"
	    " retry_min = 60; retry_max = 3600;", fx.sink_port,
	    more != NULL ? more : "");
	return s;
}

static int64_t
enqueue(const char *rcpt, const char *body, time_t created)
{
	char *msg;
	struct error err;

	xasprintf(&msg, "From: <support@example.test>\r\nTo: <%s>\r\n"
	    "Subject: test\r\nMessage-ID: <%s.1@example.test>\r\n\r\n%s",
	    rcpt, rcpt, body);
	error_clear(&err);
	ck_assert_msg(outbox_enqueue(fx.st, 0, "ack", "support@example.test",
	    rcpt, NULL, msg, strlen(msg), created, &err) == 0, "%s", err.msg);
	free(msg);
	return sqlite3_last_insert_rowid(store_db(fx.st));
}

struct row {
	char	status[16];
	int	attempts;
	time_t	next_attempt_at;
	char	last_error[600];
};

static void
row_get(int64_t id, struct row *r)
{
	sqlite3_stmt *stmt;
	const unsigned char *t;

	stmt = store_stmt(fx.st, "SELECT status, attempts, next_attempt_at,"
	    " last_error FROM outbox WHERE id = ?", NULL);
	ck_assert_ptr_nonnull(stmt);
	sqlite3_bind_int64(stmt, 1, id);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	snprintf(r->status, sizeof(r->status), "%s",
	    (const char *)sqlite3_column_text(stmt, 0));
	r->attempts = sqlite3_column_int(stmt, 1);
	r->next_attempt_at = (time_t)sqlite3_column_int64(stmt, 2);
	t = sqlite3_column_text(stmt, 3);
	snprintf(r->last_error, sizeof(r->last_error), "%s",
	    t != NULL ? (const char *)t : "");
	sqlite3_reset(stmt);
}

static void
pause_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Polls until row id has status and at least attempts (deadline). */
static void
wait_row(int64_t id, const char *status, int attempts, struct row *r)
{
	long long until = clock_mono_ms() + WAIT_MS;

	for (;;) {
		row_get(id, r);
		if (strcmp(r->status, status) == 0 && r->attempts >= attempts)
			return;
		ck_assert_msg(clock_mono_ms() < until, "row %lld: %s/%d,"
		    " wanted %s/%d (%s)", (long long)id, r->status,
		    r->attempts, status, attempts, r->last_error);
		pause_ms(20);
	}
}

/* The files in dir/new, read into an array of strings. */
static size_t
maildir_read(const char *dir, char **files, size_t max)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat sb;
	size_t n = 0;
	DIR *d;
	FILE *f;

	snprintf(path, sizeof(path), "%s/new", dir);
	if ((d = opendir(path)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		ck_assert_uint_lt(n, max);
		snprintf(path, sizeof(path), "%s/new/%s", dir, de->d_name);
		ck_assert_int_eq(stat(path, &sb), 0);
		files[n] = xcalloc(1, (size_t)sb.st_size + 1);
		f = fopen(path, "rb");
		ck_assert_ptr_nonnull(f);
		ck_assert_uint_eq(fread(files[n], 1, (size_t)sb.st_size, f),
		    (size_t)sb.st_size);
		fclose(f);
		n++;
	}
	closedir(d);
	return n;
}

static void
files_free(char **files, size_t n)
{
	while (n > 0)
		free(files[--n]);
}

static void
setup(void)
{
	struct error err;

	memset(&fx, 0, sizeof(fx));
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/test_sender.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(fx.dir));
	snprintf(fx.db, sizeof(fx.db), "%s/triaged.db", fx.dir);
	snprintf(fx.sinkdir, sizeof(fx.sinkdir), "%s/sink", fx.dir);
	error_clear(&err);
	fx.st = store_open(fx.db, 0, &err);
	ck_assert_msg(fx.st != NULL, "%s", err.msg);
	clock_set_fake(T0);
}

static void
teardown(void)
{
	char cmd[128];

	sink_stop();
	store_close(fx.st);
	config_set_current(NULL);
	clock_set_fake(0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx.dir);
	(void)!system(cmd);
}

/* The sender's marks go through a store writer, as in the daemon. */
static struct store_writer *writer;

static struct sender *
start_sender_on(const char *db)
{
	struct sender *s;
	struct error err;

	error_clear(&err);
	writer = store_writer_start(db, 1, NULL, NULL, &err);
	ck_assert_msg(writer != NULL, "%s", err.msg);
	s = sender_start(db, writer, "test:1:00000000", 60, &err);
	ck_assert_msg(s != NULL, "%s", err.msg);
	return s;
}

static struct sender *
start_sender(void)
{
	return start_sender_on(fx.db);
}

static void
stop_sender(struct sender *s)
{
	sender_stop(s);
	store_writer_stop(writer);
	writer = NULL;
}

/* --- tests -------------------------------------------------------- */

START_TEST(test_smarthost_exactly_once)
{
	static const char *rcpts[] = { "a@example.org", "b@example.org",
	    "c@example.org" };
	char *conf, *files[8], want[64];
	struct sender *s;
	struct row r;
	int64_t ids[3];
	size_t i, n, j;
	bool seen[3] = { false, false, false };

	sink_start(NULL);
	conf = smarthost_conf(NULL);
	config_use(conf);
	free(conf);
	for (i = 0; i < 3; i++)
		ids[i] = enqueue(rcpts[i], ".leading dot\r\nHello\r\n", T0);
	s = start_sender();
	for (i = 0; i < 3; i++) {
		wait_row(ids[i], "sent", 1, &r);
		ck_assert_int_eq(r.attempts, 1);
		ck_assert_str_eq(r.last_error, "");
	}
	sender_wake(s);
	stop_sender(s);
	n = maildir_read(fx.sinkdir, files, 8);
	ck_assert_uint_eq(n, 3);
	for (i = 0; i < n; i++) {
		/* Dot-stuffing undone by the server, no extra empty line. */
		ck_assert_msg(strstr(files[i], "\r\n\r\n.leading dot\r\n"
		    "Hello\r\n") != NULL, "%s", files[i]);
		ck_assert_str_eq(files[i] + strlen(files[i]) - 7, "Hello\r\n");
		ck_assert_ptr_nonnull(strstr(files[i],
		    "X-Sink-Mail-From: <support@example.test>"));
		for (j = 0; j < 3; j++) {
			snprintf(want, sizeof(want), "X-Sink-Rcpt-To: <%s>\r\n",
			    rcpts[j]);
			if (strstr(files[i], want) != NULL) {
				ck_assert(!seen[j]);
				seen[j] = true;
			}
		}
	}
	ck_assert(seen[0] && seen[1] && seen[2]);
	files_free(files, n);
}
END_TEST

START_TEST(test_tempfail_backoff)
{
	static const char *const args[] = { "--fail-first", "2", NULL };
	char *conf, *files[4];
	struct sender *s;
	struct row r;
	int64_t id;
	size_t n;

	sink_start(args);
	conf = smarthost_conf(NULL);
	config_use(conf);
	free(conf);
	id = enqueue("a@example.org", "Hello\r\n", T0);
	s = start_sender();
	/* First 451: retry after retry_min (60 s) + up to 10%. */
	wait_row(id, "queued", 1, &r);
	ck_assert_int_ge(r.next_attempt_at, T0 + 60);
	ck_assert_int_le(r.next_attempt_at, T0 + 66);
	ck_assert_ptr_nonnull(strstr(r.last_error, "451"));
	ck_assert_ptr_nonnull(strstr(r.last_error, "try again later"));
	/* Not due yet: a wake-up changes nothing. */
	sender_wake(s);
	pause_ms(200);
	row_get(id, &r);
	ck_assert_int_eq(r.attempts, 1);
	/* Second 451: doubled (120 s + up to 10%). */
	clock_set_fake(r.next_attempt_at);
	sender_wake(s);
	wait_row(id, "queued", 2, &r);
	ck_assert_int_ge(r.next_attempt_at, clock_now() + 120);
	ck_assert_int_le(r.next_attempt_at, clock_now() + 132);
	clock_set_fake(r.next_attempt_at);
	sender_wake(s);
	wait_row(id, "sent", 3, &r);
	ck_assert_int_eq(r.attempts, 3);
	stop_sender(s);
	n = maildir_read(fx.sinkdir, files, 4);
	ck_assert_uint_eq(n, 1);
	files_free(files, n);
}
END_TEST

START_TEST(test_reject_fails)
{
	static const char *const args[] = { "--reject", NULL };
	char *conf, *files[2];
	struct sender *s;
	struct row r;
	int64_t id;

	sink_start(args);
	conf = smarthost_conf(NULL);
	config_use(conf);
	free(conf);
	id = enqueue("a@example.org", "Hello\r\n", T0);
	s = start_sender();
	wait_row(id, "failed", 1, &r);
	stop_sender(s);
	ck_assert_int_eq(r.attempts, 1);
	ck_assert_msg(strstr(r.last_error, "550 5.7.1 Rejected by the test"
	    " sink") != NULL, "%s", r.last_error);
	ck_assert_uint_eq(maildir_read(fx.sinkdir, files, 2), 0);
}
END_TEST

START_TEST(test_give_up)
{
	static const char *const args[] = { "--fail-first", "100", NULL };
	char *conf;
	struct sender *s;
	struct row r;
	int64_t id;

	sink_start(args);
	conf = smarthost_conf(NULL);
	config_use(conf);
	free(conf);
	/* Queued six days ago; give_up_after defaults to five. */
	id = enqueue("a@example.org", "Hello\r\n", T0 - 6 * 86400);
	s = start_sender();
	wait_row(id, "failed", 1, &r);
	stop_sender(s);
	ck_assert_msg(strstr(r.last_error, "gave up after 432000s") != NULL &&
	    strstr(r.last_error, "451") != NULL, "%s", r.last_error);
}
END_TEST

START_TEST(test_connection_refused_retries)
{
	char *conf;
	struct sender *s;
	struct row r;
	int64_t id;

	fx.sink_port = 1;	/* nothing listens on loopback port 1 */
	conf = smarthost_conf(NULL);
	config_use(conf);
	free(conf);
	id = enqueue("a@example.org", "Hello\r\n", T0);
	s = start_sender();
	wait_row(id, "queued", 1, &r);
	stop_sender(s);
	ck_assert_msg(strstr(r.last_error, "connect") != NULL, "%s",
	    r.last_error);
	ck_assert_int_ge(r.next_attempt_at, T0 + 60);
}
END_TEST

START_TEST(test_maildir_without_smarthost)
{
	char conf[256], out[160], *files[2];
	struct sender *s;
	struct row r;
	int64_t id;
	size_t n;

	snprintf(out, sizeof(out), "%s/outgoing/deeper", fx.dir);
	snprintf(conf, sizeof(conf), "maildir = \"%s\";", out);
	config_use(conf);
	id = enqueue("a@example.org", "Hello\r\nSecond line\r\n", T0);
	s = start_sender();
	wait_row(id, "sent", 1, &r);
	stop_sender(s);
	n = maildir_read(out, files, 2);
	ck_assert_uint_eq(n, 1);
	/* Maildir files use LF line ends. */
	ck_assert_str_eq(files[0], "From: <support@example.test>\n"
	    "To: <a@example.org>\nSubject: test\n"
	    "Message-ID: <a@example.org.1@example.test>\n\n"
	    "Hello\nSecond line\n");
	files_free(files, n);
}
END_TEST

START_TEST(test_auth_plain)
{
	static const char *const args[] = { "--auth", "agent:s3cret pass",
	    NULL };
	char *conf, *files[2];
	struct sender *s;
	struct row r;
	int64_t id;
	size_t n;

	sink_start(args);
	conf = smarthost_conf("user = \"agent\"; password = \"s3cret pass\";");
	config_use(conf);
	free(conf);
	id = enqueue("a@example.org", "Hello\r\n", T0);
	s = start_sender();
	wait_row(id, "sent", 1, &r);
	stop_sender(s);
	n = maildir_read(fx.sinkdir, files, 2);
	ck_assert_uint_eq(n, 1);
	files_free(files, n);
}
END_TEST

START_TEST(test_auth_login)
{
	static const char *const args[] = { "--auth", "agent:pw",
	    "--auth-exclude", "PLAIN", NULL };
	char *conf;
	struct sender *s;
	struct row r;
	int64_t id;

	sink_start(args);
	conf = smarthost_conf("user = \"agent\"; password = \"pw\";");
	config_use(conf);
	free(conf);
	id = enqueue("a@example.org", "Hello\r\n", T0);
	s = start_sender();
	wait_row(id, "sent", 1, &r);
	stop_sender(s);
}
END_TEST

START_TEST(test_auth_wrong_password_waits)
{
	static const char *const args[] = { "--auth", "agent:right", NULL };
	char *conf;
	struct sender *s;
	struct row r;
	int64_t id;

	sink_start(args);
	conf = smarthost_conf("user = \"agent\"; password = \"wrong\";");
	config_use(conf);
	free(conf);
	id = enqueue("a@example.org", "Hello\r\n", T0);
	s = start_sender();
	wait_row(id, "queued", 1, &r);
	stop_sender(s);
	ck_assert_msg(strstr(r.last_error, "AUTH") != NULL &&
	    strstr(r.last_error, "535") != NULL, "%s", r.last_error);
}
END_TEST

/* The Maildir name the sender gives row id of store st (sender.c). */
static void
row_name(struct store *st, int64_t id, char *name, size_t size)
{
	char sid[STORE_ID_LEN + 1];
	sqlite3_stmt *stmt;
	struct error err;

	error_clear(&err);
	ck_assert_msg(store_id(st, sid, &err) == 0, "%s", err.msg);
	stmt = store_stmt(st, "SELECT created_at FROM outbox WHERE id = ?",
	    NULL);
	sqlite3_bind_int64(stmt, 1, id);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	snprintf(name, size, "%lld.R%lld_%s.triaged",
	    (long long)sqlite3_column_int64(stmt, 0), (long long)id, sid);
	sqlite3_reset(stmt);
}

static void
put_file(const char *path, const char *text, time_t mtime)
{
	struct timespec ts[2];
	FILE *f = fopen(path, "w");

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	if (mtime != 0) {
		ts[0].tv_sec = ts[1].tv_sec = mtime;
		ts[0].tv_nsec = ts[1].tv_nsec = 0;
		ck_assert_int_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
	}
}

static size_t
count_files(const char *dir)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static char *
file_text(const char *path)
{
	char *files[1];
	struct stat sb;
	FILE *f;

	ck_assert_msg(stat(path, &sb) == 0, "%s: %s", path, strerror(errno));
	files[0] = xcalloc(1, (size_t)sb.st_size + 1);
	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fread(files[0], 1, (size_t)sb.st_size, f),
	    (size_t)sb.st_size);
	fclose(f);
	return files[0];
}

/*
 * Issue 20: a crash between delivery and record leaves the mail in the
 * Maildir and its row queued.  At start the sender finds it, in new/ or
 * moved by a reader to cur/ with flags, and records it without writing
 * it again; its own unfinished files in tmp/ go, a fresh file of
 * another writer stays, one older than 36 hours goes.
 */
START_TEST(test_maildir_restart_exactly_once)
{
	char conf[256], out[160], path[PATH_MAX], name[3][128], *text;
	struct sender *s;
	struct row r;
	int64_t ids[3];
	size_t i;

	snprintf(out, sizeof(out), "%s/outgoing", fx.dir);
	snprintf(conf, sizeof(conf), "maildir = \"%s\";", out);
	config_use(conf);
	for (i = 0; i < 3; i++) {
		ids[i] = enqueue(i == 0 ? "a@example.org" : i == 1 ?
		    "b@example.org" : "c@example.org", "Hello\r\n", T0);
		row_name(fx.st, ids[i], name[i], sizeof(name[i]));
	}
	ck_assert_str_ne(name[0], name[1]);
	ck_assert_int_eq(mkdir(out, 0700), 0);
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", out,
		    i == 0 ? "tmp" : i == 1 ? "new" : "cur");
		ck_assert_int_eq(mkdir(path, 0700), 0);
	}
	/* 0: delivered, then read: in cur/ with the reader's flags */
	snprintf(path, sizeof(path), "%s/cur/%s:2,S", out, name[0]);
	put_file(path, "first copy\n", 0);
	/* 1: delivered, not yet read */
	snprintf(path, sizeof(path), "%s/new/%s", out, name[1]);
	put_file(path, "second copy\n", 0);
	/* 2: cut short in tmp/ */
	snprintf(path, sizeof(path), "%s/tmp/%s", out, name[2]);
	put_file(path, "From: half a mes", 0);
	snprintf(path, sizeof(path), "%s/tmp/1800000000.4242_1.mta", out);
	put_file(path, "another writer's delivery in progress", 0);
	snprintf(path, sizeof(path), "%s/tmp/1700000000.4242_2.mta", out);
	put_file(path, "another writer's leftover", time(NULL) - 37 * 3600);

	s = start_sender();
	for (i = 0; i < 3; i++) {
		wait_row(ids[i], "sent", 1, &r);
		ck_assert_int_eq(r.attempts, 1);
	}
	stop_sender(s);
	/* Not written again: the reader's copy and the one in new/ stay. */
	snprintf(path, sizeof(path), "%s/cur/%s:2,S", out, name[0]);
	text = file_text(path);
	ck_assert_str_eq(text, "first copy\n");
	free(text);
	snprintf(path, sizeof(path), "%s/new/%s", out, name[0]);
	ck_assert_int_eq(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/new/%s", out, name[1]);
	text = file_text(path);
	ck_assert_str_eq(text, "second copy\n");
	free(text);
	/* 2 delivered whole, under its name */
	snprintf(path, sizeof(path), "%s/new/%s", out, name[2]);
	text = file_text(path);
	ck_assert_ptr_nonnull(strstr(text, "To: <c@example.org>\n"));
	free(text);
	snprintf(path, sizeof(path), "%s/new", out);
	ck_assert_uint_eq(count_files(path), 2);
	snprintf(path, sizeof(path), "%s/tmp", out);
	ck_assert_uint_eq(count_files(path), 1);
	snprintf(path, sizeof(path), "%s/tmp/1800000000.4242_1.mta", out);
	ck_assert_int_eq(access(path, F_OK), 0);
}
END_TEST

/* Row 1 of two databases: two files in one Maildir, not one. */
START_TEST(test_maildir_two_stores)
{
	static const char msg2[] = "Subject: b\r\n\r\nHi\r\n";
	char conf[256], out[160], db2[160], name[2][128];
	struct store *st2;
	struct sender *s;
	struct error err;
	struct row r;
	long long until;
	int64_t id;

	snprintf(out, sizeof(out), "%s/outgoing", fx.dir);
	snprintf(conf, sizeof(conf), "maildir = \"%s\";", out);
	config_use(conf);
	id = enqueue("a@example.org", "Hello\r\n", T0);
	ck_assert_int_eq(id, 1);
	row_name(fx.st, id, name[0], sizeof(name[0]));
	s = start_sender();
	wait_row(id, "sent", 1, &r);
	stop_sender(s);

	snprintf(db2, sizeof(db2), "%s/other.db", fx.dir);
	error_clear(&err);
	st2 = store_open(db2, 0, &err);
	ck_assert_msg(st2 != NULL, "%s", err.msg);
	ck_assert_int_eq(outbox_enqueue(st2, 0, "ack", "", "b@example.org",
	    NULL, msg2, strlen(msg2), T0, &err), 0);
	row_name(st2, 1, name[1], sizeof(name[1]));
	ck_assert_str_ne(name[0], name[1]);
	s = start_sender_on(db2);
	until = clock_mono_ms() + WAIT_MS;
	for (;;) {
		sqlite3_stmt *stmt = store_stmt(st2, "SELECT status FROM outbox"
		    " WHERE id = 1", NULL);
		bool sent;

		ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
		sent = strcmp((const char *)sqlite3_column_text(stmt, 0),
		    "sent") == 0;
		sqlite3_reset(stmt);
		if (sent)
			break;
		ck_assert_msg(clock_mono_ms() < until, "not sent from db2");
		pause_ms(20);
	}
	stop_sender(s);
	store_close(st2);
	snprintf(out + strlen(out), sizeof(out) - strlen(out), "/new");
	ck_assert_uint_eq(count_files(out), 2);
}
END_TEST

/* A self-signed certificate for 127.0.0.1; false if openssl is missing. */
static bool
make_cert(char *cert, char *key, size_t size)
{
	char cmd[1024];

	snprintf(cert, size, "%s/cert.pem", fx.dir);
	snprintf(key, size, "%s/key.pem", fx.dir);
	snprintf(cmd, sizeof(cmd), "openssl req -x509 -newkey rsa:2048 -nodes"
	    " -keyout '%s' -out '%s' -days 2 -subj /CN=sink.test"
	    " -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1", key, cert);
	return system(cmd) == 0;
}

START_TEST(test_starttls_verified)
{
	char cert[160], key[160], *conf, more[256], *files[2];
	const char *args[6];
	struct sender *s;
	struct row r;
	int64_t id;
	size_t n;

	if (!make_cert(cert, key, sizeof(cert)))
		return;		/* no openssl(1): nothing to test with */
	args[0] = "--tls-cert";
	args[1] = cert;
	args[2] = "--tls-key";
	args[3] = key;
	args[4] = NULL;
	sink_start(args);
	snprintf(more, sizeof(more), "tls = \"starttls\"; verify = true;"
	    " ca_file = \"%s\";", cert);
	xasprintf(&conf, "smarthost = { host = \"127.0.0.1\"; port = %d;"
	    " timeout = 10; %s }; retry_min = 60;", fx.sink_port, more);
	config_use(conf);
	free(conf);
	id = enqueue("a@example.org", "Hello over TLS\r\n", T0);
	s = start_sender();
	wait_row(id, "sent", 1, &r);
	stop_sender(s);
	n = maildir_read(fx.sinkdir, files, 2);
	ck_assert_uint_eq(n, 1);
	files_free(files, n);
}
END_TEST

START_TEST(test_implicit_tls_verified)
{
	char cert[160], key[160], *conf, *files[2];
	const char *args[6];
	struct sender *s;
	struct row r;
	int64_t id;
	size_t n;

	if (!make_cert(cert, key, sizeof(cert)))
		return;
	args[0] = "--tls-cert";
	args[1] = cert;
	args[2] = "--tls-key";
	args[3] = key;
	args[4] = "--tls-implicit";
	args[5] = NULL;
	sink_start(args);
	xasprintf(&conf, "smarthost = { host = \"127.0.0.1\"; port = %d;"
	    " timeout = 10; tls = \"tls\"; verify = true; ca_file = \"%s\"; };"
	    " retry_min = 60;", fx.sink_port, cert);
	config_use(conf);
	free(conf);
	id = enqueue("a@example.org", "Hello over implicit TLS\r\n", T0);
	s = start_sender();
	wait_row(id, "sent", 1, &r);
	stop_sender(s);
	n = maildir_read(fx.sinkdir, files, 2);
	ck_assert_uint_eq(n, 1);
	ck_assert_ptr_nonnull(strstr(files[0], "Hello over implicit TLS"));
	files_free(files, n);
}
END_TEST

START_TEST(test_tls_wrong_name_waits)
{
	char cert[160], key[160], *conf;
	const char *args[6];
	struct sender *s;
	struct row r;
	int64_t id;

	if (!make_cert(cert, key, sizeof(cert)))
		return;
	args[0] = "--tls-cert";
	args[1] = cert;
	args[2] = "--tls-key";
	args[3] = key;
	args[4] = "--tls-implicit";
	args[5] = NULL;
	sink_start(args);
	/* Trusted certificate, but it names 127.0.0.1, not "localhost". */
	xasprintf(&conf, "smarthost = { host = \"localhost\"; port = %d;"
	    " timeout = 10; tls = \"tls\"; verify = true; ca_file = \"%s\"; };"
	    " retry_min = 60;", fx.sink_port, cert);
	config_use(conf);
	free(conf);
	id = enqueue("a@example.org", "Hello\r\n", T0);
	s = start_sender();
	wait_row(id, "queued", 1, &r);
	stop_sender(s);
	ck_assert_msg(strstr(r.last_error, "not trusted") != NULL &&
	    strstr(r.last_error, "mismatch") != NULL, "%s", r.last_error);
}
END_TEST

START_TEST(test_starttls_untrusted_waits)
{
	char cert[160], key[160], *conf, *files[2];
	const char *args[6];
	struct sender *s;
	struct row r;
	int64_t id;

	if (!make_cert(cert, key, sizeof(cert)))
		return;
	args[0] = "--tls-cert";
	args[1] = cert;
	args[2] = "--tls-key";
	args[3] = key;
	args[4] = NULL;
	sink_start(args);
	/* The system store does not know our self-signed certificate. */
	xasprintf(&conf, "smarthost = { host = \"127.0.0.1\"; port = %d;"
	    " timeout = 10; tls = \"starttls\"; verify = true; };"
	    " retry_min = 60;", fx.sink_port);
	config_use(conf);
	free(conf);
	id = enqueue("a@example.org", "Hello\r\n", T0);
	s = start_sender();
	wait_row(id, "queued", 1, &r);
	stop_sender(s);
	ck_assert_msg(strstr(r.last_error, "not trusted") != NULL, "%s",
	    r.last_error);
	ck_assert_uint_eq(maildir_read(fx.sinkdir, files, 2), 0);
}
END_TEST

static Suite *
sender_suite(void)
{
	Suite *s = suite_create("sender");
	TCase *tc = tcase_create("smtp");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_smarthost_exactly_once);
	tcase_add_test(tc, test_tempfail_backoff);
	tcase_add_test(tc, test_reject_fails);
	tcase_add_test(tc, test_give_up);
	tcase_add_test(tc, test_connection_refused_retries);
	tcase_add_test(tc, test_maildir_without_smarthost);
	tcase_add_test(tc, test_maildir_restart_exactly_once);
	tcase_add_test(tc, test_maildir_two_stores);
	tcase_add_test(tc, test_auth_plain);
	tcase_add_test(tc, test_auth_login);
	tcase_add_test(tc, test_auth_wrong_password_waits);
	tcase_add_test(tc, test_starttls_verified);
	tcase_add_test(tc, test_implicit_tls_verified);
	tcase_add_test(tc, test_tls_wrong_name_waits);
	tcase_add_test(tc, test_starttls_untrusted_waits);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	if (access(PYTHON, X_OK) != 0 ||
	    system(PYTHON " -c 'import aiosmtpd' 2>/dev/null") != 0) {
		fprintf(stderr, "skip: %s with aiosmtpd not available\n",
		    PYTHON);
		return 77;
	}
	sr = srunner_create(sender_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
