/*
 * http_dash: login, sessions and the reader thread of the dashboard
 * (http_dash.h).
 *
 * Sessions: a login makes a new random 256-bit id (getrandom), whatever
 * cookie the browser brought, so an id planted before the login is
 * never the one that gets rights (no fixation); the store keeps its
 * SHA-256 only.  The cookie is HttpOnly, SameSite=Strict, Path=/, and
 * Secure under TLS; a session lasts http.session_lifetime from the
 * login (no sliding renewal), and logout deletes it.
 *
 * CSRF: the login form is a double submit: GET /login sets a random
 * token in a SameSite=Strict cookie and in the form's hidden field, and
 * POST /login must bring both, equal (a page of another site can post
 * the form, but its post carries no SameSite=Strict cookie).  The
 * logout form's token is derived from the session id (SHA-256 of
 * "logout:" and the id), so another site cannot know it.  There is no
 * other form that changes anything: the dashboard is read-only.
 *
 * Throttling: failed logins are counted per client address and per
 * account name (known or not, so the answer does not tell which exist);
 * http.login_failures within http.login_window lock that address or
 * account for http.login_lock (429, the password not even
 * checked; logged at warning once).  A lock per account lets a stranger
 * keep an agent out for a while; agents work from their mail client,
 * the dashboard is for looking, and a password guessed is worse.  The
 * counts are in memory: a restart forgets them.
 */
#include <sys/queue.h>
#include <sys/types.h>

#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "clock.h"
#include "compat.h"
#include "config.h"
#include "config_agents.h"
#include "config_http.h"
#include "error.h"
#include "http_dash.h"
#include "http_pages.h"
#include "http_server.h"
#include "log.h"
#include "password.h"
#include "store.h"
#include "store_writer.h"
#include "token.h"
#include "web_login.h"
#include "xmalloc.h"

#define DASH_COOKIE		"triaged_session"
#define DASH_LOGIN_COOKIE	"triaged_login"
#define DASH_ID_BYTES		32		/* 256 bits */
#define DASH_HEX		(DASH_ID_BYTES * 2 + 1)
#define DASH_THROTTLE		1024		/* addresses and accounts */
#define DASH_KEY_MAX		128
#define DASH_LOGIN_BODY		4096

enum dash_kind {
	DASH_PAGE,		/* a page: session, then render */
	DASH_LOGIN		/* POST /login: check the password */
};

/* One request on its way through the reader (and maybe the writer). */
struct dash_job {
	struct http_dash	*dash;
	struct http_server	*srv;
	struct evhttp_request	*req;
	enum dash_kind		 kind;
	struct config		*cfg;		/* a reference */
	time_t			 now;
	char			*path;
	struct evkeyvalq	 query;
	char			 sid[DASH_HEX];		/* "": none */
	/* login */
	char			*agent;
	char			*password;
	bool			 ok;
	/* the answer */
	struct http_page	 page;
	struct buf		 body;
	const char		*location;	/* 303 there */
	struct store_work	 work;
	TAILQ_ENTRY(dash_job)	 entry;
};
TAILQ_HEAD(dash_jobs, dash_job);

/* Failed logins of one address ("a:...") or account ("u:..."). */
struct dash_throttle {
	char	key[DASH_KEY_MAX];
	int	failures;
	time_t	first;		/* of the failures counted */
	time_t	locked_until;
};

struct http_dash {
	struct event_base	*base;
	bool			 tls;
	struct store_writer	*writer;
	char			*database;
	bool			 started;
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	bool			 stopping;		/* under lock */
	struct dash_jobs	 todo;			/* under lock */
	struct dash_jobs	 done;			/* under lock */
	struct event		*ev_done;
	struct dash_throttle	 throttle[DASH_THROTTLE];
};

static void	dash_route(struct http_server *, struct evhttp_request *,
		    void *);
static void	dash_login_get(struct http_dash *, struct http_server *,
		    struct evhttp_request *);
static void	dash_login_post(struct http_dash *, struct http_server *,
		    struct evhttp_request *);
static void	dash_logout(struct http_dash *, struct http_server *,
		    struct evhttp_request *);
static void	dash_login_form(struct http_dash *, struct http_server *,
		    struct evhttp_request *, int code, const char *message);
static struct dash_job *dash_job_new(struct http_dash *,
		    struct http_server *, struct evhttp_request *,
		    enum dash_kind);
