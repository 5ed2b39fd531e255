/*
 * Unit tests for imap_stream.c (issue 20): a hostile IMAP server's bytes
 * through the guard and libetpan's response parser, by the same entry
 * point a fuzzer uses (imap_stream_parse), each fed whole, a byte at a
 * time and in odd chunks.  Deep nesting -- plainly, and hidden behind
 * every way libetpan joins lines that a naive scanner would miss --, an
 * endless line, a huge SEARCH answer, lying literal sizes and data
 * ending inside a literal or a line all end in a clean failure; a good
 * session, a nested BODYSTRUCTURE of ordinary depth, a body full of
 * parentheses and braces, and a flood of unsolicited FETCH lines parse.
 * Then the guard on a real socket (a socketpair): a closed connection is
 * an error, not an empty line (the IDLE spin of issue 20); a passed
 * deadline, a cut and a byte budget end the read.
 */
#include <sys/socket.h>

#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libetpan/libetpan.h>

#include "buf.h"
#include "clock.h"
#include "error.h"
#include "imap_stream.h"

#define GREETING	"* OK [CAPABILITY IMAP4rev1 IDLE] ready\r\n"
#define LEAF		"\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)"

static const size_t chunks[] = { 0, 1, 3, 4096 };
#define NCHUNKS		(sizeof(chunks) / sizeof(chunks[0]))

static void	repeat(struct buf *, const char *, size_t);
static void	nest(struct buf *, const char *, size_t);
static struct buf *session(const char *);
static long	parse(const struct buf *, size_t, enum imap_stream_fault *,
		    struct error *);
static void	parses(struct buf *, long);

static void
repeat(struct buf *b, const char *s, size_t n)
{
	while (n-- > 0)
		buf_append_str(b, s);
}

static struct buf *
session(const char *more)
{
	struct buf *b = buf_new();

	buf_append_str(b, GREETING);
	buf_append_str(b, more);
	return b;
}

/* The limits a worker has with max_message_size = 1 MiB. */
static long
parse(const struct buf *b, size_t chunk, enum imap_stream_fault *fault,
    struct error *err)
{
	struct imap_stream_limits lim;

	imap_stream_limits_default(&lim, 1024 * 1024);
	error_clear(err);
	return imap_stream_parse(b->data, b->len, chunk, &lim, fault, err);
}

/* A plain session: select, search, sizes, a body; 4 responses. */
/* b is accepted with `want` responses at every read size; frees b. */
static void
parses(struct buf *b, long want)
{
	enum imap_stream_fault fault;
	struct error err;
	size_t i;

	for (i = 0; i < NCHUNKS; i++) {
		ck_assert_msg(parse(b, chunks[i], &fault, &err) == want,
		    "chunk %zu: %s", chunks[i], err.msg);
		ck_assert_int_eq(fault, IMAP_STREAM_OK);
	}
	buf_free(b);
}

START_TEST(test_good_session)
{
	struct buf *b = session("* 3 EXISTS\r\n* FLAGS (\\Answered \\Seen)\r\n"
	    "* OK [PERMANENTFLAGS (\\Seen \\*)] Flags permitted.\r\n"
	    "* OK [UIDVALIDITY 7] UIDs valid\r\n"
	    "1 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).\r\n"
	    "* SEARCH 1 2 3\r\n2 OK Search completed.\r\n"
	    "* 1 FETCH (UID 1 RFC822.SIZE 120)\r\n3 OK Fetch completed.\r\n");
	static const char body[] = "Subject: ((((((((( {99999999999}\r\n"
	    "\r\n\"unbalanced (((((((((((((((((((((((((((((((((((((((((((((("
	    "((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((\r\n";

	buf_printf(b, "* 1 FETCH (UID 1 BODY[]<0> {%zu}\r\n%s)\r\n"
	    "4 OK Fetch completed.\r\n", sizeof(body) - 1, body);
	parses(b, 4);
}
END_TEST

