/* conf_live - refcounted current configuration snapshot (see conf_live.h).
 * OWNS: the current snapshot's reference. A mutex guards the pointer and the counts:
 * acquiring is one short critical section per message, far below any other cost. */
#include "conf_live.h"
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static struct conf_snapshot *current;
static unsigned long generation;

static void snapshot_free(struct conf_snapshot *s)
{
	if (s->extras_free)
		s->extras_free(s->extras);
	conf_free((struct conf *)s->conf);
	free(s);
}

int conf_live_install(struct conf *conf, void *extras, void (*extras_free)(void *))
{
	struct conf_snapshot *s = calloc(1, sizeof *s), *old;
	if (s == NULL)
		return -1;
	s->conf = conf;
	s->extras = extras;
	s->extras_free = extras_free;
	s->refs = 1;                 /* the "current" reference */
	pthread_mutex_lock(&live_lock);
	old = current;
	current = s;
	generation++;
	if (old && --old->refs > 0)
		old = NULL;
	pthread_mutex_unlock(&live_lock);
	if (old)
		snapshot_free(old);
	return 0;
}

struct conf_snapshot *conf_live_acquire(void)
{
	struct conf_snapshot *s;
	pthread_mutex_lock(&live_lock);
	s = current;
	if (s)
		s->refs++;
	pthread_mutex_unlock(&live_lock);
	return s;
}

void conf_live_release(struct conf_snapshot *s)
{
	bool last;
	if (s == NULL)
		return;
	pthread_mutex_lock(&live_lock);
	last = --s->refs == 0;
	pthread_mutex_unlock(&live_lock);
	if (last)
		snapshot_free(s);
}

unsigned long conf_live_generation(void)
{
	unsigned long g;
	pthread_mutex_lock(&live_lock);
	g = generation;
	pthread_mutex_unlock(&live_lock);
	return g;
}

void conf_live_shutdown(void)
{
	struct conf_snapshot *old;
	pthread_mutex_lock(&live_lock);
	old = current;
	current = NULL;
	if (old && --old->refs > 0)
		old = NULL;
	pthread_mutex_unlock(&live_lock);
	if (old)
		snapshot_free(old);
}
