/* authres - Authentication-Results writer and authserv-id matcher (see authres.h). */
#include "authres.h"
#include "strutil.h"
#include <string.h>

/* skip_cfws - whitespace, line folds and (nested) comments. */
static const char *skip_cfws(const char *p)
{
	for (;;) {
		while (am_isspace((unsigned char)*p))
			p++;
		if (*p != '(')
			return p;
		{
			int depth = 0;
			do {
				if (*p == '\\' && p[1])
					p++;
				else if (*p == '(')
					depth++;
				else if (*p == ')')
					depth--;
				p++;
			} while (*p && depth > 0);
		}
	}
}

bool authres_claims_id(const char *value, const char *authserv_id)
{
	const char *p = skip_cfws(value), *start;
	size_t len;
	start = p;
	if (*p == '"') {                     /* quoted-string form of the value */
		start = ++p;
		while (*p && *p != '"')
			p++;
	} else {
		while (*p && *p != ';' && *p != '(' && !am_isspace((unsigned char)*p))
			p++;
	}
	len = (size_t)(p - start);
	return len > 0 && am_memcaseeq(start, len, authserv_id);
}

/* put_value - a property value: a plain token, or a quoted-string when it holds
 * characters outside the RFC 2045 token set (RFC 8601 §2.2 pvalue). */
static int put_value(struct buf *out, const char *v)
{
	bool plain = *v != '\0';
	for (const char *p = v; *p && plain; p++)
		if (!(am_isalnum((unsigned char)*p) || strchr(".-_@+!#$%&'*/=?^`{|}~", *p)))
			plain = false;
	if (plain)
		return buf_puts(out, v);
	if (buf_putc(out, '"') < 0)
		return -1;
	for (const char *p = v; *p; p++) {
		if ((*p == '"' || *p == '\\') && buf_putc(out, '\\') < 0)
			return -1;
		if ((unsigned char)*p >= 0x20 && buf_putc(out, *p) < 0)
			return -1;
	}
	return buf_putc(out, '"');
}

static int put_spf(struct buf *out, const struct spf_outcome *o, const char *ptype, const char *fold)
{
	buf_printf(out, ";%sspf=%s", fold, spf_result_name(o->result));
	if (o->explanation[0] && (o->result == SPF_TEMPERROR || o->result == SPF_PERMERROR)) {
		buf_puts(out, " (");
		for (const char *p = o->explanation; *p; p++)
			if (*p != '(' && *p != ')' && *p != '\\' && (unsigned char)*p >= 0x20)
				buf_putc(out, *p);
		buf_puts(out, ")");
	}
	buf_printf(out, " %s=", ptype);
	return put_value(out, o->identity[0] ? o->identity : o->domain);
}

/* dis_name - the disposition as DMARC names it in the A-R comment. */
static const char *dis_name(enum disposition d)
{
	switch (d) {
	case DISP_REJECT:
		return "reject";
	case DISP_QUARANTINE:
		return "quarantine";
	default:
		return "none";
	}
}

int authres_format(const struct msg_results *r, const char *authserv_id, const char *fold, struct buf *out)
{
	size_t start = out->len;
	buf_puts(out, authserv_id);
	if (r->spf_mailfrom.checked)
		put_spf(out, &r->spf_mailfrom, "smtp.mailfrom", fold);
	if (r->spf_helo.checked)
		put_spf(out, &r->spf_helo, "smtp.helo", fold);
	for (size_t i = 0; i < r->dkim_count; i++) {
		const struct dkim_outcome *d = &r->dkim[i];
		buf_printf(out, ";%sdkim=%s", fold, dkim_result_name(d->result));
		if (d->reason[0] || d->testing) {
			buf_puts(out, " (");
			if (d->testing)
				buf_puts(out, "test mode");
			if (d->testing && d->reason[0])
				buf_puts(out, ", ");
			for (const char *p = d->reason; *p; p++)
				if (*p != '(' && *p != ')' && *p != '\\' && (unsigned char)*p >= 0x20)
					buf_putc(out, *p);
			buf_puts(out, ")");
		}
		if (d->domain[0]) {
			buf_puts(out, " header.d=");
			put_value(out, d->domain);
		}
		if (d->identity[0]) {
			buf_puts(out, " header.i=");
			put_value(out, d->identity);
		}
		if (d->selector[0]) {
			buf_puts(out, " header.s=");
			put_value(out, d->selector);
		}
		if (d->algorithm[0]) {
			buf_puts(out, " header.a=");
			put_value(out, d->algorithm);
		}
		if (d->b_prefix[0]) {
			buf_puts(out, " header.b=");
			put_value(out, d->b_prefix);
		}
	}
	if (r->dkim_checked && r->dkim_count == 0 && r->dkim_unchecked == 0)
		buf_printf(out, ";%sdkim=none", fold);
	if (r->dkim_unchecked > 0)
		buf_printf(out, ";%sdkim=none (%zu more signatures not checked)", fold, r->dkim_unchecked);
	if (r->dmarc.checked) {
		const struct dmarc_outcome *m = &r->dmarc;
		buf_printf(out, ";%sdmarc=%s", fold, dmarc_result_name(m->result));
		/* RFC 7489 §11.2 / RFC 9989 comment: the record's p and sp, and what was
		 * done: dis=none|quarantine|reject (delivered is "none", not "accept") */
		if (m->requested != DMARC_POLICY_UNSET)
			buf_printf(out, " (p=%s sp=%s dis=%s%s)", dmarc_policy_name(m->rec_p),
				   dmarc_policy_name(m->rec_sp), dis_name(r->disposition),
				   m->testing ? " t=y" : "");
		if (m->from_domain[0]) {
			buf_puts(out, " header.from=");
			put_value(out, m->from_domain);
		}
		if (m->requested != DMARC_POLICY_UNSET)
			buf_printf(out, " policy.dmarc=%s", dmarc_policy_name(m->requested));
	}
	if (out->len == start + strlen(authserv_id))
		buf_puts(out, "; none");
	return out->err ? -1 : 0;
}
