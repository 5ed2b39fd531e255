/*
 * fuzz_reply_cut: an agent's reply text through reply_cut() as
 * agent_mail.c calls it: with the default marker, once as relayed and
 * once with REPLY_CUT_SIGNATURE.  The input is made valid UTF-8 first, as
 * mime.c hands bodies on.
 *
 * Checks beyond crashes and leaks: the result is valid UTF-8, no longer
 * than the text, has no leading or trailing line break, never holds our
 * marker (what lies below it is the notification, never for the
 * customer), and the reason is one reply_cut_reason_name() knows.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "reply_cut.h"

/* config_agents.c's default agent_mail.reply_marker. */
#define MARKER	"##- Please type your reply above this line -##"

static void	check_cut(const char *, int);

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
	char *text = fuzz_text(data, size, NULL);

	check_cut(text, 0);
	check_cut(text, REPLY_CUT_SIGNATURE);
	free(text);
	return 0;
}

static void
check_cut(const char *text, int flags)
{
	enum reply_cut_reason	 why = REPLY_CUT_NONE;
	char			*out;
	size_t			 len;

	out = reply_cut(text, MARKER, flags, &why);
	if (out == NULL)
		fuzz_fail("reply_cut returned NULL");
	len = strlen(out);
	fuzz_check_utf8("the cut text", out);
	if (len > strlen(text))
		fuzz_fail("the cut text is longer than the text");
	if (len > 0 && (out[0] == '\n' || out[len - 1] == '\n'))
		fuzz_fail("the cut text starts or ends with a line break");
	if (strstr(out, MARKER) != NULL)
		fuzz_fail("the cut text holds the marker");
	if (reply_cut_reason_name(why) == NULL)
		fuzz_fail("reason %d has no name", (int)why);
	free(out);
}
