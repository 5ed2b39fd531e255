/*
 * smtp_client: one blocking SMTP transaction with the smarthost, built on
 * libetpan's mailsmtp (called from the sender worker only).
 *
 * How libetpan is used, and where we step around it (Debian's libetpan
 * 1.9.4 is built with GnuTLS and Cyrus SASL; we checked its source):
 *
 * - Connecting: we open the TCP socket ourselves (getaddrinfo, a
 *   non-blocking connect bounded by outgoing.smarthost.timeout) and wrap it
 *   with mailstream_socket_open_timeout / mailstream_ssl_open_with_callback_
 *   timeout, so every read and write has our timeout on the stream itself
 *   and we never touch libetpan's process-wide mailstream_network_delay.
 * - EHLO, AUTH: sent by us over the session's mailstream.  libetpan's
 *   mailesmtp_ehlo announces gethostname(), not our configured hostname,
 *   and its AUTH goes through Cyrus SASL (mailesmtp_auth_sasl), which
 *   needs the SASL plugins installed at run time and keeps global library
 *   state.  PLAIN (RFC 4616) and LOGIN are a few lines each, so we write
 *   them over the stream and read replies with mailstream_read_line_
 *   remove_eol.  We set session->esmtp/auth ourselves from the EHLO reply,
 *   which is what mailesmtp_starttls and mailesmtp_mail look at.
 * - STARTTLS, MAIL, RCPT, DATA: libetpan (mailsmtp_socket_starttls_with_
 *   callback, mailesmtp_mail, mailesmtp_rcpt, mailsmtp_data,
 *   mailsmtp_data_message).  The reply code and text of a failed step are
 *   in session->response_code and session->response.
 * - Message data: mailsmtp_data_message turns bare LF into CRLF, does the
 *   dot-stuffing and always appends "\r\n.\r\n".  So we pass the data as
 *   it is (no stuffing of our own) minus one final line end, which would
 *   otherwise become an extra empty line at the end of the message.
 * - Certificate verification: with GnuTLS inside libetpan, the ssl-context
 *   callback can only set SNI (mailstream_ssl_set_server_name);
 *   mailstream_ssl_set_server_certicate is "not implemented" there.  So
 *   right after each handshake, before a single SMTP command (or the
 *   password) goes over TLS, we take the peer chain with
 *   mailstream_get_certificate_chain and verify it with OpenSSL against
 *   outgoing.smarthost.ca_file (or the system store), with the host name
 *   (or IP address) checked by X509_VERIFY_PARAM.  The handshake already
 *   proved the server holds the leaf's key, so this is full verification.
 * - SIGPIPE: libetpan writes with send(fd, .., 0).  We block SIGPIPE in
 *   the calling thread for the transaction and discard a pending one
 *   after, so a smarthost that hangs up cannot kill the daemon.
 *
 * - SMTPUTF8 (RFC 6531): mail to or from an internationalised address
 *   (UTF-8 in the envelope), or with raw UTF-8 in its header (RFC 6532),
 *   goes out only with "MAIL FROM:<..> SMTPUTF8", which we write
 *   ourselves (mailesmtp_mail knows no such parameter).  A smarthost that
 *   does not offer SMTPUTF8 cannot take it, and no downgrade (RFC 6530
 *   has none for addresses) would reach the same mailbox: that is
 *   ERR_PERM with a reason that says so, never a mangled address.
 *
 * Errors: connection trouble, timeouts, TLS and verification failures,
 * AUTH failures (a configuration problem the admin can fix while mail
 * waits) and 4xx replies are ERR_TEMP; 5xx replies to MAIL, RCPT and DATA
 * are ERR_PERM.  The server's reply text is in the message.  A rejected
 * recipient fails the whole transaction (our mail has one recipient).
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/evp.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libetpan/libetpan.h>

#include "buf.h"
#include "charset.h"
#include "config.h"
#include "error.h"
#include "smtp_client.h"
#include "tls_verify.h"
#include "xmalloc.h"

/* One transaction in progress. */
struct smtp_client {
	const struct config	*cfg;
	mailsmtp		*session;
	MMAPString		*line;
	int			 code;		/* last reply code, 0: none */
	bool			 smtputf8;	/* offered in EHLO */
	char			 text[400];	/* last reply text, one line */
};

static int	smtp_client_run(struct smtp_client *, const char *,
		    const char *, const char *, size_t, struct error *);
