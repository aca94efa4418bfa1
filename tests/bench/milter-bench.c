/* milter-bench - a milter-protocol client (the MTA side, protocol version 6 as Postfix
 * speaks it) for tests and load generation. It connects to a milter on a unix or inet
 * socket, plays connect/HELO/MAIL/RCPT/headers/body/end-of-message for a message file,
 * and records the final reply and every modification the milter asks for.
 *
 *   milter-bench -s unix:/path|inet:port@host -m message.eml [options]
 *     -c N          concurrent connections (threads), default 1
 *     -n M          messages in total, default 1
 *     -k K          messages per connection, default 1 (a new connection per message)
 *     --ip ADDR     client address (default 192.0.2.1)    --helo NAME
 *     --from ADDR   MAIL FROM (without <>; "" for <>)      --rcpt ADDR
 *     --auth USER   set {auth_authen} at MAIL (outbound)   --daemon-name NAME
 *     --dump        print the reply and modifications of the first message
 *     --timeout S   give up on a reply after S seconds (default 30)
 * Prints messages/s, latency p50/p90/p99/max in ms, and the count of each final reply
 * and each modification. Exit status 0 when every message got a final reply. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmilter/mfdef.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct opts {
	const char *sock, *msgfile, *ip, *helo, *from, *rcpt, *auth, *daemon;
	int conc, total, per_conn, timeout;
	int dump;
};

struct stats {
	pthread_mutex_t lock;
	int next;                 /* next message number to send */
	int done, failed;
	double *lat;              /* per message, ms */
	unsigned long replies[256];
	unsigned long mods[256];
};

static struct opts o = { NULL, NULL, "192.0.2.1", "client.example", "sender@example.org",
			 "rcpt@example.net", NULL, NULL, 1, 1, 1, 30, 0 };
static struct stats st = { PTHREAD_MUTEX_INITIALIZER, 0, 0, 0, NULL, { 0 }, { 0 } };
static char *msg_headers[1000][2];
static size_t n_headers;
static char *msg_body;
static size_t body_len;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static int connect_sock(const char *spec)
{
	int fd = -1;
	if (strncmp(spec, "unix:", 5) == 0 || strncmp(spec, "local:", 6) == 0) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		snprintf(sun.sun_path, sizeof sun.sun_path, "%s", strchr(spec, ':') + 1);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
			close(fd);
			return -1;
		}
		return fd;
	}
	if (strncmp(spec, "inet:", 5) == 0 || strncmp(spec, "inet6:", 6) == 0) {
		char port[16], host[256] = "127.0.0.1";
		const char *p = strchr(spec, ':') + 1, *at = strchr(p, '@');
		struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
		snprintf(port, sizeof port, "%.*s", (int)(at ? at - p : (long)strlen(p)), p);
		if (at)
			snprintf(host, sizeof host, "%s", at + 1);
		if (getaddrinfo(host, port, &hints, &res) != 0)
			return -1;
		fd = socket(res->ai_family, SOCK_STREAM, 0);
		if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
			close(fd);
			fd = -1;
		}
		freeaddrinfo(res);
		return fd;
	}
	return -1;
}

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n > 0) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static int send_cmd(int fd, char cmd, const void *data, size_t len)
{
	unsigned char hdr[5];
	uint32_t l = htonl((uint32_t)len + 1);
	memcpy(hdr, &l, 4);
	hdr[4] = (unsigned char)cmd;
	if (write_all(fd, hdr, 5) < 0)
		return -1;
	return len ? write_all(fd, data, len) : 0;
}

static int read_all(int fd, void *p, size_t n)
{
	char *c = p;
	while (n > 0) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t r;
		if (poll(&pfd, 1, o.timeout * 1000) <= 0)
			return -1;
		r = read(fd, c, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		c += r;
		n -= (size_t)r;
	}
	return 0;
}

