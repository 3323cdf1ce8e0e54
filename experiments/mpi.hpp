// The MPI driver's few collective calls (Debian's OpenMPI), behind one small
// interface so that the program builds without MPI too (meson -Dmpi=disabled
// or no libopenmpi-dev): then `available()` is false and --mpi is refused.
#pragma once

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
// Ends every rank at once: a rank that fails must not leave the others
// waiting in a collective.
[[noreturn]] void abort(int code);

}  // namespace mlesim::mpi
