// A state's or results file's settings (sim/state.hpp) read back only when
// they describe a study this program can run and report: well-formed JSON
// with a right checksum may still name an estimand, a sample size or a count
// the model cannot have, which the runner and the reports would index out of
// range.
#include "loader/config.hpp"
#include "sim/state.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

using namespace mlesim;
using json = nlohmann::json;

namespace {

std::vector<experiment_spec> conditions_of(const std::string& config) {
  return load_experiment(std::string(MLESIM_SOURCE_ROOT) + "/experiments/" + config).conditions;
}

// The message the edited settings get, or "" if they are read.
std::string problem_of(const std::vector<experiment_spec>& conditions, const std::function<void(json&)>& edit,
                       family_check check = family_check::catalogue) {
  json settings = json::parse(settings_json(conditions));
  edit(settings["conditions"][0]);
  try {
    conditions_from_settings(settings.dump(), "edited.state", check);
  } catch (const state_error& e) {
    return e.what();
  }
  return {};
}

}  // namespace

TEST_CASE("settings: the shipped configs' settings read back as they were") {
  for (const char* config : {"normal.toml", "linear_regression.toml", "logistic_regression.toml",
                             "misspecified-normal-t.toml", "grid-gamma-shape.toml"}) {
    CAPTURE(config);
    const auto conditions = conditions_of(config);
    CHECK(settings_json(conditions_from_settings(settings_json(conditions), "x")) == settings_json(conditions));
    CHECK(problem_of(conditions, [](json&) {}).empty());
  }
}

TEST_CASE("settings: an estimand, a size or a count the model cannot have is refused, naming it") {
  const auto normal = conditions_of("normal.toml");
  CHECK(problem_of(normal, [](json& c) { c["estimands"].push_back("nope"); }).find("its estimand nope is none of") !=
        std::string::npos);
  CHECK(problem_of(normal, [](json& c) { c["theta"].push_back(1.0); }).find("it gives 3 parameters") !=
        std::string::npos);
  CHECK(problem_of(normal, [](json& c) { c["estimands"] = json::array(); }).find("no estimands") != std::string::npos);

  const auto linear = conditions_of("linear_regression.toml");  // a fixed design of some 1000 rows
  CHECK(problem_of(linear, [](json& c) { c["sample_sizes"].push_back(1u << 20); })
            .find("exceeds its design's") != std::string::npos);
  CHECK(problem_of(linear, [](json& c) { c["regression"]["model"] = "no_such_regression"; })
            .find("its regression model no_such_regression is not one of") != std::string::npos);
  CHECK(problem_of(linear, [](json& c) { c["estimands"].push_back("nope"); }).find("its estimand nope") !=
        std::string::npos);
  CHECK(problem_of(linear, [](json& c) { c["regression"]["combinations"][0]["weights"].push_back(1.0); })
            .find("weights for 4 parameters") != std::string::npos);
  CHECK(problem_of(linear, [](json& c) { c["regression"]["design"].erase(0); }).find("its design has") !=
        std::string::npos);

  const auto logistic = conditions_of("logistic_regression.toml");  // a random design
  CHECK(problem_of(logistic, [](json& c) { c["regression"]["covariates"].erase(0); }).find("covariates for") !=
        std::string::npos);

  // Results are read without the catalogue's families, but their shapes are still checked.
  CHECK(problem_of(linear, [](json& c) { c["sample_sizes"].push_back(1u << 20); }, family_check::none)
            .find("exceeds its design's") != std::string::npos);
}

