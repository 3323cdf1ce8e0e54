#include "loader/config.hpp"
#include "sim/catalogue.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>
#include <unistd.h>

using namespace mlesim;

namespace {

const std::string valid = R"([experiment]
name = "ok"
seed = 5
replications = 100
sample_sizes = [10, 20]

[generate]
family = "gamma"
params = { shape = 2.0, rate = 1 }
)";

// The message a bad config gets; fails the test if the config is accepted.
std::string error_of(const std::string& text) {
  try {
    parse_experiment(text, "bad.toml");
  } catch (const input_error& e) {
    return e.what();
  }
  FAIL("accepted a bad config");
  return {};
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("config: a valid config becomes plain data with defaults") {
  const auto config = parse_experiment(valid, "ok.toml");
  CHECK(config.spec.name == "ok");
  CHECK(config.spec.seed == 5);
  CHECK(config.spec.replications == 100);
  CHECK(config.spec.sample_sizes == std::vector<std::uint64_t>{10, 20});
  CHECK(config.spec.level == 0.95);
  CHECK(config.spec.family == "gamma");
  CHECK(config.spec.theta == std::vector<double>{2.0, 1.0});
  CHECK(config.spec.estimands == std::vector<std::string>{"shape", "rate"});
  CHECK(config.false_failure_rate == 0.01);
}

TEST_CASE("config: fit estimands and checks are read") {
  const auto config = parse_experiment(valid + R"(
[fit]
family = "gamma"
estimands = ["mean", "shape"]

[[check]]
property = "coverage"
estimand = "mean"
n_min = 20
target = 0.95
expect = "fail"
)", "ok.toml");
  CHECK(config.spec.estimands == std::vector<std::string>{"mean", "shape"});
  REQUIRE(config.checks.size() == 1);
  CHECK(config.checks[0].property == "coverage");
  CHECK(config.checks[0].n_min == 20);
  CHECK(*config.checks[0].target == 0.95);
  CHECK_FALSE(config.checks[0].expect_pass);
  CHECK(config.checks[0].location == "ok.toml:15:1");
}

TEST_CASE("config: each bad input names the file, line, column and key") {
  struct bad_case {
    std::string from, to, message;
  };
  const bad_case cases[] = {
      {"seed = 5", "sed = 5", "bad.toml:3:1: unknown key 'sed' in [experiment]"},
      {"replications = 100", "replications = \"100\"", "bad.toml:4:16: [experiment].replications must be an integer, got a string"},
      {"replications = 100", "replications = 1", "bad.toml:4:16: [experiment].replications is 1, but must be in [2,"},
      {"sample_sizes = [10, 20]", "sample_sizes = []", "bad.toml:5:16: [experiment].sample_sizes is empty"},
      {"sample_sizes = [10, 20]", "sample_sizes = [10, 0]", "bad.toml:5:21: [experiment].sample_sizes is 0, but must be in [1,"},
      {"sample_sizes = [10, 20]", "sample_sizes = [20, 10]", "bad.toml:5:21: [experiment].sample_sizes must be strictly increasing"},
      {"sample_sizes = [10, 20]", "sample_sizes = [1, 20]", "bad.toml:5:16: [experiment].sample_sizes has 1, but the gamma MLE needs n >= 2"},
      {"shape = 2.0", "shape = -2.0", "bad.toml:9:10: [generate].params is out of the gamma parameter space: shape is -2, but must be > 0"},
      {"shape = 2.0", "shap = 2.0", "bad.toml:9:12: unknown parameter 'shap' in [generate].params: gamma has shape, rate"},
      {"shape = 2.0, ", "", "bad.toml:9:10: [generate].params lacks shape"},
      {"\"gamma\"", "\"gama\"", "bad.toml:8:10: [generate].family 'gama' is not a known family"},
      {"name = \"ok\"", "name = \"a/b\"", "bad.toml:2:8: [experiment].name is 'a/b', but must be letters"},
      {"name = \"ok\"", "", "bad.toml:1:1: missing key [experiment].name"},
      {"seed = 5", "seed = 5\nlevel = 1.5", "bad.toml:4:9: [experiment].level is 1.5, but must be in (0, 1)"},
      {"rate = 1", "rate = nan", "bad.toml:9:32: [generate].params.rate is nan, but must be finite"},
      {"[generate]", "[generat]", "bad.toml:7:2: unknown key 'generat' in the top level"},
      {"replications = 100", "replications = 100\nreplications = 3", "bad.toml:5:16: Error while parsing key-value pair: cannot redefine existing integer 'replications'"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.to);
    const std::string message = error_of(replaced(valid, c.from, c.to));
    CAPTURE(message);
    CHECK(message.find(c.message) != std::string::npos);
  }
  // A missing table is named as a table, not "the top level.experiment".
  CHECK(error_of("") == "bad.toml:1:1: missing key [experiment]");
  CHECK(error_of("\xef\xbb\xbf") == "bad.toml:1:1: missing key [experiment]");
}

TEST_CASE("config: a misspecified fit names the fitted family and its estimands") {
  const auto config = parse_experiment(valid + "[fit]\nfamily = \"exponential\"\nestimands = [\"mean\"]\n", "ok.toml");
  CHECK(config.spec.family == "gamma");
  CHECK(config.spec.fit_family == "exponential");
  CHECK(config.spec.estimands == std::vector<std::string>{"mean"});
}

TEST_CASE("config: bad fit and check tables") {
  CHECK(error_of(valid + "[fit]\nestimands = [\"shape\", \"median\"]\n").find(
            "bad.toml:11:23: [fit].estimands has 'median', which gamma does not know (known: shape, rate, mean, scale)") !=
        std::string::npos);
  CHECK(error_of(valid + "[fit]\nfamily = \"poisson\"\n").find(
            "bad.toml:11:10: [fit].family 'poisson' lives on {0, 1, 2, ...}, which does not hold every value of gamma "
            "data ((0, inf))") != std::string::npos);
  CHECK(error_of(valid + "[fit]\nfamily = \"uniform\"\n").find("is non-regular") != std::string::npos);
  CHECK(error_of(valid + "[fit]\nfamily = \"normal\"\nestimands = [\"shape\"]\n").find(
            "[fit].estimands has 'shape', which normal does not know") != std::string::npos);
  CHECK(error_of(valid + "[[check]]\nproperty = \"speed\"\nestimand = \"shape\"\n").find(
            "bad.toml:11:12: [[check]].property 'speed' is not one of") != std::string::npos);
  CHECK(error_of(valid + "[[check]]\nproperty = \"bias\"\nestimand = \"mean\"\n").find(
            "'mean' is not among this experiment's estimands") != std::string::npos);
  CHECK(error_of(valid + "[[check]]\nproperty = \"bias\"\nestimand = \"shape\"\nexpect = \"maybe\"\n").find(
            "[[check]].expect is 'maybe'") != std::string::npos);
}

TEST_CASE("config: checks that cannot be judged are refused") {
  const std::string uniform = R"([experiment]
name = "u"
replications = 10
sample_sizes = [10, 20]
[generate]
family = "uniform"
params = { theta = 1 }
)";
  CHECK(error_of(uniform + "[[check]]\nproperty = \"coverage\"\nestimand = \"theta\"\n").find(
            "needs the Fisher information, which the non-regular uniform family does not have") != std::string::npos);
  CHECK(error_of(valid + "[[check]]\nproperty = \"normality\"\nestimand = \"shape\"\ntarget = 0\n").find(
            "normality takes no target") != std::string::npos);
  CHECK(error_of(valid + "[[check]]\nproperty = \"bias\"\nestimand = \"shape\"\nn_min = 500\n").find(
            "bad.toml:10:1: [[check]] bias of shape applies to 0 of the sample sizes") != std::string::npos);
  CHECK(error_of(valid + "[[check]]\nproperty = \"consistency\"\nestimand = \"shape\"\nn_min = 20\n").find(
            "applies to 1 of the sample sizes; it needs two or more") != std::string::npos);
  CHECK(error_of(valid + "[[check]]\nproperty = \"bias\"\nestimand = \"shape\"\ninterval = \"sandwich\"\n").find(
            "interval applies to coverage and model_se checks only") != std::string::npos);
}

