/* dns_zone - in-memory DNS zone implementing dns.h (see dns_zone.h).
 * OWNS: its records and the answers handed out until dns_release(). */
#include "dns_zone.h"
#include "cidr.h"
#include "strutil.h"
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define ZONE_CNAME_MAX 8

struct zone_rec {
	char *name;               /* lower case, no trailing dot */
	enum dns_type type;       /* 0 with fail != ANSWER: failure for every type */
	enum dns_status fail;     /* DNS_ANSWER for a real record */
	uint32_t ttl;
	uint16_t pref;
	char *data;               /* TXT data, names; NULL for addresses */
	size_t len;
	uint8_t addr[16];
};

struct dns_zone {
	struct zone_rec *recs;
	size_t count, cap;
	uint32_t ttl;
	unsigned long queries;
	pthread_mutex_t lock;
};

struct dns_query {
	struct dns_answer *answer;
};

struct dns_zone *dns_zone_new(void)
{
	struct dns_zone *z = calloc(1, sizeof *z);
	if (z == NULL)
		return NULL;
	z->ttl = 300;
	pthread_mutex_init(&z->lock, NULL);
	return z;
}

void dns_zone_free(struct dns_zone *z)
{
	if (z == NULL)
		return;
	for (size_t i = 0; i < z->count; i++) {
		free(z->recs[i].name);
		free(z->recs[i].data);
	}
	free(z->recs);
	pthread_mutex_destroy(&z->lock);
	free(z);
}

void dns_zone_set_ttl(struct dns_zone *z, uint32_t ttl)
{
	z->ttl = ttl;
}

static struct zone_rec *zone_push(struct dns_zone *z, const char *name)
{
	struct zone_rec *r;
	if (z->count == z->cap) {
		size_t ncap = z->cap ? z->cap * 2 : 32;
		struct zone_rec *n = realloc(z->recs, ncap * sizeof *n);
		if (n == NULL)
			return NULL;
		z->recs = n;
		z->cap = ncap;
	}
	r = &z->recs[z->count];
	memset(r, 0, sizeof *r);
	r->name = am_domain_normalize(name, strlen(name));
	if (r->name == NULL)
		return NULL;
	r->ttl = z->ttl;
	r->fail = DNS_ANSWER;
	z->count++;
	return r;
}

int dns_zone_add_txt(struct dns_zone *z, const char *name, const char *data, size_t len)
{
	struct zone_rec *r = zone_push(z, name);
	if (r == NULL)
		return -1;
	r->type = DNS_T_TXT;
	r->data = malloc(len + 1);
	if (r->data == NULL) {
		free(r->name);
		z->count--;
		return -1;
	}
	memcpy(r->data, data, len);
	r->data[len] = '\0';
	r->len = len;
	return 0;
}

int dns_zone_add(struct dns_zone *z, const char *name, enum dns_type type, const char *value)
{
	struct zone_rec *r;
	uint8_t addr[16];
	unsigned long pref = 0;
	const char *target = value;

	switch (type) {
	case DNS_T_TXT:
		return dns_zone_add_txt(z, name, value, strlen(value));
	case DNS_T_A:
		if (inet_pton(AF_INET, value, addr) != 1)
			return -1;
		break;
	case DNS_T_AAAA:
		if (inet_pton(AF_INET6, value, addr) != 1)
			return -1;
		break;
	case DNS_T_MX: {
		char *end;
		pref = strtoul(value, &end, 10);
		if (end == value || pref > 65535 || !am_iswsp((unsigned char)*end))
			return -1;
		while (am_iswsp((unsigned char)*end))
			end++;
		target = end;
		break;
	}
	case DNS_T_PTR:
	case DNS_T_CNAME:
	case DNS_T_NS:
		break;
	default:
		return -1;
	}
	r = zone_push(z, name);
	if (r == NULL)
		return -1;
	r->type = type;
	r->pref = (uint16_t)pref;
	if (type == DNS_T_A || type == DNS_T_AAAA) {
		memcpy(r->addr, addr, sizeof addr);
	} else {
		r->data = am_domain_normalize(target, strlen(target));
		if (r->data == NULL) {
			free(r->name);
			z->count--;
			return -1;
		}
	}
	return 0;
}

int dns_zone_set_fail(struct dns_zone *z, const char *name, enum dns_type type, enum dns_status st)
{
	struct zone_rec *r = zone_push(z, name);
	if (r == NULL)
		return -1;
	r->type = type;
	r->fail = st;
	return 0;
}