static int	smtp_client_open(struct smtp_client *, struct error *);
static int	smtp_client_tcp(const char *, int, int, struct error *);
static int	smtp_client_wait_connect(int, int);
static int	smtp_client_verify(struct smtp_client *, mailstream *,
		    struct error *);
static int	smtp_client_hello(struct smtp_client *, struct error *);
static void	smtp_client_parse_ehlo(struct smtp_client *, const char *);
static int	smtp_client_starttls(struct smtp_client *, struct error *);
static int	smtp_client_auth(struct smtp_client *, struct error *);
static int	smtp_client_auth_plain(struct smtp_client *, const char *,
		    const char *);
static int	smtp_client_auth_login(struct smtp_client *, const char *,
		    const char *);
static int	smtp_client_envelope(struct smtp_client *, const char *,
		    const char *, bool, struct error *);
static int	smtp_client_data(struct smtp_client *, const char *, size_t,
		    struct error *);
static int	smtp_client_cmd(struct smtp_client *, const char *, int,
		    struct buf *);
static int	smtp_client_reply(struct smtp_client *, struct buf *);
static int	smtp_client_fail(struct smtp_client *, const char *, bool,
		    struct error *);
static int	smtp_client_fail_etpan(struct smtp_client *, const char *,
		    int, bool, struct error *);
static const char *smtp_client_ehlo_name(const struct smtp_client *);
static bool	smtp_client_addr_ok(const char *);
static bool	smtp_client_needs_utf8(const char *, const char *,
		    const char *, size_t, char *, size_t);
static bool	smtp_client_ascii(const char *, size_t);
static char	*smtp_client_base64(const char *, size_t);

int
smtp_client_send(const struct config *cfg, const char *mail_from,
    const char *rcpts, const char *data, size_t len, struct error *err)
{
	struct smtp_client c;
	sigset_t block, old, pending;
	struct timespec zero = { 0, 0 };
	int rc;

	if (cfg->smarthost_host == NULL)
		return error_set(err, ERR_INTERNAL, "smtp: no smarthost");
	memset(&c, 0, sizeof(c));
	c.cfg = cfg;
	sigemptyset(&block);
	sigaddset(&block, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &block, &old);

	c.session = mailsmtp_new(0, NULL);
	c.line = mmap_string_new("");
	if (c.session == NULL || c.line == NULL)
		rc = error_set(err, ERR_INTERNAL, "smtp: out of memory");
	else
		rc = smtp_client_run(&c, mail_from, rcpts, data, len, err);
	if (c.session != NULL)
		mailsmtp_free(c.session);	/* sends QUIT if still open */
	if (c.line != NULL)
		mmap_string_free(c.line);

	/* Discard a SIGPIPE raised by a write to a closed connection. */
	sigpending(&pending);
	if (sigismember(&pending, SIGPIPE) && !sigismember(&old, SIGPIPE))
		(void)sigtimedwait(&block, NULL, &zero);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

static int
smtp_client_run(struct smtp_client *c, const char *mail_from,
    const char *rcpts, const char *data, size_t len, struct error *err)
{
	char why[450];
	bool utf8;

	mailsmtp_set_timeout(c->session, (time_t)c->cfg->smtp_timeout);
	if (smtp_client_open(c, err) == -1 ||
	    smtp_client_hello(c, err) == -1)
		return -1;
	if (c->cfg->smarthost_tls == CONFIG_TLS_STARTTLS &&
	    (smtp_client_starttls(c, err) == -1 ||
	    smtp_client_hello(c, err) == -1))
		return -1;
	if (c->cfg->smarthost_user != NULL &&
	    smtp_client_auth(c, err) == -1)
		return -1;
	utf8 = smtp_client_needs_utf8(mail_from, rcpts, data, len, why,
	    sizeof(why));
	if (utf8 && !c->smtputf8)
		return error_set(err, ERR_PERM, "smtp %s: %s needs SMTPUTF8 "
		    "(RFC 6531), which the smarthost does not offer",
		    c->cfg->smarthost_host, why);
	if (smtp_client_envelope(c, mail_from, rcpts, utf8, err) == -1 ||
	    smtp_client_data(c, data, len, err) == -1)
		return -1;
	mailsmtp_quit(c->session);
	return 0;
}

/* TCP (and TLS for implicit TLS), then the 220 greeting. */
static int
smtp_client_open(struct smtp_client *c, struct error *err)
{
	const struct config *cfg = c->cfg;
	mailstream *stream;
	int fd, r;

	fd = smtp_client_tcp(cfg->smarthost_host, cfg->smarthost_port,
	    cfg->smtp_timeout, err);
	if (fd == -1)
		return -1;
	if (cfg->smarthost_tls == CONFIG_TLS_IMPLICIT)
		stream = mailstream_ssl_open_with_callback_timeout(fd,
		    cfg->smtp_timeout, tls_verify_sni, cfg->smarthost_host);
	else
		stream = mailstream_socket_open_timeout(fd, cfg->smtp_timeout);
	if (stream == NULL) {
		close(fd);
		return error_set(err, ERR_TEMP, "smtp %s: %s failed",
		    cfg->smarthost_host,
		    cfg->smarthost_tls == CONFIG_TLS_IMPLICIT ?
		    "TLS handshake" : "stream setup");
	}
	/* Verified before the greeting is even read. */
	if (cfg->smarthost_tls == CONFIG_TLS_IMPLICIT &&
	    smtp_client_verify(c, stream, err) == -1) {
		mailstream_close(stream);
		return -1;
	}
	/* On failure mailsmtp_connect closes the stream itself. */
	c->session->response_code = 0;
	r = mailsmtp_connect(c->session, stream);
	if (r != MAILSMTP_NO_ERROR)
		return smtp_client_fail_etpan(c, "greeting", r, false, err);
	return 0;
}

/* A connected socket to host:port within timeout seconds, or -1 + err. */
static int
smtp_client_tcp(const char *host, int port, int timeout, struct error *err)
{
	struct addrinfo hints, *res, *ai;
	char service[16];
	int fd = -1, rc, saved = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	(void)snprintf(service, sizeof(service), "%d", port);
	if ((rc = getaddrinfo(host, service, &hints, &res)) != 0)
		return error_set(err, ERR_TEMP, "smtp %s: %s", host,
		    gai_strerror(rc));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, ai->ai_protocol);
		if (fd == -1) {
			saved = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
		    (errno == EINPROGRESS &&
		    smtp_client_wait_connect(fd, timeout) == 0))
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1)
		return error_set(err, ERR_TEMP, "smtp %s port %d: connect: %s",
		    host, port, strerror(saved));
	/* libetpan's stream does its own polling on a blocking socket. */
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

