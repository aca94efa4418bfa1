/* milter-bench - a milter-protocol client (the MTA side, protocol version 6 as Postfix
 * speaks it) for tests and load generation. It connects to a milter on a unix or inet
 * socket, plays connect/HELO/MAIL/RCPT/headers/body/end-of-message for a message file,
 * and records the final reply and every modification the milter asks for.
 *
 *   milter-bench -s unix:/path|inet:port@host|inet6:port@addr -m message.eml [options]
 *     -c N          concurrent connections (threads), default 1
 *     -n M          messages in total, default 1
 *     -k K          messages per connection, default 1 (a new connection per message)
 *     --ip ADDR     client address (default 192.0.2.1)    --helo NAME
 *     --from ADDR   MAIL FROM (without <>; "" for <>)      --rcpt ADDR
 *     --auth USER   set {auth_authen} at MAIL (outbound)   --daemon-name NAME
 *     --macro [S:]NAME=VALUE  send one more macro at stage S (C connect, default; H helo;
 *                   M mail; R rcpt; E end of message); repeatable
 *     --warmup W    send W messages first, not counted
 *     --duration S  start no new message after S seconds (the rest are "skipped")
 *     --deadline MS a message that takes longer than MS ms in all counts as failed
 *     --dump        print the reply and modifications of the first message
 *     --timeout S   give up on a reply after S seconds (default 30)
 * Prints messages/s, latency p50/p90/p99/max in ms, the count of each final reply and
 * each modification, and one machine-readable "result" line (key=value pairs).
 * Exit status 0 when every message got a final reply (within the deadline). */
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
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct opts {
	const char *sock, *msgfile, *ip, *helo, *from, *rcpt, *auth, *daemon;
	int conc, total, per_conn, timeout;
	int dump;
	int warmup;
	double duration_ms;       /* 0: no limit */
	double deadline_ms;       /* 0: no limit */
};

/* extra macros from --macro, by stage */
#define MAX_EXTRA 64
static struct { char stage; const char *name, *value; } extra[MAX_EXTRA];
static int n_extra;

struct stats {
	pthread_mutex_t lock;
	int next;                 /* next message number to send */
	int limit;                /* messages in this phase */
	int done, failed, late, skipped;
	int stop;                 /* --duration reached */
	double t_start;
	double *lat;              /* per message, ms */
	unsigned long replies[256];
	unsigned long mods[256];
};

static struct opts o = { NULL, NULL, "192.0.2.1", "client.example", "sender@example.org",
			 "rcpt@example.net", NULL, NULL, 1, 1, 1, 30, 0, 0, 0, 0 };
static struct stats st = { .lock = PTHREAD_MUTEX_INITIALIZER };
static __thread double msg_deadline;      /* absolute ms, 0: none */
#define MAX_HEADERS 10000
static char *msg_headers[MAX_HEADERS][2];
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
		if (host[0] == '[') {             /* inet6:port@[::1] */
			char *rb = strchr(host, ']');
			if (rb)
				*rb = '\0';
			memmove(host, host + 1, strlen(host));
		}
		if (strncmp(spec, "inet6:", 6) == 0)
			hints.ai_family = AF_INET6;
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

/* Output is buffered per thread and flushed when a reply is awaited, as Postfix does
 * (it writes packets into a stream buffer and sends events that get no reply together
 * with the next one that does). Writing each packet on its own would let Nagle's
 * algorithm hold every second small write until the milter acknowledges the first. */
#define OUTBUF 16384
static __thread struct { int fd; size_t len; char data[OUTBUF]; } out = { -1, 0, { 0 } };

static int flush_out(void)
{
	int rc = 0;
	if (out.len > 0 && out.fd >= 0)
		rc = write_all(out.fd, out.data, out.len);
	out.len = 0;
	return rc;
}

/* send_cmd - queue one packet; large payloads go out directly after the queue. */
static int send_cmd(int fd, char cmd, const void *data, size_t len)
{
	uint32_t l = htonl((uint32_t)len + 1);
	if (out.fd != fd) {
		if (flush_out() < 0)
			return -1;
		out.fd = fd;
	}
	if (out.len + 5 + len > OUTBUF && flush_out() < 0)
		return -1;
	memcpy(out.data + out.len, &l, 4);
	out.data[out.len + 4] = cmd;
	out.len += 5;
	if (len + 5 > OUTBUF) {
		size_t q = out.len, done;
		struct iovec iov[2] = { { out.data, q }, { (void *)(uintptr_t)data, len } };
		ssize_t w;
		do
			w = writev(fd, iov, 2);
		while (w < 0 && errno == EINTR);
		out.len = 0;
		if (w < 0)
			return -1;
		if ((size_t)w < q) {
			if (write_all(fd, out.data + w, q - (size_t)w) < 0)
				return -1;
			w = (ssize_t)q;
		}
		done = (size_t)w - q;
		return done < len ? write_all(fd, (const char *)data + done, len - done) : 0;
	}
	if (len)
		memcpy(out.data + out.len, data, len);
	out.len += len;
	return 0;
}

