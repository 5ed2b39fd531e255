/*
 * http_intake: POST /api/v1/requests (http_intake.h).
 *
 * The JSON is parsed by jansson (duplicate keys refused), every field
 * checked before anything is built, and an unknown field is an error
 * rather than ignored, so a client's typo ("subjetc") is found at once
 * instead of losing the subject.  The message is then composed as if the
 * customer had mailed the support address: From the given address and
 * name, To our first support address, a Message-ID derived from the
 * source and the idempotency key (so a repeat is the store's own
 * duplicate, promise 2, even across a restart), the attachments as
 * MIME parts.  Nothing is stored on any refusal: the job is made only
 * once the request passed every check.
 *
 * POST /form/NAME takes a website's HTML form (urlencoded) the same way,
 * its fields mapped by http.forms; a filled honeypot field (a field the
 * page hides from people) is answered as a success and stored nowhere,
 * so the robot learns nothing.  After it, the browser is sent on to the
 * form's redirect page (303), or gets a short page naming the request.
 *
 * The acknowledgement goes by mail to the given address, limited like
 * any other (per address, per sender); the client address limit is
 * left out: every request of a source comes from the same web server,
 * which its token vouches for.
 */
#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "address.h"
#include "buf.h"
#include "clock.h"
#include "compose.h"
#include "config.h"
#include "config_http.h"
#include "http_intake.h"
#include "http_server.h"
#include "intake.h"
#include "log.h"
#include "store_writer.h"
#include "token.h"
#include "xmalloc.h"

#define HTTP_INTAKE_JSON	"application/json"
#define HTTP_INTAKE_MAX_PARTS	32

/* A source's (or a form client's) posts in its current minute. */
struct http_intake_rate {
	char		*key;
	time_t		 window;	/* its first post */
	int		 count;
};

struct http_intake {
	struct store_writer	*writer;
	struct http_intake_rate	*rates;
	size_t			 nrates;
};

/* A request that passed the checks, as compose takes it. */
struct http_intake_req {
	const char		*from, *name, *subject, *text, *channel, *key;
	struct compose_part	 parts[HTTP_INTAKE_MAX_PARTS];
	size_t			 nparts;
	unsigned char		*data[HTTP_INTAKE_MAX_PARTS];
};

struct http_intake_wait {
	struct http_server	*srv;
	struct evhttp_request	*req;
	bool			 form;
	char			*redirect;	/* NULL: a page */
};

static void	http_intake_post(struct http_server *,
		    struct evhttp_request *, void *);
static const struct config_http_source *http_intake_auth(
		    struct http_server *, struct evhttp_request *,
		    const struct config *);
static bool	http_intake_rate_ok(struct http_intake *, const char *key,
		    int limit);
static bool	http_intake_origin_in(char *const *, size_t,
		    struct evhttp_request *);
static void	http_intake_form(struct http_server *,
		    struct evhttp_request *, void *);
static int	http_intake_form_read(struct evhttp_request *,
		    struct evkeyvalq *, char *, size_t);
static void	http_intake_submit(struct http_intake *,
		    struct http_server *, struct evhttp_request *,
		    const struct config *, const char *scope,
		    const struct http_intake_req *,
		    const struct config_http_form *);
static void	http_intake_form_error(struct http_server *,
		    struct evhttp_request *, int, const char *);
static int	http_intake_parse(json_t *, struct http_intake_req *,
		    const char *source, char *why, size_t);
static int	http_intake_string(json_t *, const char *, const char **,
		    size_t, char *, size_t);
static int	http_intake_parts(json_t *, struct http_intake_req *, char *,
		    size_t);
static unsigned char *http_intake_base64(const char *, size_t, size_t *);
static bool	http_intake_channel_ok(const char *);
static struct buf *http_intake_compose(const struct config *,
		    const char *scope,
		    const struct http_intake_req *, struct error *);
static void	http_intake_done(struct intake_job *, void *);
static void	http_intake_form_done(struct intake_job *,
		    struct http_intake_wait *);
static void	http_intake_error(struct http_server *,
		    struct evhttp_request *, int, const char *);
static void	http_intake_req_clear(struct http_intake_req *);

struct http_intake *
http_intake_new(void)
{
	return xcalloc(1, sizeof(struct http_intake));
}

