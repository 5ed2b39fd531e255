/*
 * test_charset: charset_to_utf8 over a table of labels and bytes from
 * real mail (aliases, CJK, Cyrillic guessing, lying labels), and the
 * promise that nothing, however broken, fails or yields invalid UTF-8.
 * Also the capped conversion (charset_to_utf8_max) and input longer than
 * one iconv slice, with characters and shift states across slices.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "charset.h"

struct conv_case {
	const char	*charset;
	const char	*in;
	size_t		 len;		/* 0: strlen(in) */
	const char	*want;
};

#define CP1251_PRIVET	"\xcf\xf0\xe8\xe2\xe5\xf2"
#define KOI8R_PRIVET	"\xf0\xd2\xc9\xd7\xc5\xd4"
#define PRIVET		"Привет"

/*
 * One sentence of a customer's mail in each charset issue 17 names, as
 * iconv writes it: unlabelled or mislabelled, uchardet must tell them.
 */
#define PL	"Zażółć gęślą jaźń. Dzień dobry, proszę o fakturę za " \
	"zamówienie nr 123. Pozdrawiam, Łukasz Wójcik"
#define RU	"Здравствуйте! Прошу выставить счёт за заказ номер 123. " \
	"Принтер не работает уже третий день. С уважением, Иван Петров"
#define JA	"こんにちは。注文番号123の請求書を送ってください。" \
	"プリンターが三日間動きません。よろしくお願いします。山田太郎"
#define PL_ISO_8859_2 \
	"Za\xbf\xf3\xb3\xe6 g\xea\xb6l\xb1 ja\xbc\xf1. Dzie\xf1 d" \
	"obry, prosz\xea o faktur\xea za zam\xf3wienie nr 123. Po" \
	"zdrawiam, \xa3ukasz W\xf3jcik"
#define PL_WINDOWS_1250 \
	"Za\xbf\xf3\xb3\xe6 g\xea\x9cl\xb9 ja\x9f\xf1. Dzie\xf1 d" \
	"obry, prosz\xea o faktur\xea za zam\xf3wienie nr 123. Po" \
	"zdrawiam, \xa3ukasz W\xf3jcik"
#define RU_KOI8_R \
	"\xfa\xc4\xd2\xc1\xd7\xd3\xd4\xd7\xd5\xca\xd4\xc5! \xf0" \
	"\xd2\xcf\xdb\xd5 \xd7\xd9\xd3\xd4\xc1\xd7\xc9\xd4\xd8 " \
	"\xd3\xde\xa3\xd4 \xda\xc1 \xda\xc1\xcb\xc1\xda \xce\xcf" \
	"\xcd\xc5\xd2 123. \xf0\xd2\xc9\xce\xd4\xc5\xd2 \xce\xc5 " \
	"\xd2\xc1\xc2\xcf\xd4\xc1\xc5\xd4 \xd5\xd6\xc5 \xd4\xd2" \
	"\xc5\xd4\xc9\xca \xc4\xc5\xce\xd8. \xf3 \xd5\xd7\xc1\xd6" \
	"\xc5\xce\xc9\xc5\xcd, \xe9\xd7\xc1\xce \xf0\xc5\xd4\xd2" \
	"\xcf\xd7"
#define RU_WINDOWS_1251 \
	"\xc7\xe4\xf0\xe0\xe2\xf1\xf2\xe2\xf3\xe9\xf2\xe5! \xcf" \
	"\xf0\xee\xf8\xf3 \xe2\xfb\xf1\xf2\xe0\xe2\xe8\xf2\xfc " \
	"\xf1\xf7\xb8\xf2 \xe7\xe0 \xe7\xe0\xea\xe0\xe7 \xed\xee" \
	"\xec\xe5\xf0 123. \xcf\xf0\xe8\xed\xf2\xe5\xf0 \xed\xe5 " \
	"\xf0\xe0\xe1\xee\xf2\xe0\xe5\xf2 \xf3\xe6\xe5 \xf2\xf0" \
	"\xe5\xf2\xe8\xe9 \xe4\xe5\xed\xfc. \xd1 \xf3\xe2\xe0\xe6" \
	"\xe5\xed\xe8\xe5\xec, \xc8\xe2\xe0\xed \xcf\xe5\xf2\xf0" \
	"\xee\xe2"
