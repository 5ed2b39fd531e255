/*
 * mime: one raw message in, one struct parsed_message out (the "parse"
 * step of the pipeline).  Promise 4 lives here: whatever the bytes, the
 * result is complete, every string is valid UTF-8, and what could not be
 * understood is named in one warning line instead of failing.
 *
 * Division of labour.  The top-level header block is split by our own
 * tolerant scanner (libetpan stops at the first broken line and would make
 * the rest of the header the body); the message handed to libetpan is
 * rebuilt from those fields, so both agree on where the body starts.
 * libetpan then parses the MIME tree (mailmime_parse), decodes transfer
 * encodings (mailmime_part_parse), and parses addresses and dates
 * (mailimf_*).  When it refuses an address we fall back to picking out
 * local@domain by hand; when it refuses the whole tree the body is the raw
 * text after the header.
 *
 * RFC 2047 encoded-words are decoded here rather than by libetpan's
 * mailmime_encoded_phrase_parse: that converts each word on its own (a
 * character split across two words, as Outlook and Thunderbird do with
 * UTF-8 and ISO-2022-JP, turns to garbage), reads unknown charsets as
 * Latin-1 and gives up on the whole phrase at one bad byte.  Ours joins
 * adjacent words of one charset first and hands the bytes to charset.c,
 * which never fails and guesses unknown charsets.
 *
 * libetpan 1.9.4 recurses once per MIME level and per nested comment, and
 * crashes on boundary="\"" (fixed upstream in 3f14913, later than 1.9.4):
 * mime_defuse() neutralises those inputs before the parse, and the tree
 * walk is capped in depth and parts.
 *
 * Memory (README "Memory"): a big message must not cost many times its
 * size.  So the raw bytes are parsed in place where they can be: the
 * defused copy is made only when there is something to defuse, and the
 * rebuilt message only when libetpan would not read the header as we do
 * (mime_header_clean); libetpan's tree points into those bytes.  Parts
 * are not copied once more after decoding (mime_bytes), an attachment's
 * size is counted a slice at a time without holding its decoded bytes,
 * and the body text is capped at MIME_TEXT_MAX (plain text is not even
 * converted past the cap, HTML is scanned in its own charset).  What is
 * left at the peak: the raw message and the decoded body part.
 *
 * Not done here: deciding whether mail is automatic (automail.c), storing
 * attachment contents, S/MIME or PGP.
 */
#include <ctype.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libetpan/libetpan.h>

#include "buf.h"
#include "charset.h"
#include "html.h"
#include "mime.h"
#include "xmalloc.h"

#define MIME_MAX_DEPTH		32	/* nesting we walk */
#define MIME_MAX_PARTS		1000	/* leaves we walk */
#define MIME_MAX_COMPOSITE	128	/* above: libetpan's recursion is not safe */
#define MIME_MAX_COMMENT_DEPTH	32	/* nested "(" libetpan may see */
#define MIME_MAX_IDS		1000	/* References ids kept */
#define MIME_MAX_ADDRS		1000	/* To/Cc addresses kept */
/*
 * The top-level header kept: as Postfix's header_size_limit, a field is
 * cut at 100 KiB, and fields past the first 1000 or past 1 MiB in all are
 * dropped (real mail has a few dozen; a million tiny fields would
 * otherwise cost hundreds of bytes each here and in libetpan).
 */
#define MIME_MAX_FIELDS		1000
#define MIME_MAX_FIELD_LEN	(100 * 1024)
#define MIME_MAX_HEADER		(1024 * 1024)
#define MIME_WARN_MAX		240
#define MIME_DECODE_SLICE	(1024 * 1024)	/* encoded bytes per step */

/* A header field as written: name, value unfolded but not decoded. */
struct mime_raw_header {
	char	*name;
	char	*value;
};

/*
 * Bytes of a part after its transfer encoding: a view into the message,
 * or libetpan's decoded copy (etpan, freed by mime_bytes_release).
 */
struct mime_bytes {
	const char	*data;
	size_t		 len;
	char		*etpan;
};

/* One leaf of the MIME tree, in document order. */
struct mime_leaf {
	struct mailmime	*part;
	bool		 in_alternative;
};

struct mime_ctx {
	struct parsed_message	*m;
	struct mime_raw_header	*raw;		/* top-level header fields */
	size_t			 nraw;
	size_t			 raw_bytes;	/* their values' lengths */
	bool			 header_cut;	/* fields cut or dropped */
	char			*hint;		/* top-level charset, or NULL */
	struct buf		 warn;
	struct mime_leaf	*leaves;
	size_t			 nleaves;
	bool			 capped;	/* depth or part cap hit */
	size_t			 raw_len;	/* the message given */
	size_t			 body_off;	/* its body starts here */
	const char		*msg;		/* what libetpan parsed, */
	size_t			 msg_len;
	size_t			 msg_hlen;	/* then the same body */
};

static char	*mime_defuse(const char *, size_t);
static bool	 mime_defuse_comments(const char *, char *, size_t);
static bool	 mime_defuse_boundary(const char *, char *, size_t);
static size_t	 mime_split_headers(struct mime_ctx *, const char *, size_t);
static size_t	 mime_header_line_end(const char *, size_t, size_t);
static bool	 mime_field_at(const char *, size_t, size_t, size_t *);
static size_t	 mime_field_end(const char *, size_t, size_t);
static char	*mime_field_value(const char *, size_t);
static bool	 mime_header_name_ok(const char *, size_t);
static bool	 mime_header_clean(const struct mime_ctx *, const char *,
		    size_t, size_t);
static char	*mime_rebuild(const struct mime_ctx *, const char *, size_t,
		    size_t, size_t *);
static const char *mime_raw_get(const struct mime_ctx *, const char *);
static char	*mime_param_scan(const char *, const char *);
static void	 mime_fill_headers(struct mime_ctx *);
static char	*mime_decode_header(const struct mime_ctx *, const char *);
static char	*mime_decode_words(const char *, size_t, const char *);
static bool	 mime_encoded_word(const char *, const char *, const char **,
		    char *, size_t, struct buf *);
static void	 mime_b64_decode(const char *, size_t, struct buf *);
static void	 mime_q_decode(const char *, size_t, struct buf *);
static int	 mime_hexval(int);
static void	 mime_flush_text(struct buf *, struct buf *, const char *,
		    bool);
static char	*mime_clean_line(char *);
static void	 mime_fill_addresses(struct mime_ctx *);
static void	 mime_addr_first(struct mime_ctx *, const char *,
		    struct mime_address *);
static void	 mime_addr_list(struct mime_ctx *, const char *,
		    struct mime_address **, size_t *);
static void	 mime_addr_add_mb(struct mime_ctx *, struct mailimf_mailbox *,
		    struct mime_address **, size_t *);
static bool	 mime_addr_manual(struct mime_ctx *, const char *, size_t,
		    struct mime_address *);
static char	*mime_addr_value(const struct mime_ctx *, const char *);
static char	*mime_unquote(const char *);
static char	*mime_addr_strip(const char *, size_t);
static char	*mime_addr_comment(const struct mime_ctx *, const char *);
static void	 mime_fill_ids(struct mime_ctx *);
static size_t	 mime_ids_extract(const char *, char ***, size_t);
static time_t	 mime_date(const char *);
static bool	 mime_tree(struct mime_ctx *, const char *, size_t);
static size_t	 mime_count_composite(const char *, size_t);
static void	 mime_flatten(struct mime_ctx *, struct mailmime *, int, bool);
static void	 mime_choose_body(struct mime_ctx *);
static void	 mime_set_body(struct mime_ctx *, struct mailmime *, bool);
static void	 mime_body_text(struct mime_ctx *, const char *,
		    struct mime_bytes *, bool);
static void	 mime_collect_attachments(struct mime_ctx *);
static void	 mime_raw_body(struct mime_ctx *, const char *, size_t);
static char	*mime_part_type(const struct mailmime *);
static const char *mime_content_param(const struct mailmime_content *,
		    const char *);
static struct mailmime_disposition *mime_part_disposition(
		    const struct mailmime *);
static bool	 mime_part_is_file(const struct mime_ctx *,
		    const struct mailmime *);
static void	 mime_part_entity(const struct mime_ctx *,
		    const struct mailmime *, struct mime_attachment *);
static bool	 mime_part_is_attachment(const struct mime_ctx *,
		    const struct mailmime *);
static char	*mime_part_filename(const struct mime_ctx *,
		    const struct mailmime *);
static char	*mime_rfc2231(clist *, bool, const char *);
static const char *mime_list_param(clist *, bool, const char *);
static void	 mime_part_bytes(struct mime_ctx *, const struct mailmime *,
		    struct mime_bytes *);
static void	 mime_bytes_release(struct mime_bytes *);
static size_t	 mime_part_decoded_size(struct mime_ctx *,
		    const struct mailmime *);
