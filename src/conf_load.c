/* conf_load - libconfig file -> struct conf, driven by the schema in conf_schema.c.
 * Every problem is reported as "file:line: message" and loading goes on to find the
 * rest (up to a cap), so an operator sees all mistakes at once; then the load fails and
 * nothing of the new file is used. OWNS: the struct conf it returns. */
#include "conf.h"
#include "strutil.h"
#include <libconfig.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONF_MAX_ERRORS 20

struct errs {
	char *out;
	size_t cap, len;
	int count;
	const char *file;
};

static void errf(struct errs *e, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void errf(struct errs *e, int line, const char *fmt, ...)
{
	va_list ap;
	int n;
	if (e->count++ >= CONF_MAX_ERRORS || e->len + 1 >= e->cap)
		return;
	if (line > 0)
		n = snprintf(e->out + e->len, e->cap - e->len, "%s:%d: ", e->file, line);
	else
		n = snprintf(e->out + e->len, e->cap - e->len, "%s: ", e->file);
	if (n < 0 || (size_t)n >= e->cap - e->len) {
		e->len = e->cap - 1;
		return;
	}
	e->len += (size_t)n;
	va_start(ap, fmt);
	n = vsnprintf(e->out + e->len, e->cap - e->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= e->cap - e->len) {
		e->len = e->cap - 1;
		return;
	}
	e->len += (size_t)n;
	if (e->len + 1 < e->cap) {
		e->out[e->len++] = '\n';
		e->out[e->len] = '\0';
	}
}

static void *field(struct conf *c, const struct conf_option *o)
{
	return (char *)c + o->offset;
}

static void strlist_free(struct conf_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int strlist_push(struct conf_strlist *l, const char *s, size_t len)
{
	char **nv = realloc(l->v, (l->n + 1) * sizeof *nv);
	if (nv == NULL)
		return -1;
	l->v = nv;
	if ((l->v[l->n] = strndup(s, len)) == NULL)
		return -1;
	l->n++;
	return 0;
}

static int cidrlist_push(struct conf_cidrlist *l, const struct am_cidr *c)
{
	struct am_cidr *nv = realloc(l->v, (l->n + 1) * sizeof *nv);
	if (nv == NULL)
		return -1;
	l->v = nv;
	l->v[l->n++] = *c;
	return 0;
}

/* parse_octal - "0660" -> 0660; -1 if not an octal number. */
static long parse_octal(const char *s)
{
	char *end;
	long v;
	if (*s < '0' || *s > '7')
		return -1;
	v = strtol(s, &end, 8);
	return *end ? -1 : v;
}

static bool enum_allows(const char *choices, const char *v)
{
	size_t vl = strlen(v);
	const char *p = choices;
	while (p && *p) {
		const char *bar = strchr(p, '|');
		size_t l = bar ? (size_t)(bar - p) : strlen(p);
		if (l == vl && strncmp(p, v, l) == 0)
			return true;
		p = bar ? bar + 1 : NULL;
	}
	return false;
}

/* set_default - apply the schema default of one option (text form). */
static int set_default(struct conf *c, const struct conf_option *o)
{
	void *f = field(c, o);
	switch (o->type) {
	case CT_BOOL:
		*(bool *)f = strcmp(o->def, "true") == 0;
		return 0;
	case CT_INT:
		*(int *)f = atoi(o->def);
		return 0;
	case CT_OCTAL:
		*(int *)f = (int)parse_octal(o->def);
		return 0;
	case CT_STRING:
	case CT_ENUM:
		free(*(char **)f);
		return (*(char **)f = strdup(o->def)) ? 0 : -1;
	case CT_STRLIST:
	case CT_CIDRLIST: {
		const char *p = o->def;
		while (*p) {
			const char *comma = strchr(p, ',');
			size_t l = comma ? (size_t)(comma - p) : strlen(p);
			if (o->type == CT_STRLIST) {
				if (strlist_push(f, p, l) < 0)
					return -1;
			} else {
				char tmp[64];
				struct am_cidr cidr;
				snprintf(tmp, sizeof tmp, "%.*s", (int)l, p);
				if (!am_cidr_parse(tmp, &cidr) || cidrlist_push(f, &cidr) < 0)
					return -1;
			}
			p = comma ? comma + 1 : p + l;
		}
		return 0;
	}
	case CT_KEYS:
	case CT_RULES:
		return 0;
	}
	return 0;
}

/* default_authserv_id - an empty authserv_id means this host's name. */
static int default_authserv_id(struct conf *c)
{
	char host[256];
	if (gethostname(host, sizeof host) != 0)
		snprintf(host, sizeof host, "localhost");
	host[sizeof host - 1] = '\0';
	free(c->authserv_id);
	c->authserv_id = strdup(host);
	return c->authserv_id ? 0 : -1;
}

struct conf *conf_defaults(void)
{
	struct conf *c = calloc(1, sizeof *c);
	if (c == NULL)
		return NULL;
	for (size_t i = 0; i < conf_option_count; i++) {
		if (set_default(c, &conf_options[i]) < 0) {
			conf_free(c);
			return NULL;
		}
	}
	if (default_authserv_id(c) < 0) {
		conf_free(c);
		return NULL;
	}
	return c;
}

void conf_free(struct conf *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < conf_option_count; i++) {
		const struct conf_option *o = &conf_options[i];
		void *f = field(c, o);
		switch (o->type) {
		case CT_STRING:
		case CT_ENUM:
			free(*(char **)f);
			break;
		case CT_STRLIST:
			strlist_free(f);
			break;
		case CT_CIDRLIST:
			free(((struct conf_cidrlist *)f)->v);
			break;
		default:
			break;
		}
	}
	for (size_t i = 0; i < c->dkim.nkeys; i++) {
		struct conf_dkim_key *k = &c->dkim.keys[i];
		free(k->name);
		free(k->domain);
		free(k->selector);
		free(k->algorithm);
		free(k->key_file);
	}
	free(c->dkim.keys);
	for (size_t i = 0; i < c->dkim.nrules; i++) {
		free(c->dkim.rules[i].domain);
		strlist_free(&c->dkim.rules[i].keys);
	}
	free(c->dkim.rules);
	free(c->path);
	free(c);
}

static const char *type_word(enum conf_type t)
{
	switch (t) {
	case CT_BOOL:
		return "true or false";
	case CT_INT:
		return "an integer";
	case CT_OCTAL:
		return "an octal string such as \"0660\"";
	case CT_STRING:
	case CT_ENUM:
		return "a string";
	case CT_STRLIST:
	case CT_CIDRLIST:
		return "a list of strings [ \"...\", ... ]";
	case CT_KEYS:
	case CT_RULES:
		return "a list of groups ( { ... }, ... )";
	}
	return "?";
}

/* edit_distance - for "did you mean" suggestions (short strings only). */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[64], cur[64];
	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof cur[0]);
	}
	return prev[lb];
}