void
http_intake_set_writer(struct http_intake *hi, struct store_writer *w)
{
	hi->writer = w;
}

void
http_intake_routes(struct http_intake *hi, struct http_server *srv)
{
	http_server_route(srv, "/api/v1/requests", HTTP_POST,
	    http_intake_post, hi);
	http_server_route(srv, "/form/", HTTP_POST, http_intake_form, hi);
}

void
http_intake_free(struct http_intake *hi)
{
	size_t i;

	if (hi == NULL)
		return;
	for (i = 0; i < hi->nrates; i++)
		free(hi->rates[i].key);
	free(hi->rates);
	free(hi);
}

/*
 * The checks in the order that tells a client most: who (401), from
 * where (403), how often (429), then what (400); evhttp refused an
 * oversized body already (413).
 */
static void
http_intake_post(struct http_server *srv, struct evhttp_request *req,
    void *arg)
{
	struct http_intake *hi = arg;
	struct config *cfg = config_current();
	const struct config_http_source *src;
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	struct http_intake_req r;
	json_error_t jerr;
	json_t *doc = NULL;
	char why[256], *key;
	size_t len = evbuffer_get_length(in);

	memset(&r, 0, sizeof(r));
	if ((src = http_intake_auth(srv, req, cfg)) == NULL)
		goto out;
	if (!http_intake_origin_in(src->origins, src->norigins, req)) {
		http_intake_error(srv, req, 403, "origin not allowed");
		goto out;
	}
	if (hi->writer == NULL) {
		http_intake_error(srv, req, 503, "not ready, try again later");
		goto out;
	}
	xasprintf(&key, "source:%s", src->name);
	if (!http_intake_rate_ok(hi, key, src->rate_limit)) {
		free(key);
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Retry-After", "60");
		http_intake_error(srv, req, 429, "rate limit reached");
		goto out;
	}
	free(key);
	doc = json_loadb(len > 0 ? (const char *)evbuffer_pullup(in, -1) : "",
	    len, JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL) {
		snprintf(why, sizeof(why), "malformed JSON: %s (line %d)",
		    jerr.text, jerr.line);
		http_intake_error(srv, req, 400, why);
		goto out;
	}
	if (http_intake_parse(doc, &r, src->name, why, sizeof(why)) == -1) {
		http_intake_error(srv, req, 400, why);
		goto out;
	}
	http_intake_submit(hi, srv, req, cfg, src->name, &r, NULL);
out:
	http_intake_req_clear(&r);
	if (doc != NULL)
		json_decref(doc);
	config_unref(cfg);
}

/* RFC 6750: "Authorization: Bearer TOKEN"; 401 with a challenge else. */
static const struct config_http_source *
http_intake_auth(struct http_server *srv, struct evhttp_request *req,
    const struct config *cfg)
{
	const char *h = evhttp_find_header(evhttp_request_get_input_headers(
	    req), "Authorization");
	const struct config_http_source *src = NULL;

	if (h != NULL && strncasecmp(h, "Bearer ", 7) == 0)
		src = config_http_source_by_token(cfg, h + 7 +
		    strspn(h + 7, " "));
	if (src == NULL) {
		log_info("http: /api/v1/requests from %s: bad or missing "
		    "token", http_server_peer(req));
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "WWW-Authenticate", "Bearer realm=\"triaged\"");
		http_intake_error(srv, req, 401, "bad or missing bearer token");
	}
	return src;
}

/*
 * A browser names the page's origin; a server posting for a form sends
 * none.  With origins listed, a browser's must be one of them; without,
 * no browser may post (its page would hold the token for anyone).
 */
static bool
http_intake_origin_in(char *const *origins, size_t n,
    struct evhttp_request *req)
{
	const char *origin = evhttp_find_header(
	    evhttp_request_get_input_headers(req), "Origin");
	size_t i;

	if (origin == NULL)
		return true;
	for (i = 0; i < n; i++)
		if (strcasecmp(origin, origins[i]) == 0)
			return true;
	return false;
}

/*
 * A window of a minute per key (a source, a form and a client address)
 * from the key's first post in it, so a burst is not split in two by a
 * minute boundary.  Keys whose window passed are dropped as new posts
 * come, so the table holds the last minute's clients at most.
 */
