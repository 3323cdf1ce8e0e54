#include "sim/experiment.hpp"
#include "sim/measures.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <numeric>
#include <vector>

using namespace mlesim;

namespace {

// A small run written out by hand: estimates, estimated SEs, truth 1.
const std::vector<double> estimates{1.3, 0.8, 1.1, 0.95, 1.6, 0.7, 1.05, 1.2};
const std::vector<double> ses{0.2, 0.25, 0.22, 0.18, 0.3, 0.21, 0.19, 0.24};
constexpr double truth = 1.0, critical = 1.959963984540054;

estimand_accumulator accumulate(std::size_t begin, std::size_t end, double z_scale) {
  estimand_accumulator acc;
  for (std::size_t i = begin; i < end; ++i) {
    acc.add_estimate(estimates[i] - truth);
    acc.fisher.add(ses[i] * ses[i], estimates[i] - critical * ses[i], estimates[i] + critical * ses[i], truth,
                   estimates[i] - truth);
    acc.add_z((estimates[i] - truth) / z_scale);
  }
  return acc;
}

}  // namespace

TEST_CASE("measures: MCSE formulas match a direct computation (Morris et al. 2019, Table 6)") {
  const double r = static_cast<double>(estimates.size());
  const double crlb = 0.04;
  const auto m = summarize(accumulate(0, estimates.size(), std::sqrt(crlb)), estimates.size(), truth, crlb, std::sqrt(crlb));

  const double mean = std::accumulate(estimates.begin(), estimates.end(), 0.0) / r;
  double ss = 0, mse = 0;
  for (double x : estimates) {
    ss += (x - mean) * (x - mean);
    mse += (x - truth) * (x - truth) / r;
  }
  const double emp_se = std::sqrt(ss / (r - 1));
  double mse_dev = 0;
  for (double x : estimates) mse_dev += std::pow((x - truth) * (x - truth) - mse, 2);
  double mean_var = 0;
  for (double s : ses) mean_var += s * s / r;
  double var_var = 0;
  for (double s : ses) var_var += std::pow(s * s - mean_var, 2) / (r - 1);
  int covered = 0;
  for (std::size_t i = 0; i < estimates.size(); ++i) covered += std::abs(estimates[i] - truth) <= critical * ses[i];
  const double coverage = covered / r;

  CHECK(*m.mean == doctest::Approx(mean));
  CHECK(*m.bias.value == doctest::Approx(mean - truth));
  CHECK(*m.bias.mcse == doctest::Approx(emp_se / std::sqrt(r)));
  CHECK(*m.emp_se.value == doctest::Approx(emp_se));
  // Two-pass central moments of the errors, population (1/R) scaling.
  double mu2 = 0, mu4 = 0;
  for (double x : estimates) {
    mu2 += std::pow(x - mean, 2) / r;
    mu4 += std::pow(x - mean, 4) / r;
  }
  CHECK(*m.emp_se.mcse == doctest::Approx(std::sqrt((mu4 - mu2 * mu2) / r) / (2 * emp_se)));
  CHECK(*m.mse.value == doctest::Approx(mse));
  CHECK(*m.mse.mcse == doctest::Approx(std::sqrt(mse_dev / (r * (r - 1)))));
  CHECK(*m.fisher.model_se.value == doctest::Approx(std::sqrt(mean_var)));
  CHECK(*m.fisher.model_se.mcse == doctest::Approx(std::sqrt(var_var / (4 * r * mean_var))));
  const double ratio = std::sqrt(mean_var) / emp_se;
  CHECK(*m.fisher.model_se_relerr.value == doctest::Approx(ratio - 1));
  // Delta method on log ratio, v = se^2: 1/4 [Var v / V^2 + (mu4 - mu2^2) / mu2^2
  // - 2 Cov(v, (e - e-bar)^2) / (V mu2)] / R, every moment in two passes.
  double var_v = 0, cov_v_e2 = 0;
  for (std::size_t i = 0; i < estimates.size(); ++i) {
    const double v = ses[i] * ses[i] - mean_var;
    var_v += v * v / r;
    cov_v_e2 += v * (std::pow(estimates[i] - mean, 2) - mu2) / r;
  }
  const double log_ratio_variance =
      (var_v / (mean_var * mean_var) + (mu4 - mu2 * mu2) / (mu2 * mu2) - 2 * cov_v_e2 / (mean_var * mu2)) / (4 * r);
  CHECK(*m.fisher.model_se_relerr.mcse == doctest::Approx(ratio * std::sqrt(log_ratio_variance)));
  CHECK(*m.fisher.coverage.value == doctest::Approx(coverage));
  CHECK(*m.fisher.coverage.mcse == doctest::Approx(std::sqrt(coverage * (1 - coverage) / r)));
  CHECK(*m.var_over_crlb.value == doctest::Approx(emp_se * emp_se / crlb));

  // Skewness and kurtosis of z, with population (1/R) moments.
  double m2 = 0, m3 = 0, m4 = 0;
  for (double x : estimates) {
    const double d = x - mean;
    m2 += d * d / r;
    m3 += d * d * d / r;
    m4 += d * d * d * d / r;
  }
  CHECK(*m.skewness.value == doctest::Approx(m3 / std::pow(m2, 1.5)));
  CHECK(*m.excess_kurtosis.value == doctest::Approx(m4 / (m2 * m2) - 3));
  CHECK(*m.variance.mcse == doctest::Approx(std::sqrt((m4 - m2 * m2) / r)));
}

