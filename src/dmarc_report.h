/* dmarc_report - the per-message record a DMARC aggregate report needs (RFC 9990 "row":
 * source IP, identifiers, auth results, policy published and evaluated, override reasons).
 * Built from a finished dmarc_ctx and the message's results; a later issue stores rows.
 * OWNS: nothing (plain data). THREADS: reentrant. */
#ifndef AM_DMARC_REPORT_H
#define AM_DMARC_REPORT_H
#include <stdbool.h>
#include <stddef.h>
#include "buf.h"
#include "cidr.h"
#include "dmarc_eval.h"
#include "dmarc_record.h"
#include "results.h"

#define DMARC_REPORT_OVERRIDES_MAX 3

struct dmarc_report_row {
	/* row */
	char source_ip[46];                          /* "" when unknown */
	/* identifiers */
	char header_from[AM_DOMAIN_MAX];             /* Author Domain */
	char envelope_from[AM_DOMAIN_MAX];           /* RFC5321.MailFrom domain, "" for <> */
	/* auth_results */
	bool spf_checked;
	enum spf_result spf_result;                  /* scope is always mfrom */
	char spf_domain[AM_DOMAIN_MAX];
	size_t dkim_count;
	struct {
		enum dkim_result result;
		char domain[AM_DOMAIN_MAX];
		char selector[64];
	} dkim[AM_DKIM_SIGS_MAX];
	/* policy_published */
	bool policy_found;
	char policy_domain[AM_DOMAIN_MAX];
	enum dmarc_policy p, sp, np;                 /* UNSET when absent */
	enum dmarc_align adkim, aspf;
	bool testing;                                /* t=y (or pct=0 read as t=y) */
	enum dmarc_psd psd;
	char fo[16];
	const char *discovery_method;                /* "treewalk" or "psl" */
	/* policy_evaluated */
	enum dmarc_result dmarc;
	bool dkim_aligned_pass, spf_aligned_pass;
	enum dmarc_policy disposition;               /* none/quarantine/reject as applied */
	size_t n_overrides;
	struct {
		enum dmarc_override type;
		char comment[96];
	} override[DMARC_REPORT_OVERRIDES_MAX];
};

/* dmarc_report_row_fill - after dmarc_ctx_finish(). client and envelope_from_domain may be
 * NULL. Returns false when there is nothing to report (outbound, no author domain). */
bool dmarc_report_row_fill(const struct dmarc_ctx *c, const struct msg_results *res,
			   const struct dmarc_verdict *v, const struct am_ip *client,
			   const char *envelope_from_domain, struct dmarc_report_row *row);

/* dmarc_report_row_format - one line of key=value pairs (logs, tests); 0 or -1 (ENOMEM). */
int dmarc_report_row_format(const struct dmarc_report_row *row, struct buf *out);
#endif
