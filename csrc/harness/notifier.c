/*
 * The real event notifier: an eventfd, driven the way QEMU's
 * util/event_notifier-posix.c drives it, with every write(2) and read(2)
 * call counted on the calling thread (whether or not it moved data), and
 * every blocking ppoll(2) counted separately.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "harness.h"

__thread ThreadStats *thread_stats;

int notifier_open(EventNotifier *e)
{
    e->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    return e->fd < 0 ? -1 : 0;
}

void event_notifier_set(EventNotifier *e)
{
    static const uint64_t value = 1;
    ssize_t ret;

    do {
        ret = write(e->fd, &value, sizeof(value));
        BUMP(&thread_stats->writes);
    } while (ret < 0 && errno == EINTR);
}

int event_notifier_test_and_clear(EventNotifier *e)
{
    /* QEMU reads into a 512-byte buffer until a short read: one call
     * drains an eventfd (it returns 8 bytes), a second only on EINTR. */
    char buffer[512];
    ssize_t len;
    int value = 0;

    do {
        len = read(e->fd, buffer, sizeof(buffer));
        BUMP(&thread_stats->reads);
        value |= len > 0;
    } while ((len < 0 && errno == EINTR) || len == (ssize_t)sizeof(buffer));
    return value;
}

void event_notifier_wait(EventNotifier *e)
{
    struct pollfd pfd = { .fd = e->fd, .events = POLLIN };

    STORE(&thread_stats->in_wait, 1);
    while (ppoll(&pfd, 1, NULL, NULL) < 0 && errno == EINTR) {
        continue;
    }
    STORE(&thread_stats->in_wait, 0);
    BUMP(&thread_stats->waits);
}

/* Harness-only helpers below: not counted, not part of any protocol. */

int notifier_readable(const EventNotifier *e)
{
    struct pollfd pfd = { .fd = e->fd, .events = POLLIN };

    return poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLIN);
}

/* Watchdog rescue: make a poller stuck in ppoll return. */
void notifier_kick(const EventNotifier *e)
{
    static const uint64_t value = 1;

    if (write(e->fd, &value, sizeof(value)) < 0) {
        /* nothing else to do: the watchdog gives up after its grace period */
    }
}

/* The eventfd's counter without consuming it (fdinfo), or -1. */
long long notifier_count(const EventNotifier *e)
{
    char path[64], line[256];
    long long count = -1;
    FILE *file;

    snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", e->fd);
    file = fopen(path, "r");
    if (!file) {
        return -1;
    }
    while (fgets(line, sizeof(line), file)) {
        if (strncmp(line, "eventfd-count:", 14) == 0) {
            count = strtoll(line + 14, NULL, 16);
            break;
        }
    }
    fclose(file);
    return count;
}
