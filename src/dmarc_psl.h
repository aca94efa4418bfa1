/* dmarc_psl - the Public Suffix List (publicsuffix.org format) for the RFC 7489
 * compatibility mode: Organizational Domain = registrable domain (public suffix + one
 * label). Self-contained (no libpsl): rules are read from the list file, IDN rules are
 * converted to A-labels (idna.h), and lookups follow the publicsuffix.org algorithm
 * (exception rules win, else the longest matching rule, else "*").
 * OWNS: the rule table. Immutable after load: share one list between threads.
 * DIAGNOSTICS: load/parse return NULL with a reason in err. */
#ifndef AM_DMARC_PSL_H
#define AM_DMARC_PSL_H
#include <stdbool.h>
#include <stddef.h>

#define DMARC_PSL_DEFAULT_PATH "/usr/share/publicsuffix/public_suffix_list.dat"

struct dmarc_psl;

/* dmarc_psl_parse - rules from list text; ICANN and PRIVATE sections both count. */
struct dmarc_psl *dmarc_psl_parse(const char *text, size_t len, char *err, size_t errlen);
/* dmarc_psl_load - read and parse a list file. */
struct dmarc_psl *dmarc_psl_load(const char *path, char *err, size_t errlen);
void dmarc_psl_free(struct dmarc_psl *psl);
/* dmarc_psl_rules - number of rules loaded. */
size_t dmarc_psl_rules(const struct dmarc_psl *psl);

/* dmarc_psl_registrable - the registrable domain of domain (A-labels or U-labels, any
 * case, one trailing dot allowed) into out (AM_DOMAIN_MAX bytes, A-labels, lower case).
 * false when domain is invalid or is itself a public suffix. */
bool dmarc_psl_registrable(const struct dmarc_psl *psl, const char *domain, char *out);
#endif
