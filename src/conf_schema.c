/* conf_schema - the one table that describes every configuration option: its path in
 * the file, type, default, range and a one-line description. conf_load.c, conf_print.c,
 * the example conf/authmilter.conf and authmilter.conf(5) are checked against it. */
#include "conf.h"
/* entries without a validator leave check/check_what out: they are NULL */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include <stddef.h>
#include <string.h>

#define O(field) offsetof(struct conf, field)

const struct conf_option conf_options[] = {
	{ "authserv_id", CT_STRING, O(authserv_id), "", 0, 0, NULL,
	  "authserv-id written into Authentication-Results (empty: this host's name)" },

	{ "milter.socket", CT_STRING, O(milter.socket), "inet:8891@127.0.0.1", 0, 0, NULL,
	  "listening socket: unix:/path, inet:port@address or inet6:port@address",
	  conf_check_socket, "unix:/path, inet:port@host or inet6:port@host" },
	{ "milter.user", CT_STRING, O(milter.user), "", 0, 0, NULL,
	  "drop privileges to this user after opening the socket (empty: keep)" },
	{ "milter.group", CT_STRING, O(milter.group), "", 0, 0, NULL,
	  "group to run as (empty: the user's primary group)" },
	{ "milter.socket_mode", CT_OCTAL, O(milter.socket_mode), "0660", 0, 0777, NULL,
	  "permissions of a unix socket, an octal string" },
	{ "milter.timeout", CT_INT, O(milter.timeout), "300", 1, 3600, NULL,
	  "seconds to wait for the MTA before giving up on a connection" },
	{ "milter.backlog", CT_INT, O(milter.backlog), "128", 1, 65535, NULL,
	  "listen(2) backlog" },
	{ "milter.pid_file", CT_STRING, O(milter.pid_file), "", 0, 0, NULL,
	  "write the process id here (empty: none)" },
	{ "milter.eom_deadline", CT_INT, O(milter.eom_deadline), "10000", 100, 120000, NULL,
	  "milliseconds to wait at end of message for DNS answers still outstanding" },

	{ "log.sink", CT_ENUM, O(log.sink), "stderr", 0, 0, "stderr|syslog",
	  "where diagnostics and summary lines go" },
	{ "log.level", CT_ENUM, O(log.level), "info", 0, 0, "error|warning|info|debug",
	  "lowest severity logged" },
	{ "log.format", CT_ENUM, O(log.format), "text", 0, 0, "text|json",
	  "format of the one summary line per message" },
	{ "log.facility", CT_ENUM, O(log.facility), "mail", 0, 0,
	  "mail|daemon|user|local0|local1|local2|local3|local4|local5|local6|local7",
	  "syslog facility" },

	{ "dns.servers", CT_STRLIST, O(dns.servers), "", 0, 0, NULL,
	  "DNS servers as host:port ([v6]:port); empty: /etc/resolv.conf",
	  conf_check_hostport, "host:port (IPv6 as [addr]:port)" },
	{ "dns.timeout", CT_INT, O(dns.timeout), "2000", 50, 60000, NULL,
	  "milliseconds per try of one query" },
	{ "dns.tries", CT_INT, O(dns.tries), "3", 1, 10, NULL,
	  "tries per server" },
	{ "dns.cache_size", CT_INT, O(dns.cache_size), "10000", 0, 10000000, NULL,
	  "answers kept in the shared cache (0: no cache)" },
	{ "dns.min_ttl", CT_INT, O(dns.min_ttl), "0", 0, 86400, NULL,
	  "lowest TTL the cache applies (seconds)" },
	{ "dns.max_ttl", CT_INT, O(dns.max_ttl), "86400", 0, 604800, NULL,
	  "highest TTL the cache applies (seconds)" },
	{ "dns.negative_ttl", CT_INT, O(dns.negative_ttl), "900", 0, 86400, NULL,
	  "highest TTL for cached NXDOMAIN/NODATA answers (seconds)" },

	{ "outbound.internal_hosts", CT_CIDRLIST, O(outbound.internal_hosts), "127.0.0.0/8,::1/128", 0, 0, NULL,
	  "client networks whose mail is outbound: signed, not judged" },
	{ "outbound.submission_daemons", CT_STRLIST, O(outbound.submission_daemons), "ORIGINATING", 0, 0, NULL,
	  "{daemon_name} values (Postfix milter_macro_daemon_name) of submission services" },
	{ "outbound.authenticated", CT_BOOL, O(outbound.authenticated), "true", 0, 0, NULL,
	  "mail from SMTP-authenticated clients ({auth_authen}) is outbound" },

	{ "spf.enabled", CT_BOOL, O(spf.enabled), "true", 0, 0, NULL,
	  "check SPF for inbound mail" },
	{ "spf.check_helo", CT_BOOL, O(spf.check_helo), "true", 0, 0, NULL,
	  "also check the HELO identity (reported as smtp.helo)" },
	{ "spf.reject_on_fail", CT_BOOL, O(spf.reject_on_fail), "false", 0, 0, NULL,
	  "reject at MAIL FROM on an SPF fail (off: DMARC decides)" },
	{ "spf.temperror_action", CT_ENUM, O(spf.temperror_action), "accept", 0, 0, "accept|tempfail",
	  "what an SPF temperror does on its own" },
	{ "spf.received_spf_header", CT_BOOL, O(spf.received_spf_header), "false", 0, 0, NULL,
	  "add a Received-SPF header (RFC 7208 section 9.1)" },
	{ "spf.void_lookup_limit", CT_INT, O(spf.void_lookup_limit), "2", 0, 100, NULL,
	  "void lookups allowed before permerror (RFC 7208 section 4.6.4)" },
	{ "spf.time_limit", CT_INT, O(spf.time_limit), "20", 1, 300, NULL,
	  "seconds one SPF evaluation may take before temperror" },

	{ "dkim.sign", CT_BOOL, O(dkim.sign), "true", 0, 0, NULL,
	  "sign outbound mail (when the signing table has a match)" },
	{ "dkim.canonicalization", CT_ENUM, O(dkim.canonicalization), "relaxed/relaxed", 0, 0,
	  "relaxed/relaxed|relaxed/simple|simple/relaxed|simple/simple", "header/body canonicalization for signing" },
	{ "dkim.sign_headers", CT_STRLIST, O(dkim.sign_headers),
	  "From,Reply-To,Subject,Date,To,Cc,Message-ID,In-Reply-To,References,MIME-Version,Content-Type,"
	  "Content-Transfer-Encoding,List-Id,List-Help,List-Unsubscribe,List-Unsubscribe-Post,List-Subscribe,"
	  "List-Post,List-Owner,List-Archive", 0, 0, NULL,
	  "header fields signed when present" },
	{ "dkim.oversign", CT_BOOL, O(dkim.oversign), "true", 0, 0, NULL,
	  "list singleton headers once more than present so none can be added" },
	{ "dkim.expire", CT_INT, O(dkim.expire), "0", 0, 31536000, NULL,
	  "signature lifetime in seconds for x= (0: no x=)" },
	{ "dkim.on_key_error", CT_ENUM, O(dkim.on_key_error), "unsigned", 0, 0, "unsigned|tempfail",
	  "a missing or bad key: send unsigned, or tempfail the message" },
	{ "dkim.allow_group_readable_keys", CT_BOOL, O(dkim.allow_group_readable_keys), "true", 0, 0, NULL,
	  "accept private keys readable by their group" },
	{ "dkim.allow_world_readable_keys", CT_BOOL, O(dkim.allow_world_readable_keys), "false", 0, 0, NULL,
	  "accept private keys readable by everyone (not recommended)" },
	{ "dkim.key_check_interval", CT_INT, O(dkim.key_check_interval), "10", 0, 3600, NULL,
	  "seconds between checks whether a key file changed (0: only on reload)" },
	{ "dkim.keys", CT_KEYS, O(dkim.keys), "", 0, 0, NULL,
	  "signing keys: ( { name; domain; selector; algorithm; key_file; } ... )" },
	{ "dkim.signing_table", CT_RULES, O(dkim.rules), "", 0, 0, NULL,
	  "which keys sign which sender domains: ( { domain; keys = [...]; } ... )" },
	{ "dkim.verify", CT_BOOL, O(dkim.verify), "true", 0, 0, NULL,
	  "verify DKIM signatures on inbound mail" },
	{ "dkim.max_signatures", CT_INT, O(dkim.max_signatures), "8", 1, 16, NULL,
	  "signatures verified per message; the rest are reported as not checked" },
	{ "dkim.l_strict", CT_BOOL, O(dkim.l_strict), "false", 0, 0, NULL,
	  "treat a signature whose l= leaves body bytes unsigned as failed" },
	{ "dkim.clock_skew", CT_INT, O(dkim.clock_skew), "300", 0, 86400, NULL,
	  "seconds a signature's t= may lie in the future" },
	{ "dkim.min_rsa_bits", CT_INT, O(dkim.min_rsa_bits), "1024", 1024, 8192, NULL,
	  "smallest RSA key accepted when verifying" },

	{ "dmarc.enabled", CT_BOOL, O(dmarc.enabled), "true", 0, 0, NULL,
	  "evaluate DMARC for inbound mail" },
	{ "dmarc.enforce", CT_BOOL, O(dmarc.enforce), "true", 0, 0, NULL,
	  "apply reject/quarantine (false: monitor mode, report only)" },
	{ "dmarc.org_domain_method", CT_ENUM, O(dmarc.org_domain_method), "treewalk", 0, 0, "treewalk|psl",
	  "organizational domain: RFC 9989 DNS tree walk, or the Public Suffix List" },
	{ "dmarc.psl_file", CT_STRING, O(dmarc.psl_file), "/usr/share/publicsuffix/public_suffix_list.dat", 0, 0, NULL,
	  "Public Suffix List file used when org_domain_method is psl" },
	{ "dmarc.from_policy", CT_ENUM, O(dmarc.from_policy), "reject", 0, 0, "reject|strictest|accept",
	  "several, missing or unparsable From: reject, evaluate every domain, or accept" },
	{ "dmarc.temperror_action", CT_ENUM, O(dmarc.temperror_action), "tempfail", 0, 0, "tempfail|accept",
	  "a DNS failure while looking up the policy" },
	{ "dmarc.quarantine_action", CT_ENUM, O(dmarc.quarantine_action), "hold", 0, 0, "hold|header",
	  "quarantine into the MTA's hold queue, or add quarantine_header" },
	{ "dmarc.quarantine_header", CT_STRING, O(dmarc.quarantine_header), "X-Quarantine: DMARC", 0, 0, NULL,
	  "header added when quarantine_action is header" },
	{ "dmarc.reject_text", CT_STRING, O(dmarc.reject_text),
	  "Message rejected: DMARC policy of %d", 0, 0, NULL,
	  "SMTP text after 550 5.7.1 (%d: the author domain)" },
	{ "dmarc.allow_domains", CT_STRLIST, O(dmarc.allow_domains), "", 0, 0, NULL,
	  "author domains never rejected or quarantined" },
	{ "dmarc.allow_networks", CT_CIDRLIST, O(dmarc.allow_networks), "", 0, 0, NULL,
	  "client networks (forwarders, lists) never rejected or quarantined" },
};

const size_t conf_option_count = sizeof conf_options / sizeof conf_options[0];

const struct conf_option *conf_option_find(const char *path)
{
	for (size_t i = 0; i < conf_option_count; i++)
		if (strcmp(conf_options[i].path, path) == 0)
			return &conf_options[i];
	return NULL;
}
