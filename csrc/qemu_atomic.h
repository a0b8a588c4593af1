/*
 * QEMU's atomic macro names with QEMU's meaning, on GCC __atomic builtins,
 * so a variant can be written the way QEMU writes it.
 *
 * Two generations are provided because their meanings differ:
 *
 *   qatomic_*   QEMU >= 2016 (named qatomic_ since 5.2): C11 semantics.
 *               RMWs are __ATOMIC_SEQ_CST RMWs, which are NOT fences in
 *               C11 (on AArch64 an ldaxr/stlxr loop with no dmb).
 *   atomic_*    QEMU 2.4/2.5 (2015) as built by GCC >= 4.7: the RMWs
 *               (atomic_add/sub/or/and) are GCC __sync builtins, i.e. full
 *               barriers before and after (GCC adds a trailing dmb ish on
 *               AArch64).  clang compiles the same builtins to bare
 *               seq_cst RMWs (no dmb): `evaluate check --cc clang` reads
 *               them that way (evaluator/checker/readings.py).
 *               atomic_read/atomic_set were volatile accesses in
 *               2015; they are modelled here as relaxed atomics, as the
 *               Linux kernel memory model treats READ_ONCE/WRITE_ONCE.
 *               With EVALUATE_QEMU_ATOMICS 2016 (a plain-C spec's
 *               atomics = "2016", for code pasted from QEMU 2.6-5.1) the
 *               atomic_* names take their 2016-2020 meaning instead: the
 *               qatomic_* definitions below (atomic_mb_set as
 *               qatomic_set_mb, its 2019-2020 non-x86 form).
 *
 * This header is read by the checker as well as by the compiler: it must
 * stay within what the checker understands (no statement expressions, no
 * inline assembly, no system headers).
 */
#ifndef EVALUATE_QEMU_ATOMIC_H
#define EVALUATE_QEMU_ATOMIC_H

/* Compiler-only barrier (no instruction); the checker treats it as a no-op. */
#define barrier()                __atomic_signal_fence(__ATOMIC_SEQ_CST)

/* Fences: smp_mb is a seq_cst fence (x86-64 GCC 12: lock orq $0,(%rsp);
 * AArch64: dmb ish); smp_wmb/smp_rmb are release/acquire fences (nothing
 * on x86-64; dmb ish / dmb ishld on AArch64). */
#define smp_mb()                 __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define smp_mb_release()         __atomic_thread_fence(__ATOMIC_RELEASE)
#define smp_mb_acquire()         __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define smp_wmb()                smp_mb_release()
#define smp_rmb()                smp_mb_acquire()

/* ---- QEMU >= 2016 (C11) ------------------------------------------- */
#define qatomic_read(p)               __atomic_load_n((p), __ATOMIC_RELAXED)
#define qatomic_set(p, v)             __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define qatomic_load_acquire(p)       __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define qatomic_store_release(p, v)   __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define qatomic_xchg(p, v)            __atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
#define qatomic_fetch_add(p, n)       __atomic_fetch_add((p), (n), __ATOMIC_SEQ_CST)
#define qatomic_fetch_sub(p, n)       __atomic_fetch_sub((p), (n), __ATOMIC_SEQ_CST)
#define qatomic_fetch_or(p, n)        __atomic_fetch_or((p), (n), __ATOMIC_SEQ_CST)
#define qatomic_fetch_and(p, n)       __atomic_fetch_and((p), (n), __ATOMIC_SEQ_CST)
#define qatomic_add(p, n)             ((void)qatomic_fetch_add((p), (n)))
#define qatomic_sub(p, n)             ((void)qatomic_fetch_sub((p), (n)))
#define qatomic_or(p, n)              ((void)qatomic_fetch_or((p), (n)))
#define qatomic_and(p, n)             ((void)qatomic_fetch_and((p), (n)))
/* QEMU 2019-2023 atomic_mb_set / qatomic_set_mb on non-x86 hosts:
 * store-release followed by a full fence. */
#define qatomic_set_mb(p, v) \
    do { qatomic_store_release((p), (v)); smp_mb(); } while (0)

/* ---- QEMU 2.4/2.5 (2015), or 2.6-5.1 (2016-2020) ------------------- */
#define atomic_read(p)                __atomic_load_n((p), __ATOMIC_RELAXED)
#define atomic_set(p, v)              __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define atomic_xchg(p, v)             __atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
#if defined(EVALUATE_QEMU_ATOMICS) && EVALUATE_QEMU_ATOMICS == 2016
#define atomic_add(p, n)              qatomic_add((p), (n))
#define atomic_sub(p, n)              qatomic_sub((p), (n))
#define atomic_or(p, n)               qatomic_or((p), (n))
#define atomic_and(p, n)              qatomic_and((p), (n))
#define atomic_mb_set(p, v)           qatomic_set_mb((p), (v))
#else
#define atomic_add(p, n)              ((void)__sync_fetch_and_add((p), (n)))
#define atomic_sub(p, n)              ((void)__sync_fetch_and_sub((p), (n)))
#define atomic_or(p, n)               ((void)__sync_fetch_and_or((p), (n)))
#define atomic_and(p, n)              ((void)__sync_fetch_and_and((p), (n)))
/* 2015 definition on every GCC >= 4.7 host: smp_wmb; store; smp_mb. */
#define atomic_mb_set(p, v) \
    do { smp_wmb(); atomic_set((p), (v)); smp_mb(); } while (0)
#endif

#endif /* EVALUATE_QEMU_ATOMIC_H */
