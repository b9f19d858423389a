/* rusage.c — mdx-rusage: runs a command and reports what it cost.
 *
 *   mdx-rusage [-o FILE] COMMAND [ARG]...
 *
 * Prints one line "wall_s=.. user_s=.. sys_s=.. maxrss_kb=.. status=.." to
 * FILE (default stderr) once COMMAND ends, and exits with its status. Peak
 * RSS comes from wait4's rusage of that one child, so it is exact without
 * /usr/bin/time or polling /proc.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double tv_s(struct timeval tv) { return (double)tv.tv_sec + (double)tv.tv_usec / 1e6; }

int main(int argc, char **argv)
{
    const char *report = NULL;
    int i = 1;
    if (i < argc && (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)) {
        printf("Usage: mdx-rusage [-o FILE] COMMAND [ARG]...\n"
               "Run COMMAND; then print wall and CPU seconds, peak RSS (KiB) and exit status\n"
               "to FILE (default stderr). Exits with COMMAND's status.\n");
        return 0;
    }
    if (i + 1 < argc && strcmp(argv[i], "-o") == 0) {
        report = argv[i + 1];
        i += 2;
    }
    if (i < argc && strcmp(argv[i], "--") == 0)
        i++;
    if (i >= argc) {
        fprintf(stderr, "mdx-rusage: no command (try --help)\n");
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "mdx-rusage: fork: %s\n", strerror(errno));
        return 2;
    }
    if (pid == 0) {
        execvp(argv[i], argv + i);
        fprintf(stderr, "mdx-rusage: cannot run %s: %s\n", argv[i], strerror(errno));
        _exit(127);
    }
    /* The child gets terminal signals too; we only wait for it. */
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    int status;
    struct rusage ru;
    pid_t r;
    while ((r = wait4(pid, &status, 0, &ru)) < 0 && errno == EINTR)
        ;
    if (r < 0) {
        fprintf(stderr, "mdx-rusage: wait4: %s\n", strerror(errno));
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    FILE *f = stderr;
    if (report && !(f = fopen(report, "w"))) {
        fprintf(stderr, "mdx-rusage: cannot write %s: %s\n", report, strerror(errno));
        return code ? code : 2;
    }
    fprintf(f, "wall_s=%.3f user_s=%.3f sys_s=%.3f maxrss_kb=%ld status=%d\n",
            (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
            tv_s(ru.ru_utime), tv_s(ru.ru_stime), ru.ru_maxrss, code);
    if (f != stderr && fclose(f) != 0) {
        fprintf(stderr, "mdx-rusage: cannot write %s\n", report);
        return code ? code : 2;
    }
    return code;
}
