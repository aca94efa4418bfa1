/* cmd_evaluate - `authmilter evaluate --ip IP --helo NAME --sender ADDR [--auth USER]
 * [--daemon-name NAME] < message`: runs exactly the pipeline the milter runs (msg_eval)
 * on a message read from stdin (LF or CRLF), then prints the header edits it would
 * make (our Authentication-Results, signatures, removals) and
 * "disposition: accept|quarantine|reject|tempfail" with the reason and SMTP reply.
 * The configuration is read from -c FILE when given, else the defaults are used. */
#include "buf.h"
#include "cli.h"
#include "clock.h"
#include "conf.h"
#include "msg_eval.h"
#include "runtime.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr, "usage: authmilter evaluate --ip IP --helo NAME --sender ADDR [--auth USER]\n"
			"                           [--daemon-name NAME] [--queue-id ID] < message\n");
	return 2;
}

static int read_stdin(struct buf *out)
{
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
		if (buf_append(out, chunk, n) < 0)
			return -1;
	return ferror(stdin) ? -1 : 0;
}

/* print_header - "Name: value" with the folds as CRLF-less lines for a terminal. */
static void print_header(const char *prefix, const char *name, const char *value)
{
	printf("%s%s: ", prefix, name);
	for (const char *p = value; *p; p++)
		if (*p != '\r')
			putchar(*p);
	putchar('\n');
}

static int feed_header(const char *name, const char *value, void *arg)
{
	msg_eval_header(arg, name, value);
	return 0;
}

int cmd_evaluate(int argc, char **argv, const struct cli_globals *g)
{
	const char *ip = NULL, *helo = "", *sender = NULL, *auth = NULL, *daemon = "", *qid = "evaluate";
	char err[8192] = "";
	struct conf *c;
	struct runtime *rt;
	struct conn_info ci;
	struct msg_eval *me;
	struct verdict v;
	struct buf raw, msg;
	size_t body_off = 0;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (i + 1 >= argc)
			return usage();
		if (strcmp(a, "--ip") == 0)
			ip = argv[++i];
		else if (strcmp(a, "--helo") == 0)
			helo = argv[++i];
		else if (strcmp(a, "--sender") == 0)
			sender = argv[++i];
		else if (strcmp(a, "--auth") == 0)
			auth = argv[++i];
		else if (strcmp(a, "--daemon-name") == 0)
			daemon = argv[++i];
		else if (strcmp(a, "--queue-id") == 0)
			qid = argv[++i];
		else
			return usage();
	}
	if (ip == NULL || sender == NULL)
		return usage();
	if (strcmp(sender, "<>") == 0)
		sender = "";
	memset(&ci, 0, sizeof ci);
	if (!am_ip_parse(ip, &ci.ip)) {
		fprintf(stderr, "authmilter evaluate: '%s' is not an IP address\n", ip);
		return 2;
	}
	ci.have_ip = true;
	snprintf(ci.hostname, sizeof ci.hostname, "unknown");
	snprintf(ci.helo, sizeof ci.helo, "%s", helo);
	snprintf(ci.daemon_name, sizeof ci.daemon_name, "%s", daemon);

	c = g->config_given ? conf_load(g->config_path, err, sizeof err) : conf_defaults();
	if (c == NULL) {
		fputs(err, stderr);
		return 1;
	}
	rt = runtime_new(c, g, NULL, err, sizeof err);
	if (rt == NULL) {
		fprintf(stderr, "authmilter evaluate: %s\n", err);
		conf_free(c);
		return 1;
	}
	buf_init(&raw);
	buf_init(&msg);
	if (read_stdin(&raw) < 0 || hdr_to_crlf(raw.data ? raw.data : "", raw.len, &msg) < 0) {
		fprintf(stderr, "authmilter evaluate: cannot read the message\n");
		rc = 1;
		goto out;
	}
	me = msg_eval_new(&rt->env, &ci);
	if (me == NULL) {
		rc = 1;
		goto out;
	}
	msg_eval_set_queue_id(me, qid);
	if (msg_eval_mail(me, sender, auth, &v) == DISP_ACCEPT) {
		/* every field, one by one as the milter gets them (no header list limit here) */
		if (hdr_split_each(msg.data ? msg.data : "", msg.len, feed_header, me, &body_off) < 0) {
			fprintf(stderr, "authmilter evaluate: out of memory\n");
			msg_eval_free(me);
			rc = 1;
			goto out;
		}
		msg_eval_eoh(me);
		msg_eval_body(me, msg.data + body_off, msg.len - body_off);
		msg_eval_eom(me, am_now_ms() + (uint64_t)c->milter.eom_deadline, &v);
	}
	if (msg_eval_note(me)[0])
		fprintf(stderr, "authmilter evaluate: %s\n", msg_eval_note(me));
	for (size_t i = 0; i < v.nedits; i++) {
		if (v.edits[i].op == EDIT_DELETE)
			printf("remove: %s #%zu\n", v.edits[i].name, v.edits[i].index);
		else
			print_header("", v.edits[i].name, v.edits[i].value);
	}
	printf("disposition: %s", disposition_name(v.disp));
	if (msg_eval_results(me)->disposition_reason[0])
		printf(" (%s)", msg_eval_results(me)->disposition_reason);
	if (v.rcode[0])
		printf(" [%s %s %s]", v.rcode, v.xcode, v.text);
	if (v.quarantine_reason[0])
		printf(" [quarantine: %s]", v.quarantine_reason);
	putchar('\n');
	verdict_clear(&v);
	msg_eval_free(me);
out:
	buf_clear(&raw);
	buf_clear(&msg);
	runtime_free(rt);
	conf_free(c);
	return rc;
}
