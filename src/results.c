/* results - names for the result vocabularies in results.h. */
#include "results.h"
#include <string.h>

#define AM_RESULT_NAMES(fn, type, map, pfx)                    \
	const char *fn(type r)                                 \
	{                                                      \
		static const char *const names[] = { map(pfx) }; \
		if ((size_t)r < sizeof names / sizeof names[0]) \
			return names[r];                       \
		return "unknown";                              \
	}
#define AM_NAME_ONLY(n, s) s,
AM_RESULT_NAMES(spf_result_name, enum spf_result, SPF_RESULT_MAP, AM_NAME_ONLY)
AM_RESULT_NAMES(dkim_result_name, enum dkim_result, DKIM_RESULT_MAP, AM_NAME_ONLY)
AM_RESULT_NAMES(dmarc_result_name, enum dmarc_result, DMARC_RESULT_MAP, AM_NAME_ONLY)
AM_RESULT_NAMES(dmarc_policy_name, enum dmarc_policy, DMARC_POLICY_MAP, AM_NAME_ONLY)
AM_RESULT_NAMES(disposition_name, enum disposition, DISPOSITION_MAP, AM_NAME_ONLY)

bool spf_result_parse(const char *s, enum spf_result *out)
{
	for (int r = SPF_NONE; r <= SPF_PERMERROR; r++)
		if (strcmp(s, spf_result_name((enum spf_result)r)) == 0) {
			*out = (enum spf_result)r;
			return true;
		}
	return false;
}

bool dkim_result_parse(const char *s, enum dkim_result *out)
{
	for (int r = DKIM_NONE; r <= DKIM_PERMERROR; r++)
		if (strcmp(s, dkim_result_name((enum dkim_result)r)) == 0) {
			*out = (enum dkim_result)r;
			return true;
		}
	return false;
}
