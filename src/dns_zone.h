/* dns_zone - an in-memory DNS zone that implements the dns.h interface.
 * Used by unit tests, the conformance suites and CLI tools that read records from a file.
 * Lookups are answered at dns_start() time; nothing blocks. Names are case-insensitive
 * and a trailing dot is ignored. A name that owns any record answers NODATA for other
 * types, otherwise NXDOMAIN (a name is also "existing" when it is an ancestor of a
 * name with records: empty non-terminals, RFC 8020). CNAMEs are followed (up to 8).
 * A "*.parent" name answers for names below parent that have no records of their own.
 * Failures can be injected per name (and type): DNS_TIMEOUT, DNS_SERVFAIL, DNS_MALFORMED.
 * THREADS: adding records is not thread-safe; lookups are (a mutex guards the counter). */
#ifndef AM_DNS_ZONE_H
#define AM_DNS_ZONE_H
#include "dns.h"

struct dns_zone;

struct dns_zone *dns_zone_new(void);
void dns_zone_free(struct dns_zone *z);

/* dns_zone_add - add a record from its text form: A "192.0.2.1", AAAA "2001:db8::1",
 * MX "10 mx.example.com", PTR/CNAME/NS "target.example", TXT as raw data (already joined).
 * Returns 0, or -1 for a value that does not parse or ENOMEM. */
int dns_zone_add(struct dns_zone *z, const char *name, enum dns_type type, const char *value);
/* dns_zone_add_txt - binary-safe TXT record. */
int dns_zone_add_txt(struct dns_zone *z, const char *name, const char *data, size_t len);
/* dns_zone_set_fail - queries for name (type 0 = every type) get this status. */
int dns_zone_set_fail(struct dns_zone *z, const char *name, enum dns_type type, enum dns_status st);
/* dns_zone_set_ttl - the TTL given to records added afterwards (default 300). */
void dns_zone_set_ttl(struct dns_zone *z, uint32_t ttl);

/* dns_zone_load_file - read "name TYPE value" lines ('#' starts a comment). TXT values are
 * either a sequence of "quoted strings" (joined; \" \\ and \DDD escapes) or the raw rest
 * of the line. "name TIMEOUT|SERVFAIL|MALFORMED [TYPE]" injects a failure.
 * On error returns -1 and writes "path:line: reason" into err. */
int dns_zone_load_file(struct dns_zone *z, const char *path, char *err, size_t errlen);
/* dns_zone_load_line - one line of that format (used by the loader and by tests). */
int dns_zone_load_line(struct dns_zone *z, const char *line, char *err, size_t errlen);

/* dns_zone_resolver - the dns.h view of this zone; valid while the zone lives. */
struct dns_resolver dns_zone_resolver(struct dns_zone *z);
/* dns_zone_queries - how many queries were started (tests assert on lookup counts). */
unsigned long dns_zone_queries(struct dns_zone *z);
#endif
