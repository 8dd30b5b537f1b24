/*
 * tools/outfile.c - see outfile.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "outfile.h"

#define OUTFILE_TRIES	16

/* The temp file to remove if a signal arrives while it exists. */
static volatile sig_atomic_t outfile_sig_dfd = -1;
static char outfile_sig_tmp[320];

static void outfile_on_signal(int sig)
{
	if (outfile_sig_dfd >= 0 && outfile_sig_tmp[0])
		unlinkat(outfile_sig_dfd, outfile_sig_tmp, 0);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void outfile_signals(void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static void outfile_forget(void)
{
	outfile_sig_dfd = -1;
	outfile_sig_tmp[0] = '\0';
	outfile_signals(SIG_DFL);
}

int outfile_create(int dfd, const char *name, char *tmp, size_t tmpsz)
{
	int i, fd;

	if (strlen(name) + 16 > sizeof(outfile_sig_tmp) || strlen(name) + 16 > tmpsz)
		return -ENAMETOOLONG;
	outfile_signals(outfile_on_signal);
	for (i = 0; i < OUTFILE_TRIES; i++) {
		uint32_t r = 0;

		if (getrandom(&r, sizeof(r), 0) != sizeof(r))
			r = (uint32_t)getpid() ^ (uint32_t)time(NULL) ^ (uint32_t)i;
		snprintf(tmp, tmpsz, ".%s.%08x.tmp", name, r);
		snprintf(outfile_sig_tmp, sizeof(outfile_sig_tmp), "%s", tmp);
		outfile_sig_dfd = dfd;
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0) {
			/* the umask may have narrowed it; never widened */
			if (fchmod(fd, 0600) != 0) {
				int e = errno;

				close(fd);
				outfile_abandon(dfd, tmp);
				return -e;
			}
			return fd;
		}
		outfile_sig_tmp[0] = '\0';
		if (errno != EEXIST) {
			int e = errno;

			outfile_forget();
			return -e;
		}
	}
	outfile_forget();
	return -EEXIST;
}

int outfile_publish(int dfd, const char *tmp, const char *name)
{
	if (renameat2(dfd, tmp, dfd, name, RENAME_NOREPLACE) != 0) {
		if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
			return -errno;
		if (linkat(dfd, tmp, dfd, name, 0) != 0)
			return -errno;
		unlinkat(dfd, tmp, 0);
	}
	outfile_forget();
	return 0;
}

void outfile_abandon(int dfd, const char *tmp)
{
	unlinkat(dfd, tmp, 0);
	outfile_forget();
}
