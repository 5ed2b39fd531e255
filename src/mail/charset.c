/*
 * charset: any bytes, any label, to valid UTF-8 (promise 4: an unknown or
 * lying charset is a fact of mail, never an error).
 *
 * The label is normalised to a name glibc's iconv knows (mail uses
 * "cp-1251", "win-1251", "x-koi8-r", "ks_c_5601-1987", quoted names ...).
 * Conversion replaces what iconv rejects with U+FFFD and goes on.  Text
 * with no usable label is guessed: valid UTF-8 stays, Cyrillic is told
 * apart as windows-1251 or koi8-r by the bytes of the commonest Russian
 * letters, anything else is read as windows-1252 (which maps every byte
 * that a Latin-1 sender can produce).  Every result then passes one last
 * validation that drops NUL bytes and repairs any invalid UTF-8, so the
 * promise "output is valid UTF-8" does not depend on iconv's behaviour.
 *
 * No state is kept between calls (an iconv descriptor per call), so any
 * number of threads may convert at once.  Not done here: language
 * detection beyond Cyrillic, charset detection for CJK without a label.
 */
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "charset.h"
#include "xmalloc.h"

#define CHARSET_NAME_MAX	64

/* What a normalised label tells us to do. */
enum charset_kind {
	CHARSET_GUESS,		/* no label, or one that says nothing */
	CHARSET_ASCII,		/* us-ascii: trust it only for 7-bit text */
	CHARSET_UTF8,
	CHARSET_ICONV		/* a name for iconv_open */
};

struct charset_alias {
	const char	*label;		/* normalised: lowercase, no x- */
	const char	*iconv_name;	/* NULL: CHARSET_GUESS */
};

/*
 * Labels seen in real mail that iconv does not know under that spelling,
 * or where a superset decodes more real mail (Microsoft's code pages are
 * what Outlook means by the ISO and KS names).
 */
static const struct charset_alias charset_aliases[] = {
	{ "latin1", "ISO-8859-1" },
	{ "latin-1", "ISO-8859-1" },
	{ "l1", "ISO-8859-1" },
	{ "latin2", "ISO-8859-2" },
	{ "latin-2", "ISO-8859-2" },
	{ "cyrillic", "ISO-8859-5" },
	{ "koi8r", "KOI8-R" },
	{ "koi8", "KOI8-R" },
	{ "koi8u", "KOI8-U" },
	{ "ks_c_5601-1987", "CP949" },
	{ "ks_c_5601", "CP949" },
	{ "ksc5601", "CP949" },
	{ "ksc_5601", "CP949" },
	{ "euc-kr", "CP949" },
	{ "euckr", "CP949" },
	{ "gb2312", "GBK" },
	{ "gb_2312-80", "GBK" },
	{ "cp936", "GBK" },
	{ "euc-cn", "GBK" },
	{ "shift_jis", "CP932" },
	{ "shift-jis", "CP932" },
	{ "sjis", "CP932" },
	{ "ms_kanji", "CP932" },
	{ "windows-31j", "CP932" },
	{ "euc-jp", "EUC-JP-MS" },
	{ "eucjp", "EUC-JP-MS" },
	{ "iso-2022-jp", "ISO-2022-JP-2" },
	{ "unicode-1-1-utf-7", "UTF-7" },
	{ "utf7", "UTF-7" },
	{ "big5", "BIG5-HKSCS" },
	{ "mac-cyrillic", "MAC-CYRILLIC" },
	{ "ucs-2", "UTF-16" },
	{ "unicode", "UTF-16" },
	{ "unknown", NULL },
	{ "unknown-8bit", NULL },
	{ "8bit", NULL },
	{ "default", NULL },
	{ "charset", NULL },
	{ "none", NULL },
};

/*
 * The seven commonest Russian letters (о е а и н т с, over half of all
 * letters in running text), lowercase, in each encoding.  Lowercase sits
 * in 0xe0-0xff in windows-1251 and in 0xc0-0xdf in koi8-r, so the two
 * sets do not overlap.
 */
