/* cidr - IPv4/IPv6 addresses and prefixes: parse, format, match.
 * Used by internal_hosts, allow-lists and SPF ip4:/ip6:. Pure; no allocation.
 * An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is treated as IPv4. */
#ifndef AM_CIDR_H
#define AM_CIDR_H
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

struct am_ip {
	int family;          /* AF_INET or AF_INET6 */
	uint8_t addr[16];    /* 4 bytes used for AF_INET */
};

struct am_cidr {
	struct am_ip ip;
	unsigned prefix;     /* 0..32 or 0..128 */
};

/* am_ip_parse - parse a textual IPv4 or IPv6 address (brackets allowed for IPv6). */
bool am_ip_parse(const char *s, struct am_ip *out);
/* am_ip_format - write the address as text into out (at least 46 bytes). */
void am_ip_format(const struct am_ip *ip, char *out, size_t outlen);
/* am_cidr_parse - "addr" or "addr/len"; a bare address gets the full prefix. */
bool am_cidr_parse(const char *s, struct am_cidr *out);
/* am_cidr_match - does ip fall inside the prefix (same family only)? */
bool am_cidr_match(const struct am_cidr *c, const struct am_ip *ip);
/* am_ip_prefix_equal - do a and b agree in their first bits bits? (same family only) */
bool am_ip_prefix_equal(const struct am_ip *a, const struct am_ip *b, unsigned bits);
#endif
