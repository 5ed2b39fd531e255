/*
 * token: random tokens and digests as lowercase hex, and the comparison
 * of secrets (session ids, CSRF tokens, password hashes) in time that
 * does not depend on where they differ.  One home for what the
 * dashboard and the password check each had a copy of.
 */
#ifndef TRIAGED_TOKEN_H
#define TRIAGED_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

/* The hex of n bytes into out, which holds 2 * n + 1 (NUL-terminated). */
void	token_hex(const void *bytes, size_t n, char *out);
/*
 * n random bytes from the kernel (getrandom) as hex into out (2 * n + 1
 * bytes): true, or false with out "" when the kernel gave none (logged
 * by the caller, who refuses what needed the token).  n at most 64.
 */
bool	token_random_hex(size_t n, char *out);
/*
 * a and b equal, in time that depends on their lengths only (no early
 * exit at the first difference, so a guess learns nothing from the
 * answer's delay).
 */
bool	token_equal(const char *a, const char *b);

#endif
