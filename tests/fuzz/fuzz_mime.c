/*
 * fuzz_mime: one raw message through the parse stage of every intake,
 * pipeline_parse()'s steps (mime_parse, the dedupe key, the
 * automatic-mail verdict) with the built-in default config; the steps
 * are called here one by one because struct pipeline_parsed is opaque.
 * Beyond crashes and leaks it checks mime.h's promise that every string
 * of the parsed message is valid UTF-8, and asks the automatic-mail
 * verdict for the null sender too, the other envelope it sees.
 *
 * Seeds: ../shared/corpus (real mail) and tests/fuzz/seeds/mime/.
 */
#include <stdint.h>
#include <stdlib.h>

#include "automail.h"
#include "config.h"
#include "dedupe.h"
#include "fuzz.h"
#include "mime.h"

/* Read-only after LLVMFuzzerInitialize, as the daemon's config is. */
static struct config *fuzz_cfg;

static void	check_address(const char *, const struct mime_address *);
static void	check_message(const struct parsed_message *);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	if ((fuzz_cfg = config_load(NULL, NULL)) == NULL)
		fuzz_fail("no default config");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct parsed_message	*pm;
	char			 key[DEDUPE_KEY_MAX];

	pm = mime_parse((const char *)data, size);
	dedupe_key(pm, (const char *)data, size, key, sizeof(key));
	fuzz_check_utf8("the dedupe key", key);
	(void)automail_reason(pm, "customer@example.org",
	    fuzz_cfg->support_addresses, fuzz_cfg->nsupport_addresses);
	(void)automail_reason(pm, "", fuzz_cfg->support_addresses,
	    fuzz_cfg->nsupport_addresses);
	check_message(pm);
	(void)mime_header_get(pm, "Authentication-Results");
	mime_free(pm);
	return 0;
}

static void
check_address(const char *what, const struct mime_address *a)
{
	fuzz_check_utf8(what, a->name);
	fuzz_check_utf8(what, a->addr);
}

static void
check_message(const struct parsed_message *pm)
{
	size_t i;

	if (pm == NULL)
		fuzz_fail("mime_parse returned NULL");
	if (pm->subject == NULL || pm->body == NULL)
		fuzz_fail("subject or body is NULL");
	for (i = 0; i < pm->nheaders; i++) {
		if (pm->headers[i].name == NULL ||
		    pm->headers[i].value == NULL)
			fuzz_fail("header %zu has a NULL name or value", i);
		fuzz_check_utf8("a header name", pm->headers[i].name);
		fuzz_check_utf8("a header value", pm->headers[i].value);
	}
	fuzz_check_utf8("message_id", pm->message_id);
	fuzz_check_utf8("in_reply_to", pm->in_reply_to);
	for (i = 0; i < pm->nreferences; i++)
		fuzz_check_utf8("a reference", pm->references[i]);
	fuzz_check_utf8("subject", pm->subject);
	check_address("from", &pm->from);
	check_address("reply_to", &pm->reply_to);
	for (i = 0; i < pm->nto; i++)
		check_address("to", &pm->to[i]);
	for (i = 0; i < pm->ncc; i++)
		check_address("cc", &pm->cc[i]);
	fuzz_check_utf8("content_type", pm->content_type);
	fuzz_check_utf8("body", pm->body);
	for (i = 0; i < pm->nattachments; i++) {
		fuzz_check_utf8("an attachment name",
		    pm->attachments[i].filename);
		fuzz_check_utf8("an attachment type",
		    pm->attachments[i].content_type);
	}
	fuzz_check_utf8("warning", pm->warning);
}