/* read_reply - one packet; returns its command byte and a malloc'd payload. */
static int read_reply(int fd, char **data, size_t *len)
{
	uint32_t l;
	unsigned char cmd;
	if (read_all(fd, &l, 4) < 0)
		return -1;
	l = ntohl(l);
	if (l == 0 || l > 16 * 1024 * 1024)
		return -1;
	if (read_all(fd, &cmd, 1) < 0)
		return -1;
	*len = l - 1;
	*data = malloc(*len + 1);
	if (*data == NULL || (*len && read_all(fd, *data, *len) < 0)) {
		free(*data);
		return -1;
	}
	(*data)[*len] = '\0';
	return cmd;
}

/* macro - send a SMFIC_MACRO packet for stage with name/value pairs (NULL-terminated). */
static int macro(int fd, int stage, ...)
{
	char buf[2048];
	size_t n = 0;
	va_list ap;
	const char *k;
	buf[n++] = (char)stage;
	va_start(ap, stage);
	while ((k = va_arg(ap, const char *)) != NULL) {
		const char *v = va_arg(ap, const char *);
		size_t kl = strlen(k) + 1, vl = strlen(v) + 1;
		if (n + kl + vl > sizeof buf)
			break;
		memcpy(buf + n, k, kl);
		n += kl;
		memcpy(buf + n, v, vl);
		n += vl;
	}
	va_end(ap);
	return send_cmd(fd, SMFIC_MACRO, buf, n);
}

struct session {
	int fd;
	uint32_t proto;           /* negotiated protocol flags */
	int dump;
};

/* expect_reply - for a step that gets a reply: read until a non-progress reply. */
static int expect_reply(struct session *s, int *final)
{
	for (;;) {
		char *d;
		size_t l;
		int c = read_reply(s->fd, &d, &l);
		if (c < 0)
			return -1;
		free(d);
		if (c == SMFIR_PROGRESS)
			continue;
		*final = c;
		return 0;
	}
}

static void dump_mod(int c, const char *d, size_t l)
{
	switch (c) {
	case SMFIR_INSHEADER:
	case SMFIR_CHGHEADER: {
		uint32_t idx;
		const char *name = d + 4, *val;
		memcpy(&idx, d, 4);
		val = name + strlen(name) + 1;
		if (c == SMFIR_INSHEADER)
			printf("insheader %u %s:%s\n", ntohl(idx), name, val);
		else if (*val == '\0')
			printf("delheader %s %u\n", name, ntohl(idx));
		else
			printf("chgheader %s %u:%s\n", name, ntohl(idx), val);
		break;
	}
	case SMFIR_ADDHEADER:
		printf("addheader %s:%s\n", d, d + strlen(d) + 1);
		break;
	case SMFIR_QUARANTINE:
		printf("quarantine %s\n", d);
		break;
	case SMFIR_REPLYCODE:
		printf("replycode %s\n", d);
		break;
	default:
		printf("modification '%c' (%zu bytes)\n", c, l);
	}
}

