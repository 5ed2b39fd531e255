/*
 * compose: builds the outgoing RFC 5322 message.  Every header value we
 * send passes through here, so this is where CR/LF injection is stopped:
 * control characters in any input become spaces before anything is
 * written.  Non-ASCII text in Subject and display names is RFC 2047
 * B-encoded UTF-8; header lines are folded at 78 columns; the body is
 * quoted-printable with CRLF line ends.
 *
 * It does not validate addresses beyond refusing what could break the
 * header syntax (controls, spaces, angle brackets, 8-bit); the envelope
 * and rate limits are the sender's and the caller's business.
 */
#include <sys/random.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "address.h"
#include "buf.h"
#include "charset.h"
#include "clock.h"
#include "compose.h"
#include "error.h"
#include "xmalloc.h"

#define COMPOSE_FOLD	78	/* RFC 5322 §2.1.1: SHOULD be at most 78 */
#define COMPOSE_EW_MAX	75	/* RFC 2047 §2: an encoded-word is <= 75 */
#define COMPOSE_QP_LINE	76	/* RFC 2045 §6.7 (5): encoded lines <= 76 */
#define COMPOSE_EW_OVERHEAD 12	/* "=?UTF-8?B?" + "?=" */

/* A header field being written, with the current column for folding. */
struct hdr {
	struct buf	*out;
	size_t		 col;
	size_t		 ntokens;
};

static char	*compose_clean(const char *);
static bool	 compose_is_plain_ascii(const char *);
static size_t	 compose_longest_word(const char *);
static char	*compose_clean_id(const char *);
static void	 hdr_start(struct hdr *, struct buf *, const char *);
static void	 hdr_token(struct hdr *, const char *, size_t);
static void	 hdr_end(struct hdr *);
static void	 hdr_encoded_words(struct hdr *, const char *, size_t);
static void	 hdr_text(struct hdr *, const char *);
static void	 hdr_phrase(struct hdr *, const char *);
static void	 compose_date(struct buf *, time_t);
static void	 compose_mailbox(struct buf *, const char *, const char *,
		    const char *);
static void	 compose_msgid_header(struct buf *, const char *,
		    const char *);
static void	 compose_references(struct buf *,
		    const struct compose_msg *);
static void	 compose_simple(struct buf *, const char *, const char *);
static void	 compose_qp_body(struct buf *, const char *);
static void	 compose_qp_line(struct buf *, const char *, size_t);
static void	 compose_random_hex(char *, size_t);
static void	 compose_headers(const struct compose_msg *, struct buf *);
static size_t	 compose_usable(const struct compose_addr *, size_t);
static void	 compose_mailboxes(struct buf *, const char *,
		    const struct compose_addr *, size_t);
static void	 compose_text_part(struct buf *, const char *, const char *);
static void	 compose_alternative_body(struct buf *,
		    const struct compose_msg *);
static void	 compose_alternative(struct buf *, const struct compose_msg *);
static void	 compose_mixed(struct buf *, const struct compose_msg *);
static void	 compose_append_crlf(struct buf *, const char *, size_t);
static void	 compose_attachment(struct buf *, const struct compose_part *);
static bool	 compose_is_mime_type(const char *);
static void	 compose_filename(struct buf *, const char *);
static void	 compose_base64(struct buf *, const void *, size_t);
static void	 compose_boundary(char *, size_t);

int
compose_build(const struct compose_msg *m, struct buf *out, struct error *err)
{
	if (m->from_addr == NULL || !address_ok(m->from_addr))
		return error_set(err, ERR_PERM, "compose: bad From address");
	if (compose_usable(m->to, m->nto) == 0)
		return error_set(err, ERR_PERM, "compose: bad To address");
	compose_headers(m, out);
	if (m->nparts > 0)
		compose_mixed(out, m);
	else if (m->html != NULL)
		compose_alternative(out, m);
	else {
		buf_append_str(out, "MIME-Version: 1.0\r\n");
		compose_text_part(out, "plain", m->body);
	}
	return 0;
}

