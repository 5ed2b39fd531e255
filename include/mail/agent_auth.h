/*
 * agent_auth: does a mail server we trust vouch for an address?  A DKIM
 * or SPF pass for it in an Authentication-Results field (RFC 8601),
 * written by a trusted authserv-id, read from the raw header bytes as
 * they arrived (never RFC 2047 decoded).  Two users: the second proof
 * that a message comes from an agent (DESIGN.md promise 5; the first is
 * a signed reply address, reply_address.h), and
 * acknowledgement.require_auth (only proven senders get an ack).
 * Pure parsing: no config, no database.
 *
 * Such a field is only as good as the stripping the trusted MTA does
 * (RFC 8601 section 5): it removes incoming fields that bear its own
 * authserv-id, but only those its own parser recognises as such.  So a
 * field counts only in the one strict form every stripper reads alike,
 * and only above the first Received field written outside the trust
 * boundary (section 7.1): see agent_auth_field and agent_auth_message.
 */
#ifndef TRIAGED_AGENT_AUTH_H
#define TRIAGED_AGENT_AUTH_H

#include <stdbool.h>
#include <stddef.h>

/* What a field (or a whole header) says about an address; in order. */
enum agent_auth_verdict {
	AGENT_AUTH_NONE,	/* no field of a trusted authserv-id */
	AGENT_AUTH_MALFORMED,	/* a trusted id, but not the strict form */
	AGENT_AUTH_NO_PASS,	/* trusted and readable: no pass for it */
	AGENT_AUTH_DKIM,	/* dkim=pass for the address's domain */
	AGENT_AUTH_SPF		/* spf=pass for the address itself */
};

/* Where the trust boundary is; every pointer borrowed. */
struct agent_auth_trust {
	const char *const	*ids;	/* trusted authserv-ids, exact bytes */
	size_t			 nids;
	const char *const	*hosts;	/* more hosts inside the boundary */
	size_t			 nhosts;
	const char		*self;	/* our hostname, or NULL */
};

/*
 * One Authentication-Results field: value is the raw bytes after the
 * colon up to the end of the field (folding line breaks included, the
 * final one not), len of them; NULs and 8-bit bytes allowed (they make
 * it malformed).  The verdict for addr (NULL: never a pass):
 *
 *   NONE when the value does not start, after optional blanks, with a
 *   bare token (RFC 2045) equal byte for byte to one of the ntrusted
 *   ids: a quoted id, a comment or an encoded-word before it, another
 *   case, a longer name are all somebody else's field.
 *
 *   MALFORMED when it does but the rest is not in the strict form: the
 *   id followed by blanks and an optional version, then ';' (nothing
 *   else before it, not even a comment); results "method=result" with an
 *   optional "reason=value" and "ptype.property=value" pairs, ptype one
 *   of smtp, header, body, policy in lower case; values a word or a
 *   quoted string; blanks or a comment between items (never a comment
 *   glued to a word, never a word glued to a quoted string); no bare CR
 *   or LF, no 8-bit; at most 12 results of 16 properties, 2000 bytes.
 *   OpenDKIM, for one, does not strip a field its parser refuses
 *   (an unknown ptype, a broken comment, a too long value), so such a
 *   field may be an attacker's that crossed the boundary.
 *
 *   DKIM for "dkim=pass" (lower case, no method version) whose header.d,
 *   else the domain of header.i, is addr's domain (any case); SPF for
 *   "spf=pass" whose smtp.mailfrom is addr itself (any case): SPF
 *   vouches only for a domain's servers, which all its users share.
 *   NO_PASS otherwise ("none", fail, another domain, a parent or
 *   sub-domain, a property given twice).
 *
 * Pure and total on any input (the libFuzzer harness calls it).
 */
enum agent_auth_verdict agent_auth_field(const char *value, size_t len,
		    const char *const *trusted, size_t ntrusted,
		    const char *addr);

/*
 * The best verdict of the Authentication-Results fields in the header of
 * the raw message (len bytes, as received: CRLF or LF lines, an mbox
 * "From " line first allowed), walked top-down:
 *   - only a field named exactly "Authentication-Results" (any case)
 *     followed at once by ':' is read; a blank before the colon is not
 *     the same field to every parser, so it is not one;
 *   - the walk stops at the first Received field that t does not place
 *     inside the boundary: its "by" host (after the "from" clause) is
 *     not t->self (our own trace field), one of t->ids, or one of
 *     t->hosts (compared ignoring case).  A trusted field below it was
 *     there before the message crossed the boundary; *below_out (may be
 *     NULL) tells whether there was one;
 *   - the header ends at the first empty line, and at any line that is
 *     neither a field nor its continuation.
 */
enum agent_auth_verdict agent_auth_message(const char *raw, size_t len,
		    const struct agent_auth_trust *t, const char *addr,
		    bool *below_out);

/* "none", "malformed", "no-pass", "dkim", "spf" for the logs. */
const char	*agent_auth_verdict_name(enum agent_auth_verdict);

#endif
