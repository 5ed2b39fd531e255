/*
 * test_kb (issue 19): the knowledge base answers questions.  The articles
 * of tests/fixtures/kb/articles (English, Polish, Russian) are indexed;
 * every question of tests/fixtures/kb/questions.tsv, written for this
 * test, must find its article first for at least 80 % of them (the hit
 * rate is printed), and mail that is not a question to us (thanks, spam)
 * must get no suggestion at all at the default knowledge_base.min_score.
 * Also: a reload replaces the set, canned answers are found beside the
 * articles, the file format (title, "# ", URL line), files skipped, the
 * stems and the excerpt.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "error.h"
#include "fixture.h"
#include "kb.h"
#include "kb_index.h"

static struct fixture	 fx;
static char		 kbdir[512];

static void
setup(void)
{
	const char *src = getenv("top_srcdir");

	fixture_open(&fx, "test_kb", "canned = { printer_reset = \"Switch "
	    "the printer off and on again, then remove the paper jam.\"; };");
	snprintf(kbdir, sizeof(kbdir), "%s/tests/fixtures/kb",
	    src != NULL ? src : ".");
}

static void
teardown(void)
{
	fixture_close(&fx);
}

static void
load(void)
{
	char dir[600];
	struct kb_set *set;
	struct error err;

	snprintf(dir, sizeof(dir), "%s/articles", kbdir);
	error_clear(&err);
	set = kb_load(dir, fx.cfg, &err);
	ck_assert_msg(set != NULL, "%s", err.msg);
	ck_assert_uint_eq(set->narticles, 24);
	ck_assert_uint_eq(set->n, 25);
	ck_assert_int_eq(kb_index_replace(fx.st, set->entries, set->n, &err),
	    0);
	kb_set_free(set);
}

/* "\n" in the file is a line break */
static void
unescape(char *s)
{
	char *r, *w;

	for (r = w = s; *r != '\0'; r++) {
		if (r[0] == '\\' && r[1] == 'n') {
			*w++ = '\n';
			r++;
		} else
			*w++ = *r;
	}
	*w = '\0';
}

START_TEST(test_questions)
{
	char path[600], line[2048], *want, *subject, *body;
	struct kb_hit *hits;
	struct kb_query q;
	struct error err;
	size_t n, asked = 0, right = 0, unrelated = 0, quiet = 0;
	int low = 1 << 30, high = 0;
	FILE *f;

	load();
	snprintf(path, sizeof(path), "%s/questions.tsv", kbdir);
	ck_assert_msg((f = fopen(path, "r")) != NULL, "%s", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		want = line;
		ck_assert((subject = strchr(want, '\t')) != NULL);
		*subject++ = '\0';
		ck_assert((body = strchr(subject, '\t')) != NULL);
		*body++ = '\0';
		unescape(body);
		/* at score 0 first, for the margins printed at the end */
		ck_assert_int_eq(kb_suggest(fx.st, NULL, subject, body,
		    KB_KIND_ARTICLE, 0, 1, &hits, &n, &err), 0);
		if (n > 0 && strcmp(want, "-") == 0 && hits[0].score > high)
			high = hits[0].score;
		if (n > 0 && strcmp(hits[0].path, want) == 0 &&
		    hits[0].score < low)
			low = hits[0].score;
		kb_index_hits_free(hits, n);
		/* the stems made beforehand, as the parse stage does */
		kb_query_make(&q, subject, body);
		ck_assert_int_eq(kb_suggest(fx.st, &q, NULL, NULL,
		    KB_KIND_ARTICLE, fx.cfg->kb_min_score, 1, &hits, &n, &err),
		    0);
		kb_query_clear(&q);
		if (strcmp(want, "-") == 0) {
			unrelated++;
			if (n == 0)
				quiet++;
			else
				printf("unrelated \"%s\" got %s (score %d)\n",
				    subject, hits[0].path, hits[0].score);
		} else {
			asked++;
			if (n > 0 && strcmp(hits[0].path, want) == 0)
				right++;
			else
				printf("\"%s\" wants %s, got %s (score %d)\n",
				    subject, want, n > 0 ? hits[0].path :
				    "nothing", n > 0 ? hits[0].score : 0);
		}
		kb_index_hits_free(hits, n);
	}
	fclose(f);
	printf("knowledge base: %zu of %zu questions found their article "
	    "first (%.0f %%); %zu of %zu unrelated mails got no suggestion\n",
	    right, asked, 100.0 * (double)right / (double)asked, quiet,
	    unrelated);
	printf("scores: lowest of a right first article %d, highest of an "
	    "unrelated mail %d, min_score %d\n", low, high,
	    fx.cfg->kb_min_score);
	ck_assert_uint_ge(asked, 40);
	ck_assert_uint_ge(unrelated, 4);
	ck_assert_msg(right * 100 >= asked * 80, "hit rate %zu/%zu below 80 %%",
	    right, asked);
	ck_assert_uint_eq(quiet, unrelated);
}
END_TEST

