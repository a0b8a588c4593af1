/*
 * The watchdog: a thread that samples the running batch's progress (the
 * producer's operations plus the BH callbacks) and, when it has not moved
 * for the timeout, reports a "hung" fault with what was pending, aborts
 * the batch and kicks the eventfd so a poller asleep in ppoll returns.
 * The process then goes on with the other variants.  If the batch does
 * not end within another timeout (a thread stuck outside ppoll), it
 * reports that and exits with status 3; the Python side carries on with
 * a new process.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_t thread;
static unsigned timeout_ms;
static int quit;

void batch_begin(Run *run, int batch)
{
    pthread_mutex_lock(&lock);
    STORE(&current.abort, 0);
    STORE(&current.batch, batch);
    STORE_REL(&current.run, run);
    pthread_mutex_unlock(&lock);
}

/* Returns 1 if the watchdog aborted the batch (and reported it). */
int batch_end(void)
{
    int aborted;

    pthread_mutex_lock(&lock);
    aborted = LOAD(&current.abort);
    STORE_REL(&current.run, NULL);
    pthread_mutex_unlock(&lock);
    return aborted;
}

static uint64_t progress_of(Run *run)
{
    uint64_t p = LOAD(&run->bh_runs);

    if (current.producer) {
        p += LOAD(&current.producer->progress);
    }
    return p;
}

static void nap(unsigned ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

static void report_hang(Run *run, uint64_t stalled_ns)
{
    AioContext *ctx = &run->ctx;
    ThreadStats *poller = current.poller;

    emit("{\"kind\": \"fault\", \"fault\": \"hung\", \"batch\": %d, "
         "\"variant\": %d, \"scenario\": \"%s\", \"stalled_ms\": %llu, "
         "\"pending\": {\"bh_scheduled\": %d, \"notify_me\": %d, "
         "\"notified\": %d, \"eventfd_count\": %lld, "
         "\"poller_in_ppoll\": %d, \"producer_in_ppoll\": %d, "
         "\"bh_runs\": %llu}}",
         LOAD(&current.batch), run->index, scenario_name(run->scenario),
         (unsigned long long)(stalled_ns / 1000000),
         LOAD(&ctx->bh_scheduled), LOAD(&ctx->notify_me),
         LOAD(&ctx->notified), notifier_count(&ctx->notifier),
         poller ? LOAD(&poller->in_wait) : 0,
         LOAD(&current.producer->in_wait),
         (unsigned long long)LOAD(&run->bh_runs));
}

/* Abort the batch if it is still `run`/`batch`; 0 if it ended meanwhile. */
static int abort_batch(Run *run, int batch, uint64_t stalled_ns)
{
    int still;

    pthread_mutex_lock(&lock);
    still = LOAD(&current.run) == run && LOAD(&current.batch) == batch;
    if (still) {
        report_hang(run, stalled_ns);
        STORE(&current.abort, 1);
        notifier_kick(&run->ctx.notifier);
    }
    pthread_mutex_unlock(&lock);
    return still;
}

static void grace_or_exit(Run *run, int batch)
{
    uint64_t start = now_ns();

    while (now_ns() - start < (uint64_t)timeout_ms * 1000000) {
        if (LOAD_ACQ(&current.run) != run || LOAD(&current.batch) != batch) {
            return;
        }
        nap(timeout_ms / 20 + 1);
    }
    emit("{\"kind\": \"fatal\", \"batch\": %d, \"variant\": %d, "
         "\"message\": \"batch did not end after the watchdog aborted it\"}",
         batch, run->index);
    _exit(3);
}

static void *watchdog_main(void *arg)
{
    Run *watched = NULL;
    int batch = -1;
    uint64_t last = 0, since = now_ns();

    (void)arg;
    while (!LOAD_ACQ(&quit)) {
        Run *run;
        uint64_t p, now;

        nap(timeout_ms / 8 + 1);
        run = LOAD_ACQ(&current.run);
        now = now_ns();
        if (!run) {
            watched = NULL;
            continue;
        }
        p = progress_of(run);
        if (run != watched || LOAD(&current.batch) != batch || p != last) {
            watched = run;
            batch = LOAD(&current.batch);
            last = p;
            since = now;
            continue;
        }
        if (now - since < (uint64_t)timeout_ms * 1000000) {
            continue;
        }
        if (abort_batch(run, batch, now - since)) {
            grace_or_exit(run, batch);
        }
        watched = NULL;
    }
    return NULL;
}

int watchdog_start(unsigned ms)
{
    timeout_ms = ms;
    return pthread_create(&thread, NULL, watchdog_main, NULL) == 0 ? 0 : -1;
}

/* Not joined: it may be in the middle of a nap, and exit ends it anyway. */
void watchdog_quit(void)
{
    STORE_REL(&quit, 1);
}
