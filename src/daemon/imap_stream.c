/*
 * imap_stream: the guard between an IMAP server and libetpan (see
 * imap_stream.h for what it refuses and why).
 *
 * How libetpan reads a response, which the scanner must not be fooled
 * by (mailimap_parser.c of libetpan 1.9.4): it reads one line, parses
 * it, and reads further lines into the same buffer only for a literal
 * "{N}" (also "{-N}", taken as "{0}", and "{N}" with blanks before the
 * CRLF, or none at all: a Lotus Domino workaround) and for a quoted
 * string left open at the end of a line, CR and LF being string bytes to
 * it.  A literal's N bytes are allocated as announced, then read.  In
 * a status line ("* OK ...", "TAG NO ...", "+ ...") the text after the
 * code is free text: a "{N}" or a '"' there is not what it looks like.
 *
 * So the scanner is "certain" -- it knows where libetpan's responses
 * end and which bytes are literal bodies -- only as long as the lines
 * of the command's answer hold no '"' and no '{' other than the literal
 * that ends a line of a "* N FETCH" response (message data holds no
 * free text, so there it is a literal for libetpan too).  While certain
 * it counts open parentheses per response; once not, every '(' of the
 * rest of the command counts.  imap_stream_begin() finds the next
 * command's answer at a response boundary again.
 *
 * libetpan asks for as many bytes as its buffer holds, so it would be
 * handed, and the scanner would count, the next responses' bytes as well
 * as the one it reads: whether those counted for this command then
 * depended on how the server's bytes arrived (one read or several; found
 * by fuzz_imap).  So the guard reads the socket into a buffer of its own
 * and hands libetpan one line at a time (a FETCH literal's body with the
 * line it belongs to): libetpan reads again only when the response goes
 * on, and the scanner sees exactly the bytes libetpan has asked for,
 * however the server's bytes came.  imap_stream_pending() tells a waiter
 * that lines are buffered here, as the socket would not.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/libetpan.h>

#include "clock.h"
#include "error.h"
#include "imap_stream.h"
#include "xmalloc.h"

#define IMAP_STREAM_MAX_LINE	(256 * 1024)
#define IMAP_STREAM_MAX_DEPTH	64
#define IMAP_STREAM_MAX_OPEN	1024
#define IMAP_STREAM_TIMEOUT	20	/* seconds */
#define IMAP_STREAM_NUMBER_CAP	((uint64_t)1 << 50)
#define IMAP_STREAM_TAIL	32	/* bytes of a line kept, see no_text */
#define IMAP_STREAM_AHEAD	16384	/* bytes read from the socket at once */
#define IMAP_STREAM_CODE	16	/* letters of a greeting's code kept */

/* The scanner's view of the bytes read so far. */
struct imap_scan {
	bool		 certain;	/* it sees what libetpan sees */
	bool		 msgdata;	/* the response is "* <digit>..." */
	int		 prefix;	/* bytes of "* <digit>" seen; 3: done */
	int		 brace;		/* 1 "{" digits, 2 "}", 3 "}\r" */
	bool		 digits;
	uint64_t	 number;	/* the brace's, capped */
	unsigned int	 depth;		/* certain: open; else every '(' */
	size_t		 line;		/* bytes of the line so far */
	uint64_t	 literal;	/* bytes of a literal body to skip */
	char		 tail[IMAP_STREAM_TAIL];	/* ring: the line's last bytes */
	size_t		 tailpos;	/* bytes put in tail */
	bool		 stop;		/* a NUL or CR: the text ends there */
	int		 pflags;	/* where in "[PERMANENTFLAGS (", see */
	size_t		 pflags_k;	/* imap_scan_pflags() */
};

/* The greeting's response code, as far as imap_greet_byte() needs it. */
struct imap_greet {
	enum { GREET_DONE = 0, GREET_BEFORE, GREET_CODE } state;
	char		 code[IMAP_STREAM_CODE];	/* its first letters */
	size_t		 len;
};

struct imap_stream {
	struct imap_stream_limits lim;
	struct imap_scan	 scan;
	struct imap_greet	 greet;		/* the first line after attach */
	mailstream		*stream;	/* attached to */
	bool			 attached;	/* our driver is in stream */
	long long		 began;		/* clock_mono_ms() of begin */
	long long		 deadline;	/* 0: none */
	size_t			 budget;	/* 0: none */
	size_t			 used;		/* bytes since begin */
	enum imap_stream_fault	 fault;
	char			 why[160];
	unsigned char		*ahead;		/* read, not yet handed on */
	size_t			 ahead_pos;
	size_t			 ahead_len;

