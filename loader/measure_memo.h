/* The measurement memo's per-user store (loader/measure_memo.c): runs of
 * EADD records that every build of an enclave of one size repeats (the
 * heap's, 65,536 pages for 256 MiB) are hashed once and their SHA-256
 * state kept, for the image builder (geode measure, sign, run) and the
 * sim's EADD alike (pal/sgx/identity/measure.h). Where:
 * $GEODE_MEASURE_MEMO (a directory, or "off"), else
 * $XDG_CACHE_HOME/geode/eadd-runs, else ~/.cache/geode/eadd-runs; at most
 * 64 entries of 64 bytes (the state and a check of key and state, so a
 * damaged entry is not used). */
#ifndef GEODE_LOADER_MEASURE_MEMO_H
#define GEODE_LOADER_MEASURE_MEMO_H

/* Makes the store the measurement engine's memo for this process. */
void measure_memo_install(void);

#endif
