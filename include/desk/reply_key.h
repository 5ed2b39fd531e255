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
 * set and the generated key PATH: ...").  Without create an absent
 * generated key is fine (the daemon will make it).
 */
int	reply_key_load(struct config *cfg, bool create, struct error *err);

#endif