static int
smtp_client_wait_connect(int fd, int timeout)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	socklen_t len = sizeof(int);
	int r, soerr = 0;

	do {
		r = poll(&pfd, 1, timeout * 1000);
	} while (r == -1 && errno == EINTR);
	if (r == 0)
		errno = ETIMEDOUT;
	if (r <= 0)
		return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1)
		return -1;
	if (soerr != 0) {
		errno = soerr;
		return -1;
	}
	return 0;
}

/* See the file comment: OpenSSL verifies the chain GnuTLS received. */
static int
smtp_client_verify(struct smtp_client *c, mailstream *stream,
    struct error *err)
{
	char label[300];

	if (!c->cfg->smarthost_verify)
		return 0;
	(void)snprintf(label, sizeof(label), "smtp %s", c->cfg->smarthost_host);
	return tls_verify_stream(stream, c->cfg->smarthost_host,
	    c->cfg->smarthost_ca_file, label, err);
}

/* EHLO with our hostname; HELO when the server does not know EHLO. */
static int
smtp_client_hello(struct smtp_client *c, struct error *err)
{
	struct buf cmd, reply;
	int rc = 0;

	buf_init(&cmd);
	buf_init(&reply);
	buf_printf(&cmd, "EHLO %s\r\n", smtp_client_ehlo_name(c));
	if (smtp_client_cmd(c, cmd.data, 1, &reply) == 250)
		smtp_client_parse_ehlo(c, reply.data);
	else if (c->code >= 500 && c->code < 600) {
		buf_reset(&cmd);
		buf_printf(&cmd, "HELO %s\r\n", smtp_client_ehlo_name(c));
		if (smtp_client_cmd(c, cmd.data, 1, NULL) == 250) {
			c->session->esmtp = 0;
			c->session->auth = MAILSMTP_AUTH_CHECKED;
		} else
			rc = smtp_client_fail(c, "HELO", false, err);
	} else
		rc = smtp_client_fail(c, "EHLO", false, err);
	buf_release(&cmd);
	buf_release(&reply);
	return rc;
}