static bool
http_intake_rate_ok(struct http_intake *hi, const char *key, int limit)
{
	time_t now = clock_now();
	struct http_intake_rate *r = NULL;
	size_t i, kept = 0;

	if (limit == 0)
		return true;
	for (i = 0; i < hi->nrates; i++) {
		if (now - hi->rates[i].window >= 60 ||
		    now < hi->rates[i].window) {
			free(hi->rates[i].key);
			continue;
		}
		hi->rates[kept++] = hi->rates[i];
	}
	hi->nrates = kept;
	for (i = 0; i < hi->nrates && r == NULL; i++)
		if (strcmp(hi->rates[i].key, key) == 0)
			r = &hi->rates[i];
	if (r == NULL) {
		hi->rates = xreallocarray(hi->rates, hi->nrates + 1,
		    sizeof(*hi->rates));
		r = &hi->rates[hi->nrates++];
		r->key = xstrdup(key);
		r->window = now;
		r->count = 0;
	}
	if (r->count >= limit)
		return false;
	r->count++;
	return true;
}

/*
 * POST /form/NAME: origin (403), size (413), rate per client (429), the
 * honeypot, then the fields (400); the same intake as the JSON.
 */
static void
http_intake_form(struct http_server *srv, struct evhttp_request *req,
    void *arg)
{
	struct http_intake *hi = arg;
	struct config *cfg = config_current();
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	const struct config_http_form *f;
	struct http_intake_req r;
	struct evkeyvalq kv;
	char why[256], *key;
	const char *v;

	TAILQ_INIT(&kv);
	memset(&r, 0, sizeof(r));
	f = path != NULL ? config_http_form(cfg, path + strlen("/form/")) :
	    NULL;
	if (f == NULL) {
		http_server_reply(srv, req, 404, NULL, "not found\n", 10);
		goto out;
	}
	if (!http_intake_origin_in(f->origins, f->norigins, req)) {
		http_intake_form_error(srv, req, 403, "origin not allowed");
		goto out;
	}
	if (evbuffer_get_length(evhttp_request_get_input_buffer(req)) >
	    f->max_size) {
		http_intake_form_error(srv, req, 413, "the form is too large");
		goto out;
	}
	xasprintf(&key, "form:%s:%s", f->name, http_server_peer(req));
	if (!http_intake_rate_ok(hi, key, f->rate_limit)) {
		free(key);
		http_intake_form_error(srv, req, 429, "too many posts, please "
		    "try again in a minute");
		goto out;
	}
	free(key);
	if (hi->writer == NULL) {
		http_intake_form_error(srv, req, 503, "try again later");
		goto out;
	}
	if (http_intake_form_read(req, &kv, why, sizeof(why)) == -1) {
		http_intake_form_error(srv, req, 400, why);
		goto out;
	}
	if (f->honeypot != NULL && (v = evhttp_find_header(&kv,
	    f->honeypot)) != NULL && *v != '\0') {
		log_info("http: form %s from %s: honeypot filled, dropped",
		    f->name, http_server_peer(req));
		if (f->redirect != NULL)
			evhttp_add_header(evhttp_request_get_output_headers(
			    req), "Location", f->redirect);
		http_intake_form_error(srv, req, f->redirect != NULL ? 303 :
		    200, NULL);
		goto out;
	}
	r.from = evhttp_find_header(&kv, f->from);
	r.text = evhttp_find_header(&kv, f->text);
	r.name = f->name_field != NULL ? evhttp_find_header(&kv,
	    f->name_field) : NULL;
	r.subject = f->subject != NULL ? evhttp_find_header(&kv,
	    f->subject) : NULL;
	r.channel = f->name;
	if (r.from == NULL || !address_ok(r.from) || r.text == NULL ||
	    (r.name != NULL && strpbrk(r.name, "\r\n") != NULL) ||
	    (r.subject != NULL && strpbrk(r.subject, "\r\n") != NULL)) {
		http_intake_form_error(srv, req, 400, "please give a valid "
		    "email address and a message");
		goto out;
	}
	xasprintf(&key, "form-%s", f->name);
	http_intake_submit(hi, srv, req, cfg, key, &r, f);
	free(key);
out:
	evhttp_clear_headers(&kv);
	config_unref(cfg);
}