static int	 mime_part_encoding(struct mime_ctx *, const struct mailmime *);
static char	*mime_text_normalise(char *);
static void	 mime_warn(struct mime_ctx *, const char *);
static char	*mime_lower(const char *);
static void	 mime_ctx_release(struct mime_ctx *);

struct parsed_message *
mime_parse(const char *raw, size_t len)
{
	struct mime_ctx	 c;
	const char	*src, *msg;
	char		*copy, *rebuilt = NULL;
	size_t		 body_off, mlen, hlen;

	memset(&c, 0, sizeof(c));
	c.m = xcalloc(1, sizeof(*c.m));
	buf_init(&c.warn);
	if (raw == NULL) {
		raw = "";
		len = 0;
	}
	copy = mime_defuse(raw, len);
	src = copy != NULL ? copy : raw;
	body_off = mime_split_headers(&c, src, len);
	if (c.header_cut)
		mime_warn(&c, "header over 1000 fields or 1 MiB, or a field "
		    "over 100 KiB: cut");
	c.hint = mime_param_scan(mime_raw_get(&c, "Content-Type"), "charset");
	mime_fill_headers(&c);
	mime_fill_addresses(&c);
	c.raw_len = len;
	c.body_off = body_off;
	mime_fill_ids(&c);
	c.m->date = mime_date(mime_raw_get(&c, "Date"));
	if (mime_header_clean(&c, src, len, body_off)) {
		msg = src;
		mlen = len;
		hlen = body_off;
	} else {
		msg = rebuilt = mime_rebuild(&c, src, len, body_off, &mlen);
		hlen = mlen - (len - body_off);
	}
	if (!mime_tree(&c, msg, mlen) && c.m->body == NULL)
		mime_raw_body(&c, msg + hlen, mlen - hlen);
	if (c.m->body == NULL)
		c.m->body = xstrdup("");
	if (c.m->content_type == NULL)
		c.m->content_type = xstrdup("text/plain");
	if (c.m->from.addr == NULL)
		mime_warn(&c, "no From address");
	if (c.warn.len > 0)
		c.m->warning = charset_to_utf8("utf-8", c.warn.data,
		    c.warn.len, NULL);
	free(rebuilt);
	free(copy);
	mime_ctx_release(&c);
	return c.m;
}

void
mime_free(struct parsed_message *m)
{
	size_t	 i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nheaders; i++) {
		free(m->headers[i].name);
		free(m->headers[i].value);
	}
	free(m->headers);
	free(m->message_id);
	free(m->in_reply_to);
	for (i = 0; i < m->nreferences; i++)
		free(m->references[i]);
	free(m->references);
	free(m->subject);
	free(m->from.name);
	free(m->from.addr);
	free(m->reply_to.name);
	free(m->reply_to.addr);
	for (i = 0; i < m->nto; i++) {
		free(m->to[i].name);
		free(m->to[i].addr);
	}
	free(m->to);
	for (i = 0; i < m->ncc; i++) {
		free(m->cc[i].name);
		free(m->cc[i].addr);
	}
	free(m->cc);
	free(m->content_type);
	free(m->body);
	for (i = 0; i < m->nattachments; i++) {
		free(m->attachments[i].filename);
		free(m->attachments[i].content_type);
	}
	free(m->attachments);
	free(m->warning);
	free(m);
}

const char *
mime_header_get(const struct parsed_message *m, const char *name)
{
	size_t	 i;

	if (m == NULL || name == NULL)
		return NULL;
	for (i = 0; i < m->nheaders; i++)
		if (strcasecmp(m->headers[i].name, name) == 0)
			return m->headers[i].value;
	return NULL;
}

/* --- the raw bytes ---------------------------------------------------- */

/*
 * NULL if libetpan's known pathologies are absent from the len bytes at
 * raw (nearly always: the bytes are then parsed where they are), else a
 * NUL-terminated private copy with them neutralised.  The changes touch
 * only inputs no honest mailer writes.
 */
static char *
mime_defuse(const char *raw, size_t len)
{
	char	*copy;

	if (!mime_defuse_comments(raw, NULL, len) &&
	    !mime_defuse_boundary(raw, NULL, len))
		return NULL;
	copy = xmalloc(len + 1);
	memcpy(copy, raw, len);
	copy[len] = '\0';
	(void)mime_defuse_comments(copy, copy, len);
	(void)mime_defuse_boundary(copy, copy, len);
	return copy;
}

/*
 * libetpan parses RFC 5322 comments recursively, one stack frame per "(":
 * a header of 100000 "(" overflows the stack.  Beyond a depth no real
 * header reaches, "(" becomes a blank (in w, the copy, which may be s
 * itself; with w NULL only tells whether there is any).  Depth is counted
 * per logical line (a line and its continuations).
 */
static bool
mime_defuse_comments(const char *s, char *w, size_t len)
{
	size_t	 i, depth = 0;
	bool	 hit = false;

	for (i = 0; i < len; i++) {
		if (s[i] == '\n' && (i + 1 >= len || (s[i + 1] != ' ' &&
		    s[i + 1] != '\t')))
			depth = 0;
		else if (s[i] == ')' && depth > 0)
			depth--;
		else if (s[i] == '(' && ++depth > MIME_MAX_COMMENT_DEPTH) {
			if (w == NULL)
				return true;
			w[i] = ' ';
			hit = true;
		}
	}
	return hit;
}

/*
 * libetpan 1.9.4 mailmime_extract_boundary() underflows a length and
 * overwrites the heap when the unquoted boundary is a lone '"' (written
 * boundary="\"").  The backslash becomes '_' (in w, as above) so the
 * value is harmless.
 */
static bool
mime_defuse_boundary(const char *s, char *w, size_t len)
{
	size_t	 i, j, depth;
	bool	 hit = false;

	for (i = 0; i + 8 <= len; i++) {
		if ((s[i] != 'b' && s[i] != 'B') ||
		    strncasecmp(s + i, "boundary", 8) != 0)
			continue;
		j = i + 8;
		for (depth = 0; j < len; j++) {
			if (s[j] == '(')
				depth++;
			else if (s[j] == ')' && depth > 0)
				depth--;
			else if (depth == 0 && s[j] != ' ' && s[j] != '\t' &&
			    s[j] != '\r' && s[j] != '\n' && s[j] != '=')
				break;
		}
		if (j + 4 <= len && memcmp(s + j, "\"\\\"\"", 4) == 0) {
			if (w == NULL)
				return true;
			w[j + 1] = '_';
			hit = true;
		}
	}
	return hit;
}

/*
 * Splits the top-level header block into c->raw and returns the offset of
 * the body.  The header ends at the first empty line.  A line that is
 * neither a field nor a continuation is skipped when a field follows it
 * (a stray word in the header, seen in real mail), and otherwise starts
 * the body (the blank line was missing).  An mbox "From " line and blanks
 * before the first field are skipped.  NUL bytes in values become blanks.
 * Fields beyond the limits above are cut or dropped, with a warning.
 */
static size_t
mime_split_headers(struct mime_ctx *c, const char *s, size_t len)
{
	size_t	 pos = 0, colon, next, cap = 0, vlen;

	if (len >= 5 && memcmp(s, "From ", 5) == 0 &&
	    !mime_field_at(s, len, 0, &colon))
		pos = mime_header_line_end(s, len, 0);
	while (pos < len && (s[pos] == ' ' || s[pos] == '\t'))
		pos++;
	while (pos < len) {
		if (s[pos] == '\n' || (s[pos] == '\r' && pos + 1 < len &&
		    s[pos + 1] == '\n'))
			return mime_header_line_end(s, len, pos);
		next = mime_field_end(s, len, pos);
		if (!mime_field_at(s, len, pos, &colon)) {
			if (next >= len || !mime_field_at(s, len, next, &colon))
				return pos;
			pos = next;
			continue;
		}
		if (c->nraw >= MIME_MAX_FIELDS || c->raw_bytes >=
		    MIME_MAX_HEADER) {
			c->header_cut = true;
			pos = next;
			continue;
		}
		if (c->nraw == cap) {
			cap = cap == 0 ? 32 : cap * 2;
			c->raw = xreallocarray(c->raw, cap, sizeof(*c->raw));
		}
		c->raw[c->nraw].name = xstrndup(s + pos, colon - pos);
		c->raw[c->nraw].name[strcspn(c->raw[c->nraw].name, " \t")] =
		    '\0';
		vlen = next - colon - 1;
		if (vlen > MIME_MAX_FIELD_LEN) {
			vlen = MIME_MAX_FIELD_LEN;
			c->header_cut = true;
		}
		c->raw[c->nraw].value = mime_field_value(s + colon + 1, vlen);
		c->raw_bytes += vlen;
		c->nraw++;
		pos = next;
	}
	return len;
}

/* True if a "Name: value" field starts at pos; *colon gets the ':'. */
static bool
mime_field_at(const char *s, size_t len, size_t pos, size_t *colon)
{
	size_t	 i, eol;

	eol = mime_header_line_end(s, len, pos);
	for (i = pos; i < eol && s[i] != ':'; i++)
		;
	if (i >= eol || !mime_header_name_ok(s + pos, i - pos))
		return false;
	*colon = i;
	return true;
}

