/* test_dmarc_scenarios - our own DMARC scenario table (every branch of dmarc_eval: each
 * alignment mode, p/sp/np, psd boundaries, t=y, pct compatibility, null sender,
 * subdomain senders, From cases, broken and duplicate records, DNS temperror, monitor
 * mode, allow-lists, deadlines), plus unit tests of the record parser, the tree-walk
 * target list, the per-message lookup cache and the report row. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "clock.h"
#include "dmarc_eval.h"
#include "dmarc_org.h"
#include "dmarc_record.h"
#include "dmarc_report.h"
#include "dns_zone.h"

enum {
	OPT_MONITOR = 1 << 0, OPT_STRICTEST = 1 << 1, OPT_FROM_ACCEPT = 1 << 2,
	OPT_NO_TEMPFAIL = 1 << 3, OPT_NO_PCT0 = 1 << 4, OPT_ALLOW_DOM = 1 << 5,
	OPT_ALLOW_NET = 1 << 6, OPT_OUTBOUND = 1 << 7,
};

#define X -1   /* "do not check" for the tri-state ints */

struct scen {
	const char *name;
	const char *zone;               /* zone lines, '\n'-separated */
	const char *from[4];            /* From: values; from[0] NULL = no From field */
	const char *spf;                /* "RESULT DOMAIN" for the MAIL FROM identity */
	const char *helo;               /* "RESULT DOMAIN" for the separate HELO check */
	const char *dkim[4];            /* "RESULT DOMAIN [partial]" */
	unsigned opts;
	enum dmarc_result result;
	enum disposition disp;
	const char *tag;                /* policy tag used: "p" "sp" "np", or NULL */
	int spf_al, dkim_al, testing;
	enum dmarc_override ovr;
	const char *text;               /* substring of the SMTP reply text, or NULL */
};

#define Z_EX "_dmarc.example.com TXT \"v=DMARC1; p=reject; sp=quarantine; np=none\"\n" \
	     "mail.example.com A 192.0.2.1\n"
#define Z_REJ "_dmarc.example.com TXT \"v=DMARC1; p=reject\"\n"

