// The MPI driver and its few collective calls (Debian's OpenMPI), behind one
// small interface so that the program builds without MPI too (meson -Dmpi=disabled
// or no libopenmpi-dev): then `available()` is false and --mpi is refused.
#pragma once

#include "sim/study.hpp"

#include <string>
#include <vector>

namespace mlesim::mpi {

bool available();

struct world {
  int rank = 0;
  int size = 1;
};

// MPI_Init (funneled: only the main thread calls MPI; TBB threads compute).
world init();
void finalize();
// Every rank's bytes, in rank order, on rank 0; empty elsewhere.
std::vector<std::string> gather(const std::string& mine);
// Rank 0's bytes, on every rank (`mine` is ignored elsewhere).
std::string broadcast(const std::string& mine);
// Ends every rank at once: a rank that fails must not leave the others
// waiting in a collective.
[[noreturn]] void abort(int code);

// The MPI driver, called by every rank with the same study: rank 0 runs
// run_all, which decides each round (a fixed plan is one round; with
// target_mcse the pilot, then each round from the fold before it); each
// round's chunks go to every rank (broadcast), rank r of P runs the i-th
// when i = r mod P, and rank 0 gathers them and folds them in their fixed
// order, then broadcasts the next round, and an empty one at the end. The
// results on rank 0 (the bytes a single run gives), nothing elsewhere.
// `progress` counts rank 0's own chunks.
std::vector<experiment_result> run_study(const prepared_study& study, const progress_callback& progress = {});

}  // namespace mlesim::mpi