/* Offset after the line at pos and all its continuation lines. */
static size_t
mime_field_end(const char *s, size_t len, size_t pos)
{
	size_t	 next;

	next = mime_header_line_end(s, len, pos);
	while (next < len && (s[next] == ' ' || s[next] == '\t'))
		next = mime_header_line_end(s, len, next);
	return next;
}

/* A field value unfolded to one line: line breaks, NULs, runs of blanks. */
static char *
mime_field_value(const char *s, size_t n)
{
	char	*v;
	size_t	 i;

	v = xmalloc(n + 1);
	for (i = 0; i < n; i++)
		v[i] = s[i] == '\0' ? ' ' : s[i];
	v[n] = '\0';
	return mime_clean_line(v);
}

/* Offset just after the LF ending the line at pos (or len). */
static size_t
mime_header_line_end(const char *s, size_t len, size_t pos)
{
	const char	*nl;

	nl = memchr(s + pos, '\n', len - pos);
	return nl != NULL ? (size_t)(nl - s) + 1 : len;
}

/* RFC 5322 field name (printable, no colon), allowing blanks before ':'. */
static bool
mime_header_name_ok(const char *s, size_t n)
{
	size_t	 i;

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 32 || (unsigned char)s[i] >= 127)
			return false;
	return true;
}

/*
 * True if libetpan, given the message as it is, reads the same header as
 * mime_split_headers did and starts the body at body_off: then there is no
 * need to rebuild (and copy) the message.  That holds for the header of
 * nearly all mail: fields and continuation lines only, ended by an empty
 * line, nothing in it that mime_field_value would clean (NUL, control
 * characters, a lone CR), no blank before a colon, nothing cut by the
 * header limits.  libetpan has the last word: its own parse of the header
 * must end at body_off.
 */
static bool
mime_header_clean(const struct mime_ctx *c, const char *s, size_t len,
    size_t body_off)
{
	struct mailimf_fields	*fields = NULL;
	size_t			 i, idx = 0;
	bool			 bol = true, name = false;
	unsigned char		 ch;

	if (c->header_cut || body_off == 0 || body_off >= len ||
	    s[body_off - 1] != '\n')
		return false;
	for (i = 0; i < body_off; i++) {
		ch = (unsigned char)s[i];
		if (bol)
			name = ch != ' ' && ch != '\t';
		bol = ch == '\n';
		if ((ch < 32 && ch != '\t' && ch != '\n' && ch != '\r') ||
		    ch == 127 || (ch == '\r' && (i + 1 >= len ||
		    s[i + 1] != '\n')))
			return false;
		if (name && ch == ':') {
			if (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t')
				return false;
			name = false;
		}
	}
	if (mailimf_envelope_and_optional_fields_parse(s, len, &idx,
	    &fields) == MAILIMF_NO_ERROR && fields != NULL)
		mailimf_fields_free(fields);
	(void)mailimf_crlf_parse(s, len, &idx);
	return idx == body_off;
}

/*
 * The message as libetpan will see it: our fields, one per line, a blank
 * line, then the body bytes untouched.
 */
static char *
mime_rebuild(const struct mime_ctx *c, const char *copy, size_t len,
    size_t body_off, size_t *rlen)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	for (i = 0; i < c->nraw; i++)
		buf_printf(&b, "%s: %s\r\n", c->raw[i].name, c->raw[i].value);
	buf_append(&b, "\r\n", 2);
	buf_append(&b, copy + body_off, len - body_off);
	return buf_steal(&b, rlen);
}

/* First raw (undecoded) value of a top-level field, or NULL. */
static const char *
mime_raw_get(const struct mime_ctx *c, const char *name)
{
	size_t	 i;

	for (i = 0; i < c->nraw; i++)
		if (strcasecmp(c->raw[i].name, name) == 0)
			return c->raw[i].value;
	return NULL;
}

/*
 * A parameter of a raw structured value ("text/plain; charset=koi8-r"),
 * found by hand so it works where libetpan's parser would not; NULL if
 * absent.
 */
static char *
mime_param_scan(const char *value, const char *param)
{
	const char	*p;
	size_t		 plen = strlen(param), n;

	if (value == NULL)
		return NULL;
	/*
	 * p is just past the ';' it found, at most at the NUL of a value
	 * ending in ';': the next look starts there, never past the end.
	 */
	for (p = strchr(value, ';'); p != NULL; p = strchr(p, ';')) {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, param, plen) != 0)
			continue;
		p += plen;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '=')
			continue;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '"') {
			p++;
			n = strcspn(p, "\"");
		} else
			n = strcspn(p, "; \t");
		return n > 0 ? xstrndup(p, n) : NULL;
	}
	return NULL;
}

/* --- headers ---------------------------------------------------------- */

static void
mime_fill_headers(struct mime_ctx *c)
{
	struct parsed_message	*m = c->m;
	size_t			 i;
	const char		*subject;

	m->headers = xcalloc(c->nraw > 0 ? c->nraw : 1, sizeof(*m->headers));
	for (i = 0; i < c->nraw; i++) {
		m->headers[i].name = charset_to_utf8("us-ascii",
		    c->raw[i].name, strlen(c->raw[i].name), NULL);
		m->headers[i].value = mime_decode_header(c, c->raw[i].value);
	}
	m->nheaders = c->nraw;
	subject = mime_header_get(m, "Subject");
	m->subject = xstrdup(subject != NULL ? subject : "");
}

/* Raw header value to one line of UTF-8 (RFC 2047 and raw 8-bit). */
static char *
mime_decode_header(const struct mime_ctx *c, const char *raw)
{
	return mime_clean_line(mime_decode_words(raw, strlen(raw), c->hint));
}

/*
 * RFC 2047 decoding.  Text between encoded-words is converted as raw
 * 8-bit (valid UTF-8 as is, per RFC 6532; else the hint charset; else a
 * guess).  Whitespace between two encoded-words is dropped (§6.2), and the
 * bytes of adjacent words in one charset are joined before conversion, so
 * a character split across words survives.  Words need not be delimited
 * by blanks: "Re:=?utf-8?B?...?=" is common.
 */
static char *
mime_decode_words(const char *s, size_t len, const char *hint)
{
	struct buf	 out, text, bytes;
	const char	*p = s, *end = s + len, *after;
	char		 cs[64], prev[64] = "";
	bool		 gap = false;	/* only blanks since the last word */

	buf_init(&out);
	buf_init(&text);
	buf_init(&bytes);
	while (p < end) {
		if (p[0] == '=' && p + 1 < end && p[1] == '?' &&
		    mime_encoded_word(p, end, &after, cs, sizeof(cs), NULL)) {
			if (gap) {
				buf_reset(&text);
				if (strcasecmp(cs, prev) != 0)
					mime_flush_text(&out, &bytes, prev,
					    false);
			} else
				mime_flush_text(&out, &text, hint, true);
			(void)mime_encoded_word(p, end, &after, cs, sizeof(cs),
			    &bytes);
			(void)strlcpy(prev, cs, sizeof(prev));
			p = after;
			gap = true;
			continue;
		}
		if (gap && *p != ' ' && *p != '\t') {
			mime_flush_text(&out, &bytes, prev, false);
			gap = false;
		}
		buf_append_char(&text, *p++);
	}
	mime_flush_text(&out, &bytes, prev, false);
	mime_flush_text(&out, &text, hint, true);
	buf_release(&text);
	buf_release(&bytes);
	return buf_steal(&out, NULL);
}

/*
 * Recognises "=?charset[*lang]?B|Q?text?=" at p; sets *after and the
 * charset, and appends the decoded bytes to out when out is not NULL.
 */
static bool
mime_encoded_word(const char *p, const char *end, const char **after,
    char *cs, size_t cssize, struct buf *out)
{
	const char	*q, *text, *tend;
	char		 enc;
	size_t		 n;

	q = p + 2;
	n = 0;
	while (q < end && *q != '?' && *q != ' ' && *q != '\t' && n < 63)
		q++, n++;
	if (q + 3 >= end || *q != '?' || n == 0 || n >= cssize)
		return false;
	enc = (char)toupper((unsigned char)q[1]);
	if ((enc != 'B' && enc != 'Q') || q[2] != '?')
		return false;
	text = q + 3;
	for (tend = text; tend + 1 < end && !(tend[0] == '?' &&
	    tend[1] == '='); tend++)
		if (*tend == ' ' || *tend == '\t')
			return false;
	if (tend + 1 >= end)
		return false;
	memcpy(cs, p + 2, n);
	cs[n] = '\0';
	cs[strcspn(cs, "*")] = '\0';	/* RFC 2231 language suffix */
	*after = tend + 2;
	if (out != NULL) {
		if (enc == 'B')
			mime_b64_decode(text, (size_t)(tend - text), out);
		else
			mime_q_decode(text, (size_t)(tend - text), out);
	}
	return true;
}

