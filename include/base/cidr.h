/*
 * cidr: IP networks written as "192.0.2.0/24", "2001:db8::/32" or a bare
 * address (a network of one), and whether a client address lies in one.
 * For the exemptions of the per-client rate limit (ack.c), checked in the
 * config (config_schema.c).
 */
#ifndef TRIAGED_CIDR_H
#define TRIAGED_CIDR_H

#include <stdbool.h>
#include <stddef.h>

struct cidr {
	int		family;		/* AF_INET or AF_INET6 */
	unsigned char	addr[16];	/* network byte order */
	int		bits;		/* prefix length */
};

/*
 * Parses text into *out.  NULL on success, else a constant saying what is
 * wrong ("not an IPv4 or IPv6 address", ...).  Bits below the prefix
 * need not be zero ("10.1.2.3/8" is 10.0.0.0/8).
 */
const char	*cidr_parse(const char *text, struct cidr *out);
/*
 * True if addr, a numeric IPv4 or IPv6 address as getnameinfo writes it,
 * lies in c.  An IPv4-mapped IPv6 address (::ffff:192.0.2.1, an IPv4
 * client on a dual-stack listener) counts as its IPv4 address.
 */
bool		 cidr_contains(const struct cidr *c, const char *addr);
/*
 * Writes addr's canonical text into out (an IPv4-mapped IPv6 address as
 * IPv4), so that one client is counted under one name.  False if addr is
 * not a numeric address (out is then "").
 */
bool		 cidr_canonical(const char *addr, char *out, size_t size);

#endif
