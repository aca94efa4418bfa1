/* milter - libmilter callbacks and verdict application (see milter.h).
 * OWNS: the per-connection context (struct milter_conn) from negotiate to close, and the
 * per-message msg_eval plus its configuration reference from MAIL FROM to EOM/abort.
 * THREADS: libmilter runs one thread per connection; nothing here is shared except the
 * configuration snapshots (refcounted) and the resolver inside them. */
#include "milter.h"
#include "buf.h"
#include "clock.h"
#include "conf_live.h"
#include "log.h"
#include "msg_eval.h"
#include "runtime.h"
#include "summary.h"
#include <libmilter/mfapi.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct milter_conn {
	unsigned long steps;                 /* negotiated protocol step flags */
	unsigned long actions;               /* negotiated actions */
	struct conn_info info;
	struct msg_eval *msg;
	struct conf_snapshot *snap;          /* held while a message is open */
};

/* Protocol steps we do not need, and the replies we never send (protocol 6). */
#define WANT_STEPS (SMFIP_NORCPT | SMFIP_NOUNKNOWN | SMFIP_NODATA | SMFIP_HDR_LEADSPC | \
		    SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY)
#define WANT_ACTIONS (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE)

static struct milter_conn *conn_of(SMFICTX *ctx)
{
	return smfi_getpriv(ctx);
}

/* reply - CONTINUE, or NOREPLY when the MTA agreed we do not answer this step. */
static sfsistat reply(const struct milter_conn *c, unsigned long nr_flag)
{
	return (c && (c->steps & nr_flag)) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static void message_end(struct milter_conn *c)
{
	msg_eval_free(c->msg);
	c->msg = NULL;
	conf_live_release(c->snap);
	c->snap = NULL;
}

static struct milter_conn *conn_get_or_new(SMFICTX *ctx)
{
	struct milter_conn *c = conn_of(ctx);
	if (c == NULL) {
		c = calloc(1, sizeof *c);
		if (c == NULL)
			return NULL;
		snprintf(c->info.hostname, sizeof c->info.hostname, "unknown");
		smfi_setpriv(ctx, c);
	}
	return c;
}

static sfsistat cb_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2,
			     unsigned long f3, unsigned long *pf0, unsigned long *pf1, unsigned long *pf2,
			     unsigned long *pf3)
{
	struct milter_conn *c = conn_get_or_new(ctx);
	(void)f2;
	(void)f3;
	if (c == NULL)
		return SMFIS_TEMPFAIL;
	c->actions = f0 & WANT_ACTIONS;
	c->steps = f1 & WANT_STEPS;
	*pf0 = c->actions;
	*pf1 = c->steps;
	*pf2 = 0;
	*pf3 = 0;
	return SMFIS_CONTINUE;
}

static sfsistat cb_connect(SMFICTX *ctx, char *hostname, struct sockaddr *sa)
{
	struct milter_conn *c = conn_get_or_new(ctx);
	const char *daemon;
	if (c == NULL)
		return SMFIS_TEMPFAIL;
	snprintf(c->info.hostname, sizeof c->info.hostname, "%s", hostname ? hostname : "unknown");
	c->info.have_ip = false;
	if (sa && sa->sa_family == AF_INET) {
		c->info.ip.family = AF_INET;
		memcpy(c->info.ip.addr, &((struct sockaddr_in *)(void *)sa)->sin_addr, 4);
		c->info.have_ip = true;
	} else if (sa && sa->sa_family == AF_INET6) {
		char tmp[64];
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)sa)->sin6_addr, tmp, sizeof tmp);
		c->info.have_ip = am_ip_parse(tmp, &c->info.ip);   /* folds v4-mapped */
	}
	daemon = smfi_getsymval(ctx, "{daemon_name}");
	snprintf(c->info.daemon_name, sizeof c->info.daemon_name, "%s", daemon ? daemon : "");
	return reply(c, SMFIP_NR_CONN);
}

static sfsistat cb_helo(SMFICTX *ctx, char *helo)
{
	struct milter_conn *c = conn_of(ctx);
	if (c)
		snprintf(c->info.helo, sizeof c->info.helo, "%s", helo ? helo : "");
	return reply(c, SMFIP_NR_HELO);
}