TEST_CASE("settings: a name that would write outside the output folder, or over its index, is refused") {
  const auto normal = conditions_of("normal.toml");
  for (const char* name : {"../../pwned", "/tmp/pwned", "", ".", ".hidden", "a/b", "a\nb", "index", "INDEX"}) {
    CAPTURE(name);
    for (const auto check : {family_check::catalogue, family_check::named, family_check::none}) {
      const std::string problem = problem_of(normal, [&](json& c) { c["name"] = name; }, check);
      CHECK(problem.rfind("edited.state: its experiment name is ", 0) == 0);
    }
  }
  CHECK(problem_of(normal, [](json& c) { c["name"] = "a\nb"; }).find("\"a\\nb\"") != std::string::npos);  // shown escaped
  CHECK(problem_of(normal, [](json& c) { c["name"] = "index"; }).find("the output folder's index") != std::string::npos);
  CHECK(problem_of(normal, [](json& c) { c["name"] = "normal-2.v1"; }).empty());
  // One rule for a config and a file: the loader's.
  CHECK(experiment_name_problem("../evil") == experiment_name_problem(".."));
  CHECK_FALSE(experiment_name_problem("index").empty());
  CHECK_THROWS_WITH_AS(parse_experiment("[experiment]\nname = \"Index\"\nreplications = 10\nsample_sizes = [5]\n"
                                        "[generate]\nfamily = \"exponential\"\nparams = { rate = 1 }\n",
                                        "index.toml"),
                       doctest::Contains("index.toml:2:8: [experiment].name is 'Index', but its index.md"), input_error);
}

TEST_CASE("settings: what the config loader refuses is refused read back, naming the file") {
  const auto gamma = conditions_of("gamma.toml");
  const std::vector<std::pair<std::function<void(json&)>, std::string>> cases{
      {[](json& c) { c["level"] = 2.0; }, "its level is 2"},
      {[](json& c) { c["level"] = -0.5; }, "its level is -0.5"},
      {[](json& c) { c["level"] = 1 - 1e-17; }, "its level is 1"},
      {[](json& c) { c["sample_sizes"] = {0, 30, 100}; }, "its sample size 0 is not in"},
      {[](json& c) { c["sample_sizes"] = {30, 10, 100}; }, "strictly increasing, but 10 follows 30"},
      {[](json& c) { c["sample_sizes"] = {10, 10, 100}; }, "strictly increasing, but 10 follows 10"},
      {[](json& c) { c["sample_sizes"] = {1, 10}; }, "its sample size 1 is too small: the gamma MLE needs n >= 2"},
      {[](json& c) { c["estimands"] = {"shape", "shape", "mean"}; }, "it lists the estimand shape twice"},
      {[](json& c) { c["targets"] = json::array({json::array({"nosuch", 0.01})}); }, "its target MCSE of nosuch"},
      {[](json& c) { c["targets"] = json::array({json::array({"bias", 0.0})}); }, "its target MCSE of bias is 0"},
      {[](json& c) { c["theta"] = {-2.5, 1.5}; }, "its true values are out of the gamma parameter space"},
      {[](json& c) { c["replications"] = 1; }, "its replications are 1, but must be in [2,"},
      {[](json& c) { c["seed"] = std::uint64_t{1} << 63; }, "its seed 9223372036854775808 exceeds"},
  };
  for (const auto& [edit, message] : cases) {
    CAPTURE(message);
    // Checked whether the family is compiled (merge), named or only described (report).
    for (const auto check : {family_check::catalogue, family_check::named, family_check::none}) {
      const std::string problem = problem_of(gamma, edit, check);
      CAPTURE(problem);
      CHECK(problem.rfind("edited.state: ", 0) == 0);
      CHECK(problem.find(message) != std::string::npos);
    }
  }
  // A regression's: its variance and its smallest sample size.
  const auto linear = conditions_of("linear_regression.toml");
  CHECK(problem_of(linear, [](json& c) { c["theta"].back() = -1.0; }).find("out of the model's parameter space") !=
        std::string::npos);
  CHECK(problem_of(linear, [](json& c) { c["sample_sizes"] = {2, 50}; }).find("too small for the linear") !=
        std::string::npos);
  // A grid's conditions are of one experiment.
  const auto grid = conditions_of("grid-gamma-shape.toml");
  json settings = json::parse(settings_json(grid));
  settings["conditions"][1]["name"] = "other";
  CHECK_THROWS_WITH_AS(conditions_from_settings(settings.dump(), "grid.state"),
                       doctest::Contains("grid.state: its conditions name two experiments"), state_error);
}