/* The capabilities libetpan and we care about, one per reply line. */
static void
smtp_client_parse_ehlo(struct smtp_client *c, const char *reply)
{
	const char *line, *p;
	size_t n;

	c->session->esmtp = MAILSMTP_ESMTP;
	c->session->auth = MAILSMTP_AUTH_CHECKED;
	c->smtputf8 = false;
	for (line = reply; *line != '\0'; line += n + (line[n] == '\n')) {
		n = strcspn(line, "\n");
		if (n == 8 && strncasecmp(line, "SMTPUTF8", 8) == 0)
			c->smtputf8 = true;
		if (n >= 8 && strncasecmp(line, "STARTTLS", 8) == 0)
			c->session->esmtp |= MAILSMTP_ESMTP_STARTTLS;
		if (n < 5 || (strncasecmp(line, "AUTH ", 5) != 0 &&
		    strncasecmp(line, "AUTH=", 5) != 0))
			continue;
		for (p = line + 5; p < line + n; p++) {
			if ((p == line + 5 || p[-1] == ' ') &&
			    strncasecmp(p, "PLAIN", 5) == 0 &&
			    (p + 5 == line + n || p[5] == ' '))
				c->session->auth |= MAILSMTP_AUTH_PLAIN;
			if ((p == line + 5 || p[-1] == ' ') &&
			    strncasecmp(p, "LOGIN", 5) == 0 &&
			    (p + 5 == line + n || p[5] == ' '))
				c->session->auth |= MAILSMTP_AUTH_LOGIN;
		}
	}
}

static int
smtp_client_starttls(struct smtp_client *c, struct error *err)
{
	int r;

	if ((c->session->esmtp & MAILSMTP_ESMTP_STARTTLS) == 0)
		return error_set(err, ERR_TEMP, "smtp %s: STARTTLS required"
		    " but not offered", c->cfg->smarthost_host);
	c->session->response_code = 0;
	r = mailsmtp_socket_starttls_with_callback(c->session,
	    tls_verify_sni, c->cfg->smarthost_host);
	if (r == MAILSMTP_ERROR_SSL)
		return error_set(err, ERR_TEMP, "smtp %s: TLS handshake failed",
		    c->cfg->smarthost_host);
	if (r != MAILSMTP_NO_ERROR)
		return smtp_client_fail_etpan(c, "STARTTLS", r, false, err);
	return smtp_client_verify(c, c->session->stream, err);
}

static int
smtp_client_auth(struct smtp_client *c, struct error *err)
{
	const char *user = c->cfg->smarthost_user;
	const char *pass = c->cfg->smarthost_password != NULL ?
	    c->cfg->smarthost_password : "";
	int code;

	if (c->session->auth & MAILSMTP_AUTH_PLAIN)
		code = smtp_client_auth_plain(c, user, pass);
	else if (c->session->auth & MAILSMTP_AUTH_LOGIN)
		code = smtp_client_auth_login(c, user, pass);
	else
		return error_set(err, ERR_TEMP, "smtp %s: AUTH PLAIN or LOGIN"
		    " not offered", c->cfg->smarthost_host);
	if (code == 235)
		return 0;
	/* An AUTH failure is for the admin to fix; the mail waits. */
	return smtp_client_fail(c, "AUTH", false, err);
}

/* RFC 4616: base64("\0user\0pass") as the initial response. */
static int
smtp_client_auth_plain(struct smtp_client *c, const char *user,
    const char *pass)
{
	struct buf raw, cmd;
	char *b64;
	int code;

	buf_init(&raw);
	buf_init(&cmd);
	buf_append_char(&raw, '\0');
	buf_append_str(&raw, user);
	buf_append_char(&raw, '\0');
	buf_append_str(&raw, pass);
	b64 = smtp_client_base64(raw.data, raw.len);
	buf_printf(&cmd, "AUTH PLAIN %s\r\n", b64);
	code = smtp_client_cmd(c, cmd.data, 0, NULL);
	explicit_bzero(raw.data, raw.len);
	explicit_bzero(cmd.data, cmd.len);
	explicit_bzero(b64, strlen(b64));
	free(b64);
	buf_release(&raw);
	buf_release(&cmd);
	return code;
}

/* The LOGIN mechanism: user and password each after a 334 challenge. */
static int
smtp_client_auth_login(struct smtp_client *c, const char *user,
    const char *pass)
{
	const char *steps[2] = { user, pass };
	char *b64, *line;
	size_t i;
	int code;

	code = smtp_client_cmd(c, "AUTH LOGIN\r\n", 1, NULL);
	for (i = 0; i < 2 && code == 334; i++) {
		b64 = smtp_client_base64(steps[i], strlen(steps[i]));
		xasprintf(&line, "%s\r\n", b64);
		code = smtp_client_cmd(c, line, 0, NULL);
		explicit_bzero(line, strlen(line));
		explicit_bzero(b64, strlen(b64));
		free(line);
		free(b64);
	}
	return code;
}