#define RU_CP866 \
	"\x87\xa4\xe0\xa0\xa2\xe1\xe2\xa2\xe3\xa9\xe2\xa5! \x8f" \
	"\xe0\xae\xe8\xe3 \xa2\xeb\xe1\xe2\xa0\xa2\xa8\xe2\xec " \
	"\xe1\xe7\xf1\xe2 \xa7\xa0 \xa7\xa0\xaa\xa0\xa7 \xad\xae" \
	"\xac\xa5\xe0 123. \x8f\xe0\xa8\xad\xe2\xa5\xe0 \xad\xa5 " \
	"\xe0\xa0\xa1\xae\xe2\xa0\xa5\xe2 \xe3\xa6\xa5 \xe2\xe0" \
	"\xa5\xe2\xa8\xa9 \xa4\xa5\xad\xec. \x91 \xe3\xa2\xa0\xa6" \
	"\xa5\xad\xa8\xa5\xac, \x88\xa2\xa0\xad \x8f\xa5\xe2\xe0" \
	"\xae\xa2"
#define JA_ISO_2022_JP \
	"\x1b$B$3$s$K$A$O!#CmJ8HV9f\x1b(B123\x1b$B$N@A5a=q$rAw$C$" \
	"F$/$@$5$$!#%W%j%s%?!<$,;0F|4VF0$-$^$;$s!#$h$m$7$/$*4j$$$" \
	"7$^$9!#;3EDB@O:\x1b(B"
#define JA_SHIFT_JIS \
	"\x82\xb1\x82\xf1\x82\xc9\x82\xbf\x82\xcd\x81""B\x92\x8d" \
	"\x95\xb6\x94\xd4\x8d\x86""123\x82\xcc\x90\xbf\x8b\x81" \
	"\x8f\x91\x82\xf0\x91\x97\x82\xc1\x82\xc4\x82\xad\x82\xbe" \
	"\x82\xb3\x82\xa2\x81""B\x83v\x83\x8a\x83\x93\x83^\x81[" \
	"\x82\xaa\x8eO\x93\xfa\x8a\xd4\x93\xae\x82\xab\x82\xdc" \
	"\x82\xb9\x82\xf1\x81""B\x82\xe6\x82\xeb\x82\xb5\x82\xad" \
	"\x82\xa8\x8a\xe8\x82\xa2\x82\xb5\x82\xdc\x82\xb7\x81""B" \
	"\x8eR\x93""c\x91\xbe\x98Y"
#define JA_EUC_JP \
	"\xa4\xb3\xa4\xf3\xa4\xcb\xa4\xc1\xa4\xcf\xa1\xa3\xc3\xed" \
	"\xca\xb8\xc8\xd6\xb9\xe6""123\xa4\xce\xc0\xc1\xb5\xe1" \
	"\xbd\xf1\xa4\xf2\xc1\xf7\xa4\xc3\xa4\xc6\xa4\xaf\xa4\xc0" \
	"\xa4\xb5\xa4\xa4\xa1\xa3\xa5\xd7\xa5\xea\xa5\xf3\xa5\xbf" \
	"\xa1\xbc\xa4\xac\xbb\xb0\xc6\xfc\xb4\xd6\xc6\xb0\xa4\xad" \
	"\xa4\xde\xa4\xbb\xa4\xf3\xa1\xa3\xa4\xe8\xa4\xed\xa4\xb7" \
	"\xa4\xaf\xa4\xaa\xb4\xea\xa4\xa4\xa4\xb7\xa4\xde\xa4\xb9" \
	"\xa1\xa3\xbb\xb3\xc5\xc4\xc2\xc0\xcf\xba"

