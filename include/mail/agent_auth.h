/*
 * agent_auth: the second proof that a message comes from an agent
 * (DESIGN.md promise 5; the first is a signed reply address,
 * reply_address.h): a DKIM or SPF pass for the From address, reported in
 * an Authentication-Results header (RFC 8601) by a mail server we trust.
 * Pure parsing: no config, no database.
 */
#ifndef TRIAGED_AGENT_AUTH_H
#define TRIAGED_AGENT_AUTH_H

#include <stdbool.h>
#include <stddef.h>

struct parsed_message;

/*
 * Does an Authentication-Results header of pm, added by one of the
 * ntrusted authserv-ids in trusted (compared ignoring ASCII case), report
 * dkim=pass with header.d (else header.i) naming exactly the domain of
 * from, or spf=pass with smtp.mailfrom equal to the whole address from?
 * Headers of any other authserv-id are ignored: anybody can write one.
 * SPF vouches only for a domain's servers, so a bare-domain
 * smtp.mailfrom never counts (any user of that server could have sent
 * it).  *method_out (may be NULL) gets "dkim" or "spf" on true.
 *
 * This is only sound when the trusted server removes headers bearing its
 * own authserv-id from incoming mail (RFC 8601 section 5), as OpenDKIM,
 * OpenDMARC, rspamd and Exim do when configured to; README says so.
 */
bool	agent_auth_pass(const struct parsed_message *pm,
	    const char *const *trusted, size_t ntrusted, const char *from,
	    const char **method_out);

/*
 * The same for one header value (unfolded), for the unit tests and for
 * callers holding the value alone.
 */
bool	agent_auth_header_pass(const char *value, const char *const *trusted,
	    size_t ntrusted, const char *from, const char **method_out);

#endif
