/*
 * harness --scenario NAME --cpus A,B --watchdog-ms MS --settle N LIB.so...
 *
 * Loads each LIB.so (a rendered variant, see evaluator/build.py), reads
 * the batch plan from stdin — one batch a line, "VARIANT WARMUP OPS",
 * VARIANT an index into the LIB list — and runs it.  Every output line on
 * stdout is one JSON object:
 *
 *   {"kind": "ready", ...}     setup done, threads pinned
 *   {"kind": "sample", ...}    one batch: ns for OPS timed operations and
 *                              the eventfd syscalls made meanwhile
 *   {"kind": "fault", ...}     "hung" (watchdog) or "check-failed"; that
 *                              variant runs no further batch
 *   {"kind": "end", ...}       all batches done
 *   {"kind": "error", ...}     bad arguments or setup (exit status 2)
 *   {"kind": "fatal", ...}     a hung batch could not be stopped (status 3)
 *
 * Exit status 0: every batch passed its check; 1: some variant faulted.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

typedef struct Batch {
    int variant;
    int warmup;
    uint64_t ops;
} Batch;

typedef struct Options {
    enum scenario scenario;
    int cpu_a, cpu_b;
    unsigned watchdog_ms;
    uint64_t settle;
    char **libs;
    int nlibs;
} Options;

static ThreadStats producer_stats;

/* ---- output ----------------------------------------------------------- */

void emit(const char *fmt, ...)
{
    char line[4096];
    va_list ap;
    int len;
    size_t off = 0;

    va_start(ap, fmt);
    len = vsnprintf(line, sizeof(line) - 1, fmt, ap);
    va_end(ap);
    if (len < 0) {
        return;
    }
    if ((size_t)len > sizeof(line) - 2) {
        len = sizeof(line) - 2;
    }
    line[len++] = '\n';
    /* One write per line: lines from two threads never interleave. */
    while (off < (size_t)len) {
        ssize_t n = write(STDOUT_FILENO, line + off, (size_t)len - off);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;
        }
        off += (size_t)n;
    }
}

/* Quote `in` as a JSON string into out (always terminated). */
static const char *json_str(char *out, size_t size, const char *in)
{
    size_t o = 0;

    out[o++] = '"';
    for (; *in && o + 8 < size; in++) {
        unsigned char c = (unsigned char)*in;
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c < 0x20) {
            o += (size_t)snprintf(out + o, size - o, "\\u%04x", c);
        } else {
            out[o++] = (char)c;
        }
    }
    out[o++] = '"';
    out[o] = '\0';
    return out;
}

static void fail_setup(const char *what, const char *detail)
{
    char message[1024], quoted[2100];

    snprintf(message, sizeof(message), "%s%s%s", what,
             detail ? ": " : "", detail ? detail : "");
    emit("{\"kind\": \"error\", \"message\": %s}",
         json_str(quoted, sizeof(quoted), message));
    exit(2);
}

/* ---- small system helpers --------------------------------------------- */

uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t involuntary_switches(void)
{
    struct rusage usage;

    if (getrusage(RUSAGE_THREAD, &usage) != 0) {
        return 0;
    }
    return (uint64_t)usage.ru_nivcsw;
}

int pin_to_cpu(int cpu)
{
    cpu_set_t set;

    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof(set), &set) ? -1 : 0;
}

/* ---- arguments and plan ----------------------------------------------- */

static unsigned long long number(const char *text, const char *option)
{
    char *end;
    unsigned long long value;

    errno = 0;
    value = strtoull(text, &end, 10);
    if (errno || end == text || *end) {
        fail_setup("not a number for", option);
    }
    return value;
}

static Options parse_options(int argc, char **argv)
{
    Options o = { .scenario = SELF_RESCHED, .cpu_a = 0, .cpu_b = 1,
                  .watchdog_ms = 2000, .settle = 0 };
    int i;

    for (i = 1; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        const char *opt = argv[i], *val = argv[i + 1];
        if (strcmp(opt, "--scenario") == 0) {
            if (scenario_parse(val, &o.scenario)) {
                fail_setup("unknown scenario", val);
            }
        } else if (strcmp(opt, "--cpus") == 0) {
            if (sscanf(val, "%d,%d", &o.cpu_a, &o.cpu_b) != 2) {
                fail_setup("--cpus wants A,B", val);
            }
        } else if (strcmp(opt, "--watchdog-ms") == 0) {
            o.watchdog_ms = (unsigned)number(val, opt);
        } else if (strcmp(opt, "--settle") == 0) {
            o.settle = number(val, opt);
        } else {
            fail_setup("unknown option", opt);
        }
    }
    o.libs = argv + i;
    o.nlibs = argc - i;
    if (o.nlibs < 1) {
        fail_setup("no variant libraries given", NULL);
    }
    return o;
}

