/* clock - monotonic and wall-clock time, injectable for tests (see clock.h). */
#include "clock.h"
#include <stdatomic.h>

static _Atomic(am_clock_fn) mono_override;
static _Atomic(time_t (*)(void)) wall_override;

uint64_t am_now_ms(void)
{
	am_clock_fn f = atomic_load(&mono_override);
	struct timespec ts;
	if (f)
		return f();
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

time_t am_wall_time(void)
{
	time_t (*f)(void) = atomic_load(&wall_override);
	return f ? f() : time(NULL);
}

void am_clock_set(am_clock_fn mono_ms, time_t (*wall)(void))
{
	atomic_store(&mono_override, mono_ms);
	atomic_store(&wall_override, wall);
}
