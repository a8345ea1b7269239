// What Swift's Glibc module does not expose (it is built without _GNU_SOURCE): SO_PEERCRED's struct ucred,
// prctl(PR_SET_DUMPABLE), accept4/SOCK_CLOEXEC, closefrom and POSIX_SPAWN_SETSID. Each function names the C
// call it wraps; all return -1 with errno set on failure unless noted.
#ifndef CSYSTEM_H
#define CSYSTEM_H

#include <stdint.h>

/// getsockopt(fd, SOL_SOCKET, SO_PEERCRED): the peer's pid, uid and gid as the kernel recorded them at connect.
int csystem_peer_credentials(int fd, int32_t *pid, uint32_t *uid, uint32_t *gid);

/// prctl(PR_SET_DUMPABLE, dumpable): 0 forbids core dumps, ptrace attach and same-uid /proc/PID/{mem,environ}.
int csystem_set_dumpable(int dumpable);

/// prctl(PR_GET_DUMPABLE).
int csystem_get_dumpable(void);

/// setrlimit(RLIMIT_CORE, {0, 0}): no core file, soft and hard limits both 0.
int csystem_disable_core_dumps(void);

/// socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0).
int csystem_unix_socket(void);

/// bind(2) to a filesystem AF_UNIX address; -1 with ENAMETOOLONG when path does not fit sun_path.
int csystem_unix_bind(int fd, const char *path);

/// connect(2) to a filesystem AF_UNIX address; -1 with ENAMETOOLONG when path does not fit sun_path.
int csystem_unix_connect(int fd, const char *path);

/// accept4(fd, NULL, NULL, SOCK_CLOEXEC).
int csystem_accept_cloexec(int fd);

/// pipe2(fds, O_CLOEXEC).
int csystem_pipe_cloexec(int fds[2]);

/// closefrom(lowfd): closes every descriptor >= lowfd.
void csystem_closefrom(int lowfd);

/// posix_spawn(path, argv, envp) as a detached daemon: a new session (POSIX_SPAWN_SETSID), stdin and stdout on
/// /dev/null, stderr inherited, `readyfd` as descriptor 3, every descriptor from 4 up closed, no signal blocked,
/// every signal at its default action. Returns 0 and sets *pid, or an errno value.
int csystem_spawn_detached(int32_t *pid, const char *path, char *const argv[], char *const envp[], int readyfd);

#endif
