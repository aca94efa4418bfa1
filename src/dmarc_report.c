/* dmarc_report - the aggregate-report record of one message (see dmarc_report.h). */
#include "dmarc_report.h"
#include <stdio.h>
#include <string.h>

static void add_override(struct dmarc_report_row *row, enum dmarc_override t, const char *comment)
{
	if (row->n_overrides >= DMARC_REPORT_OVERRIDES_MAX)
		return;
	row->override[row->n_overrides].type = t;
	snprintf(row->override[row->n_overrides].comment, sizeof row->override[0].comment, "%.90s",
		 comment ? comment : "");
	row->n_overrides++;
}

static enum dmarc_policy disp_policy(enum disposition d)
{
	switch (d) {
	case DISP_REJECT: return DMARC_POLICY_REJECT;
	case DISP_QUARANTINE: return DMARC_POLICY_QUARANTINE;
	default: return DMARC_POLICY_NONE;
	}
}

bool dmarc_report_row_fill(const struct dmarc_ctx *c, const struct msg_results *res,
			   const struct dmarc_verdict *v, const struct am_ip *client,
			   const char *envelope_from_domain, struct dmarc_report_row *row)
{
	const struct dmarc_author_eval *ae = dmarc_ctx_selected(c);
	memset(row, 0, sizeof *row);
	if (res->outbound || ae == NULL || !res->dmarc.checked)
		return false;
	if (client)
		am_ip_format(client, row->source_ip, sizeof row->source_ip);
	snprintf(row->header_from, sizeof row->header_from, "%s", ae->domain);
	snprintf(row->envelope_from, sizeof row->envelope_from, "%s",
		 envelope_from_domain ? envelope_from_domain : "");
	row->spf_checked = res->spf_mailfrom.checked;
	row->spf_result = res->spf_mailfrom.result;
	snprintf(row->spf_domain, sizeof row->spf_domain, "%s", res->spf_mailfrom.domain);
	for (size_t i = 0; i < res->dkim_count && i < AM_DKIM_SIGS_MAX; i++) {
		row->dkim[i].result = res->dkim[i].result;
		snprintf(row->dkim[i].domain, sizeof row->dkim[i].domain, "%s", res->dkim[i].domain);
		snprintf(row->dkim[i].selector, sizeof row->dkim[i].selector, "%s", res->dkim[i].selector);
		row->dkim_count++;
	}
	row->discovery_method = dmarc_org_method_name(dmarc_ctx_org(c));
	row->p = row->sp = row->np = DMARC_POLICY_UNSET;
	if (ae->pf.found) {
		const struct dmarc_record *r = &ae->pf.rec;
		row->policy_found = true;
		snprintf(row->policy_domain, sizeof row->policy_domain, "%s", ae->pf.policy_domain);
		row->p = dmarc_record_policy(r);
		row->sp = r->forced_none ? DMARC_POLICY_UNSET : r->sp;
		row->np = r->forced_none ? DMARC_POLICY_UNSET : r->np;
		row->adkim = r->adkim;
		row->aspf = r->aspf;
		row->testing = ae->testing;
		row->psd = r->psd;
		snprintf(row->fo, sizeof row->fo, "%s", r->fo);
	}
	row->dmarc = ae->result;
	row->dkim_aligned_pass = ae->dkim_aligned;
	row->spf_aligned_pass = ae->spf_aligned;
	row->disposition = disp_policy(v->disposition);
	if (ae->testing && ae->requested != ae->applied && ae->result == DMARC_FAIL)
		add_override(row, DMARC_OVERRIDE_POLICY_TEST_MODE, "t=y");
	if (v->override != DMARC_OVERRIDE_NONE && v->override != DMARC_OVERRIDE_POLICY_TEST_MODE)
		add_override(row, v->override, v->reason);
	return true;
}

int dmarc_report_row_format(const struct dmarc_report_row *row, struct buf *out)
{
	buf_printf(out, "source_ip=%s header_from=%s envelope_from=%s spf=%s/%s",
		   row->source_ip[0] ? row->source_ip : "-", row->header_from,
		   row->envelope_from[0] ? row->envelope_from : "-",
		   row->spf_checked ? spf_result_name(row->spf_result) : "none",
		   row->spf_domain[0] ? row->spf_domain : "-");
	for (size_t i = 0; i < row->dkim_count; i++)
		buf_printf(out, " dkim=%s/%s/%s", dkim_result_name(row->dkim[i].result),
			   row->dkim[i].domain, row->dkim[i].selector);
	if (row->policy_found)
		buf_printf(out, " policy_domain=%s p=%s sp=%s np=%s adkim=%s aspf=%s testing=%s psd=%s fo=%s",
			   row->policy_domain, dmarc_policy_name(row->p), dmarc_policy_name(row->sp),
			   dmarc_policy_name(row->np), dmarc_align_name(row->adkim),
			   dmarc_align_name(row->aspf), row->testing ? "y" : "n",
			   dmarc_psd_name(row->psd), row->fo);
	buf_printf(out, " discovery=%s dmarc=%s dkim_aligned=%s spf_aligned=%s disposition=%s",
		   row->discovery_method ? row->discovery_method : "-", dmarc_result_name(row->dmarc),
		   row->dkim_aligned_pass ? "pass" : "fail", row->spf_aligned_pass ? "pass" : "fail",
		   dmarc_policy_name(row->disposition));
	for (size_t i = 0; i < row->n_overrides; i++)
		buf_printf(out, " override=%s", dmarc_override_name(row->override[i].type));
	return out->err ? -1 : 0;
}