/* Lenient base64: skips what is not in the alphabet, ignores padding. */
static void
mime_b64_decode(const char *s, size_t len, struct buf *out)
{
	static const char	 alpha[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char		*hit;
	uint32_t		 acc = 0;
	int			 bits = 0;
	size_t			 i;

	for (i = 0; i < len; i++) {
		if (s[i] == '=' || s[i] == '\0' ||
		    (hit = strchr(alpha, s[i])) == NULL)
			continue;
		acc = (acc << 6) | (uint32_t)(hit - alpha);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_append_char(out, (char)((acc >> bits) & 0xff));
		}
	}
}

static void
mime_q_decode(const char *s, size_t len, struct buf *out)
{
	size_t	 i;
	int	 hi, lo;

	for (i = 0; i < len; i++) {
		if (s[i] == '_')
			buf_append_char(out, ' ');
		else if (s[i] == '=' && i + 2 < len &&
		    (hi = mime_hexval(s[i + 1])) >= 0 &&
		    (lo = mime_hexval(s[i + 2])) >= 0) {
			buf_append_char(out, (char)(hi * 16 + lo));
			i += 2;
		} else
			buf_append_char(out, s[i]);
	}
}

static int
mime_hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/*
 * Converts pending bytes in charset cs (NULL or "": guess) onto out.  For
 * raw header text (raw == true) valid UTF-8 wins over cs (RFC 6532), and
 * a cs that is not ASCII-compatible cannot describe header bytes.
 */
static void
mime_flush_text(struct buf *out, struct buf *pending, const char *cs,
    bool raw)
{
	char	*u;
	size_t	 n;

	if (pending->len == 0)
		return;
	if (cs != NULL && (*cs == '\0' || (raw &&
	    (strncasecmp(cs, "utf-16", 6) == 0 ||
	    strncasecmp(cs, "utf-32", 6) == 0 ||
	    strncasecmp(cs, "ucs", 3) == 0))))
		cs = NULL;
	if (raw && charset_is_utf8(pending->data, pending->len))
		cs = "utf-8";
	u = charset_to_utf8(cs, pending->data, pending->len, &n);
	buf_append(out, u, n);
	free(u);
	buf_reset(pending);
}

/*
 * In place: control characters (CR, LF, TAB, and any an encoded-word
 * smuggled in) become blanks, runs of blanks one, ends trimmed.  A header
 * value is one line; nothing downstream should meet a newline in it.
 */
static char *
mime_clean_line(char *s)
{
	size_t	 i, n = 0;

	for (i = 0; s[i] != '\0'; i++) {
		char ch = s[i];

		if ((unsigned char)ch < 32 || ch == 127)
			ch = ' ';
		if (ch == ' ' && (n == 0 || s[n - 1] == ' '))
			continue;
		s[n++] = ch;
	}
	while (n > 0 && s[n - 1] == ' ')
		n--;
	s[n] = '\0';
	return s;
}

/* --- addresses -------------------------------------------------------- */

static void
mime_fill_addresses(struct mime_ctx *c)
{
	size_t	 i;

	for (i = 0; i < c->nraw && c->m->from.addr == NULL; i++)
		if (strcasecmp(c->raw[i].name, "From") == 0)
			mime_addr_first(c, c->raw[i].value, &c->m->from);
	for (i = 0; i < c->nraw && c->m->reply_to.addr == NULL; i++)
		if (strcasecmp(c->raw[i].name, "Reply-To") == 0)
			mime_addr_first(c, c->raw[i].value, &c->m->reply_to);
	for (i = 0; i < c->nraw; i++) {
		if (strcasecmp(c->raw[i].name, "To") == 0)
			mime_addr_list(c, c->raw[i].value, &c->m->to,
			    &c->m->nto);
		else if (strcasecmp(c->raw[i].name, "Cc") == 0)
			mime_addr_list(c, c->raw[i].value, &c->m->cc,
			    &c->m->ncc);
	}
}

/* The first mailbox of a From/Reply-To value. */
static void
mime_addr_first(struct mime_ctx *c, const char *raw, struct mime_address *a)
{
	struct mailimf_mailbox_list	*list = NULL;
	struct mime_address		*tmp = NULL, r;
	char				*v;
	size_t				 idx = 0, n = 0;

	v = mime_addr_value(c, raw);
	if (mailimf_mailbox_list_parse(v, strlen(v), &idx, &list) ==
	    MAILIMF_NO_ERROR && list != NULL &&
	    clist_begin(list->mb_list) != NULL)
		mime_addr_add_mb(c, clist_content(clist_begin(list->mb_list)),
		    &tmp, &n);
	memset(&r, 0, sizeof(r));
	if (n == 1)
		r = tmp[0];
	else if (!mime_addr_manual(c, v, strlen(v), &r) && *v != '\0' &&
	    strstr(v, "<>") == NULL)
		mime_warn(c, "unparseable address");
	free(tmp);
	if (r.addr != NULL && r.name == NULL)
		r.name = mime_addr_comment(c, v);
	if (r.addr != NULL) {
		free(a->name);
		*a = r;
	} else if (a->name == NULL)
		a->name = r.name;
	else
		free(r.name);
	if (list != NULL)
		mailimf_mailbox_list_free(list);
	free(v);
}

/* Every mailbox of a To/Cc value (groups flattened), appended. */
static void
mime_addr_list(struct mime_ctx *c, const char *raw,
    struct mime_address **arr, size_t *n)
{
	struct mailimf_address_list	*list = NULL;
	struct mailimf_address		*ad;
	struct mime_address		 one;
	clistiter			*it, *jt;
	char				*v;
	size_t				 idx = 0, start, i, len;
	bool				 quoted = false;

	v = mime_addr_value(c, raw);
	len = strlen(v);
	if (mailimf_address_list_parse(v, len, &idx, &list) ==
	    MAILIMF_NO_ERROR && list != NULL && idx >= len) {
		for (it = clist_begin(list->ad_list); it != NULL;
		    it = clist_next(it)) {
			ad = clist_content(it);
			if (ad->ad_type == MAILIMF_ADDRESS_MAILBOX)
				mime_addr_add_mb(c, ad->ad_data.ad_mailbox,
				    arr, n);
			else if (ad->ad_type == MAILIMF_ADDRESS_GROUP &&
			    ad->ad_data.ad_group->grp_mb_list != NULL)
				for (jt = clist_begin(ad->ad_data.ad_group->
				    grp_mb_list->mb_list); jt != NULL;
				    jt = clist_next(jt))
					mime_addr_add_mb(c, clist_content(jt),
					    arr, n);
		}
	} else {
		/* By hand: split at commas outside quotes, pick addresses. */
		for (start = i = 0; i <= len; i++) {
			if (i < len && v[i] == '"')
				quoted = !quoted;
			if (i < len && (v[i] != ',' || quoted))
				continue;
			memset(&one, 0, sizeof(one));
			if (*n < MIME_MAX_ADDRS &&
			    mime_addr_manual(c, v + start, i - start, &one)) {
				*arr = xreallocarray(*arr, *n + 1,
				    sizeof(**arr));
				(*arr)[(*n)++] = one;
			} else
				free(one.name);
			start = i + 1;
		}
	}
	if (list != NULL)
		mailimf_address_list_free(list);
	free(v);
}

static void
mime_addr_add_mb(struct mime_ctx *c, struct mailimf_mailbox *mb,
    struct mime_address **arr, size_t *n)
{
	struct mime_address	*a;
	char			*name, *tmp;

	/* libetpan's obsolete-syntax rules accept "Doe<jdoe@x" as a local part. */
	if (mb == NULL || mb->mb_addr_spec == NULL ||
	    mb->mb_addr_spec[0] == '\0' ||
	    strpbrk(mb->mb_addr_spec, "<>()\" \t") != NULL ||
	    *n >= MIME_MAX_ADDRS)
		return;
	*arr = xreallocarray(*arr, *n + 1, sizeof(**arr));
	a = &(*arr)[(*n)++];
	a->addr = charset_to_utf8("utf-8", mb->mb_addr_spec,
	    strlen(mb->mb_addr_spec), NULL);
	a->name = NULL;
	if (mb->mb_display_name != NULL) {
		name = mime_unquote(mb->mb_display_name);
		mime_clean_line(name);
		tmp = name;
		name = mime_decode_header(c, tmp);
		free(tmp);
		if (*name != '\0')
			a->name = name;
		else
			free(name);
	}
}

/*
 * libetpan keeps the quotes of a quoted display name; remove them and
 * their backslash escapes, so an encoded-word inside quotes (wrong but
 * common) is decoded like any other.
 */
static char *
mime_unquote(const char *s)
{
	char	*r;
	size_t	 n = 0;

	r = xmalloc(strlen(s) + 1);
	for (; *s != '\0'; s++) {
		if (*s == '\\' && s[1] != '\0')
			r[n++] = *++s;
		else if (*s != '"')
			r[n++] = *s;
	}
	r[n] = '\0';
	return r;
}

