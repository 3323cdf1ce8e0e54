#include "bench/pcg64.hpp"

#include <doctest/doctest.h>

#include <array>
#include <random>

using mlesim::bench::pcg64;

static_assert(std::uniform_random_bit_generator<pcg64>);

TEST_CASE("pcg64: the reference's first six outputs for seed 42, stream 54") {
  // pcg-cpp, test-high/expected/check-pcg64.out, "Round 1: 64bit", from
  // `pcg64 rng(42u, 54u)` in test-high/pcg-test.cpp.
  const std::array<std::uint64_t, 6> expected{0x86b1da1d72062b68ULL, 0x1304aa46c9853d39ULL, 0xa3670e9e0dd50358ULL,
                                              0xf9090e529a7dae00ULL, 0xc85b9fd837996f2cULL, 0x606121f8e3919196ULL};
  pcg64 rng(42u, 54u);
  for (std::uint64_t x : expected) CHECK(rng() == x);
}
