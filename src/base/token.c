/*
 * token: hex tokens and constant-time comparison (token.h).
 */
#include <sys/random.h>
#include <sys/types.h>

#include <stdbool.h>
#include <string.h>

#include "token.h"

#define TOKEN_MAX_BYTES	64

void
token_hex(const void *bytes, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *b = bytes;
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

bool
token_random_hex(size_t n, char *out)
{
	unsigned char b[TOKEN_MAX_BYTES];

	out[0] = '\0';
	if (n > sizeof(b) || getrandom(b, n, 0) != (ssize_t)n)
		return false;
	token_hex(b, n, out);
	explicit_bzero(b, sizeof(b));
	return true;
}

bool
token_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char d = la != lb;

	for (i = 0; i < la && i < lb; i++)
		d |= (unsigned char)a[i] ^ (unsigned char)b[i];
	return d == 0;
}