/* one_message - MAIL..EOM on an open session; returns the final reply byte or -1. */
static int one_message(struct session *s, int msgno)
{
	char qid[32], from[600], rcpt[600];
	int fin = 0;
	snprintf(qid, sizeof qid, "Q%08X", (unsigned)msgno);
	snprintf(from, sizeof from, "<%s>", o.from);
	snprintf(rcpt, sizeof rcpt, "<%s>", o.rcpt);
	macro(s->fd, SMFIC_MAIL, "i", qid, "{mail_addr}", o.from, "{auth_authen}", o.auth ? o.auth : "", NULL);
	if (send_cmd(s->fd, SMFIC_MAIL, from, strlen(from) + 1) < 0)
		return -1;
	if (!(s->proto & SMFIP_NR_MAIL)) {
		if (expect_reply(s, &fin) < 0)
			return -1;
		if (fin != SMFIR_CONTINUE)
			return fin;
	}
	if (!(s->proto & SMFIP_NORCPT)) {
		macro(s->fd, SMFIC_RCPT, "{rcpt_addr}", o.rcpt, NULL);
		if (send_cmd(s->fd, SMFIC_RCPT, rcpt, strlen(rcpt) + 1) < 0)
			return -1;
		if (!(s->proto & SMFIP_NR_RCPT) && (expect_reply(s, &fin) < 0 || fin != SMFIR_CONTINUE))
			return fin ? fin : -1;
	}
	if (!(s->proto & SMFIP_NODATA)) {
		if (send_cmd(s->fd, SMFIC_DATA, NULL, 0) < 0)
			return -1;
		if (!(s->proto & SMFIP_NR_DATA) && (expect_reply(s, &fin) < 0 || fin != SMFIR_CONTINUE))
			return fin ? fin : -1;
	}
	for (size_t i = 0; i < n_headers && !(s->proto & SMFIP_NOHDRS); i++) {
		char buf[65536];
		const char *v = msg_headers[i][1];
		size_t nl = strlen(msg_headers[i][0]) + 1, vl;
		if (!(s->proto & SMFIP_HDR_LEADSPC) && *v == ' ')
			v++;
		vl = strlen(v) + 1;
		if (nl + vl > sizeof buf)
			continue;
		memcpy(buf, msg_headers[i][0], nl);
		memcpy(buf + nl, v, vl);
		if (send_cmd(s->fd, SMFIC_HEADER, buf, nl + vl) < 0)
			return -1;
		if (!(s->proto & SMFIP_NR_HDR) && (expect_reply(s, &fin) < 0 || fin != SMFIR_CONTINUE))
			return fin ? fin : -1;
	}
	if (!(s->proto & SMFIP_NOEOH)) {
		if (send_cmd(s->fd, SMFIC_EOH, NULL, 0) < 0)
			return -1;
		if (!(s->proto & SMFIP_NR_EOH) && (expect_reply(s, &fin) < 0 || fin != SMFIR_CONTINUE))
			return fin ? fin : -1;
	}
	for (size_t off = 0; off < body_len && !(s->proto & SMFIP_NOBODY); off += 65535) {
		size_t n = body_len - off > 65535 ? 65535 : body_len - off;
		if (send_cmd(s->fd, SMFIC_BODY, msg_body + off, n) < 0)
			return -1;
		if (!(s->proto & SMFIP_NR_BODY)) {
			if (expect_reply(s, &fin) < 0)
				return -1;
			if (fin == SMFIR_SKIP)
				break;
			if (fin != SMFIR_CONTINUE)
				return fin;
		}
	}
	macro(s->fd, SMFIC_BODYEOB, "i", qid, NULL);
	if (send_cmd(s->fd, SMFIC_BODYEOB, NULL, 0) < 0)
		return -1;
	for (;;) {
		char *d;
		size_t l;
		int c = read_reply(s->fd, &d, &l);
		if (c < 0)
			return -1;
		if (c == SMFIR_ACCEPT || c == SMFIR_CONTINUE || c == SMFIR_REJECT || c == SMFIR_TEMPFAIL ||
		    c == SMFIR_DISCARD || c == SMFIR_REPLYCODE || c == SMFIR_SHUTDOWN || c == SMFIR_CONN_FAIL) {
			if (s->dump)
				printf("final '%c'%s%s\n", c, l ? " " : "", l ? d : "");
			free(d);
			return c;
		}
		if (c != SMFIR_PROGRESS) {
			pthread_mutex_lock(&st.lock);
			st.mods[(unsigned char)c]++;
			pthread_mutex_unlock(&st.lock);
			if (s->dump)
				dump_mod(c, d, l);
		}
		free(d);
	}
}

