/*
 * test_corpus_text (issue 17): every text part of every message of the
 * shared corpus, decoded as mime.c decodes text (charset_to_utf8 with the
 * part's label), must hold no U+FFFD and no typical mojibake ("Ã©",
 * "Ð¿", "Å‚": UTF-8 read as a legacy charset) wherever its bytes were
 * decodable: valid UTF-8, or free of errors in the declared charset or
 * in the one uchardet names.  The parts are found with libetpan directly,
 * not through mime.c, so the walk does not share mime.c's bugs.  Skipped
 * when the corpus is missing, like test_corpus.
 */
#include <check.h>
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/libetpan.h>
#include <uchardet/uchardet.h>

#include "buf.h"
#include "charset.h"

static char	 corpus_dir[4096];
static size_t	 nparts, nskipped;

static bool	 text_corpus_find(void);
static void	 text_check_file(const char *);
static void	 text_walk(const char *, struct mailmime *);
static void	 text_check_part(const char *, const char *, const char *,
		    size_t);
static bool	 text_decodable(const char *, const char *, size_t);
static bool	 text_iconv_clean(const char *, const char *, size_t);
static const char *text_mojibake(const char *);

static bool
text_corpus_find(void)
{
	const char	*dir = getenv("CORPUS_DIR");
	char		 path[4200];
	FILE		*f;

	if (dir == NULL)
		dir = "../shared/corpus";
	(void)snprintf(corpus_dir, sizeof(corpus_dir), "%s", dir);
	(void)snprintf(path, sizeof(path), "%s/MANIFEST.tsv", corpus_dir);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	fclose(f);
	return true;
}

static void
text_check_file(const char *file)
{
	struct mailmime	*mm = NULL;
	struct buf	*b;
	char		 path[12800], chunk[65536];
	size_t		 idx = 0, n;
	FILE		*f;

	(void)snprintf(path, sizeof(path), "%s/%s", corpus_dir, file);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	b = buf_new();
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(b, chunk, n);
	fclose(f);
	if (mailmime_parse(b->data, b->len, &idx, &mm) == MAILIMF_NO_ERROR) {
		text_walk(file, mm);
		mailmime_free(mm);
	}
	buf_free(b);
}

static void
text_walk(const char *file, struct mailmime *mm)
{
	struct mailmime_content		*ct = mm->mm_content_type;
	struct mailmime_parameter	*p;
	struct mailmime_data		*d;
	clistiter			*it;
	const char			*charset = NULL;
	char				*dec = NULL;
	size_t				 idx = 0, dlen = 0;

	if (mm->mm_type == MAILMIME_MULTIPLE) {
		for (it = clist_begin(mm->mm_data.mm_multipart.mm_mp_list);
		    it != NULL; it = clist_next(it))
			text_walk(file, clist_content(it));
		return;
	}
	if (mm->mm_type == MAILMIME_MESSAGE) {
		if (mm->mm_data.mm_message.mm_msg_mime != NULL)
			text_walk(file, mm->mm_data.mm_message.mm_msg_mime);
		return;
	}
	if (ct != NULL && (ct->ct_type == NULL ||
	    ct->ct_type->tp_type != MAILMIME_TYPE_DISCRETE_TYPE ||
	    ct->ct_type->tp_data.tp_discrete_type->dt_type !=
	    MAILMIME_DISCRETE_TYPE_TEXT))
		return;
	if (ct != NULL)
		for (it = clist_begin(ct->ct_parameters); it != NULL;
		    it = clist_next(it)) {
			p = clist_content(it);
			if (strcasecmp(p->pa_name, "charset") == 0)
				charset = p->pa_value;
		}
	d = mm->mm_data.mm_single;
	if (d == NULL || d->dt_type != MAILMIME_DATA_TEXT)
		return;
	if (mailmime_part_parse(d->dt_data.dt_text.dt_data,
	    d->dt_data.dt_text.dt_length, &idx, d->dt_encoding, &dec,
	    &dlen) != MAILIMF_NO_ERROR)
		return;
	text_check_part(file, charset, dec, dlen);
	mailmime_decoded_part_free(dec);
}

static void
text_check_part(const char *file, const char *charset, const char *in,
    size_t len)
{
	const char	*bad;
	char		*out;
	size_t		 i;

	nparts++;
	if (memchr(in, '\0', len) != NULL || !text_decodable(charset, in,
	    len)) {
		nskipped++;
		return;
	}
	out = charset_to_utf8(charset, in, len, NULL);
	ck_assert_msg(strstr(out, "\xef\xbf\xbd") == NULL,
	    "%s: U+FFFD in a decodable part (charset %s): %.80s", file,
	    charset != NULL ? charset : "none", strstr(out, "\xef\xbf\xbd"));
	bad = text_mojibake(out);
	if (bad != NULL) {
		for (i = 0; i < 40 && bad[i] != '\0'; i++)
			;
		ck_abort_msg("%s: mojibake (charset %s): %.*s", file,
		    charset != NULL ? charset : "none", (int)i, bad);
	}
	free(out);
}

