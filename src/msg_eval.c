/* msg_eval - the per-message pipeline (see msg_eval.h). Each check keeps its own state;
 * this file only sequences them, feeds them the SMTP events as they come, and turns
 * their results into a verdict at end of message.
 * OWNS: the header list, the results record and every check's per-message state. */
#include "msg_eval.h"
#include "authres.h"
#include "clock.h"
#include "dkim_signer.h"
#include "dkim_verify.h"
#include "dmarc_eval.h"
#include "dmarc_report.h"
#include "spf_conf.h"
#include "spf_eval.h"
#include "spf_header.h"
#include "strutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AR_NAME "Authentication-Results"
#define FOLD "\r\n\t"

struct msg_eval {
	const struct msg_env *env;
	const struct conf *conf;
	const struct conn_info *conn;
	char queue_id[64];
	char sender[512];
	char ip_text[64];
	enum outbound_reason direction;
	struct hdr_list headers;
	struct msg_results results;
	uint64_t started_ms;
	uint64_t body_bytes;
	size_t forged_removed;
	char note[256];

	/* Authentication-Results fields seen (all of them, whatever the header list keeps)
	 * and the occurrences (1-based) that claim our authserv-id */
	size_t ar_seen;
	size_t *ar_claims;
	size_t n_claims, cap_claims;
	bool ar_oom;

	/* inbound checks */
	struct spf_check *spf_mailfrom;
	struct spf_check *spf_helo;
	struct dkim_verify *verify;
	struct dmarc_ctx *dmarc;
	struct dmarc_verdict dmarc_verdict;
	struct dmarc_report_row *report;
	bool report_valid;

	/* outbound */
	struct dkim_signer_msg *sign;
	enum dkim_signer_status sign_status;
};

struct msg_eval *msg_eval_new(const struct msg_env *env, const struct conn_info *conn)
{
	struct msg_eval *me = calloc(1, sizeof *me);
	if (me == NULL)
		return NULL;
	me->env = env;
	me->conf = env->conf;
	me->conn = conn;
	hdr_list_init(&me->headers);
	me->started_ms = am_now_ms();
	me->results.disposition = DISP_ACCEPT;
	me->sign_status = DKIM_SIGNER_NO_RULE;
	if (conn->have_ip)
		am_ip_format(&conn->ip, me->ip_text, sizeof me->ip_text);
	return me;
}

void msg_eval_free(struct msg_eval *me)
{
	if (me == NULL)
		return;
	hdr_list_clear(&me->headers);
	spf_check_free(me->spf_mailfrom);
	spf_check_free(me->spf_helo);
	dkim_verify_free(me->verify);
	dmarc_ctx_free(me->dmarc);
	dkim_signer_msg_free(me->sign);
	free(me->ar_claims);
	free(me->report);
	free(me);
}

void msg_eval_set_queue_id(struct msg_eval *me, const char *queue_id)
{
	if (queue_id && queue_id[0])
		snprintf(me->queue_id, sizeof me->queue_id, "%s", queue_id);
}

/* spf_request_for - the request of one identity (RFC 7208 §2.3, §2.4). */
static void spf_request_for(const struct msg_eval *me, enum spf_identity id, struct spf_request *req)
{
	memset(req, 0, sizeof *req);
	req->ip = me->ip_text;
	req->sender = me->sender;
	req->helo = me->conn->helo;
	req->receiver = me->conf->authserv_id;
	req->identity = id;
}

static void spf_start(struct msg_eval *me)
{
	struct spf_limits lim;
	struct spf_request req;
	if (!me->conf->spf.enabled || !me->conn->have_ip)
		return;
	spf_limits_from_conf(me->conf, &lim);
	spf_request_for(me, SPF_ID_MAILFROM, &req);
	me->spf_mailfrom = spf_check_new(&req, &lim);
	if (me->spf_mailfrom)
		spf_check_step(me->spf_mailfrom, me->env->dns, 0);
	if (me->conf->spf.check_helo && me->conn->helo[0] &&
	    am_domain_valid(me->conn->helo, strlen(me->conn->helo))) {
		spf_request_for(me, SPF_ID_HELO, &req);
		me->spf_helo = spf_check_new(&req, &lim);
		if (me->spf_helo)
			spf_check_step(me->spf_helo, me->env->dns, 0);
	}
}

