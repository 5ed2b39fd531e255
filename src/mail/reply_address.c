/*
 * reply_address: signed reply addresses, the first of the two proofs that
 * a message acts as an agent (DESIGN.md promise 5; the other, a trusted
 * Authentication-Results pass, lives in agent_auth.c).  This file only
 * makes and checks addresses; it knows nothing of tickets or the config.
 *
 * Format.  For the support address "support@example.test":
 *
 *	support+r42.aalice.mhy3kfq2xw6n4d7e@example.test
 *	<base> +r<request>.<agent>.<mac>   @<domain>
 *
 *   - <request>: the request number in decimal, no leading zero, so the
 *     agent can read it ("r42" is "[#42]");
 *   - <agent>: 'a' + the agent's name when it is only lowercase ASCII
 *     letters, digits, '-' and '_' (the common case, readable); otherwise
 *     'b' + the name's UTF-8 bytes in base32.  Exactly one spelling is
 *     valid for each name ('b' of a name that could be written with 'a' is
 *     refused, base32 with non-zero padding bits is refused), so nobody can
 *     derive a second valid address from one they hold;
 *   - <mac>: the first 80 bits of HMAC-SHA256(key, M) in lowercase base32
 *     (RFC 4648 alphabet, no padding: 16 characters), where
 *     M = "triaged-reply-v1" NUL, agent length (4 bytes big-endian),
 *     agent bytes, request (8 bytes big-endian).  The fixed prefix
 *     separates this use of the key from any other; the length field makes
 *     the encoding of (agent, request) unambiguous.
 * Everything after '+' is lowercase so that MTAs that fold the case of
 * local parts (some do, RFC 5321 notwithstanding) do not break it;
 * verification folds the whole address before parsing.  The local part
 * stays within the 64 octets of RFC 5321 §4.5.3.1.1, or make refuses.
 *
 * Threat model.  The attacker can send us any mail with any From, knows
 * this format and the agents' names, and may hold genuine reply addresses
 * (e.g. a notification forwarded to them, or an old one).  Goals we stop:
 *   - acting as an agent with a forged From: without the key no valid MAC
 *     can be computed; a guess succeeds with probability 2^-80 per try,
 *     and every try is one SMTP transaction we log;
 *   - turning a genuine address into another one (other request, other
 *     agent, other spelling): the MAC covers both fields and each pair has
 *     exactly one textual form;
 *   - learning the MAC byte by byte from response timing: the comparison
 *     is CRYPTO_memcmp, constant-time in the MAC's content.
 * Not stopped, by design: an address is a bearer token for its (agent,
 * request) pair and does not expire, because agents answer weeks later.
 * Whoever holds a notification can act as that agent on that request only.
 * Rotating the key revokes every address at once (a caller may verify
 * against the old key too during a changeover).  Callers should also
 * require the From to be one of the agent's addresses when they can
 * (defence in depth), and must keep the key out of logs and mail.
 */

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "config.h"
#include "error.h"
#include "reply_address.h"
#include "xmalloc.h"

_Static_assert(REPLY_ADDRESS_KEY_MIN == CONFIG_KEY_MIN,
    "config must refuse the keys signing refuses");

/* Longest agent name, in bytes. */
#define AGENT_MAX	40
/* Bytes of HMAC kept: 80 bits, 16 base32 characters. */
#define MAC_BYTES	10
/* Domain separation for the key: bump the version to change the MAC. */
#define MAC_CONTEXT	"triaged-reply-v1"

/* One address taken apart: local part and domain, without brackets. */
struct addr_parts {
	const char	*local;
	size_t		 locallen;
	const char	*domain;
	size_t		 domainlen;
};

/* The "+r42.aalice.<mac>" part of an address, decoded. */
struct reply_tag {
	uint64_t	 request;
	char		 agent[AGENT_MAX + 1];
	size_t		 agentlen;
	char		 mac[REPLY_ADDRESS_MAC_CHARS + 1];
};

static bool	 split_address(const char *, struct addr_parts *);
static bool	 find_tag(const char *const *, size_t, const char *,
		    char *, struct reply_tag *, struct error *);
static bool	 parse_tag(const char *, size_t, struct reply_tag *);
static const char *parse_request(const char *, const char *, uint64_t *);
static bool	 parse_agent(const char *, size_t, struct reply_tag *);
static bool	 agent_is_plain(const char *, size_t);
static bool	 agent_is_valid(const char *, size_t);
static size_t	 base32_encode(const uint8_t *, size_t, char *);
static bool	 base32_decode(const char *, size_t, uint8_t *, size_t,
		    size_t *);