	pthread_mutex_t		 lock;		/* fd and cut */
	int			 fd;		/* -1: none */
	int			 cut;		/* atomic */
};

/* Our low driver's data: the guard and the driver it wraps. */
struct imap_guard {
	struct imap_stream	*g;
	mailstream_low		*inner;
};

/* A server's bytes in memory, for imap_stream_parse(). */
struct imap_mem {
	const unsigned char	*data;
	size_t			 len;
	size_t			 pos;
	size_t			 chunk;
};

static ssize_t	 imap_guard_read(mailstream_low *, void *, size_t);
static ssize_t	 imap_guard_write(mailstream_low *, const void *, size_t);
static int	 imap_guard_close(mailstream_low *);
static int	 imap_guard_get_fd(mailstream_low *);
static void	 imap_guard_free(mailstream_low *);
static void	 imap_guard_cancel(mailstream_low *);
static struct mailstream_cancel *imap_guard_get_cancel(mailstream_low *);
static carray	*imap_guard_chain(mailstream_low *);
static int	 imap_guard_timeout(struct imap_stream *, mailstream_low *);
static ssize_t	 imap_guard_failed(struct imap_stream *, ssize_t, long long,
		    int, const char *);

static int	 imap_stream_fail(struct imap_stream *, enum imap_stream_fault,
		    const char *, ...) __attribute__((format(printf, 3, 4)));
static bool	 imap_stream_cut_now(struct imap_stream *);
static ssize_t	 imap_stream_take(struct imap_stream *, const unsigned char *,
		    size_t, bool);
static void	 imap_scan_reset(struct imap_scan *);
static int	 imap_scan_byte(struct imap_stream *, unsigned char);
static void	 imap_scan_eol(struct imap_scan *);
static void	 imap_scan_prefix(struct imap_scan *, unsigned char);
static void	 imap_scan_uncertain(struct imap_scan *);
static void	 imap_scan_tail(struct imap_scan *, unsigned char);
static bool	 imap_scan_no_text(const struct imap_scan *);
static bool	 imap_tail_word(const char *, size_t *, const char *);
static int	 imap_greet_byte(struct imap_stream *, unsigned char);
static int	 imap_greet_code(struct imap_stream *);
static int	 imap_scan_pflags(struct imap_stream *, unsigned char);
static bool	 imap_atom_char(unsigned char);

static ssize_t	 imap_mem_read(mailstream_low *, void *, size_t);
static ssize_t	 imap_mem_write(mailstream_low *, const void *, size_t);
static int	 imap_mem_close(mailstream_low *);
static int	 imap_mem_get_fd(mailstream_low *);
static void	 imap_mem_free(mailstream_low *);

/* Never written: libetpan's type is not const. */
static mailstream_low_driver imap_guard_driver = {
	.mailstream_read = imap_guard_read,
	.mailstream_write = imap_guard_write,
	.mailstream_close = imap_guard_close,
	.mailstream_get_fd = imap_guard_get_fd,
	.mailstream_free = imap_guard_free,
	.mailstream_cancel = imap_guard_cancel,
	.mailstream_get_cancel = imap_guard_get_cancel,
	.mailstream_get_certificate_chain = imap_guard_chain,
};

static mailstream_low_driver imap_mem_driver = {
	.mailstream_read = imap_mem_read,
	.mailstream_write = imap_mem_write,
	.mailstream_close = imap_mem_close,
	.mailstream_get_fd = imap_mem_get_fd,
	.mailstream_free = imap_mem_free,
};

void
imap_stream_limits_default(struct imap_stream_limits *lim, size_t max_message)
{
	lim->max_line = IMAP_STREAM_MAX_LINE;
	/* A body is fetched as BODY.PEEK[]<0.max_message + 1>. */
	lim->max_literal = max_message + 1;
	lim->max_depth = IMAP_STREAM_MAX_DEPTH;
	lim->max_open = IMAP_STREAM_MAX_OPEN;
	lim->read_timeout = IMAP_STREAM_TIMEOUT;
}

