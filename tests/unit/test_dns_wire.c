/* test_dns_wire - the raw reply parser on crafted packets: statuses, CNAME chains,
 * TXT joining, TTLs, negative TTL from the SOA, compression and its abuse, truncation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dns_wire.h"

struct pkt {
	uint8_t b[8192];
	size_t n;
};

static void p8(struct pkt *p, unsigned v)
{
	p->b[p->n++] = (uint8_t)v;
}

static void p16(struct pkt *p, unsigned v)
{
	p8(p, v >> 8);
	p8(p, v & 0xFF);
}

static void p32(struct pkt *p, uint32_t v)
{
	p16(p, v >> 16);
	p16(p, v & 0xFFFF);
}

/* pname - a name as labels; "@NN" as the whole name writes a pointer to offset NN. */
static void pname(struct pkt *p, const char *name)
{
	if (name[0] == '@') {
		unsigned off = (unsigned)atoi(name + 1);
		p16(p, 0xC000 | off);
		return;
	}
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);
		p8(p, (unsigned)l);
		memcpy(p->b + p->n, name, l);
		p->n += l;
		name += l;
		if (*name == '.')
			name++;
	}
	p8(p, 0);
}

/* hdr - header (QR set) + question; flags2 is the byte holding RA and rcode. */
static void hdr(struct pkt *p, unsigned flags1, unsigned rcode, unsigned an, unsigned ns, const char *qname,
		unsigned qtype)
{
	p->n = 0;
	p16(p, 0x1234);
	p8(p, 0x80 | flags1);
	p8(p, 0x80 | rcode);
	p16(p, 1);
	p16(p, an);
	p16(p, ns);
	p16(p, 0);
	pname(p, qname);
	p16(p, qtype);
	p16(p, 1);
}

/* rr_start - owner, type, class IN, ttl; returns the offset of RDLENGTH to patch. */
static size_t rr_start(struct pkt *p, const char *owner, unsigned type, uint32_t ttl)
{
	size_t at;
	pname(p, owner);
	p16(p, type);
	p16(p, 1);
	p32(p, ttl);
	at = p->n;
	p16(p, 0);
	return at;
}

static void rr_end(struct pkt *p, size_t at)
{
	size_t len = p->n - at - 2;
	p->b[at] = (uint8_t)(len >> 8);
	p->b[at + 1] = (uint8_t)len;
}

static void rr_a(struct pkt *p, const char *owner, uint32_t ttl, uint8_t last)
{
	size_t at = rr_start(p, owner, DNS_T_A, ttl);
	p8(p, 192);
	p8(p, 0);
	p8(p, 2);
	p8(p, last);
	rr_end(p, at);
}

static void rr_name(struct pkt *p, const char *owner, unsigned type, uint32_t ttl, const char *target)
{
	size_t at = rr_start(p, owner, type, ttl);
	pname(p, target);
	rr_end(p, at);
}

static void rr_soa(struct pkt *p, const char *owner, uint32_t ttl, uint32_t minimum)
{
	size_t at = rr_start(p, owner, DNS_T_SOA, ttl);
	pname(p, "ns.example");
	pname(p, "host.example");
	p32(p, 1);
	p32(p, 3600);
	p32(p, 600);
	p32(p, 86400);
	p32(p, minimum);
	rr_end(p, at);
}

static struct dns_answer *parse(const struct pkt *p, const char *qname, enum dns_type t)
{
	struct dns_answer *a = dns_wire_parse(p->b, p->n, qname, t);
	assert_non_null(a);
	return a;
}

static void test_a_records(void **state)
{
	struct pkt p;
	struct dns_answer *a;
	(void)state;
	hdr(&p, 0, 0, 3, 0, "www.example.com", DNS_T_A);
	rr_a(&p, "@12", 300, 1);          /* compressed owner: the question name */
	rr_a(&p, "WWW.Example.COM", 120, 2);
	rr_a(&p, "other.example.com", 5, 3); /* not ours: ignored */
	a = parse(&p, "www.example.com.", DNS_T_A);
	assert_int_equal(a->status, DNS_ANSWER);
	assert_int_equal(a->count, 2);
	assert_int_equal(a->rr[0].u.addr[3], 1);
	assert_int_equal(a->rr[1].u.addr[3], 2);
	assert_int_equal(a->ttl, 120);
	assert_string_equal(a->why, "");
	dns_answer_free(a);
	/* the query name is compared case-insensitively */
	a = parse(&p, "WWW.EXAMPLE.COM", DNS_T_A);
	assert_int_equal(a->status, DNS_ANSWER);
	dns_answer_free(a);
}

