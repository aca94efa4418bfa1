/* dns_wire - raw DNS reply -> struct dns_answer (see dns_wire.h).
 * OWNS: nothing global; the answer it returns belongs to the caller. */
#include "dns_wire.h"
#include "strutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WIRE_HDR_LEN 12
#define WIRE_NAME_TEXT 1100          /* 255 wire bytes, each at most "\DDD" */
#define WIRE_PTR_HOPS 128            /* compression pointers followed for one name */
#define WIRE_CLASS_IN 1

enum { RC_NOERROR = 0, RC_FORMERR = 1, RC_SERVFAIL = 2, RC_NXDOMAIN = 3, RC_NOTIMP = 4, RC_REFUSED = 5 };

/* One resource record of the answer or authority section, located in the packet. */
struct wire_rr {
	size_t owner_off;            /* offset of the owner name */
	uint16_t type, cls;
	uint32_t ttl;
	size_t rdata_off, rdlen;
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static int name_put(char *out, size_t outlen, size_t *n, const char *s, size_t sl)
{
	if (*n + sl + 1 > outlen)
		return -1;
	memcpy(out + *n, s, sl);
	*n += sl;
	out[*n] = '\0';
	return 0;
}

int dns_wire_name(const uint8_t *pkt, size_t len, size_t *off, char *out, size_t outlen)
{
	size_t pos = *off, n = 0, wire = 0, end = 0;
	size_t limit = pos;              /* pointers must go strictly below this */
	int hops = 0;
	bool jumped = false;

	if (outlen == 0)
		return -1;
	out[0] = '\0';
	for (;;) {
		unsigned l;
		if (pos >= len)
			return -1;
		l = pkt[pos];
		if ((l & 0xC0) == 0xC0) {
			size_t target;
			if (pos + 1 >= len || ++hops > WIRE_PTR_HOPS)
				return -1;
			target = ((size_t)(l & 0x3F) << 8) | pkt[pos + 1];
			if (target >= limit)
				return -1;       /* forward or self pointer: a loop risk */
			if (!jumped)
				end = pos + 2;
			jumped = true;
			limit = target;
			pos = target;
			continue;
		}
		if (l & 0xC0)
			return -1;               /* 0x40/0x80: extended label types, unsupported */
		if (l == 0) {
			if (!jumped)
				end = pos + 1;
			break;
		}
		if (pos + 1 + l > len || (wire += l + 1) > 254)
			return -1;
		if (n > 0 && name_put(out, outlen, &n, ".", 1) < 0)
			return -1;
		for (size_t i = 0; i < l; i++) {
			int c = pkt[pos + 1 + i];
			char esc[5];
			if (am_isalnum(c) || c == '-' || c == '_' || c == '*') {
				esc[0] = (char)am_tolower(c);
				if (name_put(out, outlen, &n, esc, 1) < 0)
					return -1;
			} else {
				snprintf(esc, sizeof esc, "\\%03d", c);
				if (name_put(out, outlen, &n, esc, 4) < 0)
					return -1;
			}
		}
		pos += 1 + l;
	}
	if (n == 0 && name_put(out, outlen, &n, ".", 1) < 0)
		return -1;
	*off = end;
	return 0;
}

/* wire_rr_read - one RR header at *off; advances past its RDATA. */
static int wire_rr_read(const uint8_t *pkt, size_t len, size_t *off, struct wire_rr *rr)
{
	char name[WIRE_NAME_TEXT];
	rr->owner_off = *off;
	if (dns_wire_name(pkt, len, off, name, sizeof name) < 0 || *off + 10 > len)
		return -1;
	rr->type = get16(pkt + *off);
	rr->cls = get16(pkt + *off + 2);
	rr->ttl = get32(pkt + *off + 4);
	if (rr->ttl > 0x7FFFFFFFu)
		rr->ttl = 0;                     /* RFC 2181 §8: treat as zero */
	rr->rdlen = get16(pkt + *off + 8);
	rr->rdata_off = *off + 10;
	if (rr->rdata_off + rr->rdlen > len)
		return -1;
	*off = rr->rdata_off + rr->rdlen;
	return 0;
}

static bool wire_owner_is(const uint8_t *pkt, size_t len, const struct wire_rr *rr, const char *name)
{
	char owner[WIRE_NAME_TEXT];
	size_t off = rr->owner_off;
	return dns_wire_name(pkt, len, &off, owner, sizeof owner) == 0 && strcmp(owner, name) == 0;
}

/* wire_rdata_name - a name that must fill RDATA from rdoff exactly to its end. */
static int wire_rdata_name(const uint8_t *pkt, size_t len, const struct wire_rr *rr, size_t rdoff,
			   char *out, size_t outlen)
{
	size_t off = rdoff;
	if (dns_wire_name(pkt, len, &off, out, outlen) < 0 || off != rr->rdata_off + rr->rdlen)
		return -1;
	return 0;
}

/* wire_add - append one record of the asked type; 0, -1 malformed, -2 ENOMEM. */
static int wire_add(struct dns_answer *a, const uint8_t *pkt, size_t len, const struct wire_rr *rr)
{
	char name[WIRE_NAME_TEXT];
	const uint8_t *rd = pkt + rr->rdata_off;
	int rc;
	switch (rr->type) {
	case DNS_T_A:
		if (rr->rdlen != 4)
			return -1;
		rc = dns_answer_add_addr(a, DNS_T_A, rr->ttl, rd);
		break;
	case DNS_T_AAAA:
		if (rr->rdlen != 16)
			return -1;
		rc = dns_answer_add_addr(a, DNS_T_AAAA, rr->ttl, rd);
		break;
	case DNS_T_MX:
		if (rr->rdlen < 3 || wire_rdata_name(pkt, len, rr, rr->rdata_off + 2, name, sizeof name) < 0)
			return -1;
		rc = dns_answer_add_mx(a, rr->ttl, get16(rd), name);
		break;
	case DNS_T_PTR:
	case DNS_T_CNAME:
	case DNS_T_NS:
		if (wire_rdata_name(pkt, len, rr, rr->rdata_off, name, sizeof name) < 0)
			return -1;
		rc = dns_answer_add_name(a, (enum dns_type)rr->type, rr->ttl, name);
		break;
	case DNS_T_TXT: {
		/* RFC 7208 §3.3 / RFC 6376 §3.6.2.2: concatenate the strings, no separator. */
		char *joined = malloc(rr->rdlen + 1);
		size_t jl = 0, p = 0;
		if (joined == NULL)
			return -2;
		if (rr->rdlen == 0) {
			free(joined);
			return -1;               /* a TXT RR holds at least one string */
		}
		while (p < rr->rdlen) {
			size_t sl = rd[p];
			if (p + 1 + sl > rr->rdlen) {
				free(joined);
				return -1;
			}
			memcpy(joined + jl, rd + p + 1, sl);
			jl += sl;
			p += 1 + sl;
		}
		rc = dns_answer_add_txt(a, rr->ttl, joined, jl);
		free(joined);
		break;
	}
	default:
		return -1;
	}
	return rc < 0 ? -2 : 0;
}

static struct dns_answer *wire_fail(struct dns_answer *a, enum dns_status st, const char *why)
{
	/* records already added are dropped: a failure carries none */
	struct dns_answer *n = dns_answer_new(st, 0);
	dns_answer_free(a);
	if (n)
		snprintf(n->why, sizeof n->why, "%s", why);
	return n;
}

/* wire_negative_ttl - RFC 2308 §5: min(TTL of the SOA, its MINIMUM field). */
static uint32_t wire_negative_ttl(const uint8_t *pkt, size_t len, const struct wire_rr *auth, size_t nauth)
{
	char name[WIRE_NAME_TEXT];
	for (size_t i = 0; i < nauth; i++) {
		size_t off = auth[i].rdata_off, end = auth[i].rdata_off + auth[i].rdlen;
		uint32_t minimum;
		if (auth[i].type != DNS_T_SOA || auth[i].cls != WIRE_CLASS_IN)
			continue;
		if (dns_wire_name(pkt, len, &off, name, sizeof name) < 0 ||
		    dns_wire_name(pkt, len, &off, name, sizeof name) < 0 || off + 20 != end)
			continue;
		minimum = get32(pkt + off + 16);
		if (minimum > 0x7FFFFFFFu)
			minimum = 0;
		return auth[i].ttl < minimum ? auth[i].ttl : minimum;
	}
	return 0;
}

/* wire_norm_qname - lower case, no trailing dot, "." for the root. */
static int wire_norm_qname(const char *qname, char *out, size_t outlen)
{
	size_t l = strlen(qname);
	while (l > 1 && qname[l - 1] == '.')
		l--;
	if (l == 0 || l >= outlen)
		return -1;
	for (size_t i = 0; i < l; i++)
		out[i] = (char)am_tolower((unsigned char)qname[i]);
	out[l] = '\0';
	return 0;
}

struct dns_answer *dns_wire_parse(const uint8_t *pkt, size_t len, const char *qname, enum dns_type qtype)
{
	struct dns_answer *a = dns_answer_new(DNS_MALFORMED, 0);
	struct wire_rr *rrs = NULL;
	char want[WIRE_NAME_TEXT], name[WIRE_NAME_TEXT];
	size_t off = WIRE_HDR_LEN, nrr = 0;
	unsigned qd, an, ns, rcode;
	uint32_t chain_ttl = UINT32_MAX;
	bool found = false;