struct imap_stream *
imap_stream_new(const struct imap_stream_limits *lim)
{
	struct imap_stream *g = xcalloc(1, sizeof(*g));

	g->lim = *lim;
	if (g->lim.read_timeout <= 0)
		g->lim.read_timeout = IMAP_STREAM_TIMEOUT;
	g->fd = -1;
	g->ahead = xmalloc(IMAP_STREAM_AHEAD);
	pthread_mutex_init(&g->lock, NULL);
	imap_scan_reset(&g->scan);
	return g;
}

void
imap_stream_free(struct imap_stream *g)
{
	if (g == NULL)
		return;
	pthread_mutex_destroy(&g->lock);
	free(g->ahead);
	free(g);
}

void
imap_stream_set_fd(struct imap_stream *g, int fd)
{
	pthread_mutex_lock(&g->lock);
	g->fd = fd;
	if (fd != -1 && __atomic_load_n(&g->cut, __ATOMIC_SEQ_CST))
		(void)shutdown(fd, SHUT_RDWR);
	pthread_mutex_unlock(&g->lock);
}

void
imap_stream_cut(struct imap_stream *g)
{
	pthread_mutex_lock(&g->lock);
	__atomic_store_n(&g->cut, 1, __ATOMIC_SEQ_CST);
	if (g->fd != -1)
		(void)shutdown(g->fd, SHUT_RDWR);
	pthread_mutex_unlock(&g->lock);
}

static bool
imap_stream_cut_now(struct imap_stream *g)
{
	return __atomic_load_n(&g->cut, __ATOMIC_SEQ_CST) != 0;
}

int
imap_stream_attach(struct imap_stream *g, mailstream *stream)
{
	struct imap_guard *gd = xcalloc(1, sizeof(*gd));
	mailstream_low *low;

	gd->g = g;
	gd->inner = mailstream_get_low(stream);
	if ((low = mailstream_low_new(gd, &imap_guard_driver)) == NULL) {
		free(gd);
		return -1;
	}
	mailstream_set_low(stream, low);
	g->stream = stream;
	g->attached = true;
	g->fault = IMAP_STREAM_OK;
	g->why[0] = '\0';
	g->deadline = 0;
	g->budget = 0;
	g->used = 0;
	/*
	 * Bytes the old driver read and nobody took go: after STARTTLS they
	 * would be plaintext passed off as TLS-protected (the command
	 * injection of CVE-2020-15953).
	 */
	g->ahead_pos = g->ahead_len = 0;
	imap_scan_reset(&g->scan);
	/*
	 * After STARTTLS the first line answers a command, not a greeting:
	 * the codes refused there have no business in that line either.
	 */
	memset(&g->greet, 0, sizeof(g->greet));
	g->greet.state = GREET_BEFORE;
	return 0;
}

bool
imap_stream_pending(const struct imap_stream *g)
{
	return g->ahead_pos < g->ahead_len;
}

/*
 * Between two responses: the scanner starts afresh on what libetpan has
 * read ahead, which belongs to this command's answer.
 */
void
imap_stream_begin(struct imap_stream *g, long long deadline, size_t budget)
{
	mailstream *s = g->stream;

	g->began = clock_mono_ms();
	g->deadline = deadline;
	g->budget = budget;
	g->used = 0;
	if (g->fault != IMAP_STREAM_OK)
		return;
	imap_scan_reset(&g->scan);
	if (g->attached && s->read_buffer_len > 0)
		(void)imap_stream_take(g, (const unsigned char *)s->read_buffer,
		    s->read_buffer_len, false);
}

void
imap_stream_set_deadline(struct imap_stream *g, long long deadline)
{
	g->began = clock_mono_ms();
	g->deadline = deadline;
}

enum imap_stream_fault
imap_stream_fault(const struct imap_stream *g, const char **why)
{
	if (why != NULL)
		*why = g->why;
	return g->fault;
}

bool
imap_stream_fault_is_data(enum imap_stream_fault f)
{
	return f == IMAP_STREAM_LONG_LINE || f == IMAP_STREAM_DEEP ||
	    f == IMAP_STREAM_LITERAL || f == IMAP_STREAM_TOO_MUCH ||
	    f == IMAP_STREAM_NO_TEXT || f == IMAP_STREAM_CODE_CRASH;
}

/* Records the first fault (later ones are its consequences); -1. */
static int
imap_stream_fail(struct imap_stream *g, enum imap_stream_fault f,
    const char *fmt, ...)
{
	va_list ap;

	if (g->fault != IMAP_STREAM_OK)
		return -1;
	g->fault = f;
	va_start(ap, fmt);
	(void)vsnprintf(g->why, sizeof(g->why), fmt, ap);
	va_end(ap);
	return -1;
}

