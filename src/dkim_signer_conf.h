/* dkim_signer_conf - build a dkim_signer from the loaded configuration (conf.h: dkim.*).
 * The one place that maps option names to the signer's plain structs.
 * OWNS: nothing (the signer it returns is the caller's). */
#ifndef AM_DKIM_SIGNER_CONF_H
#define AM_DKIM_SIGNER_CONF_H
#include <stdbool.h>
#include <stddef.h>
#include "conf.h"
#include "dkim_signer.h"

/* dkim_signer_from_conf - NULL with the reason in err for an invalid table or value;
 * key files that do not load are counted in *n_key_errors (and logged) but do not fail.
 * fold_lf: fold the produced values with LF+TAB (what libmilter's smfi_insheader wants)
 * instead of CRLF+TAB. */
struct dkim_signer *dkim_signer_from_conf(const struct conf *c, bool fold_lf, size_t *n_key_errors,
					  char *err, size_t errlen);
/* dkim_canon_pair_parse - "relaxed/simple"; a single name means name/simple (RFC 6376
 * §3.5). false for anything else. */
bool dkim_canon_pair_parse(const char *s, enum dkim_canon *hc, enum dkim_canon *bc);
#endif
