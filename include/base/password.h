/*
 * password: the dashboard's password hashes (issue 18), yescrypt through
 * libxcrypt's crypt(3) family: the salt from crypt_gensalt_ra("$y$")
 * with libxcrypt's default cost, which libxcrypt raises as machines
 * get faster.  A hash is the whole "$y$..." string, salt and cost in
 * it, so a hash made with another method libxcrypt knows (bcrypt's
 * "$2b$", sha512crypt's "$6$") verifies as well.
 *
 * Hashing is slow on purpose (tens of milliseconds): never on the event
 * loop's thread.
 */
#ifndef TRIAGED_PASSWORD_H
#define TRIAGED_PASSWORD_H

#include <stdbool.h>

struct error;

/* Passwords shorter than this are refused by triagectl passwd. */
#define PASSWORD_MIN_LEN	8
/* And longer than this (the cost of hashing a megabyte is nobody's). */
#define PASSWORD_MAX_LEN	1024

/*
 * A new hash of password with a fresh random salt: the string (caller
 * frees), or NULL + err (ERR_INTERNAL: no random bytes, or libxcrypt
 * without yescrypt).
 */
char	*password_hash(const char *password, struct error *err);
/*
 * Does password match hash?  hash NULL (no such account) spends the
 * same time on a fixed setting and says false, so that the answer's
 * delay does not tell which accounts exist.  The comparison is in
 * constant time.
 */
bool	 password_verify(const char *password, const char *hash);

#endif
