/*
 * fuzz_smtp: one SMTP or LMTP client session against smtp_server.c, the
 * code that faces the network.  The session is the real one (the
 * listener's own path through smtp_server_adopt()) on one end of a
 * socketpair(2); the harness plays the client on the other end and the
 * daemon's callbacks: recipients in @example.test are accepted, and each
 * message is answered at once, from a timer (the store's commit), only
 * after the client has finished, with the 451 that a NULL reply means, or
 * after the server was freed (shutdown while a message waits).
 *
 * Input: byte 0 picks the protocol and the callbacks' behaviour (FLAG_*
 * below), byte 1 the size of the pieces the client stream is written in
 * (1 byte to all at once: partial lines and commands split anywhere) and
 * whether a small budget of bytes in flight is shared (FLAG1_INFLIGHT),
 * the rest is the client stream.  After each piece the event loop makes
 * one pass; when the socket is full, and at the end, it runs until the
 * session is quiet: no reply, no byte read, no callback, no event
 * pending.  Every step depends only on the input (a socketpair
 * delivers at once; no timer runs out in a run), so runs repeat exactly.
 * Each run has its own event base and server, freed at its end, so
 * nothing is carried to the next run and a leak is one run's.
 *
 * Checks beyond crashes and leaks: every reply line is "ddd" + ' ' or
 * '-' + text + CRLF within RFC 5321's 512 octets (no client byte can
 * break or forge a reply); each message reaches the callback with a
 * Received header on top; the server closes the connection once the
 * client has half-closed and every message is answered; no session is
 * left behind and no byte stays charged to the budget; the loop never
 * spins without settling.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "buf.h"
#include "error.h"
#include "fuzz.h"
#include "inflight.h"
#include "smtp_server.h"
#include "tls.h"
#include "xmalloc.h"

#define FLAG_LMTP	0x01	/* else SMTP */
#define FLAG_ANSWER	0x06	/* mask: when a message is answered */
#define  ANSWER_NOW	0x00	/* inside the message callback */
#define  ANSWER_TIMER	0x02	/* from a timer, on the next loop pass */
#define  ANSWER_AT_EOF	0x04	/* once the client stream has ended */
#define  ANSWER_NULL	0x06	/* at once, replies NULL: 451 */
#define FLAG_PER_RCPT	0x08	/* LMTP: one reply per recipient */
#define FLAG_REFUSE	0x10	/* 554/452 rather than 250 */
#define FLAG_TIGHT	0x20	/* small limits: size, line, recipients */
#define FLAG_TLS	0x40	/* offer STARTTLS */
#define FLAG_SHUTDOWN	0x80	/* free the server while a message waits */
#define FLAG1_PIECE	0x07	/* byte 1, mask: index into pieces[] */
#define FLAG1_INFLIGHT	0x08	/* byte 1: a budget of INFLIGHT_MAX bytes */

#define INFLIGHT_MAX	3000	/* below one message of a seed or two */

#define REPLY_MAX	512	/* RFC 5321 4.5.3.1.5, CRLF included */
#define PUMP_MAX	100000	/* loop passes without settling: a spin */

/* One run: the server, the client's socket, what the callbacks saw. */
struct run {
	unsigned		 flags;
	struct event_base	*base;
	struct smtp_server	*srv;
	struct inflight		*inflight;	/* NULL: no budget */
	struct event		*ev_answer;
	int			 client;
	int			 server_fd;	/* valid until closed */
	bool			 closed;	/* server closed its end */
	int			 calls;		/* callbacks, for "quiet" */
	int			 messages;
	int			 answered;
	struct smtp_session	*waiting;	/* a message not answered */
	size_t			 waiting_rcpts;
	char			 line[REPLY_MAX + 1];	/* reply being read */
	size_t			 linelen;
};

/* Read-only after LLVMFuzzerInitialize. */
static SSL_CTX	*fuzz_ssl_ctx;

static bool	 fake_rcpt(void *, const char *, struct smtp_reply *);
static void	 fake_message(void *, struct smtp_session *, struct buf *,
		    const char *, char *const *, size_t);