/* zone_name_exists - a name with records, or an ancestor of one (empty non-terminal). */
static bool zone_name_exists(const struct dns_zone *z, const char *name)
{
	for (size_t i = 0; i < z->count; i++) {
		if (z->recs[i].fail != DNS_ANSWER)
			continue;
		if (am_domain_is_sub(z->recs[i].name, name) && z->recs[i].name[0] != '*')
			return true;
	}
	return false;
}

static bool zone_owner_has(const struct dns_zone *z, const char *owner)
{
	for (size_t i = 0; i < z->count; i++)
		if (z->recs[i].fail == DNS_ANSWER && am_strcaseeq(z->recs[i].name, owner))
			return true;
	return false;
}

/* zone_owner - the owner name to answer from: name itself, or a matching wildcard. */
static const char *zone_owner(const struct dns_zone *z, const char *name, char *tmp, size_t tmplen)
{
	const char *dot;
	if (zone_name_exists(z, name))
		return name;
	for (dot = strchr(name, '.'); dot; dot = strchr(dot + 1, '.')) {
		snprintf(tmp, tmplen, "*%s", dot);
		if (zone_owner_has(z, tmp))
			return tmp;
		if (zone_name_exists(z, dot + 1))
			break;
	}
	return NULL;
}

static int zone_add_rec(struct dns_answer *a, const struct zone_rec *r)
{
	switch (r->type) {
	case DNS_T_A:
	case DNS_T_AAAA:
		return dns_answer_add_addr(a, r->type, r->ttl, r->addr);
	case DNS_T_MX:
		return dns_answer_add_mx(a, r->ttl, r->pref, r->data);
	case DNS_T_TXT:
		return dns_answer_add_txt(a, r->ttl, r->data, r->len);
	default:
		return dns_answer_add_name(a, r->type, r->ttl, r->data);
	}
}

static struct dns_answer *zone_lookup(struct dns_zone *z, const char *qname, enum dns_type type)
{
	char name[300], tmp[300];
	struct dns_answer *a = dns_answer_new(DNS_NXDOMAIN, z->ttl);
	if (a == NULL)
		return NULL;
	snprintf(name, sizeof name, "%s", qname);
	{
		size_t l = strlen(name);
		if (l > 1 && name[l - 1] == '.')
			name[l - 1] = '\0';
	}
	for (int hop = 0; hop <= ZONE_CNAME_MAX; hop++) {
		const char *owner;
		const struct zone_rec *cname = NULL;
		for (size_t i = 0; i < z->count; i++) {
			const struct zone_rec *r = &z->recs[i];
			if (r->fail != DNS_ANSWER && am_strcaseeq(r->name, name) &&
			    (r->type == 0 || r->type == type)) {
				a->status = r->fail;
				snprintf(a->why, sizeof a->why, "injected %s for %.60s", dns_status_name(r->fail), name);
				return a;
			}
		}
		owner = zone_owner(z, name, tmp, sizeof tmp);
		if (owner == NULL) {
			a->status = a->count ? DNS_ANSWER : DNS_NXDOMAIN;
			return a;
		}
		for (size_t i = 0; i < z->count; i++) {
			const struct zone_rec *r = &z->recs[i];
			if (r->fail != DNS_ANSWER || !am_strcaseeq(r->name, owner))
				continue;
			if (r->type == type) {
				if (zone_add_rec(a, r) < 0) {
					dns_answer_free(a);
					return NULL;
				}
			} else if (r->type == DNS_T_CNAME) {
				cname = r;
			}
		}
		if (a->count > 0 || cname == NULL) {
			if (a->count == 0)
				a->status = DNS_NODATA;
			return a;
		}
		snprintf(name, sizeof name, "%s", cname->data);
	}
	a->status = DNS_SERVFAIL;
	snprintf(a->why, sizeof a->why, "CNAME chain too long");
	return a;
}

static struct dns_query *zone_start(void *impl, const char *name, enum dns_type type)
{
	struct dns_zone *z = impl;
	struct dns_query *q = calloc(1, sizeof *q);
	if (q == NULL)
		return NULL;
	pthread_mutex_lock(&z->lock);
	z->queries++;
	pthread_mutex_unlock(&z->lock);
	q->answer = zone_lookup(z, name, type);
	if (q->answer == NULL) {
		free(q);
		return NULL;
	}
	return q;
}

static const struct dns_answer *zone_wait(void *impl, struct dns_query *q, uint64_t deadline_ms)
{
	(void)impl;
	(void)deadline_ms;
	return q->answer;
}

static void zone_release(void *impl, struct dns_query *q)
{
	(void)impl;
	dns_answer_free(q->answer);
	free(q);
}

static const struct dns_ops zone_ops = { zone_start, zone_wait, zone_release };

