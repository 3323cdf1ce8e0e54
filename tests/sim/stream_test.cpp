#include "sim/stream.hpp"

#include <Random123/philox.h>
#include <boost/math/distributions/chi_squared.hpp>
#include <doctest/doctest.h>

#include <array>
#include <random>
#include <set>
#include <vector>

using namespace mlesim;

static_assert(std::uniform_random_bit_generator<philox_stream>);
static_assert(std::uniform_random_bit_generator<xoshiro256pp>);

namespace {
template <class Engine>
std::vector<std::uint64_t> first(Engine s, int count) {
  std::vector<std::uint64_t> out(static_cast<std::size_t>(count));
  for (auto& x : out) x = s();
  return out;
}
}  // namespace

TEST_CASE("stream: a replication's numbers depend on its key alone") {
  CHECK(first(philox_stream(7, 11, 100, 3), 20) == first(philox_stream(7, 11, 100, 3), 20));
}

TEST_CASE("stream: seed, experiment, sample size and replication each change the numbers") {
  const auto base = first(philox_stream(7, 11, 100, 3), 8);
  CHECK(first(philox_stream(8, 11, 100, 3), 8) != base);
  CHECK(first(philox_stream(7, 12, 100, 3), 8) != base);
  CHECK(first(philox_stream(7, 11, 101, 3), 8) != base);
  CHECK(first(philox_stream(7, 11, 100, 4), 8) != base);
}

TEST_CASE("stream: no repeats across blocks, replications or sample sizes") {
  std::set<std::uint64_t> seen;
  std::size_t total = 0;
  for (std::uint64_t n : {10, 11})
    for (std::uint64_t rep = 0; rep < 100; ++rep)
      for (auto x : first(philox_stream(1, 2, n, rep), 37)) {
        seen.insert(x);
        ++total;
      }
  CHECK(seen.size() == total);
}

TEST_CASE("stream: experiment keys differ for different names and are stable") {
  CHECK(experiment_key("a") != experiment_key("b"));
  CHECK(experiment_key("") == 0xcbf29ce484222325ULL);
  CHECK(experiment_key("a") == 0xaf63dc4c8601ec8cULL);  // FNV-1a test vector
}

TEST_CASE("stream: bits are balanced") {
  // Each of the 64 bits over 100000 words is one with probability 1/2: 5.5 SE
  // either side fails a correct generator with probability about 2.5e-6.
  philox_stream s(3, 4, 5, 6);
  std::vector<int> ones(64);
  const int words = 100'000;
  for (int i = 0; i < words; ++i) {
    const auto x = s();
    for (int b = 0; b < 64; ++b) ones[static_cast<std::size_t>(b)] += static_cast<int>((x >> b) & 1);
  }
  for (int b = 0; b < 64; ++b) {
    CAPTURE(b);
    CHECK(std::abs(ones[static_cast<std::size_t>(b)] - words / 2) < 5.5 * std::sqrt(words / 4.0));
  }
}

TEST_CASE("stream: xoshiro256++ gives the reference's outputs from the state {1, 2, 3, 4}") {
  // Produced with the authors' xoshiro256plusplus.c; as in rand_xoshiro's
  // test (rust-random/rngs, rand_xoshiro/src/xoshiro256plusplus.rs).
  const std::vector<std::uint64_t> expected{41943041ULL,
                                            58720359ULL,
                                            3588806011781223ULL,
                                            3591011842654386ULL,
                                            9228616714210784205ULL,
                                            9973669472204895162ULL,
                                            14011001112246962877ULL,
                                            12406186145184390807ULL,
                                            15849039046786891736ULL,
                                            10450023813501588000ULL};
  CHECK(first(xoshiro256pp({1, 2, 3, 4}), 10) == expected);
}

TEST_CASE("stream: a replication's state is the Philox4x64-10 block of (n, replication) under (seed, experiment)") {
  // Random123's known answer for counter 0, key 0 (kat_vectors: philox4x64 10).
  CHECK(first(philox_stream(0, 0, 0, 0), 12) ==
        first(xoshiro256pp({0x16554d9eca36314cULL, 0xdb20fe9d672d0fdcULL, 0xd7e772cee186176bULL, 0x7e68b68aec7ba23bULL}),
              12));
  // Which argument goes into which word.
  const auto block = r123::Philox4x64()(r123::Philox4x64::ctr_type{{100, 3, 0, 0}}, r123::Philox4x64::key_type{{7, 11}});
  CHECK(first(philox_stream(7, 11, 100, 3), 12) ==
        first(xoshiro256pp({block.v[0], block.v[1], block.v[2], block.v[3]}), 12));
}

namespace {
// Pearson's statistic of counts against equal expected counts.
double chi_squared_statistic(const std::vector<double>& counts, double total) {
  const double expected = total / static_cast<double>(counts.size());
  double statistic = 0;
  for (double c : counts) statistic += (c - expected) * (c - expected) / expected;
  return statistic;
}

double chi_squared_limit(std::size_t classes, double false_failure) {
  return quantile(boost::math::chi_squared(static_cast<double>(classes - 1)), 1 - false_failure);
}
}  // namespace

TEST_CASE("stream: the words of many replications are uniform (chi-squared)") {
  // 4096 replications of 256 words, as the runner uses them; the top 10 bits
  // of each word in 1024 classes of expected count 1024. The limit fails a
  // uniform generator with probability 1e-6.
  std::vector<double> counts(1024);
  const int replications = 4096, words = 256;
  for (std::uint64_t rep = 0; rep < replications; ++rep)
    for (auto x : first(philox_stream(5, experiment_key("uniformity"), 100, rep), words)) ++counts[x >> 54];
  CHECK(chi_squared_statistic(counts, double{replications} * words) < chi_squared_limit(counts.size(), 1e-6));
}

TEST_CASE("stream: the first words of consecutive replications are uniform and unrelated (chi-squared)") {
  // Where a weak keying would show: the first word of 2^17 consecutive
  // replications, and pairs of the top 4 bits of consecutive replications'
  // first words (256 classes). Each limit fails a uniform generator with
  // probability 1e-6 (two tests: 2e-6 together).
  const std::uint64_t replications = std::uint64_t{1} << 17;
  std::vector<double> single(1024), pairs(256);
  std::uint64_t previous = 0;
  for (std::uint64_t rep = 0; rep < replications; ++rep) {
    const std::uint64_t x = philox_stream(5, experiment_key("consecutive"), 100, rep)();
    ++single[x >> 54];
    if (rep % 2 == 1) ++pairs[((previous >> 60) << 4) | (x >> 60)];
    previous = x;
  }
  CHECK(chi_squared_statistic(single, double(replications)) < chi_squared_limit(single.size(), 1e-6));
  CHECK(chi_squared_statistic(pairs, double(replications / 2)) < chi_squared_limit(pairs.size(), 1e-6));
}
