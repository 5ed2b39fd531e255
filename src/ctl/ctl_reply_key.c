/*
 * ctl_reply_key: `triagectl reply-key --new`, the only way to make the
 * generated reply key beside an existing database (issue 13).  The
 * daemon makes it with a new database; a key lost later stops the daemon
 * rather than being replaced behind the admin's back, since a new key
 * turns every signed Reply-To already sent into customer mail.  It
 * refuses while a key exists: the admin removes the old one knowingly.
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "error.h"
#include "reply_key.h"
#include "store.h"
#include "triagectl.h"

static int	ctl_reply_key_run(struct triagectl *, int, char **);

const struct triagectl_cmd ctl_reply_key_cmd = {
	"reply-key",
	"--new",
	"make a new reply key beside the database (voids the signed "
	"reply addresses sent so far)",
	ctl_reply_key_run
};

static int
ctl_reply_key_run(struct triagectl *ctl, int argc, char **argv)
{
	struct config *cfg;
	struct buf errors;
	struct error err;
	int rc = TRIAGECTL_OK;

	if (argc != 2 || strcmp(argv[1], "--new") != 0)
		return triagectl_usage(&ctl_reply_key_cmd);
	buf_init(&errors);
	/* No reply_key_load: the missing key is what this command is for. */
	cfg = config_load(ctl->config_path, &errors);
	if (cfg == NULL) {
		fprintf(stderr, "%s", errors.data != NULL ? errors.data : "");
		buf_release(&errors);
		return TRIAGECTL_ERROR;
	}
	buf_release(&errors);
	error_clear(&err);
	if (store_is_remote(cfg->database)) {
		/* no file beside it: the key is agent_mail.secret_file's */
		error_set(&err, ERR_PERM, "database %s is PostgreSQL: make a "
		    "new key in agent_mail.secret_file on every instance",
		    cfg->database);
		rc = triagectl_fail(&err);
	} else if (reply_key_new(cfg->database, &err) == -1)
		rc = triagectl_fail(&err);
	else
		printf("new reply key %s.reply-key\n", cfg->database);
	config_unref(cfg);
	return rc;
}
