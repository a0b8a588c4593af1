/*
 * The three scenarios (DESIGN §6) and the correctness check after each
 * batch.  An operation is:
 *
 *   self-resched  one aio_poll(ctx, false) iteration that runs the BH, the
 *                 BH rescheduling itself (notify_me stays 0: the virtio-net
 *                 tx pattern, pure fast-path cost); one thread, CPU a;
 *   pingpong      producer (CPU a) schedules the BH and spins until it ran;
 *                 poller (CPU b) loops aio_poll(ctx, true), sleeping in
 *                 ppoll when idle: one wakeup round trip;
 *   flood         producer schedules back to back while the poller polls:
 *                 one qemu_bh_schedule (coalescing allowed).
 *
 * A two-thread batch ends through the protocol itself: the producer sets
 * `stop` and schedules the BH once more; the poller leaves its loop when
 * the callback saw `stop`, waits for the producer to finish, and drains
 * what is left with non-blocking polls.  Then the poller checks the
 * context is quiescent (see check_quiescent).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <pthread.h>

#include "harness.h"

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield" ::: "memory");
#endif
}

Current current;

static const char *const names[] = { "self-resched", "pingpong", "flood" };

int scenario_parse(const char *name, enum scenario *out)
{
    for (int i = 0; i < 3; i++) {
        if (strcmp(name, names[i]) == 0) {
            *out = (enum scenario)i;
            return 0;
        }
    }
    return -1;
}

const char *scenario_name(enum scenario s)
{
    return names[s];
}

/* ---- the BH callback -------------------------------------------------- */

void aio_bh_cb(AioContext *ctx)
{
    Run *run = RUN_OF(ctx);

    /* Single writer (the polling thread); the producer reads it. */
    STORE_REL(&run->bh_runs, run->bh_runs + 1);
    if (run->scenario == SELF_RESCHED) {
        if (run->resched) {
            run->lib->bh_schedule(ctx);
        }
    } else if (LOAD_ACQ(&run->stop)) {
        run->stop_seen = 1;
    }
}

/* ---- correctness check ------------------------------------------------ */

#define IDLE_POLLS 3

/*
 * Run by the thread that polls the context, once nothing schedules any
 * more: no BH may be left scheduled, and the eventfd must be drained or
 * drainable — at most IDLE_POLLS blocking polls (none blocks: each is
 * only made while the eventfd is readable) must leave it unreadable.  A
 * variant that leaves it readable with nothing to drain it (notified set
 * before the write) would wake the poller forever.
 */
static void check_quiescent(Run *run, char *failure, size_t size)
{
    AioContext *ctx = &run->ctx;
    uint64_t runs = run->bh_runs;
    int polls = 0;

    if (LOAD(&ctx->bh_scheduled)) {
        snprintf(failure, size, "a BH was still scheduled after the "
                 "poller drained the context (bh_scheduled=1)");
        return;
    }
    while (polls < IDLE_POLLS && notifier_readable(&ctx->notifier)) {
        run->lib->poll(ctx, 1);
        polls++;
    }
    if (notifier_readable(&ctx->notifier)) {
        snprintf(failure, size, "eventfd still readable after %d blocking "
                 "polls with no work (endless spurious wakeup; notified=%d, "
                 "eventfd count %lld)", IDLE_POLLS, LOAD(&ctx->notified),
                 notifier_count(&ctx->notifier));
    } else if (run->bh_runs != runs) {
        snprintf(failure, size, "a BH ran during idle polls: it had been "
                 "scheduled but not run when the poller went idle");
    }
}

/* ---- the poller thread ------------------------------------------------ */

static struct {
    Run *run;
    uint64_t seq;           /* bumped by the producer to start a session */
    int quit;
} ALIGNED command;

static struct {
    uint64_t started;       /* session the poller entered */
    uint64_t done;          /* session the poller left */
    uint64_t preempted;     /* its involuntary context switches meanwhile */
    int ready;              /* 1 pinned, -1 could not pin */
    char failure[256];
} ALIGNED reply;