/* --- the low driver ------------------------------------------------- */

static ssize_t
imap_guard_read(mailstream_low *low, void *buf, size_t count)
{
	struct imap_guard *gd = low->data;
	struct imap_stream *g = gd->g;
	long long start;
	ssize_t n;
	size_t avail;
	int secs;

	if (g->fault != IMAP_STREAM_OK)
		return -1;
	if (g->ahead_pos == g->ahead_len) {
		if ((secs = imap_guard_timeout(g, gd->inner)) == -1)
			return -1;
		start = clock_mono_ms();
		n = mailstream_low_read(gd->inner, g->ahead,
		    IMAP_STREAM_AHEAD);
		if (n <= 0)
			return imap_guard_failed(g, n, start, secs, "read");
		g->ahead_pos = 0;
		g->ahead_len = (size_t)n;
	}
	avail = g->ahead_len - g->ahead_pos;
	if (avail > count)
		avail = count;
	if ((n = imap_stream_take(g, g->ahead + g->ahead_pos, avail,
	    true)) == -1)
		return -1;
	memcpy(buf, g->ahead + g->ahead_pos, (size_t)n);
	g->ahead_pos += (size_t)n;
	return n;
}

static ssize_t
imap_guard_write(mailstream_low *low, const void *buf, size_t count)
{
	struct imap_guard *gd = low->data;
	struct imap_stream *g = gd->g;
	long long start = clock_mono_ms();
	ssize_t n;
	int secs;

	if (g->fault != IMAP_STREAM_OK)
		return -1;
	if ((secs = imap_guard_timeout(g, gd->inner)) == -1)
		return -1;
	if ((n = mailstream_low_write(gd->inner, buf, count)) >= 0)
		return n;
	return imap_guard_failed(g, n, start, secs, "write");
}

/*
 * The inner driver waits at most the read timeout for a byte, and never
 * past the command's deadline.  Seconds it may wait; -1 (and the fault)
 * when cut or past the deadline.
 */
static int
imap_guard_timeout(struct imap_stream *g, mailstream_low *inner)
{
	long long left;
	int secs = g->lim.read_timeout;

	if (imap_stream_cut_now(g))
		return imap_stream_fail(g, IMAP_STREAM_CUT, "stopping");
	if (g->deadline > 0) {
		if ((left = g->deadline - clock_mono_ms()) <= 0)
			return imap_stream_fail(g, IMAP_STREAM_DEADLINE,
			    "no complete answer within %lld s",
			    (g->deadline - g->began + 999) / 1000);
		if (left < secs * 1000LL)
			secs = (int)((left + 999) / 1000);
	}
	mailstream_low_set_timeout(inner, (time_t)secs);
	return secs;
}

/* Why the inner driver returned n <= 0; always -1. */
static ssize_t
imap_guard_failed(struct imap_stream *g, ssize_t n, long long start,
    int secs, const char *what)
{
	long long now = clock_mono_ms();

	if (imap_stream_cut_now(g))
		return imap_stream_fail(g, IMAP_STREAM_CUT, "stopping");
	if (n == 0)
		return imap_stream_fail(g, IMAP_STREAM_CLOSED,
		    "the server closed the connection");
	if (g->deadline > 0 && now >= g->deadline)
		return imap_stream_fail(g, IMAP_STREAM_DEADLINE,
		    "no complete answer within %lld s",
		    (g->deadline - g->began + 999) / 1000);
	if (now - start >= secs * 1000LL - 100)
		return imap_stream_fail(g, IMAP_STREAM_TIMEOUT,
		    "no data for %d s", secs);
	return imap_stream_fail(g, IMAP_STREAM_IO, "%s error (or closed "
	    "by the server)", what);
}

/* The socket goes away with the driver: no cut may reach it after. */
static int
imap_guard_close(mailstream_low *low)
{
	struct imap_guard *gd = low->data;

	imap_stream_set_fd(gd->g, -1);
	gd->g->attached = false;
	return mailstream_low_close(gd->inner);
}

static int
imap_guard_get_fd(mailstream_low *low)
{
	struct imap_guard *gd = low->data;

	return mailstream_low_get_fd(gd->inner);
}

