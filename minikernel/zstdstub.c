/*
 * minikernel/zstdstub.c - the zstd block compressors the minikernel does
 * not link. zstd_compress.o (Debian's libzstd.a) reaches every strategy's
 * block compressor through one table, and dictionary loading reaches the
 * match finders' table fillers; the writer (writer/writer.c, wr_zstd_init)
 * sets the fast strategy, no dictionary and no long-distance matching, so
 * only zstd_fast.o's compressors run. Linking the others would cost about
 * 280 KiB of the crashkernel=4M budget (zstd_lazy.o alone is 191 KiB).
 * Each name here fails the capture loudly if it is ever reached.
 */
#include "mk.h"

static __attribute__((noreturn)) void zstd_unlinked(const char *name)
{
	mk_fail("zstd: %s reached: only the fast strategy is linked", name);
}

#define ZSTD_UNLINKED(name) \
	void name(void); \
	void name(void) { zstd_unlinked(#name); }

ZSTD_UNLINKED(ZSTD_compressBlock_btlazy2)
ZSTD_UNLINKED(ZSTD_compressBlock_btlazy2_dictMatchState)
ZSTD_UNLINKED(ZSTD_compressBlock_btlazy2_extDict)
ZSTD_UNLINKED(ZSTD_compressBlock_btopt)
ZSTD_UNLINKED(ZSTD_compressBlock_btopt_dictMatchState)
ZSTD_UNLINKED(ZSTD_compressBlock_btopt_extDict)
ZSTD_UNLINKED(ZSTD_compressBlock_btultra)
ZSTD_UNLINKED(ZSTD_compressBlock_btultra2)
ZSTD_UNLINKED(ZSTD_compressBlock_btultra_dictMatchState)
ZSTD_UNLINKED(ZSTD_compressBlock_btultra_extDict)
ZSTD_UNLINKED(ZSTD_compressBlock_doubleFast)
ZSTD_UNLINKED(ZSTD_compressBlock_doubleFast_dictMatchState)
ZSTD_UNLINKED(ZSTD_compressBlock_doubleFast_extDict)
ZSTD_UNLINKED(ZSTD_compressBlock_greedy)
ZSTD_UNLINKED(ZSTD_compressBlock_greedy_dedicatedDictSearch)
ZSTD_UNLINKED(ZSTD_compressBlock_greedy_dedicatedDictSearch_row)
ZSTD_UNLINKED(ZSTD_compressBlock_greedy_dictMatchState)
ZSTD_UNLINKED(ZSTD_compressBlock_greedy_dictMatchState_row)
ZSTD_UNLINKED(ZSTD_compressBlock_greedy_extDict)
ZSTD_UNLINKED(ZSTD_compressBlock_greedy_extDict_row)
ZSTD_UNLINKED(ZSTD_compressBlock_greedy_row)
ZSTD_UNLINKED(ZSTD_compressBlock_lazy)
ZSTD_UNLINKED(ZSTD_compressBlock_lazy2)
ZSTD_UNLINKED(ZSTD_compressBlock_lazy2_dedicatedDictSearch)
ZSTD_UNLINKED(ZSTD_compressBlock_lazy2_dedicatedDictSearch_row)
ZSTD_UNLINKED(ZSTD_compressBlock_lazy2_dictMatchState)
ZSTD_UNLINKED(ZSTD_compressBlock_lazy2_dictMatchState_row)
ZSTD_UNLINKED(ZSTD_compressBlock_lazy2_extDict)
ZSTD_UNLINKED(ZSTD_compressBlock_lazy2_extDict_row)
ZSTD_UNLINKED(ZSTD_compressBlock_lazy2_row)
ZSTD_UNLINKED(ZSTD_compressBlock_lazy_dedicatedDictSearch)
ZSTD_UNLINKED(ZSTD_compressBlock_lazy_dedicatedDictSearch_row)
ZSTD_UNLINKED(ZSTD_compressBlock_lazy_dictMatchState)
ZSTD_UNLINKED(ZSTD_compressBlock_lazy_dictMatchState_row)
ZSTD_UNLINKED(ZSTD_compressBlock_lazy_extDict)
ZSTD_UNLINKED(ZSTD_compressBlock_lazy_extDict_row)
ZSTD_UNLINKED(ZSTD_compressBlock_lazy_row)
ZSTD_UNLINKED(ZSTD_dedicatedDictSearch_lazy_loadDictionary)
ZSTD_UNLINKED(ZSTD_fillDoubleHashTable)
ZSTD_UNLINKED(ZSTD_insertAndFindFirstIndex)
ZSTD_UNLINKED(ZSTD_row_update)
ZSTD_UNLINKED(ZSTD_updateTree)
ZSTD_UNLINKED(FSE_decompress_wksp_bmi2)	/* HUF_readStats: dictionary tables */
