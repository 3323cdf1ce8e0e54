#include "experiments/mpi.hpp"

#include "experiments/config.hpp"

#include <cstdlib>
#include <limits>
#include <stdexcept>

#if MLESIM_MPI
// The C API only: OpenMPI's deprecated C++ bindings do not compile warning-free.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace mlesim::mpi {

#if MLESIM_MPI

bool available() { return true; }

world init() {
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  world w;
  MPI_Comm_rank(MPI_COMM_WORLD, &w.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &w.size);
  return w;
}

void finalize() { MPI_Finalize(); }

std::vector<std::string> gather(const std::string& mine) {
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (mine.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw input_error("--mpi: a rank's state is over 2 GiB; use more ranks or --shard");
  int length = static_cast<int>(mine.size());
  std::vector<int> lengths(static_cast<std::size_t>(size)), offsets(static_cast<std::size_t>(size));
  MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::string all;
  if (rank == 0) {
    long long total = 0;
    for (int r = 0; r < size; ++r) {
      offsets[static_cast<std::size_t>(r)] = static_cast<int>(total);
      total += lengths[static_cast<std::size_t>(r)];
    }
    if (total > std::numeric_limits<int>::max())
      throw input_error("--mpi: the ranks' states are over 2 GiB together; use --shard and merge");
    all.resize(static_cast<std::size_t>(total));
  }
  MPI_Gatherv(mine.data(), length, MPI_BYTE, all.data(), lengths.data(), offsets.data(), MPI_BYTE, 0,
              MPI_COMM_WORLD);
  std::vector<std::string> result;
  if (rank == 0)
    for (int r = 0; r < size; ++r)
      result.push_back(all.substr(static_cast<std::size_t>(offsets[static_cast<std::size_t>(r)]),
                                  static_cast<std::size_t>(lengths[static_cast<std::size_t>(r)])));
  return result;
}

void abort(int code) {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);
}

#else

bool available() { return false; }
world init() { throw std::logic_error("mpi: not built with MPI"); }
void finalize() {}
std::vector<std::string> gather(const std::string& mine) { return {mine}; }
void abort(int code) { std::exit(code); }

#endif

}  // namespace mlesim::mpi
