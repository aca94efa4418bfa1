/* dmarc_conf - struct dmarc_options from the loaded configuration (conf->dmarc), so the
 * milter and the evaluate CLI map the options the same way.
 * OWNS: nothing: opt points into conf (valid while that snapshot lives) and at psl.
 * THREADS: reentrant. */
#ifndef AM_DMARC_CONF_H
#define AM_DMARC_CONF_H
#include "conf.h"
#include "dmarc_eval.h"

/* dmarc_options_from_conf - enforce, from_policy, temperror_action, allow_domains,
 * allow_networks, reject_text; psl is the list loaded for org_domain_method "psl"
 * (dmarc_psl_load, at start-up and reload), NULL for "treewalk". */
void dmarc_options_from_conf(const struct conf *cf, const struct dmarc_psl *psl,
			     struct dmarc_options *opt);
#endif
