/*
 * fuzz_subject_token: finding, stripping and putting the request token in
 * decoded subjects (subject_token.c).  The input is a subject, or a
 * format line holding "{n}" then a newline and the subject; a format
 * that subject_token_new() refuses (as the config would) falls back to
 * the default "[#{n}]".  Both are made valid UTF-8 first, as mime.c
 * hands subjects on.
 *
 * Checks beyond crashes and leaks: whatever the subject, the subject we
 * would send (subject_token_apply) carries our number where
 * subject_token_find() sees it first, so a reply to our mail threads to
 * its request; results stay valid UTF-8.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "fuzz.h"
#include "subject_token.h"

static void	check_apply(const struct subject_token *, const char *,
		    uint64_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t	 ids[] = { 1, 42, 9999999, UINT64_MAX };
	struct subject_token	*tok = NULL;
	struct error		 err;
	char			*text, *subject, *format = NULL, *nl, *s;
	uint64_t		 found = 0;
	size_t			 i;

	text = fuzz_text(data, size, NULL);
	subject = text;
	if ((nl = strchr(text, '\n')) != NULL) {
		*nl = '\0';
		if (strstr(text, "{n}") != NULL) {
			format = text;
			subject = nl + 1;
		} else
			*nl = '\n';
	}
	if (format != NULL)
		tok = subject_token_new(format, &err);
	if (tok == NULL && (tok = subject_token_new(NULL, &err)) == NULL)
		fuzz_fail("the default format: %s", err.msg);

	if (subject_token_find(tok, subject, &found) && found == 0)
		fuzz_fail("found request 0");
	s = subject_token_strip_prefixes(subject);
	fuzz_check_utf8("stripped subject", s);
	if (strlen(s) > strlen(subject))
		fuzz_fail("stripping made the subject longer");
	free(s);
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		check_apply(tok, subject, ids[i]);
	if (found != 0)
		check_apply(tok, subject, found);
	if (subject_token_fold_prefix(subject, "автоответ") > strlen(subject) ||
	    subject_token_fold_prefix(subject, "réponse automatique") >
	    strlen(subject))
		fuzz_fail("fold_prefix beyond the subject");

	subject_token_free(tok);
	free(text);
	return 0;
}

static void
check_apply(const struct subject_token *tok, const char *subject,
    uint64_t id)
{
	char		*out;
	uint64_t	 again = 0;

	out = subject_token_apply(tok, subject, id);
	fuzz_check_utf8("applied subject", out);
	if (!subject_token_find(tok, out, &again) || again != id)
		fuzz_fail("subject_token_apply(\"%s\", %ju) = \"%s\" finds "
		    "%ju", subject, (uintmax_t)id, out, (uintmax_t)again);
	free(out);
}
