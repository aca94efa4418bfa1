/* dmarc_conf - map conf->dmarc onto struct dmarc_options (see dmarc_conf.h). */
#include "dmarc_conf.h"
#include <string.h>

void dmarc_options_from_conf(const struct conf *cf, const struct dmarc_psl *psl,
			     struct dmarc_options *opt)
{
	dmarc_options_default(opt);
	opt->enforce = cf->dmarc.enforce;
	if (cf->dmarc.from_policy && strcmp(cf->dmarc.from_policy, "strictest") == 0)
		opt->from_policy = DMARC_FROM_STRICTEST;
	else if (cf->dmarc.from_policy && strcmp(cf->dmarc.from_policy, "accept") == 0)
		opt->from_policy = DMARC_FROM_ACCEPT;
	else
		opt->from_policy = DMARC_FROM_REJECT;
	opt->tempfail_on_temperror = !(cf->dmarc.temperror_action &&
				       strcmp(cf->dmarc.temperror_action, "accept") == 0);
	opt->allow_domains = (const char *const *)cf->dmarc.allow_domains.v;
	opt->n_allow_domains = cf->dmarc.allow_domains.n;
	opt->allow_networks = cf->dmarc.allow_networks.v;
	opt->n_allow_networks = cf->dmarc.allow_networks.n;
	opt->reject_text = cf->dmarc.reject_text;
	if (cf->dmarc.org_domain_method && strcmp(cf->dmarc.org_domain_method, "psl") == 0)
		opt->psl = psl;
}
