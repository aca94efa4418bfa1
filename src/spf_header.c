/* spf_header - Received-SPF (RFC 7208 §9.1) formatting (see spf_header.h). */
#include "spf_header.h"
#include "strutil.h"
#include <string.h>

#define FIELD_MAX 300          /* longest piece of session data copied into the header */

/* put_comment_text - ctext with quoted-pairs for ( ) \ ; unsafe bytes become '?' */
static void put_comment_text(struct buf *b, const char *s)
{
	for (size_t i = 0; s && s[i] && i < FIELD_MAX; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '(' || c == ')' || c == '\\') {
			buf_putc(b, '\\');
			buf_putc(b, (char)c);
		} else if (c < 0x20 || c > 0x7e) {
			buf_putc(b, '?');
		} else {
			buf_putc(b, (char)c);
		}
	}
}

static bool atext(int c)
{
	return am_isalnum(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* dot_atom - RFC 5322 dot-atom-text */
static bool dot_atom(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > FIELD_MAX || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return false;
		} else if (!atext((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

static void put_value(struct buf *b, const char *fold, const char *key, const char *v)
{
	buf_printf(b, "%s%s=", fold, key);
	if (dot_atom(v)) {
		buf_puts(b, v);
		buf_putc(b, ';');
		return;
	}
	buf_putc(b, '"');
	for (size_t i = 0; v[i] && i < FIELD_MAX; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c == '"' || c == '\\')
			buf_putc(b, '\\');
		buf_putc(b, (c < 0x20 || c > 0x7e) ? '?' : (char)c);
	}
	buf_puts(b, "\";");
}

int spf_header_received_spf(const struct spf_outcome *o, const struct spf_request *req,
			    const char *mechanism, const char *fold, struct buf *out)
{
	const char *recv = req->receiver && req->receiver[0] ? req->receiver : "unknown";
	char ipbuf[64];
	const char *ip = req->ip ? req->ip : "";
	const char *who = o->identity;
	bool helo_id = req->identity == SPF_ID_HELO;
	const char *from = req->sender ? req->sender : "";
	size_t start = out->len;

	if (fold == NULL)
		fold = " ";
	if (req->addr) {
		am_ip_format(req->addr, ipbuf, sizeof ipbuf);
		ip = ipbuf;
	}
	if (strcmp(from, "<>") == 0)
		from = "";
	buf_puts(out, spf_result_name(o->result));
	buf_puts(out, " (");
	put_comment_text(out, recv);
	buf_puts(out, ": ");
	switch (o->result) {
	case SPF_PASS:
		buf_puts(out, "domain of ");
		put_comment_text(out, who);
		buf_puts(out, " designates ");
		put_comment_text(out, ip);
		buf_puts(out, " as permitted sender");
		break;
	case SPF_FAIL:
		buf_puts(out, "domain of ");
		put_comment_text(out, who);
		buf_puts(out, " does not designate ");
		put_comment_text(out, ip);
		buf_puts(out, " as permitted sender");
		break;
	case SPF_SOFTFAIL:
		buf_puts(out, "domain of transitioning ");
		put_comment_text(out, who);
		buf_puts(out, " does not designate ");
		put_comment_text(out, ip);
		buf_puts(out, " as permitted sender");
		break;
	case SPF_NEUTRAL:
		put_comment_text(out, ip);
		buf_puts(out, " is neither permitted nor denied by domain of ");
		put_comment_text(out, who);
		break;
	case SPF_NONE:
		buf_puts(out, "domain of ");
		put_comment_text(out, who);
		buf_puts(out, " does not designate permitted sender hosts");
		break;
	case SPF_TEMPERROR:
		buf_puts(out, "error in processing during lookup of ");
		put_comment_text(out, who);
		break;
	case SPF_PERMERROR:
		buf_puts(out, "permanent error in processing domain of ");
		put_comment_text(out, who);
		break;
	}
	buf_puts(out, ")");
	put_value(out, fold, "receiver", recv);
	put_value(out, fold, "client-ip", ip);
	put_value(out, fold, "envelope-from", from);
	if (req->helo && req->helo[0])
		put_value(out, fold, "helo", req->helo);
	put_value(out, fold, "identity", helo_id ? "helo" : "mailfrom");
	if ((o->result == SPF_TEMPERROR || o->result == SPF_PERMERROR) && o->explanation[0])
		put_value(out, fold, "problem", o->explanation);
	else if (mechanism && mechanism[0] && o->result != SPF_NONE)
		put_value(out, fold, "mechanism", mechanism);
	/* drop the final ';' (optional per §9.1) */
	if (out->err)
		return -1;
	if (out->len > start && out->data[out->len - 1] == ';')
		out->data[--out->len] = '\0';
	return 0;
}