static int read_all(int fd, void *p, size_t n)
{
	char *c = p;
	while (n > 0) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t r;
		int wait_ms = o.timeout * 1000;
		if (msg_deadline > 0) {
			double left = msg_deadline - now_ms();
			if (left < 1)
				return -1;
			if (left < wait_ms)
				wait_ms = (int)left + 1;
		}
		if (poll(&pfd, 1, wait_ms) <= 0)
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
	if (flush_out() < 0)
		return -1;
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
	for (int i = 0; i < n_extra; i++) {
		size_t kl = strlen(extra[i].name) + 1, vl = strlen(extra[i].value) + 1;
		if (extra[i].stage != stage || n + kl + vl > sizeof buf)
			continue;
		memcpy(buf + n, extra[i].name, kl);
		n += kl;
		memcpy(buf + n, extra[i].value, vl);
		n += vl;
	}
	return send_cmd(fd, SMFIC_MACRO, buf, n);
}

struct session {
	int fd;
	uint32_t proto;           /* negotiated protocol flags */
	int dump;
	int conn_final;           /* final reply given at connect/HELO (0: none): the MTA
				   * then stops talking to the milter for this connection */
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

/* step_reply - 1: the milter said continue; 0: a final reply (in *fin); -1: error. */
static int step_reply(struct session *s, int *fin)
{
	if (expect_reply(s, fin) < 0)
		return -1;
	return *fin == SMFIR_CONTINUE ? 1 : 0;
}

static int has_extra(char stage)
{
	for (int i = 0; i < n_extra; i++)
		if (extra[i].stage == stage)
			return 1;
	return 0;
}

/* message_steps - MAIL..EOM on an open session; returns the final reply byte or -1;
 * *at_eom tells whether the final reply came at end of message. */
static int message_steps(struct session *s, int msgno, int *at_eom)
{
	char qid[32], from[600], rcpt[600];
	int fin = 0, rc;
	*at_eom = 0;
	snprintf(qid, sizeof qid, "Q%08X", (unsigned)msgno);
	snprintf(from, sizeof from, "<%s>", o.from);
	snprintf(rcpt, sizeof rcpt, "<%s>", o.rcpt);
	/* like Postfix, send {auth_authen} only for an authenticated client: some milters
	 * (OpenDMARC's IgnoreAuthenticatedClients) test whether the macro exists at all */
	if (o.auth)
		macro(s->fd, SMFIC_MAIL, "i", qid, "{mail_addr}", o.from, "{auth_authen}", o.auth, NULL);
	else
		macro(s->fd, SMFIC_MAIL, "i", qid, "{mail_addr}", o.from, NULL);
	if (send_cmd(s->fd, SMFIC_MAIL, from, strlen(from) + 1) < 0)
		return -1;
	if (!(s->proto & SMFIP_NR_MAIL) && (rc = step_reply(s, &fin)) <= 0)
		return rc < 0 ? -1 : fin;
	if (!(s->proto & SMFIP_NORCPT)) {
		macro(s->fd, SMFIC_RCPT, "{rcpt_addr}", o.rcpt, NULL);
		if (send_cmd(s->fd, SMFIC_RCPT, rcpt, strlen(rcpt) + 1) < 0)
			return -1;
		if (!(s->proto & SMFIP_NR_RCPT) && (rc = step_reply(s, &fin)) <= 0)
			return rc < 0 ? -1 : fin;
	}
	if (!(s->proto & SMFIP_NODATA)) {
		if (send_cmd(s->fd, SMFIC_DATA, NULL, 0) < 0)
			return -1;
		if (!(s->proto & SMFIP_NR_DATA) && (rc = step_reply(s, &fin)) <= 0)
			return rc < 0 ? -1 : fin;
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
		if (!(s->proto & SMFIP_NR_HDR) && (rc = step_reply(s, &fin)) <= 0)
			return rc < 0 ? -1 : fin;
	}
	if (!(s->proto & SMFIP_NOEOH)) {
		if (send_cmd(s->fd, SMFIC_EOH, NULL, 0) < 0)
			return -1;
		if (!(s->proto & SMFIP_NR_EOH) && (rc = step_reply(s, &fin)) <= 0)
			return rc < 0 ? -1 : fin;
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
	*at_eom = 1;
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

/* one_message - one transaction; a final reply before end of message ends it the way an
 * MTA does (SMFIC_ABORT, so that the milter resets for the next message on the session). */
static int one_message(struct session *s, int msgno)
{
	int at_eom = 0, fin;
	if (s->conn_final) {
		if (s->dump)
			printf("final '%c' (at connect)\n", s->conn_final);
		return s->conn_final;
	}
	fin = message_steps(s, msgno, &at_eom);
	if (fin >= 0 && !at_eom) {
		if (s->dump)
			printf("final '%c' (before end of message)\n", fin);
		if (send_cmd(s->fd, SMFIC_ABORT, NULL, 0) < 0)
			return -1;
	}
	return fin;
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
	s->conn_final = 0;
	if (!(s->proto & SMFIP_NOCONNECT)) {
		int fin;
		cl = (size_t)snprintf(conn, sizeof conn, "%s%c%c%c%c%s", o.helo, 0, strchr(o.ip, ':') ? '6' : '4', 0x30, 0x39, o.ip);
		if (send_cmd(s->fd, SMFIC_CONNECT, conn, cl + 1) < 0)
			return -1;
		if (!(s->proto & SMFIP_NR_CONN)) {
			if (expect_reply(s, &fin) < 0)
				return -1;
			if (fin != SMFIR_CONTINUE) {
				s->conn_final = fin;   /* e.g. accept: the milter wants nothing more */
				return 0;
			}
		}
	}
	if (!(s->proto & SMFIP_NOHELO)) {
		int fin;
		if (has_extra(SMFIC_HELO))
			macro(s->fd, SMFIC_HELO, NULL);
		if (send_cmd(s->fd, SMFIC_HELO, o.helo, strlen(o.helo) + 1) < 0)
			return -1;
		if (!(s->proto & SMFIP_NR_HELO)) {
			if (expect_reply(s, &fin) < 0)
				return -1;
			if (fin != SMFIR_CONTINUE)
				s->conn_final = fin;
		}
	}
	return 0;
}

static void session_close(struct session *s)
{
	send_cmd(s->fd, SMFIC_QUIT, NULL, 0);
	flush_out();
	close(s->fd);
	out.fd = -1;
}

/* session_drop - after an error: discard what is queued, close. */
static void session_drop(struct session *s)
{
	out.len = 0;
	out.fd = -1;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static void count_failure(int late)
{
	pthread_mutex_lock(&st.lock);
	st.failed++;
	st.late += late;
	pthread_mutex_unlock(&st.lock);
}

/* worker - one connection at a time; takes message numbers until the phase is done. */
static void *worker(void *arg)
{
	struct session s = { -1, 0, 0, 0 };
	int k = 0, opened = 0;
	double t0 = 0;
	(void)arg;
	for (;;) {
		int msgno, fin;
		double t1;
		pthread_mutex_lock(&st.lock);
		if (!st.stop && o.duration_ms > 0 && now_ms() - st.t_start > o.duration_ms)
			st.stop = 1;
		msgno = (st.next < st.limit && !st.stop) ? st.next++ : -1;
		pthread_mutex_unlock(&st.lock);
		if (msgno < 0)
			break;
		if (!opened) {
			t0 = now_ms();
			msg_deadline = o.deadline_ms > 0 ? t0 + o.deadline_ms : 0;
			if (session_open(&s) < 0) {
				count_failure(msg_deadline > 0 && now_ms() >= msg_deadline);
				session_drop(&s);
				continue;
			}
			opened = 1;
		} else {
			t0 = now_ms();
			msg_deadline = o.deadline_ms > 0 ? t0 + o.deadline_ms : 0;
		}
		s.dump = o.dump && msgno == 0 && st.lat != NULL;
		fin = one_message(&s, msgno);
		t1 = now_ms();
		if (fin >= 0 && o.deadline_ms > 0 && t1 - t0 > o.deadline_ms)
			fin = -2;                    /* answered, but too late */
		if (fin < 0) {
			count_failure(fin == -2 || (msg_deadline > 0 && t1 >= msg_deadline));
		} else {
			pthread_mutex_lock(&st.lock);
			st.replies[(unsigned char)fin]++;
			if (st.lat)
				st.lat[st.done] = t1 - t0;
			st.done++;
			pthread_mutex_unlock(&st.lock);
		}
		if (fin == -1 || ++k >= o.per_conn) {
			if (fin == -1)
				session_drop(&s);
			else
				session_close(&s);
			opened = 0;
			k = 0;
		}
	}
	if (opened)
		session_close(&s);
	msg_deadline = 0;
	return NULL;
}

/* run_phase - n messages over o.conc threads; returns the elapsed seconds. */
static double run_phase(int n)
{
	pthread_t th[256];
	int started = 0;
	double t0;
	st.next = 0;
	st.limit = n;
	st.stop = 0;
	t0 = st.t_start = now_ms();
	for (int i = 0; i < o.conc; i++)
		if (pthread_create(&th[i], NULL, worker, NULL) == 0)
			started++;
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	st.skipped = st.limit - st.next;
	return (now_ms() - t0) / 1000.0;
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
		if (colon == NULL)
			break;
		if (n_headers == MAX_HEADERS) {
			/* never send a message other than the one given */
			fprintf(stderr, "milter-bench: %s: more than %d header fields\n", path, MAX_HEADERS);
			free(all);
			return -1;
		}
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
		{
			char *shrunk = realloc(val, vl + 1);
			if (shrunk)
				val = shrunk;
		}
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
			"       [--from S] [--rcpt R] [--auth USER] [--daemon-name N] [--macro [S:]NAME=VALUE]\n"
			"       [--warmup W] [--duration S] [--deadline MS] [--dump] [--timeout S]\n"
			"SOCKET: unix:/path, inet:port@host, inet6:port@addr\n");
	exit(2);
}

static int add_macro(const char *spec)
{
	char stage = SMFIC_CONNECT;
	const char *eq;
	if (n_extra == MAX_EXTRA)
		return -1;
	if (spec[0] && spec[1] == ':') {
		if (strchr("CHMRE", spec[0]) == NULL)
			return -1;
		stage = spec[0] == 'C' ? SMFIC_CONNECT : spec[0] == 'H' ? SMFIC_HELO : spec[0] == 'M' ? SMFIC_MAIL
		      : spec[0] == 'R' ? SMFIC_RCPT : SMFIC_BODYEOB;
		spec += 2;
	}
	eq = strchr(spec, '=');
	if (eq == NULL || eq == spec)
		return -1;
	extra[n_extra].stage = stage;
	extra[n_extra].name = strndup(spec, (size_t)(eq - spec));
	extra[n_extra].value = eq + 1;
	n_extra++;
	return 0;
}

static double pct(int p)
{
	return st.done > 0 ? st.lat[((long)st.done * p) / 100 < st.done ? ((long)st.done * p) / 100 : st.done - 1] : 0;
}

int main(int argc, char **argv)
{
	double secs;
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
		else if (ARG("--macro")) {
			if (add_macro(argv[++i]) < 0)
				usage();
		} else if (ARG("--warmup"))
			o.warmup = atoi(argv[++i]);
		else if (ARG("--duration"))
			o.duration_ms = atof(argv[++i]) * 1000.0;
		else if (ARG("--deadline"))
			o.deadline_ms = atof(argv[++i]);
		else if (strcmp(a, "--dump") == 0)
			o.dump = 1;
		else
			usage();
	}
	if (!o.sock || !o.msgfile || o.conc < 1 || o.conc > 256 || o.total < 1 || o.per_conn < 1 || o.timeout < 1 ||
	    o.warmup < 0 || o.duration_ms < 0 || o.deadline_ms < 0)
		usage();
	if (load_message(o.msgfile) < 0) {
		perror(o.msgfile);
		return 2;
	}
	if (o.warmup > 0) {
		run_phase(o.warmup);
		memset(st.replies, 0, sizeof st.replies);
		memset(st.mods, 0, sizeof st.mods);
		st.done = st.failed = st.late = 0;
	}
	st.lat = calloc((size_t)o.total, sizeof *st.lat);
	if (st.lat == NULL)
		return 2;
	secs = run_phase(o.total);
	qsort(st.lat, (size_t)st.done, sizeof *st.lat, cmp_double);
	printf("messages %d failed %d seconds %.3f rate %.1f/s\n", st.done, st.failed, secs, st.done / (secs > 0 ? secs : 1));
	if (st.done > 0)
		printf("latency_ms p50 %.3f p90 %.3f p99 %.3f max %.3f\n", pct(50), pct(90), pct(99), st.lat[st.done - 1]);
	printf("replies");
	for (int c = 0; c < 256; c++)
		if (st.replies[c])
			printf(" %c=%lu", c, st.replies[c]);
	printf("\nmodifications");
	for (int c = 0; c < 256; c++)
		if (st.mods[c])
			printf(" %c=%lu", c, st.mods[c]);
	printf("\n");
	/* one line for scripts: fixed keys, then r_X / m_X counts per reply / modification */
	printf("result messages=%d failed=%d late=%d skipped=%d seconds=%.3f rate=%.1f p50=%.3f p90=%.3f p99=%.3f max=%.3f",
	       st.done, st.failed, st.late, st.skipped, secs, st.done / (secs > 0 ? secs : 1), pct(50), pct(90), pct(99),
	       st.done > 0 ? st.lat[st.done - 1] : 0.0);
	for (int c = 33; c < 127; c++)
		if (st.replies[c])
			printf(" r_%c=%lu", c, st.replies[c]);
	for (int c = 33; c < 127; c++)
		if (st.mods[c])
			printf(" m_%c=%lu", c, st.mods[c]);
	printf("\n");
	return st.failed == 0 ? 0 : 1;
}
