/*
 * fuzz_reply_address: signed reply addresses (reply_address.c), the first
 * proof of an agent (promise 5).  The input is a recipient as it reaches
 * reply_address_verify() and reply_address_is_tagged(); its first bytes
 * are also an agent name for a round trip through reply_address_make().
 * The seeds hold addresses signed with KEY below, so mutations of valid
 * signatures get tried, not only random text.
 *
 * Checks beyond crashes and leaks: an address that verifies is tagged and
 * holds, in any case, the one spelling make() gives for its agent and
 * request (no second valid form of a pair); what make() gives verifies
 * to the same agent and request, also upper-cased (MTAs fold case), and
 * never under another key.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "fuzz.h"
#include "reply_address.h"
#include "xmalloc.h"

#define KEY		"0123456789abcdef0123456789abcdef"
#define OTHER_KEY	"0123456789abcdef0123456789abcdeF"
#define KEYLEN		(sizeof(KEY) - 1)
#define AGENT_MAX	40

/* As the config holds them: bare and lowercased. */
static const char *const supports[] = {
	"support@example.test",
	"help@example.org"
};
#define NSUPPORTS	(sizeof(supports) / sizeof(supports[0]))

static void	check_verified(const char *, const char *, uint64_t);
static void	check_roundtrip(const char *, uint64_t);

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
	struct error	 err;
	char		*rcpt, *agent = NULL, *name;
	uint64_t	 request = 0;
	bool		 tagged;

	rcpt = fuzz_cstr(data, size);
	tagged = reply_address_is_tagged(supports, NSUPPORTS, rcpt);
	if (reply_address_verify(KEY, KEYLEN, supports, NSUPPORTS, rcpt,
	    &agent, &request, &err)) {
		if (!tagged)
			fuzz_fail("\"%s\" verifies but is not tagged", rcpt);
		check_verified(rcpt, agent, request);
		free(agent);
	}
	(void)reply_address_verify(KEY, KEYLEN, supports, NSUPPORTS, rcpt,
	    NULL, NULL, NULL);
	free(rcpt);

	name = fuzz_text(data, size > AGENT_MAX ? AGENT_MAX : size, NULL);
	check_roundtrip(name, size % 2 == 1 ? UINT64_MAX - size : size + 1);
	free(name);
	return 0;
}

/* rcpt verified as agent on request: it is make()'s spelling. */
static void
check_verified(const char *rcpt, const char *agent, uint64_t request)
{
	struct error	 err;
	char		*made;
	size_t		 i;
	bool		 found = false;

	for (i = 0; i < NSUPPORTS && !found; i++) {
		made = reply_address_make(KEY, KEYLEN, supports[i], agent,
		    request, &err);
		if (made != NULL && strcasestr(rcpt, made) != NULL)
			found = true;
		free(made);
	}
	if (!found)
		fuzz_fail("\"%s\" verifies as %s on %ju but is no address "
		    "make() gives", rcpt, agent, (uintmax_t)request);
}

static void
check_roundtrip(const char *agent, uint64_t request)
{
	struct error	 err;
	char		*made, *got = NULL;
	uint64_t	 req = 0;
	size_t		 i;

	made = reply_address_make(KEY, KEYLEN, supports[request % NSUPPORTS],
	    agent, request, &err);
	if (made == NULL)
		return;
	if (!reply_address_verify(KEY, KEYLEN, supports, NSUPPORTS, made,
	    &got, &req, &err))
		fuzz_fail("\"%s\" made for \"%s\" does not verify: %s", made,
		    agent, err.msg);
	if (strcmp(got, agent) != 0 || req != request)
		fuzz_fail("\"%s\" made for \"%s\" on %ju verifies as \"%s\" "
		    "on %ju", made, agent, (uintmax_t)request, got,
		    (uintmax_t)req);
	free(got);
	if (reply_address_verify(OTHER_KEY, KEYLEN, supports, NSUPPORTS,
	    made, NULL, NULL, NULL))
		fuzz_fail("\"%s\" verifies under another key", made);
	for (i = 0; made[i] != '\0'; i++)
		made[i] = (char)toupper((unsigned char)made[i]);
	if (!reply_address_verify(KEY, KEYLEN, supports, NSUPPORTS, made,
	    NULL, NULL, &err))
		fuzz_fail("\"%s\" upper-cased does not verify: %s", made,
		    err.msg);
	free(made);
}
