/*
 * address: the one rule for an address we write and route (address.h).
 */
#include <stdbool.h>
#include <string.h>

#include "address.h"

/*
 * An address we can put between angle brackets without breaking the
 * header or the SMTP command: printable ASCII, no spaces or brackets.
 */
bool
address_ok(const char *addr)
{
	static const char atext[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~";
	const char *at, *p, *label;
	size_t llen, labels = 0;

	if (addr == NULL || (at = strrchr(addr, '@')) == NULL ||
	    strlen(addr) > 254 || at == addr || at - addr > 64)
		return false;
	/* local part: atoms joined by single dots */
	for (p = addr; p < at; p++) {
		if (*p == '.') {
			if (p == addr || p[1] == '.' || p + 1 == at)
				return false;
		} else if (strchr(atext, *p) == NULL)
			return false;
	}
	/* domain: labels of letters, digits and inner hyphens */
	for (label = at + 1; ; label = p + 1) {
		llen = strspn(label, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");
		p = label + llen;
		if (llen == 0 || llen > 63 || label[0] == '-' ||
		    p[-1] == '-')
			return false;
		labels++;
		if (*p == '\0')
			break;
		if (*p != '.')
			return false;
	}
	return labels >= 2;
}
