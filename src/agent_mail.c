/* PLACEHOLDER: agent mail (issue 4) replaces this file. */
#include "agent_mail.h"
#include "pipeline.h"

int
agent_mail_ingest(struct store *st, struct pipeline_view *v,
    struct pipeline_result *res, struct error *err)
{
	(void)st;
	(void)v;
	(void)res;
	(void)err;
	return 0;
}