static bool	 compute_mac(const void *, size_t, const char *, size_t,
		    uint64_t, char *);
static size_t	 format_tag(const char *, uint64_t, const char *, char *,
		    size_t);
static bool	 ascii_eq_fold(const char *, const char *, size_t);

static const char base32_alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

char *
reply_address_make(const void *key, size_t keylen, const char *support_addr,
    const char *agent, uint64_t request_id, struct error *err)
{
	struct addr_parts	 a;
	char			 mac[REPLY_ADDRESS_MAC_CHARS + 1];
	char			 tag[REPLY_ADDRESS_LOCAL_MAX + 1];
	char			*out;
	size_t			 agentlen, taglen;

	if (key == NULL || keylen < REPLY_ADDRESS_KEY_MIN) {
		error_set(err, ERR_PERM, "reply address key shorter than %d "
		    "bytes", REPLY_ADDRESS_KEY_MIN);
		return NULL;
	}
	if (request_id == 0) {
		error_set(err, ERR_PERM, "reply address for request 0");
		return NULL;
	}
	agentlen = agent == NULL ? 0 : strlen(agent);
	if (!agent_is_valid(agent, agentlen)) {
		error_set(err, ERR_PERM, "agent name unusable in a reply "
		    "address (1-%d bytes of UTF-8, no control characters)",
		    AGENT_MAX);
		return NULL;
	}
	if (support_addr == NULL || !split_address(support_addr, &a)) {
		error_set(err, ERR_PERM, "support address is not an address");
		return NULL;
	}
	if (!compute_mac(key, keylen, agent, agentlen, request_id, mac)) {
		error_set(err, ERR_INTERNAL, "HMAC-SHA256 failed");
		return NULL;
	}
	taglen = format_tag(agent, request_id, mac, tag, sizeof(tag));
	if (taglen == 0 || a.locallen + 1 + taglen > REPLY_ADDRESS_LOCAL_MAX) {
		error_set(err, ERR_PERM, "reply address local part would "
		    "exceed %d octets (shorten the agent name or the support "
		    "address)", REPLY_ADDRESS_LOCAL_MAX);
		return NULL;
	}
	xasprintf(&out, "%.*s+%s@%.*s", (int)a.locallen, a.local, tag,
	    (int)a.domainlen, a.domain);
	return out;
}

bool
reply_address_verify(const void *key, size_t keylen,
    const char *const *support_addrs, size_t n, const char *rcpt,
    char **agent_out, uint64_t *request_out, struct error *err)
{
	struct reply_tag	 t;
	char			 local[REPLY_ADDRESS_LOCAL_MAX + 1];
	char			 want[REPLY_ADDRESS_MAC_CHARS + 1];

	if (!find_tag(support_addrs, n, rcpt, local, &t, err))
		return false;
	if (key == NULL || keylen < REPLY_ADDRESS_KEY_MIN) {
		error_set(err, ERR_PERM, "no usable reply address key");
		return false;
	}
	if (!compute_mac(key, keylen, t.agent, t.agentlen, t.request, want)) {
		error_set(err, ERR_INTERNAL, "HMAC-SHA256 failed");
		return false;
	}
	/* Constant time: a timing oracle must not reveal a correct prefix. */
	if (CRYPTO_memcmp(want, t.mac, REPLY_ADDRESS_MAC_CHARS) != 0) {
		error_set(err, ERR_PERM, "bad signature in reply address");
		return false;
	}
	if (agent_out != NULL)
		*agent_out = xstrndup(t.agent, t.agentlen);
	if (request_out != NULL)
		*request_out = t.request;
	return true;
}

bool
reply_address_is_tagged(const char *const *support_addrs, size_t n,
    const char *rcpt)
{
	struct reply_tag	 t;
	char			 local[REPLY_ADDRESS_LOCAL_MAX + 1];

	return find_tag(support_addrs, n, rcpt, local, &t, NULL);
}

/*
 * Finds which support address rcpt extends and decodes its tag into t.
 * local (REPLY_ADDRESS_LOCAL_MAX + 1 bytes) receives the case-folded local
 * part that t's fields were read from.
 */
