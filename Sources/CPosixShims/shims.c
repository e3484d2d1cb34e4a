#define _GNU_SOURCE
#include "CPosixShims.h"
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <time.h>
#include <pthread.h>
#include <unistd.h>

int paddock_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) { return accept4(fd, addr, len, flags); }
int paddock_pipe2(int fds[2], int flags) { return pipe2(fds, flags); }
int paddock_memfd_create(const char *name, unsigned int flags) { return memfd_create(name, flags); }
int paddock_fcntl_int(int fd, int cmd, int arg) { return fcntl(fd, cmd, arg); }
int paddock_fcntl(int fd, int cmd) { return fcntl(fd, cmd); }
int paddock_ioctl_int(int fd, unsigned long request, int *out) { return ioctl(fd, request, out); }
int paddock_set_pdeathsig(int sig) { return prctl(PR_SET_PDEATHSIG, (unsigned long)sig, 0, 0, 0); }
int paddock_set_name(const char *name) { return prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0); }

#include <sched.h>

int paddock_affinity_cpu_count(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return -1;
    return CPU_COUNT(&set);
}

int paddock_set_affinity(const int *cpus, int count) {
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int i = 0; i < count; i++) {
        if (cpus[i] < 0 || cpus[i] >= CPU_SETSIZE) { errno = EINVAL; return -1; }
        CPU_SET(cpus[i], &set);
    }
    return sched_setaffinity(0, sizeof set, &set);
}

int paddock_affinity_cpus(int *cpus, int capacity) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return -1;
    int n = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE && n < capacity; cpu++) {
        if (CPU_ISSET(cpu, &set)) cpus[n++] = cpu;
    }
    return n;
}

// glibc passes argc, argv and envp to ELF constructors: the only portable
// way to reach the original argument memory from a Swift program.
static char **paddock_saved_argv = NULL;
static int paddock_saved_argc = 0;
static char *paddock_title_start = NULL;
static size_t paddock_title_room = 0;

__attribute__((constructor))
static void paddock_capture_argv(int argc, char **argv, char **envp) {
    (void)envp;
    paddock_saved_argc = argc;
    paddock_saved_argv = argv;
}

extern char **environ;

// Finds the contiguous block from argv[0] to the end of the last argument or
// environment string, moving the environment strings to the heap first so
// they can be overwritten. Done once, on the first title.
static void paddock_prepare_title(void) {
    if (paddock_title_start != NULL || paddock_saved_argv == NULL || paddock_saved_argc < 1) return;
    char *start = paddock_saved_argv[0];
    char *end = start + strlen(start) + 1;
    for (int i = 1; i < paddock_saved_argc; i++) {
        if (paddock_saved_argv[i] != end) break;
        end = paddock_saved_argv[i] + strlen(paddock_saved_argv[i]) + 1;
    }
    if (environ != NULL) {
        size_t count = 0;
        while (environ[count] != NULL) count++;
        char **copy = calloc(count + 1, sizeof(char *));
        int contiguous = 1;
        if (copy != NULL) {
            for (size_t i = 0; i < count; i++) {
                copy[i] = strdup(environ[i]);
                if (copy[i] == NULL) { contiguous = 0; break; }
            }
        }
        if (copy != NULL && contiguous) {
            for (size_t i = 0; i < count; i++) {
                if (environ[i] == end) end = environ[i] + strlen(environ[i]) + 1;
            }
            environ = copy;
        }
    }
    paddock_title_start = start;
    paddock_title_room = (size_t)(end - start);
}

int paddock_set_process_title(const char *title) {
    paddock_prepare_title();
    if (paddock_title_start == NULL || paddock_title_room < 2) return -1;
    size_t n = strlen(title);
    if (n > paddock_title_room - 1) n = paddock_title_room - 1;
    memcpy(paddock_title_start, title, n);
    memset(paddock_title_start + n, 0, paddock_title_room - n);
    // Later argv[1...] point into the cleared area: make them empty strings.
    for (int i = 1; i < paddock_saved_argc; i++) {
        char *p = paddock_saved_argv[i];
        if (p >= paddock_title_start && p < paddock_title_start + paddock_title_room) paddock_saved_argv[i] = paddock_title_start + paddock_title_room - 1;
    }
    return (int)(paddock_title_room - 1);
}

int paddock_wifexited(int status) { return WIFEXITED(status); }
int paddock_wexitstatus(int status) { return WEXITSTATUS(status); }
int paddock_wifsignaled(int status) { return WIFSIGNALED(status); }
int paddock_wtermsig(int status) { return WTERMSIG(status); }
int paddock_wcoredump(int status) { return WCOREDUMP(status); }

int paddock_sigaction(int sig, void (*handler)(int)) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sa.sa_flags = SA_RESTART;
    sigfillset(&sa.sa_mask);
    return sigaction(sig, &sa, NULL);
}
int paddock_sigdefault(int sig) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    return sigaction(sig, &sa, NULL);
}
int paddock_sigignore(int sig) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    return sigaction(sig, &sa, NULL);
}