	if (a == NULL)
		return NULL;
	if (len < WIRE_HDR_LEN)
		return wire_fail(a, DNS_MALFORMED, "reply shorter than a DNS header");
	if (!(pkt[2] & 0x80))
		return wire_fail(a, DNS_MALFORMED, "not a reply (QR clear)");
	rcode = pkt[3] & 0x0F;
	qd = get16(pkt + 4);
	an = get16(pkt + 6);
	ns = get16(pkt + 8);
	if (wire_norm_qname(qname, want, sizeof want) < 0)
		return wire_fail(a, DNS_MALFORMED, "bad query name");
	/* The question must be the one we asked (a spoofed or confused reply is not data). */
	if (qd != 1)
		return wire_fail(a, rcode == RC_NOERROR || rcode == RC_NXDOMAIN ? DNS_MALFORMED : DNS_SERVFAIL,
				 "reply without our question");
	if (dns_wire_name(pkt, len, &off, name, sizeof name) < 0 || off + 4 > len)
		return wire_fail(a, DNS_MALFORMED, "bad question section");
	if (strcmp(name, want) != 0 || get16(pkt + off) != (uint16_t)qtype)
		return wire_fail(a, DNS_MALFORMED, "reply to another question");
	off += 4;
	switch (rcode) {
	case RC_NOERROR:
	case RC_NXDOMAIN:
		break;
	case RC_REFUSED:
		return wire_fail(a, DNS_SERVFAIL, "server refused the query");
	case RC_SERVFAIL:
		return wire_fail(a, DNS_SERVFAIL, "server failure");
	default: {
		char why[40];
		snprintf(why, sizeof why, "server error rcode %u", rcode);
		return wire_fail(a, DNS_SERVFAIL, why);
	}
	}
	if (pkt[2] & 0x02)
		return wire_fail(a, DNS_SERVFAIL, "truncated reply (TC set)");