TEST_CASE("config: a missing file is an input error naming it") {
  CHECK_THROWS_WITH_AS(load_experiment("/nonexistent/x.toml"),
                       "/nonexistent/x.toml: cannot open the config file: No such file or directory", input_error);
}

TEST_CASE("config: /dev/zero is refused after a bounded read, not read until the memory runs out") {
  if (!std::filesystem::exists("/dev/zero")) return;
  CHECK_THROWS_WITH_AS(load_experiment("/dev/zero"), "/dev/zero: larger than 1024 KiB: is this a TOML config?",
                       input_error);
}

TEST_CASE("config: a binary config's parse error shows its bytes escaped") {
  const std::string message = error_of(std::string("\x01\x1b[31m = 1\n"));
  CAPTURE(message);
  CHECK(message.find('\x1b') == std::string::npos);
  CHECK(message.rfind("bad.toml:1:1: ", 0) == 0);
}

TEST_CASE("config: check targets that no figure can have are refused") {
  const auto check = [&](const std::string& property, const std::string& target) {
    return error_of(valid + "[[check]]\nproperty = \"" + property + "\"\nestimand = \"shape\"\ntarget = " + target + "\n");
  };
  CHECK(check("coverage", "2").find("bad.toml:13:10: [[check]].target is 2, but a coverage must be in [0, 1]") !=
        std::string::npos);
  CHECK(check("coverage", "-0.1").find("[[check]].target is -0.1, but a coverage must be in [0, 1]") != std::string::npos);
  CHECK(check("efficiency", "-1").find("bad.toml:13:10: [[check]].target is -1, but an efficiency (variance / CRLB) "
                                       "must be > 0") != std::string::npos);
  CHECK(check("efficiency", "0").find("must be > 0") != std::string::npos);
  CHECK(check("model_se", "-1.5").find("a relative error of the model SE must be > -1") != std::string::npos);
  CHECK(parse_experiment(valid + "[[check]]\nproperty = \"coverage\"\nestimand = \"shape\"\ntarget = 0.9\n", "ok.toml")
            .checks[0].target == 0.9);
}