static const struct scen scens[] = {
	/* --- alignment modes --- */
	{ "spf relaxed parent", Z_REJ, { "a@example.com" }, "pass bounce.example.com", NULL, { NULL }, 0,
	  DMARC_PASS, DISP_ACCEPT, "p", 1, 0, 0, DMARC_OVERRIDE_NONE, NULL },
	{ "spf strict exact", "_dmarc.example.com TXT \"v=DMARC1; p=reject; aspf=s\"", { "a@example.com" },
	  "pass example.com", NULL, { NULL }, 0, DMARC_PASS, DISP_ACCEPT, "p", 1, 0, 0, DMARC_OVERRIDE_NONE, NULL },
	{ "spf strict subdomain fails", "_dmarc.example.com TXT \"v=DMARC1; p=reject; aspf=s\"",
	  { "a@example.com" }, "pass bounce.example.com", NULL, { NULL }, 0,
	  DMARC_FAIL, DISP_REJECT, "p", 0, 0, 0, DMARC_OVERRIDE_NONE, "DMARC policy of example.com" },
	{ "dkim strict exact", "_dmarc.example.com TXT \"v=DMARC1; p=reject; adkim=s\"", { "a@example.com" },
	  "fail example.com", NULL, { "pass example.com" }, 0, DMARC_PASS, DISP_ACCEPT, "p", 0, 1, 0,
	  DMARC_OVERRIDE_NONE, NULL },
	{ "dkim strict child fails", "_dmarc.example.com TXT \"v=DMARC1; p=reject; adkim=s\"",
	  { "a@example.com" }, NULL, NULL, { "pass mail.example.com" }, 0,
	  DMARC_FAIL, DISP_REJECT, "p", 0, 0, 0, DMARC_OVERRIDE_NONE, "DMARC" },
	{ "dkim relaxed child", Z_REJ, { "a@example.com" }, NULL, NULL, { "pass mail.example.com" }, 0,
	  DMARC_PASS, DISP_ACCEPT, "p", 0, 1, 0, DMARC_OVERRIDE_NONE, NULL },
	{ "dkim relaxed unrelated", Z_REJ, { "a@example.com" }, NULL, NULL, { "pass example.net" }, 0,
	  DMARC_FAIL, DISP_REJECT, "p", 0, 0, 0, DMARC_OVERRIDE_NONE, NULL },
	{ "dkim fail never aligns", Z_REJ, { "a@example.com" }, NULL, NULL, { "fail example.com" }, 0,
	  DMARC_FAIL, DISP_REJECT, "p", 0, 0, 0, DMARC_OVERRIDE_NONE, NULL },
	{ "dkim partial body ignored", Z_REJ, { "a@example.com" }, NULL, NULL,
	  { "pass example.com partial" }, 0, DMARC_FAIL, DISP_REJECT, "p", 0, 0, 0, DMARC_OVERRIDE_NONE, NULL },
	{ "one aligned dkim among many", Z_REJ, { "a@example.com" }, "softfail example.com", NULL,
	  { "pass other.org", "fail example.com", "pass example.com" }, 0,
	  DMARC_PASS, DISP_ACCEPT, "p", 0, 1, 0, DMARC_OVERRIDE_NONE, NULL },
	{ "invalid identifier never aligns", Z_REJ, { "a@example.com" }, "pass bad..example.com", NULL,
	  { "pass -x.example.com" }, 0, DMARC_FAIL, DISP_REJECT, "p", 0, 0, 0, DMARC_OVERRIDE_NONE, NULL },
	{ "spf softfail does not count", Z_REJ, { "a@example.com" }, "softfail example.com", NULL, { NULL }, 0,
	  DMARC_FAIL, DISP_REJECT, "p", 0, 0, 0, DMARC_OVERRIDE_NONE, NULL },
	{ "case and trailing dot", Z_REJ, { "a@EXAMPLE.Com" }, "pass Example.COM.", NULL, { NULL }, 0,
	  DMARC_PASS, DISP_ACCEPT, "p", 1, 0, 0, DMARC_OVERRIDE_NONE, NULL },
	{ "relaxed: record at sub is not org", "_dmarc.example.com TXT \"v=DMARC1; p=reject\"\n"
	  "_dmarc.mail.example.com TXT \"v=DMARC1; p=none\"", { "a@mail.example.com" }, NULL, NULL,
	  { "pass other.example.com" }, 0, DMARC_PASS, DISP_ACCEPT, "p", 0, 1, 0, DMARC_OVERRIDE_NONE, NULL },
	/* --- null sender: SPF checked postmaster@HELO, placed in spf_mailfrom --- */
	{ "null sender helo aligned", Z_REJ, { "a@example.com" }, "pass mx1.example.com", NULL, { NULL }, 0,
	  DMARC_PASS, DISP_ACCEPT, "p", 1, 0, 0, DMARC_OVERRIDE_NONE, NULL },
	{ "separate helo check never counts", Z_REJ, { "a@example.com" }, "none other.org",
	  "pass example.com", { NULL }, 0, DMARC_FAIL, DISP_REJECT, "p", 0, 0, 0, DMARC_OVERRIDE_NONE, NULL },
	/* --- p / sp / np --- */
	{ "p quarantine", "_dmarc.example.com TXT \"v=DMARC1; p=quarantine\"", { "a@example.com" },
	  NULL, NULL, { NULL }, 0, DMARC_FAIL, DISP_QUARANTINE, "p", 0, 0, 0, DMARC_OVERRIDE_NONE, NULL },
	{ "p none", "_dmarc.example.com TXT \"v=DMARC1; p=none\"", { "a@example.com" },
	  NULL, NULL, { NULL }, 0, DMARC_FAIL, DISP_ACCEPT, "p", 0, 0, 0, DMARC_OVERRIDE_NONE, NULL },
	{ "sp existing subdomain", Z_EX, { "a@mail.example.com" }, NULL, NULL, { NULL }, 0,
	  DMARC_FAIL, DISP_QUARANTINE, "sp", 0, 0, 0, DMARC_OVERRIDE_NONE, NULL },
	{ "np non-existent subdomain", Z_EX, { "a@ghost.example.com" }, NULL, NULL, { NULL }, 0,
	  DMARC_FAIL, DISP_ACCEPT, "np", 0, 0, 0, DMARC_OVERRIDE_NONE, NULL },
	{ "np deep non-existent", "_dmarc.example.com TXT \"v=DMARC1; p=none; np=reject\"",
	  { "a@x.y.ghost.example.com" }, NULL, NULL, { NULL }, 0,
	  DMARC_FAIL, DISP_REJECT, "np", 0, 0, 0, DMARC_OVERRIDE_NONE, NULL },
	{ "np: subdomain exists by MX only", "_dmarc.example.com TXT \"v=DMARC1; p=none; np=reject\"\n"
	  "mx.example.com MX 10 mail.example.net", { "a@mx.example.com" }, NULL, NULL, { NULL }, 0,
	  DMARC_FAIL, DISP_ACCEPT, "p", 0, 0, 0, DMARC_OVERRIDE_NONE, NULL },
	{ "np absent: sp for non-existent", "_dmarc.example.com TXT \"v=DMARC1; p=none; sp=reject\"",
	  { "a@ghost.example.com" }, NULL, NULL, { NULL }, 0,
	  DMARC_FAIL, DISP_REJECT, "sp", 0, 0, 0, DMARC_OVERRIDE_NONE, NULL },
	{ "sp absent: p for subdomain", "_dmarc.example.com TXT \"v=DMARC1; p=quarantine\"\n"
	  "mail.example.com A 192.0.2.1", { "a@mail.example.com" }, NULL, NULL, { NULL }, 0,
	  DMARC_FAIL, DISP_QUARANTINE, "p", 0, 0, 0, DMARC_OVERRIDE_NONE, NULL },
	{ "author record: p even with sp/np", Z_EX, { "a@example.com" }, NULL, NULL, { NULL }, 0,
	  DMARC_FAIL, DISP_REJECT, "p", 0, 0, 0, DMARC_OVERRIDE_NONE, NULL },
	{ "subdomain sender aligned", Z_EX, { "a@mail.example.com" }, "pass bounces.example.com", NULL,
	  { "pass example.com" }, 0, DMARC_PASS, DISP_ACCEPT, "sp", 1, 1, 0, DMARC_OVERRIDE_NONE, NULL },
	/* --- psd boundaries in the tree walk --- */
	{ "psd=y record applies below", "_dmarc.bank.example TXT \"v=DMARC1; p=reject; psd=y\"\n"
	  "giant.bank.example A 192.0.2.1", { "a@giant.bank.example" }, NULL, NULL,
	  { "pass mega.bank.example" }, 0, DMARC_FAIL, DISP_REJECT, "p", 0, 0, 0, DMARC_OVERRIDE_NONE, NULL },
	{ "psd=y np for non-existent org", "_dmarc.bank.example TXT \"v=DMARC1; p=none; np=reject; psd=y\"",
	  { "a@nothere.bank.example" }, NULL, NULL, { NULL }, 0,
	  DMARC_FAIL, DISP_REJECT, "np", 0, 0, 0, DMARC_OVERRIDE_NONE, NULL },
	{ "psd=y: siblings under PSD not aligned", "_dmarc.bank.example TXT \"v=DMARC1; p=reject; psd=y\"\n"
	  "_dmarc.giant.bank.example TXT \"v=DMARC1; p=reject\"", { "a@giant.bank.example" },
	  "pass mega.bank.example", NULL, { NULL }, 0, DMARC_FAIL, DISP_REJECT, "p", 0, 0, 0,
	  DMARC_OVERRIDE_NONE, NULL },
	{ "psd=y: subdomain of org aligned", "_dmarc.bank.example TXT \"v=DMARC1; p=reject; psd=y\"\n"
	  "_dmarc.giant.bank.example TXT \"v=DMARC1; p=reject\"", { "a@giant.bank.example" },
	  "pass mail.giant.bank.example", NULL, { NULL }, 0, DMARC_PASS, DISP_ACCEPT, "p", 1, 0, 0,
	  DMARC_OVERRIDE_NONE, NULL },
	{ "psd=n stops walk: own org", "_dmarc.mail.example.com TXT \"v=DMARC1; p=none; psd=n\"\n"
	  "_dmarc.example.com TXT \"v=DMARC1; p=reject\"\nx.mail.example.com A 192.0.2.1",
	  { "a@x.mail.example.com" }, NULL, NULL, { "pass example.com" }, 0,
	  DMARC_FAIL, DISP_ACCEPT, "p", 0, 0, 0, DMARC_OVERRIDE_NONE, NULL },
	{ "psd=n: siblings aligned", "_dmarc.mail.example.com TXT \"v=DMARC1; p=reject; psd=n\"",
	  { "a@mail.example.com" }, "pass b.mail.example.com", NULL, { NULL }, 0,
	  DMARC_PASS, DISP_ACCEPT, "p", 1, 0, 0, DMARC_OVERRIDE_NONE, NULL },
	/* --- t=y and pct compatibility --- */
	{ "t=y reject->quarantine", "_dmarc.example.com TXT \"v=DMARC1; p=reject; t=y\"", { "a@example.com" },
	  NULL, NULL, { NULL }, 0, DMARC_FAIL, DISP_QUARANTINE, "p", 0, 0, 1,
	  DMARC_OVERRIDE_POLICY_TEST_MODE, NULL },
	{ "t=y quarantine->none", "_dmarc.example.com TXT \"v=DMARC1; p=quarantine; t=y\"", { "a@example.com" },
	  NULL, NULL, { NULL }, 0, DMARC_FAIL, DISP_ACCEPT, "p", 0, 0, 1,
	  DMARC_OVERRIDE_POLICY_TEST_MODE, NULL },
	{ "t=y pass no override", "_dmarc.example.com TXT \"v=DMARC1; p=reject; t=y\"", { "a@example.com" },
	  "pass example.com", NULL, { NULL }, 0, DMARC_PASS, DISP_ACCEPT, "p", 1, 0, 1,
	  DMARC_OVERRIDE_NONE, NULL },
	{ "t=y on sp", "_dmarc.example.com TXT \"v=DMARC1; p=none; sp=reject; t=y\"\nm.example.com A 192.0.2.1",
	  { "a@m.example.com" }, NULL, NULL, { NULL }, 0, DMARC_FAIL, DISP_QUARANTINE, "sp", 0, 0, 1,
	  DMARC_OVERRIDE_POLICY_TEST_MODE, NULL },
	{ "pct=0 acts as t=y", "_dmarc.example.com TXT \"v=DMARC1; p=reject; pct=0\"", { "a@example.com" },
	  NULL, NULL, { NULL }, 0, DMARC_FAIL, DISP_QUARANTINE, "p", 0, 0, 1,
	  DMARC_OVERRIDE_POLICY_TEST_MODE, NULL },
	{ "pct=0 off by option", "_dmarc.example.com TXT \"v=DMARC1; p=reject; pct=0\"", { "a@example.com" },
	  NULL, NULL, { NULL }, OPT_NO_PCT0, DMARC_FAIL, DISP_REJECT, "p", 0, 0, 0, DMARC_OVERRIDE_NONE, NULL },
	{ "pct=0 but t=n: t wins", "_dmarc.example.com TXT \"v=DMARC1; p=reject; pct=0; t=n\"",
	  { "a@example.com" }, NULL, NULL, { NULL }, 0, DMARC_FAIL, DISP_REJECT, "p", 0, 0, 0,
	  DMARC_OVERRIDE_NONE, NULL },
	{ "pct=50 ignored", "_dmarc.example.com TXT \"v=DMARC1; p=reject; pct=50\"", { "a@example.com" },
	  NULL, NULL, { NULL }, 0, DMARC_FAIL, DISP_REJECT, "p", 0, 0, 0, DMARC_OVERRIDE_NONE, NULL },
	{ "pct=100 t=y: t=y", "_dmarc.example.com TXT \"v=DMARC1; p=reject; pct=100; t=y\"",
	  { "a@example.com" }, NULL, NULL, { NULL }, 0, DMARC_FAIL, DISP_QUARANTINE, "p", 0, 0, 1,
	  DMARC_OVERRIDE_POLICY_TEST_MODE, NULL },
	/* --- broken and duplicate records --- */
	{ "no record: none", "example.com A 192.0.2.1", { "a@example.com" }, NULL, NULL, { NULL }, 0,
	  DMARC_NONE, DISP_ACCEPT, NULL, X, X, X, DMARC_OVERRIDE_NONE, NULL },
	{ "invalid p no rua: none", "_dmarc.example.com TXT \"v=DMARC1; p=bogus\"", { "a@example.com" },
	  NULL, NULL, { NULL }, 0, DMARC_NONE, DISP_ACCEPT, NULL, X, X, X, DMARC_OVERRIDE_NONE, NULL },
	{ "invalid p with rua: p=none", "_dmarc.example.com TXT \"v=DMARC1; p=bogus; rua=mailto:d@example.com\"",
	  { "a@example.com" }, NULL, NULL, { NULL }, 0, DMARC_FAIL, DISP_ACCEPT, "p", 0, 0, 0,
	  DMARC_OVERRIDE_NONE, NULL },
	{ "invalid sp with rua: all none", "_dmarc.example.com TXT \"v=DMARC1; p=reject; sp=x; rua=mailto:d@example.com\"",
	  { "a@example.com" }, NULL, NULL, { NULL }, 0, DMARC_FAIL, DISP_ACCEPT, "p", 0, 0, 0,
	  DMARC_OVERRIDE_NONE, NULL },
	{ "not DMARC1: ignored", "_dmarc.example.com TXT \"v=DMARC2; p=reject\"", { "a@example.com" },
	  NULL, NULL, { NULL }, 0, DMARC_NONE, DISP_ACCEPT, NULL, X, X, X, DMARC_OVERRIDE_NONE, NULL },
	{ "duplicate at author: parent applies", "_dmarc.mail.example.com TXT \"v=DMARC1; p=none\"\n"
	  "_dmarc.mail.example.com TXT \"v=DMARC1; p=none; adkim=s\"\n"
	  "_dmarc.example.com TXT \"v=DMARC1; p=reject; sp=quarantine\"", { "a@mail.example.com" },
	  NULL, NULL, { NULL }, 0, DMARC_FAIL, DISP_QUARANTINE, "sp", 0, 0, 0, DMARC_OVERRIDE_NONE, NULL },
	{ "duplicate at org: none", "_dmarc.example.com TXT \"v=DMARC1; p=reject\"\n"
	  "_dmarc.example.com TXT \"v=DMARC1; p=quarantine\"", { "a@example.com" }, NULL, NULL, { NULL }, 0,
	  DMARC_NONE, DISP_ACCEPT, NULL, X, X, X, DMARC_OVERRIDE_NONE, NULL },
	{ "spf record beside dmarc ignored", "_dmarc.example.com TXT \"v=spf1 -all\"\n"
	  "_dmarc.example.com TXT \"v=DMARC1; p=reject\"", { "a@example.com" }, NULL, NULL, { NULL }, 0,
	  DMARC_FAIL, DISP_REJECT, "p", 0, 0, 0, DMARC_OVERRIDE_NONE, NULL },
	/* --- DNS temporary errors --- */
	{ "temperror at author: tempfail", "_dmarc.example.com SERVFAIL TXT", { "a@example.com" },
	  "pass example.com", NULL, { NULL }, 0, DMARC_TEMPERROR, DISP_TEMPFAIL, NULL, X, X, X,
	  DMARC_OVERRIDE_NONE, "Temporary DNS failure" },
	{ "temperror: accept by option", "_dmarc.example.com TIMEOUT TXT", { "a@example.com" },
	  NULL, NULL, { NULL }, OPT_NO_TEMPFAIL, DMARC_TEMPERROR, DISP_ACCEPT, NULL, X, X, X,
	  DMARC_OVERRIDE_NONE, NULL },
	{ "temperror in walk above author", "_dmarc.example.com SERVFAIL TXT\nmail.example.com A 192.0.2.1",
	  { "a@mail.example.com" }, NULL, NULL, { NULL }, 0, DMARC_TEMPERROR, DISP_TEMPFAIL, NULL, X, X, X,
	  DMARC_OVERRIDE_NONE, NULL },
	{ "temperror in relaxed walk, strict pass elsewhere", Z_REJ "_dmarc.com SERVFAIL TXT",
	  { "a@example.com" }, "pass bounce.example.com", NULL, { "pass example.com" }, 0,
	  DMARC_PASS, DISP_ACCEPT, "p", 0, 1, 0, DMARC_OVERRIDE_NONE, NULL },
	{ "temperror in relaxed walk, no other pass", Z_REJ "_dmarc.com SERVFAIL TXT",
	  { "a@example.com" }, "pass bounce.example.com", NULL, { NULL }, 0,
	  DMARC_TEMPERROR, DISP_TEMPFAIL, "p", 0, 0, 0, DMARC_OVERRIDE_NONE, NULL },
	{ "malformed answer is temperror", "_dmarc.example.com MALFORMED TXT", { "a@example.com" },
	  NULL, NULL, { NULL }, 0, DMARC_TEMPERROR, DISP_TEMPFAIL, NULL, X, X, X, DMARC_OVERRIDE_NONE, NULL },
	{ "existence temperror, np differs: temperror", "_dmarc.example.com TXT \"v=DMARC1; p=none; np=reject\"\n"
	  "ghost.example.com SERVFAIL A", { "a@ghost.example.com" }, NULL, NULL, { NULL }, 0,
	  DMARC_TEMPERROR, DISP_TEMPFAIL, NULL, X, X, X, DMARC_OVERRIDE_NONE, NULL },
	/* --- From cases --- */
	{ "several From fields: reject", Z_REJ, { "a@example.com", "b@example.com" }, "pass example.com",
	  NULL, { NULL }, 0, DMARC_PERMERROR, DISP_REJECT, NULL, X, X, X, DMARC_OVERRIDE_NONE,
	  "several From header fields" },
	{ "several domains: reject", Z_REJ, { "a@example.com, b@example.org" }, "pass example.com",
	  NULL, { NULL }, 0, DMARC_PERMERROR, DISP_REJECT, NULL, X, X, X, DMARC_OVERRIDE_NONE, "DMARC" },
	{ "several addresses one domain: evaluated", Z_REJ, { "a@example.com, B <b@EXAMPLE.com>" },
	  "pass example.com", NULL, { NULL }, 0, DMARC_PASS, DISP_ACCEPT, "p", 1, 0, 0, DMARC_OVERRIDE_NONE, NULL },
	{ "group with one mailbox", Z_REJ, { "Team: a@example.com;" }, NULL, NULL, { NULL }, 0,
	  DMARC_FAIL, DISP_REJECT, "p", 0, 0, 0, DMARC_OVERRIDE_NONE, NULL },
	{ "no From: reject", Z_REJ, { NULL }, "pass example.com", NULL, { NULL }, 0,
	  DMARC_PERMERROR, DISP_REJECT, NULL, X, X, X, DMARC_OVERRIDE_NONE, "no From header field" },
	{ "unparsable From: reject", Z_REJ, { "\"unterminated <a@example.com>" }, NULL, NULL, { NULL }, 0,
	  DMARC_PERMERROR, DISP_REJECT, NULL, X, X, X, DMARC_OVERRIDE_NONE, "unparsable" },
	{ "empty group: reject", Z_REJ, { "undisclosed-recipients:;" }, NULL, NULL, { NULL }, 0,
	  DMARC_PERMERROR, DISP_REJECT, NULL, X, X, X, DMARC_OVERRIDE_NONE, "without an address" },
	{ "several domains, strictest: reject wins",
	  Z_REJ "_dmarc.example.org TXT \"v=DMARC1; p=quarantine\"", { "a@example.org, b@example.com" },
	  "pass example.org", NULL, { NULL }, OPT_STRICTEST, DMARC_FAIL, DISP_REJECT, "p", 0, 0, 0,
	  DMARC_OVERRIDE_NONE, "example.com" },
	{ "several From, strictest: all pass", Z_REJ "_dmarc.example.org TXT \"v=DMARC1; p=reject\"",
	  { "a@example.com", "b@example.org" }, NULL, NULL, { "pass example.com", "pass example.org" },
	  OPT_STRICTEST, DMARC_PASS, DISP_ACCEPT, "p", 0, 1, 0, DMARC_OVERRIDE_NONE, NULL },
	{ "several domains, accept: none", Z_REJ, { "a@example.com, b@example.org" }, NULL, NULL, { NULL },
	  OPT_FROM_ACCEPT, DMARC_NONE, DISP_ACCEPT, NULL, X, X, X, DMARC_OVERRIDE_NONE, NULL },
	{ "no From, strictest: still reject", Z_REJ, { NULL }, NULL, NULL, { NULL }, OPT_STRICTEST,
	  DMARC_PERMERROR, DISP_REJECT, NULL, X, X, X, DMARC_OVERRIDE_NONE, NULL },
	{ "encoded word hiding an address", Z_REJ "_dmarc.example.org TXT \"v=DMARC1; p=none\"",
	  { "=?utf-8?q?ceo@example.org,?= <x@example.com>" }, NULL, NULL, { NULL }, 0,
	  DMARC_FAIL, DISP_REJECT, "p", 0, 0, 0, DMARC_OVERRIDE_NONE, NULL },
	{ "comment hiding an address", Z_REJ, { "(ceo@example.org) x@example.com (Example)" }, NULL, NULL,
	  { NULL }, 0, DMARC_FAIL, DISP_REJECT, "p", 0, 0, 0, DMARC_OVERRIDE_NONE, NULL },
	{ "IDN author: policy at the A-label", "_dmarc.xn--bcher-kva.example TXT \"v=DMARC1; p=reject\"",
	  { "J\xc3\xb6rg <j@B\xc3\xbc" "cher.example>" }, NULL, NULL, { "pass xn--bcher-kva.example" }, 0,
	  DMARC_PASS, DISP_ACCEPT, "p", 0, 1, 0, DMARC_OVERRIDE_NONE, NULL },
	{ "IDN author failing", "_dmarc.xn--bcher-kva.example TXT \"v=DMARC1; p=reject\"",
	  { "j@b\xc3\xbc" "cher.example" }, NULL, NULL, { NULL }, 0,
	  DMARC_FAIL, DISP_REJECT, "p", 0, 0, 0, DMARC_OVERRIDE_NONE, "xn--bcher-kva.example" },
	/* --- local policy --- */
	{ "monitor mode never rejects", Z_REJ, { "a@example.com" }, NULL, NULL, { NULL }, OPT_MONITOR,
	  DMARC_FAIL, DISP_ACCEPT, "p", 0, 0, 0, DMARC_OVERRIDE_LOCAL_POLICY, NULL },
	{ "monitor mode: From problem accepted", Z_REJ, { "a@example.com", "a@example.com" }, NULL, NULL,
	  { NULL }, OPT_MONITOR, DMARC_PERMERROR, DISP_ACCEPT, NULL, X, X, X, DMARC_OVERRIDE_LOCAL_POLICY, NULL },
	{ "monitor mode: no tempfail", "_dmarc.example.com SERVFAIL TXT", { "a@example.com" }, NULL, NULL,
	  { NULL }, OPT_MONITOR, DMARC_TEMPERROR, DISP_ACCEPT, NULL, X, X, X, DMARC_OVERRIDE_LOCAL_POLICY, NULL },
	{ "allow-listed author domain", Z_REJ, { "a@lists.example.com" }, NULL, NULL, { NULL }, OPT_ALLOW_DOM,
	  DMARC_FAIL, DISP_ACCEPT, "p", 0, 0, 0, DMARC_OVERRIDE_LOCAL_POLICY, NULL },
	{ "allow-listed network", Z_REJ, { "a@example.com" }, NULL, NULL, { NULL }, OPT_ALLOW_NET,
	  DMARC_FAIL, DISP_ACCEPT, "p", 0, 0, 0, DMARC_OVERRIDE_TRUSTED_FORWARDER, NULL },
	{ "outbound not judged", Z_REJ, { "a@example.com" }, NULL, NULL, { NULL }, OPT_OUTBOUND,
	  DMARC_NONE, DISP_ACCEPT, NULL, X, X, X, DMARC_OVERRIDE_NONE, NULL },
};