static void test_aaaa_mx_ptr(void **state)
{
	struct pkt p;
	struct dns_answer *a;
	size_t at;
	(void)state;
	hdr(&p, 0, 0, 1, 0, "v6.example", DNS_T_AAAA);
	at = rr_start(&p, "@12", DNS_T_AAAA, 60);
	p16(&p, 0x2001);
	p16(&p, 0x0db8);
	for (int i = 0; i < 5; i++)
		p16(&p, 0);
	p16(&p, 1);
	rr_end(&p, at);
	a = parse(&p, "v6.example", DNS_T_AAAA);
	assert_int_equal(a->status, DNS_ANSWER);
	assert_int_equal(a->rr[0].u.addr[0], 0x20);
	assert_int_equal(a->rr[0].u.addr[15], 1);
	dns_answer_free(a);

	hdr(&p, 0, 0, 2, 0, "example", DNS_T_MX);
	at = rr_start(&p, "@12", DNS_T_MX, 60);
	p16(&p, 10);
	p8(&p, 3);
	memcpy(p.b + p.n, "mx1", 3);
	p.n += 3;
	p16(&p, 0xC000 | 12);             /* mx1 + compressed "example" */
	rr_end(&p, at);
	at = rr_start(&p, "@12", DNS_T_MX, 60);
	p16(&p, 0);
	p8(&p, 0);                        /* null MX: "." */
	rr_end(&p, at);
	a = parse(&p, "example", DNS_T_MX);
	assert_int_equal(a->status, DNS_ANSWER);
	assert_int_equal(a->count, 2);
	assert_int_equal(a->rr[0].u.mx.preference, 10);
	assert_string_equal(a->rr[0].u.mx.host, "mx1.example");
	assert_string_equal(a->rr[1].u.mx.host, ".");
	dns_answer_free(a);

	hdr(&p, 0, 0, 1, 0, "1.2.0.192.in-addr.arpa", DNS_T_PTR);
	rr_name(&p, "@12", DNS_T_PTR, 60, "Host.Example");
	a = parse(&p, "1.2.0.192.in-addr.arpa", DNS_T_PTR);
	assert_int_equal(a->status, DNS_ANSWER);
	assert_string_equal(a->rr[0].u.name, "host.example");
	dns_answer_free(a);
}

static void test_txt_joined(void **state)
{
	struct pkt p;
	struct dns_answer *a;
	size_t at;
	(void)state;
	hdr(&p, 0, 0, 2, 0, "example", DNS_T_TXT);
	at = rr_start(&p, "@12", DNS_T_TXT, 60);
	/* 3 strings: "v=spf1 ", 255 'a's, " -all" */
	p8(&p, 7);
	memcpy(p.b + p.n, "v=spf1 ", 7);
	p.n += 7;
	p8(&p, 255);
	memset(p.b + p.n, 'a', 255);
	p.n += 255;
	p8(&p, 5);
	memcpy(p.b + p.n, " -all", 5);
	p.n += 5;
	rr_end(&p, at);
	at = rr_start(&p, "@12", DNS_T_TXT, 30);
	p8(&p, 0);                        /* one empty string */
	p8(&p, 3);
	p8(&p, 'a');
	p8(&p, 0);                        /* embedded NUL */
	p8(&p, 'b');
	rr_end(&p, at);
	a = parse(&p, "example", DNS_T_TXT);
	assert_int_equal(a->status, DNS_ANSWER);
	assert_int_equal(a->count, 2);
	assert_int_equal(a->rr[0].u.txt.len, 7 + 255 + 5);
	assert_memory_equal(a->rr[0].u.txt.data, "v=spf1 aaa", 10);
	assert_string_equal(a->rr[0].u.txt.data + 262, " -all");
	assert_int_equal(a->rr[1].u.txt.len, 3);
	assert_memory_equal(a->rr[1].u.txt.data, "a\0b", 3);
	assert_int_equal(a->ttl, 30);
	dns_answer_free(a);

	/* a string running past RDATA is malformed */
	hdr(&p, 0, 0, 1, 0, "example", DNS_T_TXT);
	at = rr_start(&p, "@12", DNS_T_TXT, 60);
	p8(&p, 10);
	p8(&p, 'x');
	rr_end(&p, at);
	a = parse(&p, "example", DNS_T_TXT);
	assert_int_equal(a->status, DNS_MALFORMED);
	assert_int_equal(a->count, 0);
	dns_answer_free(a);
}