namespace {

// A one-chunk state of the exponential (16 replications at n = 5), its chunk
// edited, read back as merge reads it.
std::string chunk_problem_of(const std::function<void(estimand_accumulator&)>& edit) {
  const experiment_spec spec{.name = "chunk", .family = "exponential", .theta = {2}, .estimands = {"rate"},
                             .seed = 1, .replications = 16, .sample_sizes = {5}};
  const prepared_study study = prepare(std::vector<experiment_spec>{spec});
  const chunk_id id{0, 0, 0};
  accumulator_set accumulators = study.front()->run_chunk(id);
  edit(accumulators.front());
  try {
    decode_chunk(encode_chunk(accumulators), study, id, "edited.state");
  } catch (const state_error& e) {
    return e.what();
  }
  return {};
}

}  // namespace

TEST_CASE("settings: a chunk whose counts are not its replications' is refused, naming the file and the chunk") {
  CHECK(chunk_problem_of([](estimand_accumulator&) {}).empty());
  CHECK(chunk_problem_of([](estimand_accumulator& a) { a.z_sums[0] = NAN; }).empty());  // an overflow makes one
  const std::vector<std::pair<std::function<void(estimand_accumulator&)>, std::string>> cases{
      {[](estimand_accumulator& a) { a.failures = 1'000'000'000'000'000'000; }, "failures and 16 estimates in 16"},
      {[](estimand_accumulator& a) { a.errors.count = 0; }, "0 failures and 0 estimates in 16"},
      {[](estimand_accumulator& a) { a.fisher.covered += 1; }, "an interval tally"},
      {[](estimand_accumulator& a) { a.z_count = 17; }, "17 z values for 16 estimates"},
      {[](estimand_accumulator& a) { a.z_histogram[3] += 1; }, "a histogram of more than its 16 z values"},
      {[](estimand_accumulator& a) { a.errors.m2 = -1; }, "a negative sum of squares"},
      {[](estimand_accumulator& a) { a.sum_error4 = -INFINITY; }, "a negative sum of squares"},
  };
  for (const auto& [edit, message] : cases) {
    const std::string problem = chunk_problem_of(edit);
    CAPTURE(problem);
    CHECK(problem.rfind("edited.state: not a usable state file: chunk 1 of n = 5: estimand rate: ", 0) == 0);
    CHECK(problem.find(message) != std::string::npos);
  }
}

TEST_CASE("settings: a state of more shards than --shard allows is refused; offsets count from the file's start") {
  experiment_state state{.settings = settings_json(conditions_of("normal.toml")), .shard = 1, .shards = max_shards};
  CHECK_NOTHROW(decode_state(encode_state(state), "ok.state"));
  state.shards = max_shards + 1;
  CHECK_THROWS_WITH_AS(decode_state(encode_state(state), "huge.state"),
                       doctest::Contains("huge.state: not a usable state file: shard 1 of 65537"), state_error);
  state.shards = 4294967295u;
  CHECK_THROWS_AS(decode_state(encode_state(state), "huge.state"), state_error);
  // The magic and version, then 8 bytes that should be the length: truncated at byte 12.
  const std::string bytes = encode_state(experiment_state{.settings = "{}"});
  CHECK_THROWS_WITH_AS(decode_state(bytes.substr(0, 12), "short.state"),
                       doctest::Contains("short.state: not a usable state file: truncated at byte 12"), state_error);
  CHECK_THROWS_WITH_AS(decode_state(bytes + "x", "long.state"),
                       doctest::Contains(fmt::format("trailing bytes at byte {}", bytes.size()).c_str()), state_error);
}
