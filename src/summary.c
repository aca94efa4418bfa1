/* summary - per-message summary line, text or JSON (see summary.h). */
#include "summary.h"
#include <string.h>

/* json_str - a JSON string literal with escapes. */
static void json_str(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			buf_printf(b, "\\%c", c);
		else if (c < 0x20)
			buf_printf(b, "\\u%04x", c);
		else
			buf_putc(b, (char)c);
	}
	buf_putc(b, '"');
}

/* text_val - a value for key=value text: quoted when it contains spaces or quotes. */
static void text_val(struct buf *b, const char *s)
{
	bool quote = *s == '\0' || strpbrk(s, " \t\"=") != NULL;
	if (!quote) {
		for (; *s; s++)
			buf_putc(b, (unsigned char)*s < 0x20 ? '?' : *s);
		return;
	}
	buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			buf_putc(b, '\\');
		buf_putc(b, (unsigned char)*s < 0x20 ? '?' : *s);
	}
	buf_putc(b, '"');
}

static void field(struct buf *b, bool json, bool *first, const char *key, const char *val)
{
	if (json) {
		buf_puts(b, *first ? "{" : ",");
		json_str(b, key);
		buf_putc(b, ':');
		json_str(b, val);
	} else {
		if (!*first)
			buf_putc(b, ' ');
		buf_printf(b, "%s=", key);
		text_val(b, val);
	}
	*first = false;
}

int summary_format(const struct msg_eval *me, const struct conn_info *conn, const struct verdict *v,
		   uint64_t elapsed_ms, bool json, struct buf *out)
{
	const struct msg_results *r = msg_eval_results(me);
	bool first = true;
	char ip[64] = "unknown", tmp[512];
	if (conn->have_ip)
		am_ip_format(&conn->ip, ip, sizeof ip);
	field(out, json, &first, "queue_id", msg_eval_queue_id(me));
	field(out, json, &first, "client", ip);
	field(out, json, &first, "helo", conn->helo);
	field(out, json, &first, "mail_from", msg_eval_sender(me));
	field(out, json, &first, "direction", outbound_reason_name(msg_eval_direction(me)));
	if (r->spf_mailfrom.checked)
		field(out, json, &first, "spf", spf_result_name(r->spf_mailfrom.result));
	if (r->spf_helo.checked)
		field(out, json, &first, "spf_helo", spf_result_name(r->spf_helo.result));
	if (r->dkim_count > 0 || !r->outbound) {
		struct buf d;
		buf_init(&d);
		for (size_t i = 0; i < r->dkim_count; i++)
			buf_printf(&d, "%s%s:%s", i ? "," : "", dkim_result_name(r->dkim[i].result),
				   r->dkim[i].domain[0] ? r->dkim[i].domain : "-");
		field(out, json, &first, "dkim", d.len ? d.data : "none");
		buf_clear(&d);
	}
	if (r->dkim_signed > 0) {
		snprintf(tmp, sizeof tmp, "%zu", r->dkim_signed);
		field(out, json, &first, "dkim_signed", tmp);
	}
	if (r->dmarc.checked) {
		field(out, json, &first, "dmarc", dmarc_result_name(r->dmarc.result));
		field(out, json, &first, "header_from", r->dmarc.from_domain);
		field(out, json, &first, "policy", dmarc_policy_name(r->dmarc.policy));
	}
	snprintf(tmp, sizeof tmp, "%zu", msg_eval_forged_removed(me));
	if (msg_eval_forged_removed(me) > 0)
		field(out, json, &first, "forged_ar_removed", tmp);
	field(out, json, &first, "action", disposition_name(v->disp));
	if (r->disposition_reason[0])
		field(out, json, &first, "reason", r->disposition_reason);
	snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)elapsed_ms);
	field(out, json, &first, "ms", tmp);
	if (json)
		buf_putc(out, '}');
	return out->err ? -1 : 0;
}