static void	dash_job_free(struct dash_job *);
static void	dash_submit(struct dash_job *);
static void	*dash_reader(void *);
static void	dash_run(struct dash_job *, struct store *);
static void	dash_run_page(struct dash_job *, struct store *);
static void	dash_done_cb(evutil_socket_t, short, void *);
static void	dash_done(struct dash_job *);
static void	dash_login_done(struct dash_job *);
static int	dash_session_run(struct store *, struct store_work *,
		    struct error *);
static void	dash_session_done(struct store_work *);
static int	dash_drop_run(struct store *, struct store_work *,
		    struct error *);
static void	dash_drop_done(struct store_work *);
static void	dash_reply(struct dash_job *);
static void	dash_headers(struct evhttp_request *);
static void	dash_set_cookie(struct http_dash *, struct evhttp_request *,
		    const char *name, const char *value, const char *path,
		    int max_age);
static bool	dash_cookie(struct evhttp_request *, const char *name,
		    char out[DASH_HEX]);
static void	dash_sha256(const char *prefix, const char *s,
		    char out[DASH_HEX]);
static const struct config_http_listen *dash_http(const struct config *);
static struct dash_throttle *dash_throttle_find(struct http_dash *,
		    const char *kind, const char *name, bool make, time_t now,
		    int window);
static bool	dash_locked(struct http_dash *, const char *addr,
		    const char *agent, time_t now);
static void	dash_failed(struct http_dash *,
		    const struct config_http_listen *, const char *addr,
		    const char *agent, time_t now);
static void	dash_forget(struct http_dash *, const char *addr,
		    const char *agent);

struct http_dash *
http_dash_new(struct event_base *base, bool tls)
{
	struct http_dash *dash = xcalloc(1, sizeof(*dash));

	dash->base = base;
	dash->tls = tls;
	TAILQ_INIT(&dash->todo);
	TAILQ_INIT(&dash->done);
	pthread_mutex_init(&dash->lock, NULL);
	pthread_cond_init(&dash->cond, NULL);
	if ((dash->ev_done = event_new(base, -1, 0, dash_done_cb,
	    dash)) == NULL)
		fatalx("http: cannot create an event");
	return dash;
}

void
http_dash_routes(struct http_dash *dash, struct http_server *srv)
{
	http_server_route(srv, "/", HTTP_GET | HTTP_POST, dash_route, dash);
}

void
http_dash_start(struct http_dash *dash, const char *database,
    struct store_writer *w)
{
	int rc;

	if (dash->started)
		return;
	dash->database = xstrdup(database);
	dash->writer = w;
	if ((rc = pthread_create(&dash->thread, NULL, dash_reader,
	    dash)) != 0)
		fatalx("http: cannot start the dashboard's reader: %s",
		    strerror(rc));
	dash->started = true;
}

void
http_dash_stop(struct http_dash *dash)
{
	struct dash_job *job;

	if (dash == NULL || !dash->started)
		return;
	pthread_mutex_lock(&dash->lock);
	dash->stopping = true;
	pthread_cond_signal(&dash->cond);
	pthread_mutex_unlock(&dash->lock);
	pthread_join(dash->thread, NULL);
	dash->started = false;
	/* what the reader left undone: 503; what it did: answered */
	while ((job = TAILQ_FIRST(&dash->todo)) != NULL) {
		TAILQ_REMOVE(&dash->todo, job, entry);
		job->page.code = 503;
		http_pages_message(&job->body, "Stopping",
		    "triaged is stopping.");
		job->kind = DASH_PAGE;
		TAILQ_INSERT_TAIL(&dash->done, job, entry);
	}
	dash_done_cb(-1, 0, dash);
}

void
http_dash_free(struct http_dash *dash)
{
	if (dash == NULL)
		return;
	http_dash_stop(dash);
	event_free(dash->ev_done);
	pthread_mutex_destroy(&dash->lock);
	pthread_cond_destroy(&dash->cond);
	free(dash->database);
	free(dash);
}

/* ------------------------------------------------------------------ */
/* On the loop                                                        */

