/* bench_pipeline - full inbound evaluations per second through msg_eval (the pipeline the
 * milter and `authmilter evaluate` run): SPF (MAIL FROM and HELO), DKIM verification and
 * DMARC, on a 3 KiB message unsigned (the baseline: DMARC passes by SPF), signed with
 * RSA-2048, with Ed25519, and with both. DNS is an
 * in-memory zone (dns_zone: every answer "cached"). The keys are made for this run in a
 * private temporary directory (mode 0600) and the signatures by our own outbound path.
 * Bounded: each case stops after BENCH_SECONDS or BENCH_MAX messages. Prints figures. */
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "base64.h"
#include "buf.h"
#include "clock.h"
#include "conf.h"
#include "hdr.h"
#include "msg_eval.h"
#include "runtime.h"

#define BENCH_SECONDS 2.0
#define BENCH_MAX 200000ul
#define CLIENT_IP "192.0.2.10"

static char dir[64];

static double now_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* write_key - a new private key as PEM (0600) at path; its DKIM p= value into p. */
static int write_key(const char *path, int rsa, char *p, size_t plen)
{
	EVP_PKEY *k = rsa ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048) : EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	unsigned char der[1024], *dp = der;
	size_t n = sizeof der;
	FILE *f;
	int rc = -1;
	if (k == NULL)
		return -1;
	if (rsa) {
		int l = i2d_PUBKEY(k, NULL);
		if (l <= 0 || (size_t)l > sizeof der || i2d_PUBKEY(k, &dp) != l)
			goto out;
		n = (size_t)l;
	} else if (EVP_PKEY_get_raw_public_key(k, der, &n) != 1) {
		goto out;
	}
	if (base64_encoded_len(n) + 1 > plen)
		goto out;
	base64_encode(der, n, p);
	f = fopen(path, "w");
	if (f == NULL)
		goto out;
	if (fchmod(fileno(f), 0600) == 0 && PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) == 1)
		rc = 0;
	if (fclose(f) != 0)
		rc = -1;
out:
	EVP_PKEY_free(k);
	return rc;
}

/* the 3 KiB test message: headers, then text lines up to the size */
static void make_message(struct buf *m)
{
	buf_puts(m, "From: Alice Example <alice@example.com>\r\n"
		    "To: Bob <bob@rcpt.example>\r\n"
		    "Subject: quarterly figures and the plan for next year\r\n"
		    "Date: Tue, 01 Dec 2026 10:00:00 +0000\r\n"
		    "Message-ID: <bench-1@example.com>\r\n"
		    "MIME-Version: 1.0\r\n"
		    "Content-Type: text/plain; charset=utf-8\r\n"
		    "\r\n");
	for (int i = 0; m->len < 3072 - 80; i++)
		buf_printf(m, "Line %03d of the body, long enough to look like ordinary prose text.\r\n", i);
	while (m->len < 3072 - 2)
		buf_putc(m, '.');
	buf_puts(m, "\r\n");
}

/* run_one - one message through the pipeline; returns its verdict in v. */
static struct msg_eval *run_one(const struct msg_env *env, const struct conn_info *ci, const char *auth,
				const struct hdr_list *extra, const struct hdr_list *hl, const char *body,
				size_t blen, struct verdict *v)
{
	struct msg_eval *me = msg_eval_new(env, ci);
	if (me == NULL)
		return NULL;
	if (msg_eval_mail(me, "bounce@example.com", auth, v) != DISP_ACCEPT)
		return me;
	for (size_t i = 0; extra && i < extra->count; i++)
		msg_eval_header(me, extra->f[i].name, extra->f[i].value);
	for (size_t i = 0; i < hl->count; i++)
		msg_eval_header(me, hl->f[i].name, hl->f[i].value);
	msg_eval_eoh(me);
	msg_eval_body(me, body, blen);
	msg_eval_eom(me, am_now_ms() + 10000, v);
	return me;
}