static void unknown_option(struct errs *e, int line, const char *path)
{
	const char *best = NULL;
	size_t bestd = 4;
	for (size_t i = 0; i < conf_option_count; i++) {
		size_t d = edit_distance(path, conf_options[i].path);
		if (d < bestd) {
			bestd = d;
			best = conf_options[i].path;
		}
	}
	if (best)
		errf(e, line, "unknown option '%s' (did you mean '%s'?)", path, best);
	else
		errf(e, line, "unknown option '%s'", path);
}

static const char *get_string_member(config_setting_t *g, const char *name, struct errs *e, const char *what)
{
	config_setting_t *m = config_setting_get_member(g, name);
	if (m == NULL) {
		errf(e, config_setting_source_line(g), "%s: '%s' is missing", what, name);
		return NULL;
	}
	if (config_setting_type(m) != CONFIG_TYPE_STRING) {
		errf(e, config_setting_source_line(m), "%s: '%s' must be a string", what, name);
		return NULL;
	}
	return config_setting_get_string(m);
}

static void check_members(config_setting_t *g, const char *const *allowed, struct errs *e, const char *what)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
		const char *n = config_setting_name(m);
		bool ok = false;
		for (size_t k = 0; allowed[k]; k++)
			if (n && strcmp(n, allowed[k]) == 0)
				ok = true;
		if (!ok)
			errf(e, config_setting_source_line(m), "%s: unknown member '%s'", what, n ? n : "?");
	}
}