/* The urlencoded body ('+' is a space, RFC 1866 8.2.1) into kv. */
static int
http_intake_form_read(struct evhttp_request *req, struct evkeyvalq *kv,
    char *why, size_t len)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t n = evbuffer_get_length(in), i;
	char *body = xmalloc(n + 1);
	int rc;

	evbuffer_copyout(in, body, n);
	body[n] = '\0';
	for (i = 0; i < n; i++)
		if (body[i] == '+')
			body[i] = ' ';
	rc = strlen(body) != n || evhttp_parse_query_str(body, kv) != 0 ?
	    -1 : 0;
	free(body);
	if (rc == -1)
		snprintf(why, len, "the form data is not urlencoded");
	return rc;
}

static int
http_intake_parse(json_t *doc, struct http_intake_req *r, const char *source,
    char *why, size_t len)
{
	static const char *const known[] = {
		"from", "name", "subject", "text", "attachments", "channel",
		"idempotency_key", NULL
	};
	const char *key;
	json_t *v;
	size_t i;

	if (!json_is_object(doc)) {
		snprintf(why, len, "the body must be a JSON object");
		return -1;
	}
	json_object_foreach(doc, key, v) {
		for (i = 0; known[i] != NULL && strcmp(key, known[i]) != 0; i++)
			continue;
		if (known[i] == NULL) {
			snprintf(why, len, "unknown field \"%.64s\"", key);
			return -1;
		}
	}
	if (http_intake_string(doc, "from", &r->from, 320, why, len) == -1 ||
	    http_intake_string(doc, "name", &r->name, 256, why, len) == -1 ||
	    http_intake_string(doc, "subject", &r->subject, 998, why,
	    len) == -1 ||
	    http_intake_string(doc, "text", &r->text, (size_t)-1, why,
	    len) == -1 ||
	    http_intake_string(doc, "channel", &r->channel, 64, why,
	    len) == -1 ||
	    http_intake_string(doc, "idempotency_key", &r->key, 256, why,
	    len) == -1)
		return -1;
	if (r->from == NULL || !address_ok(r->from)) {
		snprintf(why, len, "\"from\" must be an email address");
		return -1;
	}
	if (r->text == NULL) {
		snprintf(why, len, "\"text\" is required");
		return -1;
	}
	if (r->channel == NULL)
		r->channel = source;
	if (!http_intake_channel_ok(r->channel)) {
		snprintf(why, len, "\"channel\" must be letters, digits, "
		    "\"_\", \".\" or \"-\"");
		return -1;
	}
	return http_intake_parts(json_object_get(doc, "attachments"), r, why,
	    len);
}

/*
 * A string member (absent: NULL), without NUL (jansson allows \u0000)
 * and, but for the text, without line breaks: it goes into a header.
 */
static int
http_intake_string(json_t *doc, const char *key, const char **out,
    size_t max, char *why, size_t len)
{
	json_t *v = json_object_get(doc, key);
	size_t n;

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		snprintf(why, len, "\"%s\" must be a string", key);
		return -1;
	}
	n = json_string_length(v);
	*out = json_string_value(v);
	if (strlen(*out) != n || n > max || (strcmp(key, "text") != 0 &&
	    strpbrk(*out, "\r\n") != NULL)) {
		snprintf(why, len, "\"%s\" is too long or holds a line break "
		    "or NUL", key);
		return -1;
	}
	return 0;
}

static bool
http_intake_channel_ok(const char *s)
{
	if (*s == '\0')
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_.-") == strlen(s);
}