TEST_CASE("config: a level whose interval quantile overflows is refused at load") {
  // (1 + level) / 2 rounds to 1 in double precision: Boost's normal quantile overflows there.
  CHECK(error_of(replaced(valid, "seed = 5", "seed = 5\nlevel = 0.9999999999999999")).find(
            "bad.toml:4:9: [experiment].level is 0.9999999999999999, but its intervals' critical value, the normal "
            "quantile at (1 + level) / 2 = 1, is not a finite positive number") != std::string::npos);
  // So small that (1 + level) / 2 rounds to 0.5: z = 0, intervals of width 0.
  CHECK(error_of(replaced(valid, "seed = 5", "seed = 5\nlevel = 1e-17")).find("is not a finite positive number") !=
        std::string::npos);
  CHECK(parse_experiment(replaced(valid, "seed = 5", "seed = 5\nlevel = 0.999999999"), "ok.toml").spec.level ==
        0.999999999);
}

namespace {

// A linear-regression config on a design file with the given text.
std::string design_config(const std::string& csv, const std::string& params, bool intercept = true) {
  static int count = 0;
  const auto path = std::filesystem::temp_directory_path() /
                    ("mlesim-config-test-" + std::to_string(::getpid()) + "-" + std::to_string(++count) + ".csv");
  std::ofstream(path, std::ios::binary) << csv;
  return std::string("[experiment]\nname = \"d\"\nreplications = 10\nsample_sizes = [5]\n[generate]\n"
                     "family = \"linear_regression\"\n") +
         (intercept ? "" : "intercept = false\n") + "params = { " + params + " }\ndesign = \"" + path.string() + "\"\n";
}

}  // namespace

TEST_CASE("config: a fixed design's columns must identify their coefficients") {
  const std::string good = "a,b\n1,2\n2,1\n3,5\n4,3\n5,7\n6,0\n";
  CHECK(parse_experiment(design_config(good, "intercept = 1, a = 1, b = 1, sigma2 = 1"), "ok.toml")
            .spec.regression->design_rows == 6);
  // b = 2a in the first 5 rows (the smallest sample size), not in row 6.
  CHECK(error_of(design_config("a,b\n1,2\n2,4\n3,6\n4,8\n5,10\n6,0\n", "intercept = 1, a = 1, b = 1, sigma2 = 1"))
            .find("column 'b' is a linear combination of intercept, a in the first 5 rows") != std::string::npos);
  CHECK(error_of(design_config("a,c\n1,3\n2,3\n3,3\n4,3\n5,3\n", "intercept = 1, a = 1, c = 1, sigma2 = 1"))
            .find("column 'c' is constant in the first 5 rows") != std::string::npos);
  // Without an intercept a constant column is the intercept: fine.
  CHECK(parse_experiment(design_config("a,c\n1,3\n2,3\n3,3\n4,3\n5,3\n", "a = 1, c = 1, sigma2 = 1", false), "ok.toml")
            .spec.regression->columns == std::vector<std::string>{"a", "c"});
  CHECK(error_of(design_config("a,c\n1,0\n2,0\n3,0\n4,0\n5,0\n", "a = 1, c = 1, sigma2 = 1", false))
            .find("column 'c' is all zeros in the first 5 rows") != std::string::npos);
}