static void parse_keys(struct conf *c, config_setting_t *s, struct errs *e)
{
	static const char *const allowed[] = { "name", "domain", "selector", "algorithm", "key_file", NULL };
	int n = config_setting_length(s);
	c->dkim.keys = calloc((size_t)n + 1, sizeof *c->dkim.keys);
	if (c->dkim.keys == NULL)
		return;
	for (int i = 0; i < n; i++) {
		config_setting_t *g = config_setting_get_elem(s, (unsigned)i);
		struct conf_dkim_key *k = &c->dkim.keys[c->dkim.nkeys];
		const char *name, *domain, *sel, *alg, *file;
		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			errf(e, config_setting_source_line(g), "dkim.keys: each entry must be a group { ... }");
			continue;
		}
		check_members(g, allowed, e, "dkim.keys");
		name = get_string_member(g, "name", e, "dkim.keys");
		domain = get_string_member(g, "domain", e, "dkim.keys");
		sel = get_string_member(g, "selector", e, "dkim.keys");
		file = get_string_member(g, "key_file", e, "dkim.keys");
		alg = "rsa-sha256";
		if (config_setting_get_member(g, "algorithm"))
			alg = get_string_member(g, "algorithm", e, "dkim.keys");
		if (!name || !domain || !sel || !file || !alg)
			continue;
		if (strcmp(alg, "rsa-sha256") != 0 && strcmp(alg, "ed25519-sha256") != 0) {
			errf(e, config_setting_source_line(g),
			     "dkim.keys: algorithm '%s' is not rsa-sha256 or ed25519-sha256 (rsa-sha1 is never used, RFC 8301)", alg);
			continue;
		}
		if (!am_domain_valid(domain, strlen(domain)) || !am_domain_valid(sel, strlen(sel))) {
			errf(e, config_setting_source_line(g), "dkim.keys: '%s' / '%s' is not a valid domain / selector", domain, sel);
			continue;
		}
		for (size_t j = 0; j < c->dkim.nkeys; j++)
			if (strcmp(c->dkim.keys[j].name, name) == 0)
				errf(e, config_setting_source_line(g), "dkim.keys: duplicate key name '%s'", name);
		k->name = strdup(name);
		k->domain = am_domain_normalize(domain, strlen(domain));
		k->selector = strdup(sel);
		k->algorithm = strdup(alg);
		k->key_file = strdup(file);
		c->dkim.nkeys++;
	}
}

static void parse_rules(struct conf *c, config_setting_t *s, struct errs *e)
{
	static const char *const allowed[] = { "domain", "keys", NULL };
	int n = config_setting_length(s);
	c->dkim.rules = calloc((size_t)n + 1, sizeof *c->dkim.rules);
	if (c->dkim.rules == NULL)
		return;
	for (int i = 0; i < n; i++) {
		config_setting_t *g = config_setting_get_elem(s, (unsigned)i), *keys;
		struct conf_sign_rule *r = &c->dkim.rules[c->dkim.nrules];
		const char *dom;
		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			errf(e, config_setting_source_line(g), "dkim.signing_table: each entry must be a group { ... }");
			continue;
		}
		check_members(g, allowed, e, "dkim.signing_table");
		dom = get_string_member(g, "domain", e, "dkim.signing_table");
		keys = config_setting_get_member(g, "keys");
		if (dom == NULL)
			continue;
		if (keys == NULL || (config_setting_type(keys) != CONFIG_TYPE_ARRAY && config_setting_type(keys) != CONFIG_TYPE_LIST) ||
		    config_setting_length(keys) == 0) {
			errf(e, config_setting_source_line(g), "dkim.signing_table: 'keys' must be a non-empty list of key names");
			continue;
		}
		{
			const char *d = dom;
			if (strcmp(d, "*") != 0) {
				if (strncmp(d, "*.", 2) == 0)
					d += 2;
				if (!am_domain_valid(d, strlen(d))) {
					errf(e, config_setting_source_line(g), "dkim.signing_table: '%s' is not a domain, *.domain or *", dom);
					continue;
				}
			}
		}
		r->domain = am_strndup_lower(dom, strlen(dom));
		for (int k = 0; k < config_setting_length(keys); k++) {
			const char *kn = config_setting_get_string_elem(keys, k);
			if (kn == NULL) {
				errf(e, config_setting_source_line(keys), "dkim.signing_table: key names must be strings");
				continue;
			}
			strlist_push(&r->keys, kn, strlen(kn));
		}
		c->dkim.nrules++;
	}
}

