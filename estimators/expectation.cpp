#include "estimators/expectation.hpp"

#include <boost/math/quadrature/exp_sinh.hpp>
#include <boost/math/quadrature/sinh_sinh.hpp>
#include <boost/math/quadrature/tanh_sinh.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>

namespace mlesim {

double expectation(const family_info& family, std::span<const double> theta, std::span<const double> known,
                   const std::function<double(double)>& h) {
  const auto weighted = [&](double x) {
    const double density = std::exp(family.log_density(theta, known, x));
    return density == 0 ? 0.0 : density * h(x);  // h may be infinite where the density vanishes
  };
  constexpr double tolerance = 1e-13;
  switch (family.support) {
    case support_kind::binary: return weighted(0) + weighted(1);
    case support_kind::counts: {
      double sum = 0, mass = 0;
      for (double k = 0; k < 1e8; ++k) {
        if (!family.admits(known, k)) return sum;  // the end of a bounded support (the binomial's trials)
        const double p = std::exp(family.log_density(theta, known, k));
        mass += p;
        if (p > 0) sum += p * h(k);
        if (1 - mass < 1e-16 && k > 1) return sum;
      }
      throw std::runtime_error("expectation: a mass function that does not sum to 1");
    }
    case support_kind::positive:
    case support_kind::nonnegative: {
      // From where the support starts: a density that jumps there (the
      // Pareto's, at its minimum) would spoil the quadrature's accuracy.
      boost::math::quadrature::exp_sinh<double> integrator;
      return integrator.integrate(weighted, family.support_start(known), std::numeric_limits<double>::infinity(),
                                  tolerance);
    }
    case support_kind::real_line: {
      boost::math::quadrature::sinh_sinh<double> integrator;
      return integrator.integrate(weighted, tolerance);
    }
    case support_kind::unit: {
      boost::math::quadrature::tanh_sinh<double> integrator;
      return integrator.integrate(weighted, 0.0, 1.0, tolerance);
    }
    case support_kind::bounded: {
      boost::math::quadrature::tanh_sinh<double> integrator;
      return integrator.integrate(weighted, 0.0, theta[0], tolerance);
    }
  }
  throw std::logic_error("expectation: unknown support");
}

}  // namespace mlesim