/* MAIL and RCPT; with utf8, MAIL carries the SMTPUTF8 parameter. */
static int
smtp_client_envelope(struct smtp_client *c, const char *mail_from,
    const char *rcpts, bool utf8, struct error *err)
{
	char *list, *rcpt, *save = NULL;
	struct buf cmd;
	int r, rc = 0, n = 0;

	/* Anything that could smuggle a second command into the line. */
	if (*mail_from != '\0' && !smtp_client_addr_ok(mail_from))
		return error_set(err, ERR_PERM, "smtp: bad sender address");
	if (utf8) {
		buf_init(&cmd);
		buf_printf(&cmd, "MAIL FROM:<%s> SMTPUTF8\r\n", mail_from);
		r = smtp_client_cmd(c, cmd.data, 1, NULL);
		buf_release(&cmd);
		if (r != 250)
			return smtp_client_fail(c, "MAIL FROM", true, err);
	} else {
		c->session->response_code = 0;
		r = mailesmtp_mail(c->session, mail_from, 0, NULL);
		if (r != MAILSMTP_NO_ERROR)
			return smtp_client_fail_etpan(c, "MAIL FROM", r, true,
			    err);
	}
	list = xstrdup(rcpts);
	for (rcpt = strtok_r(list, " ", &save); rcpt != NULL && rc == 0;
	    rcpt = strtok_r(NULL, " ", &save)) {
		if (!smtp_client_addr_ok(rcpt)) {
			rc = error_set(err, ERR_PERM, "smtp: bad recipient"
			    " address");
			break;
		}
		c->session->response_code = 0;
		r = mailesmtp_rcpt(c->session, rcpt, 0, NULL);
		if (r != MAILSMTP_NO_ERROR)
			rc = smtp_client_fail_etpan(c, "RCPT TO", r, true, err);
		n++;
	}
	free(list);
	if (rc == 0 && n == 0)
		rc = error_set(err, ERR_PERM, "smtp: no recipients");
	return rc;
}

static int
smtp_client_data(struct smtp_client *c, const char *data, size_t len,
    struct error *err)
{
	int r;

	c->session->response_code = 0;
	r = mailsmtp_data(c->session);
	if (r != MAILSMTP_NO_ERROR)
		return smtp_client_fail_etpan(c, "DATA", r, true, err);
	/* libetpan appends CRLF "." CRLF: drop our own final line end. */
	if (len > 0 && data[len - 1] == '\n')
		len--;
	if (len > 0 && data[len - 1] == '\r')
		len--;
	c->session->response_code = 0;
	r = mailsmtp_data_message(c->session, data, len);
	if (r != MAILSMTP_NO_ERROR)
		return smtp_client_fail_etpan(c, "end of DATA", r, true, err);
	return 0;
}

/*
 * Sends one command line (ours, not libetpan's) and reads the reply;
 * returns the code (0 if the connection failed).  public = 0 keeps the
 * line out of libetpan's logger (credentials).  The reply lines without
 * their codes go into text_out when it is not NULL, one per line.
 */
static int
smtp_client_cmd(struct smtp_client *c, const char *line, int public,
    struct buf *text_out)
{
	mailstream *s = c->session->stream;

	c->code = 0;
	c->text[0] = '\0';
	if (s == NULL)
		return 0;
	mailstream_set_privacy(s, public);
	if (mailstream_write(s, line, strlen(line)) == -1 ||
	    mailstream_flush(s) == -1) {
		(void)strlcpy(c->text, "connection lost", sizeof(c->text));
		return 0;
	}
	return smtp_client_reply(c, text_out);
}

/* Reads a (multi-line) reply: "250-..." lines, then "250 ...". */
static int
smtp_client_reply(struct smtp_client *c, struct buf *text_out)
{
	char *line;
	int code, lines = 0;
	bool more;

	do {
		line = mailstream_read_line_remove_eol(c->session->stream,
		    c->line);
		if (line == NULL || strlen(line) < 3 || ++lines > 1000) {
			(void)strlcpy(c->text, line == NULL ?
			    "connection lost or timed out" : "bad reply",
			    sizeof(c->text));
			c->code = 0;
			return 0;
		}
		code = atoi(line);
		more = line[3] == '-';
		if (text_out != NULL) {
			buf_append_str(text_out, line[3] != '\0' ? line + 4 :
			    "");
			buf_append_char(text_out, '\n');
		}
		if (c->text[0] != '\0')
			(void)strlcat(c->text, " ", sizeof(c->text));
		/* A long reply is cut: it is only for the log. */
		(void)strlcat(c->text, line, sizeof(c->text));
	} while (more);
	c->code = code;
	return code;
}