static void parse_spf(const char *s, struct spf_outcome *o)
{
	char r[32], d[256];
	assert_int_equal(sscanf(s, "%31s %255s", r, d), 2);
	o->checked = true;
	assert_true(spf_result_parse(r, &o->result));
	snprintf(o->domain, sizeof o->domain, "%s", d);
}

static void build_results(const struct scen *s, struct msg_results *res)
{
	memset(res, 0, sizeof *res);
	res->outbound = (s->opts & OPT_OUTBOUND) != 0;
	if (s->spf)
		parse_spf(s->spf, &res->spf_mailfrom);
	if (s->helo)
		parse_spf(s->helo, &res->spf_helo);
	for (size_t i = 0; i < 4 && s->dkim[i]; i++) {
		char r[32], d[256], extra[16] = "";
		struct dkim_outcome *k = &res->dkim[res->dkim_count++];
		assert_true(sscanf(s->dkim[i], "%31s %255s %15s", r, d, extra) >= 2);
		assert_true(dkim_result_parse(r, &k->result));
		snprintf(k->domain, sizeof k->domain, "%s", d);
		snprintf(k->selector, sizeof k->selector, "s%zu", i);
		k->partial_body = strcmp(extra, "partial") == 0;
	}
}

static struct dns_zone *build_zone(const char *text)
{
	struct dns_zone *z = dns_zone_new();
	char line[512], err[128];
	const char *p = text;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		snprintf(line, sizeof line, "%.*s", (int)n, p);
		if (n > 0 && dns_zone_load_line(z, line, err, sizeof err) != 0)
			fail_msg("zone line \"%s\": %s", line, err);
		p = nl ? nl + 1 : NULL;
	}
	return z;
}

