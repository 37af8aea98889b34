// PACS benchmark: one series from a DICOMweb or dicom:// URL through the same source the viewer and the
// commands use, with an empty cache each run (CTVIEW's cache under $XDG_CACHE_HOME, which bench/dicomweb and
// bench/dimse point at a scratch folder). Prints, best of N: the time to the first decoded slice (what the
// viewer can show first) and to the whole volume, how long the queries before the download took (opening the
// source: QIDO-RS or C-FIND), when the first image arrived and when the download ended (the "downloading"
// progress reaching 1 and its end), and the first slice's delay after the first image arrived.
#include "dicomweb/dicomweb.h"
#include "sources/series.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: ctview_bench_dicomweb URL [RUNS]\n");
        return 2;
    }
    const int runs = argc > 2 ? std::atoi(argv[2]) : 3;
    double bestFirst = 1e30, bestAll = 1e30, bestDownload = 1e30, bestOpen = 1e30, bestArrived = 1e30,
           worstDelay = 0;
    std::size_t slices = 0;
    for (int r = 0; r < runs; ++r) {
        std::filesystem::remove_all(ctview::dicomWebCacheRoot());
        using clock = std::chrono::steady_clock;
        const auto t0 = clock::now();
        double first = -1, downloaded = -1, arrived = -1;
        ctview::LoadOptions o;
        o.progress = [&](const std::string& stage, std::size_t done, std::size_t total) {
            const double now = std::chrono::duration<double>(clock::now() - t0).count();
            if (stage == "downloading" && done >= 1 && arrived < 0)
                arrived = now;
            if (stage == "downloading" && done == total && downloaded < 0)
                downloaded = now;
        };
        o.slicesReady = [&](const ctview::Volume&, const std::vector<int>& ready) {
            if (!ready.empty() && first < 0)
                first = std::chrono::duration<double>(clock::now() - t0).count();
        };
        const auto src = ctview::openSource(argv[1], o);
        bestOpen = std::min(bestOpen, std::chrono::duration<double>(clock::now() - t0).count());
        const ctview::Series s = src->load(src->pick("").number, o);
        const double all = std::chrono::duration<double>(clock::now() - t0).count();
        slices = std::size_t(s.volume.geometry().dims.z);
        bestFirst = std::min(bestFirst, first);
        bestAll = std::min(bestAll, all);
        bestDownload = std::min(bestDownload, downloaded);
        bestArrived = std::min(bestArrived, arrived);
        worstDelay = std::max(worstDelay, first - arrived);
    }
    std::printf("{\"slices\": %zu, \"queries_s\": %.3f, \"first_image_s\": %.3f, \"first_slice_s\": %.3f, "
                "\"first_slice_after_first_image_max_s\": %.3f, \"download_s\": %.3f, \"volume_s\": %.3f}\n",
                slices, bestOpen, bestArrived, bestFirst, worstDelay, bestDownload, bestAll);
    return 0;
}
