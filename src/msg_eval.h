/* msg_eval - the per-message pipeline, shared by the milter and the `evaluate` CLI.
 * It is fed the SMTP events in order (MAIL FROM, each header, end of headers, body
 * chunks, end of message), runs the checks that apply (outbound: signing; inbound: SPF,
 * DKIM verification, DMARC), keeps every result in one struct msg_results, and at end of
 * message produces a struct verdict. No I/O besides DNS through the resolver interface.
 * OWNS: its header list, results and check state. THREADS: one message, one thread. */
#ifndef AM_MSG_EVAL_H
#define AM_MSG_EVAL_H
#include "cidr.h"
#include "conf.h"
#include "dns.h"
#include "hdr.h"
#include "outbound.h"
#include "results.h"
#include "verdict.h"
#include <stdint.h>

/* What is known about the SMTP client; lives as long as the connection. */
struct conn_info {
	char hostname[256];          /* the MTA's name for the client ("unknown" too) */
	struct am_ip ip;
	bool have_ip;
	char helo[256];
	char daemon_name[64];        /* {daemon_name} */
};

struct dkim_signer;
struct dmarc_options;
struct dmarc_report_row;

/* What a message is checked with: one configuration snapshot and the objects built from
 * it. Everything here must outlive the messages that use it (the snapshot's refcount
 * sees to that in the daemon). NULL signer: no signing; NULL dmarc: no DMARC. */
struct dkim_keycache;

struct msg_env {
	const struct conf *conf;
	const struct dns_resolver *dns;
	struct dkim_signer *signer;
	const struct dmarc_options *dmarc;
	struct dkim_keycache *key_cache;   /* parsed DKIM keys shared by messages (NULL: none) */
};

struct msg_eval;

/* msg_eval_new - start a message. env must outlive it; conn may change only between
 * messages. NULL on ENOMEM. */
struct msg_eval *msg_eval_new(const struct msg_env *env, const struct conn_info *conn);
void msg_eval_free(struct msg_eval *me);

void msg_eval_set_queue_id(struct msg_eval *me, const char *queue_id);
/* msg_eval_mail - MAIL FROM (sender without <>; "" for the null reverse-path) and the
 * {auth_authen} macro (NULL or "" when not authenticated). Decides the direction and,
 * for inbound mail, starts SPF (its queries fly while the message arrives), DKIM
 * verification and DMARC. Returns DISP_ACCEPT to go on, or DISP_REJECT / DISP_TEMPFAIL
 * when spf.reject_on_fail decides at once (the reply is in *early). */
enum disposition msg_eval_mail(struct msg_eval *me, const char *sender, const char *auth_authen,
			       struct verdict *early);
/* msg_eval_header - one header field, value as received (leading space kept). */
void msg_eval_header(struct msg_eval *me, const char *name, const char *value);
void msg_eval_eoh(struct msg_eval *me);
void msg_eval_body(struct msg_eval *me, const char *data, size_t len);
/* msg_eval_eom - finish every check (waiting for DNS until deadline_ms at most) and
 * decide. Header values in the verdict are folded with CRLF + TAB. */
void msg_eval_eom(struct msg_eval *me, uint64_t deadline_ms, struct verdict *out);

const struct msg_results *msg_eval_results(const struct msg_eval *me);
enum outbound_reason msg_eval_direction(const struct msg_eval *me);
const char *msg_eval_sender(const struct msg_eval *me);
const char *msg_eval_queue_id(const struct msg_eval *me);
uint64_t msg_eval_started_ms(const struct msg_eval *me);
/* msg_eval_report_row - after eom: the DMARC aggregate-report record of this message,
 * or NULL when there is none (outbound, DMARC off, no author domain). */
const struct dmarc_report_row *msg_eval_report_row(const struct msg_eval *me);
/* msg_eval_note - a problem worth a log line (key errors, ...), "" when none. */
const char *msg_eval_note(const struct msg_eval *me);
size_t msg_eval_forged_removed(const struct msg_eval *me);
#endif
