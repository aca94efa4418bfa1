/* buf - growable byte buffer, always NUL-terminated, with overflow checks.
 * OWNS: its data array. DIAGNOSTICS: appenders return 0, or -1 on ENOMEM/overflow
 * (the buffer then keeps its old content and a sticky error flag).
 * THREADS: one owner at a time. */
#ifndef AM_BUF_H
#define AM_BUF_H
#include <stddef.h>
#include <stdarg.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
	int err;
};

void buf_init(struct buf *b);
void buf_clear(struct buf *b);                 /* frees the data; b can be reused */
void buf_reset(struct buf *b);                 /* keeps capacity, length 0 */
int buf_reserve(struct buf *b, size_t extra);
int buf_append(struct buf *b, const void *data, size_t len);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* buf_steal - hand the NUL-terminated data to the caller (never NULL unless ENOMEM). */
char *buf_steal(struct buf *b);
#endif