/* spf_poll - advance the SPF checks with the answers that have arrived, starting the
 * next lookups, without waiting. */
static void spf_poll(struct msg_eval *me)
{
	if (me->spf_mailfrom && !spf_check_done(me->spf_mailfrom))
		spf_check_step(me->spf_mailfrom, me->env->dns, 0);
	if (me->spf_helo && !spf_check_done(me->spf_helo))
		spf_check_step(me->spf_helo, me->env->dns, 0);
}

static void spf_finish(struct msg_eval *me, uint64_t deadline_ms)
{
	if (me->spf_mailfrom) {
		spf_check_run(me->spf_mailfrom, me->env->dns, deadline_ms);
		spf_check_result(me->spf_mailfrom, &me->results.spf_mailfrom);
		me->results.spf_mailfrom.checked = true;
	}
	if (me->spf_helo) {
		spf_check_run(me->spf_helo, me->env->dns, deadline_ms);
		spf_check_result(me->spf_helo, &me->results.spf_helo);
		me->results.spf_helo.checked = true;
	}
}

enum disposition msg_eval_mail(struct msg_eval *me, const char *sender, const char *auth_authen,
			       struct verdict *early)
{
	const struct conf *c = me->conf;
	snprintf(me->sender, sizeof me->sender, "%s", sender ? sender : "");
	me->direction = outbound_decide(c, me->conn->have_ip ? &me->conn->ip : NULL, auth_authen,
					me->conn->daemon_name);
	me->results.outbound = me->direction != OUTBOUND_NO;
	if (me->results.outbound)
		return DISP_ACCEPT;
	spf_start(me);
	if (c->dkim.verify) {
		struct dkim_verify_limits lim;
		dkim_verify_limits_default(&lim);
		lim.max_signatures = (size_t)c->dkim.max_signatures;
		lim.l_strict = c->dkim.l_strict;
		lim.clock_skew = (unsigned)c->dkim.clock_skew;
		lim.min_rsa_bits = (unsigned)c->dkim.min_rsa_bits;
		lim.key_cache = me->env->key_cache;
		me->verify = dkim_verify_new(&lim, me->env->dns);
	}
	if (c->dmarc.enabled && me->env->dmarc)
		me->dmarc = dmarc_ctx_new(me->env->dns, me->env->dmarc);

	/* spf.reject_on_fail: the MAIL FROM result is needed now (RFC 7208 §8.4) */
	if (c->spf.reject_on_fail && me->spf_mailfrom) {
		struct spf_outcome o;
		spf_check_run(me->spf_mailfrom, me->env->dns, am_now_ms() + (uint64_t)c->spf.time_limit * 1000u);
		spf_check_result(me->spf_mailfrom, &o);
		if (o.result == SPF_FAIL) {
			char text[256];
			verdict_init(early);
			snprintf(text, sizeof text, "SPF: %.200s", o.explanation[0] ? o.explanation : "sender not authorised");
			verdict_set_reply(early, DISP_REJECT, "550", "5.7.23", text);
			me->results.spf_mailfrom = o;
			me->results.spf_mailfrom.checked = true;
			me->results.disposition = DISP_REJECT;
			snprintf(me->results.disposition_reason, sizeof me->results.disposition_reason, "spf fail");
			return DISP_REJECT;
		}
	}
	return DISP_ACCEPT;
}

/* note_ar - one more Authentication-Results field; remember its occurrence when it
 * claims our authserv-id. */
static void note_ar(struct msg_eval *me, const char *value)
{
	me->ar_seen++;
	if (!authres_claims_id(value, me->conf->authserv_id))
		return;
	if (me->n_claims == me->cap_claims) {
		size_t ncap = me->cap_claims ? me->cap_claims * 2 : 8;
		size_t *nc = realloc(me->ar_claims, ncap * sizeof *nc);
		if (nc == NULL) {
			me->ar_oom = true;
			return;
		}
		me->ar_claims = nc;
		me->cap_claims = ncap;
	}
	me->ar_claims[me->n_claims++] = me->ar_seen;
}

void msg_eval_header(struct msg_eval *me, const char *name, const char *value)
{
	/* a message with more fields than the list holds keeps the first ones: the checks
	 * see a truncated header, which can only make them fail, never pass */
	(void)hdr_list_add(&me->headers, name, value);
	/* forged A-R: counted here, not from the list, so a forgery placed after the
	 * fields the list keeps is deleted too */
	if (am_strcaseeq(name, AR_NAME))
		note_ar(me, value);
	if (me->verify)
		dkim_verify_header(me->verify, name, value);
	if (me->dmarc && am_strcaseeq(name, "From"))
		dmarc_ctx_add_from(me->dmarc, value, strlen(value));
}

