/* clock - monotonic and wall-clock time, injectable for tests.
 * am_now_ms() is CLOCK_MONOTONIC milliseconds (deadlines, cache TTLs);
 * am_wall_time() is seconds since the epoch (DKIM t=/x=). A test may install its own
 * source with am_clock_set(); NULL restores the system clock. */
#ifndef AM_CLOCK_H
#define AM_CLOCK_H
#include <stdint.h>
#include <time.h>

typedef uint64_t (*am_clock_fn)(void);

uint64_t am_now_ms(void);
time_t am_wall_time(void);
void am_clock_set(am_clock_fn mono_ms, time_t (*wall)(void));
#endif