TEST_CASE("config: a design column named like a model parameter is refused") {
  CHECK(error_of(design_config("a,sigma2\n1,2\n2,1\n3,5\n4,3\n5,7\n", "intercept = 1, a = 1, sigma2 = 1"))
            .find("column 'sigma2' is named like the linear model's variance") != std::string::npos);
  CHECK(error_of(design_config("a,intercept\n1,2\n2,1\n3,5\n4,3\n5,7\n", "intercept = 1, a = 1, sigma2 = 1"))
            .find("has the column name 'intercept' twice") != std::string::npos);
}

TEST_CASE("config: a design with a byte-order mark or a header like 'column 1' is read") {
  const auto bom = parse_experiment(
      design_config("\xEF\xBB\xBF" "a,b\r\n1,2\r\n2,1\r\n3,5\r\n4,3\r\n5,7\r\n", "intercept = 1, a = 1, b = 1, sigma2 = 1"),
      "ok.toml");
  CHECK(bom.spec.regression->columns == std::vector<std::string>{"intercept", "a", "b"});
  const auto named = parse_experiment(
      design_config("column 1,b\n1,2\n2,1\n3,5\n4,3\n5,7\n", "intercept = 1, \"column 1\" = 1, b = 1, sigma2 = 1"),
      "ok.toml");
  CHECK(named.spec.regression->columns == std::vector<std::string>{"intercept", "column 1", "b"});
  CHECK(error_of(design_config("1,2\n2,1\n3,5\n4,3\n5,7\n6,1\n", "intercept = 1, sigma2 = 1"))
            .find("has no header: its first line must name the columns") != std::string::npos);
}

TEST_CASE("config: known constants go in [generate].known, each one given and valid") {
  const std::string binomial = R"([experiment]
name = "b"
replications = 10
sample_sizes = [10]

[generate]
family = "binomial"
params = { p = 0.3 }
known = { trials = 12 }
)";
  const auto config = parse_experiment(binomial, "ok.toml");
  CHECK(config.spec.known == std::vector<double>{12});
  CHECK(fitted_known(config.spec) == std::vector<double>{12});
  CHECK(error_of(replaced(binomial, "known = { trials = 12 }\n", "")).find(
            "[generate] lacks known = { trials = ... }: the binomial family's trials must be given") != std::string::npos);
  CHECK(error_of(replaced(binomial, "trials = 12", "trials = 2.5")).find(
            "bad.toml:9:9: [generate].known is invalid: trials is 2.5, but must be a whole number") != std::string::npos);
  CHECK(error_of(replaced(binomial, "trials = 12", "m = 12")).find(
            "unknown constant 'm' in [generate].known: binomial has trials") != std::string::npos);
  CHECK(error_of(replaced(binomial, "{ p = 0.3 }", "{ p = 0.3, trials = 12 }")).find(
            "'trials' is a known constant of binomial, not an estimated parameter") != std::string::npos);
  CHECK(error_of(valid + "known = { df = 3 }\n").find("the gamma family has no known constants") != std::string::npos);
  // A fitted family with known constants of its own takes them in [fit].known.
  const std::string t_fit = replaced(replaced(valid, "\"gamma\"", "\"normal\""), "{ shape = 2.0, rate = 1 }",
                                     "{ mu = 0, sigma2 = 1 }");
  const auto misspecified = parse_experiment(t_fit + "[fit]\nfamily = \"student_t\"\nknown = { df = 4 }\n", "ok.toml");
  CHECK(misspecified.spec.fit_known == std::vector<double>{4});
  CHECK(error_of(t_fit + "[fit]\nfamily = \"student_t\"\n").find("[fit] lacks known = { df = ... }") !=
        std::string::npos);
  CHECK(error_of(binomial + "[fit]\nknown = { trials = 3 }\n").find(
            "[fit].known is for a misspecified fit") != std::string::npos);
  // A support set by a known constant cannot hold another family's data.
  const std::string poisson = replaced(replaced(valid, "\"gamma\"", "\"poisson\""), "{ shape = 2.0, rate = 1 }",
                                       "{ lambda = 1 }");
  CHECK(error_of(poisson + "[fit]\nfamily = \"binomial\"\nknown = { trials = 3 }\n").find(
            "cannot be a misspecified fit") != std::string::npos);
}