static const unsigned char charset_cp1251_common[] = {
	0xee, 0xe5, 0xe0, 0xe8, 0xed, 0xf2, 0xf1
};
static const unsigned char charset_koi8r_common[] = {
	0xcf, 0xc5, 0xc1, 0xc9, 0xce, 0xd4, 0xd3
};

static enum charset_kind charset_normalise(const char *, char *, size_t);
static bool	 charset_clean_label(const char *, char *, size_t);
static bool	 charset_codepage_name(const char *, char *, size_t);
static bool	 charset_iso8859_name(const char *, char *, size_t);
static const char *charset_guess(const char *, size_t);
static bool	 charset_utf8_has_multibyte(const char *, size_t);
static bool	 charset_iconv(const char *, const char *, size_t, struct buf *);
static void	 charset_iconv_loop(iconv_t, const char *, size_t, struct buf *);
static size_t	 charset_utf8_seq(const unsigned char *, size_t);
static char	*charset_sanitise(const char *, size_t, size_t *);
static bool	 charset_has_8bit(const char *, size_t);
static void	 charset_append_fffd(struct buf *);

char *
charset_to_utf8(const char *charset, const char *in, size_t len,
    size_t *out_len)
{
	char		 name[CHARSET_NAME_MAX];
	const char	*from;
	struct buf	 b;
	char		*out;
	size_t		 n;

	if (in == NULL)
		len = 0;
	switch (charset_normalise(charset, name, sizeof(name))) {
	case CHARSET_ASCII:
		if (!charset_has_8bit(in, len))
			return charset_sanitise(in, len, out_len);
		from = charset_guess(in, len);
		break;
	case CHARSET_UTF8:
		/*
		 * A "utf-8" label on text without a single valid multibyte
		 * sequence but with 8-bit bytes is a lie (often windows-1251
		 * from a misconfigured client): guessing recovers the text,
		 * U+FFFD everywhere would not.
		 */
		if (charset_has_8bit(in, len) &&
		    !charset_utf8_has_multibyte(in, len))
			from = charset_guess(in, len);
		else
			from = "UTF-8";
		break;
	case CHARSET_ICONV:
		from = name;
		break;
	case CHARSET_GUESS:
	default:
		from = charset_guess(in, len);
		break;
	}
	if (strcmp(from, "UTF-8") == 0)
		return charset_sanitise(in, len, out_len);

	buf_init(&b);
	if (!charset_iconv(from, in, len, &b))
		charset_iconv(charset_guess(in, len), in, len, &b);
	out = charset_sanitise(b.data, b.len, &n);
	buf_release(&b);
	if (out_len != NULL)
		*out_len = n;
	return out;
}

bool
charset_is_utf8(const char *s, size_t len)
{
	size_t	 i, n;

	if (s == NULL)
		return len == 0;
	for (i = 0; i < len; i += n) {
		n = charset_utf8_seq((const unsigned char *)s + i, len - i);
		if (n == 0)
			return false;
	}
	return true;
}

/*
 * Maps a label to what to do with it; for CHARSET_ICONV, name gets the
 * iconv name.  Unknown names are passed to iconv as written (uppercased):
 * glibc knows hundreds of aliases, and charset_iconv falls back to a guess
 * when iconv_open refuses.
 */
static enum charset_kind
charset_normalise(const char *label, char *name, size_t size)
{
	char	 clean[CHARSET_NAME_MAX];
	size_t	 i;

	if (label == NULL || !charset_clean_label(label, clean, sizeof(clean)))
		return CHARSET_GUESS;
	if (strcmp(clean, "us-ascii") == 0 || strcmp(clean, "ascii") == 0 ||
	    strcmp(clean, "ansi_x3.4-1968") == 0 ||
	    strcmp(clean, "iso646-us") == 0 || strcmp(clean, "us") == 0)
		return CHARSET_ASCII;
	if (strcmp(clean, "utf-8") == 0 || strcmp(clean, "utf8") == 0)
		return CHARSET_UTF8;
	for (i = 0; i < sizeof(charset_aliases) / sizeof(charset_aliases[0]);
	    i++) {
		if (strcmp(clean, charset_aliases[i].label) != 0)
			continue;
		if (charset_aliases[i].iconv_name == NULL)
			return CHARSET_GUESS;
		(void)strlcpy(name, charset_aliases[i].iconv_name, size);
		return CHARSET_ICONV;
	}
	if (charset_codepage_name(clean, name, size) ||
	    charset_iso8859_name(clean, name, size))
		return CHARSET_ICONV;
	for (i = 0; clean[i] != '\0' && i + 1 < size; i++)
		name[i] = (char)toupper((unsigned char)clean[i]);
	name[i] = '\0';
	return CHARSET_ICONV;
}