static void	 answer(struct run *, struct smtp_session *, size_t);
static void	 answer_cb(evutil_socket_t, short, void *);
static void	 answer_waiting(struct run *);
static void	 start(struct run *, unsigned, unsigned);
static void	 finish(struct run *);
static size_t	 send_some(struct run *, const uint8_t *, size_t);
static void	 step(struct run *);
static void	 pump(struct run *);
static size_t	 drain(struct run *);
static void	 check_reply_bytes(struct run *, const char *, size_t);
static void	 check_reply_line(const char *, size_t);
static SSL_CTX	*make_ssl_ctx(void);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	fuzz_ssl_ctx = make_ssl_ctx();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t	 pieces[] = { 1, 2, 5, 13, 64, 512, 0, 0 };
	struct run		 r;
	size_t			 piece, n;

	if (size < 2)
		return 0;
	start(&r, data[0], data[1]);
	piece = pieces[data[1] & FLAG1_PIECE];
	data += 2;
	size -= 2;
	pump(&r);			/* the greeting */
	while (size > 0 && !r.closed) {
		if (piece == 0 || piece > size)
			piece = size;
		if ((n = send_some(&r, data, piece)) == 0) {
			pump(&r);	/* the socket is full */
			if ((n = send_some(&r, data, piece)) == 0)
				break;	/* the server reads no more */
		}
		data += n;
		size -= n;
		step(&r);
	}
	finish(&r);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The daemon's side: callbacks                                       */

static bool
fake_rcpt(void *arg, const char *rcpt, struct smtp_reply *reply)
{
	struct run	*r = arg;
	size_t		 len = strlen(rcpt), sfx = strlen("@example.test");

	r->calls++;
	if (len > sfx && strcasecmp(rcpt + len - sfx, "@example.test") == 0)
		return true;
	reply->code = 550;
	snprintf(reply->text, sizeof(reply->text),
	    "5.7.1 <%s>: relaying denied", rcpt);
	return false;
}

static void
fake_message(void *arg, struct smtp_session *s, struct buf *raw,
    const char *mail_from, char *const *rcpts, size_t nrcpts)
{
	struct run	*r = arg;
	struct timeval	 now = { 0, 0 };

	r->calls++;
	r->messages++;
	if (mail_from == NULL || nrcpts == 0 || rcpts[0] == NULL)
		fuzz_fail("a message without sender or recipients");
	if (raw == NULL || strncmp(raw->data, "Received: from ", 15) != 0)
		fuzz_fail("a message without its Received header");
	buf_free(raw);
	if (r->waiting != NULL)
		fuzz_fail("a second message while one waits");
	switch (r->flags & FLAG_ANSWER) {
	case ANSWER_NOW:
	case ANSWER_NULL:
		answer(r, s, nrcpts);
		break;
	case ANSWER_TIMER:
		r->waiting = s;
		r->waiting_rcpts = nrcpts;
		evtimer_add(r->ev_answer, &now);
		break;
	case ANSWER_AT_EOF:
		r->waiting = s;
		r->waiting_rcpts = nrcpts;
		break;
	}
}

static void
answer(struct run *r, struct smtp_session *s, size_t nrcpts)
{
	struct smtp_reply	*replies;
	size_t			 i, n = 1;

	r->answered++;
	if ((r->flags & FLAG_ANSWER) == ANSWER_NULL) {
		smtp_session_data_done(s, NULL, 0);
		return;
	}
	if ((r->flags & FLAG_LMTP) && (r->flags & FLAG_PER_RCPT))
		n = nrcpts;
	replies = xcalloc(n, sizeof(*replies));
	for (i = 0; i < n; i++) {
		if ((r->flags & FLAG_REFUSE) || i % 2 == 1) {
			replies[i].code = i % 2 == 1 ? 452 : 554;
			snprintf(replies[i].text, sizeof(replies[i].text),
			    "%s Refused for recipient %zu", i % 2 == 1 ?
			    "4.2.2" : "5.6.0", i);
		} else {
			replies[i].code = 250;
			snprintf(replies[i].text, sizeof(replies[i].text),
			    "2.0.0 Ok: stored as message %d", r->messages);
		}
	}
	smtp_session_data_done(s, replies, n);
	free(replies);
}

static void
answer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct run	*r = arg;

	(void)fd;
	(void)what;
	r->calls++;
	answer_waiting(r);
}

static void
answer_waiting(struct run *r)
{
	struct smtp_session *s = r->waiting;

	if (s == NULL)
		return;
	r->waiting = NULL;
	answer(r, s, r->waiting_rcpts);
}

/* ------------------------------------------------------------------ */
/* One run                                                            */

