// What Swift cannot import from Glibc directly: macros (W*), variadic calls
// (prctl, fcntl, ioctl) and _GNU_SOURCE-only functions (accept4, pipe2,
// memfd_create), plus one spawn helper that wires inherited fds safely.
#ifndef PADDOCK_CPOSIXSHIMS_H
#define PADDOCK_CPOSIXSHIMS_H

#include <sys/types.h>
#include <sys/socket.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <poll.h>

int paddock_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
int paddock_pipe2(int fds[2], int flags);
int paddock_memfd_create(const char *name, unsigned int flags);
int paddock_fcntl_int(int fd, int cmd, int arg);
int paddock_fcntl(int fd, int cmd);
int paddock_ioctl_int(int fd, unsigned long request, int *out);
int paddock_set_pdeathsig(int sig);
int paddock_set_name(const char *name);

/// CPUs in this process's affinity mask (sched_getaffinity(2) and CPU_COUNT),
/// or -1 with errno set.
int paddock_affinity_cpu_count(void);
/// Restricts the calling thread (and the children it spawns from now on) to
/// the `count` CPUs in `cpus` (sched_setaffinity(2)); -1 with errno set on failure.
int paddock_set_affinity(const int *cpus, int count);
/// The CPUs in the calling thread's affinity mask, written to `cpus` (room
/// for `capacity`); returns how many, or -1 with errno set.
int paddock_affinity_cpus(int *cpus, int capacity);

/// Overwrites the memory of the process's original argument strings (and of
/// its environment strings, which are copied elsewhere first, so `environ`
/// stays valid) with `title`, so `ps` and /proc/PID/cmdline show it, as
/// setproctitle(3) does. Truncates to the room there is. Returns the bytes
/// available for a title, or -1 when argv was never captured.
int paddock_set_process_title(const char *title);

int paddock_wifexited(int status);
int paddock_wexitstatus(int status);
int paddock_wifsignaled(int status);
int paddock_wtermsig(int status);
int paddock_wcoredump(int status);

/// Installs `handler` for `sig` with SA_RESTART and all signals blocked while
/// it runs. Returns -1 with errno set on failure.
int paddock_sigaction(int sig, void (*handler)(int));
/// Resets `sig` to its default disposition.
int paddock_sigdefault(int sig);
/// Ignores `sig` (SIGPIPE).
int paddock_sigignore(int sig);

/// Blocks (how = SIG_BLOCK) or unblocks (SIG_UNBLOCK) the given signals for
/// the calling thread. The mask survives execve(2).
int paddock_sigmask(int how, const int *sigs, int count);
int paddock_sig_block(void);
int paddock_sig_unblock(void);

/// For a listening TCP socket: connections waiting in the accept queue and
/// the queue's limit (TCP_INFO's tcpi_unacked / tcpi_sacked). -1 on error.
int paddock_listen_queue(int fd, unsigned int *queued, unsigned int *limit);

/// Installs a SIGABRT handler for a worker the master aborts for a timeout:
/// it writes `prefix`, the NUL-terminated text at `text` (the scoreboard's
/// current request, read at signal time) and a newline to `fd` in one
/// write(2), then exits with `code`. Async-signal-safe.
int paddock_install_abort_reporter(int fd, const char *prefix, const unsigned char *text, int textCapacity, int code);

/// Serves allocations from the heap (no per-allocation mmaps) and keeps the
/// heap from being trimmed while less than `bytes` is free at its top: a buffer allocated and freed per request
/// (scrypt's 32 MiB) then costs no page faults after the first time.
/// Returns 1 on success (mallopt(3)).
int paddock_keep_large_allocations(int bytes);

/// Spawns `path` with `argv`/`envp`. `srcFds[i]` appears in the child as
/// `dstFds[i]`; every other fd >= 3 is closed in the child; the signal mask is
/// emptied and every signal reset to default. When `newProcessGroup` is set
/// the child leads its own process group. Returns 0 and sets *pid, or an errno.
int paddock_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[],
                  const int *srcFds, const int *dstFds, int count, int newProcessGroup);

/// Monotonic clock in nanoseconds (CLOCK_MONOTONIC; includes no suspend).
uint64_t paddock_monotonic_ns(void);
/// Boot-time clock in nanoseconds (CLOCK_BOOTTIME; includes suspend).
uint64_t paddock_boottime_ns(void);
/// Realtime clock: seconds and nanoseconds since the epoch.
void paddock_realtime(int64_t *sec, int64_t *nsec);

// The commit the binary was built from: the release build passes it with
// -Xcc -DPADDOCK_COMMIT=<commit>; "unknown" otherwise (build.c).
const char *paddock_build_commit(void);

#endif
