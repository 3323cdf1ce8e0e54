#include "sim/measures.hpp"

#include <boost/math/distributions/chi_squared.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace mlesim {

std::array<double, 9> central_moments(const estimand_accumulator& acc) {
  std::array<double, 9> raw{1};
  const double count = static_cast<double>(acc.z_count);
  for (int p = 1; p <= 8; ++p) raw[p] = acc.z_sums[p - 1] / count;
  const double mean = raw[1];
  std::array<double, 9> central{1, 0};
  for (int k = 2; k <= 8; ++k) {
    double sum = 0, binomial = 1;
    for (int j = 0; j <= k; ++j) {
      sum += binomial * raw[j] * std::pow(-mean, k - j);
      binomial = binomial * (k - j) / (j + 1);
    }
    central[k] = sum;
  }
  return central;
}

normality_test chi_squared_normality(const estimand_accumulator& acc) {
  normality_test result;
  const double count = static_cast<double>(acc.z_count);
  // Classes: the divisor of the bin count nearest below 2 R^0.4 (Mann & Wald's
  // order of growth) that still expects 5 per class.
  constexpr std::array<int, 14> divisors{1000, 500, 250, 200, 125, 100, 50, 40, 25, 20, 10, 8, 5, 4};
  const double wanted = 2 * std::pow(count, 0.4);
  int classes = 0;
  for (int k : divisors) {
    if (k <= wanted && count / k >= 5) {
      classes = k;
      break;
    }
  }
  if (classes == 0) return result;
  const int width = estimand_accumulator::z_bins / classes;
  const double expected = count / classes;
  double statistic = 0;
  for (int c = 0; c < classes; ++c) {
    double observed = 0;
    for (int b = c * width; b < (c + 1) * width; ++b) observed += static_cast<double>(acc.z_histogram[b]);
    statistic += (observed - expected) * (observed - expected) / expected;
  }
  result.statistic = statistic;
  result.classes = classes;
  result.p_value = boost::math::cdf(complement(boost::math::chi_squared(classes - 1), statistic));
  return result;
}

namespace {

// Influence-function (delta-method) variances of the sample skewness and
// excess kurtosis, from central moments up to order 6 and 8. Under N(0,1)
// they reduce to the familiar 6/R and 24/R.
double skewness_variance(const std::array<double, 9>& mu, double count) {
  const double a = std::pow(mu[2], -1.5), b = -1.5 * mu[3] * std::pow(mu[2], -2.5);
  const double aa = mu[6] - 6 * mu[2] * mu[4] + 9 * mu[2] * mu[2] * mu[2] - mu[3] * mu[3];
  const double ab = mu[5] - 4 * mu[2] * mu[3];
  const double bb = mu[4] - mu[2] * mu[2];
  return (a * a * aa + 2 * a * b * ab + b * b * bb) / count;
}

double kurtosis_variance(const std::array<double, 9>& mu, double count) {
  const double a = 1 / (mu[2] * mu[2]), b = -2 * mu[4] / (mu[2] * mu[2] * mu[2]);
  const double aa = mu[8] - 8 * mu[3] * mu[5] + 16 * mu[3] * mu[3] * mu[2] - mu[4] * mu[4];
  const double ab = mu[6] - mu[2] * mu[4] - 4 * mu[3] * mu[3];
  const double bb = mu[4] - mu[2] * mu[2];
  return (a * a * aa + 2 * a * b * ab + b * b * bb) / count;
}

maybe finite_or_empty(double x) { return std::isfinite(x) ? maybe(x) : std::nullopt; }

// Var(s^2) ~ (mu4 - mu2^2) / R from the sample's own central moments, whatever
// the estimator's shape; under normality it is 2 mu2^2 / R.
double variance_of_variance(const centred_sums& sums) {
  const double r = static_cast<double>(sums.count), mu2 = sums.m2 / r, mu4 = sums.m4 / r;
  return std::max(0.0, mu4 - mu2 * mu2) / r;
}

// Delta method: MCSE(s) = sqrt(Var(s^2)) / (2 s); the normal-theory
// s / sqrt(2 (R - 1)) is short by sqrt(1 + kurtosis/2).
double sd_mcse(const centred_sums& sums, double sd) {
  return sd > 0 ? std::sqrt(variance_of_variance(sums)) / (2 * sd) : 0.0;
}

estimate_with_mcse proportion(std::uint64_t hits, std::uint64_t count) {
  if (count == 0) return {};
  const double share = static_cast<double>(hits) / static_cast<double>(count);
  return {share, std::sqrt(share * (1 - share) / static_cast<double>(count))};
}

// Model SE and coverage, Morris et al. (2019) Table 6.
interval_measures summarize_intervals(const interval_tally& tally, maybe emp_se) {
  interval_measures m;
  const std::uint64_t intervals = tally.covered + tally.miss_below + tally.miss_above;
  if (intervals == 0) return m;
  m.coverage = proportion(tally.covered, intervals);
  m.miss_below = proportion(tally.miss_below, intervals);
  m.miss_above = proportion(tally.miss_above, intervals);
  const double mean_variance = tally.variances.mean;
  const double model_se = std::sqrt(mean_variance);
  const double k = static_cast<double>(tally.variances.count);
  const double var_of_variance = k > 1 ? tally.variances.m2 / (k - 1) : NAN;
  m.model_se.value = model_se;
  m.model_se.mcse = finite_or_empty(std::sqrt(var_of_variance / (4 * k * mean_variance)));
  if (emp_se && *emp_se > 0) {
    const double ratio = model_se / *emp_se;
    m.model_se_relerr.value = ratio - 1;
    // Delta method on log ratio = (log mean v - log mu2e) / 2, with v = s-hat^2 and e the error on
    // these k replications: s-hat^2 and theta-hat are correlated, so Cov(v, (e - e-bar)^2) enters.
    const double v = mean_variance, mu2e = tally.errors.m2 / k, mu4e = tally.errors.m4 / k;
    const double log_ratio_variance =
        (tally.variances.m2 / k / (v * v) + (mu4e - mu2e * mu2e) / (mu2e * mu2e) - 2 * tally.c_vee / k / (v * mu2e)) /
        (4 * k);
    m.model_se_relerr.mcse = finite_or_empty(ratio * std::sqrt(std::max(0.0, log_ratio_variance)));
  }
  return m;
}

}  // namespace

