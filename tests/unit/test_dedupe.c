/*
 * test_dedupe: the same message redelivered (more Received lines, CRLF
 * instead of LF, an mbox From line) gets the same key; a usable
 * Message-ID is the key; different messages get different keys.  With
 * CORPUS_DIR set, every corpus message keeps its key through CRLF
 * conversion and an extra hop.
 */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dedupe.h"
#include "mime.h"

static const char base_msg[] =
    "From: Alice <alice@example.org>\n"
    "To: support@example.test\n"
    "Subject: printer\n"
    "Date: Tue, 17 Dec 2019 11:53:10 +0900\n"
    "\n"
    "It is on fire.\n";

/* base_msg after two hops, a spam filter and an mbox separator, in CRLF. */
static const char hopped_msg[] =
    "From MAILER-DAEMON Tue Dec 17 11:53:10 2019\r\n"
    "Return-Path: <alice@example.org>\r\n"
    "Delivered-To: support@example.test\r\n"
    "X-Original-To: support@example.test\r\n"
    "Received: from mx2.example.test (mx2.example.test [192.0.2.2])\r\n"
    "\tby mx.example.test (Postfix) with ESMTP id 823515E041B\r\n"
    "\tfor <support@example.test>; Tue, 17 Dec 2019 02:53:09 +0000\r\n"
    "X-Received: by 10.0.0.1 with SMTP id x;\r\n"
    "        Tue, 17 Dec 2019 02:53:09 +0000\r\n"
    "Received-SPF: pass (example.org: 192.0.2.9 is permitted)\r\n"
    "Authentication-Results: mx.example.test; spf=pass\r\n"
    "ARC-Seal: i=1; a=rsa-sha256; t=1; cv=none\r\n"
    "X-Envelope-From: <alice@example.org>\r\n"
    "X-Spam-Status: No, score=-1.0\r\n"
    "X-Virus-Scanned: clamav\r\n"
    "received: from a (a [192.0.2.9]) by mx2\r\n"
    "From: Alice <alice@example.org>\r\n"
    "To: support@example.test\r\n"
    "Subject: printer\r\n"
    "Date: Tue, 17 Dec 2019 11:53:10 +0900\r\n"
    "\r\n"
    "It is on fire.\r\n";

static void
key_of(const char *mid, const char *raw, size_t len, char *out)
{
	struct parsed_message	pm;

	memset(&pm, 0, sizeof(pm));
	pm.message_id = (char *)mid;
	memset(out, 'x', DEDUPE_KEY_MAX);
	dedupe_key(&pm, raw, len, out, DEDUPE_KEY_MAX);
}

static void
key_str(const char *mid, const char *raw, char *out)
{
	key_of(mid, raw, strlen(raw), out);
}

START_TEST(test_mid_key)
{
	static const struct { const char *mid, *want; } cases[] = {
		{ "abc@example.org", "mid:abc@example.org" },
		{ "  abc@example.org\t", "mid:abc@example.org" },
		{ "<abc@example.org>", "mid:abc@example.org" },
		{ "ABC@Example.ORG", "mid:ABC@Example.ORG" },
		{ "x", "mid:x" },
		{ "ключ@пример.рф", "mid:ключ@пример.рф" },
	};
	char	key[DEDUPE_KEY_MAX];
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		key_str(cases[i].mid, base_msg, key);
		ck_assert_str_eq(key, cases[i].want);
	}
}
END_TEST

START_TEST(test_unusable_mid_digests)
{
	static const char *const bad[] = { NULL, "", "   ", "<>",
	    "a b@example.org", "a\tb@x", "a\x01@x", "a\x7f@x", "a\r\nb@x" };
	char	want[DEDUPE_KEY_MAX], key[DEDUPE_KEY_MAX];
	size_t	i;

	dedupe_key(NULL, base_msg, strlen(base_msg), want, sizeof(want));
	ck_assert(strncmp(want, "sha256:", 7) == 0);
	ck_assert_uint_eq(strlen(want), 7 + 64);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		key_str(bad[i], base_msg, key);
		ck_assert_str_eq(key, want);
	}
}
END_TEST

START_TEST(test_mid_length_limit)
{
	char	mid[902], key[DEDUPE_KEY_MAX];

	memset(mid, 'a', 900);
	mid[900] = '\0';
	key_str(mid, base_msg, key);
	ck_assert(strncmp(key, "mid:aaa", 7) == 0);
	ck_assert_uint_eq(strlen(key), 4 + 900);
	mid[900] = 'a';
	mid[901] = '\0';
	key_str(mid, base_msg, key);
	ck_assert(strncmp(key, "sha256:", 7) == 0);
}
END_TEST

