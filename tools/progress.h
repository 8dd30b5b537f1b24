/*
 * tools/progress.h - progress of `rawdump save` and `rawdump convert`
 * (Documentation/operator.md "Progress"): on a terminal one line on stderr
 * redrawn with bytes done/total, rate and time left; otherwise a line every
 * 10 % or 10 s; when NOTIFY_SOCKET is set, the same line as systemd's
 * STATUS= too (sd_notify). Quiet: nothing at all.
 */
#ifndef RAWDUMP_TOOLS_PROGRESS_H
#define RAWDUMP_TOOLS_PROGRESS_H

#include <stdint.h>

struct progress {
	const char *what;	/* "saving vmcore" */
	int tty;		/* stderr is a terminal: redraw one line */
	int lines;		/* not a terminal: a line every 10 % / 10 s */
	int notify;		/* NOTIFY_SOCKET is set: sd_notify STATUS= */
	double start;		/* monotonic seconds at the start */
	double last_draw;	/* ... of the last terminal redraw */
	double last_line;	/* ... of the last line / STATUS= */
	int last_decile;	/* last 10 % step reported, -1 none */
	int drawn;		/* a terminal line is on screen */
};

void progress_init(struct progress *p, const char *what, int quiet);
/* An mi_progress_fn (tools/image/memimage.h): ctx is a struct progress. */
void progress_update(void *ctx, uint64_t done, uint64_t total);
/* Ends the terminal line; tells systemd the step is finished. */
void progress_done(struct progress *p, int ok);

#endif
