/* runtime - objects built from a configuration snapshot (see runtime.h). */
#include "runtime.h"
#include "dns_zone.h"
#include <stdlib.h>

static void zone_free(void *z)
{
	dns_zone_free(z);
}

struct runtime *runtime_new(const struct conf *c, const char *const *dns_override, size_t n_override,
			    char *err, size_t errlen)
{
	struct runtime *rt = calloc(1, sizeof *rt);
	struct dns_zone *z;
	(void)c;
	(void)dns_override;
	(void)n_override;
	(void)err;
	(void)errlen;
	if (rt == NULL)
		return NULL;
	/* The checks that query DNS are not wired in yet; an empty zone serves until the
	 * c-ares resolver is. */
	z = dns_zone_new();
	if (z == NULL) {
		free(rt);
		return NULL;
	}
	rt->dns = dns_zone_resolver(z);
	rt->dns_impl = z;
	rt->dns_free = zone_free;
	return rt;
}

void runtime_free(void *p)
{
	struct runtime *rt = p;
	if (rt == NULL)
		return;
	if (rt->dns_free)
		rt->dns_free(rt->dns_impl);
	free(rt);
}
