/*
 * address: the one rule for an address we write and route (address.h).
 */
#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "address.h"

static bool	address_utf8(const unsigned char *, size_t);

/*
 * An address we can put between angle brackets without breaking the
 * header or the SMTP command: printable ASCII, no spaces or brackets, or
 * UTF-8 beyond ASCII where RFC 6531 allows it (in atoms and in the
 * labels of the domain, which stay U-labels: the smarthost's SMTPUTF8
 * carries them, see smtp_client.c).
 */
bool
address_ok(const char *addr)
{
	static const char atext[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~";
	const char *at, *p, *label;
	size_t llen, labels = 0;

	if (addr == NULL || (at = strrchr(addr, '@')) == NULL ||
	    strlen(addr) > 254 || at == addr || at - addr > 64 ||
	    !address_utf8((const unsigned char *)addr, strlen(addr)))
		return false;
	/* local part: atoms joined by single dots */
	for (p = addr; p < at; p++) {
		if (*p == '.') {
			if (p == addr || p[1] == '.' || p + 1 == at)
				return false;
		} else if ((unsigned char)*p < 0x80 &&
		    strchr(atext, *p) == NULL)
			return false;
	}
	/* domain: labels of letters, digits, UTF-8 and inner hyphens */
	for (label = at + 1; ; label = p + 1) {
		for (p = label; *p != '\0' && *p != '.'; p++)
			if ((unsigned char)*p < 0x80 && *p != '-' &&
			    !isalnum((unsigned char)*p))
				return false;
		llen = (size_t)(p - label);
		if (llen == 0 || llen > 63 || label[0] == '-' ||
		    p[-1] == '-')
			return false;
		labels++;
		if (*p == '\0')
			break;
	}
	return labels >= 2;
}

/*
 * Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates,
 * nothing above U+10FFFF, no NUL.  Here rather than charset.c's, which
 * lives above base.
 */
static bool
address_utf8(const unsigned char *s, size_t len)
{
	size_t i = 0, n, k;
	unsigned int c;

	while (i < len) {
		c = s[i];
		if (c == 0)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, c &= 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, c &= 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, c &= 0x07;
		else
			return false;
		if (len - i - 1 < n)
			return false;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			c = (c << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
		    (n == 3 && (c < 0x10000 || c > 0x10ffff)))
			return false;
		i += n + 1;
	}
	return true;
}
