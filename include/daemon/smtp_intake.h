/*
 * smtp_intake: the policy glue between the protocol engine (smtp_server)
 * and the core: which recipients we accept (only support addresses: never
 * an open relay), and turning a received message into an intake job whose
 * completion releases the 250.
 */
#ifndef TRIAGED_SMTP_INTAKE_H
#define TRIAGED_SMTP_INTAKE_H

#include "smtp_server.h"

struct store_writer;

/*
 * Fills cb for a listener of proto that submits to writer.  The returned
 * context is owned by the caller and freed with smtp_intake_free after the
 * listener is gone.
 */
struct smtp_intake	*smtp_intake_new(enum smtp_proto proto,
			    struct store_writer *writer,
			    struct smtp_callbacks *cb);
/*
 * Sets the writer later: the daemon binds its listeners as root, before
 * it drops privileges and opens the store (writer NULL until then; no
 * session can start before the event loop runs).
 */
void			 smtp_intake_set_writer(struct smtp_intake *,
			    struct store_writer *writer);
void			 smtp_intake_free(struct smtp_intake *);

#endif