static void test_dmarc_scenario_table(void **state)
{
	unsigned failed = 0;
	(void)state;
	for (size_t i = 0; i < sizeof scens / sizeof scens[0]; i++) {
		const struct scen *s = &scens[i];
		struct dns_zone *z = build_zone(s->zone);
		struct dns_resolver r = dns_zone_resolver(z);
		struct dmarc_options opt;
		struct msg_results res;
		struct dmarc_verdict v;
		struct am_cidr net;
		struct am_ip client;
		const char *allow[] = { "lists.example.com" };
		char why[512] = "";
		size_t nfrom = 0;

		dmarc_options_default(&opt);
		opt.enforce = !(s->opts & OPT_MONITOR);
		if (s->opts & OPT_STRICTEST)
			opt.from_policy = DMARC_FROM_STRICTEST;
		if (s->opts & OPT_FROM_ACCEPT)
			opt.from_policy = DMARC_FROM_ACCEPT;
		opt.tempfail_on_temperror = !(s->opts & OPT_NO_TEMPFAIL);
		opt.pct0_is_testing = !(s->opts & OPT_NO_PCT0);
		if (s->opts & OPT_ALLOW_DOM) {
			opt.allow_domains = allow;
			opt.n_allow_domains = 1;
		}
		assert_true(am_cidr_parse("192.0.2.0/24", &net));
		assert_true(am_ip_parse("192.0.2.10", &client));
		if (s->opts & OPT_ALLOW_NET) {
			opt.allow_networks = &net;
			opt.n_allow_networks = 1;
		}
		build_results(s, &res);
		while (nfrom < 4 && s->from[nfrom])
			nfrom++;
		assert_int_equal(dmarc_evaluate(&r, &opt, s->from, nfrom, &res, &client,
						am_now_ms() + 5000, &v), 0);
		const struct dmarc_author_eval *ae = NULL;
		{
			/* the policy tag needs the ctx: evaluate again through it */
			struct msg_results res2;
			struct dmarc_verdict v2;
			struct dmarc_ctx *c = dmarc_ctx_new(&r, &opt);
			build_results(s, &res2);
			for (size_t k = 0; k < nfrom; k++)
				dmarc_ctx_add_from(c, s->from[k], strlen(s->from[k]));
			dmarc_ctx_finish(c, &res2, &client, am_now_ms() + 5000, &v2);
			ae = dmarc_ctx_selected(c);
			if (res2.dmarc.result != res.dmarc.result || v2.disposition != v.disposition)
				snprintf(why, sizeof why, "ctx and one-shot differ");
			if (s->tag && (ae == NULL || strcmp(ae->policy_tag, s->tag) != 0))
				snprintf(why, sizeof why, "policy tag: want %s, got %s", s->tag,
					 ae ? ae->policy_tag : "(none)");
			dmarc_ctx_free(c);
		}
		if (res.dmarc.result != s->result)
			snprintf(why, sizeof why, "result: want %s, got %s (%s)", dmarc_result_name(s->result),
				 dmarc_result_name(res.dmarc.result), v.reason);
		else if (v.disposition != s->disp)
			snprintf(why, sizeof why, "disposition: want %s, got %s (%s)", disposition_name(s->disp),
				 disposition_name(v.disposition), v.reason);
		else if (res.disposition != v.disposition)
			snprintf(why, sizeof why, "res->disposition not set");
		else if (s->spf_al != X && res.dmarc.spf_aligned != (s->spf_al == 1))
			snprintf(why, sizeof why, "spf_aligned: want %d", s->spf_al);
		else if (s->dkim_al != X && res.dmarc.dkim_aligned != (s->dkim_al == 1))
			snprintf(why, sizeof why, "dkim_aligned: want %d", s->dkim_al);
		else if (s->testing != X && res.dmarc.testing != (s->testing == 1))
			snprintf(why, sizeof why, "testing: want %d", s->testing);
		else if (v.override != s->ovr)
			snprintf(why, sizeof why, "override: want %s, got %s", dmarc_override_name(s->ovr),
				 dmarc_override_name(v.override));
		else if (s->text && strstr(v.smtp_text, s->text) == NULL && strstr(v.reason, s->text) == NULL)
			snprintf(why, sizeof why, "text \"%s\" not in \"%s\"", s->text, v.smtp_text);
		else if (v.disposition == DISP_REJECT &&
			 (strcmp(v.smtp_rcode, "550") || strcmp(v.smtp_xcode, "5.7.1") || !strstr(v.smtp_text, "DMARC")))
			snprintf(why, sizeof why, "reject reply: %s %s %s", v.smtp_rcode, v.smtp_xcode, v.smtp_text);
		else if (v.disposition == DISP_TEMPFAIL && v.smtp_rcode[0] != '4')
			snprintf(why, sizeof why, "tempfail reply: %s", v.smtp_rcode);
		if (why[0]) {
			printf("  FAIL scenario \"%s\": %s\n", s->name, why);
			failed++;
		}
		dns_zone_free(z);
	}
	printf("[dmarc-scenarios] %zu scenarios, %zu passed, %u failed\n", sizeof scens / sizeof scens[0],
	       sizeof scens / sizeof scens[0] - failed, failed);
	assert_int_equal(failed, 0);
}

