/* log - severity API with syslog or stderr sinks. The one place that writes diagnostics.
 * Never pass key material or message bodies to it.
 * THREADS: safe from any thread; the sink is set once at start-up (or on reload). */
#ifndef AM_LOG_H
#define AM_LOG_H
#include <stdbool.h>

enum log_level { LOG_LVL_ERR = 0, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };
enum log_sink { LOG_SINK_STDERR = 0, LOG_SINK_SYSLOG };

/* log_open - choose the sink, minimum level and syslog facility name ("mail", "local0"..). */
void log_open(enum log_sink sink, enum log_level level, const char *facility);
void log_set_level(enum log_level level);
bool log_enabled(enum log_level level);

void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* log_msg - a preformatted line at a level (the per-message summary uses it). */
void log_msg(enum log_level level, const char *line);

/* log_level_parse / log_facility_valid - for the configuration. */
bool log_level_parse(const char *s, enum log_level *out);
bool log_facility_valid(const char *s);
#endif