static int bench_case(const char *label, const struct msg_env *env, const struct conn_info *ci,
		      const struct hdr_list *sigs, const struct hdr_list *hl, const char *body, size_t blen)
{
	unsigned long n = 0;
	double w0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_PROCESS_CPUTIME_ID), w, c;
	do {
		struct verdict v;
		struct msg_eval *me = run_one(env, ci, NULL, sigs, hl, body, blen, &v);
		const struct msg_results *r;
		if (me == NULL)
			return -1;
		r = msg_eval_results(me);
		if (n == 0 && (v.disp != DISP_ACCEPT || r->dmarc.result != DMARC_PASS || r->dkim_count != sigs->count ||
			       r->spf_mailfrom.result != SPF_PASS)) {
			fprintf(stderr, "bench_pipeline: %s: unexpected outcome (disposition %s, dmarc %s, %zu signatures)\n",
				label, disposition_name(v.disp), dmarc_result_name(r->dmarc.result), r->dkim_count);
			verdict_clear(&v);
			msg_eval_free(me);
			return -1;
		}
		for (size_t i = 0; n == 0 && i < r->dkim_count; i++)
			if (r->dkim[i].result != DKIM_PASS) {
				fprintf(stderr, "bench_pipeline: %s: signature %zu does not verify\n", label, i);
				verdict_clear(&v);
				msg_eval_free(me);
				return -1;
			}
		verdict_clear(&v);
		msg_eval_free(me);
		n++;
		w = now_s(CLOCK_MONOTONIC) - w0;
	} while (w < BENCH_SECONDS && n < BENCH_MAX);
	c = now_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
	printf("%-26s %8lu msgs %6.2f s %10.1f evaluations/s %8.1f CPU us/msg\n", label, n, w,
	       (double)n / w, c * 1e6 / (double)n);
	return 0;
}

static void cleanup(void)
{
	char p[128];
	const char *files[] = { "rsa.pem", "ed.pem", "zone" };
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, files[i]);
		unlink(p);
	}
	rmdir(dir);
}

