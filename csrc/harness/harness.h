/*
 * The benchmark harness: one process runs every selected variant (each a
 * shared object with the same symbols, dlopen'ed RTLD_LOCAL) in batches
 * whose order the Python side chose (evaluator/bench.py), and prints one
 * JSON object per line on stdout.  It exports (-rdynamic) what a rendered
 * variant needs from outside: the eventfd intrinsics and aio_bh_cb.
 *
 * Threads: the main thread is the producer (CPU a) and times the batches;
 * the poller thread (CPU b) runs aio_poll for the two-thread scenarios; a
 * watchdog thread turns a stall into a "hung" fault.
 */
#ifndef EVALUATE_HARNESS_H
#define EVALUATE_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "aio_protocol.h"

#define CACHE_LINE 128      /* two lines: adjacent-line prefetch pairs them */
#define ALIGNED __attribute__((aligned(CACHE_LINE)))

#define LOAD(p)        __atomic_load_n((p), __ATOMIC_RELAXED)
#define STORE(p, v)    __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define LOAD_ACQ(p)    __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define STORE_REL(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
/* Single-writer counter: readers on other threads see whole values. */
#define BUMP(p)        STORE((p), LOAD(p) + 1)

enum scenario { SELF_RESCHED, PINGPONG, FLOOD };

/* Per-thread counters, each on its own lines; written only by the owner. */
typedef struct ThreadStats {
    uint64_t writes;        /* write(2) calls on an eventfd */
    uint64_t reads;         /* read(2) calls on an eventfd */
    uint64_t waits;         /* ppoll(2) calls that blocked on an eventfd */
    uint64_t progress;      /* operations or poll iterations, for the watchdog */
    int in_wait;            /* 1 while inside ppoll */
} ALIGNED ThreadStats;

/* The calling thread's counters (NULL on threads that never poll). */
extern __thread ThreadStats *thread_stats;

/* A loaded variant: the entry points the harness calls. */
typedef struct VariantLib {
    const char *path;
    void (*bh_schedule)(AioContext *ctx);
    int (*poll)(AioContext *ctx, int blocking);
} VariantLib;

/* Per-variant state.  The AioContext comes first so aio_bh_cb(ctx) can
 * get back to the Run (container_of); harness fields live on other lines
 * so they do not add contention on the context's line. */
typedef struct Run {
    AioContext ctx ALIGNED;
    /* written by the BH callback (the polling thread) */
    uint64_t bh_runs ALIGNED;
    int stop_seen;
    /* written by the producer */
    int stop ALIGNED;
    int finished;
    int resched;            /* self-resched: the callback reschedules */
    /* fixed per process */
    enum scenario scenario ALIGNED;
    const VariantLib *lib;
    int index;
    int dead;               /* hung or failed its check: no more batches */
} Run;

#define RUN_OF(ctxp) ((Run *)((char *)(ctxp) - offsetof(Run, ctx)))

/* What one batch measured; the syscall counts cover the timed window. */
typedef struct BatchResult {
    uint64_t ns;
    uint64_t writes, reads, waits;
    /* involuntary context switches of the measuring threads meanwhile:
     * another task took the CPU (a shared or loaded machine) */
    uint64_t preempted;
    int aborted;            /* the watchdog stopped it */
    char failure[256];      /* non-empty: the correctness check failed */
} BatchResult;

/* Batch state shared with the watchdog. */
typedef struct Current {
    Run *run;               /* NULL between batches */
    int batch;
    int abort;              /* set by the watchdog after a stall */
    ThreadStats *producer, *poller;
} Current;

extern Current current;

/* notifier.c */
int notifier_open(EventNotifier *e);
int notifier_readable(const EventNotifier *e);
void notifier_kick(const EventNotifier *e);
long long notifier_count(const EventNotifier *e);

/* scenarios.c */
int scenario_parse(const char *name, enum scenario *out);
const char *scenario_name(enum scenario s);
int poller_start(int cpu);
void poller_quit(void);
void run_batch(Run *run, uint64_t ops, uint64_t settle, BatchResult *out);

/* watchdog.c */
int watchdog_start(unsigned timeout_ms);
void watchdog_quit(void);
void batch_begin(Run *run, int batch);
int batch_end(void);            /* 1 if the watchdog aborted the batch */

/* main.c: one JSON line, written with a single write(2). */
void emit(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int pin_to_cpu(int cpu);
uint64_t now_ns(void);
uint64_t involuntary_switches(void);    /* of the calling thread */

#endif /* EVALUATE_HARNESS_H */
