/* dns - status and type names, and answer construction helpers shared by the resolver
 * implementations (see dns.h). OWNS: nothing global. */
#include "dns.h"
#include "strutil.h"
#include <stdlib.h>
#include <string.h>

const char *dns_status_name(enum dns_status s)
{
	switch (s) {
#define DNS_STATUS_CASE(name, text) \
	case DNS_##name:            \
		return text;
		DNS_STATUS_MAP(DNS_STATUS_CASE)
#undef DNS_STATUS_CASE
	}
	return "unknown";
}

static const struct {
	enum dns_type type;
	const char *name;
} type_names[] = {
	{ DNS_T_A, "A" }, { DNS_T_NS, "NS" }, { DNS_T_CNAME, "CNAME" }, { DNS_T_SOA, "SOA" },
	{ DNS_T_PTR, "PTR" }, { DNS_T_MX, "MX" }, { DNS_T_TXT, "TXT" }, { DNS_T_AAAA, "AAAA" },
};

const char *dns_type_name(enum dns_type t)
{
	for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
		if (type_names[i].type == t)
			return type_names[i].name;
	return "?";
}

enum dns_type dns_type_parse(const char *s)
{
	for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
		if (am_strcaseeq(type_names[i].name, s))
			return type_names[i].type;
	return (enum dns_type)0;
}

struct dns_answer *dns_answer_new(enum dns_status status, uint32_t ttl)
{
	struct dns_answer *a = calloc(1, sizeof *a);
	if (a) {
		a->status = status;
		a->ttl = ttl;
	}
	return a;
}

static struct dns_rr *answer_grow(struct dns_answer *a, enum dns_type type, uint32_t ttl)
{
	struct dns_rr *n = realloc(a->rr, (a->count + 1) * sizeof *n);
	if (n == NULL)
		return NULL;
	a->rr = n;
	memset(&n[a->count], 0, sizeof n[0]);
	n[a->count].type = type;
	n[a->count].ttl = ttl;
	if (a->count == 0 || ttl < a->ttl)
		a->ttl = ttl;
	a->status = DNS_ANSWER;
	return &n[a->count++];
}

int dns_answer_add_addr(struct dns_answer *a, enum dns_type type, uint32_t ttl, const uint8_t *addr)
{
	struct dns_rr *rr = answer_grow(a, type, ttl);
	if (rr == NULL)
		return -1;
	memcpy(rr->u.addr, addr, type == DNS_T_A ? 4 : 16);
	return 0;
}

int dns_answer_add_name(struct dns_answer *a, enum dns_type type, uint32_t ttl, const char *name)
{
	char *copy = strdup(name);
	struct dns_rr *rr;
	if (copy == NULL || (rr = answer_grow(a, type, ttl)) == NULL) {
		free(copy);
		return -1;
	}
	rr->u.name = copy;
	return 0;
}

int dns_answer_add_mx(struct dns_answer *a, uint32_t ttl, uint16_t pref, const char *host)
{
	char *copy = strdup(host);
	struct dns_rr *rr;
	if (copy == NULL || (rr = answer_grow(a, DNS_T_MX, ttl)) == NULL) {
		free(copy);
		return -1;
	}
	rr->u.mx.preference = pref;
	rr->u.mx.host = copy;
	return 0;
}

int dns_answer_add_txt(struct dns_answer *a, uint32_t ttl, const char *data, size_t len)
{
	char *copy = malloc(len + 1);
	struct dns_rr *rr;
	if (copy == NULL || (rr = answer_grow(a, DNS_T_TXT, ttl)) == NULL) {
		free(copy);
		return -1;
	}
	if (len)
		memcpy(copy, data, len);
	copy[len] = '\0';
	rr->u.txt.data = copy;
	rr->u.txt.len = len;
	return 0;
}

struct dns_answer *dns_answer_dup(const struct dns_answer *a)
{
	struct dns_answer *d = dns_answer_new(a->status, a->ttl);
	int rc = 0;
	if (d == NULL)
		return NULL;
	memcpy(d->why, a->why, sizeof d->why);
	for (size_t i = 0; i < a->count && rc == 0; i++) {
		const struct dns_rr *rr = &a->rr[i];
		switch (rr->type) {
		case DNS_T_A:
		case DNS_T_AAAA:
			rc = dns_answer_add_addr(d, rr->type, rr->ttl, rr->u.addr);
			break;
		case DNS_T_MX:
			rc = dns_answer_add_mx(d, rr->ttl, rr->u.mx.preference, rr->u.mx.host);
			break;
		case DNS_T_TXT:
			rc = dns_answer_add_txt(d, rr->ttl, rr->u.txt.data, rr->u.txt.len);
			break;
		default:
			rc = dns_answer_add_name(d, rr->type, rr->ttl, rr->u.name);
			break;
		}
	}
	d->status = a->status;
	d->ttl = a->ttl;
	if (rc != 0) {
		dns_answer_free(d);
		return NULL;
	}
	return d;
}

void dns_answer_free(struct dns_answer *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->count; i++) {
		struct dns_rr *rr = &a->rr[i];
		switch (rr->type) {
		case DNS_T_A:
		case DNS_T_AAAA:
			break;
		case DNS_T_MX:
			free(rr->u.mx.host);
			break;
		case DNS_T_TXT:
			free(rr->u.txt.data);
			break;
		default:
			free(rr->u.name);
			break;
		}
	}
	free(a->rr);
	free(a);
}
