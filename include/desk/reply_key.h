/*
 * reply_key: the key that signs agents' reply addresses, read from the
 * file the config names (agent_mail.secret_file), or generated once and
 * kept beside the database, and handed to the config it belongs to
 * (config_agents_set_reply_key).  The daemon and triagectl call it after
 * config_load and before they share the config; `triaged -t` calls it
 * read-only, so a check writes nothing.
 */
#ifndef TRIAGED_REPLY_KEY_H
#define TRIAGED_REPLY_KEY_H

#include <stdbool.h>

struct config;
struct error;

/*
 * Settles cfg's reply key: nothing to do without agents or with an
 * inline agent_mail.secret; else the first line of secret_file,
 * trimmed; else the generated key file, made (mode 0600, 32 random
 * bytes in hex) when absent and create is true.  0, or -1 + err
 * ("file:line: agent_mail.secret_file: ..." or "agent_mail.secret: none
 * set and the generated key PATH: ...").  The generated key is made
 * only with a new database: absent beside an existing database it is an
 * error naming `triagectl reply-key --new`, because a new key turns
 * every signed Reply-To already sent into customer mail.  Without create
 * (`triaged -t`) an absent key of a database still to be made is fine.
 * A key file readable by others is refused.
 */
int	reply_key_load(struct config *cfg, bool create, struct error *err);
/*
 * Makes the generated key file "<database>.reply-key" (0600; a new
 * database, `triagectl reply-key --new`).
 * Fails (-1, err) when one exists: replacing it voids every signed
 * Reply-To already sent, so that takes a deliberate removal first.
 */
int	reply_key_new(const char *database, struct error *err);

#endif
