/*
 * tls_verify: the peer chain of a libetpan TLS stream, verified with
 * OpenSSL (see tls_verify.h for why).  The handshake already proved that
 * the server holds the leaf's private key, so a chain that verifies to a
 * trusted root with the right name is full verification.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <stddef.h>

#include "error.h"
#include "tls_verify.h"

static int	tls_verify_chain(carray *, const char *, const char *,
		    const char *, struct error *);

int
tls_verify_stream(mailstream *stream, const char *host, const char *ca_file,
    const char *label, struct error *err)
{
	carray *chain;
	int rc;

	chain = mailstream_get_certificate_chain(stream);
	if (chain == NULL || carray_count(chain) == 0) {
		if (chain != NULL)
			mailstream_certificate_chain_free(chain);
		return error_set(err, ERR_TEMP,
		    "%s: no server certificate to verify", label);
	}
	rc = tls_verify_chain(chain, host, ca_file, label, err);
	mailstream_certificate_chain_free(chain);
	return rc;
}

/* chain holds DER certificates, the server's own first. */
static int
tls_verify_chain(carray *chain, const char *host, const char *ca_file,
    const char *label, struct error *err)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	X509_VERIFY_PARAM *param;
	X509 *leaf = NULL, *x;
	const unsigned char *p;
	MMAPString *der;
	unsigned int i;
	int rc = -1, loaded;

	if (store == NULL || ctx == NULL || untrusted == NULL) {
		error_set(err, ERR_INTERNAL, "%s: out of memory", label);
		goto out;
	}
	for (i = 0; i < carray_count(chain); i++) {
		der = carray_get(chain, i);
		p = (const unsigned char *)der->str;
		if ((x = d2i_X509(NULL, &p, (long)der->len)) == NULL)
			continue;
		if (leaf == NULL)
			leaf = x;
		else if (sk_X509_push(untrusted, x) == 0)
			X509_free(x);
	}
	if (ca_file != NULL)
		loaded = X509_STORE_load_file(store, ca_file);
	else
		loaded = X509_STORE_set_default_paths(store);
	if (leaf == NULL || loaded != 1 ||
	    X509_STORE_CTX_init(ctx, store, leaf, untrusted) != 1) {
		error_set(err, ERR_TEMP, "%s: cannot verify the server"
		    " certificate (%s)", label, leaf == NULL ?
		    "unreadable certificate" : "CA store not loaded");
		goto out;
	}
	param = X509_STORE_CTX_get0_param(ctx);
	if (X509_VERIFY_PARAM_set1_ip_asc(param, host) != 1)
		X509_VERIFY_PARAM_set1_host(param, host, 0);
	if (X509_verify_cert(ctx) != 1) {
		error_set(err, ERR_TEMP, "%s: server certificate not trusted:"
		    " %s", label, X509_verify_cert_error_string(
		    X509_STORE_CTX_get_error(ctx)));
		goto out;
	}
	rc = 0;
out:
	X509_free(leaf);
	sk_X509_pop_free(untrusted, X509_free);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return rc;
}

void
tls_verify_sni(struct mailstream_ssl_context *ctx, void *host)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (inet_pton(AF_INET, host, &a4) == 1 ||
	    inet_pton(AF_INET6, host, &a6) == 1)
		return;
	(void)mailstream_ssl_set_server_name(ctx, host);
}