/* Every header but the MIME ones, in the order mail clients show them. */
static void
compose_headers(const struct compose_msg *m, struct buf *out)
{
	struct hdr h;
	char *subject;

	compose_date(out, m->date);
	compose_mailbox(out, "From", m->from_name, m->from_addr);
	compose_mailboxes(out, "To", m->to, m->nto);
	compose_mailboxes(out, "Cc", m->cc, m->ncc);
	if (m->reply_to != NULL && address_ok(m->reply_to))
		compose_mailbox(out, "Reply-To", NULL, m->reply_to);
	subject = compose_clean(m->subject != NULL ? m->subject : "");
	hdr_start(&h, out, "Subject");
	hdr_text(&h, subject);
	hdr_end(&h);
	free(subject);
	compose_msgid_header(out, "Message-ID", m->message_id);
	compose_msgid_header(out, "In-Reply-To", m->in_reply_to);
	compose_references(out, m);
	compose_simple(out, "Auto-Submitted", m->auto_submitted);
	compose_simple(out, "X-Loop", m->x_loop);
	compose_simple(out, "Content-Language", m->content_language);
}

/* How many of the n mailboxes in v compose would write. */
static size_t
compose_usable(const struct compose_addr *v, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (v[i].addr != NULL && address_ok(v[i].addr))
			k++;
	return k;
}

/* "Content-Type: text/SUBTYPE" in UTF-8 quoted-printable, then text. */
static void
compose_text_part(struct buf *out, const char *subtype, const char *text)
{
	buf_printf(out, "Content-Type: text/%s; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n", subtype);
	compose_qp_body(out, text != NULL ? text : "");
}

/* The text and its HTML twin (the digest), without the MIME-Version. */
static void
compose_alternative_body(struct buf *out, const struct compose_msg *m)
{
	char boundary[40];

	compose_boundary(boundary, sizeof(boundary));
	buf_printf(out, "Content-Type: multipart/alternative; "
	    "boundary=\"%s\"\r\n\r\n", boundary);
	/* each CRLF before a delimiter is the delimiter's (RFC 2046 5.1.1) */
	buf_printf(out, "--%s\r\n", boundary);
	compose_text_part(out, "plain", m->body);
	buf_printf(out, "\r\n--%s\r\n", boundary);
	compose_text_part(out, "html", m->html);
	buf_printf(out, "\r\n--%s--\r\n", boundary);
}

static void
compose_alternative(struct buf *out, const struct compose_msg *m)
{
	buf_append_str(out, "MIME-Version: 1.0\r\n");
	compose_alternative_body(out, m);
}

/* The text (or text and HTML) first, then each attachment. */
static void
compose_mixed(struct buf *out, const struct compose_msg *m)
{
	char boundary[40];
	size_t i;

	compose_boundary(boundary, sizeof(boundary));
	buf_printf(out, "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; "
	    "boundary=\"%s\"\r\n\r\nThis is a multi-part message in "
	    "MIME format.\r\n", boundary);
	buf_printf(out, "--%s\r\n", boundary);
	if (m->html != NULL)
		compose_alternative_body(out, m);
	else {
		compose_text_part(out, "plain", m->body);
		buf_append_str(out, "\r\n");	/* the delimiter's CRLF */
	}
	for (i = 0; i < m->nparts; i++) {
		buf_printf(out, "--%s\r\n", boundary);
		if (m->parts[i].entity != NULL)
			compose_append_crlf(out, m->parts[i].entity,
			    m->parts[i].entity_len);
		else
			compose_attachment(out, &m->parts[i]);
		if (out->len < 2 || memcmp(out->data + out->len - 2, "\r\n",
		    2) != 0)
			buf_append_str(out, "\r\n");
	}
	buf_printf(out, "--%s--\r\n", boundary);
}

/* Bytes with every bare LF made CRLF (SMTP wants CRLF lines). */
static void
compose_append_crlf(struct buf *out, const char *p, size_t len)
{
	size_t i, start = 0;

	for (i = 0; i < len; i++) {
		if (p[i] != '\n' || (i > 0 && p[i - 1] == '\r'))
			continue;
		buf_append(out, p + start, i - start);
		buf_append_str(out, "\r\n");
		start = i + 1;
	}
	buf_append(out, p + start, len - start);
}

/*
 * One attachment from bytes: its type if it is a plain type/subtype
 * (it may come from a customer's mail), the file name RFC 2231 encoded
 * in pieces that keep lines short, the bytes base64 in 76-column lines.
 */
static void
compose_attachment(struct buf *out, const struct compose_part *p)
{
	const char *type = p->content_type;

	if (type == NULL || !compose_is_mime_type(type))
		type = "application/octet-stream";
	buf_printf(out, "Content-Type: %s\r\nContent-Disposition: attachment",
	    type);
	if (p->filename != NULL && *p->filename != '\0')
		compose_filename(out, p->filename);
	buf_append_str(out, "\r\nContent-Transfer-Encoding: base64\r\n\r\n");
	compose_base64(out, p->data, p->len);
}

