// pcg64 (PCG XSL RR 128/64, "setseq": a 128-bit LCG with a chosen odd
// increment, output by xorshift-low and a random rotation), after
// M. E. O'Neill (2014), "PCG: A Family of Simple Fast Space-Efficient
// Statistically Good Algorithms for Random Number Generation", Harvey Mudd
// College HMC-CS-2014-0905. Only for the draw-floor benchmark: Debian has
// no PCG library. Seeding follows the reference (pcg-cpp and the C library's
// pcg64_srandom_r): increment = 2 initseq + 1, state = 0, step, state +=
// initstate, step; each call steps, then outputs the new state.
// tests/bench/pcg64_test.cpp checks it against the reference's output for
// seed 42, stream 54.
#pragma once

#include <bit>
#include <cstdint>
#include <limits>

namespace mlesim::bench {

class pcg64 {
 public:
  using result_type = std::uint64_t;
  __extension__ typedef unsigned __int128 uint128;  // a GCC and Clang extension

  pcg64(uint128 initstate, uint128 initseq) : increment_((initseq << 1) | 1) {
    step();
    state_ += initstate;
    step();
  }

  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }

  result_type operator()() {
    step();
    const auto high = static_cast<std::uint64_t>(state_ >> 64), low = static_cast<std::uint64_t>(state_);
    return std::rotr(high ^ low, static_cast<int>(state_ >> 122));
  }

 private:
  // PCG_DEFAULT_MULTIPLIER_128, 0x2360ed051fc65da4'4385df649fccf645.
  static constexpr uint128 multiplier = (uint128{0x2360ed051fc65da4ULL} << 64) | 0x4385df649fccf645ULL;

  void step() { state_ = state_ * multiplier + increment_; }

  uint128 state_ = 0;
  uint128 increment_;
};

}  // namespace mlesim::bench