/* Ordinary nesting passes: a multipart 30 levels deep. */
START_TEST(test_nested_bodystructure)
{
	struct buf *b = session("");
	enum imap_stream_fault fault;
	struct error err;
	size_t i;

	nest(b, "multipart", 30);
	for (i = 0; i < NCHUNKS; i++) {
		ck_assert_msg(parse(b, chunks[i], &fault, &err) == 1, "%s",
		    err.msg);
		ck_assert_int_eq(fault, IMAP_STREAM_OK);
	}
	buf_free(b);
}
END_TEST

/* Unsolicited FETCH data by the thousand: each line its own response. */
START_TEST(test_unsolicited_flood)
{
	struct buf *b = session("");
	enum imap_stream_fault fault;
	struct error err;
	size_t i;

	for (i = 1; i <= 10000; i++)
		buf_printf(b, "* %zu FETCH (UID %zu FLAGS (\\Seen \\Flagged))"
		    "\r\n", i, i + 100);
	buf_append_str(b, "1 OK Store completed.\r\n");
	for (i = 0; i < NCHUNKS; i++) {
		ck_assert_msg(parse(b, chunks[i], &fault, &err) == 1, "%s",
		    err.msg);
		ck_assert_int_eq(fault, IMAP_STREAM_OK);
	}
	buf_free(b);
}
END_TEST

struct hostile {
	const char		*name;
	enum imap_stream_fault	 fault;
	const char		*why;	/* in err.msg */
};

static const struct hostile hostile[] = {
	{ "deep", IMAP_STREAM_DEEP, "nested deeper than 64" },
	{ "deep-after-quote", IMAP_STREAM_DEEP, "more than 1024" },
	{ "deep-after-text-literal", IMAP_STREAM_DEEP, "parentheses" },
	{ "deep-minus-literal", IMAP_STREAM_DEEP, "parentheses" },
	{ "deep-domino-literal", IMAP_STREAM_DEEP, "parentheses" },
	{ "deep-multiline-quote", IMAP_STREAM_DEEP, "parentheses" },
	{ "deep-in-read-ahead", IMAP_STREAM_DEEP, "parentheses" },
	{ "endless-line", IMAP_STREAM_LONG_LINE, "longer than 262144" },
	{ "huge-search", IMAP_STREAM_LONG_LINE, "longer than 262144" },
	{ "lying-literal", IMAP_STREAM_LITERAL, "of 209715200 bytes" },
	{ "literal-in-text", IMAP_STREAM_LITERAL, "of 4000000000 bytes" },
	{ "alert-no-text", IMAP_STREAM_NO_TEXT, "[ALERT] or [PARSE]" },
	{ "parse-no-text", IMAP_STREAM_NO_TEXT, "[ALERT] or [PARSE]" },
	{ "alert-nul-text", IMAP_STREAM_NO_TEXT, "[ALERT] or [PARSE]" },
	{ "alert-cr-text", IMAP_STREAM_NO_TEXT, "[ALERT] or [PARSE]" },
	{ "alert-long-tag", IMAP_STREAM_NO_TEXT, "[ALERT] or [PARSE]" },
	{ "alert-blank-in-code", IMAP_STREAM_NO_TEXT, "[ALERT] or [PARSE]" },
	{ "parse-blanks-in-code", IMAP_STREAM_NO_TEXT, "[ALERT] or [PARSE]" },
	{ "untagged-alert-no-text", IMAP_STREAM_NO_TEXT, "[ALERT] or [PARSE]" },
	{ "greeting-permanentflags", IMAP_STREAM_CODE_CRASH,
	    "[PERMANENTFLAGS]" },
	{ "greeting-badcharset", IMAP_STREAM_CODE_CRASH, "[BADCHARSET]" },
	{ "eof-in-literal", IMAP_STREAM_CLOSED, "closed the connection" },
	{ "eof-in-line", IMAP_STREAM_CLOSED, "closed the connection" },
	{ "eof-in-greeting", IMAP_STREAM_CLOSED, "closed the connection" },
};