/* parse_value - one option from the file, type-checked. */
static void parse_value(struct conf *c, const struct conf_option *o, config_setting_t *s, struct errs *e)
{
	void *f = field(c, o);
	int line = config_setting_source_line(s), t = config_setting_type(s);
	switch (o->type) {
	case CT_BOOL:
		if (t != CONFIG_TYPE_BOOL)
			goto wrong_type;
		*(bool *)f = config_setting_get_bool(s);
		return;
	case CT_INT: {
		long long v;
		if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
			goto wrong_type;
		v = config_setting_get_int64(s);
		if (v < o->min || v > o->max) {
			errf(e, line, "option '%s' is %lld, outside %ld..%ld", o->path, v, o->min, o->max);
			return;
		}
		*(int *)f = (int)v;
		return;
	}
	case CT_OCTAL: {
		long v;
		if (t != CONFIG_TYPE_STRING)
			goto wrong_type;
		v = parse_octal(config_setting_get_string(s));
		if (v < o->min || v > o->max) {
			errf(e, line, "option '%s' must be an octal mode such as \"0660\"", o->path);
			return;
		}
		*(int *)f = (int)v;
		return;
	}
	case CT_STRING:
	case CT_ENUM: {
		const char *v;
		if (t != CONFIG_TYPE_STRING)
			goto wrong_type;
		v = config_setting_get_string(s);
		if (o->check && !o->check(v)) {
			errf(e, line, "option '%s' is \"%s\"; expected %s", o->path, v, o->check_what);
			return;
		}
		if (o->type == CT_ENUM && !enum_allows(o->choices, v)) {
			errf(e, line, "option '%s' is \"%s\"; expected one of %s", o->path, v, o->choices);
			return;
		}
		free(*(char **)f);
		*(char **)f = strdup(v);
		return;
	}
	case CT_STRLIST:
	case CT_CIDRLIST:
		if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
			goto wrong_type;
		if (o->type == CT_STRLIST)
			strlist_free(f);
		else
			((struct conf_cidrlist *)f)->n = 0;
		for (int i = 0; i < config_setting_length(s); i++) {
			const char *v = config_setting_get_string_elem(s, i);
			struct am_cidr cidr;
			if (v == NULL) {
				errf(e, line, "option '%s': every element must be a string", o->path);
				return;
			}
			if (o->check && !o->check(v)) {
				errf(e, line, "option '%s': \"%s\" is not %s", o->path, v, o->check_what);
			} else if (o->type == CT_STRLIST) {
				strlist_push(f, v, strlen(v));
			} else if (!am_cidr_parse(v, &cidr)) {
				errf(e, line, "option '%s': '%s' is not an address or address/prefix", o->path, v);
			} else {
				cidrlist_push(f, &cidr);
			}
		}
		return;
	case CT_KEYS:
		if (t != CONFIG_TYPE_LIST && !(t == CONFIG_TYPE_ARRAY && config_setting_length(s) == 0))
			goto wrong_type;
		parse_keys(c, s, e);
		return;
	case CT_RULES:
		if (t != CONFIG_TYPE_LIST && !(t == CONFIG_TYPE_ARRAY && config_setting_length(s) == 0))
			goto wrong_type;
		parse_rules(c, s, e);
		return;
	}
	return;
wrong_type:
	errf(e, line, "option '%s' must be %s", o->path, type_word(o->type));
}

static bool is_group_prefix(const char *path)
{
	size_t l = strlen(path);
	for (size_t i = 0; i < conf_option_count; i++)
		if (strncmp(conf_options[i].path, path, l) == 0 && conf_options[i].path[l] == '.')
			return true;
	return false;
}

static void walk(struct conf *c, config_setting_t *group, const char *prefix, struct errs *e)
{
	for (int i = 0; i < config_setting_length(group); i++) {
		config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
		const char *name = config_setting_name(s);
		char path[256];
		const struct conf_option *o;
		if (name == NULL)
			continue;
		snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", name);
		o = conf_option_find(path);
		if (o) {
			parse_value(c, o, s, e);
		} else if (config_setting_type(s) == CONFIG_TYPE_GROUP && is_group_prefix(path)) {
			walk(c, s, path, e);
		} else {
			unknown_option(e, config_setting_source_line(s), path);
		}
	}
}