START_TEST(test_reload_and_canned)
{
	static const struct kb_entry one[] = {
		{ KB_KIND_ARTICLE, "x.md", "Żółw care", NULL, "Feed the turtle." }
	};
	struct kb_hit *hits;
	struct error err;
	size_t n;

	load();
	/* the canned answer is found beside the articles, told apart */
	ck_assert_int_eq(kb_suggest(fx.st, NULL, "printer jam", "paper jam in the "
	    "printer", KB_KIND_CANNED, 0, 5, &hits, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(hits[0].path, "printer_reset");
	ck_assert_str_eq(hits[0].title, "printer reset");
	kb_index_hits_free(hits, n);
	ck_assert_int_eq(kb_suggest(fx.st, NULL, "printer jam", "paper jam in the "
	    "printer", NULL, 0, 5, &hits, &n, &err), 0);
	ck_assert_uint_ge(n, 2);
	kb_index_hits_free(hits, n);

	/* a reload is the new set alone */
	ck_assert_int_eq(kb_index_replace(fx.st, one, 1, &err), 0);
	/* SQLite's store alone: fixture_count reads it directly */
	if (getenv("TRIAGED_TEST_DATABASE") == NULL)
		ck_assert_int_eq(fixture_count(fx.st, "SELECT count(*) FROM "
		    "kb_articles"), 1);
	ck_assert_int_eq(kb_suggest(fx.st, NULL, "printer", "printer", NULL, 0, 5,
	    &hits, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(kb_suggest(fx.st, NULL, NULL, "ZOLW", NULL, 0, 5, &hits,
	    &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_ptr_null(hits[0].url);
	kb_index_hits_free(hits, n);
}
END_TEST

START_TEST(test_files)
{
	char path[600];
	struct kb_set *set;
	struct error err;
	FILE *f;

	snprintf(path, sizeof(path), "%s/a.md", fx.dir);
	f = fopen(path, "w");
	fputs("\n#  Title here  \nURL: https://x.test/a  \n\nThe text.\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/b.txt", fx.dir);
	f = fopen(path, "w");
	fputs("Plain title\nNo URL line.\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/c.md", fx.dir);
	f = fopen(path, "w");
	fputs("Bad \xff\xfe bytes\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/d.md", fx.dir);
	f = fopen(path, "w");
	fclose(f);
	set = kb_load(fx.dir, NULL, &err);
	ck_assert_ptr_nonnull(set);
	ck_assert_uint_eq(set->n, 2);
	ck_assert_uint_eq(set->nskipped, 2);
	ck_assert_str_eq(set->entries[0].title, "Title here");
	ck_assert_str_eq(set->entries[0].url, "https://x.test/a");
	ck_assert_str_eq(set->entries[0].path, "a.md");
	ck_assert_ptr_null(set->entries[1].url);
	ck_assert_str_eq(set->entries[1].title, "Plain title");
	ck_assert_str_eq(set->entries[1].body, "No URL line.\n");
	kb_set_free(set);

	error_clear(&err);
	ck_assert_ptr_null(kb_load("/nonexistent/kb", NULL, &err));
	ck_assert_int_eq(err.kind, ERR_PERM);
}
END_TEST

START_TEST(test_stems_excerpt)
{
	char **stems, *e;
	size_t n;

	stems = kb_stems("Thank you! FAKTURY, faktura; ЗАКАЗА «заказ» "
	    "vpn 42 ab hasło", &n);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(stems[0], "faktu");
	ck_assert_str_eq(stems[1], "зака");
	ck_assert_str_eq(stems[2], "vpn");
	ck_assert_str_eq(stems[3], "hasł");
	kb_stems_free(stems, n);

	e = kb_excerpt("\n  First  paragraph\nsame one.\n\nSecond.", 200);
	ck_assert_str_eq(e, "First paragraph same one.");
	free(e);
	e = kb_excerpt("one two three four five six", 10);
	ck_assert_str_eq(e, "one two three...");
	free(e);
}
END_TEST

/*
 * The parse stage's query: stems when the config gives the index
 * something (here canned answers), none without articles or canned
 * answers, where the index is empty.
 */
START_TEST(test_query_for)
{
	struct fixture	 bare;
	struct kb_query	 q;

	kb_query_for(&q, fx.cfg, "Printer jam", "The printer jams.");
	ck_assert_uint_gt(q.n, 0);
	kb_query_clear(&q);
	fixture_open(&bare, "test_kb_bare", NULL);
	kb_query_for(&q, bare.cfg, "Printer jam", "The printer jams.");
	ck_assert_uint_eq(q.n, 0);
	ck_assert_ptr_null(q.stems);
	kb_query_clear(&q);
	fixture_close(&bare);
}
END_TEST

/* The stopwords are bisected: sorted, each once, and each one left out. */
START_TEST(test_stopwords_sorted)
{
	const char *const *w;
	char **stems;
	size_t i, n, ns;

	w = kb_stopword_list(&n);
	ck_assert_uint_gt(n, 300);
	for (i = 1; i < n; i++)
		ck_assert_msg(strcmp(w[i - 1], w[i]) < 0,
		    "stopwords out of order: \"%s\" before \"%s\"", w[i - 1],
		    w[i]);
	for (i = 0; i < n; i++) {
		stems = kb_stems(w[i], &ns);
		ck_assert_msg(ns == 0, "\"%s\" is a stem", w[i]);
		kb_stems_free(stems, ns);
	}
}
END_TEST

static Suite *
kb_suite(void)
{
	Suite *s = suite_create("kb");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_questions);
	tcase_add_test(tc, test_stopwords_sorted);
	tcase_add_test(tc, test_reload_and_canned);
	tcase_add_test(tc, test_files);
	tcase_add_test(tc, test_stems_excerpt);
	tcase_add_test(tc, test_query_for);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(kb_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