/* A BODYSTRUCTURE with no quoted string: as far as the guard follows. */
#define PLAIN_PART	"* 1 FETCH (UID 1 BODYSTRUCTURE ({4}\r\nTEXT " \
			"{5}\r\nPLAIN NIL NIL NIL {4}\r\n7BIT 1 1 NIL NIL NIL NIL "

/*
 * n levels of nesting that libetpan parses (test_constructs_parse shows
 * it for small n), some joined across lines the way libetpan joins them.
 */
static void
nest(struct buf *b, const char *how, size_t n)
{
	size_t i;

	if (strcmp(how, "multipart") == 0) {
		buf_append_str(b, "* 1 FETCH (UID 1 BODYSTRUCTURE ");
		repeat(b, "(", n);
		buf_append_str(b, LEAF);
		repeat(b, " \"MIXED\")", n - 1);
		buf_append_str(b, ")\r\n1 OK done\r\n");
		return;
	}
	/* Extension data of a part nests: ("a" ("b" ("c" 1))). */
	buf_append_str(b, PLAIN_PART);
	for (i = 0; i < n; i++) {
		if (strcmp(how, "minus") == 0)
			buf_append_str(b, "({-1}\r\n ");	/* a literal of 0 */
		else if (strcmp(how, "domino") == 0)
			buf_append_str(b, "({1}  \r\nx ");	/* blanks, CRLF */
		else if (strcmp(how, "quote") == 0)
			buf_append_str(b, "(\"\r\n\" ");	/* quoted CRLF */
		else
			buf_append_str(b, "(NIL ");
	}
	buf_append_str(b, "1");
	repeat(b, ")", n);
	buf_append_str(b, "))\r\n1 OK done\r\n");
}

static const char *const constructs[] = {
	"multipart", "minus", "domino", "quote", "list"
};

