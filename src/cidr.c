/* cidr - IPv4/IPv6 addresses and prefixes (see cidr.h). */
#include "cidr.h"
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

bool am_ip_parse(const char *s, struct am_ip *out)
{
	char tmp[64];
	size_t len = strlen(s);
	if (len >= sizeof tmp)
		return false;
	if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
		memcpy(tmp, s + 1, len - 2);
		tmp[len - 2] = '\0';
	} else {
		memcpy(tmp, s, len + 1);
	}
	memset(out, 0, sizeof *out);
	if (inet_pton(AF_INET, tmp, out->addr) == 1) {
		out->family = AF_INET;
		return true;
	}
	if (strncmp(tmp, "IPv6:", 5) == 0 || strncmp(tmp, "ipv6:", 5) == 0)
		memmove(tmp, tmp + 5, strlen(tmp + 5) + 1);
	if (inet_pton(AF_INET6, tmp, out->addr) == 1) {
		if (memcmp(out->addr, v4mapped, 12) == 0) {
			memmove(out->addr, out->addr + 12, 4);
			memset(out->addr + 4, 0, 12);
			out->family = AF_INET;
		} else {
			out->family = AF_INET6;
		}
		return true;
	}
	return false;
}

void am_ip_format(const struct am_ip *ip, char *out, size_t outlen)
{
	if (inet_ntop(ip->family, ip->addr, out, (socklen_t)outlen) == NULL && outlen > 0)
		out[0] = '\0';
}

bool am_cidr_parse(const char *s, struct am_cidr *out)
{
	char tmp[64];
	const char *slash = strrchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned max;
	if (alen >= sizeof tmp)
		return false;
	memcpy(tmp, s, alen);
	tmp[alen] = '\0';
	if (!am_ip_parse(tmp, &out->ip))
		return false;
	max = out->ip.family == AF_INET ? 32 : 128;
	if (slash) {
		char *end;
		unsigned long v;
		if (slash[1] < '0' || slash[1] > '9')
			return false;
		v = strtoul(slash + 1, &end, 10);
		if (*end != '\0' || v > max)
			return false;
		/* an IPv4-mapped IPv6 prefix was folded to IPv4 above */
		out->prefix = (unsigned)v;
	} else {
		out->prefix = max;
	}
	return true;
}

bool am_ip_prefix_equal(const struct am_ip *a, const struct am_ip *b, unsigned bits)
{
	unsigned full = bits / 8, rest = bits % 8;
	if (a->family != b->family)
		return false;
	if (memcmp(a->addr, b->addr, full) != 0)
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));
		if ((a->addr[full] & mask) != (b->addr[full] & mask))
			return false;
	}
	return true;
}

bool am_cidr_match(const struct am_cidr *c, const struct am_ip *ip)
{
	return am_ip_prefix_equal(&c->ip, ip, c->prefix);
}
