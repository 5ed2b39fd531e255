/*
 * cidr: see cidr.h.  inet_pton does the parsing, so every form the C
 * library accepts for a numeric address is accepted, and nothing else.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cidr.h"

static bool	cidr_address(const char *, int *, unsigned char *);

const char *
cidr_parse(const char *text, struct cidr *out)
{
	char addr[INET6_ADDRSTRLEN + 1], *end;
	const char *slash;
	size_t len;
	long bits;

	memset(out, 0, sizeof(*out));
	slash = strchr(text, '/');
	len = slash != NULL ? (size_t)(slash - text) : strlen(text);
	if (len == 0 || len >= sizeof(addr))
		return "not an IPv4 or IPv6 address";
	memcpy(addr, text, len);
	addr[len] = '\0';
	if (!cidr_address(addr, &out->family, out->addr))
		return "not an IPv4 or IPv6 address";
	out->bits = out->family == AF_INET ? 32 : 128;
	if (slash == NULL)
		return NULL;
	errno = 0;
	bits = strtol(slash + 1, &end, 10);
	if (slash[1] < '0' || slash[1] > '9' || *end != '\0' || errno != 0 ||
	    bits < 0 || bits > out->bits)
		return out->family == AF_INET ?
		    "prefix length must be 0 to 32" :
		    "prefix length must be 0 to 128";
	out->bits = (int)bits;
	return NULL;
}

bool
cidr_contains(const struct cidr *c, const char *text)
{
	static const unsigned char mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};
	unsigned char a[16];
	int family, full, rest;

	if (!cidr_address(text, &family, a))
		return false;
	if (family == AF_INET6 && memcmp(a, mapped, sizeof(mapped)) == 0) {
		memmove(a, a + 12, 4);
		family = AF_INET;
	}
	if (family != c->family)
		return false;
	full = c->bits / 8;
	rest = c->bits % 8;
	if (memcmp(a, c->addr, (size_t)full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((a[full] ^ c->addr[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}

bool
cidr_canonical(const char *text, char *out, size_t size)
{
	static const unsigned char mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};
	unsigned char a[16];
	int family;

	if (size > 0)
		out[0] = '\0';
	if (text == NULL || !cidr_address(text, &family, a))
		return false;
	if (family == AF_INET6 && memcmp(a, mapped, sizeof(mapped)) == 0) {
		memmove(a, a + 12, 4);
		family = AF_INET;
	}
	if (inet_ntop(family, a, out, (socklen_t)size) == NULL) {
		if (size > 0)
			out[0] = '\0';
		return false;
	}
	return true;
}

static bool
cidr_address(const char *text, int *family, unsigned char *out)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (inet_pton(AF_INET, text, &a4) == 1) {
		*family = AF_INET;
		memcpy(out, &a4, 4);
		return true;
	}
	if (inet_pton(AF_INET6, text, &a6) == 1) {
		*family = AF_INET6;
		memcpy(out, &a6, 16);
		return true;
	}
	return false;
}