int main(void)
{
	char rsa_p[1024], ed_p[128], path[128], err[4096] = "";
	struct buf cfg, msg;
	struct hdr_list hl, rsa_sig, ed_sig, both, none;
	struct conf *c = NULL;
	struct runtime *rt = NULL;
	struct cli_globals g;
	struct conn_info ci;
	struct verdict v;
	struct msg_eval *me;
	size_t body_off = 0;
	FILE *z;
	int rc = 1;

	snprintf(dir, sizeof dir, "/tmp/bench_pipeline.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("bench_pipeline: mkdtemp");
		return 1;
	}
	buf_init(&cfg);
	buf_init(&msg);
	hdr_list_init(&hl);
	hdr_list_init(&rsa_sig);
	hdr_list_init(&ed_sig);
	hdr_list_init(&both);
	hdr_list_init(&none);
	snprintf(path, sizeof path, "%s/rsa.pem", dir);
	if (write_key(path, 1, rsa_p, sizeof rsa_p) < 0)
		goto out;
	snprintf(path, sizeof path, "%s/ed.pem", dir);
	if (write_key(path, 0, ed_p, sizeof ed_p) < 0)
		goto out;
	snprintf(path, sizeof path, "%s/zone", dir);
	z = fopen(path, "w");
	if (z == NULL)
		goto out;
	fprintf(z, "example.com TXT \"v=spf1 ip4:192.0.2.0/24 include:_spf.example.com -all\"\n"
		   "_spf.example.com TXT \"v=spf1 ip4:198.51.100.0/24 -all\"\n"
		   "mx.example.com A " CLIENT_IP "\n"
		   "mx.example.com TXT \"v=spf1 a -all\"\n"
		   "_dmarc.example.com TXT \"v=DMARC1; p=reject; rua=mailto:agg@example.com\"\n"
		   "rsa._domainkey.example.com TXT \"v=DKIM1; k=rsa; p=%s\"\n"
		   "ed._domainkey.example.com TXT \"v=DKIM1; k=ed25519; p=%s\"\n",
		rsa_p, ed_p);
	if (fclose(z) != 0)
		goto out;
	buf_printf(&cfg,
		   "authserv_id = \"mx.bench.example\";\n"
		   "outbound: { internal_hosts = []; };\n"
		   "dkim: { keys = ( { name = \"r\"; domain = \"example.com\"; selector = \"rsa\"; algorithm = \"rsa-sha256\"; key_file = \"%s/rsa.pem\"; },\n"
		   "                 { name = \"e\"; domain = \"example.com\"; selector = \"ed\"; algorithm = \"ed25519-sha256\"; key_file = \"%s/ed.pem\"; } );\n"
		   "        signing_table = ( { domain = \"example.com\"; keys = [ \"r\", \"e\" ]; } ); };\n",
		   dir, dir);
	c = conf_load_string(cfg.data, "bench.conf", err, sizeof err);
	if (c == NULL)
		goto out;
	memset(&g, 0, sizeof g);
	g.dns_zone_file = path;
	rt = runtime_new(c, &g, NULL, err, sizeof err);
	if (rt == NULL || rt->key_errors > 0) {
		if (rt)
			snprintf(err, sizeof err, "%zu signing keys did not load", rt->key_errors);
		goto out;
	}
	make_message(&msg);
	if (hdr_split_message(msg.data, msg.len, &hl, &body_off) < 0)
		goto out;
	memset(&ci, 0, sizeof ci);
	am_ip_parse(CLIENT_IP, &ci.ip);
	ci.have_ip = true;
	snprintf(ci.helo, sizeof ci.helo, "mx.example.com");
	snprintf(ci.hostname, sizeof ci.hostname, "mx.example.com");

	/* sign once as outbound mail (SMTP AUTH): the DKIM-Signature fields, RSA and Ed25519 */
	me = run_one(&rt->env, &ci, "alice", NULL, &hl, msg.data + body_off, msg.len - body_off, &v);
	if (me == NULL)
		goto out;
	for (size_t i = 0; i < v.nedits; i++) {
		struct buf val;
		if (v.edits[i].op != EDIT_INSERT || strcmp(v.edits[i].name, "DKIM-Signature") != 0)
			continue;
		buf_init(&val);
		buf_putc(&val, ' ');
		buf_puts(&val, v.edits[i].value);
		hdr_list_add(strstr(val.data, "a=rsa-sha256") ? &rsa_sig : &ed_sig, "DKIM-Signature", val.data);
		hdr_list_add(&both, "DKIM-Signature", val.data);
		buf_clear(&val);
	}
	verdict_clear(&v);
	msg_eval_free(me);
	if (rsa_sig.count != 1 || ed_sig.count != 1) {
		snprintf(err, sizeof err, "outbound signing gave %zu RSA and %zu Ed25519 signatures", rsa_sig.count,
			 ed_sig.count);
		goto out;
	}
	printf("message %zu bytes; SPF (MAIL FROM via include + HELO), DKIM verify, DMARC p=reject; "
	       "in-memory DNS; %.0f s or %lu messages per case\n", msg.len, BENCH_SECONDS, BENCH_MAX);
	if (bench_case("unsigned (SPF aligned)", &rt->env, &ci, &none, &hl, msg.data + body_off, msg.len - body_off) < 0 ||
	    bench_case("rsa-2048", &rt->env, &ci, &rsa_sig, &hl, msg.data + body_off, msg.len - body_off) < 0 ||
	    bench_case("ed25519", &rt->env, &ci, &ed_sig, &hl, msg.data + body_off, msg.len - body_off) < 0 ||
	    bench_case("rsa-2048 + ed25519", &rt->env, &ci, &both, &hl, msg.data + body_off, msg.len - body_off) < 0)
		goto out;
	rc = 0;
out:
	if (rc != 0 && err[0])
		fprintf(stderr, "bench_pipeline: %s\n", err);
	hdr_list_clear(&hl);
	hdr_list_clear(&rsa_sig);
	hdr_list_clear(&ed_sig);
	hdr_list_clear(&both);
	hdr_list_clear(&none);
	buf_clear(&cfg);
	buf_clear(&msg);
	runtime_free(rt);
	conf_free(c);
	cleanup();
	return rc;
}
