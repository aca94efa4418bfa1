/* dkim_signer - which mail is signed with which keys: the key table (name -> d=, s=,
 * algorithm, private-key file) and the signing table (sender domain pattern -> one or more
 * key names, first match wins), plus the per-message glue the milter calls at end of
 * headers, per body chunk and at end of message.
 * The tables are plain structs the configuration loader fills; dkim_signer_new copies what
 * it needs, so the caller's strings may be freed afterwards.
 * Pure except the key objects: key files are loaded and re-checked through dkim_keys
 * (which logs reloads); this file itself does no logging and keeps no globals.
 * OWNS: the copied tables, one dkim_keyslot per key table entry, and per message the key
 * references it signs with (so a key rotated mid-message is not freed under it).
 * THREADS: a dkim_signer is shared by all connections (read-only after creation; the key
 * slots lock internally); a dkim_signer_msg belongs to one message. */
#ifndef AM_DKIM_SIGNER_H
#define AM_DKIM_SIGNER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "dkim_canon.h"
#include "dkim_keys.h"
#include "dkim_sign.h"
#include "hdr.h"

#define DKIM_SIGNER_MAX_KEYS 256       /* key table entries */
#define DKIM_SIGNER_MAX_RULES 1024     /* signing table entries */
#define DKIM_SIGNER_RULE_KEYS 4        /* keys named by one rule (e.g. RSA + Ed25519) */

/* A key table entry (config: dkim.keys). */
struct dkim_key_spec {
	const char *name;          /* referenced by signing rules */
	const char *domain;        /* d= */
	const char *selector;      /* s= */
	enum dkim_alg alg;         /* must match the key in the file */
	const char *key_file;      /* PEM file (symlinks followed; Kubernetes Secret paths ok) */
};

/* A signing table entry (config: dkim.signing_table). pattern is "example.com" (that
 * domain only), "*.example.com" (its subdomains only) or "*" (any sender). */
struct dkim_sign_rule {
	const char *pattern;
	const char *const *keys;   /* key names, e.g. { "ex-rsa", "ex-ed" } for dual signing */
	size_t n_keys;
};

struct dkim_signer_config {
	const struct dkim_key_spec *keys;
	size_t n_keys;
	const struct dkim_sign_rule *rules;
	size_t n_rules;
	struct dkim_key_opts key_opts;     /* permissions opt-outs, change-check interval */
	enum dkim_canon hcanon, bcanon;    /* c=, default relaxed/relaxed (set them) */
	const char *const *headers;        /* NULL = dkim_sign_default_headers */
	size_t n_headers;
	const char *const *oversign;       /* NULL = dkim_sign_default_oversign */
	size_t n_oversign;
	bool no_oversign;
	unsigned long expire;              /* x= after this many seconds; 0 = no x= */
	bool fold_lf;                      /* values folded with LF+TAB (for libmilter) */
};

struct dkim_signer;

/* dkim_signer_new - check the tables (unknown key names, bad patterns, domains,
 * selectors: NULL with the reason in err) and load every key file. A key file that does
 * not load is not a configuration error here: its slot stays empty until the file is
 * fixed (the failure is logged) and *n_key_errors counts them, so `config test` can
 * refuse while the daemon keeps running. */
struct dkim_signer *dkim_signer_new(const struct dkim_signer_config *c, size_t *n_key_errors,
				    char *err, size_t errlen);
void dkim_signer_free(struct dkim_signer *s);
/* dkim_signer_reload - reload every key file now (SIGHUP). Keys that fail keep the old
 * key (logged). Returns the number of keys that failed. */
size_t dkim_signer_reload(struct dkim_signer *s);

/* dkim_signer_from_domain - the domain of the (single) From field's first mailbox,
 * lower-cased, into out. 0, or -1 (no From, more than one From field, no parseable
 * address, domain literal or invalid domain). Pure. */
int dkim_signer_from_domain(const struct hdr_list *hdrs, char *out, size_t outlen);
/* dkim_signer_rule_matches - does pattern cover domain (lower-case)? Pure. */
bool dkim_signer_rule_matches(const char *pattern, const char *domain);

enum dkim_signer_status {
	DKIM_SIGNER_SIGN = 0,      /* *out is ready: feed the body, then finish */
	DKIM_SIGNER_NO_RULE,       /* no signing rule for this sender: do not sign */
	DKIM_SIGNER_NO_FROM,       /* no usable From domain: do not sign (log it) */
	DKIM_SIGNER_KEY_ERROR,     /* a rule matched but none of its keys is loaded:
	                            * apply dkim.sign.on_key_error (unsigned | tempfail) */
	DKIM_SIGNER_ERROR,         /* ENOMEM or similar: treat like KEY_ERROR */
};

struct dkim_signer_msg;

/* dkim_signer_begin - at end of headers for an outbound message. sender_domain NULL means
 * "the From: domain" (the default, so d= aligns for DMARC). now_ms is monotonic time for
 * the key-file change check. With DKIM_SIGNER_SIGN, *out holds references to the keys in
 * force now. When some but not all of a rule's keys are loaded, it signs with those and
 * err says which are missing (dkim_signer_msg_missing > 0): log it. */
enum dkim_signer_status dkim_signer_begin(struct dkim_signer *s, const struct hdr_list *hdrs,
					  const char *sender_domain, uint64_t now_ms,
					  struct dkim_signer_msg **out, char *err, size_t errlen);
/* dkim_signer_msg_body - each body chunk as it arrives (memory does not grow). */
void dkim_signer_msg_body(struct dkim_signer_msg *m, const char *chunk, size_t len);
/* dkim_signer_msg_finish - at end of message: sign with t=now. Returns the number of
 * DKIM-Signature values, or -1 (reason in err; send the message unsigned or tempfail). */
int dkim_signer_msg_finish(struct dkim_signer_msg *m, time_t now, char *err, size_t errlen);
/* dkim_signer_msg_value - i-th value for "DKIM-Signature" (insert at index 0 each). */
const char *dkim_signer_msg_value(const struct dkim_signer_msg *m, size_t i);
size_t dkim_signer_msg_count(const struct dkim_signer_msg *m);
size_t dkim_signer_msg_missing(const struct dkim_signer_msg *m);
const char *dkim_signer_msg_domain(const struct dkim_signer_msg *m);   /* first d= */
void dkim_signer_msg_free(struct dkim_signer_msg *m);
#endif
