/*
 * fuzz_agent_auth: one Authentication-Results value (RFC 8601) through
 * agent_auth_header_pass(), the second proof of an agent (promise 5),
 * for a fixed agent From and two trusted authserv-ids.  One call on
 * purpose: when the check moves to raw header fields, only that call
 * changes.
 *
 * Checks beyond crashes and leaks: a pass names "dkim" or "spf", and the
 * value holds (in any case) "pass", a trusted authserv-id and the From's
 * domain, without which no reading of the header could vouch for it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent_auth.h"
#include "fuzz.h"

#define FROM	"anna@example.test"

static const char *const trusted[] = { "mx.example.test", "auth.internal" };

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
	const char	*method = NULL;
	char		*value;

	value = fuzz_cstr(data, size);
	if (agent_auth_header_pass(value, trusted, 2, FROM, &method)) {
		if (method == NULL || (strcmp(method, "dkim") != 0 &&
		    strcmp(method, "spf") != 0))
			fuzz_fail("a pass by method %s", method != NULL ?
			    method : "(null)");
		if (strcasestr(value, "pass") == NULL ||
		    strcasestr(value, "example.test") == NULL ||
		    (strcasestr(value, trusted[0]) == NULL &&
		    strcasestr(value, trusted[1]) == NULL))
			fuzz_fail("\"%s\" passes without \"pass\", a trusted "
			    "authserv-id and the From's domain", value);
	}
	free(value);
	return 0;
}
