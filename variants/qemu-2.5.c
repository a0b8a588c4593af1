/*
 * QEMU 2.5's aio_notify and aio_notify_accept (async.c, as 05e514b1 left
 * them), written with the 2015 macros of csrc/qemu_atomic.h, and the
 * notify_me handling of its aio_poll (aio-posix.c) as the other two
 * hooks.  A plain-C variant: see variants/qemu-2.5.toml.
 *
 * One liberty: QEMU 2.5 read ctx->notify_me with a plain load.  A plain
 * read that races with aio_poll's atomic_add is a data race in C11, so
 * it is written atomic_read here (a relaxed load, which is what the
 * volatile-era code compiled to and what 5710a3e0 later wrote).
 */

void aio_notify(AioContext *ctx)
{
    /* Write e.g. the BH state before reading ctx->notify_me.  Pairs
     * with the atomic_add in aio_poll.
     */
    smp_mb();
    if (atomic_read(&ctx->notify_me)) {
        event_notifier_set(&ctx->notifier);
        atomic_mb_set(&ctx->notified, true);
    }
}

void aio_notify_accept(AioContext *ctx)
{
    if (atomic_xchg(&ctx->notified, false)) {
        event_notifier_test_and_clear(&ctx->notifier);
    }
}

/* aio_poll's part: raise notify_me around a blocking wait (a __sync
 * full-barrier RMW), compute the timeout after raising it. */
int aio_poll_wait(AioContext *ctx, int blocking)
{
    int readable = 0;

    if (blocking) {
        atomic_add(&ctx->notify_me, 2);
    }
    if (aio_compute_timeout(ctx, blocking)) {
        event_notifier_wait(&ctx->notifier);
        readable = 1;
    }
    if (blocking) {
        atomic_sub(&ctx->notify_me, 2);
    }
    return readable;
}

/* The EventNotifier's fd handler is a no-op since 21a03d17: the drain is
 * aio_notify_accept's. */
void aio_notifier_cb(AioContext *ctx)
{
    (void)ctx;
}
