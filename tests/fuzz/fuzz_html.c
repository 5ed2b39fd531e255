/*
 * fuzz_html: HTML bodies to text (html.c), as mime.c calls it for a
 * text/html part once the part is converted to UTF-8 (so is the input
 * here).
 *
 * Checks beyond crashes and leaks: the text is valid UTF-8 and grows at
 * most threefold (plus a little): links, list bullets and line breaks add
 * bytes, and a parser that multiplies its input is a memory hazard with
 * 25 MiB bodies (issue 20, the memory budget).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "html.h"

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
	char	*html, *text;
	size_t	 len, out;

	html = fuzz_text(data, size, &len);
	text = html_to_text(html, len);
	if (text == NULL)
		fuzz_fail("html_to_text returned NULL");
	fuzz_check_utf8("the text", text);
	out = strlen(text);
	if (out > 3 * len + 16)
		fuzz_fail("%zu bytes of HTML gave %zu of text", len, out);
	free(text);
	free(html);
	return 0;
}