std::string figures_without_moments(double moments_below) {
  std::vector<std::string> left_out;
  if (!(moments_below > moment_needs::bias)) left_out.emplace_back("the mean and bias");
  if (!(moments_below > moment_needs::spread))
    left_out.emplace_back("emp. SE, MSE, var/CRLB, the model SEs and their relative errors (and a second "
                          "estimator's relative efficiency)");
  if (!(moments_below > moment_needs::skewness)) left_out.emplace_back("the skewness of z");
  if (!(moments_below > moment_needs::kurtosis)) left_out.emplace_back("the excess kurtosis of z");
  std::string text;
  for (std::size_t i = 0; i < left_out.size(); ++i)
    text += (i == 0 ? "" : i + 1 == left_out.size() ? " and " : "; ") + left_out[i];
  return text;
}

namespace {

// Empties the figures whose MCSEs need moments of order moments_below (the
// second estimator's: alternative_below) or more.
void leave_out_without_moments(measures& m, double moments_below, double alternative_below) {
  if (!(moments_below > moment_needs::bias)) {
    m.mean.reset();
    m.bias = {};
  }
  if (!(moments_below > moment_needs::spread)) {
    m.emp_se = m.mse = m.variance = m.var_over_crlb = {};
    for (interval_measures* intervals : {&m.fisher, &m.sandwich}) intervals->model_se = intervals->model_se_relerr = {};
  }
  if (m.alternative) {
    if (!(alternative_below > moment_needs::bias)) m.alternative->bias = {};
    if (!(alternative_below > moment_needs::spread)) m.alternative->emp_se = m.alternative->mse = {};
    if (!(std::min(moments_below, alternative_below) > moment_needs::spread)) m.alternative->relative_efficiency = {};
  }
  if (!(moments_below > moment_needs::skewness)) m.skewness = {};
  if (!(moments_below > moment_needs::kurtosis)) m.excess_kurtosis = {};
}

}  // namespace

