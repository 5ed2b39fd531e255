/*
 * test_smtp_server: the SMTP/LMTP engine against scripted clients over
 * loopback.  One thread: the test drives the server's event_base in short
 * slices while a non-blocking client socket (plain or OpenSSL) sends
 * scripted input and reads the replies.  Fake callbacks accept recipients
 * in @example.test and store each message, answering at once or later
 * from a timer (the wait for the store commit).
 *
 * Hostile cases follow Dovecot's test-smtp-server-errors checklist:
 * overlong lines, bare LF, NUL, 8-bit commands, pipelined DATA, too many
 * recipients, oversized mail, idle clients, disconnects mid-DATA and while
 * waiting, TLS garbage and STARTTLS command injection.  Issue 20 adds SMTP
 * smuggling forms (only CRLF.CRLF ends DATA), the per-address connection
 * limit, the first-command and transaction timeouts, and the budget of
 * message bytes in flight.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "buf.h"
#include "clock.h"
#include "error.h"
#include "inflight.h"
#include "log.h"
#include "smtp_server.h"
#include "tls.h"
#include "xmalloc.h"

#define MAX_MSGS	8
#define DEADLINE_MS	5000

struct stored {
	struct buf	*raw;
	char		*from;
	char		 rcpts[4096];	/* space-separated */
	size_t		 nrcpts;
};

/* The server under test and what its callbacks saw. */
struct fixture {
	struct event_base	*base;
	struct smtp_server	*srv;
	struct inflight		*inflight;	/* NULL: no budget */
	SSL_CTX			*ssl_ctx;
	int			 port;
	int			 defer_ms;	/* 0: data_done at once */
	bool			 per_rcpt;	/* LMTP: one reply each */
	struct smtp_session	*waiting;
	struct event		*ev_done;
	int			 ndone;
	struct stored		 msgs[MAX_MSGS];
	int			 nmsgs;
};

struct client {
	int	 fd;
	SSL_CTX	*ctx;
	SSL	*ssl;
	char	 rx[256 * 1024];
	size_t	 len;
};

static struct fixture F;
static char tls_dir[] = "/tmp/test_smtp_server.XXXXXX";
static char cert_path[256], key_path[256], other_key_path[256];

/* ------------------------------------------------------------------ */
/* Fake callbacks                                                     */

static bool
fake_rcpt(void *arg, const char *rcpt, struct smtp_reply *reply)
{
	size_t len = strlen(rcpt), sfx = strlen("@example.test");

	(void)arg;
	if (len > sfx && strcmp(rcpt + len - sfx, "@example.test") == 0)
		return true;
	reply->code = 550;
	snprintf(reply->text, sizeof(reply->text),
	    "5.7.1 <%s>: relaying denied", rcpt);
	return false;
}

static void
fake_answer(struct smtp_session *s)
{
	struct smtp_reply r[MAX_MSGS];
	size_t i, n = 1;

	r[0].code = 250;
	snprintf(r[0].text, sizeof(r[0].text), "2.0.0 Ok: stored as "
	    "ticket #%d", F.nmsgs);
	if (F.per_rcpt) {
		n = F.msgs[F.nmsgs - 1].nrcpts;
		for (i = 1; i < n; i++) {
			r[i].code = 452;
			snprintf(r[i].text, sizeof(r[i].text),
			    "4.2.2 Mailbox %zu full", i);
		}
	}
	F.ndone++;
	smtp_session_data_done(s, r, n);
}

static void
fake_done_cb(evutil_socket_t fd, short what, void *arg)
{
	struct smtp_session *s = F.waiting;

	(void)fd;
	(void)what;
	(void)arg;
	F.waiting = NULL;
	fake_answer(s);
}

static void
fake_message(void *arg, struct smtp_session *s, struct buf *raw,
    const char *mail_from, char *const *rcpts, size_t nrcpts)
{
	struct stored *m;
	struct timeval tv;
	size_t i;

	(void)arg;
	ck_assert_int_lt(F.nmsgs, MAX_MSGS);
	ck_assert_ptr_nonnull(smtp_session_id(s));
	m = &F.msgs[F.nmsgs++];
	m->raw = raw;
	m->from = xstrdup(mail_from);
	m->nrcpts = nrcpts;
	for (i = 0; i < nrcpts; i++) {
		if (i > 0)
			strcat(m->rcpts, " ");
		if (strlen(m->rcpts) + strlen(rcpts[i]) + 2 < sizeof(m->rcpts))
			strcat(m->rcpts, rcpts[i]);
	}
	if (F.defer_ms == 0) {
		fake_answer(s);
		return;
	}
	F.waiting = s;
	tv.tv_sec = F.defer_ms / 1000;
	tv.tv_usec = (F.defer_ms % 1000) * 1000;
	evtimer_add(F.ev_done, &tv);
}

/* ------------------------------------------------------------------ */
/* Fixture                                                            */

static void
default_limits(struct smtp_limits *l)
{
	l->max_message_size = 100000;
	l->max_line_length = 998;
	l->max_recipients = 100;
	l->max_connections = 10;
	l->idle_timeout = 30;
	l->session_timeout = 0;
	l->max_connections_per_client = 0;
	l->first_command_timeout = 0;
	l->transaction_timeout = 0;
}

static void
start_server(enum smtp_proto proto, const struct smtp_limits *l,
    SSL_CTX *ctx)
{
	struct smtp_callbacks cb = { fake_rcpt, fake_message, NULL };
	struct error err;

	memset(&F, 0, sizeof(F));
	F.base = event_base_new();
	F.ev_done = evtimer_new(F.base, fake_done_cb, NULL);
	F.ssl_ctx = ctx;
	F.srv = smtp_server_new(F.base, proto, "127.0.0.1", 0, "mx.test", l,
	    ctx, &cb, &err);
	ck_assert_msg(F.srv != NULL, "smtp_server_new: %s", err.msg);
	F.port = smtp_server_port(F.srv);
	ck_assert_int_gt(F.port, 0);
}

static void
start_default(enum smtp_proto proto)
{
	struct smtp_limits l;

	default_limits(&l);
	start_server(proto, &l, NULL);
}

/* Runs the server's loop for about ms milliseconds (0: one pass). */
static void
pump(int ms)
{
	struct timeval tv = { 0, ms * 1000 };

	if (ms == 0) {
		event_base_loop(F.base, EVLOOP_NONBLOCK);
		return;
	}
	event_base_loopexit(F.base, &tv);
	event_base_dispatch(F.base);
}

static void
stop_server(void)
{
	int i;

	if (F.srv != NULL)
		smtp_server_free(F.srv);
	if (F.inflight != NULL) {
		/* Every byte charged came back. */
		ck_assert_uint_eq(inflight_bytes(F.inflight), 0);
		inflight_free(F.inflight);
	}
	event_free(F.ev_done);
	event_base_free(F.base);
	for (i = 0; i < F.nmsgs; i++) {
		buf_free(F.msgs[i].raw);
		free(F.msgs[i].from);
	}
	if (F.ssl_ctx != NULL)
		SSL_CTX_free(F.ssl_ctx);
	memset(&F, 0, sizeof(F));
}

/* ------------------------------------------------------------------ */
/* Client                                                             */

/*
 * A client connecting from source (an address of 127/8, which Linux
 * routes to lo), or from the kernel's choice if NULL.
 */
static struct client *
client_new_from(const char *source)
{
	struct client *c = xcalloc(1, sizeof(*c));
	struct sockaddr_in sin;
	int one = 1;

	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(c->fd, 0);
	if (source != NULL) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		ck_assert_int_eq(inet_pton(AF_INET, source, &sin.sin_addr), 1);
		ck_assert_int_eq(bind(c->fd, (struct sockaddr *)&sin,
		    sizeof(sin)), 0);
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)F.port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(connect(c->fd, (struct sockaddr *)&sin,
	    sizeof(sin)), 0);
	fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
	/* Lines go out in pieces: no Nagle delay between them. */
	(void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return c;
}

