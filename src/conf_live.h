/* conf_live - the daemon's current configuration snapshot: refcounted and swapped
 * atomically on reload. A message takes a reference when it starts and keeps using that
 * snapshot until it ends, so a reload never changes the rules under a message in flight;
 * the old snapshot is freed when its last message lets go.
 * Attached to each snapshot: the objects built from it (the signer's key store, etc.)
 * via an opaque "extras" pointer with its own destructor, so they live and die with it.
 * THREADS: conf_live_acquire/release/swap are safe from any thread. */
#ifndef AM_CONF_LIVE_H
#define AM_CONF_LIVE_H
#include "conf.h"

struct conf_snapshot {
	const struct conf *conf;
	void *extras;                        /* built from conf by the owner of the daemon */
	void (*extras_free)(void *extras);
	int refs;                            /* guarded by the conf_live lock */
};

/* conf_live_install - make conf (+ extras) current; takes ownership. Returns 0 or -1. */
int conf_live_install(struct conf *conf, void *extras, void (*extras_free)(void *));
/* conf_live_acquire - the current snapshot with a reference held (NULL before install). */
struct conf_snapshot *conf_live_acquire(void);
void conf_live_release(struct conf_snapshot *s);
/* conf_live_generation - increments with every install (for logs and tests). */
unsigned long conf_live_generation(void);
/* conf_live_shutdown - drop the current snapshot (at exit, after all messages). */
void conf_live_shutdown(void);
#endif