static Batch *read_plan(int nlibs, int *count)
{
    Batch *plan = NULL;
    int n = 0, cap = 0, v, w;
    unsigned long long ops;

    while (scanf("%d %d %llu", &v, &w, &ops) == 3) {
        if (v < 0 || v >= nlibs || ops == 0) {
            fail_setup("bad plan line", "variant index or ops out of range");
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            plan = realloc(plan, (size_t)cap * sizeof(*plan));
            if (!plan) {
                fail_setup("out of memory", NULL);
            }
        }
        plan[n++] = (Batch){ v, w != 0, ops };
    }
    if (!feof(stdin)) {
        fail_setup("bad plan line", "want VARIANT WARMUP OPS");
    }
    *count = n;
    return plan;
}

/* ---- variants --------------------------------------------------------- */

static Run *load_run(const char *path, int index, enum scenario scenario)
{
    VariantLib *lib = calloc(1, sizeof(*lib));
    Run *run = aligned_alloc(CACHE_LINE, sizeof(Run));
    void *handle;

    if (!lib || !run) {
        fail_setup("out of memory", NULL);
    }
    /* RTLD_LOCAL: every variant keeps its own copies of the same symbols;
     * their undefined intrinsics bind to this executable (-rdynamic). */
    handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        fail_setup("cannot load variant", dlerror());
    }
    lib->path = path;
    lib->bh_schedule = (void (*)(AioContext *))dlsym(handle,
                                                     "qemu_bh_schedule");
    lib->poll = (int (*)(AioContext *, int))dlsym(handle, "aio_poll");
    if (!lib->bh_schedule || !lib->poll) {
        fail_setup("variant lacks qemu_bh_schedule or aio_poll", path);
    }
    memset(run, 0, sizeof(*run));
    run->lib = lib;
    run->index = index;
    run->scenario = scenario;
    if (notifier_open(&run->ctx.notifier)) {
        fail_setup("eventfd failed", strerror(errno));
    }
    return run;
}

/* ---- main ------------------------------------------------------------- */

static int report_batch(const Batch *b, int index, Run *run,
                        const BatchResult *r)
{
    char quoted[600];

    if (r->failure[0]) {
        emit("{\"kind\": \"fault\", \"fault\": \"check-failed\", "
             "\"batch\": %d, \"variant\": %d, \"scenario\": \"%s\", "
             "\"message\": %s}", index, b->variant,
             scenario_name(run->scenario),
             json_str(quoted, sizeof(quoted), r->failure));
        return 1;
    }
    emit("{\"kind\": \"sample\", \"batch\": %d, \"variant\": %d, "
         "\"warmup\": %s, \"ops\": %llu, \"ns\": %llu, \"writes\": %llu, "
         "\"reads\": %llu, \"waits\": %llu, \"preempted\": %llu}",
         index, b->variant,
         b->warmup ? "true" : "false", (unsigned long long)b->ops,
         (unsigned long long)r->ns, (unsigned long long)r->writes,
         (unsigned long long)r->reads, (unsigned long long)r->waits,
         (unsigned long long)r->preempted);
    return 0;
}

int main(int argc, char **argv)
{
    Options o = parse_options(argc, argv);
    Run **runs = calloc((size_t)o.nlibs, sizeof(*runs));
    int nplan, i, faults = 0;
    Batch *plan = read_plan(o.nlibs, &nplan);
    BatchResult result;

    for (i = 0; i < o.nlibs; i++) {
        runs[i] = load_run(o.libs[i], i, o.scenario);
    }
    thread_stats = &producer_stats;
    current.producer = &producer_stats;
    if (pin_to_cpu(o.cpu_a)) {
        fail_setup("cannot pin the producer to its CPU", strerror(errno));
    }
    if (o.scenario != SELF_RESCHED && poller_start(o.cpu_b)) {
        fail_setup("cannot start and pin the poller thread", NULL);
    }
    if (watchdog_start(o.watchdog_ms)) {
        fail_setup("cannot start the watchdog thread", NULL);
    }
    emit("{\"kind\": \"ready\", \"scenario\": \"%s\", \"cpus\": [%d, %d], "
         "\"variants\": %d, \"batches\": %d, \"pid\": %d}",
         scenario_name(o.scenario), o.cpu_a,
         o.scenario == SELF_RESCHED ? o.cpu_a : o.cpu_b, o.nlibs, nplan,
         (int)getpid());
    for (i = 0; i < nplan; i++) {
        Run *run = runs[plan[i].variant];

        if (run->dead) {
            continue;
        }
        batch_begin(run, i);
        run_batch(run, plan[i].ops, o.settle, &result);
        if (batch_end()) {
            run->dead = 1;      /* the watchdog reported it */
            faults++;
            continue;
        }
        if (report_batch(&plan[i], i, run, &result)) {
            run->dead = 1;
            faults++;
        }
    }
    emit("{\"kind\": \"end\", \"faults\": %d}", faults);
    watchdog_quit();
    poller_quit();
    return faults ? 1 : 0;
}
