/*
 * address: whether a mail address is one we can write and route.  Below
 * config so that the config can refuse an address it will later send to
 * (agents, digests, notifications), with the same rule compose uses.
 */
#ifndef TRIAGED_ADDRESS_H
#define TRIAGED_ADDRESS_H

#include <stdbool.h>

/*
 * True if addr is an address we can write into a header and an SMTP
 * envelope and expect a mail server to route: local@domain, the local
 * part dot-separated atoms of printable ASCII or UTF-8 (RFC 6531; no
 * quoted strings, at most 64 bytes), the domain at least two
 * dot-separated labels of letters, digits, UTF-8 and inner hyphens (no
 * trailing dot, no literal), 254 bytes in all, valid UTF-8 throughout.  Everything we send to a customer, agent or manager passes here,
 * so one rule decides and a broken From is stored but never answered.
 * NULL is not an address.
 */
bool	 address_ok(const char *addr);

#endif