static void
start(struct run *r, unsigned flags, unsigned flags1)
{
	struct smtp_callbacks	 cb = { fake_rcpt, fake_message, NULL };
	struct smtp_limits	 l;
	struct sockaddr_in	 peer;
	struct error		 err;
	int			 sv[2];

	memset(r, 0, sizeof(*r));
	r->flags = flags;
	cb.arg = r;
	memset(&l, 0, sizeof(l));
	l.max_message_size = flags & FLAG_TIGHT ? 2000 : 1024 * 1024;
	l.max_line_length = flags & FLAG_TIGHT ? 78 : 998;
	l.max_recipients = flags & FLAG_TIGHT ? 3 : 100;
	l.max_connections = 10;
	l.idle_timeout = 300;
	l.session_timeout = 0;
	if ((r->base = event_base_new()) == NULL)
		fuzz_fail("event_base_new failed");
	r->ev_answer = evtimer_new(r->base, answer_cb, r);
	r->srv = smtp_server_new(r->base, flags & FLAG_LMTP ?
	    SMTP_PROTO_LMTP : SMTP_PROTO_SMTP, "127.0.0.1", 0, "mx.test", &l,
	    flags & FLAG_TLS ? fuzz_ssl_ctx : NULL, &cb, &err);
	if (r->srv == NULL)
		fuzz_fail("smtp_server_new: %s", err.msg);
	if (flags1 & FLAG1_INFLIGHT) {
		r->inflight = inflight_new(INFLIGHT_MAX);
		smtp_server_set_inflight(r->srv, r->inflight);
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		fuzz_fail("socketpair: %m");
	r->client = sv[1];
	r->server_fd = sv[0];
	memset(&peer, 0, sizeof(peer));
	peer.sin_family = AF_INET;
	peer.sin_port = htons(25);
	peer.sin_addr.s_addr = htonl(0xc0000201);	/* 192.0.2.1 */
	smtp_server_adopt(r->srv, sv[0], (struct sockaddr *)&peer,
	    sizeof(peer));
}

/*
 * The client half-closes; every message still waiting is answered (after
 * freeing the server, with FLAG_SHUTDOWN); the server must then have
 * closed the connection and freed the session.
 */
static void
finish(struct run *r)
{
	if (shutdown(r->client, SHUT_WR) == -1 && errno != ENOTCONN)
		fuzz_fail("shutdown: %m");
	pump(r);
	while (r->waiting != NULL) {
		if ((r->flags & FLAG_SHUTDOWN) && r->srv != NULL) {
			smtp_server_free(r->srv);
			r->srv = NULL;
			r->closed = true;
		}
		answer_waiting(r);
		pump(r);
	}
	if (!r->closed)
		fuzz_fail("the connection stays open after the client's EOF");
	if (r->srv != NULL) {
		if (smtp_server_sessions(r->srv) != 0)
			fuzz_fail("%d session(s) left after the connection "
			    "closed", smtp_server_sessions(r->srv));
		smtp_server_free(r->srv);
	}
	if (r->answered != r->messages)
		fuzz_fail("%d messages, %d answers", r->messages, r->answered);
	if (r->inflight != NULL) {
		if (inflight_bytes(r->inflight) != 0)
			fuzz_fail("%zu bytes still charged to the budget",
			    inflight_bytes(r->inflight));
		inflight_free(r->inflight);
	}
	event_free(r->ev_answer);
	event_base_free(r->base);
	close(r->client);
}

/* Bytes the socket took (0: full, or the server has gone). */
static size_t
send_some(struct run *r, const uint8_t *data, size_t len)
{
	ssize_t n;

	if (r->closed || len == 0)
		return 0;
	n = send(r->client, data, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n > 0)
		return (size_t)n;
	if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK &&
	    errno != EPIPE && errno != ECONNRESET)
		fuzz_fail("send: %m");
	return 0;
}

/*
 * One pass of the loop and what it wrote: the piece just sent is read
 * and its replies queued (they leave in a later pass).  Cheaper than
 * pump() after every byte, and as repeatable.
 */
static void
step(struct run *r)
{
	if (event_base_loop(r->base, EVLOOP_NONBLOCK) == -1)
		fuzz_fail("event_base_loop failed");
	(void)drain(r);
}

/*
 * Runs the loop until the session is quiet for two passes: nothing read
 * from it, nothing it took from its socket, no callback, no active event.
 */