TEST_CASE("measures: centred sums and co-moments joined from parts equal a direct two-pass computation") {
  // Errors with a bias large against their spread: raw power sums about 0 would lose the
  // fourth central moment here. Every split point, joined both ways round.
  std::vector<double> e, v;
  for (std::size_t i = 0; i < estimates.size(); ++i) {
    e.push_back(1e3 + estimates[i]);
    v.push_back(ses[i] * ses[i] * (1 + estimates[i]));
  }
  const double r = static_cast<double>(e.size());
  const double e_bar = std::accumulate(e.begin(), e.end(), 0.0) / r, v_bar = std::accumulate(v.begin(), v.end(), 0.0) / r;
  double m2 = 0, m3 = 0, m4 = 0, c_ve = 0, c_vee = 0, m2v = 0;
  for (std::size_t i = 0; i < e.size(); ++i) {
    const double d = e[i] - e_bar, dv = v[i] - v_bar;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
    m2v += dv * dv;
    c_ve += dv * d;
    c_vee += dv * d * d;
  }
  const auto tally = [&](std::size_t begin, std::size_t end) {
    interval_tally t;
    for (std::size_t i = begin; i < end; ++i) t.add(v[i], 0, 1, 0.5, e[i]);
    return t;
  };
  const auto check = [&](const interval_tally& t) {
    CHECK(t.errors.count == e.size());
    CHECK(t.errors.mean == doctest::Approx(e_bar).epsilon(1e-14));
    CHECK(t.errors.m2 == doctest::Approx(m2).epsilon(1e-12));
    CHECK(t.errors.m3 == doctest::Approx(m3).epsilon(1e-10));
    CHECK(t.errors.m4 == doctest::Approx(m4).epsilon(1e-12));
    CHECK(t.variances.m2 == doctest::Approx(m2v).epsilon(1e-12));
    CHECK(t.c_ve == doctest::Approx(c_ve).epsilon(1e-12));
    CHECK(t.c_vee == doctest::Approx(c_vee).epsilon(1e-10));
    CHECK(t.covered == e.size());
  };
  check(tally(0, e.size()));
  for (std::size_t split = 0; split <= e.size(); ++split) {
    CAPTURE(split);
    auto left = tally(0, split);
    left.merge(tally(split, e.size()));
    check(left);
    auto right = tally(split, e.size());
    right.merge(tally(0, split));
    check(right);
  }
}

TEST_CASE("measures: joining two halves gives the whole") {
  const auto whole = accumulate(0, 8, 0.2);
  auto left = accumulate(0, 3, 0.2);
  left.merge(accumulate(3, 8, 0.2));
  CHECK(left.errors.count == whole.errors.count);
  CHECK(left.errors.mean == doctest::Approx(whole.errors.mean).epsilon(1e-14));
  CHECK(left.errors.m2 == doctest::Approx(whole.errors.m2).epsilon(1e-14));
  CHECK(left.fisher.variances.m2 == doctest::Approx(whole.fisher.variances.m2).epsilon(1e-14));
  CHECK(left.fisher.covered == whole.fisher.covered);
  CHECK(left.z_histogram == whole.z_histogram);
  for (int p = 0; p < estimand_accumulator::z_powers; ++p)
    CHECK(left.z_sums[static_cast<std::size_t>(p)] == doctest::Approx(whole.z_sums[static_cast<std::size_t>(p)]));
}

