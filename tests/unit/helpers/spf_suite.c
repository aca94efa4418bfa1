/* spf_suite - OpenSPF suite driver over dns_zone (see spf_suite.h).
 * Zone rules follow the suite README: unlisted names are NXDOMAIN, listed names without
 * the asked type NODATA, TIMEOUT times out every type that has no record at that name. */
#include "spf_suite.h"
#include "dns_zone.h"
#include "spf_eval.h"
#include "spf_slow.h"
#include "strutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXF 16

/* unescape - \\ \t \n \r \xHH in place; returns the new length. */
static size_t unescape(char *s)
{
	size_t o = 0;
	for (size_t i = 0; s[i]; i++) {
		if (s[i] == '\\' && s[i + 1]) {
			char c = s[++i];
			if (c == 't') s[o++] = '\t';
			else if (c == 'n') s[o++] = '\n';
			else if (c == 'r') s[o++] = '\r';
			else if (c == 'x' && am_isxdigit((unsigned char)s[i + 1]) && am_isxdigit((unsigned char)s[i + 2])) {
				char h[3] = { s[i + 1], s[i + 2], 0 };
				s[o++] = (char)strtoul(h, NULL, 16);
				i += 2;
			} else s[o++] = c;
		} else {
			s[o++] = s[i];
		}
	}
	s[o] = '\0';
	return o;
}

struct rec_seen {
	char name[300];
	enum dns_type type;
};

struct scen {
	struct dns_zone *z;
	struct rec_seen *seen;
	size_t nseen, capseen;
	char (*timeouts)[300];
	size_t nto;
	int sealed;
};

static void seen_add(struct scen *sc, const char *name, enum dns_type t)
{
	if (sc->nseen == sc->capseen) {
		sc->capseen = sc->capseen ? sc->capseen * 2 : 64;
		sc->seen = realloc(sc->seen, sc->capseen * sizeof *sc->seen);
		if (sc->seen == NULL)
			abort();
	}
	snprintf(sc->seen[sc->nseen].name, sizeof sc->seen[0].name, "%s", name);
	sc->seen[sc->nseen++].type = t;
}

static int has_type(const struct scen *sc, const char *name, enum dns_type t)
{
	for (size_t i = 0; i < sc->nseen; i++)
		if (sc->seen[i].type == t && am_strcaseeq(sc->seen[i].name, name))
			return 1;
	return 0;
}

static void scen_reset(struct scen *sc)
{
	dns_zone_free(sc->z);
	sc->z = dns_zone_new();
	sc->nseen = 0;
	free(sc->timeouts);
	sc->timeouts = NULL;
	sc->nto = 0;
	sc->sealed = 0;
}

static void scen_seal(struct scen *sc)
{
	static const enum dns_type types[] = { DNS_T_A, DNS_T_AAAA, DNS_T_MX, DNS_T_TXT, DNS_T_PTR };
	for (size_t i = 0; i < sc->nto; i++) {
		if (has_type(sc, sc->timeouts[i], DNS_T_CNAME))
			continue;
		for (size_t k = 0; k < sizeof types / sizeof types[0]; k++)
			if (!has_type(sc, sc->timeouts[i], types[k]))
				dns_zone_set_fail(sc->z, sc->timeouts[i], types[k], DNS_TIMEOUT);
	}
}

struct pending_test {
	char id[128], ip[64], helo[300], from[600], results[128];
	char exp[512];
	int has_exp, active;
};

static int result_ok(const char *list, const char *got)
{
	char tmp[128];
	snprintf(tmp, sizeof tmp, "%s", list);
	for (char *tok = strtok(tmp, ","); tok; tok = strtok(NULL, ","))
		if (strcmp(tok, got) == 0)
			return 1;
	return 0;
}

/* one evaluation: prefetch on/off, synchronous zone or the asynchronous model */
struct run_out {
	struct spf_outcome o;
	char mech[160];
	unsigned terms, voids;
	int steps;
};

static int run_once(struct scen *sc, const struct spf_request *req, int prefetch, int slow, struct run_out *out)
{
	struct spf_limits lim;
	struct spf_slow sl = { 0 };
	struct dns_resolver r = dns_zone_resolver(sc->z);
	struct spf_check *c;

	spf_limits_default(&lim);
	lim.default_explanation = "DEFAULT";
	lim.prefetch = prefetch != 0;
	c = spf_check_new(req, &lim);
	if (c == NULL)
		return -1;
	out->steps = 0;
	if (slow) {
		sl.inner = r;
		r = spf_slow_resolver(&sl);
		while (spf_check_step(c, &r, 0) == SPF_STEP_NEED_DNS && out->steps < 10000) {
			out->steps++;
			sl.tick++;
		}
	} else {
		spf_check_run(c, &r, ~(uint64_t)0 >> 1);
	}
	spf_check_result(c, &out->o);
	snprintf(out->mech, sizeof out->mech, "%s", spf_check_mechanism(c));
	spf_check_counts(c, &out->terms, &out->voids);
	spf_check_free(c);
	if (slow && sl.outstanding != 0)
		return -1;
	return 0;
}

