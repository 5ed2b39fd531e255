/*
 * imap_stream: the guard between an IMAP server and libetpan (issue 20).
 * libetpan's IMAP client believes its server: its parser recurses once
 * per parenthesis, buffers a line however long, allocates a literal's
 * announced size before reading it, reads until the server stops
 * sending, and takes a closed connection for an empty line.  A hostile
 * server (or a MITM where verify = false) could thereby crash, hang or
 * bloat the daemon.  So every byte an IMAP worker reads passes through a
 * libetpan stream driver of ours, wrapped around the socket or TLS one,
 * which scans the bytes before libetpan sees them and fails the read
 * (-1, as a network error) when:
 *   - the server closed the connection (libetpan's socket driver returns
 *     0 there, which its line reader takes for an empty line: the IDLE
 *     spin of issue 20),
 *   - no byte came within the read timeout, or the whole command's
 *     deadline passed (a server dripping a byte every few seconds),
 *   - the stream was cut from another thread (stopping),
 *   - a line outside literals exceeds max_line, a literal announces more
 *     than max_literal (before libetpan allocates it), the command's
 *     answer exceeds its byte budget, or parentheses nest too deep,
 *   - a status line carries the code [ALERT] or [PARSE] and no
 *     text ("A1 NO [ALERT]"): libetpan 1.9.4 passes the missing text to
 *     strdup() and crashes (found by fuzz_imap),
 *   - the greeting carries the code [BADCHARSET] or [PERMANENTFLAGS]:
 *     libetpan 1.9.4 parses the greeting with no parser context and
 *     crashes on the strings of those codes' lists; and a
 *     [PERMANENTFLAGS (...)] list anywhere whose first flag does not
 *     parse: libetpan frees the list it never made (both found by
 *     fuzz_imap).
 * The first such fault sticks until the next attach: every later read
 * fails too.
 *
 * Nesting: where the guard can follow libetpan exactly -- a response
 * whose lines hold no quoted string and no literal except the literal of
 * a "* N FETCH" line -- it counts open parentheses per response
 * (max_depth).  Elsewhere libetpan's own line joining (quoted strings
 * across lines, "{N}" taken as text in a status line, "{-N}") could make
 * it see nesting the guard does not, so from there to the end of the
 * command every '(' counts, closed or not (max_open).  Literal bodies of
 * FETCH lines are skipped; any other literal is scanned like text.  Both
 * bounds keep libetpan's recursion far below a thread's stack (it takes
 * some 10,000 levels to overflow 8 MiB under ASan).
 *
 * An imap_stream belongs to one worker and outlives its connections; it
 * is not thread-safe except imap_stream_cut() and imap_stream_set_fd(),
 * which may be called from any thread.
 */
#ifndef TRIAGED_IMAP_STREAM_H
#define TRIAGED_IMAP_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#include <libetpan/libetpan.h>

struct error;

struct imap_stream_limits {
	size_t		max_line;	/* bytes of a line, literals apart */
	size_t		max_literal;	/* bytes one literal may announce */
	unsigned int	max_depth;	/* open parentheses, one response */
	unsigned int	max_open;	/* '(' of a command where not followed */
	int		read_timeout;	/* seconds a read may wait for a byte */
};

/* What ended the stream. */
enum imap_stream_fault {
	IMAP_STREAM_OK = 0,
	IMAP_STREAM_CLOSED,	/* the server closed the connection */
	IMAP_STREAM_TIMEOUT,	/* no byte within read_timeout */
	IMAP_STREAM_DEADLINE,	/* the command took longer than allowed */
	IMAP_STREAM_CUT,	/* imap_stream_cut() */
	IMAP_STREAM_IO,		/* a read or write error (TLS included) */
	IMAP_STREAM_LONG_LINE,	/* the rest: the server's answer itself */
	IMAP_STREAM_DEEP,
	IMAP_STREAM_LITERAL,
	IMAP_STREAM_TOO_MUCH,
	IMAP_STREAM_NO_TEXT,
	IMAP_STREAM_CODE_CRASH
};

/* The limits a worker uses for a message size limit of max_message. */
void		 imap_stream_limits_default(struct imap_stream_limits *,
		    size_t max_message);

struct imap_stream *imap_stream_new(const struct imap_stream_limits *);
/* The stream must be detached (closed or freed by libetpan) first. */
void		 imap_stream_free(struct imap_stream *);

/*
 * The socket imap_stream_cut() shuts down; -1 for none.  Set it as soon
 * as the socket is connected (a TLS handshake can be cut too); the
 * guard's close clears it before the socket is closed, so a cut never
 * reaches a descriptor reused by someone else.  Any thread.
 */
void		 imap_stream_set_fd(struct imap_stream *, int fd);
/*
 * Any thread: shuts the socket down (shutdown(2), so every blocked read
 * or write returns at once) and makes every later read and write fail
 * with IMAP_STREAM_CUT, for good: a socket set afterwards is shut down
 * as it is set.  For stopping a worker whatever its server does.
 */
void		 imap_stream_cut(struct imap_stream *);

/*
 * Puts the guard under stream's current low driver: every byte read
 * from then on is checked; the fault is cleared.  libetpan frees the
 * wrapper with the stream (or on STARTTLS, when it replaces the driver:
 * attach again afterwards).  -1 when out of memory.
 */
int		 imap_stream_attach(struct imap_stream *, mailstream *);
/*
 * A command starts: its answer may take until deadline (clock_mono_ms();
 * 0: none) and budget bytes (0: no limit).  The bytes libetpan has read
 * ahead are counted for it.  Call it between two responses only.
 */
void		 imap_stream_begin(struct imap_stream *, long long deadline,
		    size_t budget);
/*
 * True when lines the server sent wait in the guard (it hands libetpan
 * one at a time): the socket shows no POLLIN for them, so wait for the
 * socket only when neither this nor the stream's buffer has bytes.
 */
bool		 imap_stream_pending(const struct imap_stream *);
/* Moves the deadline only (a line of an IDLE, say). */
void		 imap_stream_set_deadline(struct imap_stream *, long long);

/* The fault, and why in words ("" if none): borrowed until next attach. */
enum imap_stream_fault imap_stream_fault(const struct imap_stream *,
		    const char **why);
/* True for the faults that are the answer's own (line, depth, ...). */
bool		 imap_stream_fault_is_data(enum imap_stream_fault);

/*
 * The fuzz entry point (and the unit tests'): data, a server's side of a
 * session (a greeting, then responses), is read chunk bytes at a time
 * (0: as much as libetpan asks for) through the same guard, with lim,
 * and parsed by libetpan's response parser, as the worker's commands
 * would, until it ends.  Returns the number of responses parsed after
 * the greeting when data ended between two responses; -1 + err
 * otherwise, with *fault (if not NULL) set to the guard's fault
 * (IMAP_STREAM_OK: libetpan refused the bytes; IMAP_STREAM_CLOSED:
 * data ended inside a response).  No deadline, no byte budget, no
 * global state touched: any byte string is a valid input.
 */
long		 imap_stream_parse(const void *data, size_t len, size_t chunk,
		    const struct imap_stream_limits *lim,
		    enum imap_stream_fault *fault, struct error *err);

#endif