/* strip_angle - "<a@b>" -> "a@b"; also drops ESMTP parameters (argv[1..] are separate). */
static void strip_angle(const char *in, char *out, size_t outlen)
{
	size_t l;
	while (*in == ' ')
		in++;
	if (*in == '<')
		in++;
	snprintf(out, outlen, "%s", in);
	l = strlen(out);
	if (l > 0 && out[l - 1] == '>')
		out[l - 1] = '\0';
}

static sfsistat apply_verdict(SMFICTX *ctx, struct milter_conn *c, const struct verdict *v);
static void log_summary(struct milter_conn *c, const struct verdict *v);

static sfsistat cb_envfrom(SMFICTX *ctx, char **argv)
{
	struct milter_conn *c = conn_of(ctx);
	struct runtime *rt;
	struct verdict early;
	char sender[512];
	if (c == NULL)
		return SMFIS_TEMPFAIL;
	message_end(c);                      /* a previous message that never ended */
	c->snap = conf_live_acquire();
	if (c->snap == NULL)
		return SMFIS_TEMPFAIL;
	rt = c->snap->extras;
	c->msg = msg_eval_new(&rt->env, &c->info);
	if (c->msg == NULL) {
		log_err("out of memory starting a message");
		message_end(c);
		return SMFIS_TEMPFAIL;
	}
	msg_eval_set_queue_id(c->msg, smfi_getsymval(ctx, "i"));
	strip_angle(argv && argv[0] ? argv[0] : "", sender, sizeof sender);
	if (msg_eval_mail(c->msg, sender, smfi_getsymval(ctx, "{auth_authen}"), &early) != DISP_ACCEPT) {
		sfsistat rc = apply_verdict(ctx, c, &early);
		log_summary(c, &early);
		verdict_clear(&early);
		message_end(c);
		return rc;
	}
	return SMFIS_CONTINUE;
}

static sfsistat cb_header(SMFICTX *ctx, char *name, char *value)
{
	struct milter_conn *c = conn_of(ctx);
	if (c && c->msg) {
		if (c->steps & SMFIP_HDR_LEADSPC) {
			msg_eval_header(c->msg, name, value);
		} else {
			/* the MTA removed the space after the colon: put the usual one back */
			struct buf v;
			buf_init(&v);
			buf_putc(&v, ' ');
			buf_puts(&v, value);
			msg_eval_header(c->msg, name, v.data ? v.data : " ");
			buf_clear(&v);
		}
	}
	return reply(c, SMFIP_NR_HDR);
}

static sfsistat cb_eoh(SMFICTX *ctx)
{
	struct milter_conn *c = conn_of(ctx);
	if (c && c->msg)
		msg_eval_eoh(c->msg);
	return reply(c, SMFIP_NR_EOH);
}

static sfsistat cb_body(SMFICTX *ctx, unsigned char *data, size_t len)
{
	struct milter_conn *c = conn_of(ctx);
	if (c && c->msg)
		msg_eval_body(c->msg, (const char *)data, len);
	return reply(c, SMFIP_NR_BODY);
}

/* milter_value - a header value as libmilter wants it: folds as LF, and a leading
 * space when HDR_LEADSPC was negotiated (the MTA then adds none itself). */
static char *milter_value(const struct milter_conn *c, const char *v)
{
	struct buf b;
	buf_init(&b);
	if (c->steps & SMFIP_HDR_LEADSPC)
		buf_putc(&b, ' ');
	for (; *v; v++)
		if (*v != '\r')
			buf_putc(&b, *v);
	return buf_steal(&b);
}

/* reply_text - SMTP reply text safe for smfi_setreply ('%' doubled, no line breaks). */
static void reply_text(const char *in, char *out, size_t outlen)
{
	size_t o = 0;
	for (; *in && o + 3 < outlen; in++) {
		if (*in == '%')
			out[o++] = '%';
		out[o++] = (*in == '\r' || *in == '\n') ? ' ' : *in;
	}
	out[o] = '\0';
}