void msg_eval_eoh(struct msg_eval *me)
{
	spf_poll(me);
	if (me->verify)
		dkim_verify_eoh(me->verify);
	if (me->dmarc)
		dmarc_ctx_step(me->dmarc, 0);
	if (me->results.outbound && me->conf->dkim.sign && me->env->signer) {
		char err[256] = "";
		me->sign_status = dkim_signer_begin(me->env->signer, &me->headers, NULL, am_now_ms(), &me->sign,
						    err, sizeof err);
		if (me->sign_status != DKIM_SIGNER_SIGN && me->sign_status != DKIM_SIGNER_NO_RULE)
			snprintf(me->note, sizeof me->note, "not signed: %.200s", err[0] ? err : "no usable From domain");
		else if (me->sign && dkim_signer_msg_missing(me->sign) > 0)
			snprintf(me->note, sizeof me->note, "signed with fewer keys than configured: %.180s", err);
	}
}

void msg_eval_body(struct msg_eval *me, const char *data, size_t len)
{
	if (me->body_bytes == 0)
		spf_poll(me);
	me->body_bytes += len;
	if (me->verify)
		dkim_verify_body(me->verify, data, len);
	if (me->sign)
		dkim_signer_msg_body(me->sign, data, len);
}

/* remove_forged - delete every Authentication-Results field that claims our
 * authserv-id, last occurrence first so the indexes of the others do not shift.
 * -1 when one of them cannot be deleted (ENOMEM): the caller must not pass the
 * message on with a forgery in it. */
static int remove_forged(struct msg_eval *me, struct verdict *out)
{
	me->forged_removed = me->n_claims;
	for (size_t n = me->n_claims; n > 0; n--)
		if (verdict_add_edit(out, EDIT_DELETE, me->ar_claims[n - 1], AR_NAME, NULL) < 0)
			return -1;
	return me->ar_oom ? -1 : 0;
}

static void eom_outbound(struct msg_eval *me, struct verdict *out)
{
	char err[256] = "";
	if (me->sign) {
		int n = dkim_signer_msg_finish(me->sign, am_wall_time(), err, sizeof err);
		if (n < 0) {
			snprintf(me->note, sizeof me->note, "signing failed: %.200s", err);
			me->sign_status = DKIM_SIGNER_ERROR;
		} else {
			/* each at the top: the last one inserted ends up first */
			for (size_t i = (size_t)n; i > 0; i--)
				verdict_add_edit(out, EDIT_INSERT, 0, "DKIM-Signature", dkim_signer_msg_value(me->sign, i - 1));
			me->results.dkim_signed = (size_t)n;
		}
	}
	if ((me->sign_status == DKIM_SIGNER_KEY_ERROR || me->sign_status == DKIM_SIGNER_ERROR) &&
	    strcmp(me->conf->dkim.on_key_error, "tempfail") == 0) {
		verdict_set_reply(out, DISP_TEMPFAIL, "451", "4.3.0", "Signing key unavailable, try again later");
		snprintf(me->results.disposition_reason, sizeof me->results.disposition_reason, "dkim signing key error");
	}
}