static struct buf *
hostile_bytes(const char *name)
{
	struct buf *b;
	size_t i;

	if (strcmp(name, "eof-in-greeting") == 0) {
		b = buf_new();
		buf_append_str(b, "* OK [CAPABILITY IMAP4rev1");
		return b;
	}
	/* libetpan parses a greeting with no context: a string crashes. */
	if (strcmp(name, "greeting-permanentflags") == 0) {
		b = buf_new();
		buf_append_str(b, "* OK [PERMANENTFLAGS (\\Seen \\*)] hi\r\n");
		return b;
	}
	if (strcmp(name, "greeting-badcharset") == 0) {
		b = buf_new();
		buf_append_str(b, "* PREAUTH [ \tbadCharSet (UTF-8)] hi\r\n"
		    "A1 OK done\r\n");
		return b;
	}
	b = session("");
	if (strcmp(name, "deep") == 0)
		nest(b, "multipart", 30000);	/* the crash of issue 20 */
	else if (strcmp(name, "deep-after-quote") == 0) {
		buf_append_str(b, "* OK [ALERT] \"\r\n");
		nest(b, "multipart", 2000);
	} else if (strcmp(name, "deep-after-text-literal") == 0) {
		/* libetpan takes "{40}" for text: the "literal" is parsed. */
		buf_append_str(b, "* OK look {40}\r\n");
		nest(b, "multipart", 3000);
	} else if (strcmp(name, "deep-minus-literal") == 0)
		nest(b, "minus", 2000);
	else if (strcmp(name, "deep-domino-literal") == 0)
		nest(b, "domino", 2000);
	else if (strcmp(name, "deep-multiline-quote") == 0)
		nest(b, "quote", 2000);
	else if (strcmp(name, "deep-in-read-ahead") == 0) {
		/* Many small answers, then nesting in the same read. */
		for (i = 0; i < 50; i++)
			buf_printf(b, "%zu OK done\r\n", i);
		nest(b, "list", 5000);
	} else if (strcmp(name, "endless-line") == 0) {
		buf_append_str(b, "* OK [ALERT] ");
		repeat(b, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 10000);
	} else if (strcmp(name, "huge-search") == 0) {
		buf_append_str(b, "* SEARCH");
		repeat(b, " 1", 200000);
		buf_append_str(b, "\r\n1 OK done\r\n");
	} else if (strcmp(name, "lying-literal") == 0) {
		/* 200 MiB announced: refused before libetpan allocates. */
		buf_append_str(b, "* 1 FETCH (UID 1 RFC822.SIZE 100 BODY[] "
		    "{209715200}\r\nFrom: x\r\n");
	} else if (strcmp(name, "literal-in-text") == 0) {
		buf_append_str(b, "* OK [ALERT] \"{4000000000}\"\r\n");
	} else if (strcmp(name, "alert-no-text") == 0) {
		/* libetpan 1.9.4 strdup()s the missing text: a crash. */
		buf_append_str(b, "A1 NO [ALERT]\r\n");
	} else if (strcmp(name, "untagged-alert-no-text") == 0) {
		/* Stored, and crashing, when the tagged line comes. */
		buf_append_str(b, "* NO [Alert]\r\nA1 OK done\r\n");
	} else if (strcmp(name, "parse-no-text") == 0) {
		buf_append_str(b, "* 1 EXISTS\r\na2 bad [parse] \t \r\n");
	} else if (strcmp(name, "alert-nul-text") == 0) {
		/* libetpan's line is a C string: no text after a NUL. */
		buf_append_str(b, "A1 NO [ALERT] ");
		buf_append(b, "\0text\r\n", 7);
	} else if (strcmp(name, "alert-cr-text") == 0) {
		/* The text ends at a CR (RFC 3501 TEXT-CHAR). */
		buf_append_str(b, "A1 NO [ALERT]\r\r text\n");
	} else if (strcmp(name, "alert-long-tag") == 0) {
		/* A tag of any length: the line's end is matched. */
		repeat(b, "T", 300);
		buf_append_str(b, " no \t [alert] \t  \t\r\n");
	} else if (strcmp(name, "alert-blank-in-code") == 0) {
		/* libetpan skips blanks before "]": still [ALERT]. */
		buf_append_str(b, "A1 NO [ALERT ]\r\n");
	} else if (strcmp(name, "parse-blanks-in-code") == 0) {
		/* ... and before "[" and the code, untagged too. */
		buf_append_str(b, "* NO\t[ \tParse\t] \r\nA1 OK done\r\n");
	} else if (strcmp(name, "eof-in-literal") == 0) {
		buf_append_str(b, "* 1 FETCH (UID 1 BODY[] {100}\r\nshort");
	} else if (strcmp(name, "eof-in-line") == 0) {
		buf_append_str(b, "* 1 FETCH (UID 1");
	} else
		ck_abort_msg("no case %s", name);
	return b;
}

/*
 * [PERMANENTFLAGS (...)] lists libetpan 1.9.4 crashes on: the first flag
 * does not parse and no ")" follows (it frees a list it never made).
 */
static const char *const pflags_bad[] = {
	"* OK [PERMANENTFLAGS (\r\nA1 OK done\r\n",
	"* OK [PERMANENTFLAGS (()] x\r\nA1 OK done\r\n",
	"* OK [ permanentFlags \t( \t(] x\r\nA1 OK done\r\n",
	"* OK [PERMANENTFLAGS (\\(] x\r\nA1 OK done\r\n",
	"* OK [PERMANENTFLAGS (\\)] x\r\nA1 OK done\r\n",
	"* OK [PERMANENTFLAGS (\"a)] x\r\nA1 OK done\r\n",
	"* OK [PERMANENTFLAGS ({x}] x\r\nA1 OK done\r\n",
	"* OK [PERMANENTFLAGS (%] x\r\nA1 OK done\r\n",
	"* OK [PERMANENTFLAGS (*] x\r\nA1 OK done\r\n",
	"* OK [PERMANENTFLAGS (\001] x\r\nA1 OK done\r\n",
	"A1 NO [PERMANENTFLAGS (\t\r\n",
};

