/* spf_conf - the bridge from the configuration (conf.h, section spf) to the evaluator's
 * limits (spf_eval.h), so the milter glue does not repeat the mapping. PURE. */
#ifndef AM_SPF_CONF_H
#define AM_SPF_CONF_H
#include "conf.h"
#include "spf_eval.h"

/* spf_limits_from_conf - RFC 7208 defaults, then spf.void_lookup_limit and
 * spf.time_limit (seconds) when they are set to usable values. */
void spf_limits_from_conf(const struct conf *conf, struct spf_limits *out);
#endif