/* Also when STARTTLS replaces us: the socket then stays open. */
static void
imap_guard_free(mailstream_low *low)
{
	struct imap_guard *gd = low->data;

	gd->g->attached = false;
	mailstream_low_free(gd->inner);
	free(gd);
	free(low);
}

static void
imap_guard_cancel(mailstream_low *low)
{
	struct imap_guard *gd = low->data;

	mailstream_low_cancel(gd->inner);
}

static struct mailstream_cancel *
imap_guard_get_cancel(mailstream_low *low)
{
	struct imap_guard *gd = low->data;

	return mailstream_low_get_cancel(gd->inner);
}

static carray *
imap_guard_chain(mailstream_low *low)
{
	struct imap_guard *gd = low->data;

	return mailstream_low_get_certificate_chain(gd->inner);
}

/* --- the scanner ---------------------------------------------------- */

/*
 * Scans bytes the server sent: within the budget and the limits?  All n,
 * or with line, up to the first line end that no literal follows: how
 * many were taken; -1 on a fault.
 */
static ssize_t
imap_stream_take(struct imap_stream *g, const unsigned char *p, size_t n,
    bool line)
{
	struct imap_scan *s = &g->scan;
	size_t i = 0, k;

	while (i < n) {
		if (s->literal > 0) {
			k = n - i;
			if ((uint64_t)k > s->literal)
				k = (size_t)s->literal;
			s->literal -= k;
			i += k;
			continue;
		}
		if (imap_scan_byte(g, p[i++]) == -1)
			return -1;
		if (line && p[i - 1] == '\n' && s->literal == 0)
			break;
	}
	g->used += i;
	if (g->budget > 0 && g->used > g->budget)
		return imap_stream_fail(g, IMAP_STREAM_TOO_MUCH,
		    "an answer of more than %zu bytes", g->budget);
	return (ssize_t)i;
}

/* A response boundary: what libetpan sees when it starts on one. */
static void
imap_scan_reset(struct imap_scan *s)
{
	memset(s, 0, sizeof(*s));
	s->certain = true;
}

static int
imap_scan_byte(struct imap_stream *g, unsigned char c)
{
	const struct imap_stream_limits *lim = &g->lim;
	struct imap_scan *s = &g->scan;

	if (g->greet.state != GREET_DONE && imap_greet_byte(g, c) == -1)
		return -1;
	if (imap_scan_pflags(g, c) == -1)
		return -1;
	if (c == '\n') {
		if (imap_scan_no_text(s))
			return imap_stream_fail(g, IMAP_STREAM_NO_TEXT,
			    "a status line with [ALERT] or [PARSE] "
			    "and no text");
		imap_scan_eol(s);
		return 0;
	}
	if (c == '\0' || c == '\r')
		s->stop = true;
	else if (!s->stop)
		imap_scan_tail(s, c);
	if (++s->line > lim->max_line)
		return imap_stream_fail(g, IMAP_STREAM_LONG_LINE,
		    "a line longer than %zu bytes", lim->max_line);
	if (s->prefix < 3)
		imap_scan_prefix(s, c);
	if (s->brace == 1 && c >= '0' && c <= '9') {
		if (s->number < IMAP_STREAM_NUMBER_CAP)
			s->number = s->number * 10 + (uint64_t)(c - '0');
		s->digits = true;
		return 0;
	}
	if (s->brace == 1 && c == '}' && s->digits) {
		/* Before libetpan allocates it, wherever it stands. */
		if (s->number > lim->max_literal)
			return imap_stream_fail(g, IMAP_STREAM_LITERAL,
			    "a literal of %llu bytes (at most %zu)",
			    (unsigned long long)s->number, lim->max_literal);
		s->brace = 2;
		return 0;
	}
	if (s->brace == 2 && c == '\r') {
		s->brace = 3;
		return 0;
	}
	if (s->brace != 0) {
		/* "{-1}", "{5} ", "{x": libetpan may read more lines. */
		s->brace = 0;
		imap_scan_uncertain(s);
	}
	switch (c) {
	case '{':
		s->brace = 1;
		s->number = 0;
		s->digits = false;
		break;
	case '"':
		imap_scan_uncertain(s);
		break;
	case '(':
		s->depth++;
		if (s->certain && s->depth > lim->max_depth)
			return imap_stream_fail(g, IMAP_STREAM_DEEP,
			    "parentheses nested deeper than %u",
			    lim->max_depth);
		if (!s->certain && s->depth > lim->max_open)
			return imap_stream_fail(g, IMAP_STREAM_DEEP,
			    "more than %u parentheses in one answer",
			    lim->max_open);
		break;
	case ')':
		if (s->certain && s->depth > 0)
			s->depth--;
		break;
	default:
		break;
	}
	return 0;
}

