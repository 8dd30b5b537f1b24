/*
 * tools/progress.c - the progress line of save and convert (progress.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "progress.h"

#define PROGRESS_LINE_SECS	10.0	/* not a terminal: at least one line this often */
#define PROGRESS_TTY_SECS	0.2	/* terminal: redraw at most this often */

static double progress_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_init(struct progress *p, const char *what, int quiet)
{
	const char *ns = getenv("NOTIFY_SOCKET");

	p->what = what;
	p->tty = !quiet && isatty(STDERR_FILENO);
	p->lines = !quiet && !p->tty;
	p->notify = !quiet && ns && *ns;
	p->start = progress_now();
	p->last_draw = p->last_line = 0;
	p->last_decile = -1;
	p->drawn = 0;
}

/* "saving vmcore: 1.5 GiB of 4.0 GiB (37%), 120.0 MiB/s, 21 s left" */
static void progress_text(const struct progress *p, uint64_t done, uint64_t total,
			  double now, char *buf, size_t bufsz)
{
	char d[32], t[32], r[32], left[64] = "";
	double secs = now - p->start, rate = secs > 0 ? (double)done / secs : 0;

	if (rate > 0 && done < total) {
		uint64_t s = (uint64_t)((double)(total - done) / rate + 0.5);

		if (s < 60)
			snprintf(left, sizeof(left), ", %" PRIu64 " s left", s);
		else
			snprintf(left, sizeof(left), ", %" PRIu64 " min %02" PRIu64 " s left",
				 s / 60, s % 60);
	}
	snprintf(buf, bufsz, "%s: %s of %s (%" PRIu64 "%%), %s/s%s", p->what,
		 cli_size(done, d, sizeof(d)), cli_size(total, t, sizeof(t)),
		 done * 100 / total, cli_size((uint64_t)rate, r, sizeof(r)), left);
}

void progress_update(void *ctx, uint64_t done, uint64_t total)
{
	struct progress *p = ctx;
	char line[256];
	double now;
	int decile;

	if (!p || !total || !(p->tty || p->lines || p->notify))
		return;
	if (done > total)
		done = total;
	now = progress_now();
	if (p->tty && (now - p->last_draw >= PROGRESS_TTY_SECS || done == total)) {
		progress_text(p, done, total, now, line, sizeof(line));
		fprintf(stderr, "\r%s\033[K", line);
		fflush(stderr);
		p->last_draw = now;
		p->drawn = 1;
	}
	/* lines and systemd's status: each 10 % step, or after 10 s without one */
	decile = (int)(done * 10 / total);
	if (decile == p->last_decile && now - p->last_line < PROGRESS_LINE_SECS)
		return;
	progress_text(p, done, total, now, line, sizeof(line));
	if (p->lines)
		fprintf(stderr, "rawdump: %s\n", line);
	if (p->notify)
		sd_notifyf(0, "STATUS=%s", line);
	p->last_decile = decile;
	p->last_line = now;
}

void progress_done(struct progress *p, int ok)
{
	if (p->drawn)
		fputc('\n', stderr);
	p->drawn = 0;
	if (p->notify)
		sd_notifyf(0, "STATUS=%s: %s", p->what, ok ? "done" : "failed");
}