/* Known SHA-256 vectors: nothing is skipped from a message without trace. */
START_TEST(test_known_digest)
{
	char	key[DEDUPE_KEY_MAX];

	key_str(NULL, "abc", key);
	ck_assert_str_eq(key, "sha256:"
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	key_of(NULL, "", 0, key);
	ck_assert_str_eq(key, "sha256:"
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	key_of(NULL, NULL, 0, key);
	ck_assert_str_eq(key, "sha256:"
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	key_str(NULL, "Received: x\r\nabc", key);
	ck_assert_str_eq(key, "sha256:"
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
END_TEST

START_TEST(test_redelivery_same_key)
{
	char	a[DEDUPE_KEY_MAX], b[DEDUPE_KEY_MAX];
	char	*crlf;
	size_t	i, j, len;

	key_str(NULL, base_msg, a);
	key_str(NULL, hopped_msg, b);
	ck_assert_str_eq(a, b);
	/* base_msg in CRLF, no trace at all. */
	len = strlen(base_msg);
	crlf = malloc(2 * len + 1);
	for (i = j = 0; i < len; i++) {
		if (base_msg[i] == '\n')
			crlf[j++] = '\r';
		crlf[j++] = base_msg[i];
	}
	crlf[j] = '\0';
	key_str(NULL, crlf, b);
	ck_assert_str_eq(a, b);
	free(crlf);
}
END_TEST

START_TEST(test_different_messages_differ)
{
	static const char *const variants[] = {
		/* other body */
		"From: Alice <alice@example.org>\nTo: support@example.test\n"
		"Subject: printer\nDate: Tue, 17 Dec 2019 11:53:10 +0900\n\n"
		"It is on fire again.\n",
		/* other subject */
		"From: Alice <alice@example.org>\nTo: support@example.test\n"
		"Subject: Printer\nDate: Tue, 17 Dec 2019 11:53:10 +0900\n\n"
		"It is on fire.\n",
		/* a trace header below an author header is content */
		"From: Alice <alice@example.org>\nReceived: x\n"
		"To: support@example.test\n"
		"Subject: printer\nDate: Tue, 17 Dec 2019 11:53:10 +0900\n\n"
		"It is on fire.\n",
		/* a lone CR is not a line end */
		"From: Alice <alice@example.org>\nTo: support@example.test\n"
		"Subject: printer\nDate: Tue, 17 Dec 2019 11:53:10 +0900\n\n"
		"It is on fire.\r",
		/* no final newline */
		"From: Alice <alice@example.org>\nTo: support@example.test\n"
		"Subject: printer\nDate: Tue, 17 Dec 2019 11:53:10 +0900\n\n"
		"It is on fire.",
	};
	char	a[DEDUPE_KEY_MAX], b[DEDUPE_KEY_MAX];
	size_t	i;

	key_str(NULL, base_msg, a);
	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		key_str(NULL, variants[i], b);
		ck_assert_msg(strcmp(a, b) != 0, "variant %zu collides", i);
	}
}
END_TEST

/* Names that only look like trace headers are content. */
START_TEST(test_trace_names_exact)
{
	static const char *const lookalikes[] = {
		"Receivedx: a\n", "Received by: a\n", "Return-Path-X: a\n",
		"X-Envelope: a\n", "ARC: a\n", "Received\n",
	};
	char	a[DEDUPE_KEY_MAX], b[DEDUPE_KEY_MAX], *msg;
	size_t	i;

	key_str(NULL, base_msg, a);
	for (i = 0; i < sizeof(lookalikes) / sizeof(lookalikes[0]); i++) {
		if (asprintf(&msg, "%s%s", lookalikes[i], base_msg) < 0)
			ck_abort();
		key_str(NULL, msg, b);
		ck_assert_msg(strcmp(a, b) != 0, "\"%s\" was skipped",
		    lookalikes[i]);
		free(msg);
	}
}
END_TEST

/* Binary-safe: NULs count, and only len bytes are read. */
START_TEST(test_binary)
{
	static const char	raw[] = "Subject: a\n\nx\0y";
	char			a[DEDUPE_KEY_MAX], b[DEDUPE_KEY_MAX];
	char			*copy;

	key_of(NULL, raw, sizeof(raw) - 1, a);
	key_of(NULL, raw, sizeof(raw) - 3, b);
	ck_assert_str_ne(a, b);
	/* exactly len bytes, no NUL after them: ASan catches an overread */
	copy = malloc(sizeof(raw) - 1);
	memcpy(copy, raw, sizeof(raw) - 1);
	key_of(NULL, copy, sizeof(raw) - 1, b);
	ck_assert_str_eq(a, b);
	free(copy);
	copy = malloc(9);
	memcpy(copy, "Received:", 9);	/* a header cut short */
	key_of(NULL, copy, 9, b);
	ck_assert(strncmp(b, "sha256:", 7) == 0);
	memcpy(copy, "Received\r", 9);
	key_of(NULL, copy, 9, b);
	free(copy);
}
END_TEST

static char *
slurp(const char *path, size_t *len_out)
{
	FILE	*f;
	char	*data = NULL;
	size_t	 cap = 0, len = 0, n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	do {
		if (len == cap) {
			cap = cap ? 2 * cap : 65536;
			data = realloc(data, cap);
		}
		n = fread(data + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	*len_out = len;
	return data;
}

/* Every bare LF of raw as CRLF: what an SMTP hop makes of a file. */
static char *
to_crlf(const char *raw, size_t len, size_t *len_out)
{
	char	*out = malloc(2 * len + 1);
	size_t	 i, j;

	for (i = j = 0; i < len; i++) {
		if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r'))
			out[j++] = '\r';
		out[j++] = raw[i];
	}
	*len_out = j;
	return out;
}

static void
corpus_key(const char *raw, size_t len, char *out)
{
	struct parsed_message	*pm = mime_parse(raw, len);

	dedupe_key(pm, raw, len, out, DEDUPE_KEY_MAX);
	mime_free(pm);
}

/*
 * Every corpus message keeps its key through CRLF conversion and one
 * more hop (through mime_parse, as the pipeline does it).
 */
START_TEST(test_corpus_redelivery)
{
	static const char	 hop[] = "Received: from mx9.example.test "
	    "(mx9 [192.0.2.99])\r\n\tby mx.example.test; Tue, 17 Dec 2019 "
	    "02:53:09 +0000\r\nDelivered-To: support@example.test\r\n";
	const char		*dir = getenv("CORPUS_DIR");
	char			 path[4096], line[8192], *tab, *raw, *crlf,
				*hopped;
	char			 k1[DEDUPE_KEY_MAX], k2[DEDUPE_KEY_MAX],
				 k3[DEDUPE_KEY_MAX];
	size_t			 len, clen, from_line;
	const char		*nl;
	FILE			*mf;
	int			 mids = 0, digests = 0;

	snprintf(path, sizeof(path), "%s/MANIFEST.tsv", dir);
	ck_assert_msg((mf = fopen(path, "r")) != NULL, "%s", path);
	ck_assert(fgets(line, sizeof(line), mf) != NULL);
	while (fgets(line, sizeof(line), mf) != NULL) {
		if ((tab = strchr(line, '\t')) == NULL)
			continue;
		*tab = '\0';
		if (snprintf(path, sizeof(path), "%s/%s", dir, line) >=
		    (int)sizeof(path))
			ck_abort_msg("path too long: %s", line);
		ck_assert_msg((raw = slurp(path, &len)) != NULL, "%s", path);
		crlf = to_crlf(raw, len, &clen);
		/* The hop goes below an mbox "From " line, as a real one. */
		from_line = 0;
		if (clen >= 5 && memcmp(crlf, "From ", 5) == 0 &&
		    (nl = memchr(crlf, '\n', clen)) != NULL)
			from_line = (size_t)(nl - crlf) + 1;
		hopped = malloc(sizeof(hop) + clen);
		memcpy(hopped, crlf, from_line);
		memcpy(hopped + from_line, hop, sizeof(hop) - 1);
		memcpy(hopped + from_line + sizeof(hop) - 1, crlf + from_line,
		    clen - from_line);
		corpus_key(raw, len, k1);
		corpus_key(crlf, clen, k2);
		corpus_key(hopped, sizeof(hop) - 1 + clen, k3);
		ck_assert_msg(strcmp(k1, k2) == 0, "%s: CRLF changes the key "
		    "%s -> %s", line, k1, k2);
		/*
		 * A message starting with a blank (bad-header-start.raw) is
		 * not a message until a hop's header above it turns its
		 * first line into a continuation: the key may change then.
		 */
		ck_assert_msg(strcmp(k1, k3) == 0 || raw[0] == ' ' ||
		    raw[0] == '\t', "%s: a hop changes the key %s -> %s",
		    line, k1, k3);
		if (strncmp(k1, "mid:", 4) == 0)
			mids++;
		else
			digests++;
		free(hopped);
		free(crlf);
		free(raw);
	}
	fclose(mf);
	fprintf(stderr, "dedupe corpus: %d by Message-ID, %d by digest\n",
	    mids, digests);
}
END_TEST

static Suite *
dedupe_suite(void)
{
	Suite	*s = suite_create("dedupe");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_mid_key);
	tcase_add_test(tc, test_unusable_mid_digests);
	tcase_add_test(tc, test_mid_length_limit);
	tcase_add_test(tc, test_known_digest);
	tcase_add_test(tc, test_redelivery_same_key);
	tcase_add_test(tc, test_different_messages_differ);
	tcase_add_test(tc, test_trace_names_exact);
	tcase_add_test(tc, test_binary);
	suite_add_tcase(s, tc);
	/* The corpus part runs under make check (CORPUS_DIR set). */
	if (getenv("CORPUS_DIR") != NULL && *getenv("CORPUS_DIR") != '\0') {
		tc = tcase_create("corpus");
		tcase_set_timeout(tc, 120);
		tcase_add_test(tc, test_corpus_redelivery);
		suite_add_tcase(s, tc);
	}
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(dedupe_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