/*
 * The tolerant fallback: the address is what stands in <...>, else the
 * word holding an '@', else a lone word ("MAILER-DAEMON"); the name is
 * the quoted or bare text before '<', or a (comment).
 */
static bool
mime_addr_manual(struct mime_ctx *c, const char *s, size_t len,
    struct mime_address *a)
{
	const char	*lt, *gt, *at, *b, *e, *end = s + len;
	char		*name;

	while (s < end && isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	if (s >= end)
		return false;
	lt = memchr(s, '<', (size_t)(end - s));
	gt = lt != NULL ? memchr(lt, '>', (size_t)(end - lt)) : NULL;
	while (gt != NULL && lt + 1 < gt && memchr(lt + 1, '<',
	    (size_t)(gt - lt - 1)) != NULL)
		lt = memchr(lt + 1, '<', (size_t)(gt - lt - 1));
	if (lt != NULL && gt == lt + 1 && lt > s) {
		/* "MAILER-DAEMON <>": no address, but the name tells. */
		name = xstrndup(s, (size_t)(lt - s));
		a->name = mime_unquote(name);
		free(name);
		name = mime_decode_header(c, mime_clean_line(a->name));
		free(a->name);
		a->name = name;
		return false;
	}
	if (lt != NULL && gt != NULL && gt > lt + 1) {
		b = lt + 1;
		e = gt;
		name = xstrndup(s, (size_t)(lt - s));
	} else if ((at = memchr(s, '@', (size_t)(end - s))) != NULL) {
		for (b = at; b > s && strchr(" \t<>,;:\"()[]", b[-1]) == NULL;
		    b--)
			;
		for (e = at; e < end && strchr(" \t<>,;:\"()[]", *e) == NULL;
		    e++)
			;
		name = NULL;
	} else {
		/* A lone word, as "MAILER-DAEMON (Mail Delivery System)". */
		b = s;
		e = s + strcspn(s, " \t(<>\",:;");
		if (e > end)
			e = end;
		for (at = e; at < end && isspace((unsigned char)*at); at++)
			;
		if (at < end && *at != '(')
			return false;
		name = NULL;
	}
	while (b < e && isspace((unsigned char)*b))
		b++;
	if (e <= b) {
		free(name);
		return false;
	}
	a->addr = mime_addr_strip(b, (size_t)(e - b));
	if (*a->addr == '\0') {
		free(a->addr);
		a->addr = NULL;
		free(name);
		return false;
	}
	if (name == NULL && (b = memchr(s, '(', (size_t)(end - s))) != NULL &&
	    (e = memchr(b, ')', (size_t)(end - b))) != NULL)
		name = xstrndup(b + 1, (size_t)(e - b - 1));
	a->name = NULL;
	if (name != NULL) {
		a->name = mime_unquote(name);
		free(name);
		name = a->name;
		mime_clean_line(name);
		a->name = mime_decode_header(c, name);
		if (*a->name == '\0') {
			free(a->name);
			a->name = NULL;
		}
		free(name);
	}
	return true;
}

/* "x@y (Name)": the name in the first comment, decoded; or NULL. */
static char *
mime_addr_comment(const struct mime_ctx *c, const char *v)
{
	const char	*b, *e;
	char		*raw, *name;

	if ((b = strchr(v, '(')) == NULL || (e = strchr(b, ')')) == NULL)
		return NULL;
	raw = xstrndup(b + 1, (size_t)(e - b - 1));
	name = mime_decode_header(c, raw);
	free(raw);
	if (*name == '\0') {
		free(name);
		return NULL;
	}
	return name;
}

/* An address as written, less (comments) and blanks; valid UTF-8. */
static char *
mime_addr_strip(const char *s, size_t n)
{
	char	*r, *u;
	size_t	 i, k = 0, depth = 0;

	r = xmalloc(n + 1);
	for (i = 0; i < n; i++) {
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && depth > 0)
			depth--;
		else if (depth == 0 && !isspace((unsigned char)s[i]) &&
		    s[i] != '\0')
			r[k++] = s[i];
	}
	u = charset_to_utf8("utf-8", r, k, NULL);
	free(r);
	return u;
}

/*
 * The value libetpan parses: raw 8-bit text (an RFC 6532 UTF-8 name, or
 * a windows-1251 one) converted to UTF-8 first; encoded-words are left
 * for the display name, decoded after parsing, as RFC 2047 §5 intends.
 */
static char *
mime_addr_value(const struct mime_ctx *c, const char *raw)
{
	struct buf	 out, pending;

	buf_init(&out);
	buf_init(&pending);
	buf_append_str(&pending, raw);
	mime_flush_text(&out, &pending, c->hint, true);
	buf_release(&pending);
	return buf_steal(&out, NULL);
}

/* --- identifiers and date --------------------------------------------- */

static void
mime_fill_ids(struct mime_ctx *c)
{
	char		**ids = NULL;
	const char	 *v;

	if ((v = mime_header_get(c->m, "Message-ID")) != NULL &&
	    mime_ids_extract(v, &ids, 1) > 0)
		c->m->message_id = ids[0];
	free(ids);
	ids = NULL;
	if ((v = mime_header_get(c->m, "In-Reply-To")) != NULL &&
	    mime_ids_extract(v, &ids, 1) > 0)
		c->m->in_reply_to = ids[0];
	free(ids);
	if ((v = mime_header_get(c->m, "References")) != NULL)
		c->m->nreferences = mime_ids_extract(v, &c->m->references,
		    MIME_MAX_IDS);
}

/*
 * Message ids in a value, without <>: every <...> group; if there is none,
 * every blank-separated word with an '@' (mailers that forget brackets),
 * and for a single word without '@' that word.  Blanks inside brackets
 * (folded ids) are removed.
 */
static size_t
mime_ids_extract(const char *v, char ***ids_out, size_t max)
{
	const char	*p, *q;
	char		**ids = NULL, *id;
	size_t		 n = 0, k, w;
	bool		 brackets = strchr(v, '<') != NULL && strchr(v, '>') !=
			    NULL;

	for (p = v; *p != '\0' && n < max; p = q) {
		if (brackets) {
			if ((p = strchr(p, '<')) == NULL ||
			    (q = strchr(p, '>')) == NULL)
				break;
			p++;
		} else {
			p += strspn(p, " \t,");
			q = p + strcspn(p, " \t,");
			if (q == p)
				break;
			if (memchr(p, '@', (size_t)(q - p)) == NULL &&
			    (*q != '\0' || p != v + strspn(v, " \t,")))
				continue;
		}
		id = xstrndup(p, (size_t)(q - p));
		for (k = w = 0; id[k] != '\0'; k++)
			if (id[k] != ' ' && id[k] != '\t')
				id[w++] = id[k];
		id[w] = '\0';
		if (brackets)
			q++;
		if (w == 0) {
			free(id);
			continue;
		}
		ids = xreallocarray(ids, n + 1, sizeof(*ids));
		ids[n++] = id;
	}
	*ids_out = ids;
	return n;
}

/* RFC 5322 date to UTC seconds; 0 when missing or nonsense. */
static time_t
mime_date(const char *raw)
{
	struct mailimf_date_time	*dt = NULL;
	struct tm			 tm;
	size_t				 idx = 0;
	int				 zone, off;
	time_t				 t;

	if (raw == NULL || mailimf_date_time_parse(raw, strlen(raw), &idx,
	    &dt) != MAILIMF_NO_ERROR || dt == NULL)
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = dt->dt_year < 50 ? dt->dt_year + 100 :
	    dt->dt_year < 1000 ? dt->dt_year : dt->dt_year - 1900;
	tm.tm_mon = dt->dt_month - 1;
	tm.tm_mday = dt->dt_day;
	tm.tm_hour = dt->dt_hour;
	tm.tm_min = dt->dt_min;
	tm.tm_sec = dt->dt_sec;
	zone = dt->dt_zone;
	mailimf_date_time_free(dt);
	if (tm.tm_year < 70 || tm.tm_year > 8000 || tm.tm_mon < 0 ||
	    tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour < 0 || tm.tm_hour > 23 || tm.tm_min < 0 ||
	    tm.tm_min > 59 || tm.tm_sec < 0 || tm.tm_sec > 60 ||
	    zone < -2400 || zone > 2400)
		return 0;
	off = (zone < 0 ? -1 : 1) * ((abs(zone) / 100) * 3600 +
	    (abs(zone) % 100) * 60);
	t = timegm(&tm);
	if (t == (time_t)-1)
		return 0;
	return t - off;
}

/* --- the MIME tree ---------------------------------------------------- */

/*
 * Parses the rebuilt message with libetpan and picks body and
 * attachments.  False when the tree is of no use (parse failure, too
 * many composite parts to parse safely, a multipart whose boundary never
 * appears): the caller then reads the raw body as text.
 */