static void run_test(struct scen *sc, struct pending_test *t, struct spf_suite_stats *st)
{
	struct spf_request req = { .ip = t->ip, .sender = t->from, .helo = t->helo,
				   .receiver = "receiver.example", .identity = SPF_ID_MAILFROM, .now = 1400000000 };
	struct run_out base, other;
	const char *got;
	int ok;

	t->active = 0;
	st->tests++;
	if (run_once(sc, &req, 1, 0, &base) < 0) {
		printf("  %s: spf_check_new failed (ip %s)\n", t->id, t->ip);
		st->failed++;
		return;
	}
	got = spf_result_name(base.o.result);
	ok = result_ok(t->results, got);
	/* explanations compare ASCII case-insensitively: the suite echoes the client's
	 * spelling of IPv6 nibbles, which DNS treats as equal */
	if (ok && t->has_exp && strcmp(got, "fail") == 0) {
		st->exp_checked++;
		if (!am_strcaseeq(base.o.explanation, t->exp))
			ok = 0;
	}
	if (!ok) {
		st->failed++;
		printf("  FAIL %s: got %s (%s) want %s%s%s%s\n", t->id, got, base.o.explanation, t->results,
		       t->has_exp ? " exp '" : "", t->has_exp ? t->exp : "", t->has_exp ? "'" : "");
		return;
	}
	/* the same answer, explanation, deciding term and limit counts without prefetching,
	 * and when every answer arrives one step late (the resumable path) */
	for (int v = 0; v < 3; v++) {
		static const int variants[3][2] = { { 0, 0 }, { 1, 1 }, { 0, 1 } };   /* prefetch, async */
		int prefetch = variants[v][0], slow = variants[v][1];
		if (run_once(sc, &req, prefetch, slow, &other) < 0 || other.o.result != base.o.result ||
		    strcmp(other.o.explanation, base.o.explanation) != 0 || strcmp(other.mech, base.mech) != 0 ||
		    other.terms != base.terms || other.voids != base.voids) {
			st->failed++;
			printf("  FAIL %s: variant prefetch=%d async=%d gave %s (%s) terms %u voids %u; "
			       "base %s (%s) terms %u voids %u\n", t->id, prefetch, slow,
			       spf_result_name(other.o.result), other.o.explanation, other.terms, other.voids,
			       got, base.o.explanation, base.terms, base.voids);
			return;
		}
		if (slow && prefetch)
			st->async_steps += (unsigned)other.steps;
		else if (slow)
			st->async_steps_noprefetch += (unsigned)other.steps;
	}
	st->passed++;
}

int spf_suite_run(const char *path, struct spf_suite_stats *st)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	struct scen sc = { 0 };
	struct pending_test t = { 0 };
	int rc = 0;

	memset(st, 0, sizeof *st);
	if (f == NULL) {
		perror(path);
		return -1;
	}
	sc.z = dns_zone_new();
	while (getline(&line, &cap, f) > 0) {
		char *fld[MAXF];
		size_t flen[MAXF];
		int nf = 0;
		size_t l = strlen(line);
		while (l && (line[l - 1] == '\n' || line[l - 1] == '\r'))
			line[--l] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		for (char *p = line; nf < MAXF;) {
			char *tab = strchr(p, '\t');
			fld[nf++] = p;
			if (tab == NULL)
				break;
			*tab = '\0';
			p = tab + 1;
		}
		for (int i = 0; i < nf; i++)
			flen[i] = unescape(fld[i]);
		if (strcmp(fld[0], "scenario") == 0) {
			scen_reset(&sc);
			st->scenarios++;
		} else if (strcmp(fld[0], "zone") == 0 && nf >= 3) {
			const char *name = fld[1], *type = fld[2];
			if (strcmp(type, "TIMEOUT") == 0) {
				sc.timeouts = realloc(sc.timeouts, (sc.nto + 1) * sizeof *sc.timeouts);
				snprintf(sc.timeouts[sc.nto++], 300, "%s", name);
				continue;
			}
			if (strcmp(type, "TXT") == 0) {
				char buf[8192];
				size_t n = 0;
				for (int i = 3; i < nf; i++) {
					if (n + flen[i] > sizeof buf) { rc = -1; break; }
					memcpy(buf + n, fld[i], flen[i]);
					n += flen[i];
				}
				if (dns_zone_add_txt(sc.z, name, buf, n) < 0)
					rc = -1;
				seen_add(&sc, name, DNS_T_TXT);
			} else if (strcmp(type, "MX") == 0 && nf >= 4) {
				char v[400];
				snprintf(v, sizeof v, "%s %s", fld[3], nf >= 5 ? fld[4] : "");
				if (dns_zone_add(sc.z, name, DNS_T_MX, v) < 0)
					rc = -1;
				seen_add(&sc, name, DNS_T_MX);
			} else if (nf >= 4) {
				enum dns_type ty = dns_type_parse(type);
				if (ty == 0 || dns_zone_add(sc.z, name, ty, fld[3]) < 0) {
					printf("  bad zone line %s %s %s\n", name, type, fld[3]);
					rc = -1;
				}
				seen_add(&sc, name, ty);
			} else {
				rc = -1;
			}
		} else if (strcmp(fld[0], "test") == 0 && nf >= 7) {
			if (t.active)
				run_test(&sc, &t, st);
			memset(&t, 0, sizeof t);
			snprintf(t.id, sizeof t.id, "%s", fld[1]);
			snprintf(t.ip, sizeof t.ip, "%s", fld[3]);
			snprintf(t.helo, sizeof t.helo, "%s", fld[4]);
			snprintf(t.from, sizeof t.from, "%s", fld[5]);
			snprintf(t.results, sizeof t.results, "%s", fld[6]);
			t.active = 1;
			if (!sc.sealed)
				scen_seal(&sc);   /* all zone lines precede the first test */
			sc.sealed = 1;
		} else if (strcmp(fld[0], "exp") == 0 && nf >= 2) {
			snprintf(t.exp, sizeof t.exp, "%s", fld[1]);
			t.has_exp = 1;
		} else if (strcmp(fld[0], "end") == 0) {
			if (t.active)
				run_test(&sc, &t, st);
		}
		if (rc != 0) {
			printf("  malformed suite line: %s\n", fld[0]);
			break;
		}
	}
	free(line);
	fclose(f);
	dns_zone_free(sc.z);
	free(sc.seen);
	free(sc.timeouts);
	return rc;
}
