/* dmarc_psl - Public Suffix List reader and registrable-domain lookup (see dmarc_psl.h).
 * Rules live in an open-addressing hash set keyed by the rule's name in A-label form,
 * with a kind: normal ("a.b"), wildcard ("*.a.b" stored as "a.b"), exception ("!a.b"). */
#include "dmarc_psl.h"
#include "idna.h"
#include "results.h"
#include "strutil.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { K_NORMAL = 1, K_WILD = 2, K_EXCEPT = 4 };

struct slot {
	char *name;
	unsigned kinds;
};

struct dmarc_psl {
	struct slot *t;
	size_t cap, used;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;            /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static struct slot *find(const struct dmarc_psl *p, const char *name)
{
	size_t i = (size_t)(hash(name) & (p->cap - 1));
	for (size_t n = 0; n < p->cap; n++, i = (i + 1) & (p->cap - 1)) {
		if (p->t[i].name == NULL || strcmp(p->t[i].name, name) == 0)
			return &p->t[i];
	}
	return NULL;
}

static int grow(struct dmarc_psl *p)
{
	struct dmarc_psl n = { calloc(p->cap ? p->cap * 2 : 4096, sizeof(struct slot)),
			       p->cap ? p->cap * 2 : 4096, p->used };
	if (n.t == NULL)
		return -1;
	for (size_t i = 0; i < p->cap; i++)
		if (p->t[i].name)
			*find(&n, p->t[i].name) = p->t[i];
	free(p->t);
	*p = n;
	return 0;
}

static int add_rule(struct dmarc_psl *p, const char *name, unsigned kind)
{
	struct slot *s;
	if ((p->used + 1) * 2 > p->cap && grow(p) != 0)
		return -1;
	s = find(p, name);
	if (s->name == NULL) {
		s->name = strdup(name);
		if (s->name == NULL)
			return -1;
		p->used++;
	}
	s->kinds |= kind;
	return 0;
}

struct dmarc_psl *dmarc_psl_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct dmarc_psl *p = calloc(1, sizeof *p);
	size_t pos = 0;
	unsigned lineno = 0;
	if (p == NULL || grow(p) != 0) {
		dmarc_psl_free(p);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - line) : len - pos, n = 0;
		pos += ll + (nl ? 1 : 0);
		lineno++;
		while (n < ll && am_isspace((unsigned char)line[n]))
			n++;
		line += n;
		ll -= n;
		if (ll == 0 || (ll >= 2 && line[0] == '/' && line[1] == '/'))
			continue;
		n = 0;
		while (n < ll && !am_isspace((unsigned char)line[n]))
			n++;                                 /* the rule is the first word */
		unsigned kind = K_NORMAL;
		if (line[0] == '!') {
			kind = K_EXCEPT;
			line++, n--;
		} else if (n > 2 && line[0] == '*' && line[1] == '.') {
			kind = K_WILD;
			line += 2, n -= 2;
		}
		char a[AM_DOMAIN_MAX];
		if (n == 0 || !idna_to_ascii(line, n, a, sizeof a)) {
			continue;                            /* a rule we cannot use: skip it */
		}
		if (add_rule(p, a, kind) != 0) {
			dmarc_psl_free(p);
			snprintf(err, errlen, "out of memory at line %u", lineno);
			return NULL;
		}
	}
	if (p->used == 0) {
		dmarc_psl_free(p);
		snprintf(err, errlen, "no rules in the list");
		return NULL;
	}
	return p;
}

struct dmarc_psl *dmarc_psl_load(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	size_t len = 0, cap = 0, n;
	char chunk[65536];
	struct dmarc_psl *p;
	if (f == NULL) {
		snprintf(err, errlen, "%s: cannot open", path);
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (len + n > cap) {
			char *d = realloc(data, (len + n) * 2);
			if (d == NULL) {
				free(data);
				fclose(f);
				snprintf(err, errlen, "out of memory");
				return NULL;
			}
			data = d;
			cap = (len + n) * 2;
		}
		memcpy(data + len, chunk, n);
		len += n;
	}
	fclose(f);
	p = dmarc_psl_parse(data ? data : "", len, err, errlen);
	free(data);
	return p;
}

void dmarc_psl_free(struct dmarc_psl *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->cap; i++)
		free(p->t[i].name);
	free(p->t);
	free(p);
}

size_t dmarc_psl_rules(const struct dmarc_psl *p)
{
	return p->used;
}

static unsigned kinds_of(const struct dmarc_psl *p, const char *name)
{
	const struct slot *s = find(p, name);
	return s && s->name ? s->kinds : 0;
}

bool dmarc_psl_registrable(const struct dmarc_psl *p, const char *domain, char *out)
{
	char d[AM_DOMAIN_MAX];
	const char *suffix[128];
	size_t n = 0, ps = 1;
	bool exception = false;
	if (domain == NULL || !idna_to_ascii(domain, strlen(domain), d, sizeof d) ||
	    !am_domain_valid(d, strlen(d)))
		return false;
	/* suffix[k] = the last k+1 labels */
	size_t starts[128], labels = 0;
	starts[labels++] = 0;
	for (size_t i = 0; d[i] && labels < 128; i++)
		if (d[i] == '.')
			starts[labels++] = i + 1;
	for (size_t k = 0; k < labels; k++)
		suffix[n++] = d + starts[labels - 1 - k];
	for (size_t k = 0; k < n && !exception; k++) {
		unsigned kinds = kinds_of(p, suffix[k]);
		if (kinds & K_EXCEPT) {
			ps = k;                              /* the exception minus its first label */
			exception = true;
			break;
		}
		if ((kinds & K_NORMAL) && k + 1 > ps)
			ps = k + 1;
		if (k > 0 && (kinds_of(p, suffix[k - 1]) & K_WILD) && k + 1 > ps)
			ps = k + 1;
	}
	if (ps >= n)
		return false;                                /* domain is a public suffix */
	snprintf(out, AM_DOMAIN_MAX, "%s", suffix[ps]);
	return true;
}
