/*
 * Protocol code shared by every variant.  Included at the end of each
 * rendered variant (one translation unit per variant, so the compiler
 * can inline the hooks as it would in QEMU's async.c/aio-posix.c).
 * Checkable C subset only: see aio_protocol.h.
 */
#include "aio_protocol.h"

/*
 * QEMU's aio_compute_timeout reads the BH state; 2015 QEMU used a plain
 * read, which C11 calls a data race with the scheduling RMW.  A relaxed
 * read is what the 2020 analysis assumes (QEMU made it acquire in 2025).
 */
int aio_compute_timeout(AioContext *ctx, int blocking)
{
    if (!blocking) {
        return 0;
    }
    if (qatomic_read(&ctx->bh_scheduled)) {
        return 0;
    }
    return -1;
}

#ifdef EVALUATE_EXTRA_LOCK
/* Positive control <baseline>~lock: ONE more locked RMW per schedule, on
 * a cache line of its own that only the scheduling thread touches. */
static _Alignas(128) int evaluate_private_line;
#endif

void qemu_bh_schedule(AioContext *ctx)
{
#ifdef EVALUATE_EXTRA_LOCK
    __atomic_fetch_add(&evaluate_private_line, 1, __ATOMIC_SEQ_CST);
#endif
#ifdef EVALUATE_EXTRA_DELAY
    /* Positive control for `evaluate bench --positive-control` only: a
     * known extra cost per schedule (a compiler barrier does not let the
     * loop be removed; it emits no instruction of its own).  Never seen by
     * the checker, which preprocesses without this macro. */
    for (int evaluate_i = 0; evaluate_i < EVALUATE_EXTRA_DELAY; evaluate_i++) {
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
    }
#endif
    qatomic_xchg(&ctx->bh_scheduled, 1);
    aio_notify(ctx);
}

static int aio_bh_poll(AioContext *ctx)
{
    if (qatomic_xchg(&ctx->bh_scheduled, 0)) {
        aio_bh_cb(ctx);
        return 1;
    }
    return 0;
}

/*
 * One event-loop iteration.  Unlike QEMU 2.4, ppoll is skipped when the
 * timeout is 0 (as QEMU >= 5.2 does when nothing needs a wait), so the
 * fast path is not hidden behind a syscall every iteration.
 */
int aio_poll(AioContext *ctx, int blocking)
{
    int readable;

    readable = aio_poll_wait(ctx, blocking);
    aio_notify_accept(ctx);
    if (readable) {
        aio_notifier_cb(ctx);
    }
    return aio_bh_poll(ctx);
}
