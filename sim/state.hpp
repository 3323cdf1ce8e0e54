// State files: the finished chunks of one experiment (sim/study.hpp), with
// the experiment's resolved settings, so that a study can be split into
// shards and merged, or checkpointed and resumed, and still give the bytes a
// single run gives. The format is documented in docs/state-format.md.
#pragma once

#include "sim/study.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mlesim {

// Bumped whenever a change makes the same settings give other sums (a new
// generator, another chunk length, another accumulator layout): a state of
// another version is refused, never merged.
inline constexpr std::uint32_t state_format_version = 3;

// The most shards a study is cut into (`run --shard K/N`); a state of more
// is refused, so a file cannot make `merge` look for billions of others.
inline constexpr std::uint32_t max_shards = 65536;

// A state file that cannot be used: corrupt, truncated, of another version,
// or of another study. The message names the file.
struct state_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The experiment's resolved settings, every condition's, as canonical JSON
// (sorted keys, doubles in their shortest exact form): everything that
// decides its sums, and nothing else.
std::string settings_json(std::span<const experiment_spec> conditions);
// The conditions back from settings_json; throws state_error on malformed
// input. With family_check::catalogue it registers the formula models the
// settings carry and refuses a family this program's catalogue lacks (a
// state is summarized by its families); with named it refuses a family that
// is neither in the catalogue nor one of those models, and compiles none;
// with none it does neither (results are reported from their own
// descriptions).
enum class family_check { catalogue, named, none };
std::vector<experiment_spec> conditions_from_settings(std::string_view json, const std::string& file,
                                                      family_check check = family_check::catalogue);
// What differs between two settings, as "key: a -> b" lines (prefixed by
// "condition K: " inside a grid); empty if equal.
std::vector<std::string> settings_differences(std::string_view before, std::string_view after);

struct experiment_state {
  std::string settings;       // settings_json of the experiment
  std::uint32_t shard = 1;    // K of N: this state holds the chunks whose ordinal is K - 1 mod N
  std::uint32_t shards = 1;   // 1 for a checkpoint
  std::map<chunk_id, std::string> chunks{};  // each chunk's accumulators, encoded (encode_chunk)
};

std::string encode_chunk(const accumulator_set& accumulators);
// Chunk `id` of the study, from its bytes in `file`: refused (state_error,
// naming the file and the chunk) unless its counts are those of its
// replications (each one a failure or an estimate, no interval or z more
// than the estimates, the histogram's counts summing to z's) and its sums of
// squares not negative. A sum may be NaN or infinite: an overflow in a run
// gives one, and the reports print it as absent.
accumulator_set decode_chunk(std::string_view bytes, const prepared_study& study, chunk_id id, const std::string& file);

// The whole file's bytes, and back; decode checks the magic, the version,
// the length and the checksum, and names `file` in every error.
std::string encode_state(const experiment_state& state);
experiment_state decode_state(std::string_view bytes, const std::string& file);
experiment_state read_state(const std::filesystem::path& file);

// The chunks of shard K of N: those whose ordinal in all_chunks is K - 1 mod N.
std::vector<chunk_id> shard_chunks(std::span<const experiment_spec> conditions, std::uint32_t shard,
                                   std::uint32_t shards);

// Runs the given chunks (in parallel) into shard K of N's state.
experiment_state run_to_state(const prepared_study& study, std::span<const chunk_id> chunks, std::uint32_t shard,
                              std::uint32_t shards, const progress_callback& progress = {});
// The results from encoded chunks that hold every chunk the study needs,
// each with the file it came from (named in errors); `source` names them all
// in the error for a missing one.
std::vector<experiment_result> summarize_encoded(const prepared_study& study,
                                                 const std::map<chunk_id, std::pair<std::string, std::string>>& chunks,
                                                 const std::string& source);

// "chunk 3 of n = 10" or "chunk 3 of n = 10 in condition 2".
std::string describe_chunk(std::span<const experiment_spec> conditions, chunk_id id);

// The file names a run writes for an experiment.
std::string shard_file_name(const std::string& experiment, std::uint32_t shard, std::uint32_t shards);
std::string checkpoint_file_name(const std::string& experiment);

}  // namespace mlesim