START_TEST(test_pflags_refused)
{
	struct buf *b = session(pflags_bad[_i]);
	enum imap_stream_fault fault;
	struct error err;
	size_t i;

	for (i = 0; i < NCHUNKS; i++) {
		ck_assert_msg(parse(b, chunks[i], &fault, &err) == -1,
		    "case %d, chunk %zu: accepted", _i, chunks[i]);
		ck_assert_msg(fault == IMAP_STREAM_CODE_CRASH,
		    "case %d, chunk %zu: fault %d (%s)", _i, chunks[i],
		    (int)fault, err.msg);
		ck_assert_ptr_nonnull(strstr(err.msg, "[PERMANENTFLAGS]"));
	}
	buf_free(b);
}
END_TEST

/* What servers send (and odd lists libetpan parses) passes. */
START_TEST(test_pflags_pass)
{
	struct buf *b = session("* OK [PERMANENTFLAGS (\\Answered \\Flagged "
	    "\\Deleted \\Seen \\Draft $Forwarded Junk \\*)] Flags "
	    "permitted.\r\n"
	    "* OK [PERMANENTFLAGS ()] No permanent flags permitted\r\n"
	    "* OK [PERMANENTFLAGS ( \\*)] x\r\n"
	    "* OK [PERMANENTFLAGS (\"quoted \\\" flag\" \\Seen)] x\r\n"
	    "* OK [PERMANENTFLAGS (\"a\\x\")] kept backslash\r\n"
	    "* OK [PERMANENTFLAGS (]) x\r\n"
	    "* OK [PERMANENTFLAGS (\\Seen (] bad later: no crash\r\n"
	    "* OK look: PERMANENTFLAGS ((, [PERMANENTFLAGSX ((\r\n"
	    "A1 OK done\r\n");

	parses(b, 1);
}
END_TEST

/* [ALERT] with text is what servers send: it passes. */
START_TEST(test_alert_with_text)
{
	struct buf *b = session("* NO [ALERT] Disk full\r\n"
	    "* OK [PARSE] Bad header\r\n"
	    "A1 NO [ALERT] Mailbox is over quota\r\n"
	    "A2 OK [ALERTS] x\r\n"
	    "A3 NO [ ALERT ] quota\r\n"
	    "A4 OK [PARSE]] x\r\n");

	parses(b, 4);
}
END_TEST

/* The nesting constructs are libetpan's grammar: 20 levels parse. */
START_TEST(test_constructs_parse)
{
	struct buf *b = session("");
	enum imap_stream_fault fault;
	struct error err;
	size_t i;

	nest(b, constructs[_i], 20);
	for (i = 0; i < NCHUNKS; i++) {
		ck_assert_msg(parse(b, chunks[i], &fault, &err) == 1,
		    "%s (chunk %zu): %s", constructs[_i], chunks[i], err.msg);
		ck_assert_int_eq(fault, IMAP_STREAM_OK);
	}
	buf_free(b);
}
END_TEST

START_TEST(test_hostile)
{
	const struct hostile *h = &hostile[_i / NCHUNKS];
	size_t chunk = chunks[_i % NCHUNKS];
	struct buf *b = hostile_bytes(h->name);
	enum imap_stream_fault fault;
	struct error err;

	ck_assert_msg(parse(b, chunk, &fault, &err) == -1,
	    "%s (chunk %zu) parsed", h->name, chunk);
	ck_assert_msg(fault == h->fault, "%s (chunk %zu): fault %d, "
	    "not %d: %s", h->name, chunk, fault, h->fault, err.msg);
	ck_assert_msg(strstr(err.msg, h->why) != NULL, "%s: [%s] not in "
	    "[%s]", h->name, h->why, err.msg);
	ck_assert(imap_stream_fault_is_data(fault) ==
	    (fault != IMAP_STREAM_CLOSED));
	buf_free(b);
}
END_TEST