static void test_negative(void **state)
{
	struct pkt p;
	struct dns_answer *a;
	(void)state;
	/* NXDOMAIN: negative TTL = min(SOA TTL, MINIMUM) (RFC 2308 §5) */
	hdr(&p, 0x04, 3, 0, 1, "nx.example", DNS_T_A);
	rr_soa(&p, "example", 900, 300);
	a = parse(&p, "nx.example", DNS_T_A);
	assert_int_equal(a->status, DNS_NXDOMAIN);
	assert_int_equal(a->ttl, 300);
	dns_answer_free(a);
	hdr(&p, 0x04, 3, 0, 1, "nx.example", DNS_T_A);
	rr_soa(&p, "example", 45, 300);
	a = parse(&p, "nx.example", DNS_T_A);
	assert_int_equal(a->ttl, 45);
	dns_answer_free(a);
	/* NODATA: NOERROR, no record of the type (records of other types don't count) */
	hdr(&p, 0x04, 0, 1, 1, "example", DNS_T_TXT);
	rr_a(&p, "@12", 300, 9);
	rr_soa(&p, "example", 3600, 60);
	a = parse(&p, "example", DNS_T_TXT);
	assert_int_equal(a->status, DNS_NODATA);
	assert_int_equal(a->count, 0);
	assert_int_equal(a->ttl, 60);
	dns_answer_free(a);
	/* no SOA: negative TTL 0 */
	hdr(&p, 0, 0, 0, 0, "example", DNS_T_TXT);
	a = parse(&p, "example", DNS_T_TXT);
	assert_int_equal(a->status, DNS_NODATA);
	assert_int_equal(a->ttl, 0);
	dns_answer_free(a);
}

static void test_server_errors(void **state)
{
	struct pkt p;
	struct dns_answer *a;
	(void)state;
	hdr(&p, 0, 2, 0, 0, "example", DNS_T_A);
	a = parse(&p, "example", DNS_T_A);
	assert_int_equal(a->status, DNS_SERVFAIL);
	dns_answer_free(a);
	hdr(&p, 0, 5, 0, 0, "example", DNS_T_A);
	a = parse(&p, "example", DNS_T_A);
	assert_int_equal(a->status, DNS_SERVFAIL);
	assert_non_null(strstr(a->why, "refused"));
	dns_answer_free(a);
	/* REFUSED without a question section (some servers do that) */
	hdr(&p, 0, 5, 0, 0, "example", DNS_T_A);
	p.b[5] = 0;
	p.n = 12;
	a = parse(&p, "example", DNS_T_A);
	assert_int_equal(a->status, DNS_SERVFAIL);
	dns_answer_free(a);
	hdr(&p, 0, 4, 0, 0, "example", DNS_T_A);
	a = parse(&p, "example", DNS_T_A);
	assert_int_equal(a->status, DNS_SERVFAIL);
	assert_non_null(strstr(a->why, "rcode 4"));
	dns_answer_free(a);
	/* truncated (TC): records may be missing, so not an answer */
	hdr(&p, 0x02, 0, 1, 0, "example", DNS_T_TXT);
	rr_name(&p, "@12", DNS_T_TXT, 60, "");
	a = parse(&p, "example", DNS_T_TXT);
	assert_int_equal(a->status, DNS_SERVFAIL);
	assert_non_null(strstr(a->why, "truncated"));
	dns_answer_free(a);
}

