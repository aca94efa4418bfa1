/* milter - the libmilter glue: registration, the xxfi_* callbacks and applying a verdict.
 * Each callback unpacks its arguments, hands them to msg_eval and returns; the decision
 * is made in msg_eval and applied here. */
#ifndef AM_MILTER_H
#define AM_MILTER_H

/* milter_register - smfi_register with our callbacks; 0 or -1. */
int milter_register(void);
#endif
