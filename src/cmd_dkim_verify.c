/* cmd_dkim_verify - `authmilter dkim verify [options] < message`: verify every
 * DKIM-Signature of a message read from stdin and print one line per signature:
 *   <result> d=<d> s=<s> a=<a> i=<i> b=<first 8> [testing] [partial-body] [(reason)]
 * "none" when the message carries no signature; "unchecked" lines for signatures over
 * the limit. Exit 0 whenever results were produced, 1 on an input or resolver error,
 * 2 on a usage error. Options: --max-signatures N, --l-strict, --clock-skew SEC,
 * --min-rsa-bits N, --timeout SEC (key lookups, default 10), --now EPOCH (t=/x= clock). */
#include "cli.h"
#include "clock.h"
#include "dkim_verify.h"
#include "hdr.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MSG_MAX (64u << 20)   /* refuse messages over 64 MiB */

static int usage(void)
{
	fprintf(stderr, "usage: authmilter [--dns-server HOST:PORT | --dns-zone FILE] dkim verify"
		" [--max-signatures N] [--l-strict] [--clock-skew SEC] [--min-rsa-bits N]"
		" [--timeout SEC] [--now EPOCH] < message\n");
	return 2;
}

static int read_all(FILE *f, struct buf *out)
{
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (out->len + n > MSG_MAX) {
			fprintf(stderr, "authmilter: message larger than %u bytes\n", MSG_MAX);
			return -1;
		}
		if (buf_append(out, chunk, n) < 0)
			return -1;
	}
	return ferror(f) ? -1 : 0;
}

static bool num_arg(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long v;
	if (s == NULL || *s < '0' || *s > '9')
		return false;
	v = strtoull(s, &end, 10);
	if (*end != '\0' || v > max)
		return false;
	*out = v;
	return true;
}

static void print_outcome(const struct dkim_outcome *o)
{
	printf("%s d=%s s=%s a=%s i=%s b=%s", dkim_result_name(o->result),
	       o->domain[0] ? o->domain : "-", o->selector[0] ? o->selector : "-",
	       o->algorithm[0] ? o->algorithm : "-", o->identity[0] ? o->identity : "-",
	       o->b_prefix[0] ? o->b_prefix : "-");
	if (o->testing)
		printf(" testing");
	if (o->partial_body)
		printf(" partial-body");
	if (o->reason[0])
		printf(" (%s)", o->reason);
	else if (o->partial_body)
		printf(" (l= leaves body content unsigned)");
	printf("\n");
}

int cmd_dkim_verify(int argc, char **argv, const struct cli_globals *g)
{
	struct dkim_verify_limits lim;
	struct cli_resolver cr;
	struct dkim_verify *v;
	struct msg_results *mr;
	struct buf raw, msg;
	struct hdr_list hl;
	size_t body_off;
	unsigned long long timeout = 10, n;
	int rc = 1;

	dkim_verify_limits_default(&lim);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--l-strict") == 0) {
			lim.l_strict = true;
		} else if (strcmp(a, "--max-signatures") == 0 && num_arg(val, AM_DKIM_SIGS_MAX, &n) && n > 0) {
			lim.max_signatures = (size_t)n;
			i++;
		} else if (strcmp(a, "--clock-skew") == 0 && num_arg(val, 86400, &n)) {
			lim.clock_skew = (unsigned)n;
			i++;
		} else if (strcmp(a, "--min-rsa-bits") == 0 && num_arg(val, 8192, &n) && n >= 1024) {
			lim.min_rsa_bits = (unsigned)n;
			i++;
		} else if (strcmp(a, "--timeout") == 0 && num_arg(val, 3600, &n)) {
			timeout = n;
			i++;
		} else if (strcmp(a, "--now") == 0 && num_arg(val, 999999999999ull, &n) && n > 0) {
			lim.now = (time_t)n;
			i++;
		} else {
			return usage();
		}
	}

	if (cli_resolver_open(g, &cr) < 0)
		return 1;

	buf_init(&raw);
	buf_init(&msg);
	hdr_list_init(&hl);
	mr = calloc(1, sizeof *mr);
	v = dkim_verify_new(&lim, &cr.r);
	if (mr == NULL || v == NULL || read_all(stdin, &raw) < 0 ||
	    hdr_to_crlf(raw.data ? raw.data : "", raw.len, &msg) < 0) {
		fprintf(stderr, "authmilter: cannot read the message\n");
		goto out;
	}
	if (hdr_split_message(msg.data ? msg.data : "", msg.len, &hl, &body_off) < 0) {
		fprintf(stderr, "authmilter: cannot read the message: %s\n", hdr_split_error(&hl));
		goto out;
	}
	for (size_t i = 0; i < hl.count; i++)
		dkim_verify_header(v, hl.f[i].name, hl.f[i].value);
	dkim_verify_eoh(v);
	for (size_t off = body_off; off < msg.len; off += 65536) {
		size_t len = msg.len - off < 65536 ? msg.len - off : 65536;
		dkim_verify_body(v, msg.data + off, len);
	}
	if (dkim_verify_finish(v, am_now_ms() + timeout * 1000u, mr) < 0)
		goto out;
	for (size_t i = 0; i < mr->dkim_count; i++)
		print_outcome(&mr->dkim[i]);
	for (size_t i = 0; i < mr->dkim_unchecked; i++)
		printf("unchecked (over the limit of %zu signatures)\n", lim.max_signatures);
	if (mr->dkim_count == 0 && mr->dkim_unchecked == 0)
		printf("none\n");
	rc = 0;
out:
	dkim_verify_free(v);
	free(mr);
	hdr_list_clear(&hl);
	buf_clear(&raw);
	buf_clear(&msg);
	cli_resolver_close(&cr);
	return rc;
}