TEST_CASE("measures: skewness and kurtosis MCSEs reduce to 6/R and 24/R for normal moments") {
  estimand_accumulator acc;
  acc.z_count = 1'000'000;
  const std::array<double, 8> normal_raw{0, 1, 0, 3, 0, 15, 0, 105};
  for (std::size_t p = 0; p < 8; ++p) acc.z_sums[p] = normal_raw[p] * 1e6;
  acc.errors.count = 1'000'000;
  acc.errors.m2 = 1e6;
  const auto m = summarize(acc, 1'000'000, 0, 1.0, 1.0);
  CHECK(*m.skewness.mcse == doctest::Approx(std::sqrt(6e-6)));
  CHECK(*m.excess_kurtosis.mcse == doctest::Approx(std::sqrt(24e-6)));
}

TEST_CASE("measures: measures without Fisher information are empty, not zero") {
  estimand_accumulator acc;
  acc.add_estimate(0.1);
  acc.add_estimate(-0.2);
  const auto m = summarize(acc, 2, 3.0, std::nullopt, std::nullopt);
  CHECK(m.bias.value);
  CHECK_FALSE(m.crlb);
  CHECK_FALSE(m.fisher.coverage.value);
  CHECK_FALSE(m.fisher.model_se.value);
  CHECK_FALSE(m.var_over_crlb.value);
}

TEST_CASE("measures: a figure whose MCSE needs moments the estimate lacks is empty, the rest stay") {
  const auto all = accumulate(0, estimates.size(), 0.2);
  const auto full = summarize(all, estimates.size(), truth, 0.04, 0.2);
  REQUIRE(full.bias.value);
  REQUIRE(full.excess_kurtosis.value);
  // Only below order 9, 7, 5, 3, 2 (moment_needs: 8 kurtosis, 6 skewness,
  // 4 the spread's figures, 2 the bias): each drops exactly its own.
  struct expected {
    double below;
    bool bias, spread, skewness, kurtosis;
  };
  for (const auto& e : {expected{9, true, true, true, true}, expected{8, true, true, true, false},
                        expected{7, true, true, true, false}, expected{6, true, true, false, false},
                        expected{4.5, true, true, false, false}, expected{4, true, false, false, false},
                        expected{3, true, false, false, false}, expected{2, false, false, false, false},
                        expected{1.5, false, false, false, false}}) {
    CAPTURE(e.below);
    const auto m = summarize(all, estimates.size(), truth, 0.04, 0.2, std::nullopt, e.below);
    CHECK(m.bias.value.has_value() == e.bias);
    CHECK(m.bias.mcse.has_value() == e.bias);
    CHECK(m.mean.has_value() == e.bias);
    for (const auto* figure : {&m.emp_se, &m.mse, &m.variance, &m.var_over_crlb, &m.fisher.model_se,
                               &m.fisher.model_se_relerr}) {
      CHECK(figure->value.has_value() == e.spread);
      CHECK(figure->mcse.has_value() == e.spread);
    }
    CHECK(m.skewness.value.has_value() == e.skewness);
    CHECK(m.excess_kurtosis.value.has_value() == e.kurtosis);
    // Coverage, misses, the normality test and the counts need no moment.
    CHECK(m.fisher.coverage.value == full.fisher.coverage.value);
    CHECK(m.fisher.miss_below.value == full.fisher.miss_below.value);
    CHECK(m.normality.statistic == full.normality.statistic);
    CHECK(m.used == full.used);
    CHECK(figures_without_moments(e.below).empty() == e.kurtosis);
  }
}

TEST_CASE("measures: log MSE slope recovers an exact power law") {
  const std::vector<double> n{10, 100, 1000};
  const std::vector<double> mse{0.5, 0.005, 0.00005}, mcse{0.01, 0.0001, 0.000001};
  const auto fit = log_mse_slope(n, mse, mcse);
  REQUIRE(fit);
  CHECK(fit->slope == doctest::Approx(-2));
  // Var(slope) = sum w_i^2 (mcse_i / mse_i)^2, with w = (x - mean x) / Sxx.
  const double l = std::log(10.0), sxx = 2 * l * l;
  CHECK(fit->se == doctest::Approx(std::sqrt(std::pow(-l / sxx * 0.02, 2) + std::pow(l / sxx * 0.02, 2))));
  CHECK_FALSE(log_mse_slope(std::vector<double>{10}, std::vector<double>{1}, std::vector<double>{0.1}));
}