measures summarize(const estimand_accumulator& acc, std::uint64_t reps, double truth, maybe crlb, maybe z_scale,
                   maybe sandwich_var, double moments_below, double alternative_moments_below) {
  measures m;
  m.reps = reps;
  m.failures = acc.failures;
  m.used = acc.errors.count;
  m.crlb = crlb;
  m.sandwich_var = sandwich_var;
  if (m.used == 0) return m;
  const double r = static_cast<double>(m.used);
  const double bias = acc.errors.mean;
  m.mean = truth + bias;
  m.bias.value = bias;
  const double mse = acc.errors.m2 / r + bias * bias;
  m.mse.value = mse;
  if (m.used >= 2) {
    const double emp_se = std::sqrt(acc.errors.m2 / (r - 1));
    m.bias.mcse = emp_se / std::sqrt(r);
    m.emp_se = {emp_se, finite_or_empty(sd_mcse(acc.errors, emp_se))};
    // sum (e^2 - mse)^2 = sum e^4 - R mse^2, since sum e^2 = R mse.
    m.mse.mcse = std::sqrt(std::max(0.0, acc.sum_error4 - r * mse * mse) / (r * (r - 1)));
  }

  m.fisher = summarize_intervals(acc.fisher, m.emp_se.value);
  m.alternative = compare(acc.paired);
  m.sandwich = summarize_intervals(acc.sandwich, m.emp_se.value);

  if (acc.z_count >= 2) {
    const auto mu = central_moments(acc);
    const double z_count = static_cast<double>(acc.z_count);
    if (mu[2] > 0) {
      m.skewness = {mu[3] / std::pow(mu[2], 1.5), finite_or_empty(std::sqrt(skewness_variance(mu, z_count)))};
      m.excess_kurtosis = {mu[4] / (mu[2] * mu[2]) - 3,
                           finite_or_empty(std::sqrt(kurtosis_variance(mu, z_count)))};
    }
    m.normality = chi_squared_normality(acc);
    m.z_histogram.assign(acc.z_histogram.begin(), acc.z_histogram.end());
    if (z_scale && m.emp_se.value) {
      m.variance = {*m.emp_se.value * *m.emp_se.value, std::sqrt(variance_of_variance(acc.errors))};
      if (crlb && *crlb > 0)
        m.var_over_crlb = {*m.variance.value / *crlb, *m.variance.mcse / *crlb};
    }
  }
  leave_out_without_moments(m, moments_below, alternative_moments_below);
  return m;
}

std::optional<comparison> compare(const paired_errors& paired) {
  const std::uint64_t used = paired.alternative.count;
  if (used < 2) return std::nullopt;
  comparison c;
  c.used = used;
  c.failures = paired.failures;
  const double r = static_cast<double>(used);
  const double bias = paired.alternative.mean, emp_se = std::sqrt(paired.alternative.m2 / (r - 1));
  c.bias = {bias, emp_se / std::sqrt(r)};
  c.emp_se = {emp_se, finite_or_empty(sd_mcse(paired.alternative, emp_se))};
  const double a = paired.sum_a2 / r, b = paired.sum_b2 / r;  // the two MSEs
  const double var_a = paired.sum_a4 / r - a * a, var_b = paired.sum_b4 / r - b * b;
  const double cov = paired.sum_a2b2 / r - a * b;
  c.mse = {b, std::sqrt(std::max(0.0, var_b) / r)};
  if (a > 0) {
    const double ratio = b / a;
    const double variance = (var_b - 2 * ratio * cov + ratio * ratio * var_a) / (r * a * a);
    c.relative_efficiency = {ratio, finite_or_empty(std::sqrt(std::max(0.0, variance)))};
  }
  return c;
}

std::optional<slope_estimate> log_mse_slope(std::span<const double> n, std::span<const double> mse,
                                            std::span<const double> mse_mcse) {
  std::vector<double> x, y, sd;
  for (std::size_t i = 0; i < n.size(); ++i) {
    if (!(mse[i] > 0)) continue;
    x.push_back(std::log(n[i]));
    y.push_back(std::log(mse[i]));
    sd.push_back(mse_mcse[i] / mse[i]);  // delta method: SE of log(mse)
  }
  if (x.size() < 2) return std::nullopt;
  double x_mean = 0;
  for (double xi : x) x_mean += xi / static_cast<double>(x.size());
  double sxx = 0;
  for (double xi : x) sxx += (xi - x_mean) * (xi - x_mean);
  if (!(sxx > 0)) return std::nullopt;
  slope_estimate fit;
  double variance = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double weight = (x[i] - x_mean) / sxx;
    fit.slope += weight * y[i];
    variance += weight * weight * sd[i] * sd[i];
  }
  fit.se = std::sqrt(variance);
  return fit;
}

}  // namespace mlesim