static bool
find_tag(const char *const *support_addrs, size_t n, const char *rcpt,
    char *local, struct reply_tag *t, struct error *err)
{
	struct addr_parts	 r, s;
	size_t			 i;

	if (rcpt == NULL || !split_address(rcpt, &r) ||
	    r.locallen > REPLY_ADDRESS_LOCAL_MAX) {
		error_set(err, ERR_PERM, "not a reply address");
		return false;
	}
	for (i = 0; i < r.locallen; i++)
		local[i] = (char)tolower((unsigned char)r.local[i]);
	local[r.locallen] = '\0';
	for (i = 0; i < n; i++) {
		if (support_addrs[i] == NULL ||
		    !split_address(support_addrs[i], &s))
			continue;
		if (s.domainlen != r.domainlen ||
		    !ascii_eq_fold(s.domain, r.domain, s.domainlen))
			continue;
		if (s.locallen + 1 >= r.locallen ||
		    !ascii_eq_fold(s.local, local, s.locallen) ||
		    local[s.locallen] != '+')
			continue;
		if (parse_tag(local + s.locallen + 1,
		    r.locallen - s.locallen - 1, t))
			return true;
	}
	error_set(err, ERR_PERM, "not a reply address");
	return false;
}

/*
 * Takes "Name <local@domain>", "<local@domain>" or "local@domain" apart.
 * Quoted local parts, blanks and control characters inside are refused:
 * we never make them, so they are never ours.
 */
static bool
split_address(const char *addr, struct addr_parts *p)
{
	const char	*start, *end, *at, *c;

	if ((start = strrchr(addr, '<')) != NULL) {
		start++;
		if ((end = strchr(start, '>')) == NULL)
			return false;
	} else {
		start = addr;
		while (*start == ' ' || *start == '\t')
			start++;
		end = start + strlen(start);
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
	}
	at = NULL;
	for (c = start; c < end; c++) {
		if ((unsigned char)*c <= ' ' || *c == 0x7f || *c == '"' ||
		    *c == '<' || *c == '>')
			return false;
		if (*c == '@')
			at = c;
	}
	if (at == NULL || at == start || at + 1 == end)
		return false;
	p->local = start;
	p->locallen = (size_t)(at - start);
	p->domain = at + 1;
	p->domainlen = (size_t)(end - at - 1);
	return true;
}

/* "r42.aalice.<mac>" (already lowercase) into t; false unless canonical. */
static bool
parse_tag(const char *s, size_t len, struct reply_tag *t)
{
	const char	*end = s + len, *p, *dot;

	if (len < 1 || *s != 'r')
		return false;
	if ((p = parse_request(s + 1, end, &t->request)) == NULL || *p != '.')
		return false;
	p++;
	if ((dot = memchr(p, '.', (size_t)(end - p))) == NULL)
		return false;
	if (!parse_agent(p, (size_t)(dot - p), t))
		return false;
	p = dot + 1;
	if ((size_t)(end - p) != REPLY_ADDRESS_MAC_CHARS)
		return false;
	for (dot = p; dot < end; dot++)
		if (strchr(base32_alphabet, *dot) == NULL || *dot == '\0')
			return false;
	memcpy(t->mac, p, REPLY_ADDRESS_MAC_CHARS);
	t->mac[REPLY_ADDRESS_MAC_CHARS] = '\0';
	return true;
}

/* Decimal request number, > 0, no leading zero, no overflow; end or NULL. */
static const char *
parse_request(const char *p, const char *end, uint64_t *out)
{
	uint64_t	 v = 0;
	unsigned	 d;

	if (p >= end || *p < '1' || *p > '9')
		return NULL;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return NULL;
		v = v * 10 + d;
	}
	*out = v;
	return p;
}

/* 'a' + plain name or 'b' + base32 name, exactly the spelling make uses. */
static bool
parse_agent(const char *p, size_t len, struct reply_tag *t)
{
	if (len < 2)
		return false;
	if (*p == 'a') {
		if (len - 1 > AGENT_MAX || !agent_is_plain(p + 1, len - 1))
			return false;
		memcpy(t->agent, p + 1, len - 1);
		t->agentlen = len - 1;
	} else if (*p == 'b') {
		if (!base32_decode(p + 1, len - 1, (uint8_t *)t->agent,
		    AGENT_MAX, &t->agentlen))
			return false;
		if (agent_is_plain(t->agent, t->agentlen) ||
		    !agent_is_valid(t->agent, t->agentlen))
			return false;
	} else
		return false;
	t->agent[t->agentlen] = '\0';
	return true;
}

static bool
agent_is_plain(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return false;
	return true;
}

