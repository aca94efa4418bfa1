/* dns_wire - pure parser of a raw DNS reply (RFC 1035 §4) into a struct dns_answer.
 *
 * Given the reply bytes and the question that was asked, it decides the status on the
 * dns.h ladder and extracts the records of the asked type:
 *  - rcode NXDOMAIN -> NXDOMAIN; SERVFAIL, REFUSED, NOTIMP, FORMERR and others -> SERVFAIL;
 *  - NOERROR with no record of the asked type at the end of the CNAME chain -> NODATA;
 *  - CNAME chains inside the answer section are followed from the query name (at most
 *    DNS_WIRE_CNAME_MAX hops, a longer chain or a loop -> SERVFAIL);
 *  - TXT: the character-strings of each record joined without separator;
 *  - A, AAAA, MX, PTR, CNAME (and NS) records with their TTLs; the answer's ttl is the
 *    minimum TTL over the records and the CNAMEs followed;
 *  - negative answers carry the RFC 2308 §5 negative TTL: min(SOA TTL, SOA MINIMUM) of the
 *    SOA in the authority section (0 when there is none);
 *  - a reply with the TC bit that still reached us (UDP without TCP retry) is a SERVFAIL
 *    "truncated": its record set may be incomplete, which SPF must not mistake for data;
 *  - anything that does not parse (bounds, compression loops, bad RDATA lengths, a question
 *    that is not the one asked) -> MALFORMED.
 * Every loop is bounded by the packet length; compression pointers must point backwards.
 * OWNS: nothing; returns a heap answer (dns_answer_free). No I/O, no globals. */
#ifndef AM_DNS_WIRE_H
#define AM_DNS_WIRE_H
#include "dns.h"
#include <stdint.h>
#include <stddef.h>

#define DNS_WIRE_CNAME_MAX 8

/* dns_wire_parse - reply bytes for the question (qname, qtype) -> answer; NULL only on
 * ENOMEM. qname may carry a trailing dot; it is compared case-insensitively. */
struct dns_answer *dns_wire_parse(const uint8_t *pkt, size_t len, const char *qname, enum dns_type qtype);

/* dns_wire_name - decode the (possibly compressed) name at *off into out (lower case,
 * presentation form: no trailing dot, "." for the root, \DDD for bytes outside
 * [A-Za-z0-9_*-]); advances *off past the name in place. Returns 0 or -1. */
int dns_wire_name(const uint8_t *pkt, size_t len, size_t *off, char *out, size_t outlen);
#endif
