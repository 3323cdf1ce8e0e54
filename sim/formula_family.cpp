#include "sim/formula_family.hpp"

#include "estimators/data_fit_family.hpp"
#include "sim/invariance.hpp"
#include "sim/simulate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <mutex>

namespace mlesim {
namespace {

// What an entry keeps alive: the compiled definition and its spec.
struct formula_owned {
  std::shared_ptr<const formula_definition> definition;
  formula_spec spec;
};

// The model as a family value, its Newton start set: the config's `start`
// where it gives one, else the kinds' defaults (formula_model).
template <int K>
formula_model<K> model_of(const formula_owned& owned) {
  formula_model<K> model(owned.definition);
  if (owned.spec.start.size() == static_cast<std::size_t>(K))
    for (int j = 0; j < K; ++j) model.start[j] = owned.spec.start[static_cast<std::size_t>(j)];
  return model;
}

// A simulation fits samples drawn at theta: Newton starts there when the
// model also generates them (a misspecified fit starts at the pseudo-true
// value, which family_study and the invariance check set once it is known).
template <int K>
formula_model<K> model_for(const formula_owned& owned, const experiment_spec& spec) {
  formula_model<K> model = model_of<K>(owned);
  if (!misspecified(spec) && spec.theta.size() == static_cast<std::size_t>(K))
    for (int j = 0; j < K; ++j) model.start[j] = spec.theta[static_cast<std::size_t>(j)];
  return model;
}

void draw_formula(const void* context, std::span<const double> theta, std::span<const double>, philox_stream& engine,
                  std::span<double> out) {
  const auto* definition = static_cast<const formula_definition*>(context);
  // A shared_ptr that owns nothing: the entry keeps the definition alive, and
  // no reference count is touched per replication.
  formula_sampler draw(std::shared_ptr<const formula_definition>(std::shared_ptr<const void>(), definition), theta);
  for (double& x : out) x = draw(engine);
}

template <int K>
family_entry entry_of(std::shared_ptr<const formula_owned> owned) {
  const formula_definition& d = *owned->definition;
  family_entry entry;
  family_info& info = entry.info;
  info.name = d.name();
  info.summary = d.summary();
  for (const auto& p : d.parameter_names()) info.parameters.push_back(p);
  info.min_sample_size = static_cast<std::size_t>(K) + 1;
  info.regular = true;
  info.closed_form = false;
  info.support = d.support();
  info.support_limited = false;
  const formula_definition* def = owned->definition.get();
  info.check = [def](std::span<const double> theta) { return def->check(theta); };
  info.check_known = [name = d.name()](std::span<const double> known) -> std::string {
    if (known.empty()) return {};
    return fmt::format("{} is a model written as a formula: it has no known constants", name);
  };
  info.log_density = [def](std::span<const double> theta, std::span<const double>, double x) {
    return def->log_density(theta, x);
  };
  info.admits = [support = d.support()](std::span<const double>, double x) { return in_support(support, x); };
  info.support_start = [support = d.support()](std::span<const double>) { return support.lower; };
  info.quantile = [def](std::span<const double> theta, std::span<const double>, double p, bool upper) {
    return def->quantile(theta, p, upper);
  };
  if (d.has_draw()) entry.draw = sample_drawer{&draw_formula, def};
  else
    entry.draw = sample_drawer{[](const void* context, std::span<const double>, std::span<const double>,
                                  philox_stream&, std::span<double>) {
                                 throw std::invalid_argument(fmt::format(
                                     "model {} has no `draw`: it can be fitted to data but not generate them",
                                     static_cast<const formula_definition*>(context)->name()));
                               },
                               def};
  entry.prepare = [owned](const experiment_spec& spec) -> std::unique_ptr<prepared_experiment> {
    return std::make_unique<family_study<formula_model<K>>>(spec, model_for<K>(*owned, spec));
  };
  entry.invariance = [owned](const experiment_spec& spec, const std::string& estimand, std::uint64_t n,
                             std::uint64_t max_replications) {
    formula_model<K> model = model_for<K>(*owned, spec);
    // As the run's own fits: a misspecified fit starts at the pseudo-true value.
    if (misspecified(spec))
      model.start = detail::population_of(model, spec, generator{drawer_for(spec.family), spec.theta, spec.known},
                                          stream_key(spec))
                        .theta;
    return check_invariance_as(model, spec, estimand, n, std::min(max_replications, spec.replications));
  };
  entry.fit_data = [owned](std::span<const double>, const std::vector<double>& x,
                           const std::vector<std::pair<std::string, double>>& fixed, double level, bool profiles) {
    return fitting::fit_family(model_of<K>(*owned), x, fixed, level, profiles);
  };
  entry.owned = owned;
  return entry;
}

std::mutex registration;
// Every formula model registered so far, in any catalogue, by the address of
// what its entry owns. Kept alive here, so that no other entry's can have the
// address of one that a failed load took back out.
std::map<const void*, std::shared_ptr<const formula_owned>>& registered() {
  static std::map<const void*, std::shared_ptr<const formula_owned>> models;
  return models;
}

}  // namespace

const family_entry& register_formula(const formula_spec& spec) {
  const std::lock_guard lock(registration);
  if (const family_entry* existing = families().find(spec.name)) {
    const formula_spec* known = formula_of(spec.name);
    if (known && *known == spec) return *existing;
    throw std::invalid_argument(
        known ? fmt::format("model {} is defined twice, differently: a config, state or results file read "
                                "before in this run defines it otherwise",
                                spec.name)
              : fmt::format("model {} has the name of a built-in or registered family: give it another", spec.name));
  }
  auto owned = std::make_shared<formula_owned>(formula_owned{compile_formula(spec), spec});
  switch (owned->definition->dimension()) {
    case 1: families().add(entry_of<1>(owned)); break;
    case 2: families().add(entry_of<2>(owned)); break;
    case 3: families().add(entry_of<3>(owned)); break;
    case 4: families().add(entry_of<4>(owned)); break;
    default: throw formula_error(fmt::format("model {}: a formula model has 1 to 4 parameters", spec.name));
  }
  registered()[owned.get()] = owned;
  return *families().find(spec.name);
}

namespace {

// The formula model that the catalogue in use has under the name; nullptr
// where its family of that name is none (or not a formula model).
const formula_owned* registered_model(std::string_view family_name) {
  const family_entry* entry = families().find(family_name);
  if (!entry) return nullptr;
  const auto it = registered().find(entry->owned.get());
  return it == registered().end() ? nullptr : it->second.get();
}

}  // namespace

const formula_spec* formula_of(std::string_view family_name) {
  const formula_owned* model = registered_model(family_name);
  return model ? &model->spec : nullptr;
}

std::shared_ptr<const formula_definition> formula_definition_of(std::string_view family_name) {
  const formula_owned* model = registered_model(family_name);
  return model ? model->definition : nullptr;
}

}  // namespace mlesim