static const struct conv_case conv_cases[] = {
	{ "utf-8", "plain ascii", 0, "plain ascii" },
	{ "us-ascii", "hello", 0, "hello" },
	{ "windows-1251", CP1251_PRIVET, 0, PRIVET },
	{ "cp1251", CP1251_PRIVET, 0, PRIVET },
	{ "cp-1251", CP1251_PRIVET, 0, PRIVET },
	{ "win-1251", CP1251_PRIVET, 0, PRIVET },
	{ "x-cp1251", CP1251_PRIVET, 0, PRIVET },
	{ "\"Windows-1251\"", CP1251_PRIVET, 0, PRIVET },
	{ "koi8-r", KOI8R_PRIVET, 0, PRIVET },
	{ "KOI8-R", KOI8R_PRIVET, 0, PRIVET },
	{ "koi8-u", "\xbd\xc1\xce\xcf\xcb", 0, "Ґанок" },
	{ "iso-8859-5", "\xbf\xe0\xd8\xd2\xd5\xe2", 0, PRIVET },
	{ "iso-8859-2", "\x5a\x61\xbf\xf3\xb3\xe6\x20\x67\xea\xb6\x6c\xb1"
	    "\x20\x6a\x61\xbc\xf1", 0, "Zażółć gęślą jaźń" },
	{ "iso8859-2", "\xbf", 0, "ż" },
	{ "iso-8859-1", "caf\xe9", 0, "café" },
	{ "latin1", "caf\xe9", 0, "café" },
	{ "iso-8859-15", "\xa4", 0, "€" },
	{ "windows-1250", "\xaf\xf3\xb3\x77", 0, "Żółw" },
	{ "windows-1252", "\x80 5", 0, "€ 5" },
	{ "iso-2022-jp", "\x1b\x24\x42\x24\x33\x24\x73\x24\x4b\x24\x41\x24"
	    "\x4f\x1b\x28\x42", 0, "こんにちは" },
	{ "shift_jis", "\x82\xb1\x82\xf1\x82\xc9\x82\xbf\x82\xcd", 0,
	    "こんにちは" },
	{ "euc-jp", "\xa4\xb3\xa4\xf3\xa4\xcb\xa4\xc1\xa4\xcf", 0,
	    "こんにちは" },
	{ "ks_c_5601-1987", "\xbe\xc8\xb3\xe7\xc7\xcf\xbc\xbc\xbf\xe4", 0,
	    "안녕하세요" },
	{ "gb2312", "\xc4\xe3\xba\xc3", 0, "你好" },
	{ "gbk", "\xc4\xe3\xba\xc3", 0, "你好" },
	{ "utf-16", "\xff\xfe\x1f\x04\x40\x04\x38\x04\x32\x04\x35\x04\x42\x04",
	    14, PRIVET },
	{ "unicode-1-1-utf-7", "Hi Mom -+Jjo--!", 0, "Hi Mom -☺-!" },
	/* No label, unknown label, lying label: guessed. */
	{ NULL, CP1251_PRIVET, 0, PRIVET },
	{ NULL, KOI8R_PRIVET, 0, PRIVET },
	{ NULL, "Привет", 0, PRIVET },
	{ "x-foo", CP1251_PRIVET, 0, PRIVET },
	{ "x-foo", "caf\xe9", 0, "café" },
	{ "unknown-8bit", KOI8R_PRIVET, 0, PRIVET },
	{ "us-ascii", CP1251_PRIVET, 0, PRIVET },
	{ "utf-8", KOI8R_PRIVET, 0, PRIVET },
	{ "", "caf\xe9", 0, "café" },
	/* Unlabelled Polish, Russian and Japanese: uchardet names them. */
	{ NULL, PL_ISO_8859_2, 0, PL },
	{ NULL, PL_WINDOWS_1250, 0, PL },
	{ NULL, RU_KOI8_R, 0, RU },
	{ NULL, RU_WINDOWS_1251, 0, RU },
	{ NULL, RU_CP866, 0, RU },
	{ NULL, JA_ISO_2022_JP, 0, JA },
	{ NULL, JA_SHIFT_JIS, 0, JA },
	{ NULL, JA_EUC_JP, 0, JA },
	{ "unknown-8bit", PL_WINDOWS_1250, 0, PL },
	/* Lying labels: the bytes do not decode cleanly in them. */
	{ "iso-8859-1", PL_WINDOWS_1250, 0, PL },
	{ "iso-8859-1", JA_SHIFT_JIS, 0, JA },
	{ "us-ascii", RU_CP866, 0, RU },
	{ "us-ascii", JA_ISO_2022_JP, 0, JA },
	{ "utf-8", JA_EUC_JP, 0, JA },
	{ "windows-1252", JA_SHIFT_JIS, 0, JA },
	{ "iso-8859-1", PL, 0, PL },
	{ "windows-1251", RU, 0, RU },
	/* A few bad bytes in long text do not make the label a lie. */
	{ "windows-1250", PL_WINDOWS_1250 "\x98", 0, PL "\xef\xbf\xbd" },
	/* A label the text decodes cleanly in wins over any guess. */
	{ "iso-8859-2", PL_ISO_8859_2, 0, PL },
	{ "koi8-r", RU_KOI8_R, 0, RU },
	/* Invalid bytes become U+FFFD (one per byte) and conversion goes on. */
	{ "utf-8", "a\xe2\x82z \xd0\x9f", 0,
	    "a\xef\xbf\xbd\xef\xbf\xbdz П" },
	{ "iso-2022-jp", "ok \x8a!", 0, "ok \xef\xbf\xbd!" },
	{ "shift_jis", "\x82", 0, "\xef\xbf\xbd" },
	/* NUL bytes are dropped. */
	{ "utf-8", "a\0b", 3, "ab" },
	{ "windows-1251", "a\0\xcf", 3, "aП" },
};