/* attachments: [ { "name": ..., "type": ..., "content": base64 }, ... ] */
static int
http_intake_parts(json_t *list, struct http_intake_req *r, char *why,
    size_t len)
{
	const char *name, *type, *content;
	json_t *a;
	size_t i, n;

	if (list == NULL || json_is_null(list))
		return 0;
	if (!json_is_array(list) || json_array_size(list) >
	    HTTP_INTAKE_MAX_PARTS) {
		snprintf(why, len, "\"attachments\" must be an array of at "
		    "most %d objects", HTTP_INTAKE_MAX_PARTS);
		return -1;
	}
	json_array_foreach(list, i, a) {
		if (!json_is_object(a) || json_object_size(a) > 3 ||
		    http_intake_string(a, "name", &name, 255, why, len) == -1 ||
		    http_intake_string(a, "type", &type, 127, why, len) == -1 ||
		    http_intake_string(a, "content", &content, (size_t)-1,
		    why, len) == -1 || content == NULL ||
		    (type != NULL && strchr(type, '/') == NULL)) {
			snprintf(why, len, "attachments[%zu] must be "
			    "{ \"name\", \"type\": \"a/b\", \"content\": "
			    "base64 } and nothing else", i);
			return -1;
		}
		r->data[i] = http_intake_base64(content, strlen(content), &n);
		if (r->data[i] == NULL) {
			snprintf(why, len, "attachments[%zu]: content is not "
			    "base64", i);
			return -1;
		}
		r->parts[i].filename = name;
		r->parts[i].content_type = type;
		r->parts[i].data = r->data[i];
		r->parts[i].len = n;
		r->nparts = i + 1;
	}
	return 0;
}

/* RFC 4648 base64 (padding required, no line breaks); NULL if not. */
static unsigned char *
http_intake_base64(const char *s, size_t len, size_t *out_len)
{
	unsigned char *out;
	int n;

	if (len % 4 != 0 || len > 0x7fffffff)
		return NULL;
	out = xmalloc(len / 4 * 3 + 1);
	if ((n = EVP_DecodeBlock(out, (const unsigned char *)s,
	    (int)len)) < 0) {
		free(out);
		return NULL;
	}
	/* EVP_DecodeBlock counts the padding as zero bytes */
	if (len > 0 && s[len - 1] == '=')
		n--;
	if (len > 1 && s[len - 2] == '=')
		n--;
	*out_len = (size_t)n;
	return out;
}

/*
 * The message, as the customer would have mailed it.  With an
 * idempotency key its Message-ID is a digest of source and key, so the
 * same key from the same source is the same message to the dedupe.
 */
static struct buf *
http_intake_compose(const struct config *cfg, const char *scope,
    const struct http_intake_req *r, struct error *err)
{
	struct compose_addr to = { cfg->support_name,
	    cfg->support_addresses[0] };
	struct compose_msg m;
	unsigned char md[EVP_MAX_MD_SIZE];
	char *mid, *both, hex[33];
	struct buf *raw = buf_new();
	unsigned int mdlen;

	if (r->key != NULL) {
		/* "source NUL key": no two pairs make the same bytes */
		xasprintf(&both, "%s%c%s", scope, 0, r->key);
		if (EVP_Digest(both, strlen(scope) + 1 + strlen(r->key),
		    md, &mdlen, EVP_sha256(), NULL) != 1)
			fatalx("http: SHA-256 failed");
		free(both);
		token_hex(md, 16, hex);
		xasprintf(&mid, "api.%s.%s@%s", scope, hex, cfg->hostname);
	} else
		mid = compose_message_id("api", cfg->hostname);
	memset(&m, 0, sizeof(m));
	m.from_name = r->name;
	m.from_addr = r->from;
	m.to = &to;
	m.nto = 1;
	m.subject = r->subject != NULL ? r->subject : "";
	m.message_id = mid;
	m.body = r->text;
	m.parts = r->nparts > 0 ? r->parts : NULL;
	m.nparts = r->nparts;
	m.date = clock_now();
	if (compose_build(&m, raw, err) == -1) {
		buf_free(raw);
		raw = NULL;
	}
	free(mid);
	return raw;
}

/* Composes r and hands it to the writer; the answer comes after. */
static void
http_intake_submit(struct http_intake *hi, struct http_server *srv,
    struct evhttp_request *req, const struct config *cfg, const char *scope,
    const struct http_intake_req *r, const struct config_http_form *form)
{
	struct http_intake_wait *wait;
	struct intake_job *job;
	struct error err;
	struct buf *raw;
	char *source, *rcpt;

	error_clear(&err);
	if ((raw = http_intake_compose(cfg, scope, r, &err)) == NULL) {
		if (form != NULL)
			http_intake_form_error(srv, req, 400, err.msg);
		else
			http_intake_error(srv, req, 400, err.msg);
		return;
	}
	xasprintf(&source, "http:%s", r->channel);
	rcpt = cfg->support_addresses[0];
	job = intake_job_new(raw, source, r->from, &rcpt, 1);
	free(source);
	wait = xcalloc(1, sizeof(*wait));
	wait->srv = srv;
	wait->req = req;
	wait->form = form != NULL;
	if (form != NULL && form->redirect != NULL)
		wait->redirect = xstrdup(form->redirect);
	job->done = http_intake_done;
	job->arg = wait;
	intake_submit(hi->writer, job);
}