static void
dash_route(struct http_server *srv, struct evhttp_request *req, void *arg)
{
	struct http_dash *dash = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = evhttp_uri_get_path(uri);
	bool post = evhttp_request_get_command(req) == EVHTTP_REQ_POST;
	struct dash_job *job;
	const char *query;

	if (strcmp(path, "/login") == 0) {
		if (post)
			dash_login_post(dash, srv, req);
		else
			dash_login_get(dash, srv, req);
		return;
	}
	if (strcmp(path, "/logout") == 0 && post) {
		dash_logout(dash, srv, req);
		return;
	}
	job = dash_job_new(dash, srv, req, DASH_PAGE);
	if (post) {
		/* no page takes a post: after the session check, 405 */
		job->page.code = 405;
	}
	job->path = xstrdup(path);
	query = evhttp_uri_get_query(uri);
	if (query != NULL && evhttp_parse_query_str(query, &job->query) != 0)
		evhttp_clear_headers(&job->query);	/* malformed: none */
	(void)dash_cookie(req, DASH_COOKIE, job->sid);
	dash_submit(job);
}

static void
dash_login_get(struct http_dash *dash, struct http_server *srv,
    struct evhttp_request *req)
{
	dash_login_form(dash, srv, req, 200, NULL);
}

/*
 * The form with the CSRF token in its cookie and its field: the one the
 * browser already holds, else a fresh one.  A browser asks for more than
 * the page: its icon (/favicon.ico, sent to /login like every path
 * without a session) came back with a new token after the form was
 * shown, and the form's post then failed the check (found by the
 * Chromium test); a token kept is as good, being random, HttpOnly and
 * SameSite=Strict.
 */
static void
dash_login_form(struct http_dash *dash, struct http_server *srv,
    struct evhttp_request *req, int code, const char *message)
{
	char token[DASH_HEX];
	struct buf b;

	if (!dash_cookie(req, DASH_LOGIN_COOKIE, token) &&
	    !token_random_hex(DASH_ID_BYTES, token)) {
		log_warn("http: getrandom");
		http_server_reply(srv, req, 503, NULL, "no random bytes\n", 16);
		return;
	}
	dash_set_cookie(dash, req, DASH_LOGIN_COOKIE, token, "/login", 3600);
	dash_headers(req);
	buf_init(&b);
	http_pages_login(&b, message, token);
	http_server_reply(srv, req, code, "text/html; charset=utf-8", b.data,
	    b.len);
	buf_release(&b);
}

static void
dash_login_post(struct http_dash *dash, struct http_server *srv,
    struct evhttp_request *req)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	const char *addr = http_server_peer(req);
	const char *csrf, *agent, *password;
	char cookie[DASH_HEX], *body;
	struct evkeyvalq form;
	struct dash_job *job;
	size_t len = evbuffer_get_length(in);
	time_t now = clock_now();

	if (dash->writer == NULL) {
		http_server_reply(srv, req, 503, NULL, "not ready\n", 10);
		return;
	}
	if (len > DASH_LOGIN_BODY) {
		http_server_reply(srv, req, 413, NULL, "too large\n", 10);
		return;
	}
	body = xmalloc(len + 1);
	evbuffer_copyout(in, body, len);
	body[len] = '\0';
	TAILQ_INIT(&form);
	if (evhttp_parse_query_str(body, &form) != 0)
		evhttp_clear_headers(&form);
	free(body);
	csrf = evhttp_find_header(&form, "csrf");
	agent = evhttp_find_header(&form, "agent");
	password = evhttp_find_header(&form, "password");
	if (!dash_cookie(req, DASH_LOGIN_COOKIE, cookie) || csrf == NULL ||
	    !token_equal(csrf, cookie)) {
		log_info("http: login from %s refused: no or wrong CSRF token",
		    addr);
		dash_login_form(dash, srv, req, 403, "The form had expired or "
		    "came from another site: log in again.");
		evhttp_clear_headers(&form);
		return;
	}
	if (agent == NULL || password == NULL || agent[0] == '\0' ||
	    strlen(agent) > DASH_KEY_MAX - 3 ||
	    strlen(password) > PASSWORD_MAX_LEN) {
		dash_login_form(dash, srv, req, 403, "Wrong agent name or "
		    "password.");
		evhttp_clear_headers(&form);
		return;
	}
	if (dash_locked(dash, addr, agent, now)) {
		dash_login_form(dash, srv, req, 429, "Too many failed logins: "
		    "try again later.");
		evhttp_clear_headers(&form);
		return;
	}
	job = dash_job_new(dash, srv, req, DASH_LOGIN);
	job->agent = xstrdup(agent);
	job->password = xstrdup(password);
	evhttp_clear_headers(&form);
	dash_submit(job);
}

