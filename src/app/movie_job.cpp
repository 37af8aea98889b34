#include "app/movie_job.h"

#include "core/fsutil.h"

#include <cstdio>

namespace ctview::app {

MovieJob::MovieJob(const ui::AppState& s, int v, MovieFormat format) {
    // Everything the thread needs, copied: the state goes on changing while it writes.
    std::shared_ptr<Dataset> data = s.data;
    const Axis axis = s.views[std::size_t(v)].axis;
    const Slab slab = s.views[std::size_t(v)].slab;
    const WindowLevel wl = s.window;
    const ColormapTable map = ui::displayColormap(s);
    const double fps = s.cine.fps;
    const std::filesystem::path dir = s.exportDir;
    const SliceFrame f = ui::frameOf(s, v);
    char name[96];
    std::snprintf(name, sizeof name, "%d_%s%s", data->series.about.listing.seriesNumber, axisName(axis),
                  movieExtension(format));
    total_ = f.count;
    thread_ = std::thread([=, this] {
        try {
            createFolder(dir);
            written_ = writeMovie(
                dir / name, format, f.count, fps,
                [&](int n) {
                    return renderSlice(extractSlice(data->series.volume, axis, sliceIndex(f, n), slab), wl,
                                       map);
                },
                false, [&](int done, int) { done_ = done; });
        } catch (const std::exception& e) {
            error_ = e.what();
        }
        finished_ = true;
    });
}

MovieJob::~MovieJob() {
    if (thread_.joinable())
        thread_.join();
}

std::filesystem::path MovieJob::result(std::string& error) const {
    error = error_;
    return written_;
}

} // namespace ctview::app