static bool
mime_tree(struct mime_ctx *c, const char *msg, size_t len)
{
	struct mailmime	*root = NULL, *top;
	size_t		 idx = 0;
	bool		 usable;

	c->msg = msg;
	c->msg_len = len;
	c->msg_hlen = len - (c->raw_len - c->body_off);
	if (mime_count_composite(msg, len) > MIME_MAX_COMPOSITE) {
		mime_warn(c, "too many nested MIME parts, body taken as text");
		return false;
	}
	if (mailmime_parse(msg, len, &idx, &root) != MAILIMF_NO_ERROR ||
	    root == NULL) {
		mime_warn(c, "MIME parse failed");
		return false;
	}
	top = root->mm_type == MAILMIME_MESSAGE ?
	    root->mm_data.mm_message.mm_msg_mime : root;
	usable = false;
	if (top != NULL) {
		c->m->content_type = mime_part_type(top);
		mime_flatten(c, top, 0, false);
		if (c->capped)
			mime_warn(c, "MIME tree too deep or too large, "
			    "rest ignored");
		usable = c->nleaves > 0 && !(top->mm_type == MAILMIME_SINGLE &&
		    strncmp(c->m->content_type, "multipart/", 10) == 0);
		if (!usable)
			mime_warn(c, "multipart without its boundary");
		mime_choose_body(c);
		mime_collect_attachments(c);
	}
	mailmime_free(root);
	return usable;
}

/*
 * Content-Type fields naming a composite type, anywhere in len bytes
 * (NULs included): an upper bound of libetpan's recursion depth.
 */
static size_t
mime_count_composite(const char *msg, size_t len)
{
	size_t	 i, j, n = 0;

	for (i = 0; i + 13 < len; i++) {
		if ((msg[i] != 'c' && msg[i] != 'C') ||
		    strncasecmp(msg + i, "content-type:", 13) != 0)
			continue;
		for (j = i + 13; j < len && (msg[j] == ' ' || msg[j] == '\t');
		    j++)
			;
		if ((j + 10 <= len && strncasecmp(msg + j, "multipart/", 10) ==
		    0) || (j + 8 <= len && strncasecmp(msg + j, "message/", 8) ==
		    0))
			n++;
	}
	return n;
}

/* Collects the leaves under part, message/rfc822 parts counted as leaves. */
static void
mime_flatten(struct mime_ctx *c, struct mailmime *part, int depth,
    bool in_alt)
{
	clistiter	*it;
	const char	*sub;

	if (part == NULL)
		return;
	if (depth > MIME_MAX_DEPTH || c->nleaves >= MIME_MAX_PARTS) {
		c->capped = true;
		return;
	}
	if (part->mm_type == MAILMIME_MULTIPLE) {
		sub = part->mm_content_type != NULL ?
		    part->mm_content_type->ct_subtype : NULL;
		if (sub != NULL && strcasecmp(sub, "alternative") == 0)
			in_alt = true;
		for (it = clist_begin(part->mm_data.mm_multipart.mm_mp_list);
		    it != NULL; it = clist_next(it))
			mime_flatten(c, clist_content(it), depth + 1, in_alt);
		return;
	}
	c->leaves = xreallocarray(c->leaves, c->nleaves + 1,
	    sizeof(*c->leaves));
	c->leaves[c->nleaves].part = part;
	c->leaves[c->nleaves].in_alternative = in_alt;
	c->nleaves++;
}

/* First inline text/plain, else first inline text/html. */
static void
mime_choose_body(struct mime_ctx *c)
{
	size_t	 i;
	char	*type;
	int	 pass;

	for (pass = 0; pass < 2 && c->m->body == NULL; pass++) {
		for (i = 0; i < c->nleaves; i++) {
			if (c->leaves[i].part->mm_type != MAILMIME_SINGLE ||
			    mime_part_is_attachment(c, c->leaves[i].part))
				continue;
			type = mime_part_type(c->leaves[i].part);
			if (strcmp(type, pass == 0 ? "text/plain" :
			    "text/html") == 0) {
				free(type);
				mime_set_body(c, c->leaves[i].part, pass == 1);
				break;
			}
			free(type);
		}
	}
}

static void
mime_set_body(struct mime_ctx *c, struct mailmime *part, bool html)
{
	struct mime_bytes	 b;
	const char		*cs;
	size_t			 i;

	mime_part_bytes(c, part, &b);
	cs = mime_content_param(part->mm_content_type, "charset");
	if ((cs == NULL || strcasecmp(cs, "us-ascii") == 0) &&
	    !charset_is_utf8(b.data, b.len))
		mime_warn(c, "body charset guessed");
	mime_body_text(c, cs, &b, html);
	for (i = 0; i < c->nleaves; i++)
		if (c->leaves[i].part == part)
			c->leaves[i].part = NULL;
}

/*
 * The body from the bytes b of the chosen part (released here as soon as
 * they are converted), in charset cs: UTF-8, text from HTML, at most
 * MIME_TEXT_MAX bytes.  Plain text is converted only up to the cap; HTML
 * is scanned in its own charset until its text reaches the cap (its text
 * may come after megabytes of markup), and only the text is converted.
 */
static void
mime_body_text(struct mime_ctx *c, const char *cs, struct mime_bytes *b,
    bool html)
{
	char	*text;
	size_t	 n;
	bool	 cut = false;

	if (html) {
		c->m->body = html_to_text_cs(cs, b->data, b->len,
		    MIME_TEXT_MAX, &cut);
		mime_bytes_release(b);
	} else {
		text = charset_to_utf8_max(cs, b->data, b->len, MIME_TEXT_MAX,
		    &n, &cut);
		mime_bytes_release(b);
		c->m->body = mime_text_normalise(text);
	}
	c->m->body_from_html = html;
	if (!cut)
		return;
	mime_warn(c, "body text cut at 1 MiB");
	n = strlen(c->m->body);
	c->m->body = xreallocarray(c->m->body, n + sizeof(MIME_TEXT_CUT_NOTE) + 2,
	    1);
	memcpy(c->m->body + n, "\n\n" MIME_TEXT_CUT_NOTE,
	    sizeof(MIME_TEXT_CUT_NOTE) + 2);
}

/*
 * Every leaf but the body.  The other renderings of the body inside a
 * multipart/alternative (the text/html twin) are not attachments: they
 * are the same text again.
 */
static void
mime_collect_attachments(struct mime_ctx *c)
{
	struct mime_attachment	*a;
	struct mailmime		*part;
	char			*type;
	size_t			 i;

	for (i = 0; i < c->nleaves; i++) {
		if ((part = c->leaves[i].part) == NULL)
			continue;
		type = mime_part_type(part);
		if (strncmp(type, "multipart/", 10) == 0) {
			free(type);	/* a container that lost its boundary */
			continue;
		}
		if (c->leaves[i].in_alternative && c->m->body != NULL &&
		    strncmp(type, "text/", 5) == 0 &&
		    !mime_part_is_attachment(c, part)) {
			free(type);
			continue;
		}
		c->m->attachments = xreallocarray(c->m->attachments,
		    c->m->nattachments + 1, sizeof(*c->m->attachments));
		a = &c->m->attachments[c->m->nattachments++];
		memset(a, 0, sizeof(*a));
		a->content_type = type;
		a->file = mime_part_is_file(c, part);
		mime_part_entity(c, part, a);
		a->filename = mime_part_filename(c, part);
		a->size = mime_part_decoded_size(c, part);
	}
}

/*
 * No usable MIME body: the bytes after the header, read as text in the
 * top-level charset (or as HTML when the message says it is).
 */
static void
mime_raw_body(struct mime_ctx *c, const char *s, size_t len)
{
	struct mime_bytes	 b;
	bool			 html;

	html = c->m->content_type != NULL &&
	    strcmp(c->m->content_type, "text/html") == 0;
	if (c->m->content_type == NULL) {
		const char *ct = mime_raw_get(c, "Content-Type");

		if (ct != NULL) {
			c->m->content_type = mime_lower(ct);
			c->m->content_type[strcspn(c->m->content_type,
			    "; \t")] = '\0';
			html = strcmp(c->m->content_type, "text/html") == 0;
		}
	}
	b.data = s;
	b.len = len;
	b.etpan = NULL;
	mime_body_text(c, c->hint, &b, html);
}

/* --- one part --------------------------------------------------------- */