static void
pump(struct run *r)
{
	int	 i, quiet = 0, calls, unread = -1, was;

	for (i = 0; i < PUMP_MAX; i++) {
		calls = r->calls;
		was = unread;
		if (event_base_loop(r->base, EVLOOP_NONBLOCK) == -1)
			fuzz_fail("event_base_loop failed");
		if (drain(r) > 0 || r->calls != calls ||
		    event_base_get_num_events(r->base,
		    EVENT_BASE_COUNT_ACTIVE) > 0) {
			quiet = 0;
			continue;
		}
		if (!r->closed && ioctl(r->server_fd, FIONREAD, &unread) == -1)
			fuzz_fail("FIONREAD: %m");
		if (r->closed || unread == was)
			quiet++;
		else
			quiet = 0;
		if (quiet >= 2)
			return;
	}
	fuzz_fail("the session never settles (%d loop passes)", PUMP_MAX);
}

/* Reads what the server wrote; notes when it closed. */
static size_t
drain(struct run *r)
{
	char	 b[16384];
	size_t	 total = 0;
	ssize_t	 n;

	if (r->closed)
		return 0;
	for (;;) {
		n = recv(r->client, b, sizeof(b), MSG_DONTWAIT);
		if (n > 0) {
			if (!(r->flags & FLAG_TLS))
				check_reply_bytes(r, b, (size_t)n);
			total += (size_t)n;
			continue;
		}
		if (n == 0 || errno == ECONNRESET) {
			r->closed = true;
			r->server_fd = -1;
		} else if (errno != EAGAIN && errno != EWOULDBLOCK)
			fuzz_fail("recv: %m");
		return total;
	}
}

/* Reply lines may arrive in any pieces. */
static void
check_reply_bytes(struct run *r, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (r->linelen == REPLY_MAX)
			fuzz_fail("a reply line over %d octets: %.40s...",
			    REPLY_MAX, r->line);
		r->line[r->linelen++] = b[i];
		if (b[i] == '\n') {
			check_reply_line(r->line, r->linelen);
			r->linelen = 0;
		}
	}
}

static void
check_reply_line(const char *line, size_t len)
{
	size_t i;

	if (len < 6 || line[0] < '2' || line[0] > '5' ||
	    line[1] < '0' || line[1] > '9' || line[2] < '0' || line[2] > '9' ||
	    (line[3] != ' ' && line[3] != '-') || line[len - 2] != '\r')
		fuzz_fail("malformed reply line \"%.*s\"", (int)len, line);
	for (i = 4; i < len - 2; i++) {
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			fuzz_fail("control character in reply \"%.*s\"",
			    (int)len, line);
	}
}

/*
 * A throwaway self-signed P-256 certificate, written to a temporary
 * directory and loaded the daemon's way (tls_server_ctx_new).
 */
static SSL_CTX *
make_ssl_ctx(void)
{
	char		 dir[] = "/tmp/fuzz_smtp.XXXXXX", cert[64], key[64];
	struct error	 err;
	EVP_PKEY	*pkey;
	X509		*x;
	X509_NAME	*name;
	SSL_CTX		*ctx;
	FILE		*f;

	if (mkdtemp(dir) == NULL)
		fuzz_fail("mkdtemp: %m");
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	if ((pkey = EVP_EC_gen("P-256")) == NULL || (x = X509_new()) == NULL)
		fuzz_fail("cannot make a key");
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 365);
	X509_set_pubkey(x, pkey);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"mx.test", -1, -1, 0);
	X509_set_issuer_name(x, name);
	if (X509_sign(x, pkey, EVP_sha256()) == 0)
		fuzz_fail("cannot sign the certificate");
	if ((f = fopen(cert, "w")) == NULL || !PEM_write_X509(f, x) ||
	    fclose(f) != 0)
		fuzz_fail("cannot write %s", cert);
	if ((f = fopen(key, "w")) == NULL ||
	    !PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL) ||
	    fclose(f) != 0)
		fuzz_fail("cannot write %s", key);
	ctx = tls_server_ctx_new(cert, key, &err);
	if (ctx == NULL)
		fuzz_fail("tls_server_ctx_new: %s", err.msg);
	unlink(cert);
	unlink(key);
	rmdir(dir);
	X509_free(x);
	EVP_PKEY_free(pkey);
	return ctx;
}