/* The depth limit is the limit: 64 open pass the guard, 65 do not. */
START_TEST(test_depth_limit)
{
	enum imap_stream_fault fault;
	struct error err;
	struct buf *b;

	b = session("* 1 FETCH (UID 1 BODYSTRUCTURE ");
	repeat(b, "(", 63);		/* the FETCH's own makes 64 */
	buf_append_str(b, "\r\n");
	ck_assert_int_eq(parse(b, 0, &fault, &err), -1);
	ck_assert_int_eq(fault, IMAP_STREAM_OK);	/* libetpan refused */
	ck_assert_ptr_nonnull(strstr(err.msg, "libetpan refused"));
	buf_free(b);

	b = session("* 1 FETCH (UID 1 BODYSTRUCTURE ");
	repeat(b, "(", 64);
	buf_append_str(b, "\r\n");
	ck_assert_int_eq(parse(b, 0, &fault, &err), -1);
	ck_assert_int_eq(fault, IMAP_STREAM_DEEP);
	buf_free(b);
}
END_TEST

/* Data ending between two responses is a clean end. */
START_TEST(test_clean_end)
{
	enum imap_stream_fault fault;
	struct error err;
	struct buf *b = session("");

	ck_assert_int_eq(parse(b, 0, &fault, &err), 0);
	buf_free(b);
	b = buf_new();
	ck_assert_int_eq(parse(b, 0, &fault, &err), -1);	/* no greeting */
	ck_assert_int_eq(fault, IMAP_STREAM_CLOSED);
	buf_free(b);
}
END_TEST

/* --- on a socket ----------------------------------------------------- */

struct pair {
	int			 fd[2];
	mailstream		*stream;
	struct imap_stream	*g;
	MMAPString		*line;
};

static void
pair_open(struct pair *p, const char *sent)
{
	struct imap_stream_limits lim;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, p->fd), 0);
	if (*sent != '\0')
		ck_assert_int_eq(write(p->fd[1], sent, strlen(sent)),
		    (ssize_t)strlen(sent));
	imap_stream_limits_default(&lim, 1024 * 1024);
	lim.read_timeout = 5;
	p->g = imap_stream_new(&lim);
	p->stream = mailstream_socket_open(p->fd[0]);
	ck_assert_ptr_nonnull(p->stream);
	imap_stream_set_fd(p->g, p->fd[0]);
	ck_assert_int_eq(imap_stream_attach(p->g, p->stream), 0);
	p->line = mmap_string_new("");
}

static void
pair_close(struct pair *p)
{
	mailstream_close(p->stream);	/* closes fd[0], clears the fd */
	if (p->fd[1] != -1)
		close(p->fd[1]);
	imap_stream_free(p->g);
	mmap_string_free(p->line);
}

/* libetpan alone reads "" at EOF, for ever: the guard says closed. */
START_TEST(test_socket_closed)
{
	struct pair p;
	const char *why;

	pair_open(&p, "* OK hello\r\n");
	close(p.fd[1]);
	p.fd[1] = -1;
	imap_stream_begin(p.g, clock_mono_ms() + 5000, 0);
	ck_assert_str_eq(mailstream_read_line_remove_eol(p.stream, p.line),
	    "* OK hello");
	ck_assert_ptr_null(mailstream_read_line_remove_eol(p.stream, p.line));
	ck_assert_ptr_null(mailstream_read_line_remove_eol(p.stream, p.line));
	ck_assert_int_eq(imap_stream_fault(p.g, &why), IMAP_STREAM_CLOSED);
	ck_assert_str_eq(why, "the server closed the connection");
	pair_close(&p);
}
END_TEST

START_TEST(test_socket_deadline)
{
	struct pair p;

	pair_open(&p, "* OK hello\r\n");
	imap_stream_begin(p.g, clock_mono_ms() - 1, 0);
	ck_assert_ptr_null(mailstream_read_line_remove_eol(p.stream, p.line));
	ck_assert_int_eq(imap_stream_fault(p.g, NULL), IMAP_STREAM_DEADLINE);
	pair_close(&p);
}
END_TEST

/* A cut from "another thread": nothing more is read, the peer sees EOF. */
START_TEST(test_socket_cut)
{
	struct pair p;
	char c;

	pair_open(&p, "");
	imap_stream_cut(p.g);
	imap_stream_begin(p.g, 0, 0);
	ck_assert_ptr_null(mailstream_read_line_remove_eol(p.stream, p.line));
	ck_assert_int_eq(imap_stream_fault(p.g, NULL), IMAP_STREAM_CUT);
	ck_assert_int_eq(read(p.fd[1], &c, 1), 0);
	pair_close(&p);
}
END_TEST