struct dns_resolver dns_zone_resolver(struct dns_zone *z)
{
	struct dns_resolver r = { &zone_ops, z };
	return r;
}

unsigned long dns_zone_queries(struct dns_zone *z)
{
	unsigned long n;
	pthread_mutex_lock(&z->lock);
	n = z->queries;
	pthread_mutex_unlock(&z->lock);
	return n;
}

/* zone_parse_txt - a sequence of quoted strings joined, or the raw text. */
static int zone_parse_txt(const char *s, char *out, size_t outcap, size_t *outlen)
{
	size_t n = 0;
	if (*s != '"') {
		size_t l = strlen(s);
		if (l >= outcap)
			return -1;
		memcpy(out, s, l);
		*outlen = l;
		return 0;
	}
	while (*s) {
		while (am_iswsp((unsigned char)*s))
			s++;
		if (*s == '\0')
			break;
		if (*s++ != '"')
			return -1;
		while (*s && *s != '"') {
			int c = (unsigned char)*s++;
			if (c == '\\') {
				if (am_isdigit((unsigned char)s[0]) && am_isdigit((unsigned char)s[1]) &&
				    am_isdigit((unsigned char)s[2])) {
					c = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
					if (c > 255)
						return -1;
					s += 3;
				} else if (*s) {
					c = (unsigned char)*s++;
				} else {
					return -1;
				}
			}
			if (n + 1 >= outcap)
				return -1;
			out[n++] = (char)c;
		}
		if (*s++ != '"')
			return -1;
	}
	*outlen = n;
	return 0;
}

int dns_zone_load_line(struct dns_zone *z, const char *line, char *err, size_t errlen)
{
	char name[300], word[32];
	const char *p = line, *rest;
	size_t nl = 0, wl = 0, restlen;
	enum dns_type type;

	while (am_iswsp((unsigned char)*p))
		p++;
	if (*p == '\0' || *p == '#' || *p == '\n' || *p == '\r')
		return 0;
	while (*p && !am_isspace((unsigned char)*p) && nl + 1 < sizeof name)
		name[nl++] = *p++;
	name[nl] = '\0';
	while (am_iswsp((unsigned char)*p))
		p++;
	while (*p && !am_isspace((unsigned char)*p) && wl + 1 < sizeof word)
		word[wl++] = *p++;
	word[wl] = '\0';
	while (am_iswsp((unsigned char)*p))
		p++;
	rest = am_trim(p, strlen(p), &restlen);

	if (strcmp(word, "TIMEOUT") == 0 || strcmp(word, "SERVFAIL") == 0 || strcmp(word, "MALFORMED") == 0) {
		enum dns_status st = word[0] == 'T' ? DNS_TIMEOUT : word[0] == 'S' ? DNS_SERVFAIL : DNS_MALFORMED;
		char tname[16] = "";
		if (restlen > 0 && restlen < sizeof tname)
			memcpy(tname, rest, restlen), tname[restlen] = '\0';
		type = restlen ? dns_type_parse(tname) : (enum dns_type)0;
		if (restlen && type == 0) {
			snprintf(err, errlen, "unknown record type '%.*s'", (int)restlen, rest);
			return -1;
		}
		return dns_zone_set_fail(z, name, type, st);
	}
	type = dns_type_parse(word);
	if (type == 0) {
		snprintf(err, errlen, "unknown record type '%s'", word);
		return -1;
	}
	{
		char *val = malloc(restlen + 1);
		int rc;
		if (val == NULL)
			return -1;
		memcpy(val, rest, restlen);
		val[restlen] = '\0';
		if (type == DNS_T_TXT) {
			char *txt = malloc(restlen + 1);
			size_t tl = 0;
			rc = txt ? zone_parse_txt(val, txt, restlen + 1, &tl) : -1;
			if (rc == 0)
				rc = dns_zone_add_txt(z, name, txt, tl);
			free(txt);
		} else {
			rc = dns_zone_add(z, name, type, val);
		}
		if (rc < 0)
			snprintf(err, errlen, "bad %s value '%s'", word, val);
		free(val);
		return rc;
	}
}

int dns_zone_load_file(struct dns_zone *z, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, why[200];
	size_t cap = 0;
	unsigned lineno = 0;
	int rc = 0;
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (getline(&line, &cap, f) > 0) {
		size_t l = strlen(line);
		lineno++;
		while (l > 0 && (line[l - 1] == '\n' || line[l - 1] == '\r'))
			line[--l] = '\0';
		why[0] = '\0';
		if (dns_zone_load_line(z, line, why, sizeof why) < 0) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, why[0] ? why : "out of memory");
			rc = -1;
			break;
		}
	}
	free(line);
	fclose(f);
	return rc;
}
