/*
 * ctl_customer: `triagectl customer ADDR`, the customer card found by any
 * of the customer's addresses (any case), with their requests.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "clock.h"
#include "customer.h"
#include "error.h"
#include "json.h"
#include "store.h"
#include "ticket.h"
#include "triagectl.h"

#define CTL_CUSTOMER_SUBJECT_MAX	60

static int	ctl_customer_run(struct triagectl *, int, char **);
static void	ctl_customer_json(struct buf *, const struct ticket_customer *,
		    const char *lang);
static void	ctl_customer_text(struct buf *, const struct calendar *,
		    const struct ticket_customer *, const char *lang);
static void	ctl_customer_requests(struct buf *, const struct calendar *,
		    const struct ticket_customer *);

const struct triagectl_cmd ctl_customer_cmd = {
	"customer",
	"ADDR [--add ADDRESS] [--language xx|-]",
	"show the customer owning address ADDR and their requests; "
	    "--add attaches another address to that customer, --language "
	    "sets the language of the mail they get (- forgets it)",
	ctl_customer_run
};

static int
ctl_customer_run(struct triagectl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "add", required_argument, NULL, 'a' },
		{ "language", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	struct ticket_customer *c;
	const char *add = NULL, *language = NULL;
	char *lang = NULL;
	struct store *st;
	struct error err;
	int64_t id;
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'a')
			add = optarg;
		else if (ch == 'l')
			language = optarg;
		else
			return triagectl_usage(&ctl_customer_cmd);
	}
	if (argc - optind != 1 || argv[optind][0] == '\0')
		return triagectl_usage(&ctl_customer_cmd);
	if ((st = triagectl_open(ctl, add != NULL || language != NULL ? 0 :
	    STORE_READONLY)) == NULL)
		return TRIAGECTL_ERROR;
	error_clear(&err);
	if (add != NULL && customer_attach(st, argv[optind], add, clock_now(),
	    &id, &err) == -1)
		return triagectl_fail(&err);
	if (language != NULL && customer_set_language_of(st, argv[optind],
	    language, &id, &err) == -1)
		return triagectl_fail(&err);
	if ((c = ticket_customer_load(st, argv[optind], &err)) == NULL)
		return triagectl_fail(&err);
	if (customer_language(st, c->id, &lang, &err) == -1) {
		ticket_customer_free(c);
		return triagectl_fail(&err);
	}
	if (ctl->json)
		ctl_customer_json(ctl->out, c, lang);
	else
		ctl_customer_text(ctl->out, ctl->zone, c, lang);
	free(lang);
	ticket_customer_free(c);
	return TRIAGECTL_OK;
}

static void
ctl_customer_json(struct buf *out, const struct ticket_customer *c,
    const char *lang)
{
	struct json j;
	size_t i;

	json_init(&j, out);
	json_object_begin(&j);
	json_kv_int(&j, "id", c->id);
	json_kv_string(&j, "name", c->name);
	json_kv_string(&j, "company", c->company);
	json_kv_string(&j, "language", lang);
	json_key(&j, "addresses");
	json_array_begin(&j);
	for (i = 0; i < c->naddresses; i++)
		json_string(&j, c->addresses[i]);
	json_array_end(&j);
	json_key(&j, "requests");
	json_array_begin(&j);
	for (i = 0; i < c->nrequests; i++) {
		json_object_begin(&j);
		json_kv_int(&j, "id", c->requests[i].id);
		json_kv_string(&j, "subject", c->requests[i].subject);
		json_kv_string(&j, "status", c->requests[i].status);
		triagectl_json_time(&j, "created_at",
		    c->requests[i].created_at);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	buf_append_char(out, '\n');
}

static void
ctl_customer_text(struct buf *out, const struct calendar *zone,
    const struct ticket_customer *c, const char *lang)
{
	char when[TRIAGECTL_TIME_MAX];
	size_t i;

	buf_printf(out, "Customer %lld: ", (long long)c->id);
	triagectl_text(out, c->name != NULL && *c->name != '\0' ? c->name :
	    NULL, 0);
	buf_append_str(out, "\nCompany:   ");
	triagectl_text(out, c->company, 0);
	buf_append_str(out, "\nLanguage:  ");
	triagectl_text(out, lang, 0);
	buf_append_str(out, "\nAddresses: ");
	for (i = 0; i < c->naddresses; i++) {
		if (i > 0)
			buf_append_str(out, ", ");
		triagectl_text(out, c->addresses[i], 0);
	}
	buf_printf(out, "\nSince:     %s\n", triagectl_time_text(zone,
	    c->created_at, when, sizeof(when)));
	ctl_customer_requests(out, zone, c);
}

static void
ctl_customer_requests(struct buf *out, const struct calendar *zone,
    const struct ticket_customer *c)
{
	static const char *const headers[] = { "ID", "STATUS", "PRIORITY",
	    "CREATED", "SUBJECT" };
	static const size_t max[] = { 0, 0, 0, 0, CTL_CUSTOMER_SUBJECT_MAX };
	struct triagectl_table *t;
	const char *cells[5];
	char id[24], when[TRIAGECTL_TIME_MAX];
	size_t i;

	if (c->nrequests == 0) {
		buf_append_str(out, "\nno requests\n");
		return;
	}
	buf_append_char(out, '\n');
	t = triagectl_table_new(headers, max, 5);
	for (i = 0; i < c->nrequests; i++) {
		(void)snprintf(id, sizeof(id), "%lld",
		    (long long)c->requests[i].id);
		cells[0] = id;
		cells[1] = c->requests[i].status;
		cells[2] = c->requests[i].priority;
		cells[3] = triagectl_time_text(zone, c->requests[i].created_at,
		    when, sizeof(when));
		cells[4] = c->requests[i].subject;
		triagectl_table_add(t, cells);
	}
	triagectl_table_print(t, out);
	triagectl_table_free(t);
}
