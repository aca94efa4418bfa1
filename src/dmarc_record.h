/* dmarc_record - parse one DMARC Policy Record (RFC 9989 §4.7, §4.8), reading RFC 7489
 * records too.
 * OWNS: nothing; the parsed record is plain data (fixed-size fields, copied freely).
 * DIAGNOSTICS: dmarc_record_parse() says whether the text is a DMARC record at all; syntax
 *   errors after the version tag never make a record invalid (RFC 9989 §4.8: discarded in
 *   favour of defaults), they are counted in `discarded` and the first is described in
 *   `note`.
 * THREADS: reentrant.
 *
 * Rules implemented (see docs/dmarc.md for the reasons):
 *  - v must be the first tag, its value exactly "DMARC1" (case-sensitive), else the text is
 *    not a DMARC record (returns false). The tag name "v" and the other tag names are
 *    matched case-insensitively (RFC 5234 quoted strings), keywords too ("p=Reject").
 *  - Terms are separated by ';' with optional WSP. A term without '=' or with a name that
 *    is not 1*ALPHA, a value with a character outside %x20-3A / %x3C-7E, or an invalid value
 *    for a known tag is discarded; the tag keeps its default. A repeated tag: the first
 *    occurrence wins, later ones are discarded.
 *  - Unknown tags are ignored. pct, rf and ri (removed by RFC 9989) are parsed and kept
 *    for compatibility; only pct=0 has an effect, in dmarc_eval (treated like t=y).
 *  - RFC 9989 §4.10.1: a p that is missing or invalid, or an sp/np that is invalid, makes
 *    the record act as "p=none" when rua holds at least one syntactically valid URI,
 *    otherwise `apply` is false (a DMARC record, but no DMARC processing).
 *  - rua/ruf: comma-separated URIs; an obsolete "!size" suffix is removed and ignored;
 *    "mailto:" needs local@domain; other schemes are checked for URI syntax only. */
#ifndef AM_DMARC_RECORD_H
#define AM_DMARC_RECORD_H
#include <stdbool.h>
#include <stddef.h>
#include "results.h"

#define DMARC_URI_MAX 8          /* URIs kept per list; more are counted, not kept */
#define DMARC_URI_LEN 256

enum dmarc_align { DMARC_ALIGN_RELAXED = 0, DMARC_ALIGN_STRICT };
enum dmarc_psd { DMARC_PSD_U = 0, DMARC_PSD_Y, DMARC_PSD_N };

struct dmarc_urilist {
	char uri[DMARC_URI_MAX][DMARC_URI_LEN];
	size_t count;                /* URIs kept in uri[] */
	size_t valid;                /* syntactically valid URIs seen (may exceed count) */
	size_t invalid;              /* entries that did not parse */
};

struct dmarc_record {
	bool apply;                  /* false: RFC 9989 §4.10.1 "no DMARC processing" */
	bool forced_none;            /* p/sp/np missing or invalid, rua valid: acts as p=none */
	enum dmarc_policy p;         /* UNSET when absent (then apply or forced_none says) */
	enum dmarc_policy sp;        /* UNSET when absent */
	enum dmarc_policy np;        /* UNSET when absent */
	bool p_invalid, sp_invalid, np_invalid;
	enum dmarc_align adkim, aspf;
	bool t;                      /* t=y */
	bool t_given;                /* a valid t tag was present */
	enum dmarc_psd psd;
	char fo[16];                 /* validated fo value, "0" by default */
	struct dmarc_urilist rua, ruf;
	int pct;                     /* removed tag: 0..100, or -1 when absent/invalid */
	char rf[32];                 /* removed tag, kept verbatim ("" when absent) */
	long ri;                     /* removed tag: seconds, or -1 */
	unsigned discarded;          /* terms discarded as syntax errors */
	char note[96];               /* the first discarded term, described */
};

/* dmarc_record_is_dmarc - does txt start with the version tag "v=DMARC1" (RFC 9989 §4.10
 * step 2: the records that count when deciding "several records at one name")? */
bool dmarc_record_is_dmarc(const char *txt, size_t len);

/* dmarc_record_parse - parse txt (len bytes, NULs allowed and rejected). Returns true and
 * fills rec for a DMARC record, false (rec zeroed, reason in why) when it is not one. */
bool dmarc_record_parse(const char *txt, size_t len, struct dmarc_record *rec, char *why,
			size_t whylen);

/* dmarc_record_policy - the effective p (NONE when forced_none; UNSET when !apply). */
enum dmarc_policy dmarc_record_policy(const struct dmarc_record *rec);

/* dmarc_align_name / dmarc_psd_name - "r"/"s", "y"/"n"/"u". */
const char *dmarc_align_name(enum dmarc_align a);
const char *dmarc_psd_name(enum dmarc_psd p);
#endif
