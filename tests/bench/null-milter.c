/* null-milter - a do-nothing libmilter filter: the per-message floor of libmilter itself.
 * Every callback is registered and answers "continue" (so the MTA waits for a reply at
 * every step, as with a filter that negotiates nothing), end of message answers "accept".
 * Used by tests/bench/milter-peers.sh as a baseline; not part of the daemon.
 *
 *   null-milter unix:/path | inet:port@host
 * Stops on SIGTERM (libmilter's own signal handling). */
#include <libmilter/mfapi.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static sfsistat cb_connect(SMFICTX *ctx, char *host, struct sockaddr *sa)
{
	(void)ctx;
	(void)host;
	(void)sa;
	return SMFIS_CONTINUE;
}

static sfsistat cb_str(SMFICTX *ctx, char *s)
{
	(void)ctx;
	(void)s;
	return SMFIS_CONTINUE;
}

static sfsistat cb_argv(SMFICTX *ctx, char **argv)
{
	(void)ctx;
	(void)argv;
	return SMFIS_CONTINUE;
}

static sfsistat cb_header(SMFICTX *ctx, char *name, char *value)
{
	(void)ctx;
	(void)name;
	(void)value;
	return SMFIS_CONTINUE;
}

static sfsistat cb_ctx(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_CONTINUE;
}

static sfsistat cb_body(SMFICTX *ctx, unsigned char *data, size_t len)
{
	(void)ctx;
	(void)data;
	(void)len;
	return SMFIS_CONTINUE;
}

static sfsistat cb_eom(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_ACCEPT;
}

int main(int argc, char **argv)
{
	struct smfiDesc desc;
	if (argc != 2) {
		fprintf(stderr, "usage: null-milter SOCKET\n");
		return 2;
	}
	memset(&desc, 0, sizeof desc);
	desc.xxfi_name = "null-milter";
	desc.xxfi_version = SMFI_VERSION;
	desc.xxfi_connect = cb_connect;
	desc.xxfi_helo = cb_str;
	desc.xxfi_envfrom = cb_argv;
	desc.xxfi_envrcpt = cb_argv;
	desc.xxfi_header = cb_header;
	desc.xxfi_eoh = cb_ctx;
	desc.xxfi_body = cb_body;
	desc.xxfi_eom = cb_eom;
	desc.xxfi_abort = cb_ctx;
	desc.xxfi_close = cb_ctx;
	desc.xxfi_data = cb_ctx;
	if (smfi_setconn(argv[1]) != MI_SUCCESS || smfi_register(desc) != MI_SUCCESS) {
		fprintf(stderr, "null-milter: cannot set up %s\n", argv[1]);
		return 1;
	}
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