/* type/subtype of RFC 2045 token characters, nothing else. */
static bool
compose_is_mime_type(const char *type)
{
	static const char tok[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$&^_.+-";
	size_t a = strspn(type, tok);

	return a > 0 && type[a] == '/' && strspn(type + a + 1, tok) > 0 &&
	    type[a + 1 + strspn(type + a + 1, tok)] == '\0' &&
	    strlen(type) < 100;
}

/*
 * ;filename*0*=UTF-8''%D1%81...;filename*1*=... (RFC 2231 sections 3
 * and 4): every byte outside a safe set percent-encoded, cut into
 * pieces of at most 60 characters on their own lines, never inside a
 * %XX.
 */
static void
compose_filename(struct buf *out, const char *name)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~";
	const unsigned char *p;
	size_t col = 0;
	int piece = 0;

	for (p = (const unsigned char *)name; *p != '\0'; p++) {
		if (col == 0 || col >= 60) {
			buf_printf(out, ";\r\n filename*%d*=%s", piece,
			    piece == 0 ? "UTF-8''" : "");
			piece++;
			col = 0;
		}
		if (*p >= 0x80 || strchr(safe, *p) == NULL) {
			buf_printf(out, "%%%02X", *p);
			col += 3;
		} else {
			buf_append_char(out, (char)*p);
			col++;
		}
	}
}

/* len bytes as base64 lines of 76 characters (RFC 2045 section 6.8). */
static void
compose_base64(struct buf *out, const void *data, size_t len)
{
	const unsigned char *p = data;
	unsigned char line[80];
	size_t n;

	while (len > 0) {
		n = len > 57 ? 57 : len;
		EVP_EncodeBlock(line, p, (int)n);
		buf_append_str(out, (const char *)line);
		buf_append_str(out, "\r\n");
		p += n;
		len -= n;
	}
}

/* A fresh MIME boundary no text of ours contains: "=_triaged_<hex>". */
static void
compose_boundary(char *b, size_t size)
{
	char hex[17];

	compose_random_hex(hex, sizeof(hex));
	(void)snprintf(b, size, "=_triaged_%s", hex);
}

