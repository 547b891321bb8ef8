// Paired significance testing for benchmark tables: a two-sided paired t-test, with the
// Student-t distribution through the regularized incomplete beta function
// (I_x(a, b) by Lentz's continued fraction, as in Numerical Recipes §6.4).
#pragma once

#include <optional>
#include <vector>

namespace graft::exp {

// I_x(a, b) for x in [0, 1], a, b > 0.
double regularized_incomplete_beta(double x, double a, double b);

// P(T ≤ t) for Student's t with `df` > 0 degrees of freedom.
double student_t_cdf(double t, double df);

struct PairedTest {
  double mean_difference = 0.0;  // mean of a_i − b_i
  double t = 0.0;
  double p = 1.0;                // two-sided
  int n = 0;                     // pairs
};

// Two-sided paired t-test of a against b (equal lengths). nullopt for fewer than 2 pairs. All
// differences equal: p = 1 when they are 0, else 0 (t infinite).
std::optional<PairedTest> paired_t_test(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace graft::exp
