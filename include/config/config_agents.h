/*
 * agents: the people who answer requests, as the config's `agents`
 * section lists them (config_agents.c loads it), with the settings of
 * agent mail (signed reply addresses, note address, trusted
 * authentication results) and the notification templates.
 *
 * Everything here is part of an immutable struct config: pointers stay
 * valid while the caller holds its config reference.
 */
#ifndef TRIAGED_CONFIG_AGENTS_H
#define TRIAGED_CONFIG_AGENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct calendar;
struct config;
struct error;
struct template;

/* A configured absence: [since, until) in seconds since the epoch. */
struct agent_absence {
	time_t	since;
	time_t	until;
};

struct agent {
	char			*name;		/* unique: [A-Za-z0-9_.-]+ */
	char			*display_name;	/* "Anna Kowalska"; else name */
	char			**addresses;	/* lowercased; [0] notified */
	size_t			 naddresses;
	char			**categories;	/* category paths served */
	size_t			 ncategories;
	bool			 manager;
	char			*calendar;	/* working hours; NULL: any time */
	/*
	 * The zone the agent writes times in (#task WHEN): `timezone`, else
	 * his calendar's zone, else the default calendar's (UTC without
	 * calendars); a calendar without hours, used only for its zone.
	 * NULL until the config is checked, then never.
	 */
	char			*timezone;
	const struct calendar	*zone;
	struct calendar		*own_zone;	/* from `timezone`; freed */
	struct agent_absence	*absences;	/* from the config */
	size_t			 nabsences;
};

/* The agents of cfg in file order. */
size_t			 config_agents_count(const struct config *);
const struct agent	*config_agents_at(const struct config *, size_t i);
/* By name (exact) or by one of its addresses (any case); NULL if none. */
const struct agent	*config_agents_find(const struct config *,
			    const char *name);
const struct agent	*config_agents_by_address(const struct config *,
			    const char *addr);
/*
 * True if a serves category or a category above it ("billing" serves
 * "billing/refunds").
 */
bool			 config_agents_serves(const struct agent *,
			    const char *category);
/*
 * True if a is away at now by one of its configured absences (the
 * agent_away table of triagectl is the store's business, not the
 * config's).
 */
bool			 config_agents_absent(const struct agent *, time_t now);

/*
 * Agent mail settings (the `agent_mail` group).
 *
 * config_agents_reply_key: the HMAC key of signed reply addresses
 * (reply_address.h) and its length in *len_out; NULL (and 0) when no
 * agents are configured, or before reply_key_load (desk) set it.  It is
 * agent_mail.secret, else the contents of agent_mail.secret_file, else
 * a random 32-byte key generated with a new database and kept next to
 * it in "<database>.reply-key" (mode 0600, hex), so signatures survive
 * restarts and triagectl signs the same way as the daemon (reply_key.h
 * says when it is made).  Borrowed from the config.
 */
const void		*config_agents_reply_key(const struct config *,
			    size_t *len_out);
/*
 * The config only names key files; reply_key_load reads (or makes) them,
 * so that loading a config, and `triaged -t`, write nothing.
 * secret_file: agent_mail.secret_file made absolute (NULL: not set), and
 * *where its "file:line" for errors.  keyfile: the generated key's path
 * when agents exist and neither secret nor secret_file is set, else NULL.
 */
const char		*config_agents_secret_file(const struct config *,
			    const char **where);
const char		*config_agents_keyfile(const struct config *);
/* Sets the key, once, before the config is shared (reply_key_load). */
void			 config_agents_set_reply_key(struct config *,
			    const void *key, size_t len);
/* agent_mail.note_address (lowercased), or NULL for none. */
const char		*config_agents_note_address(const struct config *);
/*
 * The authserv-ids whose Authentication-Results are believed
 * (agent_mail.trusted_authserv_ids), *n_out of them; NULL if none.
 */
const char *const	*config_agents_trusted_authserv(const struct config *,
			    size_t *n_out);
/* Is id (any case) one of them? */
bool			 config_agents_trusts_authserv(const struct config *,
			    const char *id);
/*
 * agent_mail.trusted_hosts: more hosts whose Received fields are inside
 * the trust boundary (agent_auth.h), *n_out of them; NULL if none.
 */
const char *const	*config_agents_trusted_hosts(const struct config *,
			    size_t *n_out);

/*
 * agent_mail.require: what proves that a message comes from an agent
 * (README "Agents", promise 5).  A signature is a valid signed reply
 * address with From one of that agent's addresses; auth is a trusted
 * DKIM/SPF pass for an agent's From (agent_auth.h).
 */
enum config_agents_require {
	AGENTS_REQUIRE_EITHER,		/* "signature-or-auth", the default */
	AGENTS_REQUIRE_SIGNATURE,	/* "signature" */
	AGENTS_REQUIRE_BOTH,		/* "signature+auth" */
	AGENTS_REQUIRE_COUNT
};
enum config_agents_require	 config_agents_require(const struct config *);
/* The config's spelling of r. */
const char		*config_agents_require_name(
			    enum config_agents_require r);
/* agent_mail.tell_customer_on_reassign (default false). */
bool			 config_agents_tell_customer_on_reassign(
			    const struct config *);
/*
 * notifications.attach_max: the customer's files a notice carries, in
 * bytes in all (decoded sizes); files beyond are listed with the
 * triagectl line that writes them out.  0: none attached.
 */
#define AGENTS_ATTACH_MAX_DEFAULT	(10 * 1024 * 1024)
#define AGENTS_ATTACH_MAX_LIMIT		(100LL * 1024 * 1024)
int64_t			 config_agents_attach_max(const struct config *);
/* The line notifications put above the quoted text for reply_cut. */
const char		*config_agents_reply_marker(const struct config *);

/* The templates of the `notifications` group, each with a built-in default. */
enum config_agents_notice {
	AGENTS_NOTICE_NEW_REQUEST,
	AGENTS_NOTICE_CUSTOMER_MESSAGE,
	AGENTS_NOTICE_ASSIGNED,
	AGENTS_NOTICE_NOTE,
	AGENTS_NOTICE_REASSIGNED_CUSTOMER,	/* to the customer */
	AGENTS_NOTICE_COMMAND_RESULT,
	AGENTS_NOTICE_COUNT
};

/* Variables every notification template may use (NULL-terminated). */
extern const char *const config_agents_notice_vars[];
/* "new_request", ... as in the config. */
const char		*config_agents_notice_name(enum config_agents_notice);
/* Compiled templates (never NULL): borrowed from the config. */
const struct template	*config_agents_notice_subject(const struct config *,
			    enum config_agents_notice);
const struct template	*config_agents_notice_body(const struct config *,
			    enum config_agents_notice);

/*
 * The config section's hooks (config_section.h), in config_sections[]:
 * "agents", "agent_mail" and "notifications" share one private struct.
 */
struct config_loader;
struct config_setting_t;
void	config_agents_init(struct config *);
void	config_agents_free(struct config *);
void	config_agents_load(struct config_loader *, struct config_setting_t *);
void	config_agents_load_mail(struct config_loader *,
	    struct config_setting_t *);
void	config_agents_load_notifications(struct config_loader *,
	    struct config_setting_t *);
void	config_agents_check(struct config_loader *);

#endif
