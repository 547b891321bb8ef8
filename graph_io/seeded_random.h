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
// SplitMix64's finaliser: a bijection of 64-bit words that mixes every input bit into every output bit.
inline uint64_t splitmix64_mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

inline uint64_t derive_seed(uint64_t seed, std::string_view salt) {
  uint64_t h = 14695981039346656037ull;  // FNV-1a
  for (const char c : salt) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return splitmix64_mix(seed ^ h);
}

// SplitMix64 as a generator for draw_below: seeding costs one word (a Mersenne Twister's costs
// 312), for the many short streams of one per node or per item.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t operator()() { return splitmix64_mix(state_ += 0x9e3779b97f4a7c15ull); }

 private:
  uint64_t state_;
};

// Uniform integer in [0, n), n > 0, without modulo bias (Lemire's multiply-and-reject), from a
// generator of uniform 64-bit words (std::mt19937_64, SplitMix64).
template <typename Rng>
uint64_t draw_below(Rng& rng, uint64_t n) {
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
