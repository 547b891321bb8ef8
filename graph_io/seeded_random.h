// Seeded randomness for graph_io that gives the same numbers with every standard library:
// std::uniform_int_distribution and std::shuffle are implementation-defined, these are not.
#pragma once

#include <cstdint>
#include <random>
#include <string_view>
#include <utility>
#include <vector>

namespace graft::io {

// A well-mixed seed for one purpose (`salt`, e.g. "split/<domain>") derived from a user seed, so
// that streams for different domains or purposes are independent yet reproducible.
inline uint64_t derive_seed(uint64_t seed, std::string_view salt) {
  uint64_t h = 14695981039346656037ull;  // FNV-1a
  for (const char c : salt) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  uint64_t z = seed ^ h;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;  // SplitMix64 finaliser
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Uniform integer in [0, n), n > 0, without modulo bias (Lemire's multiply-and-reject).
inline uint64_t draw_below(std::mt19937_64& rng, uint64_t n) {
  unsigned __int128 m = static_cast<unsigned __int128>(rng()) * n;
  auto low = static_cast<uint64_t>(m);
  if (low < n) {
    const uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<unsigned __int128>(rng()) * n;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

// Fisher–Yates shuffle of xs[first, last) driven by draw_below.
template <typename T>
void seeded_shuffle(std::vector<T>& xs, size_t first, size_t last, std::mt19937_64& rng) {
  for (size_t i = last; i > first + 1; --i) {
    const size_t j = first + draw_below(rng, i - first);
    std::swap(xs[i - 1], xs[j]);
  }
}

template <typename T>
void seeded_shuffle(std::vector<T>& xs, std::mt19937_64& rng) {
  seeded_shuffle(xs, 0, xs.size(), rng);
}

}  // namespace graft::io