/*
 * Lowercases label into out without quotes, blanks and an "x-" prefix.
 * False for an empty label or one with characters no charset name has
 * (which also keeps junk away from iconv_open).
 */
static bool
charset_clean_label(const char *label, char *out, size_t size)
{
	size_t		 n;
	unsigned char	 c;

	while (*label == ' ' || *label == '\t' || *label == '"' ||
	    *label == '\'')
		label++;
	if (strncasecmp(label, "x-", 2) == 0 && label[2] != '\0')
		label += 2;
	for (n = 0; *label != '\0'; label++) {
		c = (unsigned char)*label;
		if (c == '"' || c == '\'' || c == ' ' || c == '\t' || c == ';')
			break;
		if (!isalnum(c) && c != '-' && c != '_' && c != '.' &&
		    c != ':')
			return false;
		if (n + 1 >= size)
			return false;
		out[n++] = (char)tolower(c);
	}
	out[n] = '\0';
	return n > 0;
}

/* "cp1251", "cp-1251", "win-1251", "windows_1251", "cp-866" -> "CP1251". */
static bool
charset_codepage_name(const char *clean, char *name, size_t size)
{
	const char	*p;
	int		 r;

	if (strncmp(clean, "windows", 7) == 0)
		p = clean + 7;
	else if (strncmp(clean, "win", 3) == 0)
		p = clean + 3;
	else if (strncmp(clean, "cp", 2) == 0)
		p = clean + 2;
	else
		return false;
	if (*p == '-' || *p == '_')
		p++;
	if (strlen(p) < 3 || strlen(p) > 5 || strspn(p, "0123456789") !=
	    strlen(p))
		return false;
	r = snprintf(name, size, "CP%s", p);
	return r > 0 && (size_t)r < size;
}

/* "iso8859-5", "iso_8859-5:1988", "8859-5", "iso-8859-15" -> "ISO-8859-n". */
static bool
charset_iso8859_name(const char *clean, char *name, size_t size)
{
	const char	*p;
	char		*end;
	long		 part;
	int		 r;

	p = clean;
	if (strncmp(p, "iso", 3) == 0)
		p += 3;
	if (*p == '-' || *p == '_')
		p++;
	if (strncmp(p, "8859", 4) != 0)
		return false;
	p += 4;
	if (*p == '-' || *p == '_')
		p++;
	part = strtol(p, &end, 10);
	if (end == p || part < 1 || part > 16 || (*end != '\0' && *end != ':'))
		return false;
	r = snprintf(name, size, "ISO-8859-%ld", part);
	return r > 0 && (size_t)r < size;
}

/*
 * Picks a charset for unlabelled 8-bit text.  Russian text is almost all
 * 8-bit letters, so when the seven commonest letters of one encoding make
 * up over a third of the 8-bit bytes it is that encoding; Western text
 * (é, ü, ß in windows-1252) rarely hits those byte values.
 */
static const char *
charset_guess(const char *in, size_t len)
{
	const unsigned char	*s = (const unsigned char *)in;
	size_t			 i, j, high, cp1251, koi8r;

	if (charset_is_utf8(in, len))
		return "UTF-8";
	high = cp1251 = koi8r = 0;
	for (i = 0; i < len; i++) {
		if (s[i] < 0x80)
			continue;
		high++;
		for (j = 0; j < sizeof(charset_cp1251_common); j++) {
			if (s[i] == charset_cp1251_common[j])
				cp1251++;
			if (s[i] == charset_koi8r_common[j])
				koi8r++;
		}
	}
	if (koi8r > cp1251 && koi8r * 3 >= high)
		return "KOI8-R";
	if (cp1251 >= koi8r && cp1251 * 3 >= high && cp1251 > 0)
		return "CP1251";
	return "CP1252";
}

