/*
 * test_corpus: every message listed in the shared corpus MANIFEST.tsv
 * (real mail written by others: bounces, auto-replies, odd MIME, broken
 * headers, foreign charsets) through mime_parse.  Promise 4: each one
 * parses, every string is valid UTF-8, and a message without a From
 * address says so in its warning.  Run under the sanitizers this also
 * proves no overread, undefined behaviour or leak on any of them.
 *
 * Each message is parsed a second time behind an mbox "From " line, which
 * makes mime.c rebuild the message for libetpan instead of parsing the
 * bytes in place (its memory saving): both must give the same result.
 *
 * The corpus lives outside the tree ($CORPUS_DIR, else
 * $top_srcdir/../shared/corpus): when it is missing the test is skipped
 * (exit 77), so a tarball build still passes.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "charset.h"
#include "mime.h"

#define CORPUS_SKIP	77

static char	 corpus_dir[4096];

static bool	 corpus_find(void);
static bool	 corpus_read(const char *, struct buf *);
static void	 corpus_check_one(const char *, size_t *, size_t *, size_t *);
static void	 corpus_assert_utf8(const char *, const char *, const char *);
static void	 corpus_assert_same(const char *, const struct parsed_message *,
		    const char *, size_t);

static bool
corpus_find(void)
{
	const char	*dir, *top;
	char		 manifest[4200];
	FILE		*f;
	int		 r;

	dir = getenv("CORPUS_DIR");
	if (dir != NULL && *dir != '\0')
		r = snprintf(corpus_dir, sizeof(corpus_dir), "%s", dir);
	else {
		top = getenv("top_srcdir");
		r = snprintf(corpus_dir, sizeof(corpus_dir), "%s/../shared/corpus",
		    top != NULL && *top != '\0' ? top : ".");
	}
	if (r < 0 || (size_t)r >= sizeof(corpus_dir))
		return false;
	r = snprintf(manifest, sizeof(manifest), "%s/MANIFEST.tsv", corpus_dir);
	if (r < 0 || (size_t)r >= sizeof(manifest) ||
	    (f = fopen(manifest, "r")) == NULL)
		return false;
	fclose(f);
	return true;
}

static bool
corpus_read(const char *path, struct buf *b)
{
	FILE	*f;
	char	 chunk[65536];
	size_t	 n;

	if ((f = fopen(path, "rb")) == NULL)
		return false;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(b, chunk, n);
	fclose(f);
	return true;
}

static void
corpus_assert_utf8(const char *file, const char *what, const char *s)
{
	if (s == NULL)
		return;
	ck_assert_msg(charset_is_utf8(s, strlen(s)), "%s: %s not UTF-8",
	    file, what);
}

/* Parses one corpus file and asserts what every message must satisfy. */
static void
corpus_check_one(const char *file, size_t *warned, size_t *html,
    size_t *attachments)
{
	struct parsed_message	*m;
	struct buf		*b;
	char			 path[8400], *copy;
	size_t			 i;
	int			 r;

	r = snprintf(path, sizeof(path), "%s/%s", corpus_dir, file);
	ck_assert(r > 0 && (size_t)r < sizeof(path));
	b = buf_new();
	ck_assert_msg(corpus_read(path, b), "%s: %s", path, strerror(errno));
	/* An exact-size copy: any read past the end is an ASan error. */
	copy = malloc(b->len > 0 ? b->len : 1);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, b->data, b->len);
	m = mime_parse(copy, b->len);
	free(copy);
	corpus_assert_same(file, m, b->data, b->len);
	buf_free(b);
	ck_assert_msg(m != NULL, "%s: NULL", file);
	ck_assert_msg(m->subject != NULL && m->body != NULL &&
	    m->content_type != NULL, "%s: missing field", file);
	corpus_assert_utf8(file, "subject", m->subject);
	corpus_assert_utf8(file, "body", m->body);
	corpus_assert_utf8(file, "from name", m->from.name);
	corpus_assert_utf8(file, "from addr", m->from.addr);
	corpus_assert_utf8(file, "reply-to", m->reply_to.addr);
	corpus_assert_utf8(file, "warning", m->warning);
	for (i = 0; i < m->nto; i++)
		corpus_assert_utf8(file, "to", m->to[i].addr);
	for (i = 0; i < m->ncc; i++)
		corpus_assert_utf8(file, "cc", m->cc[i].addr);
	for (i = 0; i < m->nheaders; i++)
		corpus_assert_utf8(file, m->headers[i].name,
		    m->headers[i].value);
	for (i = 0; i < m->nattachments; i++)
		corpus_assert_utf8(file, "filename",
		    m->attachments[i].filename);
	ck_assert_msg(m->from.addr != NULL || m->warning != NULL,
	    "%s: no From address and no warning", file);
	*warned += m->warning != NULL;
	*html += m->body_from_html;
	*attachments += m->nattachments;
	mime_free(m);
}

