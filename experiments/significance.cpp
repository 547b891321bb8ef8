// Student-t tails through the incomplete beta function:
//   P(|T| > |t|) = I_{df/(df+t²)}(df/2, 1/2).
#include "experiments/significance.h"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace graft::exp {

namespace {

// The continued fraction of I_x(a, b), modified Lentz; converges fast for x < (a+1)/(a+b+2).
double beta_fraction(double x, double a, double b) {
  constexpr double kTiny = 1e-300, kEps = 1e-15;
  const double qab = a + b, qap = a + 1.0, qam = a - 1.0;
  double c = 1.0, d = 1.0 - qab * x / qap;
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m <= 300; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1.0) < kEps) break;
  }
  return h;
}

}  // namespace

double regularized_incomplete_beta(double x, double a, double b) {
  if (!(a > 0.0 && b > 0.0) || !(x >= 0.0 && x <= 1.0)) {
    throw std::invalid_argument("regularized_incomplete_beta: needs x in [0, 1] and a, b > 0");
  }
  if (x == 0.0 || x == 1.0) return x;
  const double front =
      std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x));
  if (x < (a + 1.0) / (a + b + 2.0)) return front * beta_fraction(x, a, b) / a;
  return 1.0 - front * beta_fraction(1.0 - x, b, a) / b;
}

double student_t_cdf(double t, double df) {
  if (!(df > 0.0)) throw std::invalid_argument("student_t_cdf: df must be > 0");
  if (std::isinf(t)) return t > 0 ? 1.0 : 0.0;
  const double tail = 0.5 * regularized_incomplete_beta(df / (df + t * t), df / 2.0, 0.5);  // P(T > |t|)
  return t >= 0.0 ? 1.0 - tail : tail;
}

std::optional<PairedTest> paired_t_test(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) throw std::invalid_argument("paired_t_test: samples of different lengths");
  const size_t n = a.size();
  if (n < 2) return std::nullopt;
  double mean = 0.0;
  for (size_t i = 0; i < n; ++i) mean += a[i] - b[i];
  mean /= static_cast<double>(n);
  double ss = 0.0;
  for (size_t i = 0; i < n; ++i) ss += (a[i] - b[i] - mean) * (a[i] - b[i] - mean);
  const double sd = std::sqrt(ss / static_cast<double>(n - 1));
  PairedTest test;
  test.n = static_cast<int>(n);
  test.mean_difference = mean;
  if (sd == 0.0) {
    test.t = mean == 0.0 ? 0.0 : std::copysign(std::numeric_limits<double>::infinity(), mean);
    test.p = mean == 0.0 ? 1.0 : 0.0;
    return test;
  }
  test.t = mean / (sd / std::sqrt(static_cast<double>(n)));
  const double df = static_cast<double>(n - 1);
  test.p = regularized_incomplete_beta(df / (df + test.t * test.t), df / 2.0, 0.5);
  return test;
}

}  // namespace graft::exp
