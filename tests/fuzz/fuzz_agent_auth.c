/*
 * fuzz_agent_auth: Authentication-Results (RFC 8601), the second proof of
 * an agent (promise 5) and the proof acknowledgement.require_auth asks
 * for.  The input is one field's raw value for agent_auth_field(), for a
 * fixed agent address and two trusted authserv-ids; it is also handed to
 * agent_auth_message() as a raw header, the walk the pipeline does.
 *
 * Checks beyond crashes and leaks, from agent_auth.h: a DKIM or SPF pass
 * from agent_auth_field() needs the value to start (after blanks) with a
 * trusted id byte for byte, then a blank or ';' (a quoted id, an escape,
 * a comment, another case, a longer name are somebody else's field), and
 * to hold "pass" and the address's domain; every verdict has a name.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent_auth.h"
#include "fuzz.h"

#define ADDR	"anna@example.test"

static const char *const trusted[] = { "mx.example.test", "auth.internal" };
#define NTRUSTED	(sizeof(trusted) / sizeof(trusted[0]))

static bool	starts_with_trusted(const uint8_t *, size_t);
static bool	holds(const uint8_t *, size_t, const char *);

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
	static const char *const hosts[] = { "relay.internal" };
	struct agent_auth_trust	 t = { trusted, NTRUSTED, hosts, 1,
				    "triaged.example.test" };
	enum agent_auth_verdict	 v;
	bool			 below = false;

	v = agent_auth_field((const char *)data, size, trusted, NTRUSTED,
	    ADDR);
	if (agent_auth_verdict_name(v) == NULL)
		fuzz_fail("verdict %d has no name", (int)v);
	if ((v == AGENT_AUTH_DKIM || v == AGENT_AUTH_SPF) &&
	    (!starts_with_trusted(data, size) || !holds(data, size, "pass") ||
	    !holds(data, size, "example.test")))
		fuzz_fail("\"%.*s\" is a %s pass without a trusted id first, "
		    "\"pass\" and the domain", (int)size, (const char *)data,
		    agent_auth_verdict_name(v));

	v = agent_auth_message((const char *)data, size, &t, ADDR, &below);
	if (agent_auth_verdict_name(v) == NULL)
		fuzz_fail("verdict %d has no name", (int)v);
	if ((v == AGENT_AUTH_DKIM || v == AGENT_AUTH_SPF) &&
	    !holds(data, size, "authentication-results:"))
		fuzz_fail("a %s pass from a header without the field",
		    agent_auth_verdict_name(v));
	return 0;
}

/* After blanks, one of trusted, then a blank, ';' or the end. */
static bool
starts_with_trusted(const uint8_t *data, size_t size)
{
	size_t	 i = 0, j, len;

	while (i < size && (data[i] == ' ' || data[i] == '\t' ||
	    data[i] == '\r' || data[i] == '\n'))
		i++;
	for (j = 0; j < NTRUSTED; j++) {
		len = strlen(trusted[j]);
		if (size - i >= len && memcmp(data + i, trusted[j], len) == 0 &&
		    (size - i == len || data[i + len] == ' ' ||
		    data[i + len] == '\t' || data[i + len] == ';' ||
		    data[i + len] == '\r' || data[i + len] == '\n'))
			return true;
	}
	return false;
}

/* The input holds word, ignoring ASCII case. */
static bool
holds(const uint8_t *data, size_t size, const char *word)
{
	size_t	 i, j, len = strlen(word);

	for (i = 0; i + len <= size; i++) {
		for (j = 0; j < len; j++) {
			uint8_t c = data[i + j];

			if (c >= 'A' && c <= 'Z')
				c = (uint8_t)(c - 'A' + 'a');
			if (c != (uint8_t)word[j])
				break;
		}
		if (j == len)
			return true;
	}
	return false;
}