/*
 * A form's answer: why (NULL: a success) as a short text page, or the
 * redirect (303 See Other: the browser GETs it, so a reload does not
 * post again).  No text of the poster's goes into the page.
 */
static void
http_intake_form_error(struct http_server *srv, struct evhttp_request *req,
    int code, const char *why)
{
	char page[512];
	int n;

	n = snprintf(page, sizeof(page), "%s\n", why != NULL ? why :
	    "Thank you, we have received your message.");
	http_server_reply(srv, req, code, NULL, page, (size_t)n);
}

static void
http_intake_form_done(struct intake_job *job, struct http_intake_wait *wait)
{
	char page[256];

	if (job->status == INTAKE_STORED || job->status == INTAKE_DUPLICATE) {
		if (wait->redirect != NULL) {
			evhttp_add_header(evhttp_request_get_output_headers(
			    wait->req), "Location", wait->redirect);
			http_intake_form_error(wait->srv, wait->req, 303,
			    NULL);
		} else {
			snprintf(page, sizeof(page), "Thank you, we have "
			    "received your message as request %lld.",
			    (long long)job->ticket_id);
			http_intake_form_error(wait->srv, wait->req, 200,
			    page);
		}
	} else {
		log_warnx("http: form post not stored: %s", job->err.msg);
		http_intake_form_error(wait->srv, wait->req,
		    job->status == INTAKE_PERMFAIL ? 422 : 503,
		    "sorry, please try again later");
	}
	intake_job_free(job);
	free(wait->redirect);
	free(wait);
}

/* After the commit (promise 1): the answer. */
static void
http_intake_done(struct intake_job *job, void *arg)
{
	struct http_intake_wait *wait = arg;
	char body[128];
	int n;

	if (wait->form) {
		http_intake_form_done(job, wait);
		return;
	}
	switch (job->status) {
	case INTAKE_STORED:
		n = snprintf(body, sizeof(body), "{\"request\": %lld, "
		    "\"new\": %s}\n", (long long)job->ticket_id,
		    job->new_ticket ? "true" : "false");
		http_server_reply(wait->srv, wait->req, 201,
		    HTTP_INTAKE_JSON, body, (size_t)n);
		break;
	case INTAKE_DUPLICATE:
		n = snprintf(body, sizeof(body), "{\"request\": %lld, "
		    "\"new\": false, \"duplicate\": true}\n",
		    (long long)job->ticket_id);
		http_server_reply(wait->srv, wait->req, 200,
		    HTTP_INTAKE_JSON, body, (size_t)n);
		break;
	case INTAKE_PERMFAIL:
		http_intake_error(wait->srv, wait->req, 422, job->err.msg);
		break;
	case INTAKE_TEMPFAIL:
		log_warnx("http: request not stored: %s", job->err.msg);
		evhttp_add_header(evhttp_request_get_output_headers(wait->req),
		    "Retry-After", "30");
		http_intake_error(wait->srv, wait->req, 503,
		    "temporary failure, try again later");
		break;
	}
	intake_job_free(job);
	free(wait->redirect);
	free(wait);
}

/* {"error": why}, escaped by jansson. */
static void
http_intake_error(struct http_server *srv, struct evhttp_request *req,
    int code, const char *why)
{
	json_t *o = json_pack("{s:s}", "error", why);
	char *text;

	if (o == NULL)		/* why was not UTF-8 */
		o = json_pack("{s:s}", "error", "refused");
	text = o != NULL ? json_dumps(o, 0) : NULL;

	if (text == NULL)
		fatalx("http: out of memory");
	http_server_reply(srv, req, code, HTTP_INTAKE_JSON, text,
	    strlen(text));
	free(text);
	json_decref(o);
}

static void
http_intake_req_clear(struct http_intake_req *r)
{
	size_t i;

	for (i = 0; i < HTTP_INTAKE_MAX_PARTS; i++)
		free(r->data[i]);
}
