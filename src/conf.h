/* conf - the loaded configuration: an immutable snapshot once conf_load() returns.
 * Every option is described once, in conf_schema.c (path, type, default, range, doc);
 * loading, printing (config-test) and the documentation test all read that table.
 * OWNS: every string and list in the struct; conf_free() releases them.
 * THREADS: a loaded conf is read-only and may be shared; see conf_live.h for the
 * refcounted "current snapshot" the daemon uses. */
#ifndef AM_CONF_H
#define AM_CONF_H
#include "cidr.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct conf_strlist {
	char **v;
	size_t n;
};

struct conf_cidrlist {
	struct am_cidr *v;
	size_t n;
};

/* dkim.keys: one private key */
struct conf_dkim_key {
	char *name;          /* referenced from the signing table */
	char *domain;        /* d= */
	char *selector;      /* s= */
	char *algorithm;     /* rsa-sha256 | ed25519-sha256 */
	char *key_file;      /* PEM, PKCS#1 or PKCS#8 */
};

/* dkim.signing_table: which keys sign mail from which sender domains */
struct conf_sign_rule {
	char *domain;        /* "example.com", "*.example.com" or "*" */
	struct conf_strlist keys;
};

struct conf {
	char *path;                  /* file it was loaded from */
	char *authserv_id;           /* "" in the file = this host's name */

	struct {
		char *socket;
		char *user;
		char *group;
		int socket_mode;     /* unix socket permissions */
		int timeout;         /* seconds libmilter waits for the MTA */
		int backlog;
		char *pid_file;
		int eom_deadline;    /* ms: longest wait for DNS at end of message */
	} milter;

	struct {
		char *sink;          /* stderr | syslog */
		char *level;         /* error | warning | info | debug */
		char *format;        /* text | json: the per-message summary line */
		char *facility;
	} log;

	struct {
		struct conf_strlist servers;
		int timeout;         /* ms per try */
		int tries;
		int cache_size;      /* entries; 0 disables the cache */
		int min_ttl;
		int max_ttl;
		int negative_ttl;    /* cap for cached NXDOMAIN/NODATA */
	} dns;

	struct {
		struct conf_cidrlist internal_hosts;
		struct conf_strlist submission_daemons;
		bool authenticated;  /* SMTP AUTH ({auth_authen}) makes mail outbound */
	} outbound;

	struct {
		bool enabled;
		bool check_helo;
		bool reject_on_fail;
		char *temperror_action;      /* accept | tempfail */
		bool received_spf_header;
		int void_lookup_limit;
		int time_limit;              /* seconds */
	} spf;

	struct {
		bool sign;
		char *canonicalization;      /* header/body */
		struct conf_strlist sign_headers;
		bool oversign;
		int expire;                  /* seconds for x=; 0 = no x= */
		char *on_key_error;          /* unsigned | tempfail */
		bool allow_group_readable_keys;
		bool allow_world_readable_keys;
		int key_check_interval;      /* seconds between key-file change checks */
		struct conf_dkim_key *keys;
		size_t nkeys;
		struct conf_sign_rule *rules;
		size_t nrules;

		bool verify;
		int max_signatures;
		bool l_strict;
		int clock_skew;              /* seconds allowed for t= in the future */
		int min_rsa_bits;
	} dkim;

	struct {
		bool enabled;
		bool enforce;                /* false = monitor mode */
		char *org_domain_method;     /* treewalk | psl */
		char *psl_file;              /* the Public Suffix List for psl */
		char *from_policy;           /* reject | strictest | accept */
		char *temperror_action;      /* tempfail | accept */
		char *quarantine_action;     /* hold | header */
		char *quarantine_header;     /* header added when quarantine_action = header */
		char *reject_text;
		struct conf_strlist allow_domains;
		struct conf_cidrlist allow_networks;
	} dmarc;
};

/* conf_load - read and validate a file. On success returns a new conf. On failure
 * returns NULL and writes every error found ("file:line: message", one per line) to err
 * (at most errlen bytes). */
struct conf *conf_load(const char *path, char *err, size_t errlen);
/* conf_load_string - the same from text (tests); name is used in error messages. */
struct conf *conf_load_string(const char *text, const char *name, char *err, size_t errlen);
/* conf_defaults - a conf with every default (never NULL unless ENOMEM). */
struct conf *conf_defaults(void);
void conf_free(struct conf *c);
/* conf_print - the effective configuration in libconfig syntax; with annotate, each
 * option is preceded by its one-line description. */
void conf_print(const struct conf *c, FILE *out, bool annotate);

/* The schema, for the documentation test and conf_print. */
enum conf_type { CT_BOOL, CT_INT, CT_OCTAL, CT_STRING, CT_ENUM, CT_STRLIST, CT_CIDRLIST, CT_KEYS, CT_RULES };
struct conf_option {
	const char *path;            /* "dns.timeout" */
	enum conf_type type;
	size_t offset;               /* into struct conf */
	const char *def;             /* default as text ("" for empty lists) */
	long min, max;               /* CT_INT range */
	const char *choices;         /* CT_ENUM: "a|b|c" */
	const char *doc;             /* one line */
	bool (*check)(const char *); /* CT_STRING / CT_STRLIST elements: value acceptable? */
	const char *check_what;      /* what check expects, for the error message */
};
/* conf_check_socket / conf_check_hostport - the validators the schema uses. */
bool conf_check_socket(const char *s);
bool conf_check_hostport(const char *s);
extern const struct conf_option conf_options[];
extern const size_t conf_option_count;
const struct conf_option *conf_option_find(const char *path);
#endif