static bool
charset_utf8_has_multibyte(const char *in, size_t len)
{
	const unsigned char	*s = (const unsigned char *)in;
	size_t			 i, n;

	for (i = 0; i < len; i++) {
		if (s[i] < 0x80)
			continue;
		n = charset_utf8_seq(s + i, len - i);
		if (n > 1)
			return true;
	}
	return false;
}

/* Appends the conversion of in to b; false if iconv does not know from. */
static bool
charset_iconv(const char *from, const char *in, size_t len, struct buf *b)
{
	iconv_t	 cd;

	cd = iconv_open("UTF-8", from);
	if (cd == (iconv_t)-1)
		return false;
	charset_iconv_loop(cd, in, len, b);
	iconv_close(cd);
	return true;
}

/*
 * Converts everything, never stopping: a byte iconv rejects becomes U+FFFD
 * and is skipped (for stateful encodings such as ISO-2022-JP the shift
 * state survives, which is what a reader of the damaged text expects); an
 * incomplete sequence at the end becomes one U+FFFD.
 */
static void
charset_iconv_loop(iconv_t cd, const char *in, size_t len, struct buf *b)
{
	char	*ip, *op;
	size_t	 ileft, oleft, want;

	ip = (char *)(uintptr_t)in;
	ileft = len;
	want = len * 3 + 16;
	while (ileft > 0) {
		buf_reserve(b, want);
		op = b->data + b->len;
		oleft = b->cap - b->len - 1;
		if (iconv(cd, &ip, &ileft, &op, &oleft) != (size_t)-1) {
			b->len = (size_t)(op - b->data);
			continue;
		}
		b->len = (size_t)(op - b->data);
		if (errno == E2BIG) {
			want = b->cap * 2;
			continue;
		}
		charset_append_fffd(b);
		if (errno != EILSEQ)
			break;		/* EINVAL: truncated sequence at the end */
		ip++;
		ileft--;
	}
	/* Return a stateful encoding to its initial state (ISO-2022-JP). */
	buf_reserve(b, 64);
	op = b->data + b->len;
	oleft = b->cap - b->len - 1;
	(void)iconv(cd, NULL, NULL, &op, &oleft);
	b->len = (size_t)(op - b->data);
	b->data[b->len] = '\0';
}

/*
 * Length of the valid UTF-8 sequence at s (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), or 0 if invalid or truncated.
 */
static size_t
charset_utf8_seq(const unsigned char *s, size_t len)
{
	size_t	 n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return n;
}

/*
 * A new NUL-terminated copy of in that is valid UTF-8: NUL bytes are
 * dropped (callers use the result as a C string), invalid bytes become
 * U+FFFD.
 */
static char *
charset_sanitise(const char *in, size_t len, size_t *out_len)
{
	struct buf	 b;
	size_t		 i, n, run = 0;

	buf_init(&b);
	buf_reserve(&b, len + 1);
	/* Valid runs are copied whole: this is on every message's hot path. */
	for (i = 0; i < len; i += n) {
		n = charset_utf8_seq((const unsigned char *)in + i, len - i);
		if (n != 0 && in[i] != '\0')
			continue;
		buf_append(&b, in + run, i - run);
		if (n == 0) {
			charset_append_fffd(&b);
			n = 1;
		}
		run = i + n;
	}
	buf_append(&b, in + run, len - run);
	return buf_steal(&b, out_len);
}

static bool
charset_has_8bit(const char *in, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if ((unsigned char)in[i] >= 0x80)
			return true;
	return false;
}

static void
charset_append_fffd(struct buf *b)
{
	buf_append(b, "\xef\xbf\xbd", 3);
}
