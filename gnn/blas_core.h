// OpenBLAS picks its kernels by CPU model when it loads. Debian's 0.3.21 does not know CPUs
// released after it (Sapphire and Emerald Rapids) and falls back to its SSE3 "Prescott" kernels:
// on this project's AVX-512 machines sgemm then runs at 26 instead of 88 GFLOP/s on one core
// (a 20,000 × 256 by 256 × 128 product). The kernel family can only be chosen before the
// library loads, through OPENBLAS_CORETYPE, so a program restarts itself once with it set.
#pragma once

namespace graft::gnn {

// The OPENBLAS_CORETYPE this CPU should have ("SkylakeX" with AVX-512, "Haswell" with AVX2), or
// nullptr when OpenBLAS is not the BLAS, chose well itself, or the variable is already set.
const char* better_blas_core();

// When better_blas_core() names one: sets OPENBLAS_CORETYPE and re-executes /proc/self/exe with
// the same arguments (returns only if that fails, leaving the slower kernels). Call first in main.
void restart_with_better_blas_core(char** argv);

}  // namespace graft::gnn