	/* Locate every RR of the answer and authority sections (each is at least 11 bytes,
	 * so the counts are bounded by the packet). */
	if ((size_t)an + ns > 0) {
		size_t max = (len - off) / 11 + 1;
		size_t want_n = (size_t)an + ns < max ? (size_t)an + ns : max;
		rrs = calloc(want_n, sizeof *rrs);
		if (rrs == NULL) {
			dns_answer_free(a);
			return NULL;
		}
		for (nrr = 0; nrr < (size_t)an + ns; nrr++) {
			if (nrr >= want_n || wire_rr_read(pkt, len, &off, &rrs[nrr]) < 0) {
				free(rrs);
				return wire_fail(a, DNS_MALFORMED, "bad resource record");
			}
		}
	}

	/* Follow the CNAME chain from the query name through the answer section. */
	snprintf(name, sizeof name, "%s", want);
	for (int hop = 0; !found; hop++) {
		const struct wire_rr *cname = NULL;
		for (size_t i = 0; i < an; i++) {
			const struct wire_rr *rr = &rrs[i];
			if (rr->cls != WIRE_CLASS_IN || (rr->type != (uint16_t)qtype && rr->type != DNS_T_CNAME))
				continue;
			if (!wire_owner_is(pkt, len, rr, name))
				continue;
			if (rr->type == (uint16_t)qtype) {
				int rc = wire_add(a, pkt, len, rr);
				if (rc == -2) {
					free(rrs);
					dns_answer_free(a);
					return NULL;
				}
				if (rc < 0) {
					free(rrs);
					return wire_fail(a, DNS_MALFORMED, "bad record data");
				}
				found = true;
			} else if (cname == NULL) {
				cname = rr;
			}
		}
		if (found || cname == NULL)
			break;
		if (hop >= DNS_WIRE_CNAME_MAX) {
			free(rrs);
			return wire_fail(a, DNS_SERVFAIL, "CNAME chain too long");
		}
		if (wire_rdata_name(pkt, len, cname, cname->rdata_off, name, sizeof name) < 0) {
			free(rrs);
			return wire_fail(a, DNS_MALFORMED, "bad CNAME target");
		}
		if (cname->ttl < chain_ttl)
			chain_ttl = cname->ttl;
	}

	if (found) {
		a->status = DNS_ANSWER;
		if (chain_ttl < a->ttl)
			a->ttl = chain_ttl;
	} else {
		a->status = rcode == RC_NXDOMAIN ? DNS_NXDOMAIN : DNS_NODATA;
		a->ttl = wire_negative_ttl(pkt, len, rrs ? rrs + an : NULL, ns);
	}
	free(rrs);
	return a;
}
