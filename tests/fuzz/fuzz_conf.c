/* fuzz_conf - the configuration loader (libconfig text through conf_load_string: syntax,
 * the schema walk, range/choice/validator checks, cross-reference validation) on
 * arbitrary text. Invariants: failure leaves a non-empty, NUL-terminated error text
 * inside the buffer; success leaves no error text, a conf whose required strings are
 * set, and that conf prints (config-test) without trouble. Inputs holding "@include" are
 * skipped: that directive reads other files, which is the file system's business, not
 * the parser's. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/* LeakSanitizer (libFuzzer and SAN=1 builds) reads this. libconfig 1.5 (Debian 12): on a
 * syntax error, a string token its scanner has already built (the string buffer, or an
 * empty "") is never freed, and config_destroy cannot reach it; our loader calls
 * config_destroy on every path. Third-party, a few bytes per rejected file; the inputs
 * are in the corpus (libconfig-*-leak) and tests/valgrind.supp has the same entry. */
const char *__lsan_default_suppressions(void)
{
	return "leak:strbuf_append\n"      /* the scanner's string buffer */
	       "leak:libconfig_yylex\n";    /* a token it allocated itself */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	char err[2048];
	char *text;
	struct conf *c;
	if (size > 65536 || memmem(data, size, "@include", 8) != NULL)
		return 0;
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(err, 'x', sizeof err);
	c = conf_load_string(text, "fuzz.conf", err, sizeof err);
	if (memchr(err, '\0', sizeof err) == NULL)
		abort();
	if (c == NULL) {
		if (err[0] == '\0')
			abort();
	} else {
		if (err[0] != '\0' || c->path == NULL || strcmp(c->path, "fuzz.conf") != 0)
			abort();
		if (c->milter.socket == NULL || c->log.level == NULL || c->dmarc.from_policy == NULL)
			abort();
		if (sink == NULL)
			sink = fopen("/dev/null", "w");
		if (sink != NULL) {
			conf_print(c, sink, false);
			conf_print(c, sink, true);
		}
		conf_free(c);
	}
	free(text);
	return 0;
}