static void test_cname_chain(void **state)
{
	struct pkt p;
	struct dns_answer *a;
	(void)state;
	/* out of order on purpose: the chain is followed by name, not by position */
	hdr(&p, 0, 0, 3, 0, "www.example", DNS_T_A);
	rr_a(&p, "c.example", 600, 7);
	rr_name(&p, "b.example", DNS_T_CNAME, 100, "c.example");
	rr_name(&p, "@12", DNS_T_CNAME, 500, "b.example");
	a = parse(&p, "www.example", DNS_T_A);
	assert_int_equal(a->status, DNS_ANSWER);
	assert_int_equal(a->count, 1);
	assert_int_equal(a->rr[0].u.addr[3], 7);
	assert_int_equal(a->ttl, 100);            /* the chain's minimum */
	dns_answer_free(a);
	/* asking for the CNAME itself */
	a = parse(&p, "www.example", DNS_T_CNAME);
	assert_int_equal(a->status, DNS_MALFORMED); /* question type differs */
	dns_answer_free(a);
	hdr(&p, 0, 0, 1, 0, "www.example", DNS_T_CNAME);
	rr_name(&p, "@12", DNS_T_CNAME, 500, "b.example");
	a = parse(&p, "www.example", DNS_T_CNAME);
	assert_int_equal(a->status, DNS_ANSWER);
	assert_string_equal(a->rr[0].u.name, "b.example");
	dns_answer_free(a);
	/* chain to a name that does not exist (RFC 6604: rcode is about the last name) */
	hdr(&p, 0, 3, 1, 0, "www.example", DNS_T_A);
	rr_name(&p, "@12", DNS_T_CNAME, 500, "gone.example");
	a = parse(&p, "www.example", DNS_T_A);
	assert_int_equal(a->status, DNS_NXDOMAIN);
	dns_answer_free(a);
	hdr(&p, 0, 0, 1, 0, "www.example", DNS_T_A);
	rr_name(&p, "@12", DNS_T_CNAME, 500, "empty.example");
	a = parse(&p, "www.example", DNS_T_A);
	assert_int_equal(a->status, DNS_NODATA);
	dns_answer_free(a);
	/* a loop */
	hdr(&p, 0, 0, 2, 0, "x.example", DNS_T_A);
	rr_name(&p, "@12", DNS_T_CNAME, 5, "y.example");
	rr_name(&p, "y.example", DNS_T_CNAME, 5, "x.example");
	a = parse(&p, "x.example", DNS_T_A);
	assert_int_equal(a->status, DNS_SERVFAIL);
	assert_non_null(strstr(a->why, "CNAME"));
	dns_answer_free(a);
}

/* chain of n CNAMEs n0 -> n1 -> ... -> nN with an A record at the end */
static void build_chain(struct pkt *p, int n)
{
	char from[32], to[32];
	hdr(p, 0, 0, (unsigned)n + 1, 0, "n0.example", DNS_T_A);
	for (int i = 0; i < n; i++) {
		snprintf(from, sizeof from, "n%d.example", i);
		snprintf(to, sizeof to, "n%d.example", i + 1);
		rr_name(p, from, DNS_T_CNAME, 60, to);
	}
	rr_a(p, to, 60, 1);
}

static void test_cname_cap(void **state)
{
	struct pkt p;
	struct dns_answer *a;
	(void)state;
	build_chain(&p, DNS_WIRE_CNAME_MAX);
	a = parse(&p, "n0.example", DNS_T_A);
	assert_int_equal(a->status, DNS_ANSWER);
	dns_answer_free(a);
	build_chain(&p, DNS_WIRE_CNAME_MAX + 1);
	a = parse(&p, "n0.example", DNS_T_A);
	assert_int_equal(a->status, DNS_SERVFAIL);
	dns_answer_free(a);
}