/* 1..AGENT_MAX bytes of well-formed UTF-8 without control characters. */
static bool
agent_is_valid(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i, k, n;

	if (s == NULL || len == 0 || len > AGENT_MAX)
		return false;
	for (i = 0; i < len; i += n) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			return false;
		if (p[i] < 0x80)
			n = 1;
		else if (p[i] >= 0xc2 && p[i] <= 0xdf)
			n = 2;
		else if (p[i] >= 0xe0 && p[i] <= 0xef)
			n = 3;
		else if (p[i] >= 0xf0 && p[i] <= 0xf4)
			n = 4;
		else
			return false;
		if (i + n > len)
			return false;
		for (k = 1; k < n; k++)
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
		/* Overlongs and surrogates: as in RFC 3629 §4. */
		if ((p[i] == 0xe0 && p[i + 1] < 0xa0) ||
		    (p[i] == 0xed && p[i + 1] > 0x9f) ||
		    (p[i] == 0xf0 && p[i + 1] < 0x90) ||
		    (p[i] == 0xf4 && p[i + 1] > 0x8f))
			return false;
		if (n == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0)
			return false;	/* C1 controls */
	}
	return true;
}

/* "r42.aalice.<mac>" into out; its length, or 0 if it does not fit. */
static size_t
format_tag(const char *agent, uint64_t request, const char *mac, char *out,
    size_t outsz)
{
	char	 enc[(AGENT_MAX * 8 + 4) / 5 + 1];
	size_t	 len;
	int	 r;

	if (agent_is_plain(agent, strlen(agent)))
		r = snprintf(out, outsz, "r%llu.a%s.%s",
		    (unsigned long long)request, agent, mac);
	else {
		len = base32_encode((const uint8_t *)agent, strlen(agent), enc);
		enc[len] = '\0';
		r = snprintf(out, outsz, "r%llu.b%s.%s",
		    (unsigned long long)request, enc, mac);
	}
	if (r < 0 || (size_t)r >= outsz)
		return 0;
	return (size_t)r;
}

static bool
compute_mac(const void *key, size_t keylen, const char *agent,
    size_t agentlen, uint64_t request, char *out)
{
	uint8_t		 msg[sizeof(MAC_CONTEXT) + 4 + AGENT_MAX + 8];
	uint8_t		 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0;
	size_t		 len = 0;
	int		 i;

	if (agentlen > AGENT_MAX || keylen > INT32_MAX)
		return false;
	memcpy(msg, MAC_CONTEXT, sizeof(MAC_CONTEXT));	/* with its NUL */
	len = sizeof(MAC_CONTEXT);
	for (i = 3; i >= 0; i--)
		msg[len++] = (uint8_t)(agentlen >> (i * 8));
	memcpy(msg + len, agent, agentlen);
	len += agentlen;
	for (i = 7; i >= 0; i--)
		msg[len++] = (uint8_t)(request >> (i * 8));
	if (HMAC(EVP_sha256(), key, (int)keylen, msg, len, md, &mdlen) ==
	    NULL || mdlen < MAC_BYTES)
		return false;
	out[base32_encode(md, MAC_BYTES, out)] = '\0';
	OPENSSL_cleanse(md, sizeof(md));
	return true;
}

/* RFC 4648 base32, lowercase, unpadded; returns characters written. */
static size_t
base32_encode(const uint8_t *in, size_t len, char *out)
{
	uint32_t	 acc = 0;
	size_t		 i, n = 0;
	int		 bits = 0;

	for (i = 0; i < len; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			out[n++] = base32_alphabet[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[n++] = base32_alphabet[(acc << (5 - bits)) & 31];
	return n;
}

/*
 * Strict inverse of base32_encode: lowercase alphabet only, a length that
 * encode can produce, zero padding bits (so each value has one spelling).
 */
static bool
base32_decode(const char *in, size_t len, uint8_t *out, size_t outmax,
    size_t *outlen)
{
	const char	*c;
	uint32_t	 acc = 0;
	size_t		 i, n = 0;
	int		 bits = 0;

	if (len % 8 == 1 || len % 8 == 3 || len % 8 == 6)
		return false;
	for (i = 0; i < len; i++) {
		if (in[i] == '\0' ||
		    (c = strchr(base32_alphabet, in[i])) == NULL)
			return false;
		acc = (acc << 5) | (uint32_t)(c - base32_alphabet);
		bits += 5;
		if (bits >= 8) {
			if (n == outmax)
				return false;
			out[n++] = (uint8_t)(acc >> (bits - 8));
			bits -= 8;
		}
		acc &= (1u << bits) - 1;
	}
	if (acc != 0)
		return false;
	*outlen = n;
	return true;
}

/* ASCII case-insensitive comparison; b is expected already folded or not. */
static bool
ascii_eq_fold(const char *a, const char *b, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (tolower((unsigned char)a[i]) !=
		    tolower((unsigned char)b[i]))
			return false;
	return true;
}
