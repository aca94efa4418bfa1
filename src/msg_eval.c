/* msg_eval - the per-message pipeline (see msg_eval.h). Each check keeps its own state;
 * this file only sequences them and turns their results into a verdict. */
#include "msg_eval.h"
#include "authres.h"
#include "clock.h"
#include "strutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AR_NAME "Authentication-Results"

struct msg_eval {
	const struct conf *conf;
	const struct dns_resolver *dns;
	const struct conn_info *conn;
	char queue_id[64];
	char sender[512];
	bool have_sender;
	enum outbound_reason direction;
	struct hdr_list headers;
	struct msg_results results;
	uint64_t started_ms;
	uint64_t body_bytes;
	size_t forged_removed;
};

struct msg_eval *msg_eval_new(const struct conf *conf, const struct dns_resolver *dns,
			      const struct conn_info *conn)
{
	struct msg_eval *me = calloc(1, sizeof *me);
	if (me == NULL)
		return NULL;
	me->conf = conf;
	me->dns = dns;
	me->conn = conn;
	hdr_list_init(&me->headers);
	me->started_ms = am_now_ms();
	me->results.disposition = DISP_ACCEPT;
	return me;
}

void msg_eval_free(struct msg_eval *me)
{
	if (me == NULL)
		return;
	hdr_list_clear(&me->headers);
	free(me);
}

void msg_eval_set_queue_id(struct msg_eval *me, const char *queue_id)
{
	if (queue_id)
		snprintf(me->queue_id, sizeof me->queue_id, "%s", queue_id);
}

void msg_eval_mail(struct msg_eval *me, const char *sender, const char *auth_authen)
{
	snprintf(me->sender, sizeof me->sender, "%s", sender ? sender : "");
	me->have_sender = true;
	me->direction = outbound_decide(me->conf, me->conn->have_ip ? &me->conn->ip : NULL,
					auth_authen, me->conn->daemon_name);
	me->results.outbound = me->direction != OUTBOUND_NO;
}

void msg_eval_header(struct msg_eval *me, const char *name, const char *value)
{
	/* a message with more fields than the list holds keeps the first ones: the checks
	 * see a truncated header, which can only make them fail, never pass */
	(void)hdr_list_add(&me->headers, name, value);
}

void msg_eval_eoh(struct msg_eval *me)
{
	(void)me;
}

void msg_eval_body(struct msg_eval *me, const char *data, size_t len)
{
	(void)data;
	me->body_bytes += len;
}

/* remove_forged - delete every Authentication-Results field that claims our
 * authserv-id, last occurrence first so the indexes of the others do not shift. */
static void remove_forged(struct msg_eval *me, struct verdict *out)
{
	size_t occurrence = 0, claims[HDR_MAX_FIELDS], n = 0;
	for (size_t i = 0; i < me->headers.count; i++) {
		if (!am_strcaseeq(me->headers.f[i].name, AR_NAME))
			continue;
		occurrence++;
		if (authres_claims_id(me->headers.f[i].value, me->conf->authserv_id))
			claims[n++] = occurrence;
	}
	while (n > 0)
		verdict_add_edit(out, EDIT_DELETE, claims[--n], AR_NAME, NULL);
	me->forged_removed = out->nedits;
}

void msg_eval_eom(struct msg_eval *me, uint64_t deadline_ms, struct verdict *out)
{
	struct buf ar;
	(void)deadline_ms;
	verdict_init(out);
	remove_forged(me, out);
	if (!me->results.outbound) {
		buf_init(&ar);
		if (authres_format(&me->results, me->conf->authserv_id, "\r\n\t", &ar) == 0)
			verdict_add_edit(out, EDIT_INSERT, 0, AR_NAME, ar.data);
		buf_clear(&ar);
	}
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
