// The viewer's load task (viewer/load_task): slices handed to the window as they are decoded (the preview),
// the series and its 3D statistics handed over after, and what the window keeps of the user's place and
// window when the preview gives way to the loaded series.
#include "testutil.h"

#include "dicom/dicom_write.h"
#include "viewer/app_state.h"
#include "viewer/load_task.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>

using namespace ctview;
using namespace ctview::test;

TEST_CASE("loading: slices are handed over as they are decoded, and add up to the loaded volume") {
    for (WriteSyntax syntax :
         {WriteSyntax::ExplicitLE, WriteSyntax::Rle}) { // our threads, and GDCM's workers
        TempDir dir;
        SeriesSpec spec = smallSeries(12, 10, 9);
        spec.syntax = syntax;
        writeSeries(spec, dir.path);
        // No preview delay: this small series loads faster than the viewer's.
        viewer::LoadTask task(dir.path.string(), "", fastOptions(), nullptr, nullptr,
                              viewer::LoadTask::Staging{0.0, false});
        task.wait();
        std::string error;
        std::shared_ptr<Dataset> preview;
        std::vector<int> dirty;
        REQUIRE(task.takePreview(preview, dirty));
        REQUIRE(preview);
        CHECK(preview->preview);
        std::sort(dirty.begin(), dirty.end());
        CHECK(dirty == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8});
        const auto done = task.take(error);
        REQUIRE(done);
        const Volume& a = preview->series.volume;
        const Volume& b = done->series.volume;
        REQUIRE(a.geometry().dims == b.geometry().dims);
        REQUIRE(a.type() == b.type());
        CHECK(std::memcmp(a.data(), b.data(), a.bytes()) == 0);
        // Not a copy (issue 32.2: a second copy of a 1.6 GB series froze the window while it was filled, and
        // doubled the memory): the preview shows the loader's own stack, which becomes the series; every
        // slice it may read has arrived.
        CHECK(a.data() == b.data());
        CHECK(std::all_of(preview->arrived.begin(), preview->arrived.end(), [](char c) { return c == 1; }));
        CHECK(preview->hasArrived(8));
        CHECK_FALSE(preview->hasArrived(9));
        // Nothing new: no change.
        CHECK_FALSE(task.takePreview(preview, dirty));

        // The viewer moves from the preview to the result without losing the user's place.
        viewer::AppState s;
        viewer::adoptDataset(s, preview);
        s.cursor = {3, 4, 5};
        s.window = {123, 45};
        s.windowName = "custom"; // what a W/L drag or the panel's fields make it
        viewer::adoptDataset(s, done);
        CHECK(s.cursor == glm::ivec3(3, 4, 5));
        CHECK(s.window.width == 123);
        CHECK_FALSE(s.scene.base->summary.empty());
    }
}

TEST_CASE("loading: a series faster than the preview delay has no preview, its 3D statistics follow it") {
    TempDir dir;
    writeSeries(smallSeries(12, 10, 9), dir.path);
    // The viewer's staging: this series loads in well under a minute, so no slice is ever copied for a
    // preview; the series is handed over first, its statistics after.
    viewer::LoadTask task(dir.path.string(), "", fastOptions(), nullptr, nullptr,
                          viewer::LoadTask::Staging{60.0, true});
    task.wait();
    std::shared_ptr<Dataset> preview;
    std::vector<int> dirty;
    CHECK_FALSE(task.takePreview(preview, dirty));
    CHECK_FALSE(preview);
    REQUIRE(task.finished());
    std::string error;
    std::shared_ptr<Dataset> done = task.take(error);
    REQUIRE(done);
    CHECK_FALSE(done->preview);
    CHECK_FALSE(done->stats); // not attached by the load thread: the main thread owns the dataset now
    CHECK_FALSE(task.statsPending());
    Dataset other;
    CHECK(task.takeStats(other));
    CHECK_FALSE(other.stats); // statistics go only to the dataset they were computed for
    CHECK(task.takeStats(*done));
    REQUIRE(done->stats);
    CHECK(done->stats->maxHU == Approx(done->series.volume.range().second));
}

TEST_CASE("loading: a series over the 3D view's limits gets its downsampled copy on the load's thread, with "
          "the copy's statistics (issue 32.2)") {
    TempDir dir;
    writeSeries(smallSeries(12, 10, 9), dir.path);
    const std::uint64_t bytes = 12 * 10 * 9 * 2;
    // The window learns the limits once its GL context is up, after the load started.
    viewer::LoadTask task(dir.path.string(), "", fastOptions(), nullptr, nullptr,
                          viewer::LoadTask::Staging{60.0, true});
    task.set3dLimits(0, bytes / 4); // a quarter: a 2x copy (6x5x5)
    task.wait();
    std::string error;
    std::shared_ptr<Dataset> done = task.take(error);
    REQUIRE(done);
    REQUIRE(task.takeStats(*done));
    REQUIRE(done->copy3d);
    CHECK(done->copy3d->geometry().dims == glm::ivec3(6, 5, 5));
    const Volume expected = downsampleVolume(done->series.volume, 2);
    CHECK(std::memcmp(done->copy3d->int16Data(), expected.int16Data(), expected.bytes()) == 0);
    REQUIRE(done->stats);
    CHECK(done->stats->bricks.count == computeVolumeStats(expected).bricks.count);
    CHECK(done->stats->maxHU == expected.range().second);
    // Within the limits (and in headless commands, which set none): no copy, the volume's own statistics.
    viewer::LoadTask plain(dir.path.string(), "", fastOptions(), nullptr, nullptr,
                           viewer::LoadTask::Staging{60.0, true, {}, 16, bytes});
    plain.wait();
    std::shared_ptr<Dataset> whole = plain.take(error);
    REQUIRE(whole);
    REQUIRE(plain.takeStats(*whole));
    CHECK_FALSE(whole->copy3d);
    CHECK(whole->stats->maxHU == whole->series.volume.range().second);
}

TEST_CASE("loading: a preview that knew no window (a DICOMweb listing) gives way to the file's window") {
    auto make = [](bool preview, std::vector<WindowPreset> windows) {
        auto d = std::make_shared<Dataset>();
        d->preview = preview;
        Geometry g;
        g.dims = {4, 4, 4};
        d->series.volume = Volume(g, ScalarType::Int16, SharedBuffer::Sharing::Private);
        d->series.minHU = -1024;
        d->series.maxHU = 3071;
        d->series.about.windows = std::move(windows);
        return d;
    };
    viewer::AppState s;
    viewer::adoptDataset(s, make(true, {}));
    // Nothing better known yet: the automatic window once the series is complete (it reads every voxel, and a
    // preview's are still being written); the soft-tissue window meanwhile, named "auto" (issue 32.10).
    CHECK(s.window.width == 400);
    CHECK(s.window.center == 40);
    CHECK(s.windowName == "auto");
    viewer::adoptDataset(s, make(false, {{"file 1", {400, 40}}}));
    CHECK(s.window.width == 400);
    CHECK(s.window.center == 40);
    CHECK(s.windowName == "file");
    // A window the user chose during the preview stays.
    viewer::adoptDataset(s, make(true, {}));
    s.window = {150, 30};
    s.windowName = "custom";
    viewer::adoptDataset(s, make(false, {{"file 1", {400, 40}}}));
    CHECK(s.window.width == 150);
}
