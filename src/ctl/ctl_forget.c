/*
 * ctl_forget: `triagectl forget ADDRESS --yes`, the erasure of one person
 * (GDPR art. 17, issue 14): every request of the customer owning ADDRESS
 * is purged as retention purges a finished one (purge.h: the figures
 * stay, the person goes), their messages elsewhere lose text and raw
 * bytes, mail still queued to them is dropped, and the customer record
 * with all its addresses is deleted.  It cannot be undone, hence --yes.
 * The erasure is recorded (when, by whom, how much; not whom).
 */
#include <getopt.h>
#include <stdbool.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "error.h"
#include "purge.h"
#include "store.h"
#include "triagectl.h"

static int	ctl_forget_run(struct triagectl *, int, char **);

const struct triagectl_cmd ctl_forget_cmd = {
	"forget",
	"ADDRESS --yes",
	"erase a customer's personal data on every request (irreversible)",
	ctl_forget_run
};

static int
ctl_forget_run(struct triagectl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "yes",	no_argument,	NULL, 'y' },
		{ NULL,		0,		NULL, 0 }
	};
	struct purge_counts c;
	struct store *st;
	struct error err;
	const char *address;
	bool yes = false, found = false;
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'y')
			return triagectl_usage(&ctl_forget_cmd);
		yes = true;
	}
	if (argc - optind != 1 || strchr(argv[optind], '@') == NULL)
		return triagectl_usage(&ctl_forget_cmd);
	address = argv[optind];
	if (!yes)
		return triagectl_bad_usage(&ctl_forget_cmd, "erasing %s cannot "
		    "be undone: add --yes", address);
	if ((st = triagectl_open(ctl, 0)) == NULL)
		return TRIAGECTL_ERROR;
	memset(&c, 0, sizeof(c));
	error_clear(&err);
	if (store_begin(st, &err) == -1)
		return triagectl_fail(&err);
	if (purge_forget(st, address, "triagectl", clock_now(), &found, &c,
	    &err) == -1 || store_commit(st, &err) == -1) {
		store_rollback(st);
		return triagectl_fail(&err);
	}
	if (!found)
		return triagectl_failx("forget %s: no customer, message or "
		    "mail with this address", address);
	buf_printf(ctl->out, "forgot %s: requests=%lld messages=%lld "
	    "raw=%lld attachments=%lld outbox=%lld addresses=%lld "
	    "customers=%lld\n", address, (long long)c.requests,
	    (long long)c.messages, (long long)c.raw,
	    (long long)c.attachments, (long long)c.outbox,
	    (long long)c.addresses, (long long)c.customers);
	return TRIAGECTL_OK;
}
