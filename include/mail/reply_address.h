/*
 * reply_address: signed reply addresses (DESIGN.md promise 5).  Each
 * notification to an agent carries a Reply-To such as
 *
 *	support+r42.aalice.mhy3kfq2xw6n4d7e@example.test
 *
 * that names the request (42) and the agent ("alice") and carries a
 * truncated HMAC-SHA256 over both.  A reply to it proves "this came from
 * someone who received the notification for alice on request 42"; see
 * src/reply_address.c for the exact format and the threat model.
 */
#ifndef TRIAGED_REPLY_ADDRESS_H
#define TRIAGED_REPLY_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct error;

/* Shortest key we accept; generate 32 random bytes. */
#define REPLY_ADDRESS_KEY_MIN		16
/* RFC 5321 §4.5.3.1.1: a local part holds at most 64 octets. */
#define REPLY_ADDRESS_LOCAL_MAX		64
/* Characters of base32 MAC in an address (16 chars = 80 bits). */
#define REPLY_ADDRESS_MAC_CHARS		16

/*
 * The signed address for agent on request_id under support_addr
 * ("support@example.test"; its local part must not be quoted).  agent is
 * the agent's stable name from the config, 1 to 40 bytes of UTF-8 without
 * control characters; names of lowercase letters, digits, '-' and '_' are
 * written as they are, others base32-encoded (and so must be shorter to
 * fit).  Returns a new string the caller frees, or NULL + err (ERR_PERM)
 * when the key is shorter than REPLY_ADDRESS_KEY_MIN, request_id is 0, an
 * argument is malformed, or the local part would exceed
 * REPLY_ADDRESS_LOCAL_MAX octets.
 */
char	*reply_address_make(const void *key, size_t keylen,
	    const char *support_addr, const char *agent, uint64_t request_id,
	    struct error *err);

/*
 * Does rcpt (an envelope or header address, with or without <>) carry a
 * valid signature for one of the n support_addrs?  Case-insensitive (MTAs
 * may fold case), the MAC compared in constant time.  On success returns
 * true, *agent_out a new string (caller frees) and *request_out the
 * request; both untouched on failure, with the reason in err (ERR_PERM:
 * "not a reply address", "bad signature" ...) for the log.  agent_out or
 * request_out may be NULL.  A too short key never verifies.
 */
bool	 reply_address_verify(const void *key, size_t keylen,
	    const char *const *support_addrs, size_t n, const char *rcpt,
	    char **agent_out, uint64_t *request_out, struct error *err);

/*
 * Has rcpt the shape of one of our signed addresses ("support+r<N>.<agent>.
 * <mac>" at one of support_addrs), valid signature or not?  Lets the
 * caller tell "forged or damaged reply address" (log it, treat the mail as
 * customer mail) from an address that is simply not ours.  No key needed.
 */
bool	 reply_address_is_tagged(const char *const *support_addrs, size_t n,
	    const char *rcpt);

#endif