static void test_dmarc_reject_text(void **state)
{
	struct dns_zone *z = build_zone(Z_REJ);
	struct dns_resolver r = dns_zone_resolver(z);
	struct dmarc_options opt;
	struct msg_results res;
	struct dmarc_verdict v;
	const char *from[] = { "a@example.com" };
	(void)state;
	dmarc_options_default(&opt);
	opt.reject_text = "Rejected: DMARC policy of %d (100%% sure)\r\nX";
	memset(&res, 0, sizeof res);
	assert_int_equal(dmarc_evaluate(&r, &opt, from, 1, &res, NULL, am_now_ms() + 1000, &v), 0);
	assert_int_equal(v.disposition, DISP_REJECT);
	assert_string_equal(v.smtp_rcode, "550");
	assert_string_equal(v.smtp_xcode, "5.7.1");
	assert_string_equal(v.smtp_text, "Rejected: DMARC policy of example.com (100% sure)  X");
	dns_zone_free(z);
}

/* ---- record parser details ---- */

static void test_dmarc_record_details(void **state)
{
	struct dmarc_record r;
	char why[128];
	(void)state;
	const char *txt = "V=DMARC1 ; P=Reject; rua=mailto:a@example.com!10m, mailto:b@example.net ;"
			  " ruf=mailto:f@example.com; fo=d:1:s; ri=3600; rf=afrf; pct=20; p=none";
	assert_true(dmarc_record_parse(txt, strlen(txt), &r, why, sizeof why));
	assert_int_equal(r.p, DMARC_POLICY_REJECT);        /* the first p wins */
	assert_int_equal(r.discarded, 1);
	assert_non_null(strstr(r.note, "repeated"));
	assert_int_equal(r.rua.count, 2);
	assert_string_equal(r.rua.uri[0], "mailto:a@example.com");
	assert_string_equal(r.rua.uri[1], "mailto:b@example.net");
	assert_string_equal(r.fo, "d:1:s");
	assert_int_equal(r.ri, 3600);
	assert_string_equal(r.rf, "afrf");
	assert_int_equal(r.pct, 20);
	assert_true(r.apply);
	/* fo errors, bad pct, a term without '=', a control character */
	txt = "v=DMARC1; p=quarantine; fo=0:1; pct=101; garbage; adkim=\x01s";
	assert_true(dmarc_record_parse(txt, strlen(txt), &r, why, sizeof why));
	assert_string_equal(r.fo, "0");
	assert_int_equal(r.pct, -1);
	assert_int_equal(r.adkim, DMARC_ALIGN_RELAXED);
	assert_int_equal(r.discarded, 4);
	/* version must be exact and first; NUL inside is not a record */
	assert_false(dmarc_record_parse("v=DMARC1x; p=none", 17, &r, why, sizeof why));
	assert_false(dmarc_record_parse("v=DMARC1\0; p=none", 17, &r, why, sizeof why));
	assert_false(dmarc_record_parse(" ; v=DMARC1", 11, &r, why, sizeof why));
	assert_true(dmarc_record_parse(" v=DMARC1", 9, &r, why, sizeof why));
	assert_false(r.apply);                              /* no p, no rua */
	/* rua with only invalid URIs does not rescue a missing p */
	txt = "v=DMARC1; rua=mailto:nobody, http//x";
	assert_true(dmarc_record_parse(txt, strlen(txt), &r, why, sizeof why));
	assert_false(r.apply);
	txt = "v=DMARC1; rua=https://report.example.com/dmarc";
	assert_true(dmarc_record_parse(txt, strlen(txt), &r, why, sizeof why));
	assert_true(r.apply && r.forced_none);
	assert_int_equal(dmarc_record_policy(&r), DMARC_POLICY_NONE);
	/* more URIs than kept are still counted */
	txt = "v=DMARC1; p=none; rua=mailto:a@x.org,mailto:b@x.org,mailto:c@x.org,mailto:d@x.org,"
	      "mailto:e@x.org,mailto:f@x.org,mailto:g@x.org,mailto:h@x.org,mailto:i@x.org";
	assert_true(dmarc_record_parse(txt, strlen(txt), &r, why, sizeof why));
	assert_int_equal(r.rua.count, DMARC_URI_MAX);
	assert_int_equal(r.rua.valid, 9);
}

