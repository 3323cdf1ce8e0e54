// The one place a replication's randomness comes from. Its stream is a
// function of (seed, experiment, sample size, replication index) alone, and
// nothing is seeded from a clock or a thread. One block of the Philox4x64-10
// counter-based generator (Salmon, Moraes, Dror & Shaw 2011, "Parallel random
// numbers: as easy as 1, 2, 3", SC'11), keyed by the seed and the experiment
// at the counter (n, replication, 0, 0), is the 256-bit state of a
// xoshiro256++ (Blackman & Vigna 2021, "Scrambled linear pseudorandom number
// generators", ACM TOMS 47(4) 36) that draws the replication's numbers.
// Philox at its safe 10 rounds makes the states of different replications
// unrelated; xoshiro256++ then costs a few adds, xors and rotations a word
// instead of a Philox block's 20 multiplications per four words. M streams
// of L words from independent uniform starting points on xoshiro's one cycle
// of 2^256 - 1 states overlap with probability at most M^2 L / (2^256 - 1):
// below 2^-145 for 10^12 replications of 10^9 draws each.
#pragma once

#include <Random123/philox.h>

#include <array>
#include <bit>
#include <cstdint>
#include <limits>
#include <string_view>

namespace mlesim {

// xoshiro256++ 1.0, as in the authors' reference C code (prng.di.unimi.it),
// from a given state, which must not be all zero.
class xoshiro256pp {
 public:
  using result_type = std::uint64_t;

  explicit xoshiro256pp(const std::array<std::uint64_t, 4>& state) : s_(state) {}

  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }

  // Inlined into the distributions' draw loops, where the state stays in
  // registers.
  [[gnu::always_inline]] result_type operator()() {
    const std::uint64_t result = std::rotl(s_[0] + s_[3], 23) + s_[0];
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = std::rotl(s_[3], 45);
    return result;
  }

 private:
  std::array<std::uint64_t, 4> s_;
};

// A replication's stream: xoshiro256++ from the Philox4x64-10 block of
// counter (n, replication, 0, 0) under the key (seed, experiment).
class philox_stream : public xoshiro256pp {
 public:
  philox_stream(std::uint64_t seed, std::uint64_t experiment, std::uint64_t n, std::uint64_t replication)
      : xoshiro256pp(state(seed, experiment, n, replication)) {}

 private:
  static std::array<std::uint64_t, 4> state(std::uint64_t seed, std::uint64_t experiment, std::uint64_t n,
                                            std::uint64_t replication) {
    const r123::Philox4x64::ctr_type block =
        r123::Philox4x64()(r123::Philox4x64::ctr_type{{n, replication, 0, 0}}, r123::Philox4x64::key_type{{seed, experiment}});
    // The all-zero state is xoshiro's one fixed point: one counter in 2^256
    // per key would give it.
    if ((block.v[0] | block.v[1] | block.v[2] | block.v[3]) == 0) [[unlikely]]
      return {1, 0, 0, 0};
    return {block.v[0], block.v[1], block.v[2], block.v[3]};
  }
};

// FNV-1a: the experiment's name as the second key word, so that two
// experiments with one seed draw unrelated numbers.
constexpr std::uint64_t experiment_key(std::string_view name) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : name) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

}  // namespace mlesim
