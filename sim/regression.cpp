#include "sim/regression.hpp"

#include <boost/math/distributions/normal.hpp>

#include <Eigen/LU>

#include <atomic>
#include <cmath>

namespace mlesim {
namespace {

// One estimand: g(theta) = gradient' theta, for a parameter a unit vector.
struct linear_estimand {
  Eigen::VectorXd gradient;
  double truth = 0;
  double z_scale = 1;  // sqrt(CRLB)
};

struct regression_problem {
  const regression_model& model;
  const design_source& design;
  Eigen::VectorXd theta;  // the true parameters
  std::vector<linear_estimand> estimands;
  replication_key key;
  replication_options options;
};

// One replication of a regression experiment (see accumulate_replications).
class regression_replication {
 public:
  regression_replication(const regression_problem& problem, std::uint64_t n) : problem_(problem), n_(n) {}

  void operator()(std::uint64_t rep, std::vector<estimand_accumulator>& accumulators) const {
    const regression_model& model = problem_.model;
    philox_stream engine(problem_.key.seed, problem_.key.experiment, n_, rep);
    const design_matrix x = problem_.design(n_, engine);
    const Eigen::VectorXd& theta = problem_.theta;
    const Eigen::Index p = x.cols();
    const double sigma2 = model.dispersion ? theta[p] : 1.0;
    const Eigen::VectorXd eta = x * theta.head(p);
    Eigen::VectorXd y(x.rows());
    for (Eigen::Index i = 0; i < x.rows(); ++i) y[i] = draw_response(model, eta[i], sigma2, engine);

    const regression_fit fit = fit_regression(model, x, y);
    if (!fit.converged) {
      for (auto& acc : accumulators) acc.add_failure();
      return;
    }
    const Eigen::MatrixXd information = problem_.options.observed
                                            ? regression_observed_information(model, x, y, fit.theta)
                                            : regression_information(model, x, fit.theta);
    const Eigen::MatrixXd covariance = information.inverse();
    for (std::size_t e = 0; e < accumulators.size(); ++e) {
      const linear_estimand& g = problem_.estimands[e];
      auto& acc = accumulators[e];
      const double estimate = g.gradient.dot(fit.theta);
      const double variance = g.gradient.dot(covariance * g.gradient);
      if (!std::isfinite(estimate) || !(variance >= 0) || !std::isfinite(variance)) {
        acc.add_failure();
        continue;
      }
      acc.add_estimate(estimate - g.truth);
      const double half_width = problem_.options.critical * std::sqrt(variance);
      acc.fisher.add(variance, estimate - half_width, estimate + half_width, g.truth, estimate - g.truth);
      acc.add_z((estimate - g.truth) / g.z_scale);
    }
  }

 private:
  const regression_problem& problem_;
  std::uint64_t n_;
};

// The per-observation expected information of a random design,
// E[w(x'beta) x x'], averaged over `information_draws` covariate draws from
// a stream no replication uses (n = 0).
Eigen::MatrixXd random_design_information(const regression_model& model, const design_source& design,
                                          const Eigen::VectorXd& theta, replication_key key) {
  philox_stream engine(key.seed, key.experiment, 0, 0);
  const design_matrix x = design(information_draws, engine);
  return regression_information(model, x, theta) / static_cast<double>(information_draws);
}

}  // namespace

design_source::design_source(const regression_spec& regression) : regression_(regression) {
  for (const auto& covariate : regression.covariates)
    covariates_.push_back({drawer_for(covariate.family), covariate.theta, covariate.known});
}

design_matrix design_source::operator()(std::size_t n, philox_stream& engine) const {
  const auto rows = static_cast<Eigen::Index>(n);
  const auto columns = static_cast<Eigen::Index>(regression_.columns.size());
  design_matrix x(rows, columns);
  Eigen::Index column = 0;
  if (regression_.intercept) x.col(column++).setOnes();
  if (regression_.design.empty()) {
    for (const generator& draw : covariates_) draw(engine, std::span<double>(x.col(column++).data(), n));
  } else {
    const Eigen::Index width = columns - column;
    for (Eigen::Index i = 0; i < rows; ++i)
      for (Eigen::Index j = 0; j < width; ++j)
        x(i, column + j) = regression_.design[static_cast<std::size_t>(i * width + j)];
  }
  return x;
}

experiment_result simulate_regression(const experiment_spec& spec, const progress_callback& progress) {
  const regression_spec& regression = *spec.regression;
  const regression_model& model = *find_regression(regression.model);
  const Eigen::VectorXd theta = Eigen::Map<const Eigen::VectorXd>(spec.theta.data(), static_cast<Eigen::Index>(spec.theta.size()));
  const std::vector<std::string> parameters = regression_parameters(model, regression.columns);
  const replication_key key{spec.seed, experiment_key(spec.name)};
  const replication_options options{
      .critical = boost::math::quantile(boost::math::normal(), (1 + spec.level) / 2),
      .sandwich = false,
      .observed = spec.observed_information};

  // Each estimand's gradient: a unit vector for a parameter, the weights for a combination.
  std::vector<Eigen::VectorXd> gradients;
  for (const auto& name : spec.estimands) {
    Eigen::VectorXd gradient = Eigen::VectorXd::Zero(theta.size());
    const auto parameter = std::find(parameters.begin(), parameters.end(), name);
    if (parameter != parameters.end()) {
      gradient[parameter - parameters.begin()] = 1;
    } else {
      const auto& combinations = regression.combinations;
      const auto combination = std::find_if(combinations.begin(), combinations.end(),
                                            [&](const auto& c) { return c.name == name; });
      for (std::size_t j = 0; j < combination->weights.size(); ++j)
        gradient[static_cast<Eigen::Index>(j)] = combination->weights[j];
    }
    gradients.push_back(gradient);
  }

  const design_source design(regression);
  std::optional<Eigen::MatrixXd> per_observation;
  if (regression.design.empty()) per_observation = random_design_information(model, design, theta, key);

  const std::uint64_t total = spec.replications * spec.sample_sizes.size();
  std::atomic<std::uint64_t> done_so_far{0};
  std::function<void(std::uint64_t)> done;
  if (progress) done = [&](std::uint64_t count) { progress(done_so_far += count, total); };

  experiment_result result{spec, {}, {}, {}};
  for (const std::uint64_t n : spec.sample_sizes) {
    Eigen::MatrixXd information;
    if (per_observation) {
      information = *per_observation * static_cast<double>(n);
    } else {
      philox_stream unused(0, 0, 0, 0);  // a fixed design draws nothing
      information = regression_information(model, design(n, unused), theta);
    }
    const Eigen::MatrixXd bound = information.inverse();
    regression_problem problem{model, design, theta, {}, key, options};
    std::vector<maybe> crlb;
    for (const auto& gradient : gradients) {
      const double variance = gradient.dot(bound * gradient);
      problem.estimands.push_back({gradient, gradient.dot(theta), std::sqrt(variance)});
      crlb.push_back(variance);
    }
    const auto accumulators =
        accumulate_replications(regression_replication(problem, n), gradients.size(), spec.replications, done);
    for (std::size_t e = 0; e < gradients.size(); ++e)
      result.rows.push_back({n, spec.estimands[e], problem.estimands[e].truth,
                             summarize(accumulators[e], spec.replications, problem.estimands[e].truth, crlb[e],
                                       problem.estimands[e].z_scale)});
  }
  return result;
}

}  // namespace mlesim