char *
compose_message_id(const char *tag, const char *hostname)
{
	char hex[17], *t, *h, *id, *p;

	compose_random_hex(hex, sizeof(hex));
	t = xstrdup(tag != NULL && *tag != '\0' ? tag : "triaged");
	h = xstrdup(hostname != NULL && *hostname != '\0' ? hostname :
	    "localhost");
	/* Only atext-safe characters, so the id is a valid dot-atom. */
	for (p = t; *p != '\0'; p++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789-_", *p) == NULL)
			*p = '-';
	for (p = h; *p != '\0'; p++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789-.", *p) == NULL)
			*p = '-';
	xasprintf(&id, "%s.%lld.%s@%s", t, (long long)clock_now(), hex, h);
	free(t);
	free(h);
	return id;
}

/* A copy with every control character (CR and LF included) as a space. */
static char *
compose_clean(const char *s)
{
	char *c = xstrdup(s), *p;

	for (p = c; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return c;
}

static bool
compose_is_plain_ascii(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p >= 0x7f)
			return false;
	/* Text that looks like an encoded-word must be encoded itself. */
	return strstr(s, "=?") == NULL;
}

static size_t
compose_longest_word(const char *s)
{
	size_t longest = 0, n;

	while (*s != '\0') {
		n = strcspn(s, " ");
		if (n > longest)
			longest = n;
		s += n;
		if (*s == ' ')
			s++;
	}
	return longest;
}

static void
hdr_start(struct hdr *h, struct buf *out, const char *name)
{
	h->out = out;
	h->ntokens = 0;
	buf_append_str(out, name);
	buf_append_char(out, ':');
	h->col = strlen(name) + 1;
}

/*
 * Appends " token", folding before the space when the line would pass 78
 * columns.  Folding inserts only CRLF before existing whitespace, so
 * unfolding gives back exactly the text we were given.
 */
static void
hdr_token(struct hdr *h, const char *tok, size_t len)
{
	if (h->ntokens > 0 && h->col + 1 + len > COMPOSE_FOLD) {
		buf_append_str(h->out, "\r\n");
		h->col = 0;
	}
	buf_append_char(h->out, ' ');
	buf_append(h->out, tok, len);
	h->col += 1 + len;
	h->ntokens++;
}

static void
hdr_end(struct hdr *h)
{
	buf_append_str(h->out, "\r\n");
}

/*
 * len bytes of UTF-8 as a run of B encoded-words, each <= 75 characters,
 * one or more per line, never splitting a UTF-8 sequence (RFC 2047 §5:
 * each encoded-word must hold whole characters).  Whitespace between
 * adjacent encoded-words is dropped by decoders, so the split is lossless.
 */
static void
hdr_encoded_words(struct hdr *h, const char *s, size_t len)
{
	unsigned char b64[80];
	char word[COMPOSE_EW_OVERHEAD + 80];	/* b64 is at most 63 + NUL */
	size_t room, n;

	while (len > 0) {
		room = COMPOSE_FOLD > h->col + 1 + COMPOSE_EW_OVERHEAD ?
		    COMPOSE_FOLD - h->col - 1 - COMPOSE_EW_OVERHEAD : 0;
		if (room < 16 && h->ntokens > 0) {
			buf_append_str(h->out, "\r\n");
			h->col = 0;
			room = COMPOSE_FOLD - 1 - COMPOSE_EW_OVERHEAD;
		}
		if (room > COMPOSE_EW_MAX - COMPOSE_EW_OVERHEAD)
			room = COMPOSE_EW_MAX - COMPOSE_EW_OVERHEAD;
		n = room / 4 * 3;
		if (n >= len)
			n = len;
		else {
			/* Back off to the start of a character. */
			while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
				n--;
			if (n == 0)
				n = room / 4 * 3;	/* not UTF-8: cut */
		}
		EVP_EncodeBlock(b64, (const unsigned char *)s, (int)n);
		(void)snprintf(word, sizeof(word), "=?UTF-8?B?%s?=", b64);
		hdr_token(h, word, strlen(word));
		s += n;
		len -= n;
	}
}

/*
 * Unstructured text (Subject): plain ASCII is folded at its own spaces;
 * anything else (8-bit, "=?", a word too long to fold) is encoded.
 */
static void
hdr_text(struct hdr *h, const char *s)
{
	const char *p, *sp;

	if (!compose_is_plain_ascii(s) ||
	    compose_longest_word(s) > COMPOSE_FOLD - 2) {
		hdr_encoded_words(h, s, strlen(s));
		return;
	}
	/* Split at each space: "a  b" -> "a", "", "b" rejoins exactly. */
	for (p = s;; p = sp + 1) {
		sp = strchr(p, ' ');
		hdr_token(h, p, sp != NULL ? (size_t)(sp - p) : strlen(p));
		if (sp == NULL)
			break;
	}
}

/* A display name: a quoted-string when short ASCII, else encoded-words. */
static void
hdr_phrase(struct hdr *h, const char *name)
{
	struct buf q;
	const char *p;

	if (!compose_is_plain_ascii(name) || strlen(name) > 60) {
		hdr_encoded_words(h, name, strlen(name));
		return;
	}
	buf_init(&q);
	buf_append_char(&q, '"');
	for (p = name; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			buf_append_char(&q, '\\');
		buf_append_char(&q, *p);
	}
	buf_append_char(&q, '"');
	hdr_token(h, q.data, q.len);
	buf_release(&q);
}

/* RFC 5322 §3.3 in UTC; names spelled out so the locale cannot change them. */
static void
compose_date(struct buf *out, time_t t)
{
	static const char *days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char *months[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;

	if (t == 0)
		t = clock_now();
	gmtime_r(&t, &tm);
	buf_printf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void
compose_mailbox(struct buf *out, const char *field, const char *name,
    const char *addr)
{
	struct hdr h;
	char *clean, *angle;

	hdr_start(&h, out, field);
	if (name != NULL) {
		clean = compose_clean(name);
		if (*clean != '\0')
			hdr_phrase(&h, clean);
		free(clean);
	}
	xasprintf(&angle, "<%s>", addr);
	hdr_token(&h, angle, strlen(angle));
	free(angle);
	hdr_end(&h);
}

/* A list of mailboxes in one field, folded; unusable ones left out. */
static void
compose_mailboxes(struct buf *out, const char *field,
    const struct compose_addr *v, size_t n)
{
	struct hdr h;
	char *clean, *angle;
	size_t i, k = 0;

	if (compose_usable(v, n) == 0)
		return;
	hdr_start(&h, out, field);
	for (i = 0; i < n; i++) {
		if (v[i].addr == NULL || !address_ok(v[i].addr))
			continue;
		if (k++ > 0) {
			buf_append_char(out, ',');
			h.col++;
		}
		if (v[i].name != NULL) {
			clean = compose_clean(v[i].name);
			if (*clean != '\0')
				hdr_phrase(&h, clean);
			free(clean);
		}
		xasprintf(&angle, "<%s>", v[i].addr);
		hdr_token(&h, angle, strlen(angle));
		free(angle);
	}
	hdr_end(&h);
}

/* msg-id without <>: keep only what may appear inside the brackets. */
static char *
compose_clean_id(const char *id)
{
	char *c = xmalloc(strlen(id) + 1), *o = c;
	const unsigned char *p;

	for (p = (const unsigned char *)id; *p != '\0'; p++)
		if (*p > 0x20 && *p < 0x7f && *p != '<' && *p != '>')
			*o++ = (char)*p;
	*o = '\0';
	if (*c == '\0' || strlen(c) > 900) {
		free(c);
		return NULL;
	}
	return c;
}

static void
compose_msgid_header(struct buf *out, const char *field, const char *id)
{
	char *c;

	if (id == NULL || (c = compose_clean_id(id)) == NULL)
		return;
	buf_printf(out, "%s: <%s>\r\n", field, c);
	free(c);
}

static void
compose_references(struct buf *out, const struct compose_msg *m)
{
	struct hdr h;
	char *c, *angle;
	size_t i, start = out->len;

	if (m->references == NULL || m->nreferences == 0)
		return;
	hdr_start(&h, out, "References");
	for (i = 0; i < m->nreferences; i++) {
		if (m->references[i] == NULL ||
		    (c = compose_clean_id(m->references[i])) == NULL)
			continue;
		xasprintf(&angle, "<%s>", c);
		hdr_token(&h, angle, strlen(angle));
		free(angle);
		free(c);
	}
	if (h.ntokens == 0) {
		/* Nothing usable: take the bare field name back out. */
		out->len = start;
		out->data[out->len] = '\0';
		return;
	}
	hdr_end(&h);
}

static void
compose_simple(struct buf *out, const char *field, const char *value)
{
	struct hdr h;
	char *c;

	if (value == NULL)
		return;
	c = compose_clean(value);
	hdr_start(&h, out, field);
	hdr_text(&h, c);
	hdr_end(&h);
	free(c);
}

/* The body: LF or CRLF line ends in, quoted-printable CRLF lines out. */
static void
compose_qp_body(struct buf *out, const char *body)
{
	const char *p = body, *nl;
	size_t n;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (nl != NULL && n > 0 && p[n - 1] == '\r')
			n--;
		compose_qp_line(out, p, n);
		buf_append_str(out, "\r\n");
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

/*
 * One line, RFC 2045 §6.7: printable ASCII except '=' stays, space and tab
 * stay unless they end the line, the rest is =XX; soft breaks ("=" CRLF)
 * keep every encoded line within 76 characters.  A leading "From " is
 * encoded too, so mbox tools downstream cannot mangle it.
 */
static void
compose_qp_line(struct buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	char line[COMPOSE_QP_LINE + 4], unit[3];
	size_t i, col = 0, ulen;
	unsigned char c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if ((c >= 33 && c <= 126 && c != '=' &&
		    !(i == 0 && c == 'F' && len >= 5 &&
		    memcmp(s, "From ", 5) == 0)) ||
		    ((c == ' ' || c == '\t') && i + 1 < len)) {
			unit[0] = (char)c;
			ulen = 1;
		} else {
			unit[0] = '=';
			unit[1] = hex[c >> 4];
			unit[2] = hex[c & 0x0f];
			ulen = 3;
		}
		/* Leave room for the "=" of a soft break. */
		if (col + ulen > COMPOSE_QP_LINE - 1 &&
		    !(i + 1 == len && col + ulen <= COMPOSE_QP_LINE)) {
			buf_append(out, line, col);
			buf_append_str(out, "=\r\n");
			col = 0;
		}
		memcpy(line + col, unit, ulen);
		col += ulen;
	}
	buf_append(out, line, col);
}

/* 16 hex digits from the kernel's CSPRNG (OpenSSL's as a fallback). */
static void
compose_random_hex(char *hex, size_t size)
{
	unsigned char r[8];
	size_t i;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r) &&
	    RAND_bytes(r, sizeof(r)) != 1) {
		/* Both failed: time and address still make a usable id. */
		unsigned long long v = (unsigned long long)clock_mono_ms() ^
		    (unsigned long long)(uintptr_t)r;

		memcpy(r, &v, sizeof(r));
	}
	for (i = 0; i < sizeof(r) && 2 * i + 2 < size + 1; i++)
		(void)snprintf(hex + 2 * i, size - 2 * i, "%02x", r[i]);
}