TEST_CASE("config: [fit].information picks observed or expected information") {
  CHECK_FALSE(parse_experiment(valid, "ok.toml").spec.observed_information);
  CHECK(parse_experiment(valid + "[fit]\ninformation = \"observed\"\n", "ok.toml").spec.observed_information);
  CHECK(error_of(valid + "[fit]\ninformation = \"fisher\"\n").find(
            "[fit].information is 'fisher', but must be \"expected\" or \"observed\"") != std::string::npos);
}

TEST_CASE("config: a regression names its model in [generate].family, its parameters in params") {
  const std::string logistic = R"([experiment]
name = "r"
replications = 10
sample_sizes = [20, 40]

[generate]
family = "logistic_regression"
params = { intercept = -0.5, x = 1.0, g = 0.8 }

[[generate.covariate]]
name = "x"
family = "normal"
params = { mu = 0, sigma2 = 1 }

[[generate.covariate]]
name = "g"
family = "binomial"
params = { p = 0.5 }
known = { trials = 1 }

[fit]
estimands = ["x", "x_minus_g"]

[[fit.combination]]
name = "x_minus_g"
weights = { x = 1, g = -1 }
)";
  const auto config = parse_experiment(logistic, "ok.toml");
  REQUIRE(config.spec.regression);
  const auto& r = *config.spec.regression;
  CHECK(r.model == "logistic_regression");
  CHECK(r.columns == std::vector<std::string>{"intercept", "x", "g"});
  CHECK(config.spec.theta == std::vector<double>{-0.5, 1.0, 0.8});
  CHECK(r.covariates[1].known == std::vector<double>{1});
  REQUIRE(r.combinations.size() == 1);
  CHECK(r.combinations[0].weights == std::vector<double>{0, 1, -1});
  CHECK(config.spec.estimands == std::vector<std::string>{"x", "x_minus_g"});
  CHECK(error_of(replaced(logistic, "sample_sizes = [20, 40]", "sample_sizes = [3, 40]"))
            .find("the logistic_regression model has 3 coefficients: it needs n > 3") != std::string::npos);
  CHECK(error_of(replaced(logistic, "name = \"g\"", "name = \"x\"")).find("repeats a column's name") !=
        std::string::npos);
  CHECK(error_of(replaced(logistic, "family = \"normal\"", "family = \"normal_regression\"")).find(
            "[[generate.covariate]].family 'normal_regression' is not a known family") != std::string::npos);
  // A fixed design from a CSV, relative to the config's folder.
  const std::string linear = R"([experiment]
name = "l"
replications = 10
sample_sizes = [10, 1000]

[generate]
family = "linear_regression"
params = { intercept = 2.0, dose = 0.5, weight = -0.02, sigma2 = 1.5 }
design = "designs/dose_weight.csv"
)";
  const auto fixed = parse_experiment(linear, MLESIM_SOURCE_ROOT "/experiments/linear.toml");
  REQUIRE(fixed.spec.regression);
  CHECK(fixed.spec.regression->design_rows == 1000);
  CHECK(fixed.spec.regression->design.size() == 2000);
  CHECK(fixed.spec.estimands == std::vector<std::string>{"intercept", "dose", "weight", "sigma2"});
}

TEST_CASE("config: a config that fails to load takes back the models it registered") {
  // The model is fine; the experiment fits it with a parameter it lacks.
  const std::string model = R"([model.half_line]
parameters = { rate = "positive" }
support = "positive"
log_density = "log(rate) - rate * x"
draw = "-log(u1) / rate"
)";
  const std::string experiment = R"([experiment]
name = "half"
seed = 5
replications = 100
sample_sizes = [10]

[generate]
family = "half_line"
params = { rate = 2.0 }
)";
  const std::string bad = model + replaced(experiment, "rate = 2.0", "scale = 2.0");
  CHECK(error_of(bad).find("scale") != std::string::npos);
  CHECK(find_family("half_line") == nullptr);
  // The same name may then be defined otherwise (before, "defined twice").
  const std::string other = replaced(replaced(model, "log(rate) - rate * x", "log(2) + log(rate) - 2 * rate * x"),
                                     "-log(u1) / rate", "-log(u1) / (2 * rate)");
  const experiment_config config = parse_experiment(other + experiment, "good.toml");
  CHECK(config.spec.family == "half_line");
  REQUIRE(find_family("half_line") != nullptr);
  const std::vector<double> theta{1.0};
  CHECK(find_family("half_line")->log_density(theta, {}, 1.0) == doctest::Approx(std::log(2.0) - 2));
}
