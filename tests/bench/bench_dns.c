/* bench_dns - DNS lookups per second, with 1 and 4 threads:
 *   cache   - dns_cache hits (entries warmed first) in front of c-ares;
 *   unbound - c-ares against a local Unbound, no cache: one query in flight per thread
 *             (latency bound), then 64 in flight per thread (throughput).
 * The server is DNS_SERVER (host:port) from the environment (tests/bench/run-bench.sh
 * starts one), else this program starts Unbound itself through tests/lib/dns-server.sh
 * (run from the source tree). Every loop is bounded. */
#include "clock.h"
#include "dns_ares.h"
#include "dns_cache.h"
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define NAMES 200

struct job {
	struct dns_resolver *r;
	int id;
	int iterations;
	int window;         /* queries in flight at once */
	int errors;
};

static void *job_main(void *arg)
{
	struct job *j = arg;
	struct dns_query *q[64];
	char name[64];
	int started = 0, done = 0;
	while (done < j->iterations) {
		int k = 0;
		for (; k < j->window && started < j->iterations; k++, started++) {
			snprintf(name, sizeof name, "h%d.bench.dns.test", (started * 7 + j->id * 31) % NAMES);
			q[k] = dns_start(j->r, name, DNS_T_A);
		}
		for (int i = 0; i < k; i++, done++) {
			const struct dns_answer *a = q[i] ? dns_wait(j->r, q[i], am_now_ms() + 10000) : NULL;
			if (a == NULL || a->status != DNS_ANSWER)
				j->errors++;
			dns_release(j->r, q[i]);
		}
	}
	return NULL;
}

static double run(struct dns_resolver *r, int threads, int iterations, int window, int *errors)
{
	pthread_t th[8];
	struct job jobs[8];
	uint64_t t0 = am_now_ms(), ms;
	*errors = 0;
	for (int i = 0; i < threads; i++) {
		jobs[i] = (struct job){ r, i, iterations, window, 0 };
		pthread_create(&th[i], NULL, job_main, &jobs[i]);
	}
	for (int i = 0; i < threads; i++) {
		pthread_join(th[i], NULL);
		*errors += jobs[i].errors;
	}
	ms = am_now_ms() - t0;
	return (double)threads * iterations * 1000.0 / (double)(ms ? ms : 1);
}

/* start_unbound - tests/lib/dns-server.sh serve; returns its pid, fills server. */
static pid_t start_unbound(char *server, size_t len, int *keep_fd)
{
	int in[2], out[2];
	char line[128];
	FILE *f;
	pid_t pid;
	if (pipe(in) < 0 || pipe(out) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execlp("bash", "bash", "tests/lib/dns-server.sh", "serve", "tests/zones/dns.zone", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	*keep_fd = in[1];
	f = fdopen(out[0], "r");
	server[0] = '\0';
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, "DNS_PORT=", 9) == 0) {
			snprintf(server, len, "127.0.0.1:%d", atoi(line + 9));
			break;
		}
	if (f)
		fclose(f);
	return server[0] ? pid : -1;
}

int main(void)
{
	char server[64], err[200];
	const char *env = getenv("DNS_SERVER");
	const char *servers[1];
	pid_t pid = -1;
	int keep_fd = -1, errors, total_errors = 0;
	struct dns_ares_options o = { .n_servers = 1, .timeout_ms = 2000, .tries = 3 };
	struct dns_ares *ar;
	struct dns_cache *c;
	struct dns_resolver inner, cached;

	signal(SIGPIPE, SIG_IGN);
	if (env && *env) {
		snprintf(server, sizeof server, "%s", env);
	} else if ((pid = start_unbound(server, sizeof server, &keep_fd)) < 0) {
		fprintf(stderr, "bench_dns: set DNS_SERVER or run from the source tree (Unbound needed)\n");
		return 1;
	}
	servers[0] = server;
	o.servers = servers;
	ar = dns_ares_new(&o, err, sizeof err);
	if (ar == NULL) {
		fprintf(stderr, "bench_dns: %s\n", err);
		return 1;
	}
	inner = dns_ares_resolver(ar);
	c = dns_cache_new(&inner, NULL);
	cached = dns_cache_resolver(c);
	printf("DNS server %s\n", server);

	run(&cached, 1, NAMES, 1, &errors);            /* warm the cache */
	total_errors += errors;
	for (int t = 1; t <= 4; t *= 4) {
		double rate = run(&cached, t, 500000, 1, &errors);
		total_errors += errors;
		printf("cache hits              %d thread%s: %10.0f lookups/s\n", t, t > 1 ? "s" : " ", rate);
	}
	for (int t = 1; t <= 4; t *= 4) {
		double rate = run(&inner, t, 5000, 1, &errors);
		total_errors += errors;
		printf("unbound, 1 in flight    %d thread%s: %10.0f lookups/s\n", t, t > 1 ? "s" : " ", rate);
	}
	for (int t = 1; t <= 4; t *= 4) {
		double rate = run(&inner, t, 20000, 64, &errors);
		total_errors += errors;
		printf("unbound, 64 in flight   %d thread%s: %10.0f lookups/s\n", t, t > 1 ? "s" : " ", rate);
	}
	{
		struct dns_cache_stats st;
		dns_cache_stats(c, &st);
		printf("cache counters: hits %lu misses %lu inserts %lu evictions %lu\n", st.hits, st.misses,
		       st.inserts, st.evictions);
	}
	if (total_errors)
		printf("errors: %d lookups did not get an answer\n", total_errors);
	dns_cache_free(c);
	dns_ares_free(ar);
	if (pid > 0) {
		close(keep_fd);
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
	return total_errors ? 1 : 0;
}