/* POST /logout: the session's own token, then the row goes. */
static void
dash_logout(struct http_dash *dash, struct http_server *srv,
    struct evhttp_request *req)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	char sid[DASH_HEX], token[DASH_HEX], body[DASH_LOGIN_BODY + 1];
	struct evkeyvalq form;
	struct dash_job *job;
	const char *csrf;
	size_t len = evbuffer_get_length(in);
	bool ok;

	if (dash->writer == NULL || !dash_cookie(req, DASH_COOKIE, sid) ||
	    len > DASH_LOGIN_BODY) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Location", "/login");
		http_server_reply(srv, req, 303, NULL, "", 0);
		return;
	}
	evbuffer_copyout(in, body, len);
	body[len] = '\0';
	TAILQ_INIT(&form);
	if (evhttp_parse_query_str(body, &form) != 0)
		evhttp_clear_headers(&form);
	dash_sha256("logout:", sid, token);
	ok = (csrf = evhttp_find_header(&form, "csrf")) != NULL &&
	    token_equal(csrf, token);
	evhttp_clear_headers(&form);
	if (!ok) {
		http_server_reply(srv, req, 403, NULL,
		    "logout refused: no or wrong CSRF token\n", 39);
		return;
	}
	job = dash_job_new(dash, srv, req, DASH_PAGE);
	memcpy(job->sid, sid, sizeof(sid));
	job->work.run = dash_drop_run;
	job->work.done = dash_drop_done;
	store_writer_submit(dash->writer, &job->work);
}

static struct dash_job *
dash_job_new(struct http_dash *dash, struct http_server *srv,
    struct evhttp_request *req, enum dash_kind kind)
{
	struct dash_job *job = xcalloc(1, sizeof(*job));

	job->dash = dash;
	job->srv = srv;
	job->req = req;
	job->kind = kind;
	job->cfg = config_current();
	job->now = clock_now();
	TAILQ_INIT(&job->query);
	buf_init(&job->body);
	job->page.body = &job->body;
	return job;
}

static void
dash_job_free(struct dash_job *job)
{
	config_unref(job->cfg);
	free(job->path);
	evhttp_clear_headers(&job->query);
	free(job->agent);
	if (job->password != NULL)
		explicit_bzero(job->password, strlen(job->password));
	free(job->password);
	free(job->page.disposition);
	buf_release(&job->body);
	free(job);
}

static void
dash_submit(struct dash_job *job)
{
	struct http_dash *dash = job->dash;

	if (!dash->started) {
		job->page.code = 503;
		http_pages_message(&job->body, "Not ready",
		    "triaged is starting: try again in a moment.");
		job->kind = DASH_PAGE;
		dash_reply(job);
		return;
	}
	pthread_mutex_lock(&dash->lock);
	TAILQ_INSERT_TAIL(&dash->todo, job, entry);
	pthread_cond_signal(&dash->cond);
	pthread_mutex_unlock(&dash->lock);
}

/* The reader's answers, in the order it gave them. */
static void
dash_done_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_dash *dash = arg;
	struct dash_jobs done;
	struct dash_job *job;

	TAILQ_INIT(&done);
	pthread_mutex_lock(&dash->lock);
	TAILQ_CONCAT(&done, &dash->done, entry);
	pthread_mutex_unlock(&dash->lock);
	while ((job = TAILQ_FIRST(&done)) != NULL) {
		TAILQ_REMOVE(&done, job, entry);
		dash_done(job);
	}
}

static void
dash_done(struct dash_job *job)
{
	if (job->kind == DASH_LOGIN)
		dash_login_done(job);
	else
		dash_reply(job);
}

/* The password checked: a session through the writer, or a failure. */
static void
dash_login_done(struct dash_job *job)
{
	struct http_dash *dash = job->dash;
	const char *addr = http_server_peer(job->req);

	if (!job->ok) {
		dash_failed(dash, dash_http(job->cfg), addr, job->agent,
		    job->now);
		log_info("http: login of '%s' from %s failed", job->agent,
		    addr);
		dash_login_form(dash, job->srv, job->req, 403,
		    "Wrong agent name or password.");
		dash_job_free(job);
		return;
	}
	dash_forget(dash, addr, job->agent);
	if (!token_random_hex(DASH_ID_BYTES, job->sid)) {
		log_warn("http: getrandom");
		http_server_reply(job->srv, job->req, 503, NULL,
		    "no random bytes\n", 16);
		dash_job_free(job);
		return;
	}
	job->work.run = dash_session_run;
	job->work.done = dash_session_done;
	store_writer_submit(dash->writer, &job->work);
}