START_TEST(test_conv_table)
{
	const struct conv_case	*t = &conv_cases[_i];
	size_t			 len, outlen;
	char			*out;

	len = t->len != 0 ? t->len : strlen(t->in);
	out = charset_to_utf8(t->charset, t->in, len, &outlen);
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(outlen, strlen(out));
	ck_assert(charset_is_utf8(out, outlen));
	ck_assert_str_eq(out, t->want);
	free(out);
}
END_TEST

struct utf8_case {
	const char	*s;
	bool		 valid;
};

static const struct utf8_case utf8_cases[] = {
	{ "", true },
	{ "ascii", true },
	{ "Привет", true },
	{ "\xf0\x9f\x98\x80", true },		/* U+1F600 */
	{ "\xc0\xaf", false },			/* overlong '/' */
	{ "\xe0\x80\xaf", false },		/* overlong */
	{ "\xed\xa0\x80", false },		/* surrogate */
	{ "\xf4\x90\x80\x80", false },		/* above U+10FFFF */
	{ "\xd0", false },			/* truncated */
	{ "\xff", false },
	{ "a\x80", false },
};

START_TEST(test_is_utf8)
{
	const struct utf8_case	*t = &utf8_cases[_i];

	ck_assert_int_eq(charset_is_utf8(t->s, strlen(t->s)), t->valid);
}
END_TEST

