/*
 * password: yescrypt hashes through libxcrypt (password.h).
 */
#include <crypt.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "password.h"
#include "token.h"
#include "xmalloc.h"

/*
 * A yescrypt setting at libxcrypt's default cost, for accounts without
 * a hash: the same work as a real verification, never a match.
 */
#define PASSWORD_DUMMY_SETTING	"$y$j9T$F5Jx5fExrKuPp53xLKQ..0"

char *
password_hash(const char *password, struct error *err)
{
	char *setting, *hash, *out;
	void *data = NULL;
	int size = 0;

	/* NULL random bytes: libxcrypt reads them from the kernel itself */
	if ((setting = crypt_gensalt_ra("$y$", 0, NULL, 0)) == NULL) {
		error_set(err, ERR_INTERNAL,
		    "cannot make a yescrypt salt (libxcrypt without $y$?)");
		return NULL;
	}
	hash = crypt_ra(password, setting, &data, &size);
	free(setting);
	if (hash == NULL || hash[0] == '*') {
		free(data);
		error_set(err, ERR_INTERNAL, "crypt failed");
		return NULL;
	}
	out = xstrdup(hash);
	explicit_bzero(data, (size_t)size);
	free(data);
	return out;
}

bool
password_verify(const char *password, const char *hash)
{
	void *data = NULL;
	int size = 0;
	char *got;
	bool ok;

	got = crypt_ra(password, hash != NULL ? hash :
	    PASSWORD_DUMMY_SETTING, &data, &size);
	ok = hash != NULL && got != NULL && got[0] != '*' &&
	    token_equal(got, hash);
	if (data != NULL)
		explicit_bzero(data, (size_t)size);
	free(data);
	return ok;
}
