/* conf_print - writes the effective configuration (defaults filled in) in libconfig
 * syntax, grouped by section, for `authmilter config-test`. */
#include "conf.h"
#include <string.h>

static void print_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static void print_value(FILE *out, const struct conf *c, const struct conf_option *o)
{
	const void *f = (const char *)c + o->offset;
	switch (o->type) {
	case CT_BOOL:
		fputs(*(const bool *)f ? "true" : "false", out);
		break;
	case CT_INT:
		fprintf(out, "%d", *(const int *)f);
		break;
	case CT_OCTAL:
		fprintf(out, "\"0%o\"", (unsigned)*(const int *)f);
		break;
	case CT_STRING:
	case CT_ENUM:
		print_string(out, *(char *const *)f);
		break;
	case CT_STRLIST: {
		const struct conf_strlist *l = f;
		fputs("[", out);
		for (size_t i = 0; i < l->n; i++) {
			fputs(i ? ", " : " ", out);
			print_string(out, l->v[i]);
		}
		fputs(l->n ? " ]" : "]", out);
		break;
	}
	case CT_CIDRLIST: {
		const struct conf_cidrlist *l = f;
		fputs("[", out);
		for (size_t i = 0; i < l->n; i++) {
			char ip[64];
			am_ip_format(&l->v[i].ip, ip, sizeof ip);
			fprintf(out, "%s\"%s/%u\"", i ? ", " : " ", ip, l->v[i].prefix);
		}
		fputs(l->n ? " ]" : "]", out);
		break;
	}
	case CT_KEYS:
		fputs("(", out);
		for (size_t i = 0; i < c->dkim.nkeys; i++) {
			const struct conf_dkim_key *k = &c->dkim.keys[i];
			fprintf(out, "%s\n    { name = ", i ? "," : "");
			print_string(out, k->name);
			fputs("; domain = ", out);
			print_string(out, k->domain);
			fputs("; selector = ", out);
			print_string(out, k->selector);
			fputs("; algorithm = ", out);
			print_string(out, k->algorithm);
			fputs("; key_file = ", out);
			print_string(out, k->key_file);
			fputs("; }", out);
		}
		fputs(c->dkim.nkeys ? "\n  )" : ")", out);
		break;
	case CT_RULES:
		fputs("(", out);
		for (size_t i = 0; i < c->dkim.nrules; i++) {
			const struct conf_sign_rule *r = &c->dkim.rules[i];
			fprintf(out, "%s\n    { domain = ", i ? "," : "");
			print_string(out, r->domain);
			fputs("; keys = [", out);
			for (size_t k = 0; k < r->keys.n; k++) {
				fputs(k ? ", " : " ", out);
				print_string(out, r->keys.v[k]);
			}
			fputs(" ]; }", out);
		}
		fputs(c->dkim.nrules ? "\n  )" : ")", out);
		break;
	}
}

void conf_print(const struct conf *c, FILE *out, bool annotate)
{
	char section[64] = "";
	if (!annotate)
		fprintf(out, "# effective configuration of %s\n", c->path ? c->path : "(defaults)");
	for (size_t i = 0; i < conf_option_count; i++) {
		const struct conf_option *o = &conf_options[i];
		const char *dot = strchr(o->path, '.');
		size_t sl = dot ? (size_t)(dot - o->path) : 0;
		if (sl != strlen(section) || strncmp(section, o->path, sl) != 0) {
			if (section[0])
				fputs("};\n", out);
			snprintf(section, sizeof section, "%.*s", (int)sl, o->path);
			if (section[0])
				fprintf(out, "%s: {\n", section);
		}
		if (annotate)
			fprintf(out, "%s# %s\n", section[0] ? "  " : "", o->doc);
		fprintf(out, "%s%s = ", section[0] ? "  " : "", dot ? dot + 1 : o->path);
		print_value(out, c, o);
		fputs(";\n", out);
	}
	if (section[0])
		fputs("};\n", out);
}
