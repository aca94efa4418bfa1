/* verdict - what the pipeline decided for one message, as data: the final disposition,
 * the SMTP reply, the quarantine reason, and the header edits in the order to apply.
 * The milter glue applies it with smfi_*; the `evaluate` CLI prints it; tests assert on
 * it. Header values use CRLF + TAB folding; the milter glue adapts them.
 * OWNS: the edit values. */
#ifndef AM_VERDICT_H
#define AM_VERDICT_H
#include "results.h"
#include <stddef.h>

enum edit_op {
	EDIT_DELETE,     /* delete the index-th (1-based) field named name */
	EDIT_INSERT,     /* insert name: value at position index (0 = top) */
};

struct hdr_edit {
	enum edit_op op;
	size_t index;
	char name[64];
	char *value;
};

struct verdict {
	enum disposition disp;
	char rcode[4];               /* "550", "451" for reject/tempfail */
	char xcode[12];              /* "5.7.1" */
	char text[256];
	char quarantine_reason[128];
	struct hdr_edit *edits;      /* grows as needed: one delete per forged A-R */
	size_t nedits, cap;
};

void verdict_init(struct verdict *v);
void verdict_clear(struct verdict *v);
/* verdict_add_edit - value is copied (NULL for deletes); 0, or -1 on ENOMEM. */
int verdict_add_edit(struct verdict *v, enum edit_op op, size_t index, const char *name, const char *value);
/* verdict_set_reply - disposition with its SMTP reply. */
void verdict_set_reply(struct verdict *v, enum disposition d, const char *rcode, const char *xcode, const char *text);
#endif
