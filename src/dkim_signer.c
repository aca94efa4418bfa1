/* dkim_signer - signing table, key table and per-message glue (see dkim_signer.h). */
#include "dkim_signer.h"
#include "strutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct key_entry {
	char *name, *domain, *selector;
	enum dkim_alg alg;
	struct dkim_keyslot *slot;
};

struct rule_entry {
	char *pattern;                     /* lower-case */
	size_t keys[DKIM_SIGNER_RULE_KEYS]; /* indexes into the key table */
	size_t n_keys;
};

struct dkim_signer {
	struct key_entry *keys;
	size_t n_keys;
	struct rule_entry *rules;
	size_t n_rules;
	enum dkim_canon hcanon, bcanon;
	char **headers, **oversign;
	size_t n_headers, n_oversign;
	bool no_oversign;
	unsigned long expire;
	bool fold_lf;
};

struct dkim_signer_msg {
	struct dkim_pkey *pk[DKIM_SIGNER_RULE_KEYS];
	size_t n_pk, missing;
	const char *domain;
	struct dkim_sign_ctx *ctx;
};

bool dkim_signer_rule_matches(const char *pattern, const char *domain)
{
	if (strcmp(pattern, "*") == 0)
		return true;
	if (pattern[0] == '*' && pattern[1] == '.') {
		size_t pl = strlen(pattern + 1), dl = strlen(domain);   /* ".example.com" */
		return dl > pl && am_strcaseeq(domain + dl - pl, pattern + 1);
	}
	return am_strcaseeq(pattern, domain);
}

static bool pattern_valid(const char *p)
{
	if (strcmp(p, "*") == 0)
		return true;
	if (p[0] == '*' && p[1] == '.')
		p += 2;
	return *p && strchr(p, '*') == NULL && am_domain_valid(p, strlen(p));
}

static char **copy_list(const char *const *l, size_t n)
{
	char **c = calloc(n + 1, sizeof *c);
	if (c == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		c[i] = strdup(l[i]);
		if (c[i] == NULL) {
			for (size_t j = 0; j < i; j++)
				free(c[j]);
			free(c);
			return NULL;
		}
	}
	return c;
}

static void free_list(char **l, size_t n)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

void dkim_signer_free(struct dkim_signer *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n_keys; i++) {
		free(s->keys[i].name);
		free(s->keys[i].domain);
		free(s->keys[i].selector);
		dkim_keyslot_free(s->keys[i].slot);
	}
	free(s->keys);
	for (size_t i = 0; i < s->n_rules; i++)
		free(s->rules[i].pattern);
	free(s->rules);
	free_list(s->headers, s->n_headers);
	free_list(s->oversign, s->n_oversign);
	free(s);
}