static ThreadStats poller_stats;
static pthread_t poller_thread;
static int poller_cpu;

static void poller_session(Run *run)
{
    ThreadStats *me = thread_stats;
    const VariantLib *lib = run->lib;

    reply.failure[0] = '\0';
    while (!run->stop_seen) {
        lib->poll(&run->ctx, 1);
        BUMP(&me->progress);
        if (LOAD(&current.abort)) {
            return;
        }
    }
    while (!LOAD_ACQ(&run->finished)) {
        if (LOAD(&current.abort)) {
            return;
        }
        cpu_relax();
    }
    while (lib->poll(&run->ctx, 0)) {
        continue;   /* the stop BH, when an earlier callback saw `stop` */
    }
    check_quiescent(run, reply.failure, sizeof(reply.failure));
}

static void *poller_main(void *arg)
{
    uint64_t seen = 0, switches;

    (void)arg;
    thread_stats = &poller_stats;
    STORE_REL(&reply.ready, pin_to_cpu(poller_cpu) == 0 ? 1 : -1);
    for (;;) {
        uint64_t seq;

        while ((seq = LOAD_ACQ(&command.seq)) == seen) {
            if (LOAD_ACQ(&command.quit)) {
                return NULL;
            }
            cpu_relax();
        }
        seen = seq;
        STORE_REL(&reply.started, seq);
        switches = involuntary_switches();
        poller_session(command.run);
        reply.preempted = involuntary_switches() - switches;
        STORE_REL(&reply.done, seq);
    }
}

int poller_start(int cpu)
{
    int ready;

    poller_cpu = cpu;
    if (pthread_create(&poller_thread, NULL, poller_main, NULL) != 0) {
        return -1;
    }
    while ((ready = LOAD_ACQ(&reply.ready)) == 0) {
        cpu_relax();
    }
    current.poller = &poller_stats;
    return ready == 1 ? 0 : -1;
}

void poller_quit(void)
{
    if (current.poller) {
        STORE_REL(&command.quit, 1);
        pthread_join(poller_thread, NULL);
    }
}

/* ---- batches ---------------------------------------------------------- */

typedef struct Counts {
    uint64_t writes, reads, waits;
} Counts;

static Counts snapshot(void)
{
    Counts c = { 0, 0, 0 };
    ThreadStats *threads[2] = { current.producer, current.poller };

    for (int i = 0; i < 2; i++) {
        if (threads[i]) {
            c.writes += LOAD(&threads[i]->writes);
            c.reads += LOAD(&threads[i]->reads);
            c.waits += LOAD(&threads[i]->waits);
        }
    }
    return c;
}

static void finish(BatchResult *out, uint64_t t0, uint64_t t1,
                   Counts c0, Counts c1)
{
    out->ns = t1 - t0;
    out->writes = c1.writes - c0.writes;
    out->reads = c1.reads - c0.reads;
    out->waits = c1.waits - c0.waits;
}

static void self_resched_batch(Run *run, uint64_t ops, uint64_t settle,
                               BatchResult *out)
{
    ThreadStats *me = thread_stats;
    const VariantLib *lib = run->lib;
    AioContext *ctx = &run->ctx;
    uint64_t ran = 0, t0, t1, i, switches;
    Counts c0, c1;

    run->bh_runs = 0;
    run->resched = 1;
    lib->bh_schedule(ctx);
    for (i = 0; i < settle; i++) {
        ran += lib->poll(ctx, 0);
        BUMP(&me->progress);
    }
    c0 = snapshot();
    switches = involuntary_switches();
    t0 = now_ns();
    for (i = 0; i < ops; i++) {
        ran += lib->poll(ctx, 0);   /* the sum is the sink, and checked */
        BUMP(&me->progress);
    }
    t1 = now_ns();
    out->preempted = involuntary_switches() - switches;
    c1 = snapshot();
    finish(out, t0, t1, c0, c1);
    run->resched = 0;
    ran += lib->poll(ctx, 0);
    if (ran != settle + ops + 1 || run->bh_runs != ran) {
        snprintf(out->failure, sizeof(out->failure), "aio_poll ran the BH "
                 "in %llu of %llu iterations (%llu callbacks): a scheduled "
                 "BH was dropped", (unsigned long long)ran,
                 (unsigned long long)(settle + ops + 1),
                 (unsigned long long)run->bh_runs);
        return;
    }
    check_quiescent(run, out->failure, sizeof(out->failure));
}

