/*
 * The AioContext notification protocol, reduced to what the "notified"
 * fast path touches: one AioContext, one bottom half (BH), one
 * EventNotifier (an eventfd).
 *
 * A rendered variant defines the hooks declared below (the parts of the
 * protocol that differ between QEMU versions and proposals), from
 * templates/notify.c.j2 or a plain-C file; the shared code
 * (templates/aio_protocol.c.j2, rendered into every variant) calls them.
 * Both are written in the C subset the checker reads: int fields,
 * locals, if/loops, calls, __atomic and __sync builtins.  No system
 * headers here.
 */
#ifndef EVALUATE_AIO_PROTOCOL_H
#define EVALUATE_AIO_PROTOCOL_H

#include "qemu_atomic.h"

/* C's bool type and constants without <stdbool.h> (the protocol is
 * preprocessed without system headers), as <stdbool.h> defines them, so
 * QEMU code that declares bool locals and writes true/false pastes. */
#ifndef true
#define bool _Bool
#define true 1
#define false 0
#endif

/* QEMU's branch hints (include/qemu/compiler.h), so code using them
 * pastes; the checker reads __builtin_expect as its first argument. */
#ifndef likely
#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

typedef struct EventNotifier {
    int fd;                 /* the eventfd; its kernel counter is the location */
} EventNotifier;

typedef struct AioContext {
    int notify_me;          /* >0 while a poller may block in ppoll */
    int notified;           /* an aio_notify happened since the last accept */
    int bh_scheduled;       /* the one BH is scheduled (work pending) */
    EventNotifier notifier; /* woken by aio_notify when notify_me is set */
} AioContext;

/*
 * Event-notifier "syscalls".  The checker treats them as intrinsics on the
 * eventfd counter (DESIGN §5: lock-protected in the kernel, so set and
 * test-and-clear are acq_rel RMWs and a wait that returns is an acquire
 * read of a non-zero value); the harness links real eventfd versions.
 */
void event_notifier_set(EventNotifier *e);              /* write(fd, 1) */
int event_notifier_test_and_clear(EventNotifier *e);    /* non-blocking drain */
void event_notifier_wait(EventNotifier *e);             /* ppoll(fd, -1) */

/* The BH callback: the harness or the checker's scenario defines it. */
void aio_bh_cb(AioContext *ctx);

/* ---- hooks each variant defines ----------------------------------- */

/* Wake the poller if it may be sleeping (called by qemu_bh_schedule). */
void aio_notify(AioContext *ctx);
/* Poller, after the wait: acknowledge notifications. */
void aio_notify_accept(AioContext *ctx);
/* Poller: raise notify_me, wait in ppoll if there is no work (using
 * aio_compute_timeout and event_notifier_wait), lower notify_me.
 * Returns 1 if it waited and the eventfd was readable. */
int aio_poll_wait(AioContext *ctx, int blocking);
/* Poller: the EventNotifier's fd handler, run when the wait said the
 * eventfd is readable. */
void aio_notifier_cb(AioContext *ctx);

/* ---- shared code (templates/aio_protocol.c.j2) ----------------------- */

/* Any thread: schedule the BH and notify the context (every time, as
 * QEMU >= 5.0 and timers do). */
void qemu_bh_schedule(AioContext *ctx);
/* The poller's event-loop iteration; returns 1 if a BH ran. */
int aio_poll(AioContext *ctx, int blocking);
/* 0 if the poller must not sleep (not blocking, or a BH is pending),
 * -1 for "sleep until the eventfd is readable". */
int aio_compute_timeout(AioContext *ctx, int blocking);

#endif /* EVALUATE_AIO_PROTOCOL_H */
