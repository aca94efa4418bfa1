/* strutil - locale-free ASCII helpers and domain-name normalisation (see strutil.h). */
#include "strutil.h"
#include <stdlib.h>
#include <string.h>

bool am_strcaseeq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (am_tolower((unsigned char)*a) != am_tolower((unsigned char)*b))
			return false;
	return *a == *b;
}

bool am_memcaseeq(const char *a, size_t alen, const char *b)
{
	size_t i;
	for (i = 0; i < alen; i++) {
		if (b[i] == '\0' || am_tolower((unsigned char)a[i]) != am_tolower((unsigned char)b[i]))
			return false;
	}
	return b[alen] == '\0';
}

char *am_strlower(char *s)
{
	for (char *p = s; *p; p++)
		*p = (char)am_tolower((unsigned char)*p);
	return s;
}

char *am_strndup_lower(const char *s, size_t len)
{
	char *r = malloc(len + 1);
	if (r == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++)
		r[i] = (char)am_tolower((unsigned char)s[i]);
	r[len] = '\0';
	return r;
}

const char *am_trim(const char *s, size_t len, size_t *outlen)
{
	while (len > 0 && am_isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && am_isspace((unsigned char)s[len - 1]))
		len--;
	*outlen = len;
	return s;
}

bool am_domain_valid(const char *s, size_t len)
{
	size_t label = 0;
	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!(am_isalnum(c) || c == '-' || c == '_'))
			return false;
		if (label == 0 && c == '-')
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0 && s[len - 1] != '-';
}

char *am_domain_normalize(const char *s, size_t len)
{
	if (len > 0 && s[len - 1] == '.')
		len--;
	return am_strndup_lower(s, len);
}

bool am_domain_is_sub(const char *sub, const char *parent)
{
	size_t ls = strlen(sub), lp = strlen(parent);
	if (lp > 0 && parent[lp - 1] == '.')
		lp--;
	if (ls > 0 && sub[ls - 1] == '.')
		ls--;
	if (ls < lp)
		return false;
	for (size_t i = 0; i < lp; i++)
		if (am_tolower((unsigned char)sub[ls - lp + i]) != am_tolower((unsigned char)parent[i]))
			return false;
	return ls == lp || sub[ls - lp - 1] == '.';
}

int am_domain_labels(const char *d)
{
	int n = 0;
	size_t len = strlen(d);
	if (len > 0 && d[len - 1] == '.')
		len--;
	if (len == 0)
		return 0;
	n = 1;
	for (size_t i = 0; i < len; i++)
		if (d[i] == '.')
			n++;
	return n;
}