/* validate_socket - the forms libmilter accepts that we document. */
bool conf_check_socket(const char *s)
{
	if (strncmp(s, "unix:", 5) == 0 || strncmp(s, "local:", 6) == 0)
		return strchr(s, '/') != NULL;
	if (strncmp(s, "inet:", 5) == 0 || strncmp(s, "inet6:", 6) == 0) {
		const char *p = strchr(s, ':') + 1;
		char *end;
		long port = strtol(p, &end, 10);
		return end != p && port > 0 && port < 65536 && (*end == '\0' || *end == '@');
	}
	return false;
}

bool conf_check_hostport(const char *s)
{
	const char *colon;
	char *end;
	long port;
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');
		if (rb == NULL)
			return false;
		colon = rb[1] == ':' ? rb + 1 : NULL;
		if (rb[1] != '\0' && colon == NULL)
			return false;
	} else {
		colon = strrchr(s, ':');
		if (colon && strchr(s, ':') != colon)
			return false;   /* bare IPv6 without brackets: ambiguous */
	}
	if (colon == NULL)
		return true;
	port = strtol(colon + 1, &end, 10);
	return end != colon + 1 && *end == '\0' && port > 0 && port < 65536;
}

static void validate(struct conf *c, struct errs *e)
{
	if (c->dns.min_ttl > c->dns.max_ttl)
		errf(e, 0, "dns.min_ttl (%d) is larger than dns.max_ttl (%d)", c->dns.min_ttl, c->dns.max_ttl);
	for (size_t i = 0; i < c->dkim.nrules; i++) {
		for (size_t k = 0; k < c->dkim.rules[i].keys.n; k++) {
			bool found = false;
			for (size_t j = 0; j < c->dkim.nkeys; j++)
				if (strcmp(c->dkim.keys[j].name, c->dkim.rules[i].keys.v[k]) == 0)
					found = true;
			if (!found)
				errf(e, 0, "dkim.signing_table: entry for '%s' names key '%s', which dkim.keys does not define",
				     c->dkim.rules[i].domain, c->dkim.rules[i].keys.v[k]);
		}
	}
	if (c->authserv_id[0] == '\0') {
		if (default_authserv_id(c) < 0)
			errf(e, 0, "out of memory");
	} else if (!am_domain_valid(c->authserv_id, strlen(c->authserv_id))) {
		errf(e, 0, "authserv_id '%s' is not a host name", c->authserv_id);
	}
}

static struct conf *load(config_t *cfg, int rc, const char *name, char *err, size_t errlen)
{
	struct errs e = { err, errlen, 0, 0, name };
	struct conf *c;
	if (errlen)
		err[0] = '\0';
	if (rc != CONFIG_TRUE) {
		if (config_error_type(cfg) == CONFIG_ERR_FILE_IO)
			errf(&e, 0, "cannot read the file");
		else
			errf(&e, config_error_line(cfg), "%s", config_error_text(cfg));
		return NULL;
	}
	c = conf_defaults();
	if (c == NULL) {
		errf(&e, 0, "out of memory");
		return NULL;
	}
	walk(c, config_root_setting(cfg), "", &e);
	validate(c, &e);
	if (e.count > CONF_MAX_ERRORS)
		errf(&e, 0, "(%d more errors)", e.count - CONF_MAX_ERRORS);
	if (e.count > 0) {
		conf_free(c);
		return NULL;
	}
	c->path = strdup(name);
	return c;
}

struct conf *conf_load(const char *path, char *err, size_t errlen)
{
	config_t cfg;
	struct conf *c;
	int rc;
	config_init(&cfg);
	rc = config_read_file(&cfg, path);
	c = load(&cfg, rc, path, err, errlen);
	config_destroy(&cfg);
	return c;
}

struct conf *conf_load_string(const char *text, const char *name, char *err, size_t errlen)
{
	config_t cfg;
	struct conf *c;
	int rc;
	config_init(&cfg);
	rc = config_read_string(&cfg, text);
	c = load(&cfg, rc, name, err, errlen);
	config_destroy(&cfg);
	return c;
}
