#pragma once
// Work split across the cores, for the loops over a volume's slices: no pool, no queue, threads joined before
// the call returns.
#include <algorithm>
#include <cstdlib>
#include <thread>
#include <vector>

namespace ctview {

// The threads a loop over a volume runs on: OMP_NUM_THREADS when it is set to a positive number (the
// convention of numerical libraries, which Dask's workers set to 1 so that each worker thread takes one core
// and a machine's workers do not crowd each other), else one per core.
inline int threadCount() {
    static const int count = [] {
        const char* omp = std::getenv("OMP_NUM_THREADS");
        const int asked = omp ? std::atoi(omp) : 0;
        return asked > 0 ? asked : int(std::max(1u, std::thread::hardware_concurrency()));
    }();
    return count;
}

// Runs body(first, last) over [0, n) split into one contiguous part per thread (threadCount(); at most n).
template <class F> void parallelFor(int n, F body) {
    const int threads = std::clamp(threadCount(), 1, std::max(1, n));
    if (threads == 1) {
        if (n > 0)
            body(0, n);
        return;
    }
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        const int a = n * t / threads, b = n * (t + 1) / threads;
        if (a < b)
            pool.emplace_back(body, a, b);
    }
    for (std::thread& th : pool)
        th.join();
}

} // namespace ctview
