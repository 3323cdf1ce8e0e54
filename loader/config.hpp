// Experiment configs: strict TOML into plain structs. Every problem is one
// line naming the file, line, column, key and value.
#pragma once

#include "sim/experiment.hpp"
#include "sim/verify.hpp"

#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mlesim {

// A bad config, data file or flag: exit 2 with what() on stderr.
class input_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A varied factor of a grid and its values, in the config's order.
struct grid_factor {
  std::string name;  // `shape`, `fit.df`, `x.mean` (covariate x's parameter)
  std::vector<double> values;
};

struct experiment_config {
  std::filesystem::path file;
  experiment_spec spec;                     // the first condition (the only one when nothing varies)
  std::vector<experiment_spec> conditions;  // every condition of the grid, in grid order
  std::vector<grid_factor> factors;         // the varied factors; empty when nothing varies
  double false_failure_rate = 0.01;
  std::vector<check_spec> checks;
};

// A grid larger than this is refused unless `--force` lifts it to the hard limit.
inline constexpr std::size_t default_max_conditions = 10'000;
inline constexpr std::size_t forced_max_conditions = 1'000'000;
struct load_options {
  std::size_t max_conditions = default_max_conditions;
};

inline constexpr std::uint64_t default_seed = 1;
inline constexpr double default_level = 0.95;
// max_sample_size, max_seed and the replications' range are in sim/experiment.hpp.
// A config is a few hundred bytes of TOML; past this it is not one.
inline constexpr std::size_t max_config_bytes = std::size_t{1} << 20;

experiment_config load_experiment(const std::filesystem::path& file, const load_options& options = {});
// Only the config's [model.NAME] tables, registered in the program's
// catalogue (`fit --models`, `models --models`); returns their names.
std::vector<std::string> load_models(const std::filesystem::path& file);
// `source` names the text in messages.
experiment_config parse_experiment(std::string_view text, const std::string& source,
                                   const load_options& options = {});

}  // namespace mlesim