/* ---- tree walk targets (RFC 9989 §4.10 steps 3-7) ---- */

static void test_dmarc_walk_targets(void **state)
{
	char t[DMARC_WALK_MAX][AM_DOMAIN_MAX];
	(void)state;
	assert_int_equal(dmarc_walk_targets("com", t), 1);
	assert_int_equal(dmarc_walk_targets("Mail.Example.COM.", t), 3);
	assert_string_equal(t[0], "mail.example.com");
	assert_string_equal(t[2], "com");
	/* 7 labels: one at a time */
	assert_int_equal(dmarc_walk_targets("a.b.c.d.e.f.g", t), 7);
	/* 8 labels: the parent has 7 anyway */
	assert_int_equal(dmarc_walk_targets("a.b.c.d.e.f.g.h", t), 8);
	assert_string_equal(t[1], "b.c.d.e.f.g.h");
	/* 9 and 20 labels: jump to 7 */
	assert_int_equal(dmarc_walk_targets("x.a.b.c.d.e.f.g.h", t), 8);
	assert_string_equal(t[1], "b.c.d.e.f.g.h");
	assert_int_equal(dmarc_walk_targets("1.2.3.4.5.6.7.8.9.10.11.12.13.a.b.c.d.e.f.g", t), 8);
	assert_string_equal(t[1], "a.b.c.d.e.f.g");
	assert_string_equal(t[7], "g");
	assert_int_equal(dmarc_walk_targets("bad..name", t), 0);
	assert_int_equal(dmarc_walk_targets("", t), 0);
}

