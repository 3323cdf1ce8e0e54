// A state's or results file's settings (sim/state.hpp) read back only when
// they describe a study this program can run and report: well-formed JSON
// with a right checksum may still name an estimand, a sample size or a count
// the model cannot have, which the runner and the reports would index out of
// range.
#include "loader/config.hpp"
#include "sim/state.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

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
  CHECK(problem_of(linear, [](json& c) { c["sample_sizes"].push_back(1u << 30); })
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
  CHECK(problem_of(linear, [](json& c) { c["sample_sizes"].push_back(1u << 30); }, family_check::none)
            .find("exceeds its design's") != std::string::npos);
}
