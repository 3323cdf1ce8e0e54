#include "app/mpi.hpp"

#include "loader/config.hpp"
#include "sim/state.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <cstdlib>
#include <limits>
#include <map>
#include <optional>
#include <span>
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

std::string broadcast(const std::string& mine) {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  unsigned long long length = rank == 0 ? mine.size() : 0;
  MPI_Bcast(&length, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
  // Every rank sees the same length, so every rank throws here alike.
  if (length > static_cast<unsigned long long>(std::numeric_limits<int>::max()))
    throw input_error("--mpi: a round's plan is over 2 GiB; use --shard and merge");
  std::string bytes = rank == 0 ? mine : std::string(static_cast<std::size_t>(length), '\0');
  MPI_Bcast(bytes.data(), static_cast<int>(length), MPI_BYTE, 0, MPI_COMM_WORLD);
  return bytes;
}

void abort(int code) {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);
}

namespace {

world current() {
  world w;
  MPI_Comm_rank(MPI_COMM_WORLD, &w.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &w.size);
  return w;
}

}  // namespace

#else

bool available() { return false; }
world init() { throw std::logic_error("mpi: not built with MPI"); }
void finalize() {}
std::vector<std::string> gather(const std::string& mine) { return {mine}; }
std::string broadcast(const std::string& mine) { return mine; }
void abort(int code) { std::exit(code); }

namespace {

world current() { return {}; }

}  // namespace

#endif

namespace {

// A round's chunks as bytes: per chunk u32 condition, u32 size, u64 index,
// little-endian.
std::string encode_round(std::span<const chunk_id> chunks) {
  std::string bytes;
  bytes.reserve(16 * chunks.size());
  const auto put = [&](std::uint64_t value, int width) {
    for (int i = 0; i < width; ++i) bytes.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  };
  for (const chunk_id& id : chunks) {
    put(id.condition, 4);
    put(id.size, 4);
    put(id.index, 8);
  }
  return bytes;
}

std::vector<chunk_id> decode_round(const std::string& bytes) {
  if (bytes.size() % 16 != 0) throw std::logic_error("mpi: a round's plan came torn");
  const auto get = [&](std::size_t at, int width) {
    std::uint64_t value = 0;
    for (int i = 0; i < width; ++i) value |= std::uint64_t{static_cast<unsigned char>(bytes[at + i])} << (8 * i);
    return value;
  };
  std::vector<chunk_id> chunks;
  for (std::size_t at = 0; at < bytes.size(); at += 16)
    chunks.push_back(
        {static_cast<std::uint32_t>(get(at, 4)), static_cast<std::uint32_t>(get(at + 4, 4)), get(at + 8, 8)});
  return chunks;
}

// Rank r's share of a round: its i-th chunk for every i = r mod P (round
// robin, as shards).
std::vector<chunk_id> share(std::span<const chunk_id> chunks, world w) {
  std::vector<chunk_id> mine;
  for (std::size_t i = static_cast<std::size_t>(w.rank); i < chunks.size(); i += static_cast<std::size_t>(w.size))
    mine.push_back(chunks[i]);
  return mine;
}

// Runs a rank's share of a round into an encoded state (no settings: every
// rank runs the same study, and the bytes go to rank 0 alone), counting its
// replications done since `before`.
experiment_state run_share(const prepared_study& study, std::span<const chunk_id> mine, world w,
                           const progress_callback& progress, std::uint64_t before) {
  progress_callback shifted;
  if (progress)
    shifted = [&](std::uint64_t done, std::uint64_t total) { progress(before + done, before + total); };
  experiment_state state = run_to_state(study, mine, static_cast<std::uint32_t>(w.rank + 1),
                                        static_cast<std::uint32_t>(w.size), shifted);
  state.settings.clear();
  return state;
}

}  // namespace

std::vector<experiment_result> run_study(const prepared_study& study, const progress_callback& progress) {
  const world w = current();
  if (w.rank != 0) {
    // Each round rank 0 decides, until it sends an empty one.
    for (;;) {
      const std::vector<chunk_id> chunks = decode_round(broadcast({}));
      if (chunks.empty()) return {};
      gather(encode_state(run_share(study, share(chunks, w), w, {}, 0)));
    }
  }
  std::map<chunk_id, std::string> gathered;  // this round's chunks, every rank's, encoded
  std::uint64_t own_before = 0;              // rank 0's replications in the rounds before
  run_hooks hooks{.compute = false};
  hooks.round = [&](std::span<const chunk_id> chunks) {
    broadcast(encode_round(chunks));
    const std::vector<chunk_id> mine = share(chunks, w);
    experiment_state state = run_share(study, mine, w, progress, own_before);
    for (const chunk_id& id : mine)
      own_before += chunk_replications(study.at(id.condition)->spec().replications, id.index).size();
    const std::vector<std::string> states = gather({});  // rank 0's own chunks are at hand
    gathered = std::move(state.chunks);
    for (std::size_t r = 1; r < states.size(); ++r)
      gathered.merge(decode_state(states[r], fmt::format("rank {}'s chunks", r)).chunks);
  };
  hooks.saved = [&](chunk_id id) -> std::optional<accumulator_set> {
    const auto it = gathered.find(id);
    if (it == gathered.end()) return std::nullopt;
    return decode_chunk(it->second, study, id, "the ranks' chunks");
  };
  hooks.missing = [&](chunk_id id) {
    std::vector<experiment_spec> conditions;
    for (const auto& experiment : study) conditions.push_back(experiment->spec());
    throw std::logic_error(fmt::format("mpi: no rank returned {}", describe_chunk(conditions, id)));
  };
  std::vector<experiment_result> results = run_all(study, hooks);
  broadcast({});  // the end: an empty round
  return results;
}

}  // namespace mlesim::mpi