static struct dash_job *
dash_job_of(struct store_work *work)
{
	return (struct dash_job *)((char *)work -
	    offsetof(struct dash_job, work));
}

/* On the writer thread. */
static int
dash_session_run(struct store *st, struct store_work *work,
    struct error *err)
{
	struct dash_job *job = dash_job_of(work);
	char hash[DASH_HEX];

	dash_sha256("", job->sid, hash);
	return web_login_session_add(st, hash, job->agent, job->now,
	    job->now + dash_http(job->cfg)->session_lifetime, err);
}

static void
dash_session_done(struct store_work *work)
{
	struct dash_job *job = dash_job_of(work);
	struct evkeyvalq *out = evhttp_request_get_output_headers(job->req);

	if (work->status != STORE_WORK_COMMITTED) {
		log_warnx("http: session of %s not stored: %s", job->agent,
		    work->err.msg);
		http_server_reply(job->srv, job->req, 503, NULL,
		    "try again\n", 10);
		dash_job_free(job);
		return;
	}
	log_info("http: %s logged in from %s", job->agent,
	    http_server_peer(job->req));
	dash_set_cookie(job->dash, job->req, DASH_COOKIE, job->sid, "/",
	    dash_http(job->cfg)->session_lifetime);
	dash_set_cookie(job->dash, job->req, DASH_LOGIN_COOKIE, "", "/login",
	    0);
	evhttp_add_header(out, "Location", "/queue");
	http_server_reply(job->srv, job->req, 303, NULL, "", 0);
	dash_job_free(job);
}

static int
dash_drop_run(struct store *st, struct store_work *work, struct error *err)
{
	struct dash_job *job = dash_job_of(work);
	char hash[DASH_HEX];

	dash_sha256("", job->sid, hash);
	return web_login_session_drop(st, hash, err);
}

static void
dash_drop_done(struct store_work *work)
{
	struct dash_job *job = dash_job_of(work);

	if (work->status != STORE_WORK_COMMITTED) {
		http_server_reply(job->srv, job->req, 503, NULL,
		    "try again\n", 10);
		dash_job_free(job);
		return;
	}
	dash_set_cookie(job->dash, job->req, DASH_COOKIE, "", "/", 0);
	evhttp_add_header(evhttp_request_get_output_headers(job->req),
	    "Location", "/login");
	http_server_reply(job->srv, job->req, 303, NULL, "", 0);
	dash_job_free(job);
}

/* A page job's answer: a redirect, or the page. */
static void
dash_reply(struct dash_job *job)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(job->req);

	if (job->location != NULL) {
		evhttp_add_header(out, "Location", job->location);
		http_server_reply(job->srv, job->req, 303, NULL, "", 0);
		dash_job_free(job);
		return;
	}
	dash_headers(job->req);
	if (job->page.code == 405)
		evhttp_add_header(out, "Allow", "GET, HEAD");
	if (job->page.disposition != NULL)
		evhttp_add_header(out, "Content-Disposition",
		    job->page.disposition);
	http_server_reply(job->srv, job->req, job->page.code,
	    job->page.content_type != NULL ? job->page.content_type :
	    "text/html; charset=utf-8", job->body.data, job->body.len);
	dash_job_free(job);
}

/*
 * Every page: nothing from elsewhere (no script at all, inline styles
 * and SVG only), never in a frame, no Referer with a request's number.
 */
static void
dash_headers(struct evhttp_request *req)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);

	evhttp_add_header(out, "Content-Security-Policy", "default-src 'none';"
	    " style-src 'unsafe-inline'; img-src 'self' data:;"
	    " form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
	evhttp_add_header(out, "X-Frame-Options", "DENY");
	evhttp_add_header(out, "Referrer-Policy", "no-referrer");
}

/* ------------------------------------------------------------------ */
/* On the reader thread                                               */