/*
 * Turns the failed step's reply (c->code, c->text) into err.  perm: a 5xx
 * here means the mail will never be accepted (MAIL, RCPT, DATA);
 * elsewhere a 5xx is a setup problem and stays temporary.
 */
static int
smtp_client_fail(struct smtp_client *c, const char *step, bool perm,
    struct error *err)
{
	const char *host = c->cfg->smarthost_host;

	if (c->code == 0)
		return error_set(err, ERR_TEMP, "smtp %s: %s: %s", host, step,
		    c->text[0] != '\0' ? c->text :
		    "connection lost or timed out");
	return error_set(err, perm && c->code >= 500 && c->code < 600 ?
	    ERR_PERM : ERR_TEMP, "smtp %s: %s: %s", host, step, c->text);
}

/*
 * The same after a libetpan call r: the reply is in session->response_code
 * and session->response (text lines without codes).  On a stream error
 * libetpan may not have read a reply at all, so the code is ignored.
 */
static int
smtp_client_fail_etpan(struct smtp_client *c, const char *step, int r,
    bool perm, struct error *err)
{
	const char *p;
	size_t o;

	c->code = r == MAILSMTP_ERROR_STREAM ? 0 :
	    c->session->response_code;
	c->text[0] = '\0';
	if (c->code != 0) {
		o = (size_t)snprintf(c->text, sizeof(c->text), "%d ", c->code);
		for (p = c->session->response != NULL ?
		    c->session->response : ""; *p != '\0' &&
		    o + 1 < sizeof(c->text); p++)
			c->text[o++] = (*p == '\n' || *p == '\r') ? ' ' : *p;
		while (o > 0 && c->text[o - 1] == ' ')
			o--;
		c->text[o] = '\0';
	} else
		(void)strlcpy(c->text, mailsmtp_strerror(r), sizeof(c->text));
	return smtp_client_fail(c, step, perm, err);
}

static const char *
smtp_client_ehlo_name(const struct smtp_client *c)
{
	return c->cfg->hostname != NULL && *c->cfg->hostname != '\0' ?
	    c->cfg->hostname : "localhost";
}

/*
 * A mailbox we can put in MAIL/RCPT: printable ASCII or valid UTF-8
 * (RFC 6531), no <, > or space.
 */
static bool
smtp_client_addr_ok(const char *a)
{
	const unsigned char *p;

	if (*a == '\0' || strlen(a) > 400 || !charset_is_utf8(a, strlen(a)))
		return false;
	for (p = (const unsigned char *)a; *p != '\0'; p++)
		if (*p <= 0x20 || *p == 0x7f || *p == '<' || *p == '>')
			return false;
	return true;
}

/*
 * Whether this mail needs SMTPUTF8; what makes it so goes to why (for the
 * reason of a failure): the first address with UTF-8 in it, or the
 * header.  The body does not count (8BITMIME and MIME encodings carry it).
 */
static bool
smtp_client_needs_utf8(const char *mail_from, const char *rcpts,
    const char *data, size_t len, char *why, size_t size)
{
	const char *p, *end;
	size_t n;

	if (!smtp_client_ascii(mail_from, strlen(mail_from))) {
		(void)snprintf(why, size, "the sender <%s>", mail_from);
		return true;
	}
	for (p = rcpts; *p != '\0'; p += n) {
		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (!smtp_client_ascii(p, n)) {
			(void)snprintf(why, size, "the recipient <%.*s>",
			    (int)n, p);
			return true;
		}
	}
	for (p = data, end = data + len; p < end; p++) {
		if (*p == '\n' && p + 1 < end && (p[1] == '\n' ||
		    (p[1] == '\r' && p + 2 < end && p[2] == '\n')))
			break;
		if ((unsigned char)*p >= 0x80) {
			(void)snprintf(why, size, "its UTF-8 header "
			    "(RFC 6532)");
			return true;
		}
	}
	return false;
}

static bool
smtp_client_ascii(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

static char *
smtp_client_base64(const char *in, size_t len)
{
	char *out = xmalloc(4 * ((len + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)in,
	    (int)len);
	return out;
}