/*
 * Two lines in one segment: libetpan gets the first only, the second
 * waits in the guard, which says so (an IDLE waiter would otherwise
 * poll the socket for a line it already has).
 */
START_TEST(test_socket_line_at_a_time)
{
	struct pair p;

	pair_open(&p, "* 5 EXISTS\r\n* 6 EXISTS\r\n");
	imap_stream_begin(p.g, 0, 0);
	ck_assert_str_eq(mailstream_read_line_remove_eol(p.stream, p.line),
	    "* 5 EXISTS");
	ck_assert_uint_eq(p.stream->read_buffer_len, 0);
	ck_assert(imap_stream_pending(p.g));
	ck_assert_str_eq(mailstream_read_line_remove_eol(p.stream, p.line),
	    "* 6 EXISTS");
	ck_assert(!imap_stream_pending(p.g));
	pair_close(&p);
}
END_TEST

/*
 * The verdict does not depend on how the bytes arrive: a greeting whose
 * quote makes the guard count every '(' and a next response doing the
 * same, each within max_open alone, both over it together (the fuzzer's
 * find: read whole, the second response's '(' were counted for the
 * greeting).
 */
START_TEST(test_split_or_whole)
{
	static const char data[] =
	    "* OK [X \"\"] ((((((((((\r\n"
	    "* OK [Y \"\"] ((((((((((\r\n"
	    "A1 OK done\r\n";
	struct imap_stream_limits lim;
	enum imap_stream_fault f;
	struct error err;
	size_t chunk;

	imap_stream_limits_default(&lim, 1024);
	lim.max_open = 16;
	for (chunk = 0; chunk <= sizeof(data); chunk++) {
		error_clear(&err);
		ck_assert_int_eq(imap_stream_parse(data, sizeof(data) - 1, chunk,
		    &lim, &f, &err), 1);	/* one answer after the greeting */
	}
}
END_TEST

START_TEST(test_socket_budget)
{
	struct pair p;
	struct buf *b = buf_new();
	int lines = 0;

	repeat(b, "* 1 EXISTS\r\n", 300);	/* 3600 bytes */
	pair_open(&p, b->data);
	imap_stream_begin(p.g, 0, 1000);
	while (mailstream_read_line_remove_eol(p.stream, p.line) != NULL)
		lines++;
	/* lines are handed on one at a time: those within the budget */
	ck_assert_int_eq(lines, 1000 / 12);
	ck_assert_int_eq(imap_stream_fault(p.g, NULL), IMAP_STREAM_TOO_MUCH);
	pair_close(&p);
	buf_free(b);
}
END_TEST

static Suite *
imap_stream_suite(void)
{
	Suite *s = suite_create("imap_stream");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_good_session);
	tcase_add_test(tc, test_nested_bodystructure);
	tcase_add_test(tc, test_unsolicited_flood);
	tcase_add_test(tc, test_alert_with_text);
	tcase_add_test(tc, test_pflags_pass);
	tcase_add_loop_test(tc, test_pflags_refused, 0,
	    (int)(sizeof(pflags_bad) / sizeof(pflags_bad[0])));
	tcase_add_loop_test(tc, test_constructs_parse, 0,
	    (int)(sizeof(constructs) / sizeof(constructs[0])));
	tcase_add_loop_test(tc, test_hostile, 0,
	    (int)(sizeof(hostile) / sizeof(hostile[0]) * NCHUNKS));
	tcase_add_test(tc, test_depth_limit);
	tcase_add_test(tc, test_clean_end);
	tcase_add_test(tc, test_socket_closed);
	tcase_add_test(tc, test_socket_deadline);
	tcase_add_test(tc, test_socket_cut);
	tcase_add_test(tc, test_socket_budget);
	tcase_add_test(tc, test_socket_line_at_a_time);
	tcase_add_test(tc, test_split_or_whole);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(imap_stream_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