struct dkim_signer *dkim_signer_new(const struct dkim_signer_config *c, size_t *n_key_errors,
				    char *err, size_t errlen)
{
	struct dkim_signer *s;
	size_t kerr = 0;
	if (n_key_errors)
		*n_key_errors = 0;
	if (c->n_keys > DKIM_SIGNER_MAX_KEYS || c->n_rules > DKIM_SIGNER_MAX_RULES ||
	    c->n_headers > DKIM_SIGN_MAX_HEADERS || c->n_oversign > DKIM_SIGN_MAX_HEADERS) {
		snprintf(err, errlen, "too many keys, signing rules or header names");
		return NULL;
	}
	s = calloc(1, sizeof *s);
	if (s == NULL)
		goto nomem;
	s->hcanon = c->hcanon;
	s->bcanon = c->bcanon;
	s->no_oversign = c->no_oversign;
	s->expire = c->expire;
	s->fold_lf = c->fold_lf;
	for (size_t i = 0; c->headers && i < c->n_headers; i++)
		if (!dkim_sign_header_name_valid(c->headers[i])) {
			snprintf(err, errlen, "signed header list: \"%s\" is not a header field name",
				 c->headers[i] ? c->headers[i] : "");
			free(s);
			return NULL;
		}
	for (size_t i = 0; c->oversign && i < c->n_oversign; i++)
		if (!dkim_sign_header_name_valid(c->oversign[i])) {
			snprintf(err, errlen, "over-sign list: \"%s\" is not a header field name",
				 c->oversign[i] ? c->oversign[i] : "");
			free(s);
			return NULL;
		}
	if (c->headers) {
		if ((s->headers = copy_list(c->headers, c->n_headers)) == NULL)
			goto nomem;
		s->n_headers = c->n_headers;
	}
	if (c->oversign) {
		if ((s->oversign = copy_list(c->oversign, c->n_oversign)) == NULL)
			goto nomem;
		s->n_oversign = c->n_oversign;
	}
	s->keys = calloc(c->n_keys + 1, sizeof *s->keys);
	s->rules = calloc(c->n_rules + 1, sizeof *s->rules);
	if (s->keys == NULL || s->rules == NULL)
		goto nomem;
	for (size_t i = 0; i < c->n_keys; i++) {
		const struct dkim_key_spec *k = &c->keys[i];
		struct key_entry *e = &s->keys[i];
		if (k->name == NULL || k->domain == NULL || k->selector == NULL || k->key_file == NULL) {
			snprintf(err, errlen, "dkim key %zu: name, domain, selector and key file are required", i + 1);
			goto fail;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(s->keys[j].name, k->name) == 0) {
				snprintf(err, errlen, "dkim key %s: defined twice", k->name);
				goto fail;
			}
		if (!am_domain_valid(k->domain, strlen(k->domain)) || !am_domain_valid(k->selector, strlen(k->selector)) ||
		    k->selector[strlen(k->selector) - 1] == '.') {
			snprintf(err, errlen, "dkim key %s: invalid domain or selector", k->name);
			goto fail;
		}
		e->name = strdup(k->name);
		e->domain = am_domain_normalize(k->domain, strlen(k->domain));
		e->selector = am_strndup_lower(k->selector, strlen(k->selector));
		e->alg = k->alg;
		s->n_keys++;
		if (e->name == NULL || e->domain == NULL || e->selector == NULL)
			goto nomem;
	}
	for (size_t i = 0; i < c->n_rules; i++) {
		const struct dkim_sign_rule *r = &c->rules[i];
		struct rule_entry *e = &s->rules[i];
		if (r->pattern == NULL || !pattern_valid(r->pattern)) {
			snprintf(err, errlen, "signing rule %zu: invalid pattern \"%s\" (use example.com, *.example.com or *)",
				 i + 1, r->pattern ? r->pattern : "");
			goto fail;
		}
		if (r->n_keys == 0 || r->n_keys > DKIM_SIGNER_RULE_KEYS) {
			snprintf(err, errlen, "signing rule %s: between 1 and %d keys", r->pattern, DKIM_SIGNER_RULE_KEYS);
			goto fail;
		}
		e->pattern = am_strndup_lower(r->pattern, strlen(r->pattern));
		s->n_rules++;
		if (e->pattern == NULL)
			goto nomem;
		for (size_t j = 0; j < r->n_keys; j++) {
			size_t k;
			for (k = 0; k < s->n_keys; k++)
				if (r->keys[j] && strcmp(s->keys[k].name, r->keys[j]) == 0)
					break;
			if (k == s->n_keys) {
				snprintf(err, errlen, "signing rule %s: unknown key \"%s\"", r->pattern,
					 r->keys[j] ? r->keys[j] : "");
				goto fail;
			}
			e->keys[e->n_keys++] = k;
		}
	}
	/* the tables are consistent: load the key files */
	for (size_t i = 0; i < s->n_keys; i++) {
		bool loaded = false;
		char e[512];
		s->keys[i].slot = dkim_keyslot_new(s->keys[i].name, c->keys[i].key_file, s->keys[i].alg,
						   &c->key_opts, &loaded, e, sizeof e);
		if (s->keys[i].slot == NULL)
			goto nomem;
		if (!loaded)
			kerr++;
	}
	if (n_key_errors)
		*n_key_errors = kerr;
	return s;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	dkim_signer_free(s);
	return NULL;
}

