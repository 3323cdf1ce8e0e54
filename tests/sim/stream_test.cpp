#include "sim/stream.hpp"

#include <doctest/doctest.h>

#include <random>
#include <set>
#include <vector>

using namespace mlesim;

static_assert(std::uniform_random_bit_generator<philox_stream>);

namespace {
std::vector<std::uint64_t> first(philox_stream s, int count) {
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