static void *
dash_reader(void *arg)
{
	struct http_dash *dash = arg;
	struct store *st = NULL;
	struct dash_job *job;
	struct error err;

	for (;;) {
		pthread_mutex_lock(&dash->lock);
		while (TAILQ_EMPTY(&dash->todo) && !dash->stopping)
			pthread_cond_wait(&dash->cond, &dash->lock);
		if (dash->stopping) {
			pthread_mutex_unlock(&dash->lock);
			break;
		}
		job = TAILQ_FIRST(&dash->todo);
		TAILQ_REMOVE(&dash->todo, job, entry);
		pthread_mutex_unlock(&dash->lock);

		error_clear(&err);
		if (st == NULL && (st = store_open(dash->database,
		    STORE_READONLY, &err)) == NULL) {
			log_warnx("http: dashboard: %s", err.msg);
			job->kind = DASH_PAGE;
			job->page.code = 503;
			http_pages_message(&job->body, "Trouble",
			    "The database cannot be read now.");
		} else
			dash_run(job, st);

		pthread_mutex_lock(&dash->lock);
		TAILQ_INSERT_TAIL(&dash->done, job, entry);
		pthread_mutex_unlock(&dash->lock);
		event_active(dash->ev_done, 0, 0);
	}
	if (st != NULL)
		store_close(st);
	return NULL;
}

static void
dash_run(struct dash_job *job, struct store *st)
{
	struct error err;
	char *hash = NULL;

	if (job->kind == DASH_PAGE) {
		dash_run_page(job, st);
		return;
	}
	/* DASH_LOGIN: an agent of the config with a password that matches */
	error_clear(&err);
	if (config_agents_find(job->cfg, job->agent) == NULL ||
	    web_login_password(st, job->agent, &hash, &err) != 1) {
		if (err.msg[0] != '\0')
			log_warnx("http: login: %s", err.msg);
		free(hash);
		hash = NULL;
	}
	job->ok = password_verify(job->password, hash);
	free(hash);
}

static void
dash_run_page(struct dash_job *job, struct store *st)
{
	const struct agent *agent = NULL;
	struct http_viewer v;
	char hash[DASH_HEX], token[DASH_HEX], *name = NULL;
	struct error err;
	int rc = 0;

	error_clear(&err);
	if (job->sid[0] != '\0') {
		dash_sha256("", job->sid, hash);
		rc = web_login_session_find(st, hash, job->now, &name, &err);
		if (rc == -1) {
			job->page.code = 503;
			http_pages_message(&job->body, "Trouble",
			    "The database cannot be read now.");
			return;
		}
		if (rc == 1)
			agent = config_agents_find(job->cfg, name);
		free(name);
	}
	/* no session, an expired one, or an agent gone from the config */
	if (agent == NULL) {
		job->location = "/login";
		return;
	}
	if (job->page.code == 405) {
		http_pages_message(&job->body, "Method not allowed",
		    "The dashboard's pages are read with GET.");
		return;
	}
	dash_sha256("logout:", job->sid, token);
	v.cfg = job->cfg;
	v.agent = agent;
	v.logout_token = token;
	v.now = job->now;
	http_pages_render(st, &v, job->path, &job->query, &job->page);
}

/* ------------------------------------------------------------------ */
/* Cookies, tokens                                                    */

static void
dash_set_cookie(struct http_dash *dash, struct evhttp_request *req,
    const char *name, const char *value, const char *path, int max_age)
{
	char line[256];

	(void)snprintf(line, sizeof(line), "%s=%s; Path=%s; Max-Age=%d;"
	    " HttpOnly; SameSite=Strict%s", name, value, path, max_age,
	    dash->tls ? "; Secure" : "");
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Set-Cookie", line);
}

/*
 * The value of cookie name when it is DASH_HEX - 1 lowercase hex
 * digits (ours never are anything else): out, true; else false.
 */
static bool
dash_cookie(struct evhttp_request *req, const char *name,
    char out[DASH_HEX])
{
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	struct evkeyval *kv;
	const char *p, *v;
	size_t nlen = strlen(name), vlen;

	out[0] = '\0';
	TAILQ_FOREACH(kv, in, next) {
		if (strcasecmp(kv->key, "Cookie") != 0)
			continue;
		for (p = kv->value; *p != '\0'; p += strcspn(p, ";")) {
			p += strspn(p, "; \t");
			if (strncmp(p, name, nlen) != 0 || p[nlen] != '=')
				continue;
			v = p + nlen + 1;
			vlen = strcspn(v, "; \t");
			if (vlen != DASH_HEX - 1 ||
			    strspn(v, "0123456789abcdef") < vlen)
				continue;
			memcpy(out, v, vlen);
			out[vlen] = '\0';
			return true;
		}
	}
	return false;
}

