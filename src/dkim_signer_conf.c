/* dkim_signer_conf - configuration -> dkim_signer (see dkim_signer_conf.h). */
#include "dkim_signer_conf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool dkim_canon_pair_parse(const char *s, enum dkim_canon *hc, enum dkim_canon *bc)
{
	const char *slash = strchr(s, '/');
	if (slash == NULL) {
		*bc = DKIM_CANON_SIMPLE;
		return dkim_canon_parse(s, strlen(s), hc);
	}
	return dkim_canon_parse(s, (size_t)(slash - s), hc) &&
	       dkim_canon_parse(slash + 1, strlen(slash + 1), bc);
}

struct dkim_signer *dkim_signer_from_conf(const struct conf *c, bool fold_lf, size_t *n_key_errors,
					  char *err, size_t errlen)
{
	struct dkim_signer_config sc;
	struct dkim_key_spec *keys = NULL;
	struct dkim_sign_rule *rules = NULL;
	struct dkim_signer *s = NULL;
	memset(&sc, 0, sizeof sc);
	if (!dkim_canon_pair_parse(c->dkim.canonicalization ? c->dkim.canonicalization : "relaxed/relaxed",
				   &sc.hcanon, &sc.bcanon)) {
		snprintf(err, errlen, "dkim.canonicalization: \"%s\" is not simple|relaxed[/simple|relaxed]",
			 c->dkim.canonicalization);
		return NULL;
	}
	keys = calloc(c->dkim.nkeys + 1, sizeof *keys);
	rules = calloc(c->dkim.nrules + 1, sizeof *rules);
	if (keys == NULL || rules == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < c->dkim.nkeys; i++) {
		const struct conf_dkim_key *k = &c->dkim.keys[i];
		keys[i].name = k->name;
		keys[i].domain = k->domain;
		keys[i].selector = k->selector;
		keys[i].key_file = k->key_file;
		if (k->algorithm == NULL || !dkim_alg_parse(k->algorithm, &keys[i].alg)) {
			snprintf(err, errlen, "dkim.keys: key %s: algorithm must be rsa-sha256 or ed25519-sha256",
				 k->name ? k->name : "?");
			goto out;
		}
	}
	for (size_t i = 0; i < c->dkim.nrules; i++) {
		rules[i].pattern = c->dkim.rules[i].domain;
		rules[i].keys = (const char *const *)c->dkim.rules[i].keys.v;
		rules[i].n_keys = c->dkim.rules[i].keys.n;
	}
	sc.keys = keys;
	sc.n_keys = c->dkim.nkeys;
	sc.rules = rules;
	sc.n_rules = c->dkim.nrules;
	sc.key_opts.allow_group_read = c->dkim.allow_group_readable_keys;
	sc.key_opts.allow_world_read = c->dkim.allow_world_readable_keys;
	sc.key_opts.check_interval = c->dkim.key_check_interval > 0 ? (unsigned)c->dkim.key_check_interval : 0;
	if (c->dkim.sign_headers.n > 0) {
		sc.headers = (const char *const *)c->dkim.sign_headers.v;
		sc.n_headers = c->dkim.sign_headers.n;
	}
	sc.no_oversign = !c->dkim.oversign;
	sc.expire = c->dkim.expire > 0 ? (unsigned long)c->dkim.expire : 0;
	sc.fold_lf = fold_lf;
	s = dkim_signer_new(&sc, n_key_errors, err, errlen);
out:
	free(keys);
	free(rules);
	return s;
}
