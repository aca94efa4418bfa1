/* idna - U-label to A-label conversion with an RFC 3492 Punycode encoder (see idna.h). */
#include "idna.h"
#include "strutil.h"
#include <stdint.h>
#include <string.h>

#define PC_BASE 36
#define PC_TMIN 1
#define PC_TMAX 26
#define PC_SKEW 38
#define PC_DAMP 700
#define PC_INITIAL_BIAS 72
#define PC_INITIAL_N 128
#define LABEL_CP_MAX 63                /* an A-label fits 63 octets: fewer code points */

/* utf8_decode - code points of s[0..n) into cp; the count, or -1 for bad UTF-8. */
static int utf8_decode(const unsigned char *s, size_t n, uint32_t *cp, size_t cap)
{
	size_t count = 0;
	for (size_t i = 0; i < n;) {
		uint32_t c = s[i];
		size_t k;
		if (c < 0x80)
			k = 0;
		else if (c >= 0xc2 && c <= 0xdf)
			k = 1, c &= 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			k = 2, c &= 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			k = 3, c &= 0x07;
		else
			return -1;
		if (k > 0 && i + k >= n)
			return -1;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return -1;
			c = (c << 6) | (s[i + j] & 0x3f);
		}
		if ((k == 1 && c < 0x80) || (k == 2 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
		    (k == 3 && (c < 0x10000 || c > 0x10ffff)))
			return -1;
		if (count >= cap)
			return -1;
		cp[count++] = c;
		i += k + 1;
	}
	return (int)count;
}

static char pc_digit(uint32_t d)
{
	return (char)(d < 26 ? 'a' + d : '0' + (d - 26));
}

static uint32_t pc_adapt(uint32_t delta, uint32_t numpoints, bool first)
{
	uint32_t k = 0;
	delta = first ? delta / PC_DAMP : delta / 2;
	delta += delta / numpoints;
	while (delta > ((PC_BASE - PC_TMIN) * PC_TMAX) / 2) {
		delta /= PC_BASE - PC_TMIN;
		k += PC_BASE;
	}
	return k + (PC_BASE - PC_TMIN + 1) * delta / (delta + PC_SKEW);
}

/* punycode - encode cp[0..n) after "xn--" into out; the length written, or 0. */
static size_t punycode(const uint32_t *cp, size_t n, char *out, size_t cap)
{
	size_t o = 0, b = 0, h;
	uint32_t nn = PC_INITIAL_N, delta = 0, bias = PC_INITIAL_BIAS;
	for (size_t i = 0; i < n; i++)
		if (cp[i] < 0x80) {
			if (o + 1 >= cap)
				return 0;
			out[o++] = (char)am_tolower((int)cp[i]);
		}
	h = b = o;
	if (b > 0) {
		if (o + 1 >= cap)
			return 0;
		out[o++] = '-';
	}
	while (h < n) {
		uint32_t m = UINT32_MAX;
		for (size_t i = 0; i < n; i++)
			if (cp[i] >= nn && cp[i] < m)
				m = cp[i];
		if ((uint64_t)(m - nn) * (h + 1) + delta > UINT32_MAX)
			return 0;
		delta += (m - nn) * (uint32_t)(h + 1);
		nn = m;
		for (size_t i = 0; i < n; i++) {
			if (cp[i] < nn && ++delta == 0)
				return 0;
			if (cp[i] != nn)
				continue;
			uint32_t q = delta;
			for (uint32_t k = PC_BASE;; k += PC_BASE) {
				uint32_t t = k <= bias ? PC_TMIN : k >= bias + PC_TMAX ? PC_TMAX : k - bias;
				if (q < t)
					break;
				if (o + 1 >= cap)
					return 0;
				out[o++] = pc_digit(t + (q - t) % (PC_BASE - t));
				q = (q - t) / (PC_BASE - t);
			}
			if (o + 1 >= cap)
				return 0;
			out[o++] = pc_digit(q);
			bias = pc_adapt(delta, (uint32_t)(h + 1), h == b);
			delta = 0;
			h++;
		}
		delta++;
		nn++;
	}
	return o;
}

bool idna_to_ascii(const char *in, size_t len, char *out, size_t outcap)
{
	size_t o = 0, i = 0;
	if (len > 0 && in[len - 1] == '.')
		len--;
	if (len == 0 || outcap == 0)
		return false;
	while (i <= len) {
		size_t j = i;
		bool ascii = true;
		while (j < len && in[j] != '.') {
			if ((unsigned char)in[j] >= 0x80)
				ascii = false;
			j++;
		}
		if (j == i)
			return false;                  /* empty label */
		if (o > 0) {
			if (o + 1 >= outcap)
				return false;
			out[o++] = '.';
		}
		if (ascii) {
			if (j - i > 63 || o + (j - i) >= outcap)
				return false;
			for (size_t k = i; k < j; k++)
				out[o++] = (char)am_tolower((unsigned char)in[k]);
		} else {
			uint32_t cp[LABEL_CP_MAX];
			char enc[64];
			int n = utf8_decode((const unsigned char *)in + i, j - i, cp, LABEL_CP_MAX);
			if (n <= 0)
				return false;
			size_t el = punycode(cp, (size_t)n, enc, sizeof enc);
			if (el == 0 || el + 4 > 63 || o + 4 + el >= outcap)
				return false;
			memcpy(out + o, "xn--", 4);
			memcpy(out + o + 4, enc, el);
			o += 4 + el;
		}
		i = j + 1;
	}
	out[o] = '\0';
	return o <= 253;
}