/* "type/subtype", lowercased; text/plain when the part has no type. */
static char *
mime_part_type(const struct mailmime *part)
{
	const struct mailmime_content	*ct = part->mm_content_type;
	const char			*type = "text";
	char				*s;

	if (ct == NULL || ct->ct_type == NULL || ct->ct_subtype == NULL)
		return xstrdup(part->mm_type == MAILMIME_MESSAGE ?
		    "message/rfc822" : "text/plain");
	if (ct->ct_type->tp_type == MAILMIME_TYPE_DISCRETE_TYPE) {
		switch (ct->ct_type->tp_data.tp_discrete_type->dt_type) {
		case MAILMIME_DISCRETE_TYPE_TEXT:
			type = "text";
			break;
		case MAILMIME_DISCRETE_TYPE_IMAGE:
			type = "image";
			break;
		case MAILMIME_DISCRETE_TYPE_AUDIO:
			type = "audio";
			break;
		case MAILMIME_DISCRETE_TYPE_VIDEO:
			type = "video";
			break;
		case MAILMIME_DISCRETE_TYPE_APPLICATION:
			type = "application";
			break;
		default:
			type = ct->ct_type->tp_data.tp_discrete_type->
			    dt_extension;
			break;
		}
	} else {
		switch (ct->ct_type->tp_data.tp_composite_type->ct_type) {
		case MAILMIME_COMPOSITE_TYPE_MESSAGE:
			type = "message";
			break;
		case MAILMIME_COMPOSITE_TYPE_MULTIPART:
			type = "multipart";
			break;
		default:
			type = ct->ct_type->tp_data.tp_composite_type->
			    ct_token;
			break;
		}
	}
	xasprintf(&s, "%s/%s", type != NULL ? type : "application",
	    ct->ct_subtype);
	for (type = s; *type != '\0'; type++)
		s[type - s] = (char)tolower((unsigned char)*type);
	return mime_clean_line(s);
}

static const char *
mime_content_param(const struct mailmime_content *ct, const char *name)
{
	if (ct == NULL)
		return NULL;
	return mime_list_param(ct->ct_parameters, false, name);
}

static struct mailmime_disposition *
mime_part_disposition(const struct mailmime *part)
{
	clistiter		*it;
	struct mailmime_field	*f;

	if (part->mm_mime_fields == NULL)
		return NULL;
	for (it = clist_begin(part->mm_mime_fields->fld_list); it != NULL;
	    it = clist_next(it)) {
		f = clist_content(it);
		if (f->fld_type == MAILMIME_FIELD_DISPOSITION)
			return f->fld_data.fld_disposition;
	}
	return NULL;
}

/*
 * A file the sender attached: Content-Disposition attachment, else a
 * named part unless it is inside a multipart/related, whose parts are
 * what its HTML shows (a signature's logo, a pasted picture: mail
 * clients send those inline, and a reply made of them carries no file).
 */
static bool
mime_part_is_file(const struct mime_ctx *c, const struct mailmime *part)
{
	struct mailmime_disposition	*d;
	const struct mailmime		*p;
	const char			*sub;
	char				*name;

	d = mime_part_disposition(part);
	if (d != NULL && d->dsp_type != NULL &&
	    d->dsp_type->dsp_type == MAILMIME_DISPOSITION_TYPE_ATTACHMENT)
		return true;
	for (p = part; p->mm_parent_type == MAILMIME_MULTIPLE &&
	    p->mm_parent != NULL; p = p->mm_parent) {
		sub = p->mm_parent->mm_content_type != NULL ?
		    p->mm_parent->mm_content_type->ct_subtype : NULL;
		if (sub != NULL && strcasecmp(sub, "related") == 0)
			return false;
	}
	if ((name = mime_part_filename(c, part)) == NULL)
		return false;
	free(name);
	return true;
}

/*
 * Where part lies in the raw message: libetpan delimits a part of a
 * multipart from after its boundary line to before the line break that
 * ends it (RFC 2046 5.1.1), header and body, and keeps that as
 * mm_mime_start/mm_length in what it parsed (c->msg).  That is the raw
 * message or a copy with another header but the same body bytes, so an
 * offset into the body is one into the raw body.  The message's own
 * part spans the whole message: it gets none.
 */
static void
mime_part_entity(const struct mime_ctx *c, const struct mailmime *part,
    struct mime_attachment *a)
{
	uintptr_t	 start = (uintptr_t)part->mm_mime_start;
	uintptr_t	 body = (uintptr_t)c->msg + c->msg_hlen;
	size_t		 off;

	if (part->mm_parent_type != MAILMIME_MULTIPLE ||
	    part->mm_mime_start == NULL || start < body ||
	    start - body > c->msg_len - c->msg_hlen)
		return;
	off = (size_t)(start - body);
	if (part->mm_length > c->msg_len - c->msg_hlen - off)
		return;
	a->entity_off = c->body_off + off;
	a->entity_len = part->mm_length;
}

/* Content-Disposition: attachment, or any part that carries a filename. */
static bool
mime_part_is_attachment(const struct mime_ctx *c, const struct mailmime *part)
{
	struct mailmime_disposition	*d;
	char				*name;

	d = mime_part_disposition(part);
	if (d != NULL && d->dsp_type != NULL &&
	    d->dsp_type->dsp_type == MAILMIME_DISPOSITION_TYPE_ATTACHMENT)
		return true;
	if ((name = mime_part_filename(c, part)) == NULL)
		return false;
	free(name);
	return true;
}

/*
 * The decoded filename: Content-Disposition filename (RFC 2231 form
 * first, it is the precise one), else Content-Type name; RFC 2047 words
 * in plain values are decoded too, since Outlook writes them there.
 */
static char *
mime_part_filename(const struct mime_ctx *c, const struct mailmime *part)
{
	struct mailmime_disposition	*d;
	clist				*ctp;
	const char			*v = NULL;
	char				*s;

	d = mime_part_disposition(part);
	ctp = part->mm_content_type != NULL ?
	    part->mm_content_type->ct_parameters : NULL;
	if (d != NULL && (s = mime_rfc2231(d->dsp_parms, true, "filename")) !=
	    NULL)
		return s;
	if (d != NULL)
		v = mime_list_param(d->dsp_parms, true, "filename");
	if (v == NULL && (s = mime_rfc2231(ctp, false, "name")) != NULL)
		return s;
	if (v == NULL)
		v = mime_list_param(ctp, false, "name");
	if (v == NULL)
		return NULL;
	s = mime_decode_header(c, v);
	if (*s == '\0') {
		free(s);
		return NULL;
	}
	return s;
}

/*
 * RFC 2231: name*=charset'lang'%XX..., or continuations name*0, name*1*
 * ... joined in order (§3, §4).  NULL if the parameter is not there.
 */
static char *
mime_rfc2231(clist *params, bool disp, const char *name)
{
	struct buf	 bytes;
	char		 key[80], charset[64] = "";
	const char	*v, *q;
	int		 i, hi, lo;
	bool		 ext;
	char		*out;

	buf_init(&bytes);
	for (i = -1; i < 100; i++) {
		ext = true;
		if (i < 0)
			(void)snprintf(key, sizeof(key), "%s*", name);
		else
			(void)snprintf(key, sizeof(key), "%s*%d*", name, i);
		if ((v = mime_list_param(params, disp, key)) == NULL && i >= 0) {
			(void)snprintf(key, sizeof(key), "%s*%d", name, i);
			ext = false;
			v = mime_list_param(params, disp, key);
		}
		if (v == NULL) {
			if (i <= 0)
				continue;
			break;
		}
		if (ext && bytes.len == 0 && charset[0] == '\0' &&
		    (q = strchr(v, '\'')) != NULL && strchr(q + 1, '\'') !=
		    NULL) {
			(void)snprintf(charset, sizeof(charset), "%.*s",
			    (int)(q - v), v);
			v = strchr(q + 1, '\'') + 1;
		}
		for (; *v != '\0'; v++) {
			if (ext && v[0] == '%' && (hi = mime_hexval(v[1])) >= 0 &&
			    (lo = mime_hexval(v[2])) >= 0) {
				buf_append_char(&bytes, (char)(hi * 16 + lo));
				v += 2;
			} else
				buf_append_char(&bytes, *v);
		}
		if (i < 0)
			break;
	}
	if (bytes.len == 0) {
		buf_release(&bytes);
		return NULL;
	}
	out = charset_to_utf8(charset[0] != '\0' ? charset : NULL, bytes.data,
	    bytes.len, NULL);
	buf_release(&bytes);
	return mime_clean_line(out);
}

/*
 * Value of a parameter in a Content-Type list (struct mailmime_parameter)
 * or a Content-Disposition list (struct mailmime_disposition_parm, where
 * libetpan keeps "filename" apart); NULL if absent.
 */
static const char *
mime_list_param(clist *params, bool disp, const char *name)
{
	clistiter			*it;
	struct mailmime_parameter	*p;
	struct mailmime_disposition_parm *dp;

	if (params == NULL)
		return NULL;
	for (it = clist_begin(params); it != NULL; it = clist_next(it)) {
		p = NULL;
		if (disp) {
			dp = clist_content(it);
			if (dp->pa_type == MAILMIME_DISPOSITION_PARM_FILENAME &&
			    strcasecmp(name, "filename") == 0)
				return dp->pa_data.pa_filename;
			if (dp->pa_type == MAILMIME_DISPOSITION_PARM_PARAMETER)
				p = dp->pa_data.pa_parameter;
		} else
			p = clist_content(it);
		if (p != NULL && p->pa_name != NULL && p->pa_value != NULL &&
		    strcasecmp(p->pa_name, name) == 0)
			return p->pa_value;
	}
	return NULL;
}