static void test_malformed(void **state)
{
	struct pkt p;
	struct dns_answer *a;
	size_t full;
	(void)state;
	/* a pointer to itself, and a forward pointer */
	hdr(&p, 0, 0, 1, 0, "example", DNS_T_A);
	full = p.n;
	p16(&p, 0xC000 | (unsigned)full);
	p16(&p, DNS_T_A);
	p16(&p, 1);
	p32(&p, 60);
	p16(&p, 4);
	p32(&p, 0xC0000201);
	a = parse(&p, "example", DNS_T_A);
	assert_int_equal(a->status, DNS_MALFORMED);
	dns_answer_free(a);
	p.b[full + 1] = (uint8_t)(full + 4);
	a = parse(&p, "example", DNS_T_A);
	assert_int_equal(a->status, DNS_MALFORMED);
	dns_answer_free(a);
	/* wrong question, QR clear, A with 5 bytes, short header */
	hdr(&p, 0, 0, 1, 0, "other", DNS_T_A);
	rr_a(&p, "@12", 60, 1);
	a = parse(&p, "example", DNS_T_A);
	assert_int_equal(a->status, DNS_MALFORMED);
	dns_answer_free(a);
	a = parse(&p, "other", DNS_T_AAAA);
	assert_int_equal(a->status, DNS_MALFORMED);
	dns_answer_free(a);
	p.b[2] &= 0x7F;
	a = parse(&p, "other", DNS_T_A);
	assert_int_equal(a->status, DNS_MALFORMED);
	dns_answer_free(a);
	hdr(&p, 0, 0, 1, 0, "example", DNS_T_A);
	{
		size_t at = rr_start(&p, "@12", DNS_T_A, 60);
		p32(&p, 0xC0000201);
		p8(&p, 0);
		rr_end(&p, at);
	}
	a = parse(&p, "example", DNS_T_A);
	assert_int_equal(a->status, DNS_MALFORMED);
	dns_answer_free(a);
	a = dns_wire_parse(p.b, 5, "example", DNS_T_A);
	assert_int_equal(a->status, DNS_MALFORMED);
	dns_answer_free(a);
	/* every prefix of a valid packet parses without reading past it */
	hdr(&p, 0, 0, 2, 1, "www.example", DNS_T_A);
	rr_name(&p, "@12", DNS_T_CNAME, 60, "c.example");
	rr_a(&p, "c.example", 60, 1);
	rr_soa(&p, "example", 60, 60);
	full = p.n;
	for (size_t cut = 0; cut < full; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		assert_non_null(copy);
		memcpy(copy, p.b, cut);
		a = dns_wire_parse(copy, cut, "www.example", DNS_T_A);
		assert_non_null(a);
		assert_int_equal(a->status, DNS_MALFORMED);
		dns_answer_free(a);
		free(copy);
	}
	/* counts larger than the packet */
	hdr(&p, 0, 0, 2, 0, "example", DNS_T_A);
	p.b[6] = 0xFF;
	p.b[7] = 0xFF;
	rr_a(&p, "@12", 60, 1);
	a = parse(&p, "example", DNS_T_A);
	assert_int_equal(a->status, DNS_MALFORMED);
	dns_answer_free(a);
}

static void test_ttl_and_names(void **state)
{
	struct pkt p;
	struct dns_answer *a;
	char name[1100];
	size_t off;
	(void)state;
	/* RFC 2181 §8: a TTL with the top bit set is treated as 0 */
	hdr(&p, 0, 0, 1, 0, "example", DNS_T_A);
	rr_a(&p, "@12", 0x80000000u, 1);
	a = parse(&p, "example", DNS_T_A);
	assert_int_equal(a->ttl, 0);
	dns_answer_free(a);
	/* odd bytes in labels come out escaped */
	p.n = 0;
	p8(&p, 3);
	p8(&p, 'a');
	p8(&p, '.');
	p8(&p, 0xFF);
	p8(&p, 2);
	p8(&p, 'C');
	p8(&p, 'd');
	p8(&p, 0);
	off = 0;
	assert_int_equal(dns_wire_name(p.b, p.n, &off, name, sizeof name), 0);
	assert_string_equal(name, "a\\046\\255.cd");
	assert_int_equal(off, p.n);
	/* root */
	p.n = 0;
	p8(&p, 0);
	off = 0;
	assert_int_equal(dns_wire_name(p.b, p.n, &off, name, sizeof name), 0);
	assert_string_equal(name, ".");
	/* a name longer than 255 bytes on the wire */
	p.n = 0;
	for (int i = 0; i < 5; i++) {
		p8(&p, 63);
		memset(p.b + p.n, 'a', 63);
		p.n += 63;
	}
	p8(&p, 0);
	off = 0;
	assert_int_equal(dns_wire_name(p.b, p.n, &off, name, sizeof name), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_records),
		cmocka_unit_test(test_aaaa_mx_ptr),
		cmocka_unit_test(test_txt_joined),
		cmocka_unit_test(test_negative),
		cmocka_unit_test(test_server_errors),
		cmocka_unit_test(test_cname_chain),
		cmocka_unit_test(test_cname_cap),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_ttl_and_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
