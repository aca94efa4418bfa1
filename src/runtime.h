/* runtime - the long-lived objects built from one configuration snapshot and used by
 * the milter threads: the DNS resolver (shared with the previous snapshot when the DNS
 * settings did not change), the DKIM signer with its keys, the DMARC options (and the
 * Public Suffix List in psl mode), bundled as the msg_env every message is checked with.
 * It is attached to the conf snapshot (conf_live.h), so a message uses the resolver and
 * keys of the configuration it started with, and they are freed with that snapshot.
 * OWNS: a reference to its dns_stack, the signer, the PSL and the options. */
#ifndef AM_RUNTIME_H
#define AM_RUNTIME_H
#include "cli.h"
#include "conf.h"
#include "dmarc_eval.h"
#include "dns.h"
#include "dns_stack.h"
#include "msg_eval.h"

struct dmarc_psl;

struct runtime {
	struct dns_stack *dns_stack;
	const struct dns_resolver *dns;    /* what the checks query */
	struct dkim_signer *signer;        /* NULL: nothing to sign with */
	size_t key_errors;                 /* key files that did not load */
	struct dmarc_psl *psl;
	struct dmarc_options dmarc;
	struct dkim_keycache *key_cache;   /* parsed DKIM keys of verified mail */
	struct msg_env env;                /* what msg_eval_new() takes */
};

/* runtime_new - build from conf and the command-line overrides (--dns-server,
 * --dns-zone); prev (may be NULL) lends objects that can be shared. NULL with a reason
 * in err on failure (the daemon then keeps the previous configuration, or refuses to
 * start). Key files that do not load are not a failure here (runtime->key_errors). */
struct runtime *runtime_new(const struct conf *c, const struct cli_globals *g, const struct runtime *prev,
			    char *err, size_t errlen);
void runtime_free(void *rt);
/* runtime_dns_settings - the resolver settings conf + overrides give. */
void runtime_dns_settings(const struct conf *c, const struct cli_globals *g, struct dns_stack_settings *out);
#endif