/*
 * The decoded bytes of a leaf: a view into the message for 7bit, 8bit and
 * binary, else libetpan's decoded copy (not copied once more).  Release
 * with mime_bytes_release.
 */
static void
mime_part_bytes(struct mime_ctx *c, const struct mailmime *part,
    struct mime_bytes *out)
{
	const struct mailmime_data	*d = part->mm_body;
	size_t				 idx = 0;
	int				 enc;

	out->data = "";
	out->len = 0;
	out->etpan = NULL;
	if (d == NULL || d->dt_type != MAILMIME_DATA_TEXT ||
	    d->dt_data.dt_text.dt_data == NULL)
		return;
	enc = mime_part_encoding(c, part);
	if (enc != MAILMIME_MECHANISM_BASE64 &&
	    enc != MAILMIME_MECHANISM_QUOTED_PRINTABLE) {
		out->data = d->dt_data.dt_text.dt_data;
		out->len = d->dt_data.dt_text.dt_length;
		return;
	}
	if (mailmime_part_parse(d->dt_data.dt_text.dt_data,
	    d->dt_data.dt_text.dt_length, &idx, enc, &out->etpan, &out->len) !=
	    MAILIMF_NO_ERROR || out->etpan == NULL) {
		mime_warn(c, "undecodable part");
		out->etpan = NULL;
		out->len = 0;
		return;
	}
	out->data = out->etpan;
}

static void
mime_bytes_release(struct mime_bytes *b)
{
	if (b->etpan != NULL)
		mailmime_decoded_part_free(b->etpan);
	b->etpan = NULL;
	b->data = "";
	b->len = 0;
}

/*
 * The decoded size of a leaf, without holding its decoded bytes: libetpan
 * decodes a slice at a time and throws it away (mailmime_part_parse_partial
 * stops after the slice's last whole unit and says where; the next slice
 * starts there), so a 20 MB attachment costs one slice, and the size is
 * exactly what decoding it whole gives.  A slice ends after a line feed
 * when it holds one, so no quoted-printable line is split, and never
 * between a CR and what follows it.
 */
static size_t
mime_part_decoded_size(struct mime_ctx *c, const struct mailmime *part)
{
	const struct mailmime_data	*d = part->mm_body;
	const char			*data, *nl;
	char				*res;
	size_t				 len, pos = 0, end, idx, rlen;
	size_t				 total = 0, slice = MIME_DECODE_SLICE;
	int				 enc, r;

	if (d == NULL || d->dt_type != MAILMIME_DATA_TEXT ||
	    d->dt_data.dt_text.dt_data == NULL)
		return 0;
	data = d->dt_data.dt_text.dt_data;
	len = d->dt_data.dt_text.dt_length;
	enc = mime_part_encoding(c, part);
	if (enc != MAILMIME_MECHANISM_BASE64 &&
	    enc != MAILMIME_MECHANISM_QUOTED_PRINTABLE)
		return len;
	for (;;) {
		idx = pos;
		res = NULL;
		if (len - pos <= slice) {
			end = len;
			r = mailmime_part_parse(data, len, &idx, enc, &res,
			    &rlen);
		} else {
			end = pos + slice;
			if ((nl = memrchr(data + pos, '\n', slice)) != NULL)
				end = (size_t)(nl - data) + 1;
			else if (data[end - 1] == '\r')
				end--;
			r = mailmime_part_parse_partial(data, end, &idx, enc,
			    &res, &rlen);
		}
		if (r != MAILIMF_NO_ERROR || res == NULL) {
			mime_warn(c, "undecodable part");
			return 0;
		}
		mailmime_decoded_part_free(res);
		total += rlen;
		if (end == len)
			return total;
		if (idx <= pos)
			slice *= 2;	/* not one whole unit in it */
		else
			pos = idx;
	}
}

/*
 * The transfer encoding; unknown ones are read as 8bit (RFC 2045 §6.4
 * says to treat the part as application/octet-stream, but a customer's
 * words are worth more than the rule) with a warning.
 */
static int
mime_part_encoding(struct mime_ctx *c, const struct mailmime *part)
{
	clistiter		*it;
	struct mailmime_field	*f;
	const char		*tok;

	if (part->mm_mime_fields == NULL)
		return MAILMIME_MECHANISM_8BIT;
	for (it = clist_begin(part->mm_mime_fields->fld_list); it != NULL;
	    it = clist_next(it)) {
		f = clist_content(it);
		if (f->fld_type != MAILMIME_FIELD_TRANSFER_ENCODING ||
		    f->fld_data.fld_encoding == NULL)
			continue;
		if (f->fld_data.fld_encoding->enc_type !=
		    MAILMIME_MECHANISM_TOKEN)
			return f->fld_data.fld_encoding->enc_type;
		tok = f->fld_data.fld_encoding->enc_token;
		if (tok != NULL && strcasestr(tok, "base64") != NULL)
			return MAILMIME_MECHANISM_BASE64;
		if (tok != NULL && strcasestr(tok, "quoted") != NULL)
			return MAILMIME_MECHANISM_QUOTED_PRINTABLE;
		mime_warn(c, "unknown transfer encoding read as 8bit");
		return MAILMIME_MECHANISM_8BIT;
	}
	return MAILMIME_MECHANISM_8BIT;
}

/* In place: CRLF and lone CR to LF, trailing blank lines dropped. */
static char *
mime_text_normalise(char *s)
{
	size_t	 i, n = 0;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '\r') {
			if (s[i + 1] != '\n')
				s[n++] = '\n';
			continue;
		}
		s[n++] = s[i];
	}
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ' ||
	    s[n - 1] == '\t'))
		n--;
	s[n] = '\0';
	return s;
}

/* --- bookkeeping ------------------------------------------------------ */

/* Adds one note to the warning line (once each, bounded length). */
static void
mime_warn(struct mime_ctx *c, const char *what)
{
	if (c->warn.len > 0 && strstr(c->warn.data, what) != NULL)
		return;
	if (c->warn.len + strlen(what) + 2 > MIME_WARN_MAX)
		return;
	if (c->warn.len > 0)
		buf_append(&c->warn, "; ", 2);
	buf_append_str(&c->warn, what);
}

static char *
mime_lower(const char *s)
{
	char	*r;
	size_t	 i;

	r = xstrdup(s);
	for (i = 0; r[i] != '\0'; i++)
		r[i] = (char)tolower((unsigned char)r[i]);
	return mime_clean_line(r);
}

static void
mime_ctx_release(struct mime_ctx *c)
{
	size_t	 i;

	for (i = 0; i < c->nraw; i++) {
		free(c->raw[i].name);
		free(c->raw[i].value);
	}
	free(c->raw);
	free(c->hint);
	free(c->leaves);
	buf_release(&c->warn);
}

int
mime_attachment_decode(const char *raw, size_t len,
    const struct mime_attachment *a, struct buf *out)
{
	struct mailmime	*mm = NULL, *part;
	struct mailmime_data *d;
	const char	*ent = raw;
	size_t		 elen = len, idx = 0, rlen = 0;
	char		*res = NULL;
	int		 rc = -1;

	if (a->entity_len > 0) {
		if (a->entity_off > len || a->entity_len > len - a->entity_off)
			return -1;
		ent = raw + a->entity_off;
		elen = a->entity_len;
	}
	if (mailmime_parse(ent, elen, &idx, &mm) != MAILIMF_NO_ERROR)
		return -1;
	/*
	 * What was parsed is a message: the entity read as one (its MIME
	 * header, its body), or the message that is only a file.  Its one
	 * part is the file; when that is itself a message (a forwarded
	 * mail, message/rfc822), the file is that message's bytes as sent,
	 * which libetpan keeps as the part's body, not its parsed insides.
	 */
	part = mm->mm_type == MAILMIME_MESSAGE ?
	    mm->mm_data.mm_message.mm_msg_mime : NULL;
	if (part == NULL || (part->mm_type != MAILMIME_SINGLE &&
	    part->mm_type != MAILMIME_MESSAGE) ||
	    (d = part->mm_body) == NULL || d->dt_type != MAILMIME_DATA_TEXT)
		goto done;
	idx = 0;
	if (d->dt_data.dt_text.dt_length == 0)
		rc = 0;
	else if (mailmime_part_parse(d->dt_data.dt_text.dt_data,
	    d->dt_data.dt_text.dt_length, &idx, d->dt_encoding, &res, &rlen) ==
	    MAILIMF_NO_ERROR && res != NULL) {
		buf_append(out, res, rlen);
		mailmime_decoded_part_free(res);
		rc = 0;
	}
done:
	mailmime_free(mm);
	return rc;
}

void
mime_attachment_fallback_name(const char *content_type, int64_t id,
    char *out, size_t size)
{
	(void)snprintf(out, size, "attachment-%" PRId64 "%s", id,
	    content_type != NULL && strcmp(content_type, "message/rfc822") ==
	    0 ? ".eml" : "");
}
