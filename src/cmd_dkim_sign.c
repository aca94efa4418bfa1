/* cmd_dkim_sign - `authmilter dkim sign`: sign a message read on stdin and write it with
 * the DKIM-Signature field(s) prepended to stdout. The input may use LF or CRLF line
 * ends; the output keeps the input's style (the signature fields are folded with the same
 * line end), the message bytes themselves are copied unchanged.
 * Thin layer: reads files and stdin, all DKIM work is in dkim_sign / dkim_keys. */
#include "cli.h"
#include "clock.h"
#include "dkim_keys.h"
#include "dkim_sign.h"
#include "dkim_signer_conf.h"
#include "hdr.h"
#include "strutil.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SIGN_MAX_MESSAGE (64u * 1024 * 1024)

static void usage(FILE *f)
{
	fprintf(f,
		"usage: authmilter dkim sign --domain D --selector S --key FILE\n"
		"         [--algorithm rsa-sha256|ed25519-sha256] [--canonicalization relaxed/relaxed]\n"
		"         [--headers From,To,...] [--oversign From,...|--no-oversign] [--expire SECONDS]\n"
		"         [--time T] [--allow-group-readable] [--allow-world-readable] < message > signed\n"
		"  --key/--selector/--algorithm may be repeated (same order) for dual signing, e.g.\n"
		"  an RSA key and an Ed25519 key; one --selector given applies to every key.\n"
		"  Input with LF or CRLF line ends; the output keeps the input's line ends.\n");
}

static const char *opt_value(int argc, char **argv, int *i, const char *opt)
{
	size_t ol = strlen(opt);
	if (strncmp(argv[*i], opt, ol) != 0)
		return NULL;
	if (argv[*i][ol] == '=')
		return argv[*i] + ol + 1;
	if (argv[*i][ol] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		fprintf(stderr, "authmilter dkim sign: %s needs a value\n", opt);
		exit(2);
	}
	return argv[++*i];
}

/* split_names - "From, To:Subject" into a NULL-terminated array (into storage). */
static size_t split_names(char *s, const char **out, size_t max)
{
	size_t n = 0;
	for (char *tok = strtok(s, ",: \t"); tok && n < max; tok = strtok(NULL, ",: \t"))
		out[n++] = tok;
	return n;
}

static int read_all(FILE *f, struct buf *b)
{
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (b->len + n > SIGN_MAX_MESSAGE) {
			fprintf(stderr, "authmilter dkim sign: message larger than %u bytes\n", SIGN_MAX_MESSAGE);
			return -1;
		}
		if (buf_append(b, chunk, n) < 0)
			return -1;
	}
	return ferror(f) ? -1 : 0;
}

