// Peer for the load benchmark: GDCM's plain C++ read loop, the way a program using GDCM directly loads a
// series (gdcm::ImageReader per file, GetBuffer into one volume buffer; no sorting, no rescale, no output).
// Usage: ctview_bench_gdcm_loop DIR [RUNS]   prints the best wall time of RUNS as JSON.
#include <gdcmImageReader.h>
#include <gdcmTrace.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <vector>

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: ctview_bench_gdcm_loop DIR [RUNS]\n");
        return 2;
    }
    gdcm::Trace::SetWarning(false);
    const int runs = argc > 2 ? std::atoi(argv[2]) : 3;
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(argv[1]))
        if (e.is_regular_file())
            files.push_back(e.path());
    std::sort(files.begin(), files.end());
    double best = 1e30;
    std::size_t bytes = 0;
    for (int r = 0; r < runs; ++r) {
        // A fresh volume each run, allocated once from the first image's size (as a program that knows the
        // series would), so that every run pays its page faults as a real load does.
        const auto t0 = std::chrono::steady_clock::now();
        std::unique_ptr<char[]> volume;
        std::size_t capacity = 0;
        bytes = 0;
        for (const auto& f : files) {
            gdcm::ImageReader reader;
            reader.SetFileName(f.c_str());
            if (!reader.Read())
                continue;
            const gdcm::Image& img = reader.GetImage();
            const std::size_t len = img.GetBufferLength();
            if (!volume) {
                capacity = len * files.size();
                volume.reset(new char[capacity]);
            }
            if (bytes + len > capacity)
                break;
            img.GetBuffer(volume.get() + bytes);
            bytes += len;
        }
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    std::printf("{\"seconds\": %.4f, \"files\": %zu, \"pixel_MB\": %.1f}\n", best, files.size(), bytes / 1e6);
    return 0;
}