/* Deterministic junk: a small xorshift, so a failure reproduces. */
static uint32_t
junk_next(uint32_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

START_TEST(test_garbage_never_fails)
{
	static const char *const labels[] = { NULL, "utf-8", "us-ascii",
	    "koi8-r", "windows-1251", "iso-2022-jp", "shift_jis", "euc-jp",
	    "gb2312", "ks_c_5601-1987", "utf-16", "utf-7", "x-foo", "",
	    "iso-8859-1", "big5", "\"", "=?", "cp-99999", "iso-8859-99",
	    "utf-8\r\nX-Evil: 1" };
	char		 buf[257];
	uint32_t	 state = 0x9e3779b9u;
	size_t		 i, j, len, outlen;
	char		*out;

	for (i = 0; i < 400; i++) {
		len = junk_next(&state) % sizeof(buf);
		for (j = 0; j < len; j++)
			buf[j] = (char)(junk_next(&state) & 0xff);
		out = charset_to_utf8(labels[i % (sizeof(labels) /
		    sizeof(labels[0]))], buf, len, &outlen);
		ck_assert_ptr_nonnull(out);
		ck_assert_uint_eq(outlen, strlen(out));
		ck_assert(charset_is_utf8(out, outlen));
		free(out);
	}
}
END_TEST

START_TEST(test_empty_and_null)
{
	char	*out;
	size_t	 n = 99;

	out = charset_to_utf8(NULL, NULL, 0, &n);
	ck_assert_str_eq(out, "");
	ck_assert_uint_eq(n, 0);
	free(out);
	out = charset_to_utf8("koi8-r", "", 0, NULL);
	ck_assert_str_eq(out, "");
	free(out);
}
END_TEST


/* n copies of the len bytes at unit after the prefix; a new string. */
static char *
repeat(const char *prefix, const char *unit, size_t len, size_t n,
    size_t *out_len)
{
	size_t	 plen = strlen(prefix), i;
	char	*s;

	s = malloc(plen + len * n + 1);
	ck_assert_ptr_nonnull(s);
	memcpy(s, prefix, plen);
	for (i = 0; i < n; i++)
		memcpy(s + plen + i * len, unit, len);
	s[plen + len * n] = '\0';
	*out_len = plen + len * n;
	return s;
}

/*
 * 40000 two-byte Shift_JIS characters after one ASCII byte: the 64 KiB
 * slices that charset.c hands to iconv end inside a character, which
 * must come out whole anyway.
 */
START_TEST(test_slices_keep_characters)
{
	char	*in, *want, *out;
	size_t	 inlen, wantlen, outlen;

	in = repeat("a", "\x82\xb1", 2, 40000, &inlen);
	want = repeat("a", "こ", strlen("こ"), 40000, &wantlen);
	out = charset_to_utf8("shift_jis", in, inlen, &outlen);
	ck_assert_uint_eq(outlen, wantlen);
	ck_assert(memcmp(out, want, wantlen) == 0);
	free(out);
	free(in);
	free(want);
	/* ISO-2022-JP: the shift into JIS X 0208 holds across slices. */
	in = repeat("\x1b$B", "$3", 2, 50000, &inlen);
	want = repeat("", "こ", strlen("こ"), 50000, &wantlen);
	out = charset_to_utf8("iso-2022-jp", in, inlen, &outlen);
	ck_assert_uint_eq(outlen, wantlen);
	ck_assert(memcmp(out, want, wantlen) == 0);
	free(out);
	free(in);
	free(want);
}
END_TEST

struct max_case {
	const char	*charset;
	const char	*unit;		/* repeated */
	size_t		 n;
	const char	*unit_out;	/* what one unit becomes */
};

static const struct max_case max_cases[] = {
	{ "utf-8", "Привет ", 300000, "Привет " },
	{ "windows-1251", CP1251_PRIVET " ", 300000, "Привет " },
	{ NULL, KOI8R_PRIVET " ", 300000, "Привет " },
	{ "us-ascii", "plain text ", 300000, "plain text " },
	{ "shift_jis", "\x82\xb1", 400000, "こ" },
};

/*
 * The cap: the result is a prefix of the whole conversion, at most max
 * bytes, ends on a character boundary, and *cut says so; nothing is cut
 * when the text fits.
 */
START_TEST(test_max)
{
	const struct max_case	*t = &max_cases[_i];
	static const size_t	 maxes[] = { 1, 7, 1000, 65537, 1048576 };
	char			*in, *whole, *out;
	size_t			 inlen, wholelen, outlen, i;
	bool			 cut;

	in = repeat("", t->unit, strlen(t->unit), t->n, &inlen);
	whole = charset_to_utf8(t->charset, in, inlen, &wholelen);
	ck_assert_uint_eq(wholelen, strlen(t->unit_out) * t->n);
	for (i = 0; i < sizeof(maxes) / sizeof(maxes[0]) &&
	    maxes[i] < wholelen; i++) {
		out = charset_to_utf8_max(t->charset, in, inlen, maxes[i],
		    &outlen, &cut);
		ck_assert(cut);
		ck_assert_uint_le(outlen, maxes[i]);
		ck_assert_uint_gt(outlen + 4, maxes[i]);
		ck_assert_uint_eq(outlen, strlen(out));
		ck_assert(charset_is_utf8(out, outlen));
		ck_assert(memcmp(out, whole, outlen) == 0);
		free(out);
	}
	out = charset_to_utf8_max(t->charset, in, inlen, wholelen, &outlen,
	    &cut);
	ck_assert(!cut);
	ck_assert_uint_eq(outlen, wholelen);
	ck_assert(memcmp(out, whole, wholelen) == 0);
	free(out);
	ck_assert_uint_eq(charset_utf8_cut(whole, wholelen, wholelen + 5),
	    wholelen);
	free(whole);
	free(in);
}
END_TEST

static Suite *
charset_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("charset");
	tc = tcase_create("convert");
	tcase_add_loop_test(tc, test_conv_table, 0,
	    sizeof(conv_cases) / sizeof(conv_cases[0]));
	tcase_add_loop_test(tc, test_is_utf8, 0,
	    sizeof(utf8_cases) / sizeof(utf8_cases[0]));
	tcase_add_test(tc, test_garbage_never_fails);
	tcase_add_test(tc, test_empty_and_null);
	suite_add_tcase(s, tc);

	tc = tcase_create("big");
	tcase_add_test(tc, test_slices_keep_characters);
	tcase_add_loop_test(tc, test_max, 0,
	    sizeof(max_cases) / sizeof(max_cases[0]));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(charset_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