/* Valid UTF-8, or no error in the declared charset or uchardet's. */
static bool
text_decodable(const char *charset, const char *in, size_t len)
{
	uchardet_t	 ud;
	char		 guess[64] = "";
	bool		 ok;

	if (charset_is_utf8(in, len))
		return true;
	if (charset != NULL && text_iconv_clean(charset, in, len))
		return true;
	ud = uchardet_new();
	if (uchardet_handle_data(ud, in, len) == 0) {
		uchardet_data_end(ud);
		(void)snprintf(guess, sizeof(guess), "%s",
		    uchardet_get_charset(ud));
	}
	uchardet_delete(ud);
	ok = guess[0] != '\0' && text_iconv_clean(guess, in, len);
	return ok;
}

static bool
text_iconv_clean(const char *charset, const char *in, size_t len)
{
	char		 out[16384], *ip, *op;
	size_t		 ileft, oleft;
	iconv_t		 cd;
	bool		 clean = true;

	if ((cd = iconv_open("UTF-8", charset)) == (iconv_t)-1)
		return false;
	ip = (char *)(uintptr_t)in;
	ileft = len;
	while (clean && ileft > 0) {
		op = out;
		oleft = sizeof(out);
		if (iconv(cd, &ip, &ileft, &op, &oleft) == (size_t)-1 &&
		    errno != E2BIG)
			clean = false;
	}
	iconv_close(cd);
	return clean;
}

/*
 * The first mojibake in s, or NULL: Â, Ã, Å, Ð or Ñ (the lead bytes of
 * Latin and Cyrillic UTF-8 read as windows-1252/latin-1) followed by a
 * character a continuation byte becomes (U+0080-U+00BF, or windows-
 * 1252's punctuation and letters at 0x80-0x9f).
 */
static const char *
text_mojibake(const char *s)
{
	const unsigned char	*u = (const unsigned char *)s;

	for (; *u != '\0'; u++) {
		if (u[0] != 0xc3 || (u[1] != 0x82 && u[1] != 0x83 &&
		    u[1] != 0x85 && u[1] != 0x90 && u[1] != 0x91))
			continue;
		if ((u[2] == 0xc2 && u[3] >= 0x80 && u[3] <= 0xbf) ||
		    (u[2] == 0xe2 && u[3] == 0x80) || u[2] == 0xc5 ||
		    u[2] == 0xcb || (u[2] == 0xc6 && u[3] == 0x92))
			return (const char *)u;
	}
	return NULL;
}

START_TEST(test_corpus_text)
{
	char	 manifest[4200], line[8192], *tab;
	FILE	*f;
	bool	 header = true;

	if (!text_corpus_find()) {
		printf("corpus not found in %s: skipped\n", corpus_dir);
		return;
	}
	(void)snprintf(manifest, sizeof(manifest), "%s/MANIFEST.tsv",
	    corpus_dir);
	f = fopen(manifest, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (header) {
			header = false;
			continue;
		}
		if ((tab = strchr(line, '\t')) != NULL)
			*tab = '\0';
		if (line[0] != '\0')
			text_check_file(line);
	}
	fclose(f);
	printf("corpus: %zu text parts, %zu not decodable in any charset\n",
	    nparts, nskipped);
	ck_assert_uint_gt(nparts, 0);
}
END_TEST

/* The check itself catches what it is there to catch. */
START_TEST(test_mojibake_caught)
{
	ck_assert_ptr_nonnull(text_mojibake("caf\xc3\x83\xc2\xa9"));
	ck_assert_ptr_nonnull(text_mojibake("\xc3\x90\xc2\xbf"));
	ck_assert_ptr_nonnull(text_mojibake("\xc3\x85\xe2\x80\x9a"));
	ck_assert_ptr_null(text_mojibake("S\xc3\x83o Paulo, caf\xc3\xa9"));
	ck_assert_ptr_null(text_mojibake("\xc3\x85sa"));
}
END_TEST

static Suite *
corpus_text_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("corpus_text");
	tc = tcase_create("decode");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_corpus_text);
	tcase_add_test(tc, test_mojibake_caught);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(corpus_text_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