/*
 * The end of a line: of the response, when certain and no literal
 * follows; the literal of a FETCH line is skipped.
 */
static void
imap_scan_eol(struct imap_scan *s)
{
	bool literal = s->brace == 2 || s->brace == 3;

	s->line = 0;
	s->tailpos = 0;
	s->stop = false;
	s->pflags = 0;
	s->pflags_k = 0;
	if (s->brace == 1)
		imap_scan_uncertain(s);
	s->brace = 0;
	if (literal) {
		if (s->certain && s->msgdata)
			s->literal = s->number;
		else
			imap_scan_uncertain(s);
		return;
	}
	if (s->certain) {
		s->depth = 0;
		s->prefix = 0;
		s->msgdata = false;
	}
}

/* "* " and a digit: message data (FETCH, EXPUNGE, EXISTS, RECENT). */
static void
imap_scan_prefix(struct imap_scan *s, unsigned char c)
{
	static const char want[] = "* ";

	if (s->prefix < 2 && c == (unsigned char)want[s->prefix]) {
		s->prefix++;
		return;
	}
	s->msgdata = s->prefix == 2 && c >= '0' && c <= '9';
	s->prefix = 3;
}

/* Keeps the line's last bytes, a run of blanks as one space. */
static void
imap_scan_tail(struct imap_scan *s, unsigned char c)
{
	bool blank = c == ' ' || c == '\t';

	if (blank && s->tailpos > 0 &&
	    s->tail[(s->tailpos - 1) % IMAP_STREAM_TAIL] == ' ')
		return;
	s->tail[s->tailpos++ % IMAP_STREAM_TAIL] = blank ? ' ' : (char)c;
}

/*
 * The line just ended is a status line whose code is [ALERT] or [PARSE]
 * with no text after it: "A1 NO [ALERT]", "* OK [PARSE] ", "+ [ALERT]",
 * "A1 NO [ ALERT ]" (any case; libetpan's unstrict parser skips blanks
 * before the brackets, the code and the text; the text ends at a CR,
 * which RFC 3501's TEXT-CHAR excludes, or a NUL, where libetpan's C
 * string ends).  libetpan 1.9.4 strdup()s the missing text when it
 * stores the code (for a tagged line at once, for an untagged one when
 * the command's tagged line comes).  The line's end is matched backwards,
 * so a tag of any length is seen.  Checked on every line, certain or
 * not: a message line of that shape inside a literal the scanner could
 * not follow gets its mailbox refused, not the daemon crashed.
 */
static bool
imap_scan_no_text(const struct imap_scan *s)
{
	static const char *const states[] = {
		"OK", "NO", "BAD", "BYE", "PREAUTH", "+"
	};
	char line[IMAP_STREAM_TAIL];
	size_t n = s->tailpos < IMAP_STREAM_TAIL ? s->tailpos :
	    IMAP_STREAM_TAIL;
	size_t i, m;

	for (i = 0; i < n; i++)
		line[i] = s->tail[(s->tailpos - n + i) % IMAP_STREAM_TAIL];
	if (!imap_tail_word(line, &n, "]") ||
	    (!imap_tail_word(line, &n, "ALERT") &&
	    !imap_tail_word(line, &n, "PARSE")) ||
	    !imap_tail_word(line, &n, "["))
		return false;
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		m = n;
		if (imap_tail_word(line, &m, states[i]) &&
		    (m == 0 || line[m - 1] == ' '))
			return true;
	}
	return false;
}

/*
 * Whether line[0..*n) ends with `word` (any case), blanks after it
 * allowed (the tail holds a run of blanks as one space); if so, *n moves
 * to the word's start.
 */
static bool
imap_tail_word(const char *line, size_t *n, const char *word)
{
	size_t end = *n, len = strlen(word);

	if (end > 0 && line[end - 1] == ' ')
		end--;
	if (end < len || strncasecmp(line + end - len, word, len) != 0)
		return false;
	*n = end - len;
	return true;
}

