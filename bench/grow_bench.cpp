// Grow from a click (not a test; issue 28.3: "grow from a click on 512x512x600: <= 150 ms on the 2 cores").
// On a series, from a seed voxel (the first voxel in the range along the middle slice's middle row): the grow
// itself (edit/mask_ops growFromSeed: a flood fill from the seed testing HU as it reaches them), the same
// part the long way (the threshold's mask, then its part at the seed), and the whole click in the window's
// editor (viewer::growAt: the grow, the change recorded for undo, the layer copied and its statistics brought
// up to date from the change), and its undo, each timed. Best of
// RUNS.
//
// Usage: ctview_bench_grow SOURCE [LO] [RUNS]
#include "app/headless.h"
#include "edit/mask_ops.h"
#include "viewer/app_state.h"
#include "viewer/segment_editor.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>

using namespace ctview;

namespace {

double bestMs(int runs, const std::function<void()>& job) {
    double best = 1e30;
    for (int r = 0; r < runs; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        job();
        best = std::min(
            best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    return best;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s SOURCE [LO] [RUNS]\n", argv[0]);
        return 2;
    }
    try {
        app::CommonOptions common;
        common.input = argv[1];
        common.quiet = true;
        const float lo = argc > 2 ? float(std::atof(argv[2])) : 300.f, hi = 3071.f;
        const int runs = argc > 3 ? std::max(1, std::atoi(argv[3])) : 5;
        auto d = app::loadDatasetHeadless(common, false);
        const Volume& ct = d->series.volume;
        const glm::ivec3 dims = ct.geometry().dims;
        // The seed: the first voxel in the range down the middle slice's middle column from its centre (the
        // spine, on a CT of the trunk).
        glm::ivec3 seed(dims.x / 2, -1, dims.z / 2);
        for (int j = dims.y / 2; j < dims.y && seed.y < 0; ++j)
            if (ct.at(seed.x, j, seed.z) >= lo)
                seed.y = j;
        if (seed.y < 0) {
            std::fprintf(stderr, "no voxel of %g HU or more down the middle slice's middle column\n",
                         double(lo));
            return 1;
        }
        std::size_t voxels = 0;
        const double grow =
            bestMs(runs, [&] { voxels = growPart(ct, lo, hi, seed, Connectivity::Faces6).voxels; });
        const double longWay =
            bestMs(runs, [&] { keepIslandAt(thresholdMask(ct, lo, hi), dims, seed, Connectivity::Faces6); });
        viewer::AppState s;
        viewer::adoptDataset(s, d);
        viewer::newSegment(s);
        s.editor.lo = lo;
        s.editor.hi = hi;
        // The click and its undo timed apart: each is what the user waits for after one action.
        double click = 1e30, undo = 1e30;
        for (int r = 0; r < runs; ++r) {
            click = std::min(click, bestMs(1, [&] { viewer::growAt(s, seed); }));
            undo = std::min(undo, bestMs(1, [&] { viewer::undoSegmentEdit(s); }));
        }
        std::printf("%dx%dx%d, %g..%g HU from voxel (%d, %d, %d): %zu voxels\n", dims.x, dims.y, dims.z,
                    double(lo), double(hi), seed.x, seed.y, seed.z, voxels);
        std::printf("grow from the seed (growPart):                %8.1f ms\n", grow);
        std::printf("threshold mask, then its part at the seed:    %8.1f ms\n", longWay);
        std::printf("the editor's click (grow, undo record, layer copy, statistics):   %8.1f ms\n", click);
        std::printf("its undo (the box back, layer copy, statistics):                  %8.1f ms\n", undo);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
}
