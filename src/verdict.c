/* verdict - the decision record for one message (see verdict.h). */
#include "verdict.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void verdict_init(struct verdict *v)
{
	memset(v, 0, sizeof *v);
	v->disp = DISP_ACCEPT;
}

void verdict_clear(struct verdict *v)
{
	for (size_t i = 0; i < v->nedits; i++)
		free(v->edits[i].value);
	free(v->edits);
	verdict_init(v);
}

int verdict_add_edit(struct verdict *v, enum edit_op op, size_t index, const char *name, const char *value)
{
	struct hdr_edit *e;
	if (v->nedits == v->cap) {
		/* no fixed limit: a message may carry any number of forged A-R fields, and
		 * every one must be deleted (the MTA bounds the header size) */
		size_t ncap = v->cap ? v->cap * 2 : 8;
		struct hdr_edit *ne = realloc(v->edits, ncap * sizeof *ne);
		if (ne == NULL)
			return -1;
		v->edits = ne;
		v->cap = ncap;
	}
	e = &v->edits[v->nedits];
	e->op = op;
	e->index = index;
	snprintf(e->name, sizeof e->name, "%s", name);
	e->value = NULL;
	if (value && (e->value = strdup(value)) == NULL)
		return -1;
	v->nedits++;
	return 0;
}

void verdict_set_reply(struct verdict *v, enum disposition d, const char *rcode, const char *xcode, const char *text)
{
	v->disp = d;
	snprintf(v->rcode, sizeof v->rcode, "%s", rcode ? rcode : "");
	snprintf(v->xcode, sizeof v->xcode, "%s", xcode ? xcode : "");
	snprintf(v->text, sizeof v->text, "%s", text ? text : "");
}
