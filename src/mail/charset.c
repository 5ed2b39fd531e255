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
 * Guessing is uchardet's (Mozilla's detector, as Thunderbird and Firefox
 * use it): it names unlabelled Polish, Czech, Russian (koi8-r, windows-
 * 1251, cp866), Japanese (ISO-2022-JP, Shift_JIS, EUC-JP), Chinese and
 * Korean text where letter statistics of our own only told Cyrillic from
 * Latin.  It reads the first CHARSET_DETECT_MAX bytes (enough for any
 * verdict, and a bound on the time a huge body costs).  When it has no
 * answer, the old rule stands: Cyrillic by the commonest Russian letters,
 * else windows-1252.  A declared charset wins whenever the text decodes
 * cleanly in it (no invalid sequence, no C1 control: a sender's label is
 * better evidence than statistics); a label the bytes contradict is a lie,
 * and the guess is taken instead if it decodes cleanly.
 *
 * No state is kept between calls (an iconv descriptor per call), so any
 * number of threads may convert at once.  Not done here: language
 * detection beyond Cyrillic, charset detection for CJK without a label.
 *
 * Memory: a conversion holds its input (the caller's) and one output
 * buffer.  iconv writes into it slice by slice, so a capped conversion
 * (charset_to_utf8_max) stops after about max bytes instead of reserving
 * three times the input, and iconv's output, already UTF-8, is checked
 * in place rather than copied again; only output that is not valid
 * UTF-8 is rebuilt.
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

#include <uchardet/uchardet.h>

#include "buf.h"
#include "charset.h"
#include "xmalloc.h"

#define CHARSET_NAME_MAX	64
#define CHARSET_SLICE		65536	/* input bytes per iconv() call */
#define CHARSET_DETECT_MAX	(1024 * 1024)	/* bytes uchardet reads */

/* What a normalised label tells us to do. */
enum charset_kind {
	CHARSET_GUESS,		/* no label, or one that says nothing */
	CHARSET_ASCII,		/* us-ascii: trust it only for 7-bit text */
	CHARSET_UTF8,
	CHARSET_ICONV		/* a name for iconv_open */
};

/* A converter for pieces of one text (charset_conv_open). */
struct charset_conv {
	iconv_t	 cd;		/* (iconv_t)-1: the text is UTF-8 */
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
static const char *charset_source(const char *, const char *, size_t, char *,
		    size_t);
static bool	 charset_ascii_safe(iconv_t, const char *);
static bool	 charset_clean_label(const char *, char *, size_t);
static bool	 charset_codepage_name(const char *, char *, size_t);
static bool	 charset_iso8859_name(const char *, char *, size_t);
static const char *charset_guess(const char *, size_t, char *, size_t);
static const char *charset_detect(const char *, size_t, char *, size_t);
static const char *charset_guess_cyrillic(const char *, size_t);
static bool	 charset_clean(const char *, const char *, size_t);
static bool	 charset_lie(const char *, const char *, size_t, char *,
		    size_t);
static size_t	 charset_errors(const char *, const char *, size_t, size_t *);
static bool	 charset_has_esc(const char *, size_t);
static bool	 charset_utf8_has_multibyte(const char *, size_t);
static bool	 charset_iconv(const char *, const char *, size_t, size_t,
		    struct buf *, bool *);
static bool	 charset_iconv_loop(iconv_t, const char *, size_t, size_t,
		    struct buf *);
static size_t	 charset_utf8_seq(const unsigned char *, size_t);
static char	*charset_sanitise(const char *, size_t, size_t, size_t *,
		    bool *);
static char	*charset_finish(struct buf *, size_t, size_t *, bool *);
static bool	 charset_has_8bit(const char *, size_t);
static void	 charset_append_fffd(struct buf *);

char *
charset_to_utf8(const char *charset, const char *in, size_t len,
    size_t *out_len)
{
	return charset_to_utf8_max(charset, in, len, SIZE_MAX, out_len, NULL);
}

char *
charset_to_utf8_max(const char *charset, const char *in, size_t len,
    size_t max, size_t *out_len, bool *cut)
{
	char		 name[CHARSET_NAME_MAX], guess[CHARSET_NAME_MAX];
	const char	*from;
	struct buf	 b;
	bool		 left = false;

	if (in == NULL)
		len = 0;
	if (cut == NULL)
		cut = &left;
	*cut = false;
	from = charset_source(charset, in, len, name, sizeof(name));
	if (strcmp(from, "UTF-8") == 0)
		return charset_sanitise(in, len, max, out_len, cut);

	buf_init(&b);
	if (!charset_iconv(from, in, len, max, &b, cut))
		(void)charset_iconv(charset_guess(in, len, guess,
		    sizeof(guess)), in, len, max, &b, cut);
	return charset_finish(&b, max, out_len, cut);
}

struct charset_conv *
charset_conv_open(const char *charset, const char *in, size_t len)
{
	char			 name[CHARSET_NAME_MAX];
	char			 guess[CHARSET_NAME_MAX];
	const char		*from;
	struct charset_conv	*cv;
	iconv_t			 cd;

	if (in == NULL)
		len = 0;
	cv = xcalloc(1, sizeof(*cv));
	cv->cd = (iconv_t)-1;
	from = charset_source(charset, in, len, name, sizeof(name));
	if (strcmp(from, "UTF-8") != 0 &&
	    (cd = iconv_open("UTF-8", from)) == (iconv_t)-1) {
		/* As charset_to_utf8: iconv does not know it, so guess. */
		from = charset_guess(in, len, guess, sizeof(guess));
		cd = strcmp(from, "UTF-8") == 0 ? (iconv_t)-1 :
		    iconv_open("UTF-8", from);
	} else if (strcmp(from, "UTF-8") == 0)
		cd = (iconv_t)-1;
	if (cd != (iconv_t)-1 && !charset_ascii_safe(cd, from)) {
		iconv_close(cd);
		free(cv);
		return NULL;
	}
	cv->cd = cd;
	return cv;
}

void
charset_conv_append(struct charset_conv *cv, const char *piece, size_t n,
    struct buf *out)
{
	struct buf	 b;
	char		*u;
	size_t		 ulen;
	bool		 cut = false;

	if (cv->cd == (iconv_t)-1)
		u = charset_sanitise(piece, n, SIZE_MAX, &ulen, &cut);
	else {
		buf_init(&b);
		(void)charset_iconv_loop(cv->cd, piece, n, SIZE_MAX, &b);
		u = charset_finish(&b, SIZE_MAX, &ulen, &cut);
	}
	buf_append(out, u, ulen);
	free(u);
}

void
charset_conv_close(struct charset_conv *cv)
{
	if (cv == NULL)
		return;
	if (cv->cd != (iconv_t)-1)
		iconv_close(cv->cd);
	free(cv);
}

size_t
charset_utf8_cut(const char *s, size_t len, size_t max)
{
	size_t	 n;

	if (len <= max)
		return len;
	for (n = max; n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80; n--)
		;
	return n;
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
 * What len bytes at in labelled charset are really in: "UTF-8" (as is, or
 * 7-bit text labelled ASCII), else a name for iconv_open (in name, or a
 * constant).  Unknown and lying labels are guessed from all the bytes.
 */
static const char *
charset_source(const char *charset, const char *in, size_t len, char *name,
    size_t size)
{
	char		 guess[CHARSET_NAME_MAX];

	switch (charset_normalise(charset, name, size)) {
	case CHARSET_ASCII:
		if (!charset_has_8bit(in, len) && !charset_has_esc(in, len))
			return "UTF-8";
		return charset_guess(in, len, name, size);
	case CHARSET_UTF8:
		/*
		 * A "utf-8" label on text without a single valid multibyte
		 * sequence but with 8-bit bytes is a lie (often windows-1251
		 * from a misconfigured client): guessing recovers the text,
		 * U+FFFD everywhere would not.
		 */
		if (charset_has_8bit(in, len) &&
		    !charset_utf8_has_multibyte(in, len))
			return charset_guess(in, len, name, size);
		if (charset_lie("UTF-8", in, len, guess, sizeof(guess))) {
			(void)strlcpy(name, guess, size);
			return name;
		}
		return "UTF-8";
	case CHARSET_ICONV:
		if (charset_lie(name, in, len, guess, sizeof(guess)))
			(void)strlcpy(name, guess, size);
		return name;
	case CHARSET_GUESS:
	default:
		return charset_guess(in, len, name, size);
	}
}

/*
 * Can text in from be cut into pieces at ASCII bytes and each converted
 * alone?  Yes if every ASCII byte converts to itself from the initial
 * state (not so for UTF-16/32, UTF-7, the ISO-2022 family, HZ or EBCDIC)
 * and, for JOHAB, no: its second bytes include '<', '=' and '>'.  The
 * multibyte charsets mail uses (Shift_JIS, EUC-*, GBK, GB18030, Big5,
 * CP949) have no ASCII markup byte inside a character.
 */
static bool
charset_ascii_safe(iconv_t cd, const char *from)
{
	char	 in, out[8], *ip, *op;
	size_t	 ileft, oleft;
	int	 ch;

	if (strcasestr(from, "johab") != NULL)
		return false;
	for (ch = 1; ch < 128; ch++) {
		(void)iconv(cd, NULL, NULL, NULL, NULL);
		in = (char)ch;
		ip = &in;
		ileft = 1;
		op = out;
		oleft = sizeof(out);
		if (iconv(cd, &ip, &ileft, &op, &oleft) == (size_t)-1 ||
		    ileft != 0 || op != out + 1 || out[0] != in)
			return false;
	}
	(void)iconv(cd, NULL, NULL, NULL, NULL);
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
 * Picks a charset for unlabelled text: UTF-8 if it is valid UTF-8 (and
 * not 7-bit ISO-2022), else uchardet's verdict, else the Cyrillic rule.
 * The result is a constant or name.
 */
static const char *
charset_guess(const char *in, size_t len, char *name, size_t size)
{
	const char	*d;

	if (charset_is_utf8(in, len) && !charset_has_esc(in, len))
		return "UTF-8";
	if ((d = charset_detect(in, len, name, size)) != NULL)
		return d;
	if (!charset_has_8bit(in, len))
		return "UTF-8";
	return charset_guess_cyrillic(in, len);
}

/*
 * uchardet's name for the text, as iconv knows it, or NULL if it has
 * none (or names one iconv does not know).  ISO-8859-1 is read as its
 * superset windows-1252 and EUC-KR as CP949, as labels are (the
 * aliases above).
 */
static const char *
charset_detect(const char *in, size_t len, char *name, size_t size)
{
	uchardet_t	 ud;
	const char	*r;
	iconv_t		 cd;
	bool		 ok = false;

	if ((ud = uchardet_new()) == NULL)
		return NULL;
	if (uchardet_handle_data(ud, in, len < CHARSET_DETECT_MAX ? len :
	    CHARSET_DETECT_MAX) == 0) {
		uchardet_data_end(ud);
		r = uchardet_get_charset(ud);
		if (r != NULL && *r != '\0' && strcasecmp(r, "ASCII") != 0) {
			if (strcasecmp(r, "ISO-8859-1") == 0)
				r = "CP1252";
			else if (strcasecmp(r, "EUC-KR") == 0)
				r = "CP949";
			ok = strlcpy(name, r, size) < size;
		}
	}
	uchardet_delete(ud);
	if (!ok)
		return NULL;
	if (strcasecmp(name, "UTF-8") == 0)
		return "UTF-8";
	if ((cd = iconv_open("UTF-8", name)) == (iconv_t)-1)
		return NULL;
	iconv_close(cd);
	return name;
}

/*
 * The rule for 8-bit text uchardet has no verdict on.  Russian text is
 * almost all 8-bit letters, so when the seven commonest letters of one
 * encoding make up over a third of the 8-bit bytes it is that encoding;
 * Western text (é, ü, ß in windows-1252) rarely hits those byte values.
 */
static const char *
charset_guess_cyrillic(const char *in, size_t len)
{
	const unsigned char	*s = (const unsigned char *)in;
	size_t			 i, j, high, cp1251, koi8r;

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

/*
 * Appends the conversion of in to b (stopping once b holds max bytes:
 * *cut then tells that input was left); false if iconv does not know
 * from.
 */
static bool
charset_iconv(const char *from, const char *in, size_t len, size_t max,
    struct buf *b, bool *cut)
{
	iconv_t	 cd;

	cd = iconv_open("UTF-8", from);
	if (cd == (iconv_t)-1)
		return false;
	*cut = charset_iconv_loop(cd, in, len, max, b);
	iconv_close(cd);
	return true;
}

/*
 * Converts everything, never stopping: a byte iconv rejects becomes U+FFFD
 * and is skipped (for stateful encodings such as ISO-2022-JP the shift
 * state survives, which is what a reader of the damaged text expects); an
 * incomplete sequence at the end becomes one U+FFFD.  The input goes to
 * iconv a slice at a time, so the output grows with what was converted
 * and the loop can stop at max: true if it did with input left.  A
 * sequence split by a slice's end is simply carried into the next slice.
 */
static bool
charset_iconv_loop(iconv_t cd, const char *in, size_t len, size_t max,
    struct buf *b)
{
	const char	*end = in + len;
	char		*ip, *op;
	size_t		 ileft, oleft, slice, room = CHARSET_SLICE * 4 + 16;
	bool		 cut = false;
	int		 e;

	ip = (char *)(uintptr_t)in;
	while (ip < end) {
		if (b->len >= max) {
			cut = true;
			break;
		}
		slice = (size_t)(end - ip);
		if (slice > CHARSET_SLICE)
			slice = CHARSET_SLICE;
		ileft = slice;
		buf_reserve(b, room);
		op = b->data + b->len;
		oleft = b->cap - b->len - 1;
		if (iconv(cd, &ip, &ileft, &op, &oleft) != (size_t)-1) {
			b->len = (size_t)(op - b->data);
			continue;
		}
		e = errno;
		b->len = (size_t)(op - b->data);
		if (e == E2BIG) {
			room *= 2;
			continue;
		}
		if (e == EINVAL && ip + ileft < end)
			continue;	/* split by the slice: more follows */
		charset_append_fffd(b);
		if (e != EILSEQ)
			break;		/* EINVAL: truncated sequence at the end */
		ip++;
	}
	/* Return a stateful encoding to its initial state (ISO-2022-JP). */
	buf_reserve(b, 64);
	op = b->data + b->len;
	oleft = b->cap - b->len - 1;
	(void)iconv(cd, NULL, NULL, &op, &oleft);
	b->len = (size_t)(op - b->data);
	b->data[b->len] = '\0';
	return cut;
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
 * U+FFFD.  At most max bytes (ending on a character boundary); *cut tells
 * whether input was left out.
 */
static char *
charset_sanitise(const char *in, size_t len, size_t max, size_t *out_len,
    bool *cut)
{
	struct buf	 b;
	size_t		 i, n, run = 0;

	buf_init(&b);
	buf_reserve(&b, (len < max ? len : max) + 1);
	/* Valid runs are copied whole: this is on every message's hot path. */
	for (i = 0; i < len; i += n) {
		if (b.len + (i - run) >= max)
			break;
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
	buf_append(&b, in + run, i - run);
	if (i < len || b.len > max)
		*cut = true;
	b.len = charset_utf8_cut(b.data, b.len, max);
	b.data[b.len] = '\0';
	return buf_steal(&b, out_len);
}

/*
 * iconv's output as the result: checked in place (it is UTF-8 already;
 * NUL bytes from the input are squeezed out) and cut to max; only output
 * that is somehow not valid UTF-8 is copied through charset_sanitise.
 */
static char *
charset_finish(struct buf *b, size_t max, size_t *out_len, bool *cut)
{
	char	*out;
	size_t	 i, k, n;
	bool	 over = false;

	for (i = 0; i < b->len; i += n)
		if ((n = charset_utf8_seq((const unsigned char *)b->data + i,
		    b->len - i)) == 0) {
			out = charset_sanitise(b->data, b->len, max, out_len,
			    &over);
			*cut |= over;
			buf_release(b);
			return out;
		}
	for (i = k = 0; i < b->len; i++)
		if (b->data[i] != '\0')
			b->data[k++] = b->data[i];
	if (k > max)
		*cut = true;
	b->len = charset_utf8_cut(b->data, k, max);
	b->data[b->len] = '\0';
	return buf_steal(b, out_len);
}

/*
 * Does the text decode in from with no invalid or truncated sequence and
 * no C1 control (what ISO-8859-1 makes of windows-125x or CJK bytes)?
 * Converted a slice at a time into a scratch buffer: no copy of the text.
 */
static bool
charset_clean(const char *from, const char *in, size_t len)
{
	char		 out[CHARSET_SLICE], *ip, *op;
	size_t		 ileft, oleft, i;
	iconv_t		 cd;
	bool		 clean = true;

	if ((cd = iconv_open("UTF-8", from)) == (iconv_t)-1)
		return false;
	ip = (char *)(uintptr_t)in;
	ileft = len;
	while (clean && ileft > 0) {
		op = out;
		oleft = sizeof(out);
		if (iconv(cd, &ip, &ileft, &op, &oleft) == (size_t)-1 &&
		    errno != E2BIG)
			clean = false;
		for (i = 0; clean && i + 1 < (size_t)(op - out); i++)
			if ((unsigned char)out[i] == 0xc2 &&
			    (unsigned char)out[i + 1] >= 0x80 &&
			    (unsigned char)out[i + 1] <= 0x9f)
				clean = false;
	}
	iconv_close(cd);
	return clean;
}

/*
 * Is the label from a lie?  The label wins when the text decodes cleanly
 * in it (unless the text is UTF-8, below), and also when it fails on only
 * a few bytes (a damaged message, whose readable rest a guess would turn
 * to mojibake): it is a lie when over 5 % of at least 8 bytes outside
 * ASCII fail, and the guess (in guess) decodes the text with none
 * failing.
 */
static bool
charset_lie(const char *from, const char *in, size_t len, char *guess,
    size_t size)
{
	const char	*g;
	size_t		 errors, high, n;

	n = len < CHARSET_DETECT_MAX ? len : CHARSET_DETECT_MAX;
	errors = charset_errors(from, in, n, &high);
	/*
	 * Legacy 8-bit text is almost never valid UTF-8 for long; UTF-8
	 * under a legacy label is the commonest lie (the mojibake "Ã©",
	 * "Ð¿"), even where the label decodes it with no error.
	 */
	if (high >= 8 && strcmp(from, "UTF-8") != 0 &&
	    charset_is_utf8(in, len)) {
		(void)strlcpy(guess, "UTF-8", size);
		return true;
	}
	if (errors == 0 || high < 8 || errors * 20 <= high)
		return false;
	g = charset_guess(in, len, guess, size);
	if (strcasecmp(g, from) == 0 || (strcmp(g, "UTF-8") == 0 ?
	    !charset_is_utf8(in, len) : !charset_clean(g, in, len)))
		return false;
	if (g != guess)
		(void)strlcpy(guess, g, size);
	return true;
}

/*
 * How many sequences of the len bytes at in fail to decode in from (or
 * decode to C1 controls); *high gets the count of bytes outside ASCII.
 */
static size_t
charset_errors(const char *from, const char *in, size_t len, size_t *high)
{
	char		 out[4096], *ip, *op;
	size_t		 ileft, oleft, i, errors = 0;
	iconv_t		 cd;

	*high = 0;
	for (i = 0; i < len; i++)
		*high += (unsigned char)in[i] >= 0x80;
	if ((cd = iconv_open("UTF-8", from)) == (iconv_t)-1)
		return 0;
	ip = (char *)(uintptr_t)in;
	ileft = len;
	while (ileft > 0) {
		op = out;
		oleft = sizeof(out);
		if (iconv(cd, &ip, &ileft, &op, &oleft) == (size_t)-1 &&
		    errno != E2BIG) {
			errors++;
			ip++;
			ileft--;
		}
		for (i = 0; i + 1 < (size_t)(op - out); i++)
			if ((unsigned char)out[i] == 0xc2 &&
			    (unsigned char)out[i + 1] >= 0x80 &&
			    (unsigned char)out[i + 1] <= 0x9f)
				errors++;
	}
	iconv_close(cd);
	return errors;
}

/* ESC: 7-bit ISO-2022 text (ISO-2022-JP), which is also valid UTF-8. */
static bool
charset_has_esc(const char *in, size_t len)
{
	return in != NULL && memchr(in, 0x1b, len) != NULL;
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