TEST_CASE("measures: the normality test accepts N(0,1) and rejects a shifted z") {
  // Normal quantiles at equally spaced probabilities fill every class evenly.
  estimand_accumulator even, shifted;
  for (int i = 0; i < 10000; ++i) {
    // Inverse of Phi by bisection: exact enough for binning.
    const double u = (i + 0.5) / 10000;
    double low = -10, high = 10;
    for (int k = 0; k < 80; ++k) {
      const double mid = (low + high) / 2;
      (0.5 * std::erfc(-mid / std::sqrt(2.0)) < u ? low : high) = mid;
    }
    even.add_z(low);
    shifted.add_z(low + 0.2);
  }
  const auto ok = chi_squared_normality(even);
  REQUIRE(ok.statistic);
  CHECK(*ok.statistic < 1e-6);
  CHECK(*ok.p_value > 0.999);
  CHECK(*chi_squared_normality(shifted).p_value < 1e-10);
}

namespace {

// The spread (SD over seeds) of a figure divided by the root-mean-square of
// its reported MCSE: 1 where the MCSE is right.
double spread_over_mcse(const std::vector<estimate_with_mcse>& runs) {
  double mean = 0, mean_square_mcse = 0;
  for (const auto& run : runs) {
    mean += *run.value / static_cast<double>(runs.size());
    mean_square_mcse += *run.mcse * *run.mcse / static_cast<double>(runs.size());
  }
  double ss = 0;
  for (const auto& run : runs) ss += (*run.value - mean) * (*run.value - mean);
  return std::sqrt(ss / static_cast<double>(runs.size() - 1)) / std::sqrt(mean_square_mcse);
}

}  // namespace

TEST_CASE("measures: the MCSEs of emp_se and model_se_relerr match their spread over 200 seeds") {
  // Two estimators far from normal: the gamma shape at n = 20 (excess kurtosis about 3, its
  // s^2 correlated with its error) and the lattice-valued geometric mean at n = 3. With 200
  // seeds an SD's ratio to the true SD is sqrt(chi2_199 / 199) for a normal figure, outside
  // 0.85..1.15 with probability 0.0027 (0.0012 below, 0.0016 above): 0.014 over the five
  // ratios, a little more for these not quite normal figures (fixed seeds).
  constexpr int seeds = 200;
  constexpr std::uint64_t reps = 2'000;
  experiment_spec gamma{.name = "mcse-calibration", .family = "gamma", .theta = {2.5, 1.5}, .estimands = {"shape"},
                        .seed = 0, .replications = reps, .sample_sizes = {20}};
  experiment_spec geometric{.name = "mcse-calibration", .family = "geometric", .theta = {0.3}, .estimands = {"mean"},
                            .seed = 0, .replications = reps, .sample_sizes = {3}};
  std::vector<estimate_with_mcse> shape_emp_se, shape_relerr, shape_alternative_emp_se, mean_emp_se, mean_relerr;
  for (int s = 1; s <= seeds; ++s) {
    gamma.seed = geometric.seed = 20261125 + static_cast<std::uint64_t>(s);
    const measures shape = simulate(gamma).rows.front().m;
    const measures mean = simulate(geometric).rows.front().m;
    REQUIRE(shape.alternative);
    shape_emp_se.push_back(shape.emp_se);
    shape_relerr.push_back(shape.fisher.model_se_relerr);
    shape_alternative_emp_se.push_back(shape.alternative->emp_se);
    mean_emp_se.push_back(mean.emp_se);
    mean_relerr.push_back(mean.fisher.model_se_relerr);
  }
  for (const auto& [name, runs] : {std::pair{std::string("gamma shape emp_se"), &shape_emp_se},
                                   std::pair{std::string("gamma shape model_se_relerr"), &shape_relerr},
                                   std::pair{std::string("gamma shape alternative emp_se"), &shape_alternative_emp_se},
                                   std::pair{std::string("geometric mean emp_se"), &mean_emp_se},
                                   std::pair{std::string("geometric mean model_se_relerr"), &mean_relerr}}) {
    const double ratio = spread_over_mcse(*runs);
    INFO(name, ": spread / MCSE = ", ratio);
    CHECK(ratio >= 0.85);
    CHECK(ratio <= 1.15);
  }
}
