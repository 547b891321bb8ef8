// Continuous distributions over std::mt19937_64 with explicit formulas, so generated data is the
// same with every standard library (std::normal_distribution and friends are not specified
// bit for bit).
#pragma once

#include <cmath>
#include <cstdint>
#include <random>

namespace graft::io {

// Uniform in [0, 1) from the top 53 bits: every double k / 2^53.
inline double draw_uniform(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

// Uniform in (0, 1), safe to take the logarithm of.
inline double draw_uniform_open(std::mt19937_64& rng) {
  return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53;
}

// Standard normal by Box–Muller (one of the pair, so each call consumes exactly two words).
inline double draw_normal(std::mt19937_64& rng) {
  const double radius = std::sqrt(-2.0 * std::log(draw_uniform_open(rng)));
  constexpr double kTwoPi = 6.283185307179586;
  return radius * std::cos(kTwoPi * draw_uniform(rng));
}

// Standard Gumbel: argmax(log w_i + G_i) picks i with probability w_i / Σ w.
inline double draw_gumbel(std::mt19937_64& rng) {
  return -std::log(-std::log(draw_uniform_open(rng)));
}

}  // namespace graft::io
