/*
 * json: the JSON writer behind triagectl --json.  Its one job besides the
 * commas is to make any stored text safe to print: mail text is UTF-8
 * after mime.c, but the database may hold older or hand-made rows, and a
 * consumer of our JSON must never choke on it (promise 4 for readers).
 * Invalid bytes therefore become U+FFFD here rather than an error.
 */
#include <inttypes.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "log.h"

#define JSON_REPLACEMENT	0xFFFDu

static void	json_value_begin(struct json *);
static void	json_push(struct json *, bool object, char open);
static void	json_pop(struct json *, bool object, char close);
static void	json_escape_cp(struct buf *, uint32_t cp);
static bool	json_utf8_lead(unsigned char c, size_t *need_out,
		    unsigned char *lo_out, unsigned char *hi_out);

void
json_init(struct json *j, struct buf *out)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
}

void
json_object_begin(struct json *j)
{
	json_push(j, true, '{');
}

void
json_object_end(struct json *j)
{
	json_pop(j, true, '}');
}

void
json_array_begin(struct json *j)
{
	json_push(j, false, '[');
}

void
json_array_end(struct json *j)
{
	json_pop(j, false, ']');
}

void
json_key(struct json *j, const char *key)
{
	if (j->depth == 0 || !j->in_object[j->depth - 1] || j->after_key)
		fatalx("json: key \"%s\" outside an object", key);
	if (j->count[j->depth - 1]++ > 0)
		buf_append_char(j->out, ',');
	json_escape(j->out, key, strlen(key));
	buf_append_char(j->out, ':');
	j->after_key = true;
}

void
json_string(struct json *j, const char *s)
{
	if (s == NULL) {
		json_null(j);
		return;
	}
	json_string_len(j, s, strlen(s));
}

void
json_string_len(struct json *j, const char *s, size_t len)
{
	json_value_begin(j);
	json_escape(j->out, s, len);
}

void
json_int(struct json *j, int64_t v)
{
	json_value_begin(j);
	buf_printf(j->out, "%" PRId64, v);
}

void
json_bool(struct json *j, bool v)
{
	json_value_begin(j);
	buf_append_str(j->out, v ? "true" : "false");
}

void
json_null(struct json *j)
{
	json_value_begin(j);
	buf_append_str(j->out, "null");
}

void
json_kv_string(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_string(j, s);
}

void
json_kv_int(struct json *j, const char *key, int64_t v)
{
	json_key(j, key);
	json_int(j, v);
}

void
json_escape(struct buf *out, const char *s, size_t len)
{
	uint32_t cp;
	size_t i, n;

	buf_append_char(out, '"');
	for (i = 0; i < len; i += n) {
		n = json_utf8_next(s + i, len - i, &cp);
		json_escape_cp(out, cp);
	}
	buf_append_char(out, '"');
}

size_t
json_utf8_next(const char *s, size_t len, uint32_t *cp_out)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char lo, hi;
	size_t need, i;
	uint32_t cp;

	*cp_out = JSON_REPLACEMENT;
	if (p[0] < 0x80) {
		*cp_out = p[0];
		return 1;
	}
	if (!json_utf8_lead(p[0], &need, &lo, &hi))
		return 1;
	cp = p[0] & (0x3f >> need);
	for (i = 1; i <= need; i++) {
		/* A narrower second byte: no overlongs, no surrogates. */
		if (i >= len || p[i] < (i == 1 ? lo : 0x80) ||
		    p[i] > (i == 1 ? hi : 0xbf))
			return i;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	*cp_out = cp;
	return need + 1;
}

void
json_utf8_put(struct buf *out, uint32_t cp)
{
	char b[4];

	if (cp < 0x80) {
		b[0] = (char)cp;
		buf_append(out, b, 1);
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		buf_append(out, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		buf_append(out, b, 3);
	} else {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		buf_append(out, b, 4);
	}
}

/* A value inside an array needs a comma; after a key it does not. */
static void
json_value_begin(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth > 0) {
		if (j->in_object[j->depth - 1])
			fatalx("json: value without a key in an object");
		if (j->count[j->depth - 1]++ > 0)
			buf_append_char(j->out, ',');
	}
}

static void
json_push(struct json *j, bool object, char open)
{
	json_value_begin(j);
	if (j->depth >= JSON_MAX_DEPTH)
		fatalx("json: nested deeper than %d", JSON_MAX_DEPTH);
	j->in_object[j->depth] = object;
	j->count[j->depth] = 0;
	j->depth++;
	buf_append_char(j->out, open);
}

static void
json_pop(struct json *j, bool object, char close)
{
	if (j->depth == 0 || j->in_object[j->depth - 1] != object ||
	    j->after_key)
		fatalx("json: unbalanced '%c'", close);
	j->depth--;
	buf_append_char(j->out, close);
}

static void
json_escape_cp(struct buf *out, uint32_t cp)
{
	switch (cp) {
	case '"':
		buf_append_str(out, "\\\"");
		return;
	case '\\':
		buf_append_str(out, "\\\\");
		return;
	case '\b':
		buf_append_str(out, "\\b");
		return;
	case '\f':
		buf_append_str(out, "\\f");
		return;
	case '\n':
		buf_append_str(out, "\\n");
		return;
	case '\r':
		buf_append_str(out, "\\r");
		return;
	case '\t':
		buf_append_str(out, "\\t");
		return;
	}
	/* DEL and U+2028/9 are legal JSON, escaped for fragile readers. */
	if (cp < 0x20 || cp == 0x7f || cp == 0x2028 || cp == 0x2029)
		buf_printf(out, "\\u%04x", (unsigned int)cp);
	else
		json_utf8_put(out, cp);
}

/*
 * RFC 3629 table 3-7: the continuation count of a lead byte and the range
 * its second byte must fall in.  C0, C1 and F5..FF never start a character.
 */
static bool
json_utf8_lead(unsigned char c, size_t *need_out, unsigned char *lo_out,
    unsigned char *hi_out)
{
	*lo_out = 0x80;
	*hi_out = 0xbf;
	if (c >= 0xc2 && c <= 0xdf)
		*need_out = 1;
	else if (c >= 0xe0 && c <= 0xef) {
		*need_out = 2;
		if (c == 0xe0)
			*lo_out = 0xa0;		/* overlong */
		else if (c == 0xed)
			*hi_out = 0x9f;		/* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		*need_out = 3;
		if (c == 0xf0)
			*lo_out = 0x90;		/* overlong */
		else if (c == 0xf4)
			*hi_out = 0x8f;		/* beyond U+10FFFF */
	} else
		return false;
	return true;
}