size_t dkim_signer_reload(struct dkim_signer *s)
{
	size_t failed = 0;
	for (size_t i = 0; i < s->n_keys; i++)
		if (dkim_keyslot_reload(s->keys[i].slot, NULL, 0) != 0)
			failed++;
	return failed;
}

/* first_mailbox_domain - RFC 5322 mailbox-list, loosely: comments and quoted strings are
 * skipped, the first mailbox is taken (its angle-addr if any) and its domain returned. */
static int first_mailbox_domain(const char *v, size_t len, char *out, size_t outlen)
{
	char clean[1024];
	size_t n = 0, depth = 0;
	bool quoted = false;
	const char *addr, *at, *end;
	char *lt;
	for (size_t i = 0; i < len && n + 1 < sizeof clean; i++) {
		char c = v[i];
		if (quoted) {
			if (c == '\\' && i + 1 < len)
				i++;
			else if (c == '"')
				quoted = false;
			continue;
		}
		if (depth > 0) {
			if (c == '\\' && i + 1 < len)
				i++;
			else if (c == '(')
				depth++;
			else if (c == ')')
				depth--;
			continue;
		}
		if (c == '"') {
			quoted = true;
			clean[n++] = 'q';      /* a quoted display name or local part: opaque */
		} else if (c == '(') {
			depth = 1;
		} else if (c == ',' && memchr(clean, '@', n) != NULL) {
			break;                 /* end of the first mailbox */
		} else if (c != '\r' && c != '\n') {
			clean[n++] = c;
		}
	}
	clean[n] = '\0';
	lt = strchr(clean, '<');
	if (lt) {
		char *gt = strchr(lt, '>');
		if (gt == NULL)
			return -1;
		*gt = '\0';
		addr = lt + 1;
	} else {
		/* a group "name: a@b;" or a bare addr-spec */
		char *colon = strchr(clean, ':');
		addr = colon ? colon + 1 : clean;
	}
	at = strrchr(addr, '@');
	if (at == NULL)
		return -1;
	at++;
	while (am_iswsp((unsigned char)*at))
		at++;
	for (end = at; *end && !am_iswsp((unsigned char)*end) && *end != ';' && *end != '>'; end++)
		;
	{
		/* only whitespace (or a group's ';') may follow the domain */
		const char *rest = end;
		while (am_iswsp((unsigned char)*rest))
			rest++;
		if (*rest != '\0' && *rest != ';')
			return -1;
	}
	if (end == at || *at == '[' || (size_t)(end - at) >= outlen || !am_domain_valid(at, (size_t)(end - at)))
		return -1;
	{
		char *d = am_domain_normalize(at, (size_t)(end - at));
		if (d == NULL || strlen(d) >= outlen) {
			free(d);
			return -1;
		}
		strcpy(out, d);
		free(d);
	}
	return 0;
}

int dkim_signer_from_domain(const struct hdr_list *hdrs, char *out, size_t outlen)
{
	const struct hdr_field *f;
	if (hdr_list_count(hdrs, "From") != 1)
		return -1;
	f = hdr_list_find(hdrs, "From", 0);
	return first_mailbox_domain(f->value, f->value_len, out, outlen);
}

void dkim_signer_msg_free(struct dkim_signer_msg *m)
{
	if (m == NULL)
		return;
	dkim_sign_free(m->ctx);
	for (size_t i = 0; i < m->n_pk; i++)
		dkim_pkey_unref(m->pk[i]);
	free(m);
}

