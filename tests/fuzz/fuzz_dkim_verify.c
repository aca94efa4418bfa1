/* fuzz_dkim_verify - a whole message through the verifier (header list, b= stripping,
 * header and body canonicalisation, hashing, key lookup from a fixed in-memory zone).
 * The zone holds the public test keys of tests/data/dkim-verify/zone.txt, so the seed
 * messages (dkimpy-signed fixtures) reach the signature check. Invariants: finish
 * succeeds, counts stay in bounds, every outcome has a known result. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "clock.h"
#include "dkim_verify.h"
#include "dns_zone.h"
#include "hdr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dns_zone *zone;

static void setup(void)
{
	zone = dns_zone_new();
	if (zone == NULL ||
	    dns_zone_add(zone, "ed25519._domainkey.example.org", DNS_T_TXT, "v=DKIM1; k=ed25519; p=kZm1dNY45jU6IieIsbKeCKSc4CFXPj9SzUCxpJW9YFA=") < 0 ||
	    dns_zone_add(zone, "rsa2048._domainkey.example.org", DNS_T_TXT, "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAyXAlYBKXyCr9pvQNxyKdtgeTNaFFX6k47hnW1XgVDW17N1BNkRpkEVxuu+NTPAGX684I6UU4ml/fu4sSaQrZhYQQCwLzH+Q+seI8j5Orhun7N0MggRYVB/fYjvwVGCdfLTKTklbLdH+aXM5mtplbGVDdnf4X92K7Y+WGygDAZOhz/9wNLiqUKZjWiNvEe7SEkZ6G2+3ah4Q4hh4mESgKW1C5DY/MVSgBlFLrj8CNhlmN/YbIf24U6ttBMSMUXGLw63YUCKnRVUXVXJ1DZgKHiyuYXTwfnV/VvLleYVwC8+ZL2JP8/Ky4m6luQUW4xpuc3zpcjP32WIkSg8kaFz7jwQIDAQAB") < 0 ||
	    dns_zone_add(zone, "rsa1024._domainkey.example.org", DNS_T_TXT, "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCkiQihqJtaejW1ecTORhYffAF/J5xnKunY5ahGIVu0y9K+Upl1l+c9/sYXGpuAcveLzLz3RG5Ag1fpAudXguhYNw3ajZ2lLaVnLDyZYj7fQZGqfIzhyb//qjvBq4dPGcs5SkHLrrY50lkcCtKj/eLad1btnMKg3NWZ9bZbjzFHnQIDAQAB") < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dkim_verify_limits lim;
	struct dns_resolver r;
	struct msg_results *mr;
	struct dkim_verify *v;
	struct hdr_list hl;
	struct buf msg;
	size_t body;
	if (zone == NULL)
		setup();
	r = dns_zone_resolver(zone);
	dkim_verify_limits_default(&lim);
	lim.now = 1796137365;
	buf_init(&msg);
	hdr_list_init(&hl);
	mr = calloc(1, sizeof *mr);
	v = dkim_verify_new(&lim, &r);
	if (mr == NULL || v == NULL || hdr_to_crlf((const char *)data, size, &msg) < 0 ||
	    hdr_split_message(msg.data ? msg.data : "", msg.len, &hl, &body) < 0)
		goto out;
	for (size_t i = 0; i < hl.count; i++)
		dkim_verify_header(v, hl.f[i].name, hl.f[i].value);
	dkim_verify_eoh(v);
	/* odd chunk sizes exercise the streaming canonicaliser's boundaries */
	for (size_t off = body, step = 1; off < msg.len; off += step, step = step * 3 + 1) {
		size_t n = msg.len - off < step ? msg.len - off : step;
		dkim_verify_body(v, msg.data + off, n);
	}
	if (dkim_verify_finish(v, am_now_ms() + 1000, mr) != 0)
		abort();
	if (mr->dkim_count > lim.max_signatures)
		abort();
	for (size_t i = 0; i < mr->dkim_count; i++)
		if (mr->dkim[i].result == DKIM_NONE || mr->dkim[i].result > DKIM_PERMERROR ||
		    (mr->dkim[i].result != DKIM_PASS && mr->dkim[i].reason[0] == '\0'))
			abort();
out:
	dkim_verify_free(v);
	free(mr);
	hdr_list_clear(&hl);
	buf_clear(&msg);
	return 0;
}