static sfsistat apply_verdict(SMFICTX *ctx, struct milter_conn *c, const struct verdict *v)
{
	for (size_t i = 0; i < v->nedits; i++) {
		const struct hdr_edit *e = &v->edits[i];
		if (e->op == EDIT_DELETE) {
			if ((c->actions & SMFIF_CHGHDRS) && smfi_chgheader(ctx, (char *)e->name, (int)e->index, NULL) != MI_SUCCESS)
				log_warn("%s: could not delete %s #%zu", msg_eval_queue_id(c->msg), e->name, e->index);
		} else {
			char *val = milter_value(c, e->value);
			if (val == NULL || (c->actions & SMFIF_ADDHDRS) == 0 ||
			    smfi_insheader(ctx, (int)e->index, (char *)e->name, val) != MI_SUCCESS)
				log_warn("%s: could not add %s", msg_eval_queue_id(c->msg), e->name);
			free(val);
		}
	}
	switch (v->disp) {
	case DISP_REJECT:
	case DISP_TEMPFAIL: {
		char text[512];
		reply_text(v->text, text, sizeof text);
		if (smfi_setreply(ctx, (char *)v->rcode, (char *)v->xcode, text) != MI_SUCCESS)
			log_warn("%s: could not set the SMTP reply", msg_eval_queue_id(c->msg));
		return v->disp == DISP_REJECT ? SMFIS_REJECT : SMFIS_TEMPFAIL;
	}
	case DISP_QUARANTINE:
		if (v->quarantine_reason[0] && (c->actions & SMFIF_QUARANTINE) &&
		    smfi_quarantine(ctx, (char *)v->quarantine_reason) != MI_SUCCESS)
			log_warn("%s: could not quarantine", msg_eval_queue_id(c->msg));
		return SMFIS_ACCEPT;
	case DISP_DISCARD:
		return SMFIS_DISCARD;
	case DISP_ACCEPT:
		break;
	}
	return SMFIS_ACCEPT;
}

/* log_summary - the one line per message, and a warning for anything noteworthy. */
static void log_summary(struct milter_conn *c, const struct verdict *v)
{
	struct buf line;
	const char *note = msg_eval_note(c->msg);
	if (note[0])
		log_warn("%s: %s", msg_eval_queue_id(c->msg), note);
	buf_init(&line);
	if (summary_format(c->msg, &c->info, v, am_now_ms() - msg_eval_started_ms(c->msg),
			   strcmp(c->snap->conf->log.format, "json") == 0, &line) == 0)
		log_msg(LOG_LVL_INFO, line.data);
	buf_clear(&line);
}

static sfsistat cb_eom(SMFICTX *ctx)
{
	struct milter_conn *c = conn_of(ctx);
	struct verdict v;
	sfsistat rc;
	if (c == NULL || c->msg == NULL)
		return SMFIS_CONTINUE;
	msg_eval_set_queue_id(c->msg, smfi_getsymval(ctx, "i"));
	msg_eval_eom(c->msg, am_now_ms() + (uint64_t)c->snap->conf->milter.eom_deadline, &v);
	rc = apply_verdict(ctx, c, &v);
	log_summary(c, &v);
	verdict_clear(&v);
	message_end(c);
	return rc;
}

static sfsistat cb_abort(SMFICTX *ctx)
{
	struct milter_conn *c = conn_of(ctx);
	if (c)
		message_end(c);
	return SMFIS_CONTINUE;
}

static sfsistat cb_close(SMFICTX *ctx)
{
	struct milter_conn *c = conn_of(ctx);
	if (c) {
		message_end(c);
		free(c);
		smfi_setpriv(ctx, NULL);
	}
	return SMFIS_CONTINUE;
}

int milter_register(void)
{
	struct smfiDesc desc = {
		.xxfi_name = "authmilter",
		.xxfi_version = SMFI_VERSION,
		.xxfi_flags = WANT_ACTIONS,
		.xxfi_connect = cb_connect,
		.xxfi_helo = cb_helo,
		.xxfi_envfrom = cb_envfrom,
		.xxfi_header = cb_header,
		.xxfi_eoh = cb_eoh,
		.xxfi_body = cb_body,
		.xxfi_eom = cb_eom,
		.xxfi_abort = cb_abort,
		.xxfi_close = cb_close,
		.xxfi_negotiate = cb_negotiate,
	};
	return smfi_register(desc) == MI_SUCCESS ? 0 : -1;
}