static void
corpus_str_eq(const char *file, const char *what, const char *a,
    const char *b)
{
	ck_assert_msg((a == NULL && b == NULL) || (a != NULL && b != NULL &&
	    strcmp(a, b) == 0), "%s: %s differs in place and rebuilt: %s | %s",
	    file, what, a != NULL ? a : "(null)", b != NULL ? b : "(null)");
}

/* m (parsed in place) equals the parse of raw behind an mbox line. */
static void
corpus_assert_same(const char *file, const struct parsed_message *m,
    const char *raw, size_t len)
{
	static const char	 mbox[] = "From x@example.org Mon Jan  1 "
	    "00:00:00 2024\n";
	struct parsed_message	*r;
	char			*copy;
	size_t			 i;

	/* A message that starts with its own mbox line is rebuilt anyway. */
	if (len >= 5 && memcmp(raw, "From ", 5) == 0)
		return;
	copy = malloc(sizeof(mbox) - 1 + len);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, mbox, sizeof(mbox) - 1);
	memcpy(copy + sizeof(mbox) - 1, raw, len);
	r = mime_parse(copy, sizeof(mbox) - 1 + len);
	free(copy);
	corpus_str_eq(file, "body", m->body, r->body);
	corpus_str_eq(file, "content type", m->content_type, r->content_type);
	corpus_str_eq(file, "subject", m->subject, r->subject);
	corpus_str_eq(file, "warning", m->warning, r->warning);
	ck_assert_msg(m->body_from_html == r->body_from_html, "%s: html",
	    file);
	ck_assert_msg(m->nattachments == r->nattachments, "%s: attachments",
	    file);
	for (i = 0; i < m->nattachments; i++) {
		corpus_str_eq(file, "attachment type",
		    m->attachments[i].content_type,
		    r->attachments[i].content_type);
		corpus_str_eq(file, "filename", m->attachments[i].filename,
		    r->attachments[i].filename);
		ck_assert_msg(m->attachments[i].size == r->attachments[i].size,
		    "%s: attachment %zu size", file, i);
	}
	mime_free(r);
}

START_TEST(test_corpus_all)
{
	char	 manifest[4200], line[8192], *tab;
	FILE	*f;
	size_t	 n = 0, warned = 0, html = 0, attachments = 0;
	bool	 header = true;

	(void)snprintf(manifest, sizeof(manifest), "%s/MANIFEST.tsv",
	    corpus_dir);
	f = fopen(manifest, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (header) {		/* column names */
			header = false;
			continue;
		}
		if ((tab = strchr(line, '\t')) != NULL)
			*tab = '\0';
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		corpus_check_one(line, &warned, &html, &attachments);
		n++;
	}
	fclose(f);
	ck_assert_uint_gt(n, 0);
	printf("corpus: %zu messages parsed, %zu with a warning, "
	    "%zu bodies from HTML, %zu attachments\n", n, warned, html,
	    attachments);
}
END_TEST

int
main(void)
{
	Suite	*s;
	TCase	*tc;
	SRunner	*sr;
	int	 failed;

	if (!corpus_find()) {
		fprintf(stderr, "corpus not found in %s: skipped\n",
		    corpus_dir);
		return CORPUS_SKIP;
	}
	s = suite_create("corpus");
	tc = tcase_create("mime");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_corpus_all);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