static int session_open(struct session *s)
{
	unsigned char neg[12];
	uint32_t v[3];
	char *d;
	size_t l;
	int c;
	char conn[600];
	size_t cl;
	s->fd = connect_sock(o.sock);
	if (s->fd < 0)
		return -1;
	v[0] = htonl(6);
	v[1] = htonl(SMFI_CURR_ACTS);
	v[2] = htonl(SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_MAIL | SMFIP_NR_RCPT | SMFIP_NR_DATA | SMFIP_NR_UNKN |
		     SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY | SMFIP_HDR_LEADSPC | SMFIP_NOCONNECT | SMFIP_NOHELO |
		     SMFIP_NOMAIL | SMFIP_NORCPT | SMFIP_NOBODY | SMFIP_NOHDRS | SMFIP_NOEOH | SMFIP_NOUNKNOWN |
		     SMFIP_NODATA | SMFIP_SKIP | SMFIP_RCPT_REJ);
	memcpy(neg, v, 12);
	if (send_cmd(s->fd, SMFIC_OPTNEG, neg, 12) < 0)
		return -1;
	c = read_reply(s->fd, &d, &l);
	if (c != SMFIC_OPTNEG || l < 12) {
		if (c >= 0)
			free(d);
		return -1;
	}
	memcpy(v, d, 12);
	free(d);
	s->proto = ntohl(v[2]);
	macro(s->fd, SMFIC_CONNECT, "j", "mx.test", "{daemon_name}", o.daemon ? o.daemon : "smtpd",
	      "{client_addr}", o.ip, NULL);
	if (!(s->proto & SMFIP_NOCONNECT)) {
		int fin;
		cl = (size_t)snprintf(conn, sizeof conn, "%s%c%c%c%c%s", o.helo, 0, strchr(o.ip, ':') ? '6' : '4', 0x30, 0x39, o.ip);
		if (send_cmd(s->fd, SMFIC_CONNECT, conn, cl + 1) < 0)
			return -1;
		if (!(s->proto & SMFIP_NR_CONN) && (expect_reply(s, &fin) < 0 || fin != SMFIR_CONTINUE))
			return -1;
	}
	if (!(s->proto & SMFIP_NOHELO)) {
		int fin;
		if (send_cmd(s->fd, SMFIC_HELO, o.helo, strlen(o.helo) + 1) < 0)
			return -1;
		if (!(s->proto & SMFIP_NR_HELO) && (expect_reply(s, &fin) < 0 || fin != SMFIR_CONTINUE))
			return -1;
	}
	return 0;
}

static void session_close(struct session *s)
{
	send_cmd(s->fd, SMFIC_QUIT, NULL, 0);
	close(s->fd);
}

static void *worker(void *arg)
{
	(void)arg;
	for (;;) {
		struct session s = { -1, 0, 0 };
		int k = 0;
		double t0 = now_ms();
		int opened = 0;
		for (;;) {
			int msgno, fin;
			double t1;
			pthread_mutex_lock(&st.lock);
			msgno = st.next < o.total ? st.next++ : -1;
			pthread_mutex_unlock(&st.lock);
			if (msgno < 0)
				break;
			if (!opened) {
				t0 = now_ms();
				if (session_open(&s) < 0) {
					pthread_mutex_lock(&st.lock);
					st.failed++;
					pthread_mutex_unlock(&st.lock);
					if (s.fd >= 0)
						close(s.fd);
					s.fd = -1;
					continue;
				}
				opened = 1;
			}
			s.dump = o.dump && msgno == 0;
			fin = one_message(&s, msgno);
			t1 = now_ms();
			pthread_mutex_lock(&st.lock);
			if (fin < 0) {
				st.failed++;
			} else {
				st.replies[(unsigned char)fin]++;
				st.lat[st.done++] = t1 - t0;
			}
			pthread_mutex_unlock(&st.lock);
			t0 = now_ms();
			if (fin < 0 || ++k >= o.per_conn) {
				if (fin < 0)
					close(s.fd);
				else
					session_close(&s);
				opened = 0;
				k = 0;
			}
		}
		if (opened)
			session_close(&s);
		return NULL;
	}
}

