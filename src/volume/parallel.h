#pragma once
// Work split across the cores, for the loops over a volume's slices: no pool, no queue, threads joined before
// the call returns.
#include <algorithm>
#include <thread>
#include <vector>

namespace ctview {

// Runs body(first, last) over [0, n) split into one contiguous part per core (at most n parts).
template <class F> void parallelFor(int n, F body) {
    const int threads = std::clamp(int(std::thread::hardware_concurrency()), 1, std::max(1, n));
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
