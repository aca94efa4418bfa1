/* cmd_dns - `authmilter dns NAME [TYPE]`: one lookup through the same resolver the other
 * commands use (--dns-zone, --dns-server, or /etc/resolv.conf). Prints the status word,
 * then one line per record (TXT as one quoted string with \" \\ and \DDD escapes).
 * Exit 0 for an answer, NXDOMAIN or NODATA; 1 for a temporary failure; 2 for usage. */
#include "cli.h"
#include "clock.h"
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static void dns_print_txt(const char *data, size_t len)
{
	putchar('"');
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)data[i];
		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7F)
			printf("\\%03u", ch);
		else
			putchar(ch);
	}
	puts("\"");
}

static void dns_print_rr(const struct dns_rr *rr, int show_ttl)
{
	char text[INET6_ADDRSTRLEN];
	if (show_ttl)
		printf("%u ", rr->ttl);
	switch (rr->type) {
	case DNS_T_A:
	case DNS_T_AAAA:
		inet_ntop(rr->type == DNS_T_A ? AF_INET : AF_INET6, rr->u.addr, text, sizeof text);
		puts(text);
		break;
	case DNS_T_MX:
		printf("%u %s\n", rr->u.mx.preference, rr->u.mx.host);
		break;
	case DNS_T_TXT:
		dns_print_txt(rr->u.txt.data, rr->u.txt.len);
		break;
	default:
		puts(rr->u.name);
		break;
	}
}

static int dns_usage(void)
{
	fprintf(stderr, "usage: authmilter dns [--ttl] [--deadline MS] NAME [A|AAAA|MX|PTR|TXT|CNAME|NS]\n");
	return 2;
}

int cmd_dns(int argc, char **argv, const struct cli_globals *g)
{
	const char *name = NULL, *tname = NULL;
	unsigned long deadline = 15000;
	int show_ttl = 0, rc;
	enum dns_type type;
	struct cli_resolver cr;
	struct dns_query *q;
	const struct dns_answer *a;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--ttl") == 0) {
			show_ttl = 1;
		} else if (strcmp(argv[i], "--deadline") == 0 && i + 1 < argc) {
			char *end;
			deadline = strtoul(argv[++i], &end, 10);
			if (*end || deadline == 0)
				return dns_usage();
		} else if (argv[i][0] == '-') {
			return dns_usage();
		} else if (name == NULL) {
			name = argv[i];
		} else if (tname == NULL) {
			tname = argv[i];
		} else {
			return dns_usage();
		}
	}
	if (name == NULL)
		return dns_usage();
	if (tname == NULL)
		tname = "A";
	type = dns_type_parse(tname);
	if (type == 0 || type == DNS_T_SOA) {
		fprintf(stderr, "authmilter dns: unsupported type '%s'\n", tname);
		return 2;
	}
	if (cli_resolver_open(g, &cr) < 0)
		return 1;
	q = dns_start(&cr.r, name, type);
	if (q == NULL) {
		fprintf(stderr, "authmilter dns: out of memory\n");
		cli_resolver_close(&cr);
		return 1;
	}
	a = dns_wait(&cr.r, q, am_now_ms() + deadline);
	if (a == NULL) {
		puts("timeout");
		fprintf(stderr, "authmilter dns: no answer within %lu ms\n", deadline);
		rc = 1;
	} else {
		puts(dns_status_name(a->status));
		if (a->why[0])
			fprintf(stderr, "authmilter dns: %s\n", a->why);
		if (show_ttl && a->status != DNS_ANSWER)
			printf("%u\n", a->ttl);
		for (size_t i = 0; i < a->count; i++)
			dns_print_rr(&a->rr[i], show_ttl);
		rc = dns_status_is_temp(a->status) ? 1 : 0;
	}
	dns_release(&cr.r, q);
	cli_resolver_close(&cr);
	return rc;
}