int cmd_dkim_sign(int argc, char **argv, const struct cli_globals *g)
{
	const char *domain = NULL, *keys[DKIM_SIGN_MAX_SIGS], *sels[DKIM_SIGN_MAX_SIGS],
		   *algs[DKIM_SIGN_MAX_SIGS];
	size_t nkeys = 0, nsels = 0, nalgs = 0, nh = 0, no = 0;
	const char *canon = "relaxed/relaxed", *headers = NULL, *oversign = NULL;
	const char *hnames[DKIM_SIGN_MAX_HEADERS], *onames[DKIM_SIGN_MAX_HEADERS];
	char *hcopy = NULL, *ocopy = NULL;
	struct dkim_key_opts kopts = { .check_interval = 0 };
	struct dkim_sign_opts so;
	struct dkim_sign_key sk[DKIM_SIGN_MAX_SIGS];
	struct dkim_pkey *pk[DKIM_SIGN_MAX_SIGS] = { 0 };
	enum dkim_canon hc, bc;
	long long fixed_time = -1;
	struct buf raw, crlf;
	struct hdr_list hl;
	struct dkim_sign_ctx *ctx = NULL;
	size_t body_off = 0;
	int rc = 1;
	char err[512];
	bool lf_input;
	(void)g;

	memset(&so, 0, sizeof so);
	for (int i = 1; i < argc; i++) {
		const char *v;
		if ((v = opt_value(argc, argv, &i, "--domain")) != NULL) {
			domain = v;
		} else if ((v = opt_value(argc, argv, &i, "--selector")) != NULL) {
			if (nsels == DKIM_SIGN_MAX_SIGS)
				goto too_many;
			sels[nsels++] = v;
		} else if ((v = opt_value(argc, argv, &i, "--key")) != NULL) {
			if (nkeys == DKIM_SIGN_MAX_SIGS)
				goto too_many;
			keys[nkeys++] = v;
		} else if ((v = opt_value(argc, argv, &i, "--algorithm")) != NULL) {
			if (nalgs == DKIM_SIGN_MAX_SIGS)
				goto too_many;
			algs[nalgs++] = v;
		} else if ((v = opt_value(argc, argv, &i, "--canonicalization")) != NULL ||
			   (v = opt_value(argc, argv, &i, "--canonicalisation")) != NULL) {
			canon = v;
		} else if ((v = opt_value(argc, argv, &i, "--headers")) != NULL) {
			headers = v;
		} else if ((v = opt_value(argc, argv, &i, "--oversign")) != NULL) {
			oversign = v;
		} else if (strcmp(argv[i], "--no-oversign") == 0) {
			so.no_oversign = true;
		} else if ((v = opt_value(argc, argv, &i, "--expire")) != NULL) {
			char *end;
			so.expire = strtoul(v, &end, 10);
			if (*end || v[0] == '-') {
				fprintf(stderr, "authmilter dkim sign: --expire wants seconds\n");
				return 2;
			}
		} else if ((v = opt_value(argc, argv, &i, "--time")) != NULL) {
			char *end;
			fixed_time = strtoll(v, &end, 10);
			if (*end || fixed_time < 0) {
				fprintf(stderr, "authmilter dkim sign: --time wants seconds since the epoch\n");
				return 2;
			}
		} else if (strcmp(argv[i], "--allow-group-readable") == 0) {
			kopts.allow_group_read = true;
		} else if (strcmp(argv[i], "--allow-world-readable") == 0) {
			kopts.allow_world_read = true;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "authmilter dkim sign: unknown argument '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (domain == NULL || nkeys == 0 || nsels == 0 || (nsels != 1 && nsels != nkeys) ||
	    (nalgs > 1 && nalgs != nkeys)) {
		fprintf(stderr, "authmilter dkim sign: --domain, --key and --selector are required "
				"(repeat --selector/--algorithm once per --key, or give one)\n");
		usage(stderr);
		return 2;
	}
	if (!dkim_canon_pair_parse(canon, &hc, &bc)) {
		/* a single name means name/simple (RFC 6376 §3.5) */
		fprintf(stderr, "authmilter dkim sign: bad --canonicalization '%s' (simple|relaxed[/simple|relaxed])\n", canon);
		return 2;
	}
	if (headers) {
		hcopy = strdup(headers);
		if (hcopy == NULL)
			return 1;
		nh = split_names(hcopy, hnames, DKIM_SIGN_MAX_HEADERS);
		so.headers = hnames;
		so.n_headers = nh;
		if (nh == 0) {
			fprintf(stderr, "authmilter dkim sign: --headers is empty\n");
			free(hcopy);
			return 2;
		}
	}
	if (oversign) {
		ocopy = strdup(oversign);
		if (ocopy == NULL) {
			free(hcopy);
			return 1;
		}
		no = split_names(ocopy, onames, DKIM_SIGN_MAX_HEADERS);
		so.oversign = onames;
		so.n_oversign = no;
		if (no == 0)
			so.no_oversign = true;
	}

	buf_init(&raw);
	buf_init(&crlf);
	hdr_list_init(&hl);
	for (size_t i = 0; i < nkeys; i++) {
		bool weak = false;
		enum dkim_alg want;
		if (dkim_pkey_load(keys[i], &kopts, &pk[i], &weak, NULL, err, sizeof err) != 0) {
			fprintf(stderr, "authmilter dkim sign: %s\n", err);
			goto out;
		}
		if (weak)
			fprintf(stderr, "authmilter dkim sign: warning: %s is an RSA key of %d bits; use 2048 or more\n",
				keys[i], pk[i]->bits);
		want = pk[i]->alg;
		if (nalgs > 0 && !dkim_alg_parse(algs[nalgs == 1 ? 0 : i], &want)) {
			fprintf(stderr, "authmilter dkim sign: --algorithm must be rsa-sha256 or ed25519-sha256\n");
			rc = 2;
			goto out;
		}
		if (want != pk[i]->alg) {
			fprintf(stderr, "authmilter dkim sign: %s holds a %s key, not %s\n", keys[i],
				dkim_alg_name(pk[i]->alg), dkim_alg_name(want));
			rc = 2;
			goto out;
		}
		sk[i].alg = want;
		sk[i].hcanon = hc;
		sk[i].bcanon = bc;
		sk[i].domain = domain;
		sk[i].selector = sels[nsels == 1 ? 0 : i];
		sk[i].pkey = pk[i]->pkey;
	}

	if (read_all(stdin, &raw) < 0 || raw.err) {
		fprintf(stderr, "authmilter dkim sign: cannot read the message: %s\n", strerror(errno));
		goto out;
	}
	/* LF style when the first line end is a bare LF */
	{
		const char *nl = raw.data ? memchr(raw.data, '\n', raw.len) : NULL;
		lf_input = nl != NULL && (nl == raw.data || nl[-1] != '\r');
		if (nl == NULL)
			lf_input = false;
	}
	so.fold_lf = lf_input;
	if (hdr_to_crlf(raw.data ? raw.data : "", raw.len, &crlf) < 0) {
		fprintf(stderr, "authmilter dkim sign: out of memory\n");
		goto out;
	}
	if (hdr_split_message(crlf.data ? crlf.data : "", crlf.len, &hl, &body_off) < 0) {
		fprintf(stderr, "authmilter dkim sign: cannot read the message: %s\n", hdr_split_error(&hl));
		goto out;
	}
	ctx = dkim_sign_new(&hl, sk, nkeys, &so, err, sizeof err);
	if (ctx == NULL) {
		fprintf(stderr, "authmilter dkim sign: %s\n", err);
		goto out;
	}
	/* stream the body as the milter would: in chunks */
	for (size_t off = body_off; off < crlf.len; off += 65536)
		dkim_sign_body(ctx, crlf.data + off, crlf.len - off < 65536 ? crlf.len - off : 65536);
	if (dkim_sign_finish(ctx, fixed_time >= 0 ? (time_t)fixed_time : am_wall_time(), err, sizeof err) < 0) {
		fprintf(stderr, "authmilter dkim sign: %s\n", err);
		goto out;
	}
	for (size_t i = 0; i < dkim_sign_count(ctx); i++)
		printf("DKIM-Signature: %s%s", dkim_sign_value(ctx, i), lf_input ? "\n" : "\r\n");
	if (raw.len > 0)
		fwrite(raw.data, 1, raw.len, stdout);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "authmilter dkim sign: write error\n");
		goto out;
	}
	rc = 0;
out:
	dkim_sign_free(ctx);
	hdr_list_clear(&hl);
	buf_clear(&raw);
	buf_clear(&crlf);
	for (size_t i = 0; i < nkeys; i++)
		dkim_pkey_unref(pk[i]);
	free(hcopy);
	free(ocopy);
	return rc;
too_many:
	fprintf(stderr, "authmilter dkim sign: at most %d keys\n", DKIM_SIGN_MAX_SIGS);
	return 2;
}
