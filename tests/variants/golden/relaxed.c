typedef struct EventNotifier
{
  int fd;
} EventNotifier;
typedef struct AioContext
{
  int notify_me;
  int notified;
  int bh_scheduled;
  EventNotifier notifier;
} AioContext;
void event_notifier_set(EventNotifier *e);
int event_notifier_test_and_clear(EventNotifier *e);
void event_notifier_wait(EventNotifier *e);
void aio_bh_cb(AioContext *ctx);
void aio_notify(AioContext *ctx);
void aio_notify_accept(AioContext *ctx);
int aio_poll_wait(AioContext *ctx, int blocking);
void aio_notifier_cb(AioContext *ctx);
void qemu_bh_schedule(AioContext *ctx);
int aio_poll(AioContext *ctx, int blocking);
int aio_compute_timeout(AioContext *ctx, int blocking);
void aio_notify(AioContext *ctx)
{
  __atomic_thread_fence(5);
  if (__atomic_load_n(&ctx->notify_me, 0))
  {
    event_notifier_set(&ctx->notifier);
    __atomic_store_n(&ctx->notified, 1, 0);
  }
}

void aio_notify_accept(AioContext *ctx)
{
  if (__atomic_exchange_n(&ctx->notified, 0, 0))
  {
    event_notifier_test_and_clear(&ctx->notifier);
  }
}

int aio_poll_wait(AioContext *ctx, int blocking)
{
  int readable = 0;
  if (blocking)
  {
    (void) __sync_fetch_and_add(&ctx->notify_me, 2);
  }
  if (aio_compute_timeout(ctx, blocking))
  {
    event_notifier_wait(&ctx->notifier);
    readable = 1;
  }
  if (blocking)
  {
    (void) __sync_fetch_and_sub(&ctx->notify_me, 2);
  }
  return readable;
}

void aio_notifier_cb(AioContext *ctx)
{
  (void) ctx;
}

int aio_compute_timeout(AioContext *ctx, int blocking)
{
  if (!blocking)
  {
    return 0;
  }
  if (__atomic_load_n(&ctx->bh_scheduled, 0))
  {
    return 0;
  }
  return -1;
}

void qemu_bh_schedule(AioContext *ctx)
{
  __atomic_exchange_n(&ctx->bh_scheduled, 1, 5);
  aio_notify(ctx);
}

static int aio_bh_poll(AioContext *ctx)
{
  if (__atomic_exchange_n(&ctx->bh_scheduled, 0, 5))
  {
    aio_bh_cb(ctx);
    return 1;
  }
  return 0;
}

int aio_poll(AioContext *ctx, int blocking)
{
  int readable;
  readable = aio_poll_wait(ctx, blocking);
  aio_notify_accept(ctx);
  if (readable)
  {
    aio_notifier_cb(ctx);
  }
  return aio_bh_poll(ctx);
}