/* ---- lookup cache: a name is queried once per message ---- */

static void test_dmarc_lookup_cache(void **state)
{
	struct dns_zone *z = build_zone(Z_REJ);
	struct dns_resolver r = dns_zone_resolver(z);
	struct msg_results res;
	struct dmarc_verdict v;
	const char *from[] = { "a@example.com" };
	(void)state;
	memset(&res, 0, sizeof res);
	parse_spf("pass bounce.example.com", &res.spf_mailfrom);
	res.dkim_count = 2;
	res.dkim[0].result = DKIM_PASS;
	strcpy(res.dkim[0].domain, "mail.example.com");
	res.dkim[1].result = DKIM_PASS;
	strcpy(res.dkim[1].domain, "bounce.example.com");
	assert_int_equal(dmarc_evaluate(&r, NULL, from, 1, &res, NULL, am_now_ms() + 2000, &v), 0);
	assert_int_equal(res.dmarc.result, DMARC_PASS);
	assert_true(res.dmarc.spf_aligned && res.dmarc.dkim_aligned);
	assert_string_equal(res.dmarc.org_domain, "example.com");
	/* _dmarc.example.com, _dmarc.com, _dmarc.bounce.example.com, _dmarc.mail.example.com */
	assert_int_equal(dns_zone_queries(z), 4);
	dns_zone_free(z);

	/* unrelated identifiers need no walk at all */
	z = build_zone(Z_REJ);
	r = dns_zone_resolver(z);
	memset(&res, 0, sizeof res);
	parse_spf("pass example.net", &res.spf_mailfrom);
	assert_int_equal(dmarc_evaluate(&r, NULL, from, 1, &res, NULL, am_now_ms() + 2000, &v), 0);
	assert_int_equal(res.dmarc.result, DMARC_FAIL);
	assert_int_equal(dns_zone_queries(z), 2);     /* author record + its org walk */
	dns_zone_free(z);
}