static void eom_inbound(struct msg_eval *me, uint64_t deadline_ms, struct verdict *out)
{
	const struct conf *c = me->conf;
	struct buf hv;
	spf_finish(me, deadline_ms);
	if (me->verify) {
		dkim_verify_finish(me->verify, deadline_ms, &me->results);
		me->results.dkim_checked = true;
	}
	if (me->dmarc) {
		const char *at = strrchr(me->results.spf_mailfrom.identity, '@');
		dmarc_ctx_finish(me->dmarc, &me->results, me->conn->have_ip ? &me->conn->ip : NULL, deadline_ms,
				 &me->dmarc_verdict);
		me->report = calloc(1, sizeof *me->report);
		if (me->report)
			me->report_valid = dmarc_report_row_fill(me->dmarc, &me->results, &me->dmarc_verdict,
								 me->conn->have_ip ? &me->conn->ip : NULL,
								 at ? at + 1 : NULL, me->report);
		switch (me->dmarc_verdict.disposition) {
		case DISP_REJECT:
		case DISP_TEMPFAIL:
			verdict_set_reply(out, me->dmarc_verdict.disposition, me->dmarc_verdict.smtp_rcode,
					  me->dmarc_verdict.smtp_xcode, me->dmarc_verdict.smtp_text);
			break;
		case DISP_QUARANTINE:
			out->disp = DISP_QUARANTINE;
			if (strcmp(c->dmarc.quarantine_action, "hold") == 0) {
				snprintf(out->quarantine_reason, sizeof out->quarantine_reason, "DMARC policy of %.100s",
					 me->results.dmarc.from_domain);
			} else {
				const char *colon = strchr(c->dmarc.quarantine_header, ':');
				char name[64];
				if (colon && (size_t)(colon - c->dmarc.quarantine_header) < sizeof name) {
					snprintf(name, sizeof name, "%.*s", (int)(colon - c->dmarc.quarantine_header),
						 c->dmarc.quarantine_header);
					/* the value without the space after the colon: like every
					 * other edit's value (the milter glue adds the one space) */
					const char *val = colon + 1;
					while (*val == ' ' || *val == '\t')
						val++;
					verdict_add_edit(out, EDIT_INSERT, 0, name, val);
				}
			}
			break;
		default:
			break;
		}
	}
	/* an SPF temperror alone tempfails only when configured to, and never a message
	 * that DMARC already passed */
	if (out->disp == DISP_ACCEPT && me->results.spf_mailfrom.checked &&
	    me->results.spf_mailfrom.result == SPF_TEMPERROR && strcmp(c->spf.temperror_action, "tempfail") == 0 &&
	    !(me->results.dmarc.checked && me->results.dmarc.result == DMARC_PASS)) {
		verdict_set_reply(out, DISP_TEMPFAIL, "451", "4.4.3", "SPF: temporary DNS failure, try again later");
		snprintf(me->results.disposition_reason, sizeof me->results.disposition_reason, "spf temperror");
	}
	buf_init(&hv);
	if (c->spf.received_spf_header && me->spf_mailfrom) {
		struct spf_request req;
		spf_request_for(me, SPF_ID_MAILFROM, &req);
		if (spf_header_received_spf(&me->results.spf_mailfrom, &req, spf_check_mechanism(me->spf_mailfrom),
					    FOLD, &hv) == 0)
			verdict_add_edit(out, EDIT_INSERT, 0, "Received-SPF", hv.data);
		buf_reset(&hv);
	}
	me->results.disposition = out->disp;
	if (authres_format(&me->results, c->authserv_id, FOLD, &hv) == 0)
		verdict_add_edit(out, EDIT_INSERT, 0, AR_NAME, hv.data);
	buf_clear(&hv);
}

void msg_eval_eom(struct msg_eval *me, uint64_t deadline_ms, struct verdict *out)
{
	verdict_init(out);
	if (remove_forged(me, out) < 0) {
		verdict_set_reply(out, DISP_TEMPFAIL, "451", "4.3.0", "Temporary local problem, try again later");
		snprintf(me->results.disposition_reason, sizeof me->results.disposition_reason,
			 "out of memory removing forged Authentication-Results");
		me->results.disposition = out->disp;
		return;
	}
	if (me->results.outbound)
		eom_outbound(me, out);
	else
		eom_inbound(me, deadline_ms, out);
	me->results.disposition = out->disp;
}

const struct msg_results *msg_eval_results(const struct msg_eval *me)
{
	return &me->results;
}

enum outbound_reason msg_eval_direction(const struct msg_eval *me)
{
	return me->direction;
}

const char *msg_eval_sender(const struct msg_eval *me)
{
	return me->sender;
}

const char *msg_eval_queue_id(const struct msg_eval *me)
{
	return me->queue_id[0] ? me->queue_id : "NOQUEUE";
}

uint64_t msg_eval_started_ms(const struct msg_eval *me)
{
	return me->started_ms;
}

size_t msg_eval_forged_removed(const struct msg_eval *me)
{
	return me->forged_removed;
}

const struct dmarc_report_row *msg_eval_report_row(const struct msg_eval *me)
{
	return me->report_valid ? me->report : NULL;
}

const char *msg_eval_note(const struct msg_eval *me)
{
	return me->note;
}