/* Returns -1 if the watchdog aborted the batch. */
static int produce(Run *run, uint64_t n, uint64_t *expected)
{
    ThreadStats *me = thread_stats;
    const VariantLib *lib = run->lib;
    AioContext *ctx = &run->ctx;

    for (uint64_t i = 0; i < n; i++) {
        lib->bh_schedule(ctx);
        if (run->scenario == PINGPONG) {
            uint64_t want = ++*expected;

            while (LOAD_ACQ(&run->bh_runs) < want) {
                if (LOAD(&current.abort)) {
                    return -1;
                }
                cpu_relax();
            }
        }
        BUMP(&me->progress);
    }
    return 0;
}

static void check_counts(Run *run, uint64_t schedules, BatchResult *out)
{
    uint64_t runs = run->bh_runs;
    int ok = run->scenario == PINGPONG ? runs == schedules
                                       : runs >= 1 && runs <= schedules;

    if (!ok) {
        snprintf(out->failure, sizeof(out->failure), "the BH ran %llu times "
                 "for %llu schedules (%s)", (unsigned long long)runs,
                 (unsigned long long)schedules,
                 run->scenario == PINGPONG ? "expected exactly one run each"
                                           : "expected 1..schedules");
    }
}

static void two_thread_batch(Run *run, uint64_t ops, uint64_t settle,
                             BatchResult *out)
{
    static uint64_t seq;
    uint64_t expected = 0, t0, t1, switches = 0, mine = 0;
    Counts c0, c1;

    run->bh_runs = 0;
    run->stop_seen = 0;
    run->stop = 0;
    run->finished = 0;
    command.run = run;
    STORE_REL(&command.seq, ++seq);     /* publishes the resets above */
    while (LOAD_ACQ(&reply.started) != seq) {
        cpu_relax();
    }
    if (produce(run, settle, &expected) < 0) {
        goto wait;
    }
    c0 = snapshot();
    switches = involuntary_switches();
    t0 = now_ns();
    if (produce(run, ops, &expected) < 0) {
        goto wait;
    }
    t1 = now_ns();
    mine = involuntary_switches() - switches;
    c1 = snapshot();
    finish(out, t0, t1, c0, c1);
    STORE_REL(&run->stop, 1);
    run->lib->bh_schedule(&run->ctx);
    STORE_REL(&run->finished, 1);
wait:
    /* Even after an abort the poller must leave the context before the
     * next batch; the watchdog exits the process if it never does. */
    while (LOAD_ACQ(&reply.done) != seq) {
        cpu_relax();
    }
    if (LOAD(&current.abort)) {
        return;
    }
    /* The poller's count covers its whole session (settle and drain
     * too): an upper bound for the timed window. */
    out->preempted = mine + reply.preempted;
    if (reply.failure[0]) {
        memcpy(out->failure, reply.failure, sizeof(out->failure));
        return;
    }
    check_counts(run, settle + ops + 1, out);
}

void run_batch(Run *run, uint64_t ops, uint64_t settle, BatchResult *out)
{
    memset(out, 0, sizeof(*out));
    if (run->scenario == SELF_RESCHED) {
        self_resched_batch(run, ops, settle, out);
    } else {
        two_thread_batch(run, ops, settle, out);
    }
}
