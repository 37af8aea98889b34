// Load benchmark: scan + decode a series through the same calls `ctview` makes, best of N runs.
// Prints wall time, MB/s of pixel data (stored bytes of the decoded slices), and peak RSS: this process's
// high-water mark (VmHWM, which includes the volume buffer) and the largest worker's.
#include "dicom/loader.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <sys/resource.h>

static long vmHwmKiB() {
    std::ifstream in("/proc/self/status");
    std::string key;
    long v = 0;
    while (in >> key) {
        if (key == "VmHWM:") {
            in >> v;
            return v;
        }
        std::getline(in, key);
    }
    return 0;
}

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: ctview_bench_load DIR [RUNS]\n");
        return 2;
    }
    const int runs = argc > 2 ? std::atoi(argv[2]) : 3;
    double best = 1e30, bestScan = 1e30;
    double pixelBytes = 0, volumeBytes = 0;
    for (int r = 0; r < runs; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        ctview::ScanResult scan = ctview::scanInput(argv[1]);
        bestScan =
            std::min(bestScan, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        ctview::DecodedStack s = ctview::loadSeries(scan, scan.pick(""));
        const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        best = std::min(best, t);
        const auto& g = s.volume.geometry();
        pixelBytes = double(g.voxelCount()) * (s.firstHeader->bitsAllocated / 8.0);
        volumeBytes = double(s.volume.bytes());
        // Read every voxel once (as any viewer will), so that this process's high-water mark counts the
        // volume's shared pages; the workers wrote them, and RSS counts a page where it is touched.
        volatile float sink = s.volume.range().first;
        (void)sink;
    }
    rusage children{};
    getrusage(RUSAGE_CHILDREN, &children);
    std::printf("{\"seconds\": %.4f, \"scan_seconds\": %.4f, \"pixel_MB\": %.1f, \"MB_per_s\": %.1f, "
                "\"volume_MiB\": %.1f, "
                "\"peak_rss_MiB\": %.1f, \"largest_worker_rss_MiB\": %.1f}\n",
                best, bestScan, pixelBytes / 1e6, pixelBytes / 1e6 / best, volumeBytes / 1048576.0,
                vmHwmKiB() / 1024.0, children.ru_maxrss / 1024.0);
    return 0;
}
