/* writer/sim/classify.h - `rawdump-sim classify` (classify.c). */
#ifndef RAWDUMP_SIM_CLASSIFY_H
#define RAWDUMP_SIM_CLASSIFY_H
int cmd_classify(int argc, char **argv);
#endif