int paddock_sigmask(int how, const int *sigs, int count) {
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < count; i++) sigaddset(&set, sigs[i]);
    int err = pthread_sigmask(how, &set, NULL);
    if (err) { errno = err; return -1; }
    return 0;
}
int paddock_sig_block(void) { return SIG_BLOCK; }
int paddock_sig_unblock(void) { return SIG_UNBLOCK; }

int paddock_listen_queue(int fd, unsigned int *queued, unsigned int *limit) {
    struct tcp_info info;
    socklen_t len = sizeof info;
    memset(&info, 0, sizeof info);
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return -1;
    *queued = info.tcpi_unacked;
    *limit = info.tcpi_sacked;
    return 0;
}

static int abort_fd = 2;
static char abort_prefix[256];
static const unsigned char *abort_text;
static int abort_capacity;
static int abort_code = 70;

/* Appends `v` as `width` zero-padded digits. */
static size_t put_num(char *out, size_t n, long v, int width) {
    for (int i = width - 1; i >= 0; i--) { out[n + i] = (char)('0' + v % 10); v /= 10; }
    return n + width;
}

static void abort_reporter(int sig) {
    (void)sig;
    char line[768];
    size_t n = 0;
    /* The log line's timestamp, formatted by hand: only async-signal-safe calls here. */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    long days = ts.tv_sec / 86400, secs = ts.tv_sec % 86400;
    long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097, doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365, y = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    long d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2) y += 1;
    n = put_num(line, n, y, 4); line[n++] = '-'; n = put_num(line, n, m, 2); line[n++] = '-'; n = put_num(line, n, d, 2);
    line[n++] = 'T'; n = put_num(line, n, secs / 3600, 2); line[n++] = ':'; n = put_num(line, n, (secs % 3600) / 60, 2);
    line[n++] = ':'; n = put_num(line, n, secs % 60, 2); line[n++] = '.'; n = put_num(line, n, ts.tv_nsec / 1000000, 3);
    line[n++] = 'Z'; line[n++] = ' ';
    for (const char *p = abort_prefix; *p && n < sizeof line - 2; p++) line[n++] = *p;
    for (int i = 0; abort_text && i < abort_capacity && abort_text[i] && n < sizeof line - 2; i++) line[n++] = (char)abort_text[i];
    line[n++] = '\n';
    ssize_t w = write(abort_fd, line, n);
    (void)w;
    _exit(abort_code);
}

int paddock_install_abort_reporter(int fd, const char *prefix, const unsigned char *text, int textCapacity, int code) {
    abort_fd = fd;
    size_t i = 0;
    for (; prefix[i] && i < sizeof abort_prefix - 1; i++) abort_prefix[i] = prefix[i];
    abort_prefix[i] = 0;
    abort_text = text;
    abort_capacity = textCapacity;
    abort_code = code;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = abort_reporter;
    sigfillset(&sa.sa_mask);
    return sigaction(SIGABRT, &sa, NULL);
}

int paddock_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[],
                  const int *srcFds, const int *dstFds, int count, int newProcessGroup) {
    // Duplicate every source above every destination first, so that the dup2
    // sequence in the child can never overwrite a source it still needs.
    int highest = 2;
    for (int i = 0; i < count; i++) if (dstFds[i] > highest) highest = dstFds[i];
    int *tmp = calloc((size_t)(count > 0 ? count : 1), sizeof(int));
    if (!tmp) return ENOMEM;
    int err = 0, made = 0;
    for (; made < count; made++) {
        tmp[made] = fcntl(srcFds[made], F_DUPFD_CLOEXEC, highest + 1);
        if (tmp[made] < 0) { err = errno; break; }
    }
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    int faInit = 0, attrInit = 0;
    if (!err) { err = posix_spawn_file_actions_init(&fa); faInit = !err; }
    for (int i = 0; !err && i < count; i++)
        err = posix_spawn_file_actions_adddup2(&fa, tmp[i], dstFds[i]);
    if (!err) err = posix_spawn_file_actions_addclosefrom_np(&fa, highest + 1);
    if (!err) { err = posix_spawnattr_init(&attr); attrInit = !err; }
    sigset_t empty, all;
    sigemptyset(&empty);
    sigfillset(&all);
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    if (newProcessGroup) flags |= POSIX_SPAWN_SETPGROUP;
    if (!err) err = posix_spawnattr_setflags(&attr, flags);
    if (!err) err = posix_spawnattr_setsigmask(&attr, &empty);
    if (!err) err = posix_spawnattr_setsigdefault(&attr, &all);
    if (!err && newProcessGroup) err = posix_spawnattr_setpgroup(&attr, 0);
    if (!err) err = posix_spawn(pid, path, &fa, &attr, argv, envp);
    if (faInit) posix_spawn_file_actions_destroy(&fa);
    if (attrInit) posix_spawnattr_destroy(&attr);
    for (int i = 0; i < made; i++) close(tmp[i]);
    free(tmp);
    return err;
}

uint64_t paddock_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
uint64_t paddock_boottime_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_BOOTTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
void paddock_realtime(int64_t *sec, int64_t *nsec) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    *sec = ts.tv_sec;
    *nsec = ts.tv_nsec;
}