enum dkim_signer_status dkim_signer_begin(struct dkim_signer *s, const struct hdr_list *hdrs,
					  const char *sender_domain, uint64_t now_ms,
					  struct dkim_signer_msg **out, char *err, size_t errlen)
{
	char dom[256];
	const struct rule_entry *r = NULL;
	struct dkim_sign_key sk[DKIM_SIGNER_RULE_KEYS];
	struct dkim_sign_opts o;
	struct dkim_signer_msg *m;
	size_t used = 0;
	*out = NULL;
	if (sender_domain == NULL) {
		if (dkim_signer_from_domain(hdrs, dom, sizeof dom) != 0) {
			snprintf(err, errlen, "no single From field with a usable domain");
			return DKIM_SIGNER_NO_FROM;
		}
	} else {
		char *d = am_domain_normalize(sender_domain, strlen(sender_domain));
		if (d == NULL || strlen(d) >= sizeof dom) {
			free(d);
			snprintf(err, errlen, "invalid sender domain");
			return DKIM_SIGNER_NO_FROM;
		}
		strcpy(dom, d);
		free(d);
	}
	for (size_t i = 0; i < s->n_rules && r == NULL; i++)
		if (dkim_signer_rule_matches(s->rules[i].pattern, dom))
			r = &s->rules[i];
	if (r == NULL) {
		snprintf(err, errlen, "no signing rule for %s", dom);
		return DKIM_SIGNER_NO_RULE;
	}
	m = calloc(1, sizeof *m);
	if (m == NULL) {
		snprintf(err, errlen, "out of memory");
		return DKIM_SIGNER_ERROR;
	}
	err[0] = '\0';
	for (size_t i = 0; i < r->n_keys; i++) {
		const struct key_entry *k = &s->keys[r->keys[i]];
		struct dkim_pkey *pk = dkim_keyslot_get(k->slot, now_ms);
		if (pk == NULL) {
			size_t el = strlen(err);
			m->missing++;
			snprintf(err + el, errlen - el, "%skey %s (%s) not loaded", el ? "; " : "", k->name,
				 dkim_keyslot_path(k->slot));
			continue;
		}
		m->pk[m->n_pk++] = pk;
		sk[used].alg = k->alg;
		sk[used].hcanon = s->hcanon;
		sk[used].bcanon = s->bcanon;
		sk[used].domain = k->domain;
		sk[used].selector = k->selector;
		sk[used].pkey = pk->pkey;
		if (used == 0)
			m->domain = k->domain;
		used++;
	}
	if (used == 0) {
		dkim_signer_msg_free(m);
		return DKIM_SIGNER_KEY_ERROR;
	}
	memset(&o, 0, sizeof o);
	o.headers = (const char *const *)s->headers;
	o.n_headers = s->n_headers;
	o.oversign = (const char *const *)s->oversign;
	o.n_oversign = s->n_oversign;
	o.no_oversign = s->no_oversign;
	o.expire = s->expire;
	o.fold_lf = s->fold_lf;
	{
		char e2[256];
		m->ctx = dkim_sign_new(hdrs, sk, used, &o, e2, sizeof e2);
		if (m->ctx == NULL) {
			snprintf(err, errlen, "%s", e2);
			dkim_signer_msg_free(m);
			return strstr(e2, "From") ? DKIM_SIGNER_NO_FROM : DKIM_SIGNER_ERROR;
		}
	}
	*out = m;
	return DKIM_SIGNER_SIGN;
}

void dkim_signer_msg_body(struct dkim_signer_msg *m, const char *chunk, size_t len)
{
	dkim_sign_body(m->ctx, chunk, len);
}

int dkim_signer_msg_finish(struct dkim_signer_msg *m, time_t now, char *err, size_t errlen)
{
	return dkim_sign_finish(m->ctx, now, err, errlen);
}

const char *dkim_signer_msg_value(const struct dkim_signer_msg *m, size_t i)
{
	return dkim_sign_value(m->ctx, i);
}

size_t dkim_signer_msg_count(const struct dkim_signer_msg *m)
{
	return dkim_sign_count(m->ctx);
}

size_t dkim_signer_msg_missing(const struct dkim_signer_msg *m)
{
	return m->missing;
}

const char *dkim_signer_msg_domain(const struct dkim_signer_msg *m)
{
	return m->domain;
}