static int load_message(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *all = NULL, *p, *end;
	size_t cap = 0, len = 0, n;
	char chunk[65536];
	if (f == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			all = realloc(all, cap);
		}
		memcpy(all + len, chunk, n);
		len += n;
	}
	fclose(f);
	if (all == NULL)
		return -1;
	all[len] = '\0';
	/* split headers (LF or CRLF), unfolding continuation lines into the value */
	p = all;
	end = all + len;
	while (p < end && *p != '\n' && !(*p == '\r' && p[1] == '\n')) {
		char *colon = strchr(p, ':'), *eol, *val;
		size_t vl = 0;
		if (colon == NULL || n_headers == 1000)
			break;
		val = malloc(len + 1);
		eol = p;
		for (;;) {
			char *nl = memchr(eol, '\n', (size_t)(end - eol));
			if (nl == NULL)
				nl = end;
			{
				char *start = eol == p ? colon + 1 : eol;
				char *stop = (nl > start && nl[-1] == '\r') ? nl - 1 : nl;
				if (eol != p)
					val[vl++] = '\n';     /* folds as libmilter delivers them */
				memcpy(val + vl, start, (size_t)(stop - start));
				vl += (size_t)(stop - start);
			}
			eol = nl < end ? nl + 1 : end;
			if (eol >= end || (*eol != ' ' && *eol != '\t'))
				break;
		}
		val[vl] = '\0';
		msg_headers[n_headers][0] = strndup(p, (size_t)(colon - p));
		msg_headers[n_headers][1] = val;
		n_headers++;
		p = eol;
	}
	if (p < end && *p == '\r')
		p++;
	if (p < end && *p == '\n')
		p++;
	/* body to CRLF */
	msg_body = malloc((size_t)(end - p) * 2 + 1);
	for (; p < end; p++) {
		if (*p == '\n' && (body_len == 0 || msg_body[body_len - 1] != '\r'))
			msg_body[body_len++] = '\r';
		msg_body[body_len++] = *p;
	}
	free(all);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void usage(void)
{
	fprintf(stderr, "usage: milter-bench -s SOCKET -m FILE [-c N] [-n M] [-k K] [--ip A] [--helo H]\n"
			"       [--from S] [--rcpt R] [--auth USER] [--daemon-name N] [--dump] [--timeout S]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	pthread_t th[256];
	double t0, secs;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
#define ARG(name) (strcmp(a, name) == 0 && i + 1 < argc)
		if (ARG("-s"))
			o.sock = argv[++i];
		else if (ARG("-m"))
			o.msgfile = argv[++i];
		else if (ARG("-c"))
			o.conc = atoi(argv[++i]);
		else if (ARG("-n"))
			o.total = atoi(argv[++i]);
		else if (ARG("-k"))
			o.per_conn = atoi(argv[++i]);
		else if (ARG("--ip"))
			o.ip = argv[++i];
		else if (ARG("--helo"))
			o.helo = argv[++i];
		else if (ARG("--from"))
			o.from = argv[++i];
		else if (ARG("--rcpt"))
			o.rcpt = argv[++i];
		else if (ARG("--auth"))
			o.auth = argv[++i];
		else if (ARG("--daemon-name"))
			o.daemon = argv[++i];
		else if (ARG("--timeout"))
			o.timeout = atoi(argv[++i]);
		else if (strcmp(a, "--dump") == 0)
			o.dump = 1;
		else
			usage();
	}
	if (!o.sock || !o.msgfile || o.conc < 1 || o.conc > 256 || o.total < 1 || o.per_conn < 1 || o.timeout < 1)
		usage();
	if (load_message(o.msgfile) < 0) {
		perror(o.msgfile);
		return 2;
	}
	st.lat = calloc((size_t)o.total, sizeof *st.lat);
	t0 = now_ms();
	for (int i = 0; i < o.conc; i++)
		pthread_create(&th[i], NULL, worker, NULL);
	for (int i = 0; i < o.conc; i++)
		pthread_join(th[i], NULL);
	secs = (now_ms() - t0) / 1000.0;
	qsort(st.lat, (size_t)st.done, sizeof *st.lat, cmp_double);
	printf("messages %d failed %d seconds %.3f rate %.1f/s\n", st.done, st.failed, secs, st.done / (secs > 0 ? secs : 1));
	if (st.done > 0)
		printf("latency_ms p50 %.3f p90 %.3f p99 %.3f max %.3f\n", st.lat[st.done / 2],
		       st.lat[(st.done * 9) / 10], st.lat[(st.done * 99) / 100], st.lat[st.done - 1]);
	printf("replies");
	for (int c = 0; c < 256; c++)
		if (st.replies[c])
			printf(" %c=%lu", c, st.replies[c]);
	printf("\nmodifications");
	for (int c = 0; c < 256; c++)
		if (st.mods[c])
			printf(" %c=%lu", c, st.mods[c]);
	printf("\n");
	return st.failed == 0 ? 0 : 1;
}