static struct client *
client_new(void)
{
	return client_new_from(NULL);
}

static void
client_free(struct client *c)
{
	if (c == NULL)
		return;
	if (c->ssl != NULL)
		SSL_free(c->ssl);
	if (c->ctx != NULL)
		SSL_CTX_free(c->ctx);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

/* Reads what is there: >0 bytes, 0 nothing yet, -1 end of stream. */
static int
client_fill(struct client *c)
{
	size_t room = sizeof(c->rx) - c->len - 1;
	ssize_t n;
	int e;

	if (room == 0)
		return 0;
	if (c->ssl != NULL) {
		n = SSL_read(c->ssl, c->rx + c->len, (int)room);
		if (n <= 0) {
			e = SSL_get_error(c->ssl, (int)n);
			ERR_clear_error();
			return e == SSL_ERROR_WANT_READ ||
			    e == SSL_ERROR_WANT_WRITE ? 0 : -1;
		}
	} else {
		n = recv(c->fd, c->rx + c->len, room, MSG_DONTWAIT);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		if (n == 0)
			return -1;
	}
	c->len += (size_t)n;
	c->rx[c->len] = '\0';
	return (int)n;
}

/* Sends everything, driving the server while the socket is full. */
static void
client_send(struct client *c, const char *data, size_t len)
{
	long long deadline = clock_mono_ms() + 4 * DEADLINE_MS;
	ssize_t n;

	while (len > 0) {
		ck_assert_msg(clock_mono_ms() < deadline, "send timed out");
		if (c->ssl != NULL) {
			n = SSL_write(c->ssl, data, (int)len);
			if (n <= 0) {
				int e = SSL_get_error(c->ssl, (int)n);

				ERR_clear_error();
				ck_assert(e == SSL_ERROR_WANT_READ ||
				    e == SSL_ERROR_WANT_WRITE);
				n = 0;
			}
		} else {
			n = send(c->fd, data, len, MSG_NOSIGNAL);
			if (n < 0) {
				ck_assert_int_eq(errno, EAGAIN);
				n = 0;
			}
		}
		data += n;
		len -= (size_t)n;
		if (len > 0) {
			(void)client_fill(c);
			pump(1);
		}
	}
	pump(0);
}

static void
client_puts(struct client *c, const char *s)
{
	client_send(c, s, strlen(s));
}

/* One line without CRLF into out; -1 on end of stream. */
static int
client_line(struct client *c, char *out, size_t size)
{
	long long deadline = clock_mono_ms() + DEADLINE_MS;
	char *lf;
	size_t n;

	for (;;) {
		if ((lf = memchr(c->rx, '\n', c->len)) != NULL) {
			n = (size_t)(lf - c->rx);
			if (n > 0 && c->rx[n - 1] == '\r')
				n--;
			snprintf(out, size, "%.*s", (int)n, c->rx);
			n = (size_t)(lf - c->rx) + 1;
			memmove(c->rx, c->rx + n, c->len - n);
			c->len -= n;
			c->rx[c->len] = '\0';
			return 0;
		}
		ck_assert_msg(clock_mono_ms() < deadline, "no reply in time "
		    "(have \"%s\")", c->rx);
		if (client_fill(c) < 0)
			return -1;
		pump(2);
	}
}

/*
 * A whole (multi-line) reply: the last line into out, every line into
 * all (if not NULL).  Returns the code, or -1 on end of stream.
 */
static int
client_reply_all(struct client *c, char *out, size_t size, struct buf *all)
{
	char line[1024];

	do {
		if (client_line(c, line, sizeof(line)) == -1)
			return -1;
		if (all != NULL) {
			buf_append_str(all, line);
			buf_append_str(all, "\n");
		}
	} while (strlen(line) > 3 && line[3] == '-');
	snprintf(out, size, "%s", line);
	return atoi(line);
}

static void
expect(struct client *c, const char *prefix)
{
	char line[1024];

	ck_assert_msg(client_reply_all(c, line, sizeof(line), NULL) != -1,
	    "connection closed, expected \"%s\"", prefix);
	ck_assert_msg(strncmp(line, prefix, strlen(prefix)) == 0,
	    "expected \"%s\", got \"%s\"", prefix, line);
}

static void
cmd(struct client *c, const char *line, const char *prefix)
{
	client_puts(c, line);
	client_puts(c, "\r\n");
	expect(c, prefix);
}

/* The server closes: all that is left is the end of stream. */
static void
expect_eof(struct client *c)
{
	long long deadline = clock_mono_ms() + DEADLINE_MS;
	int n;

	while ((n = client_fill(c)) >= 0) {
		ck_assert_msg(c->len == 0, "unexpected data: %s", c->rx);
		ck_assert_msg(clock_mono_ms() < deadline, "no close in time");
		pump(2);
	}
}

/* Drives the loop until the server holds n sessions. */
static void
wait_sessions(int n)
{
	long long deadline = clock_mono_ms() + DEADLINE_MS;

	while (smtp_server_sessions(F.srv) != n) {
		ck_assert_msg(clock_mono_ms() < deadline, "sessions=%d, "
		    "want %d", smtp_server_sessions(F.srv), n);
		pump(2);
	}
}

static struct client *
client_ehlo(void)
{
	struct client *c = client_new();

	expect(c, "220 mx.test ESMTP triaged");
	cmd(c, "EHLO client.test", "250 ");
	return c;
}

static void
client_starttls(struct client *c)
{
	long long deadline = clock_mono_ms() + DEADLINE_MS;
	int rc, e;

	c->ctx = SSL_CTX_new(TLS_client_method());
	ck_assert_ptr_nonnull(c->ctx);
	SSL_CTX_set_verify(c->ctx, SSL_VERIFY_NONE, NULL);
	c->ssl = SSL_new(c->ctx);
	SSL_set_fd(c->ssl, c->fd);
	while ((rc = SSL_connect(c->ssl)) != 1) {
		e = SSL_get_error(c->ssl, rc);
		ck_assert_msg(e == SSL_ERROR_WANT_READ ||
		    e == SSL_ERROR_WANT_WRITE, "TLS handshake failed: %d", e);
		ck_assert_msg(clock_mono_ms() < deadline, "handshake timeout");
		pump(2);
	}
}

static const char *
raw_body(const struct stored *m)
{
	const char *p = strstr(m->raw->data, "\r\n\tfor <");

	ck_assert_ptr_nonnull(p);
	p = strstr(p, "\r\n") + 2;
	p = strstr(p, "\r\n");
	ck_assert_ptr_nonnull(p);
	return p + 2;
}

/* ------------------------------------------------------------------ */
/* Tests                                                              */

START_TEST(test_basic_smtp)
{
	struct client *c;
	struct buf *all = buf_new();
	char line[1024];

	start_default(SMTP_PROTO_SMTP);
	c = client_new();
	expect(c, "220 mx.test ESMTP triaged");
	client_puts(c, "EHLO client.test\r\n");
	ck_assert_int_eq(client_reply_all(c, line, sizeof(line), all), 250);
	ck_assert_ptr_nonnull(strstr(all->data, "250-PIPELINING\n"));
	ck_assert_ptr_nonnull(strstr(all->data, "250-SIZE 100000\n"));
	ck_assert_ptr_nonnull(strstr(all->data, "250-8BITMIME\n"));
	ck_assert_ptr_nonnull(strstr(all->data, "ENHANCEDSTATUSCODES\n"));
	ck_assert_ptr_null(strstr(all->data, "STARTTLS"));
	cmd(c, "NOOP", "250 2.0.0");
	cmd(c, "VRFY someone", "252 2.5.0");
	cmd(c, "HELP", "214 2.0.0");
	cmd(c, "STARTTLS", "454 4.7.0");
	cmd(c, "MAIL FROM:<alice@customer.test> BODY=8BITMIME SIZE=100",
	    "250 2.1.0");
	cmd(c, "RCPT TO:<support@example.test>", "250 2.1.5");
	cmd(c, "DATA", "354 ");
	cmd(c, "Subject: hello\r\n\r\nHi there\r\n.", "250 2.0.0 Ok: stored "
	    "as ticket #1");
	cmd(c, "QUIT", "221 2.0.0");
	expect_eof(c);
	client_free(c);
	ck_assert_int_eq(F.nmsgs, 1);
	ck_assert_str_eq(F.msgs[0].from, "alice@customer.test");
	ck_assert_str_eq(F.msgs[0].rcpts, "support@example.test");
	ck_assert_msg(strncmp(F.msgs[0].raw->data, "Received: from "
	    "client.test ([127.0.0.1])\r\n\tby mx.test (triaged) with ESMTP "
	    "id ", 78) == 0, "bad Received: %s", F.msgs[0].raw->data);
	ck_assert_ptr_nonnull(strstr(F.msgs[0].raw->data,
	    "\r\n\tfor <support@example.test>; "));
	ck_assert_str_eq(raw_body(&F.msgs[0]),
	    "Subject: hello\r\n\r\nHi there\r\n");
	wait_sessions(0);
	buf_free(all);
	stop_server();
}
END_TEST

START_TEST(test_lmtp_per_rcpt)
{
	struct client *c;

	start_default(SMTP_PROTO_LMTP);
	c = client_new();
	expect(c, "220 mx.test LMTP triaged");
	cmd(c, "EHLO client.test", "500 5.5.1");
	cmd(c, "HELO client.test", "500 5.5.1");
	cmd(c, "MAIL FROM:<a@b.test>", "503 5.5.1");
	cmd(c, "LHLO client.test", "250 ENHANCEDSTATUSCODES");
	cmd(c, "DATA", "503 5.5.1");
	cmd(c, "MAIL FROM:<a@b.test>", "250 2.1.0");
	cmd(c, "DATA", "503 5.5.1 No valid");
	cmd(c, "RCPT TO:<one@example.test>", "250 2.1.5");
	cmd(c, "RCPT TO:<x@elsewhere.test>",
	    "550 5.7.1 <x@elsewhere.test>: relaying denied");
	cmd(c, "RCPT TO:<two@example.test>", "250 2.1.5");
	cmd(c, "DATA", "354 ");
	client_puts(c, "Subject: three\r\n\r\nbody\r\n.\r\n");
	expect(c, "250 2.0.0 Ok: stored as ticket #1");
	expect(c, "250 2.0.0 Ok: stored as ticket #1");
	cmd(c, "NOOP", "250 2.0.0");
	ck_assert_int_eq(F.nmsgs, 1);
	ck_assert_str_eq(F.msgs[0].rcpts, "one@example.test two@example.test");
	ck_assert_ptr_nonnull(strstr(F.msgs[0].raw->data, " with LMTP id "));
	/* Distinct replies per recipient, in order. */
	F.per_rcpt = true;
	client_puts(c, "MAIL FROM:<>\r\nRCPT TO:<a@example.test>\r\n"
	    "RCPT TO:<b@example.test>\r\nRCPT TO:<c@example.test>\r\n"
	    "DATA\r\nx\r\n.\r\n");
	expect(c, "250 2.1.0");
	expect(c, "250 2.1.5");
	expect(c, "250 2.1.5");
	expect(c, "250 2.1.5");
	expect(c, "354 ");
	expect(c, "250 2.0.0 Ok: stored as ticket #2");
	expect(c, "452 4.2.2 Mailbox 1 full");
	expect(c, "452 4.2.2 Mailbox 2 full");
	ck_assert_str_eq(F.msgs[1].from, "");
	client_free(c);
	wait_sessions(0);
	stop_server();
}
END_TEST

START_TEST(test_pipelining)
{
	struct client *c;

	start_default(SMTP_PROTO_SMTP);
	c = client_ehlo();
	client_puts(c, "MAIL FROM:<a@b.test>\r\n"
	    "RCPT TO:<x@example.test>\r\nRCPT TO:<y@example.test>\r\n"
	    "DATA\r\nSubject: p\r\n\r\nQUIT\r\nbody\r\n.\r\n"
	    "MAIL FROM:<c@d.test>\r\nRCPT TO:<z@example.test>\r\nDATA\r\n"
	    "second\r\n.\r\nQUIT\r\n");
	expect(c, "250 2.1.0");
	expect(c, "250 2.1.5");
	expect(c, "250 2.1.5");
	expect(c, "354 ");
	expect(c, "250 2.0.0 Ok: stored as ticket #1");
	expect(c, "250 2.1.0");
	expect(c, "250 2.1.5");
	expect(c, "354 ");
	expect(c, "250 2.0.0 Ok: stored as ticket #2");
	expect(c, "221 ");
	expect_eof(c);
	ck_assert_int_eq(F.nmsgs, 2);
	ck_assert_str_eq(raw_body(&F.msgs[0]),
	    "Subject: p\r\n\r\nQUIT\r\nbody\r\n");
	ck_assert_str_eq(F.msgs[0].rcpts, "x@example.test y@example.test");
	ck_assert_str_eq(raw_body(&F.msgs[1]), "second\r\n");
	ck_assert_ptr_nonnull(strstr(F.msgs[1].raw->data, "id "));
	client_free(c);
	stop_server();
}
END_TEST

/* DATA refused: what follows is commands again, not a message. */
START_TEST(test_pipelined_bad_data)
{
	struct client *c;

	start_default(SMTP_PROTO_SMTP);
	c = client_ehlo();
	client_puts(c, "MAIL FROM:<a@b.test>\r\nRCPT TO:<x@elsewhere.test>\r\n"
	    "DATA\r\nhello\r\n.\r\nNOOP\r\n");
	expect(c, "250 2.1.0");
	expect(c, "550 5.7.1");
	expect(c, "554 5.5.1");
	expect(c, "500 5.5.1");
	expect(c, "500 5.5.1");
	expect(c, "250 2.0.0");
	ck_assert_int_eq(F.nmsgs, 0);
	client_free(c);
	stop_server();
}
END_TEST

static const struct {
	const char	*name;
	const char	*wire;
	const char	*body;
	size_t		 body_len;
} data_cases[] = {
	{ "dot-unstuffing", "line1\r\n..dot\r\n...two\r\n.x\r\n\r\n.\r\n",
	    "line1\r\n.dot\r\n..two\r\nx\r\n\r\n", 0 },
	/* A bare LF ends a line of text (dot-unstuffed), never the data. */
	{ "bare LF", "Subject: lf\n\nbody\n..dot\n\r\n.\r\n",
	    "Subject: lf\n\nbody\n.dot\n\r\n", 0 },
	{ "mixed ends", "a\r\nb\n\r\n.\r\n", "a\r\nb\n\r\n", 0 },
	{ "LF dot CRLF is no end", "a\n.\r\nb\r\n.\r\n", "a\n\r\nb\r\n", 0 },
	{ "CRLF dot LF is no end", "a\r\n.\nb\r\n.\r\n", "a\r\n\nb\r\n", 0 },
	{ "NUL kept", "a\0b\r\n\0\r\n.\r\n", "a\0b\r\n\0\r\n", 8 },
	{ "empty message", ".\r\n", "", 0 },
	{ "dot not alone", ".\rx\r\n.\r\n", "\rx\r\n", 0 },
	{ "bare CR is data", "a\rb\r\n.\r\n", "a\rb\r\n", 0 },
	/* A bare CR ends no line: its dot is text, not an end. */
	{ "CR dot CR LF", "a\r.\r\nb\r\n.\r\n", "a\r.\r\nb\r\n", 0 },
	{ "dot CR CR LF", ".\r\r\n.\r\n", "\r\r\n", 0 }
};

START_TEST(test_data_forms)
{
	struct client *c;
	const char *body;
	size_t wire_len, body_len;

	start_default(SMTP_PROTO_SMTP);
	c = client_ehlo();
	cmd(c, "MAIL FROM:<a@b.test>", "250 ");
	cmd(c, "RCPT TO:<x@example.test>", "250 ");
	cmd(c, "DATA", "354 ");
	body_len = data_cases[_i].body_len != 0 ? data_cases[_i].body_len :
	    strlen(data_cases[_i].body);
	wire_len = data_cases[_i].body_len != 0 ? body_len + 3 :
	    strlen(data_cases[_i].wire);
	client_send(c, data_cases[_i].wire, wire_len);
	expect(c, "250 2.0.0 Ok");
	ck_assert_int_eq(F.nmsgs, 1);
	body = raw_body(&F.msgs[0]);
	ck_assert_msg((size_t)(F.msgs[0].raw->data + F.msgs[0].raw->len -
	    body) == body_len, "%s: length %zu, want %zu",
	    data_cases[_i].name, (size_t)(F.msgs[0].raw->data +
	    F.msgs[0].raw->len - body), body_len);
	ck_assert_msg(memcmp(body, data_cases[_i].body, body_len) == 0,
	    "%s: got \"%s\"", data_cases[_i].name, body);
	cmd(c, "QUIT", "221 ");
	client_free(c);
	stop_server();
}
END_TEST

/*
 * SMTP smuggling (issue 20, item 7): each wire form is sent after 354 and
 * followed by a real CRLF.CRLF.  Only CRLF "." CRLF ends DATA, so every
 * form is one message (never two) holding the hidden transaction as
 * text; the hidden MAIL, RCPT and DATA never run, and the session goes on
 * in step.
 */
static const struct {
	const char	*name;
	const char	*wire;
} smuggle_cases[] = {
	{ "LF . CRLF", "Subject: a\r\n\r\nbody\n.\r\n"
	    "MAIL FROM:<evil@attacker.test>\r\nRCPT TO:<x@example.test>\r\n"
	    "DATA\r\nSubject: smuggled\r\n\r\nevil\r\n.\r\n" },
	{ "CRLF . LF", "Subject: a\r\n\r\nbody\r\n.\n"
	    "MAIL FROM:<evil@attacker.test>\r\nRCPT TO:<x@example.test>\r\n"
	    "DATA\r\nSubject: smuggled\r\n\r\nevil\r\n.\r\n" },
	{ "LF . LF", "Subject: a\r\n\r\nbody\n.\n"
	    "MAIL FROM:<evil@attacker.test>\r\nRCPT TO:<x@example.test>\r\n"
	    "DATA\r\nevil\r\n.\r\n" },
	{ "CR . CR", "Subject: a\r\n\r\nbody\r.\r"
	    "MAIL FROM:<evil@attacker.test>\r\nRCPT TO:<x@example.test>\r\n"
	    "DATA\r\nevil\r\n.\r\n" },
	{ "CR LF . CR CR LF", "Subject: a\r\n\r\nbody\r\n.\r\r\n"
	    "MAIL FROM:<evil@attacker.test>\r\nRCPT TO:<x@example.test>\r\n"
	    "DATA\r\nevil\r\n.\r\n" }
};
#define NSMUGGLE	(sizeof(smuggle_cases) / sizeof(smuggle_cases[0]))

START_TEST(test_smuggling)
{
	enum smtp_proto proto = (size_t)_i < NSMUGGLE ? SMTP_PROTO_SMTP :
	    SMTP_PROTO_LMTP;
	size_t k = (size_t)_i % NSMUGGLE, nreplies;
	struct client *c;

	start_default(proto);
	c = client_new();
	expect(c, "220 ");
	if (proto == SMTP_PROTO_LMTP)
		cmd(c, "LHLO client.test", "250 ");
	else
		cmd(c, "EHLO client.test", "250 ");
	cmd(c, "MAIL FROM:<a@b.test>", "250 2.1.0");
	cmd(c, "RCPT TO:<x@example.test>", "250 2.1.5");
	cmd(c, "RCPT TO:<y@example.test>", "250 2.1.5");
	cmd(c, "DATA", "354 ");
	client_puts(c, smuggle_cases[k].wire);
	nreplies = proto == SMTP_PROTO_LMTP ? 2 : 1;
	while (nreplies-- > 0)
		expect(c, "250 2.0.0 Ok: stored as ticket #1");
	/* The next reply is NOOP's: no hidden MAIL, RCPT or DATA ran. */
	cmd(c, "NOOP", "250 2.0.0 Ok");
	ck_assert_msg(F.nmsgs == 1, "%s: %d stored", smuggle_cases[k].name,
	    F.nmsgs);
	ck_assert_msg(strstr(raw_body(&F.msgs[0]),
	    "MAIL FROM:<evil@attacker.test>\r\nRCPT TO:<x@example.test>"
	    "\r\nDATA\r\n") != NULL, "%s: hidden commands not in the "
	    "message", smuggle_cases[k].name);
	/* The session is in step: a clean message goes through. */
	cmd(c, "MAIL FROM:<a@b.test>", "250 2.1.0");
	cmd(c, "RCPT TO:<x@example.test>", "250 2.1.5");
	cmd(c, "DATA", "354 ");
	cmd(c, "Subject: clean\r\n\r\nok\r\n.", "250 2.0.0 Ok: stored as "
	    "ticket #2");
	ck_assert_int_eq(F.nmsgs, 2);
	client_free(c);
	stop_server();
}
END_TEST

/* A command line must end in CRLF: one ending in a bare LF never runs. */
START_TEST(test_bare_lf_command)
{
	struct client *c;

	start_default(SMTP_PROTO_SMTP);
	c = client_new();
	expect(c, "220 ");
	client_puts(c, "EHLO client.test\n");
	expect(c, "500 5.5.2 Bare LF");
	cmd(c, "EHLO client.test", "250 ");
	client_puts(c, "MAIL FROM:<a@b.test>\nRCPT TO:<x@example.test>\r\n");
	expect(c, "500 5.5.2 Bare LF");
	expect(c, "503 5.5.1 Need MAIL");
	client_puts(c, "\n");
	expect(c, "500 5.5.2 Bare LF");
	cmd(c, "NOOP", "250 2.0.0");
	client_free(c);
	stop_server();
}
END_TEST

START_TEST(test_long_command)
{
	struct client *c;
	size_t n = 100 * 1024;
	char *line = xmalloc(n + 3);

	start_default(SMTP_PROTO_SMTP);
	c = client_ehlo();
	memcpy(line, "NOOP ", 5);
	memset(line + 5, 'x', n - 5);
	memcpy(line + n, "\r\n", 3);
	client_send(c, line, n + 2);
	expect(c, "500 5.5.2 Line too long");
	cmd(c, "NOOP", "250 2.0.0");
	/* Exactly at the limit is fine; one more is not. */
	memset(line + 5, 'x', 4096 - 5);
	line[4096] = '\0';
	cmd(c, line, "250 2.0.0");
	memset(line + 5, 'x', 4097 - 5);
	line[4097] = '\0';
	cmd(c, line, "500 5.5.2");
	cmd(c, "MAIL FROM:<a@b.test>", "250 2.1.0");
	client_free(c);
	free(line);
	stop_server();
}
END_TEST

START_TEST(test_message_too_big)
{
	struct smtp_limits l;
	struct client *c;
	char chunk[101];
	int i;

	default_limits(&l);
	l.max_message_size = 1000;
	start_server(SMTP_PROTO_SMTP, &l, NULL);
	c = client_ehlo();
	cmd(c, "MAIL FROM:<a@b.test>", "250 ");
	cmd(c, "RCPT TO:<x@example.test>", "250 ");
	cmd(c, "DATA", "354 ");
	memset(chunk, 'a', 98);
	memcpy(chunk + 98, "\r\n", 3);
	for (i = 0; i < 50; i++)
		client_puts(c, chunk);
	client_puts(c, ".\r\n");
	expect(c, "552 5.3.4 Message too big");
	ck_assert_int_eq(F.nmsgs, 0);
	cmd(c, "RCPT TO:<x@example.test>", "503 5.5.1");
	cmd(c, "MAIL FROM:<a@b.test> SIZE=1001", "552 5.3.4");
	cmd(c, "MAIL FROM:<a@b.test> SIZE=99999999999999999999999",
	    "552 5.3.4");
	cmd(c, "MAIL FROM:<a@b.test> SIZE=1000", "250 2.1.0");
	cmd(c, "RCPT TO:<x@example.test>", "250 ");
	cmd(c, "DATA", "354 ");
	cmd(c, "small\r\n.", "250 2.0.0");
	ck_assert_int_eq(F.nmsgs, 1);
	client_free(c);
	stop_server();
}
END_TEST

START_TEST(test_data_line_too_long)
{
	struct smtp_limits l;
	struct client *c;
	char line[600];

	default_limits(&l);
	l.max_line_length = 200;
	start_server(SMTP_PROTO_LMTP, &l, NULL);
	c = client_new();
	expect(c, "220 ");
	cmd(c, "LHLO client.test", "250 ");
	cmd(c, "MAIL FROM:<a@b.test>", "250 ");
	cmd(c, "RCPT TO:<x@example.test>", "250 ");
	cmd(c, "RCPT TO:<y@example.test>", "250 ");
	cmd(c, "DATA", "354 ");
	memset(line, 'b', 200);
	memcpy(line + 200, "\r\n", 3);
	client_puts(c, line);			/* exactly the limit: fine */
	memset(line, 'c', 500);
	memcpy(line + 500, "\r\n.\r\n", 6);
	client_puts(c, line);
	expect(c, "552 5.3.4 Line too long");
	expect(c, "552 5.3.4 Line too long");
	ck_assert_int_eq(F.nmsgs, 0);
	cmd(c, "NOOP", "250 ");
	client_free(c);
	stop_server();
}
END_TEST

START_TEST(test_too_many_rcpts)
{
	struct client *c;
	struct buf *script = buf_new();
	int i;

	start_default(SMTP_PROTO_SMTP);	/* max_recipients 100 */
	c = client_ehlo();
	buf_append_str(script, "MAIL FROM:<a@b.test>\r\n");
	for (i = 0; i < 1000; i++)
		buf_printf(script, "RCPT TO:<r%d@example.test>\r\n", i);
	buf_append_str(script, "DATA\r\nx\r\n.\r\n");
	client_send(c, script->data, script->len);
	expect(c, "250 2.1.0");
	for (i = 0; i < 100; i++)
		expect(c, "250 2.1.5");
	for (i = 100; i < 1000; i++)
		expect(c, "452 4.5.3 Too many recipients");
	expect(c, "354 ");
	expect(c, "250 2.0.0");
	ck_assert_int_eq(F.nmsgs, 1);
	ck_assert_int_eq(F.msgs[0].nrcpts, 100);
	buf_free(script);
	client_free(c);
	stop_server();
}
END_TEST

static const struct {
	const char	*line;
	const char	*reply;
} syntax_cases[] = {
	{ "RCPT TO:<x@example.test>", "503 5.5.1" },
	{ "DATA", "503 5.5.1" },
	{ "MAIL FROM:junk", "501 5.5.4" },
	{ "MAIL FROM:<a@b.test", "501 5.5.4" },
	{ "MAIL TO:<a@b.test>", "501 5.5.4" },
	{ "MAIL FROM:<a b@c.test>", "501 5.5.4" },
	{ "MAIL FROM:<a@b.test> FOO=bar", "555 5.5.4" },
	{ "MAIL FROM:<a@b.test> BODY=9BIT", "501 5.5.4" },
	{ "MAIL FROM:<a@b.test>junk", "501 5.5.4" },
	{ "EHLO", "501 5.5.4" },
	{ "FROB", "500 5.5.1" },
	{ "EXPN list", "502 5.5.1" },
	{ "NOOP caf\xc3\xa9", "500 5.5.2" },
	{ "VRFY", "501 5.5.4" },
	{ NULL, NULL },		/* a new session: 20 errors close one */
	{ "MAIL FROM:<>", "250 2.1.0" },
	{ "MAIL FROM:<a@b.test>", "503 5.5.1" },	/* nested */
	{ "RCPT TO:<>", "501 5.5.4" },
	{ "RCPT TO:<@relay.test,@r2.test:x@example.test>", "250 2.1.5" },
	{ "RCPT TO: <y@example.test>", "250 2.1.5" },
	{ "RCPT TO:z@example.test", "250 2.1.5" },
	{ "RCPT TO:<x@example.test> NOTIFY=NEVER", "555 5.5.4" },
	{ "RCPT TO:<\"odd > local\"@example.test>", "250 2.1.5" },
	{ "RSET", "250 2.0.0" },
	{ "MAIL FROM: <a@b.test>", "250 2.1.0" },
	{ "RSET", "250 2.0.0" },
	{ "MAIL FROM:a@b.test SIZE=10", "250 2.1.0" },
	{ "DATA x", "501 5.5.4" },
	{ "DATA", "554 5.5.1" },
	{ "RCPT TO:<x@elsewhere.test>",
	    "550 5.7.1 <x@elsewhere.test>: relaying denied" },
	{ "STARTTLS", "454 4.7.0" }
};

START_TEST(test_syntax_and_sequence)
{
	struct client *c;
	size_t i;

	start_default(SMTP_PROTO_SMTP);
	c = client_new();
	expect(c, "220 ");
	cmd(c, "MAIL FROM:<a@b.test>", "503 5.5.1");
	cmd(c, "HELO client.test", "250 mx.test");
	for (i = 0; i < sizeof(syntax_cases) / sizeof(syntax_cases[0]); i++) {
		if (syntax_cases[i].line == NULL) {
			client_free(c);
			c = client_new();
			expect(c, "220 ");
			cmd(c, "HELO client.test", "250 mx.test");
			continue;
		}
		client_puts(c, syntax_cases[i].line);
		client_puts(c, "\r\n");
		expect(c, syntax_cases[i].reply);
	}
	/* NUL and bare CR inside a command. */
	client_send(c, "NOOP a\0b\r\n", 10);
	expect(c, "500 5.5.2");
	cmd(c, "NOOP a\rb", "500 5.5.2");
	client_free(c);
	stop_server();
}
END_TEST

START_TEST(test_too_many_errors)
{
	struct client *c;
	int i;

	start_default(SMTP_PROTO_SMTP);
	c = client_ehlo();
	for (i = 0; i < 20; i++)
		client_puts(c, "GET / HTTP/1.0\r\n");
	for (i = 0; i < 20; i++)
		expect(c, "500 5.5.1");
	expect(c, "421 4.7.0");
	expect_eof(c);
	client_free(c);
	wait_sessions(0);
	stop_server();
}
END_TEST

START_TEST(test_idle_timeout)
{
	struct smtp_limits l;
	struct client *c;

	default_limits(&l);
	l.idle_timeout = 1;
	start_server(SMTP_PROTO_SMTP, &l, NULL);
	c = client_ehlo();
	cmd(c, "MAIL FROM:<a@b.test>", "250 ");
	expect(c, "421 4.4.2");
	expect_eof(c);
	client_free(c);
	wait_sessions(0);
	stop_server();
}
END_TEST

/* A client busy enough never to be idle still meets the session limit. */
START_TEST(test_session_timeout)
{
	struct smtp_limits l;
	struct client *c;
	int i;

	default_limits(&l);
	l.idle_timeout = 30;
	l.session_timeout = 1;
	start_server(SMTP_PROTO_SMTP, &l, NULL);
	c = client_ehlo();
	for (i = 0; i < 3; i++) {
		cmd(c, "NOOP", "250 ");
		usleep(200 * 1000);
	}
	expect(c, "421 4.4.2 Session time limit");
	expect_eof(c);
	client_free(c);
	wait_sessions(0);
	stop_server();
}
END_TEST

START_TEST(test_max_connections)
{
	struct smtp_limits l;
	struct client *c1, *c2, *c3, *c4;

	default_limits(&l);
	l.max_connections = 2;
	start_server(SMTP_PROTO_SMTP, &l, NULL);
	c1 = client_new();
	expect(c1, "220 ");
	c2 = client_new();
	expect(c2, "220 ");
	c3 = client_new();
	expect(c3, "421 4.7.0");
	expect_eof(c3);
	cmd(c1, "QUIT", "221 ");
	expect_eof(c1);
	wait_sessions(1);
	c4 = client_new();
	expect(c4, "220 ");
	cmd(c2, "NOOP", "250 ");
	client_free(c1);
	client_free(c2);
	client_free(c3);
	client_free(c4);
	stop_server();
}
END_TEST

/*
 * One address holds at most max_connections_per_client slots; another
 * address is served meanwhile, and a slot given back can be taken again.
 */
START_TEST(test_per_client_limit)
{
	struct smtp_limits l;
	struct client *a1, *a2, *a3, *b;

	default_limits(&l);
	l.max_connections_per_client = 2;
	start_server(SMTP_PROTO_SMTP, &l, NULL);
	a1 = client_new_from("127.0.0.1");
	expect(a1, "220 ");
	a2 = client_new_from("127.0.0.1");
	expect(a2, "220 ");
	a3 = client_new_from("127.0.0.1");
	expect(a3, "421 4.7.0 Too many connections from your address");
	expect_eof(a3);
	client_free(a3);
	b = client_new_from("127.0.0.2");
	expect(b, "220 ");
	cmd(b, "EHLO other.test", "250 ");
	cmd(a1, "QUIT", "221 ");
	expect_eof(a1);
	client_free(a1);
	wait_sessions(2);
	a3 = client_new_from("127.0.0.1");
	expect(a3, "220 ");
	cmd(a2, "NOOP", "250 ");
	client_free(a2);
	client_free(a3);
	client_free(b);
	stop_server();
}
END_TEST

/*
 * A client silent after the greeting is cut at first_command_timeout,
 * well before idle_timeout; one that spoke is not.
 */
START_TEST(test_first_command_timeout)
{
	struct smtp_limits l;
	struct client *mute, *talker;
	long long t0;

	default_limits(&l);
	l.first_command_timeout = 1;
	start_server(SMTP_PROTO_SMTP, &l, NULL);
	t0 = clock_mono_ms();
	mute = client_new();
	expect(mute, "220 ");
	talker = client_ehlo();
	expect(mute, "421 4.4.2 No command after the greeting");
	expect_eof(mute);
	ck_assert_int_ge(clock_mono_ms() - t0, 900);
	pump(500);
	cmd(talker, "NOOP", "250 ");
	client_free(mute);
	client_free(talker);
	stop_server();
}
END_TEST

/*
 * NOOP does not keep a session past transaction_timeout; a delivered
 * message starts a new term; a message being read is never cut by it.
 */
START_TEST(test_transaction_timeout)
{
	struct smtp_limits l;
	struct client *c;
	long long t0;

	default_limits(&l);
	l.transaction_timeout = 1;
	start_server(SMTP_PROTO_SMTP, &l, NULL);
	/* Busy with NOOP, idle never: cut after a second anyway. */
	t0 = clock_mono_ms();
	c = client_ehlo();
	while (clock_mono_ms() - t0 < 800) {
		cmd(c, "NOOP", "250 ");
		usleep(100 * 1000);
	}
	expect(c, "421 4.4.2 No mail transaction");
	expect_eof(c);
	client_free(c);
	/* DATA held open past the term, then a new term after the 250. */
	c = client_ehlo();
	cmd(c, "MAIL FROM:<a@b.test>", "250 ");
	cmd(c, "RCPT TO:<x@example.test>", "250 ");
	cmd(c, "DATA", "354 ");
	t0 = clock_mono_ms();
	while (clock_mono_ms() - t0 < 1500) {
		client_puts(c, "more text\r\n");
		pump(100);
	}
	cmd(c, ".", "250 2.0.0 Ok");
	pump(600);
	cmd(c, "NOOP", "250 ");
	expect(c, "421 4.4.2 No mail transaction");
	client_free(c);
	wait_sessions(0);
	stop_server();
}
END_TEST

/*
 * The budget of bytes in flight: a message being read and one waiting
 * for the store hold their bytes; SIZE= reserves; without room MAIL, DATA
 * and the end of DATA get 452 4.3.1; once data_done gave the bytes back
 * the same client is served.
 */
START_TEST(test_inflight_budget)
{
	struct smtp_limits l;
	struct client *big, *small, *sized;
	char chunk[1001];
	size_t fill;
	int i;

	default_limits(&l);
	l.max_message_size = 6000;
	start_server(SMTP_PROTO_SMTP, &l, NULL);
	F.inflight = inflight_new(8000);
	smtp_server_set_inflight(F.srv, F.inflight);
	F.defer_ms = 60000;	/* the store answers when told */
	memset(chunk, 'x', 998);
	memcpy(chunk + 998, "\r\n", 3);

	/* 5 KB of a message still being read. */
	big = client_ehlo();
	cmd(big, "MAIL FROM:<big@b.test>", "250 ");
	cmd(big, "RCPT TO:<x@example.test>", "250 ");
	cmd(big, "DATA", "354 ");
	for (i = 0; i < 5; i++)
		client_puts(big, chunk);
	pump(50);
	ck_assert_uint_gt(inflight_bytes(F.inflight), 5000);

	/* SIZE= beyond what is left: 452 at once, nothing uploaded. */
	sized = client_ehlo();
	cmd(sized, "MAIL FROM:<s@b.test> SIZE=4000", "452 4.3.1");
	cmd(sized, "MAIL FROM:<s@b.test> SIZE=1000", "250 2.1.0");
	ck_assert_uint_gt(inflight_bytes(F.inflight), 6000);
	cmd(sized, "RSET", "250 ");
	ck_assert_uint_lt(inflight_bytes(F.inflight), 6000);

	/* A message that outgrows the budget: 452 at its end. */
	small = client_ehlo();
	cmd(small, "MAIL FROM:<small@b.test>", "250 ");
	cmd(small, "RCPT TO:<x@example.test>", "250 ");
	cmd(small, "DATA", "354 ");
	for (i = 0; i < 4; i++)
		client_puts(small, chunk);
	cmd(small, ".", "452 4.3.1");
	ck_assert_int_eq(F.nmsgs, 0);

	/* big ends and waits for the store: its bytes stay charged. */
	client_puts(big, "Subject: big\r\n\r\nend\r\n.\r\n");
	while (F.nmsgs == 0)
		pump(2);
	ck_assert_uint_gt(inflight_bytes(F.inflight), 5000);
	cmd(small, "MAIL FROM:<small@b.test> SIZE=3000", "452 4.3.1");
	cmd(small, "MAIL FROM:<small@b.test>", "250 ");
	cmd(small, "RCPT TO:<x@example.test>", "250 ");
	/* Another listener takes all but 10 bytes: no room for DATA. */
	fill = inflight_limit(F.inflight) - inflight_bytes(F.inflight) - 10;
	ck_assert(inflight_acquire(F.inflight, fill));
	ck_assert(!inflight_acquire(F.inflight, 11));
	cmd(small, "DATA", "452 4.3.1");
	inflight_release(F.inflight, fill);

	/* The store commits: the 250 gives the bytes back. */
	evtimer_del(F.ev_done);
	fake_answer(F.waiting);
	F.waiting = NULL;
	expect(big, "250 2.0.0 Ok");
	ck_assert_uint_eq(inflight_bytes(F.inflight), 0);
	F.defer_ms = 0;
	cmd(small, "DATA", "354 ");
	for (i = 0; i < 4; i++)
		client_puts(small, chunk);
	cmd(small, ".", "250 2.0.0 Ok");
	ck_assert_int_eq(F.nmsgs, 2);
	ck_assert_uint_eq(inflight_bytes(F.inflight), 0);

	/* A sender that goes away mid-DATA gives its bytes back too. */
	cmd(small, "MAIL FROM:<small@b.test> SIZE=2000", "250 ");
	cmd(small, "RCPT TO:<x@example.test>", "250 ");
	cmd(small, "DATA", "354 ");
	client_puts(small, chunk);
	client_puts(small, chunk);
	client_puts(small, chunk);
	pump(20);
	ck_assert_uint_gt(inflight_bytes(F.inflight), 2000);
	client_free(small);
	client_free(sized);
	client_free(big);
	wait_sessions(0);
	ck_assert_uint_eq(inflight_bytes(F.inflight), 0);
	stop_server();
}
END_TEST

START_TEST(test_disconnect_mid_data)
{
	struct client *c;

	start_default(SMTP_PROTO_SMTP);
	c = client_ehlo();
	cmd(c, "MAIL FROM:<a@b.test>", "250 ");
	cmd(c, "RCPT TO:<x@example.test>", "250 ");
	cmd(c, "DATA", "354 ");
	client_puts(c, "Subject: cut\r\n\r\nhalf a message\r\n");
	client_free(c);
	wait_sessions(0);
	ck_assert_int_eq(F.nmsgs, 0);
	stop_server();
}
END_TEST

/*
 * The store answers late: nothing pipelined is read meanwhile (QUIT comes
 * after the 250), and the idle timer does not run out during the wait.
 */
START_TEST(test_deferred_answer)
{
	struct smtp_limits l;
	struct client *c;

	default_limits(&l);
	l.idle_timeout = 1;
	start_server(SMTP_PROTO_SMTP, &l, NULL);
	F.defer_ms = 1500;
	c = client_ehlo();
	client_puts(c, "MAIL FROM:<a@b.test>\r\nRCPT TO:<x@example.test>\r\n"
	    "DATA\r\nbody\r\n.\r\nQUIT\r\n");
	expect(c, "250 2.1.0");
	expect(c, "250 2.1.5");
	expect(c, "354 ");
	pump(1200);
	ck_assert_int_eq(F.ndone, 0);
	ck_assert_int_eq(c->len, 0);
	expect(c, "250 2.0.0 Ok: stored as ticket #1");
	expect(c, "221 ");
	expect_eof(c);
	client_free(c);
	wait_sessions(0);
	stop_server();
}
END_TEST

START_TEST(test_disconnect_while_waiting)
{
	struct client *c;
	long long deadline;

	start_default(SMTP_PROTO_LMTP);
	F.defer_ms = 200;
	c = client_new();
	expect(c, "220 ");
	client_puts(c, "LHLO c\r\nMAIL FROM:<a@b.test>\r\n"
	    "RCPT TO:<x@example.test>\r\nRCPT TO:<y@example.test>\r\n"
	    "DATA\r\nbody\r\n.\r\n");
	expect(c, "250 ");
	expect(c, "250 2.1.0");
	expect(c, "250 2.1.5");
	expect(c, "250 2.1.5");
	expect(c, "354 ");
	ck_assert_int_eq(F.nmsgs, 1);
	client_free(c);
	pump(20);
	ck_assert_int_eq(smtp_server_sessions(F.srv), 1);
	deadline = clock_mono_ms() + DEADLINE_MS;
	while (F.ndone == 0 && clock_mono_ms() < deadline)
		pump(10);
	ck_assert_int_eq(F.ndone, 1);
	wait_sessions(0);
	stop_server();
}
END_TEST

/* Shutdown with a session waiting: detached, freed by its data_done. */
START_TEST(test_free_while_waiting)
{
	struct client *c;
	struct smtp_session *s;

	start_default(SMTP_PROTO_SMTP);
	F.defer_ms = 60000;
	c = client_ehlo();
	cmd(c, "MAIL FROM:<a@b.test>", "250 ");
	cmd(c, "RCPT TO:<x@example.test>", "250 ");
	cmd(c, "DATA", "354 ");
	client_puts(c, "x\r\n.\r\n");
	while (F.nmsgs == 0)
		pump(2);
	s = F.waiting;
	ck_assert_ptr_nonnull(s);
	smtp_server_free(F.srv);
	F.srv = NULL;
	evtimer_del(F.ev_done);
	F.waiting = NULL;
	fake_answer(s);
	expect_eof(c);
	client_free(c);
	stop_server();
}
END_TEST

START_TEST(test_trickle)
{
	static const char script[] =
	    "EHLO trickle.test\r\nMAIL FROM:<a@b.test>\r\n"
	    "RCPT TO:<x@example.test>\r\nDATA\r\nSubject: slow\r\n\r\n"
	    "..dot\r\nline\r\n.\r\nNOOP\r\nQUIT\r\n";
	static const char *replies[] = { "220 ", "250 ", "250 2.1.0",
	    "250 2.1.5", "354 ", "250 2.0.0 Ok", "250 2.0.0", "221 " };
	struct client *c;
	size_t i;

	start_default(SMTP_PROTO_SMTP);
	c = client_new();
	for (i = 0; i < sizeof(script) - 1; i++) {
		client_send(c, script + i, 1);
		pump(0);
		pump(0);
	}
	for (i = 0; i < sizeof(replies) / sizeof(replies[0]); i++)
		expect(c, replies[i]);
	expect_eof(c);
	ck_assert_int_eq(F.nmsgs, 1);
	ck_assert_str_eq(raw_body(&F.msgs[0]),
	    "Subject: slow\r\n\r\n.dot\r\nline\r\n");
	client_free(c);
	stop_server();
}
END_TEST

static SSL_CTX *
test_ssl_ctx(void)
{
	struct error err;
	SSL_CTX *ctx = tls_server_ctx_new(cert_path, key_path, &err);

	ck_assert_msg(ctx != NULL, "tls_server_ctx_new: %s", err.msg);
	return ctx;
}

START_TEST(test_starttls)
{
	struct smtp_limits l;
	struct client *c;
	struct buf *all = buf_new();
	char line[1024];

	default_limits(&l);
	start_server(SMTP_PROTO_SMTP, &l, test_ssl_ctx());
	c = client_new();
	expect(c, "220 ");
	cmd(c, "STARTTLS", "503 5.5.1");
	client_puts(c, "EHLO client.test\r\n");
	ck_assert_int_eq(client_reply_all(c, line, sizeof(line), all), 250);
	ck_assert_ptr_nonnull(strstr(all->data, "250-STARTTLS\n"));
	cmd(c, "MAIL FROM:<a@b.test>", "250 ");
	cmd(c, "STARTTLS", "503 5.5.1");
	cmd(c, "RSET", "250 ");
	cmd(c, "STARTTLS x", "501 5.5.4");
	cmd(c, "STARTTLS", "220 2.0.0 Ready to start TLS");
	client_starttls(c);
	cmd(c, "MAIL FROM:<a@b.test>", "503 5.5.1");	/* EHLO again */
	buf_reset(all);
	client_puts(c, "EHLO client.test\r\n");
	ck_assert_int_eq(client_reply_all(c, line, sizeof(line), all), 250);
	ck_assert_ptr_null(strstr(all->data, "STARTTLS"));
	cmd(c, "STARTTLS", "503 5.5.1");
	cmd(c, "MAIL FROM:<a@b.test>", "250 2.1.0");
	cmd(c, "RCPT TO:<x@example.test>", "250 2.1.5");
	cmd(c, "DATA", "354 ");
	cmd(c, "Subject: tls\r\n\r\nsecret\r\n.", "250 2.0.0 Ok");
	cmd(c, "QUIT", "221 ");
	expect_eof(c);
	ck_assert_int_eq(F.nmsgs, 1);
	ck_assert_ptr_nonnull(strstr(F.msgs[0].raw->data, " with ESMTPS id "));
	ck_assert_str_eq(raw_body(&F.msgs[0]),
	    "Subject: tls\r\n\r\nsecret\r\n");
	client_free(c);
	wait_sessions(0);
	buf_free(all);
	stop_server();
}
END_TEST

/* CVE-2011-0411: plain-text commands pipelined after STARTTLS die. */
START_TEST(test_starttls_injection)
{
	struct client *c;
	struct buf *all = buf_new();
	char line[1024];

	start_server(SMTP_PROTO_SMTP, &(struct smtp_limits){ 100000, 998,
	    100, 10, 30, 0, 0, 0, 0 }, test_ssl_ctx());
	c = client_ehlo();
	client_puts(c, "STARTTLS\r\nMAIL FROM:<evil@attacker.test>\r\n");
	expect(c, "220 2.0.0");
	client_starttls(c);
	client_puts(c, "EHLO client.test\r\n");
	ck_assert_int_eq(client_reply_all(c, line, sizeof(line), all), 250);
	ck_assert_msg(strncmp(all->data, "250-mx.test", 11) == 0,
	    "first reply after TLS: %s", all->data);
	cmd(c, "RCPT TO:<x@example.test>", "503 5.5.1");
	client_free(c);
	buf_free(all);
	stop_server();
}
END_TEST

START_TEST(test_starttls_garbage)
{
	struct client *c, *c2;
	char junk[300];

	start_server(SMTP_PROTO_SMTP, &(struct smtp_limits){ 100000, 998,
	    100, 10, 30, 0, 0, 0, 0 }, test_ssl_ctx());
	c = client_ehlo();
	cmd(c, "STARTTLS", "220 2.0.0");
	memset(junk, 'G', sizeof(junk));
	client_send(c, junk, sizeof(junk));
	expect_eof(c);
	client_free(c);
	wait_sessions(0);
	c2 = client_ehlo();
	cmd(c2, "QUIT", "221 ");
	client_free(c2);
	stop_server();
}
END_TEST

START_TEST(test_tls_ctx_errors)
{
	struct error err;

	ck_assert_ptr_null(tls_server_ctx_new("/nonexistent/cert.pem",
	    key_path, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent/cert.pem"));
	ck_assert_ptr_null(tls_server_ctx_new(cert_path,
	    "/nonexistent/key.pem", &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "key"));
	ck_assert_ptr_null(tls_server_ctx_new(cert_path, other_key_path,
	    &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "does not match"));
	ck_assert_ptr_null(tls_server_ctx_new(NULL, key_path, &err));
}
END_TEST

START_TEST(test_reconfigure_and_close)
{
	struct smtp_limits l;
	struct client *c, *c2;
	int fd;
	struct sockaddr_in sin;

	start_default(SMTP_PROTO_SMTP);
	c = client_ehlo();
	default_limits(&l);
	l.max_message_size = 1234;
	smtp_server_reconfigure(F.srv, "new.test", &l, NULL);
	cmd(c, "HELO again.test", "250 mx.test");	/* old session */
	c2 = client_new();
	expect(c2, "220 new.test ESMTP");
	cmd(c2, "EHLO x", "250 ");
	cmd(c2, "MAIL FROM:<a@b.test> SIZE=2000", "552 5.3.4");
	smtp_server_close(F.srv);
	cmd(c, "NOOP", "250 ");		/* running sessions go on */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)F.port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ne(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	close(fd);
	client_free(c);
	client_free(c2);
	stop_server();
}
END_TEST

/*
 * Out of descriptors: accept fails with EMFILE, the listener pauses
 * instead of spinning, and serves the waiting client once fds are back.
 */
START_TEST(test_accept_backoff)
{
	struct rlimit old, low;
	struct sockaddr_in sin;
	struct client *c;
	int fds[64], nfds = 0, fd;

	start_default(SMTP_PROTO_SMTP);
	c = xcalloc(1, sizeof(*c));
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(c->fd, 0);
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = (rlim_t)c->fd + 8;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	while (nfds < 64 && (fd = dup(0)) >= 0)
		fds[nfds++] = fd;
	ck_assert_int_eq(errno, EMFILE);
	/* The kernel completes the handshake; accept(2) is what fails. */
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)F.port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(connect(c->fd, (struct sockaddr *)&sin, sizeof(sin)),
	    0);
	fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
	pump(300);
	ck_assert_int_eq(smtp_server_sessions(F.srv), 0);
	while (nfds > 0)
		close(fds[--nfds]);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	expect(c, "220 ");
	cmd(c, "QUIT", "221 ");
	client_free(c);
	stop_server();
}
END_TEST

/* ------------------------------------------------------------------ */

static void
make_certs(void)
{
	char cmdline[1024];

	if (mkdtemp(tls_dir) == NULL) {
		perror("mkdtemp");
		exit(99);
	}
	snprintf(cert_path, sizeof(cert_path), "%s/cert.pem", tls_dir);
	snprintf(key_path, sizeof(key_path), "%s/key.pem", tls_dir);
	snprintf(other_key_path, sizeof(other_key_path), "%s/other.pem",
	    tls_dir);
	snprintf(cmdline, sizeof(cmdline), "openssl req -x509 -newkey ec "
	    "-pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
	    "-subj /CN=mx.test -keyout %s -out %s 2>/dev/null && "
	    "openssl genpkey -algorithm EC -pkeyopt "
	    "ec_paramgen_curve:prime256v1 -out %s 2>/dev/null",
	    key_path, cert_path, other_key_path);
	if (system(cmdline) != 0) {
		fprintf(stderr, "cannot create a test certificate\n");
		exit(99);
	}
}

static void
remove_certs(void)
{
	unlink(cert_path);
	unlink(key_path);
	unlink(other_key_path);
	rmdir(tls_dir);
}

static Suite *
smtp_server_suite(void)
{
	Suite *suite = suite_create("smtp_server");
	TCase *tc = tcase_create("protocol");
	TCase *limits = tcase_create("limits");
	TCase *tls = tcase_create("tls");

	tcase_set_timeout(tc, 30);
	tcase_set_timeout(limits, 30);
	tcase_set_timeout(tls, 30);
	tcase_add_test(tc, test_basic_smtp);
	tcase_add_test(tc, test_lmtp_per_rcpt);
	tcase_add_test(tc, test_pipelining);
	tcase_add_test(tc, test_pipelined_bad_data);
	tcase_add_loop_test(tc, test_data_forms, 0,
	    sizeof(data_cases) / sizeof(data_cases[0]));
	tcase_add_loop_test(tc, test_smuggling, 0, 2 * (int)NSMUGGLE);
	tcase_add_test(tc, test_bare_lf_command);
	tcase_add_test(tc, test_syntax_and_sequence);
	tcase_add_test(tc, test_trickle);
	tcase_add_test(tc, test_deferred_answer);
	tcase_add_test(tc, test_reconfigure_and_close);
	suite_add_tcase(suite, tc);
	tcase_add_test(limits, test_long_command);
	tcase_add_test(limits, test_message_too_big);
	tcase_add_test(limits, test_data_line_too_long);
	tcase_add_test(limits, test_too_many_rcpts);
	tcase_add_test(limits, test_too_many_errors);
	tcase_add_test(limits, test_idle_timeout);
	tcase_add_test(limits, test_session_timeout);
	tcase_add_test(limits, test_max_connections);
	tcase_add_test(limits, test_per_client_limit);
	tcase_add_test(limits, test_first_command_timeout);
	tcase_add_test(limits, test_transaction_timeout);
	tcase_add_test(limits, test_inflight_budget);
	tcase_add_test(limits, test_disconnect_mid_data);
	tcase_add_test(limits, test_disconnect_while_waiting);
	tcase_add_test(limits, test_free_while_waiting);
	tcase_add_test(limits, test_accept_backoff);
	suite_add_tcase(suite, limits);
	tcase_add_test(tls, test_starttls);
	tcase_add_test(tls, test_starttls_injection);
	tcase_add_test(tls, test_starttls_garbage);
	tcase_add_test(tls, test_tls_ctx_errors);
	suite_add_tcase(suite, tls);
	return suite;
}

int
main(void)
{
	SRunner *sr;
	enum log_level level = LOG_LEVEL_WARN;
	const char *env = getenv("TEST_LOG_LEVEL");
	int failed;

	signal(SIGPIPE, SIG_IGN);
	if (env != NULL)
		(void)log_level_parse(env, &level);
	log_init(0, level, "test_smtp_server");
	make_certs();
	sr = srunner_create(smtp_server_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	remove_certs();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
