#include "sim/regression.hpp"

#include <boost/math/distributions/normal.hpp>

#include <Eigen/LU>
#include <tbb/parallel_for.h>

#include <cmath>
#include <deque>
#include <memory>

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

// One replication of a regression experiment (see sim/study.hpp).
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
// E[w(x'beta) x x'], averaged over `information_draws` covariate draws: in
// 256 blocks, block b drawn from the stream (n = 0, replication b), which no
// replication uses, computed in parallel and summed in block order, so the
// bound is the same bits on any threads and no thread holds more than one
// block's rows (it was 2^20 rows at once, and serial: 70 MB and 0.1 s).
Eigen::MatrixXd random_design_information(const regression_model& model, const design_source& design,
                                          const Eigen::VectorXd& theta, replication_key key) {
  constexpr std::size_t blocks = 256, rows = information_draws / blocks;
  std::vector<Eigen::MatrixXd> partial(blocks);
  tbb::parallel_for(std::size_t{0}, blocks, [&](std::size_t b) {
    philox_stream engine(key.seed, key.experiment, 0, b);
    partial[b] = regression_information(model, design(rows, engine), theta);
  });
  Eigen::MatrixXd sum = partial[0];
  for (std::size_t b = 1; b < blocks; ++b) sum += partial[b];
  return sum / static_cast<double>(information_draws);
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

namespace {

// A regression experiment made ready to run (sim/study.hpp): per sample size
// its bound and estimands.
class regression_study final : public prepared_experiment {
 public:
  explicit regression_study(const experiment_spec& spec)
      : prepared_experiment(spec),
        model_(*find_regression(spec_.regression->model)),
        design_(*spec_.regression),
        theta_(Eigen::Map<const Eigen::VectorXd>(spec_.theta.data(), static_cast<Eigen::Index>(spec_.theta.size()))) {
    const regression_spec& regression = *spec_.regression;
    const std::vector<std::string> parameters = regression_parameters(model_, regression.columns);
    const replication_key key = stream_key(spec_);
    const replication_options options{
        .critical = boost::math::quantile(boost::math::normal(), (1 + spec_.level) / 2),
        .sandwich = false,
        .observed = spec_.observed_information};

    // Each estimand's gradient: a unit vector for a parameter, the weights for a combination.
    std::vector<Eigen::VectorXd> gradients;
    for (const auto& name : spec_.estimands) {
      Eigen::VectorXd gradient = Eigen::VectorXd::Zero(theta_.size());
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

    std::optional<Eigen::MatrixXd> per_observation;
    if (regression.design.empty()) per_observation = random_design_information(model_, design_, theta_, key);
    for (const std::uint64_t n : spec_.sample_sizes) {
      Eigen::MatrixXd information;
      if (per_observation) {
        information = *per_observation * static_cast<double>(n);
      } else {
        philox_stream unused(0, 0, 0, 0);  // a fixed design draws nothing
        information = regression_information(model_, design_(n, unused), theta_);
      }
      const Eigen::MatrixXd bound = information.inverse();
      regression_problem& problem = problems_.emplace_back(regression_problem{model_, design_, theta_, {}, key, options});
      std::vector<maybe>& crlb = crlb_.emplace_back();
      for (const auto& gradient : gradients) {
        const double variance = gradient.dot(bound * gradient);
        problem.estimands.push_back({gradient, gradient.dot(theta_), std::sqrt(variance)});
        crlb.push_back(variance);
      }
    }
  }

  std::size_t estimand_count() const override { return spec_.estimands.size(); }

  accumulator_set run_chunk(chunk_id chunk) const override {
    const replication_range reps = chunk_replications(spec_.replications, chunk.index);
    const regression_replication replicate(problems_.at(chunk.size), spec_.sample_sizes[chunk.size]);
    accumulator_set accumulators(estimand_count());
    for (std::uint64_t rep = reps.first; rep < reps.last; ++rep) replicate(rep, accumulators);
    return accumulators;
  }

  experiment_result summarize(std::span<const accumulator_set> joined,
                              std::span<const std::uint64_t> reps) const override {
    experiment_result result{spec_, {}, {}, {}, {}};
    for (std::size_t i = 0; i < problems_.size(); ++i)
      for (std::size_t e = 0; e < estimand_count(); ++e) {
        const linear_estimand& g = problems_[i].estimands[e];
        result.rows.push_back({spec_.sample_sizes[i], spec_.estimands[e], g.truth,
                               mlesim::summarize(joined[i][e], reps[i], g.truth, crlb_[i][e], g.z_scale)});
      }
    return result;
  }

 private:
  const regression_model& model_;
  design_source design_;
  Eigen::VectorXd theta_;
  std::deque<regression_problem> problems_;  // stable addresses: replications hold references
  std::vector<std::vector<maybe>> crlb_;
};

}  // namespace

std::unique_ptr<prepared_experiment> prepare_regression(const experiment_spec& spec) {
  return std::make_unique<regression_study>(spec);
}

}  // namespace mlesim
