/* spf_conf - configuration -> struct spf_limits (see spf_conf.h). */
#include "spf_conf.h"

void spf_limits_from_conf(const struct conf *conf, struct spf_limits *out)
{
	spf_limits_default(out);
	if (conf == NULL)
		return;
	if (conf->spf.void_lookup_limit >= 0)
		out->void_lookups = (unsigned)conf->spf.void_lookup_limit;
	if (conf->spf.time_limit > 0 && conf->spf.time_limit <= 3600)
		out->time_limit_ms = (unsigned)conf->spf.time_limit * 1000u;
}