/*
 * The server's greeting, the first line after attach: libetpan 1.9.4's
 * mailimap_connect() parses it with no parser context, and its literal
 * parser reads that NULL context as soon as a string is parsed, "{" or
 * not (found by fuzz_imap: "* OK [PERMANENTFLAGS ()]" crashed).  In a
 * greeting only the codes BADCHARSET and PERMANENTFLAGS hold strings
 * (flag and charset lists); neither belongs in a greeting (RFC 3501 has
 * them answer SEARCH and SELECT), so a greeting whose first "[" is
 * followed by either word, in any case, is refused.  libetpan matches a
 * code's word as a prefix and skips blanks before it, and so does this.
 */
static int
imap_greet_byte(struct imap_stream *g, unsigned char c)
{
	struct imap_greet *gr = &g->greet;

	if (c == '\n') {
		gr->state = GREET_DONE;
		return imap_greet_code(g);
	}
	if (gr->state == GREET_BEFORE) {
		if (c == '[')
			gr->state = GREET_CODE;
		return 0;
	}
	if ((c == ' ' || c == '\t') && gr->len == 0)
		return 0;
	if (((c | 0x20) >= 'a' && (c | 0x20) <= 'z') &&
	    gr->len < sizeof(gr->code)) {
		gr->code[gr->len++] = (char)c;
		return 0;
	}
	gr->state = GREET_DONE;
	return imap_greet_code(g);
}

/* The greeting's code, once its word has ended: refused or not. */
static int
imap_greet_code(struct imap_stream *g)
{
	static const char *const strings[] = { "BADCHARSET", "PERMANENTFLAGS" };
	const struct imap_greet *gr = &g->greet;
	size_t i, len;

	for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		len = strlen(strings[i]);
		if (gr->len >= len &&
		    strncasecmp(gr->code, strings[i], len) == 0)
			return imap_stream_fail(g, IMAP_STREAM_CODE_CRASH,
			    "a greeting with the code [%s]", strings[i]);
	}
	return 0;
}

/*
 * A [PERMANENTFLAGS (...)] code, in any response: libetpan 1.9.4 frees
 * the flag list without a NULL check when its first flag does not parse
 * and no ")" follows ("* OK [PERMANENTFLAGS (\r\n", "(()", "(\\(",
 * "(\"open": a crash found by fuzz_imap).  So the first element must
 * be one libetpan parses, or ")": an atom or astring character, "\"
 * with an atom character or "*" (a system flag, "\*"), or a quoted
 * string closed on the line.  A literal is refused too: no server sends
 * one there.  The code is looked for anywhere in a line, as for
 * [ALERT]: libetpan only parses it after a status, so this refuses more
 * than it must, never less.  States (s->pflags): 0 looking for "[",
 * 1 in the word (pflags_k letters matched), 2 the blanks after it,
 * 3 blanks before the first element, 4 after its "\", 5 in its quoted
 * string, 6 after a "\" there.
 */
static int
imap_scan_pflags(struct imap_stream *g, unsigned char c)
{
	static const char word[] = "PERMANENTFLAGS";
	struct imap_scan *s = &g->scan;
	bool blank = c == ' ' || c == '\t';

	switch (s->pflags) {
	case 0:
		break;
	case 1:
		if (blank && s->pflags_k == 0)
			return 0;
		if (s->pflags_k < sizeof(word) - 1) {
			if ((c & ~0x20) != (unsigned char)word[s->pflags_k])
				break;
			s->pflags_k++;
			return 0;
		}
		if (!blank)
			break;
		s->pflags = 2;
		return 0;
	case 2:
		if (blank)
			return 0;
		if (c != '(')
			break;
		s->pflags = 3;
		return 0;
	case 3:
		if (blank)
			return 0;
		if (c == '\\') {
			s->pflags = 4;
			return 0;
		}
		if (c == '"') {
			s->pflags = 5;
			return 0;
		}
		if (c != ')' && c != ']' && !imap_atom_char(c))
			goto refuse;
		break;
	case 4:
		if (c != '*' && !imap_atom_char(c))
			goto refuse;
		break;
	case 5:
		if (c == '\\')
			s->pflags = 6;
		else if (c == '"')
			break;
		else if (c == '\r' || c == '\n' || c == '\0')
			goto refuse;
		return 0;
	case 6:
		/* An escape, or a backslash kept (libetpan's reading). */
		if (c == '\r' || c == '\n' || c == '\0')
			goto refuse;
		s->pflags = 5;
		return 0;
	}
	s->pflags = c == '[';
	s->pflags_k = 0;
	return 0;
refuse:
	return imap_stream_fail(g, IMAP_STREAM_CODE_CRASH, "a [PERMANENTFLAGS] "
	    "list whose first flag libetpan cannot parse");
}

