/* log - severity API, syslog or stderr sinks (see log.h). OWNS: the sink settings. */
#include "log.h"
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

static _Atomic int cur_sink = LOG_SINK_STDERR;
static _Atomic int cur_level = LOG_LVL_INFO;

static const struct {
	const char *name;
	int value;
} facilities[] = {
	{ "mail", LOG_MAIL }, { "daemon", LOG_DAEMON }, { "user", LOG_USER },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
	{ "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

static const char *const level_names[] = { "error", "warning", "info", "debug" };

bool log_facility_valid(const char *s)
{
	for (size_t i = 0; i < sizeof facilities / sizeof facilities[0]; i++)
		if (strcmp(facilities[i].name, s) == 0)
			return true;
	return false;
}

bool log_level_parse(const char *s, enum log_level *out)
{
	for (int i = 0; i <= LOG_LVL_DEBUG; i++)
		if (strcmp(level_names[i], s) == 0) {
			*out = (enum log_level)i;
			return true;
		}
	return false;
}

void log_open(enum log_sink sink, enum log_level level, const char *facility)
{
	int fac = LOG_MAIL;
	for (size_t i = 0; facility && i < sizeof facilities / sizeof facilities[0]; i++)
		if (strcmp(facilities[i].name, facility) == 0)
			fac = facilities[i].value;
	if (sink == LOG_SINK_SYSLOG)
		openlog("authmilter", LOG_PID | LOG_NDELAY, fac);
	atomic_store(&cur_sink, sink);
	atomic_store(&cur_level, level);
}

void log_set_level(enum log_level level)
{
	atomic_store(&cur_level, level);
}

bool log_enabled(enum log_level level)
{
	return (int)level <= atomic_load(&cur_level);
}

void log_msg(enum log_level level, const char *line)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	if (!log_enabled(level))
		return;
	if (atomic_load(&cur_sink) == LOG_SINK_SYSLOG) {
		syslog(prio[level], "%s", line);
	} else {
		struct timespec ts;
		struct tm tm;
		char stamp[32];
		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ldZ authmilter[%s]: %s\n", stamp, ts.tv_nsec / 1000000L,
			level_names[level], line);
	}
}

static void log_v(enum log_level level, const char *fmt, va_list ap)
{
	char line[2048];
	if (!log_enabled(level))
		return;
	vsnprintf(line, sizeof line, fmt, ap);
	log_msg(level, line);
}

#define LOG_FN(fn, lvl)                      \
	void fn(const char *fmt, ...)        \
	{                                    \
		va_list ap;                  \
		va_start(ap, fmt);           \
		log_v(lvl, fmt, ap);         \
		va_end(ap);                  \
	}
LOG_FN(log_err, LOG_LVL_ERR)
LOG_FN(log_warn, LOG_LVL_WARN)
LOG_FN(log_info, LOG_LVL_INFO)
LOG_FN(log_debug, LOG_LVL_DEBUG)