/* ---- a resolver that never answers: the deadline turns into temperror ---- */

static struct dns_query *stall_start(void *impl, const char *name, enum dns_type type)
{
	(void)impl, (void)name, (void)type;
	return (struct dns_query *)calloc(1, 16);
}
static const struct dns_answer *stall_wait(void *impl, struct dns_query *q, uint64_t deadline)
{
	(void)impl, (void)q;
	while (deadline && am_now_ms() < deadline)
		;                                 /* busy until the deadline: nothing arrives */
	return NULL;
}
static void stall_release(void *impl, struct dns_query *q)
{
	(void)impl;
	free(q);
}

static void test_dmarc_deadline(void **state)
{
	static const struct dns_ops ops = { stall_start, stall_wait, stall_release };
	struct dns_resolver r = { &ops, NULL };
	struct dmarc_ctx *c;
	struct msg_results res;
	struct dmarc_verdict v;
	uint64_t t0 = am_now_ms();
	(void)state;
	c = dmarc_ctx_new(&r, NULL);
	assert_non_null(c);
	assert_int_equal(dmarc_ctx_add_from(c, "a@example.com", 13), 0);
	assert_int_equal(dmarc_ctx_step(c, 0), DMARC_ORG_PENDING);    /* a poll never blocks */
	memset(&res, 0, sizeof res);
	assert_int_equal(dmarc_ctx_finish(c, &res, NULL, am_now_ms() + 30, &v), 0);
	assert_true(am_now_ms() - t0 < 2000);
	assert_int_equal(res.dmarc.result, DMARC_TEMPERROR);
	assert_int_equal(v.disposition, DISP_TEMPFAIL);
	dmarc_ctx_free(c);
}

/* ---- early discovery: the From header starts it, EOM finishes ---- */

static void test_dmarc_milter_flow(void **state)
{
	struct dns_zone *z = build_zone(Z_EX);
	struct dns_resolver r = dns_zone_resolver(z);
	struct dmarc_ctx *c = dmarc_ctx_new(&r, NULL);
	struct msg_results res;
	struct dmarc_verdict v;
	struct dmarc_report_row row;
	struct am_ip ip;
	struct buf b;
	const char *from = "\"Mail, Team\" (comment) <news@mail.example.com>";
	(void)state;
	assert_int_equal(dmarc_ctx_add_from(c, from, strlen(from)), 0);
	assert_int_equal(dmarc_ctx_step(c, 0), DMARC_ORG_DONE);
	unsigned early = dns_zone_queries(z);
	assert_true(early >= 2);                      /* discovery already ran */
	memset(&res, 0, sizeof res);
	parse_spf("fail mail.example.com", &res.spf_mailfrom);
	res.dkim_count = 1;
	res.dkim[0].result = DKIM_FAIL;
	strcpy(res.dkim[0].domain, "mail.example.com");
	strcpy(res.dkim[0].selector, "s2026");
	assert_int_equal(dmarc_ctx_finish(c, &res, NULL, am_now_ms() + 1000, &v), 0);
	assert_int_equal(res.dmarc.result, DMARC_FAIL);
	assert_int_equal(res.dmarc.requested, DMARC_POLICY_QUARANTINE);
	assert_int_equal(v.disposition, DISP_QUARANTINE);
	assert_string_equal(res.dmarc.from_domain, "mail.example.com");
	assert_string_equal(res.dmarc.policy_domain, "example.com");
	assert_true(am_ip_parse("198.51.100.7", &ip));
	assert_true(dmarc_report_row_fill(c, &res, &v, &ip, "mail.example.com", &row));
	assert_string_equal(row.source_ip, "198.51.100.7");
	assert_int_equal(row.p, DMARC_POLICY_REJECT);
	assert_int_equal(row.sp, DMARC_POLICY_QUARANTINE);
	assert_int_equal(row.np, DMARC_POLICY_NONE);
	assert_int_equal(row.disposition, DMARC_POLICY_QUARANTINE);
	assert_int_equal(row.dkim_count, 1);
	assert_string_equal(row.dkim[0].selector, "s2026");
	buf_init(&b);
	assert_int_equal(dmarc_report_row_format(&row, &b), 0);
	assert_non_null(strstr(b.data, "header_from=mail.example.com"));
	assert_non_null(strstr(b.data, "policy_domain=example.com p=reject sp=quarantine np=none"));
	assert_non_null(strstr(b.data, "disposition=quarantine"));
	buf_clear(&b);
	dmarc_ctx_free(c);
	dns_zone_free(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dmarc_scenario_table),
		cmocka_unit_test(test_dmarc_reject_text),
		cmocka_unit_test(test_dmarc_record_details),
		cmocka_unit_test(test_dmarc_walk_targets),
		cmocka_unit_test(test_dmarc_lookup_cache),
		cmocka_unit_test(test_dmarc_deadline),
		cmocka_unit_test(test_dmarc_milter_flow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