/* RFC 3501's ATOM-CHAR as libetpan 1.9.4 reads it (8-bit included). */
static bool
imap_atom_char(unsigned char c)
{
	return c > 0x1f && strchr("(){ %*\"\\]", c) == NULL;
}

/* From here to the end of the command, every '(' counts. */
static void
imap_scan_uncertain(struct imap_scan *s)
{
	s->certain = false;
}

/* --- bytes in memory: the fuzz entry point -------------------------- */

long
imap_stream_parse(const void *data, size_t len, size_t chunk,
    const struct imap_stream_limits *lim, enum imap_stream_fault *fault,
    struct error *err)
{
	struct imap_mem mem = { data, len, 0, chunk };
	struct mailimap_response *resp;
	struct imap_stream *g;
	mailstream_low *low;
	mailstream *stream;
	mailimap *imap;
	enum imap_stream_fault f;
	const char *why;
	bool greeting = true;
	long n = 0;
	int r;

	if (fault != NULL)
		*fault = IMAP_STREAM_OK;
	if ((low = mailstream_low_new(&mem, &imap_mem_driver)) == NULL)
		return error_set(err, ERR_INTERNAL, "out of memory");
	if ((stream = mailstream_new(low, 8192)) == NULL) {
		mailstream_low_free(low);
		return error_set(err, ERR_INTERNAL, "out of memory");
	}
	g = imap_stream_new(lim);
	if (imap_stream_attach(g, stream) == -1 ||
	    (imap = mailimap_new(0, NULL)) == NULL) {
		mailstream_close(stream);
		imap_stream_free(g);
		return error_set(err, ERR_INTERNAL, "out of memory");
	}
	imap_stream_begin(g, 0, 0);
	r = mailimap_connect(imap, stream);
	if (r != MAILIMAP_NO_ERROR_AUTHENTICATED &&
	    r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED)
		n = -1;
	else {
		/* As in a worker's session, where FETCH data is kept. */
		imap->imap_state = MAILIMAP_STATE_SELECTED;
		imap->imap_selection_info = mailimap_selection_info_new();
	}
	while (n >= 0) {
		greeting = false;
		imap_stream_begin(g, 0, 0);
		if (mailimap_read_line(imap) == NULL) {
			if (imap->imap_stream_buffer->len != 0 ||
			    imap_stream_fault(g, NULL) != IMAP_STREAM_CLOSED)
				n = -1;
			break;
		}
		r = mailimap_parse_response(imap, &resp);
		if (r == MAILIMAP_NO_ERROR)
			mailimap_response_free(resp);
		else if (r != MAILIMAP_ERROR_PROTOCOL &&
		    r != MAILIMAP_ERROR_FATAL) {	/* tag or BAD, BYE */
			n = -1;
			break;
		}
		n++;
	}
	if (n == -1) {
		f = imap_stream_fault(g, &why);
		if (fault != NULL)
			*fault = f;
		if (f != IMAP_STREAM_OK)
			error_set(err, ERR_PERM, "%s", why);
		else
			error_set(err, ERR_PERM, "libetpan refused the %s "
			    "(error %d)", greeting ? "greeting" : "response",
			    r);
	}
	/* Closed here: mailimap_free would say LOGOUT on it. */
	mailstream_close(imap->imap_stream);
	imap->imap_stream = NULL;
	mailimap_free(imap);
	imap_stream_free(g);
	return n;
}

static ssize_t
imap_mem_read(mailstream_low *low, void *buf, size_t count)
{
	struct imap_mem *m = low->data;
	size_t n = m->len - m->pos;

	if (n > count)
		n = count;
	if (m->chunk > 0 && n > m->chunk)
		n = m->chunk;
	if (n > 0)
		memcpy(buf, m->data + m->pos, n);
	m->pos += n;
	return (ssize_t)n;
}

static ssize_t
imap_mem_write(mailstream_low *low, const void *buf, size_t count)
{
	(void)low;
	(void)buf;
	return (ssize_t)count;
}

static int
imap_mem_close(mailstream_low *low)
{
	(void)low;
	return 0;
}

static int
imap_mem_get_fd(mailstream_low *low)
{
	(void)low;
	return -1;
}

static void
imap_mem_free(mailstream_low *low)
{
	free(low);
}