/* SHA-256 of prefix and s, in hex. */
static void
dash_sha256(const char *prefix, const char *s, char out[DASH_HEX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	EVP_MD_CTX *ctx;

	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, prefix, strlen(prefix)) != 1 ||
	    EVP_DigestUpdate(ctx, s, strlen(s)) != 1 ||
	    EVP_DigestFinal_ex(ctx, md, &len) != 1 || len != DASH_ID_BYTES)
		fatalx("http: SHA-256 failed");
	EVP_MD_CTX_free(ctx);
	token_hex(md, len, out);
}

/* ------------------------------------------------------------------ */
/* Throttling                                                         */

/*
 * The http settings of cfg; their defaults when a reload took the http
 * section away (the listener stays until a restart).
 */
static const struct config_http_listen *
dash_http(const struct config *cfg)
{
	static const struct config_http_listen defaults = {
		.session_lifetime = CONFIG_HTTP_SESSION_DEFAULT,
		.login_failures = CONFIG_HTTP_FAILURES_DEFAULT,
		.login_window = CONFIG_HTTP_WINDOW_DEFAULT,
		.login_lock = CONFIG_HTTP_LOCK_DEFAULT
	};
	const struct config_http_listen *l = config_http(cfg);

	return l != NULL ? l : &defaults;
}

/*
 * The entry of kind ("a" address, "u" account) and name; with make, a
 * new one if none, taking the place of a stale one (window passed and
 * not locked) or, the table full, of the oldest unlocked.  NULL if none
 * (or none free).
 */
static struct dash_throttle *
dash_throttle_find(struct http_dash *dash, const char *kind,
    const char *name, bool make, time_t now, int window)
{
	struct dash_throttle *t, *free_slot = NULL, *oldest = NULL;
	char key[DASH_KEY_MAX];
	size_t i;

	(void)snprintf(key, sizeof(key), "%s:%s", kind, name);
	for (i = 0; i < DASH_THROTTLE; i++) {
		t = &dash->throttle[i];
		if (t->key[0] != '\0' && strcmp(t->key, key) == 0)
			return t;
		if (t->key[0] == '\0' || (t->locked_until <= now &&
		    t->first + window <= now)) {
			if (free_slot == NULL)
				free_slot = t;
		} else if (t->locked_until <= now &&
		    (oldest == NULL || t->first < oldest->first))
			oldest = t;
	}
	if (!make)
		return NULL;
	if ((t = free_slot != NULL ? free_slot : oldest) == NULL)
		return NULL;
	memset(t, 0, sizeof(*t));
	strlcpy(t->key, key, sizeof(t->key));
	t->first = now;
	return t;
}

static bool
dash_locked(struct http_dash *dash, const char *addr, const char *agent,
    time_t now)
{
	struct dash_throttle *a, *u;

	a = dash_throttle_find(dash, "a", addr, false, now, 0);
	u = dash_throttle_find(dash, "u", agent, false, now, 0);
	return (a != NULL && a->locked_until > now) ||
	    (u != NULL && u->locked_until > now);
}

static void
dash_failed(struct http_dash *dash, const struct config_http_listen *l,
    const char *addr, const char *agent, time_t now)
{
	struct dash_throttle *t;
	const char *kinds[2] = { "a", "u" }, *names[2] = { addr, agent };
	size_t i;

	for (i = 0; i < 2; i++) {
		if ((t = dash_throttle_find(dash, kinds[i], names[i], true,
		    now, l->login_window)) == NULL)
			continue;
		if (t->first + l->login_window <= now) {
			t->first = now;		/* a new window */
			t->failures = 0;
		}
		if (++t->failures < l->login_failures)
			continue;
		t->locked_until = now + l->login_lock;
		t->failures = 0;
		t->first = now;
		log_warnx("http: %d failed logins %s %s: locked for %d "
		    "seconds", l->login_failures, i == 0 ? "from" : "of",
		    names[i], l->login_lock);
	}
}

/* A login succeeded: the failures of its address and account go. */
static void
dash_forget(struct http_dash *dash, const char *addr, const char *agent)
{
	struct dash_throttle *t;

	/* never locked here: the lock is checked before the password */
	if ((t = dash_throttle_find(dash, "a", addr, false, 0, 0)) != NULL)
		memset(t, 0, sizeof(*t));
	if ((t = dash_throttle_find(dash, "u", agent, false, 0, 0)) != NULL)
		memset(t, 0, sizeof(*t));
}
