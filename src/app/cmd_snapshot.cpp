// `ctview snapshot`: the slice views rendered headless through the window's own code (AppState,
// SliceRenderer, overlays) into an offscreen framebuffer, written as PNG. For tests, scripts and
// documentation.
#include "app/headless.h"
#include "app/subcommands.h"
#include "base/error.h"
#include "measure/measure.h"
#include "media/export.h"
#include "viewer/input.h"
#include "volume/colormap.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

namespace ctview::app {

SnapshotPlan planSnapshot(const SnapshotOptions& o) {
    SnapshotPlan plan;
    plan.options = o;
    int& maximised = plan.maximised;
    if (o.view == "axial")
        maximised = 0;
    else if (o.view == "coronal")
        maximised = 1;
    else if (o.view == "sagittal")
        maximised = 2;
    else if (o.view != "grid")
        throw UsageError("--view " + o.view + ": use axial, coronal, sagittal or grid");
    plan.size = parseImageSize(o.size, "--size");
    colormapTable(o.colormap);
    checkWindowOption(o.window, /*allowAuto=*/true);
    plan.slab = slabOption(o.slab, o.slabMode);
    plan.turns = turnOption(o.turn);
    if (!o.annotations.empty())
        plan.annotations = loadAnnotationFile(o.annotations).annotations;
    plan.fusion = planFusion(o.fuse);
    return plan;
}

RgbImage drawSnapshot(const SnapshotPlan& plan, const std::shared_ptr<Dataset>& d,
                      const std::function<void(viewer::AppState&)>& addLayers) {
    const SnapshotOptions& o = plan.options;
    const int maximised = plan.maximised;
    viewer::AppState s;
    s.windowName = "file";
    viewer::adoptDataset(s, d);
    showOnlySegments(s, *d, o.segments);
    if (addLayers)
        addLayers(s);
    s.annotations = plan.annotations;
    if (o.window == "auto") {
        s.window = autoWindow(d->series.volume);
        s.windowName = "auto"; // the W/L overlay names where the window came from, as in the viewer
    } else if (o.window != "file") {
        s.window = *parseWindow(o.window, std::nullopt);
        s.windowName = o.window;
    }
    s.colormap = o.colormap;
    s.invert = o.invert;
    s.linear = o.linear;
    s.maximised = maximised;
    for (viewer::ViewState& view : s.views)
        view.slab = plan.slab;
    s.activeView = std::max(0, maximised);
    if (!o.overlays)
        s.prefs.overlays = {false, false, false, false, false, false};
    applyTurns(s, plan.turns);
    if (o.slice != -1) {
        const int v = std::max(0, maximised);
        const int count = viewer::sliceCountOf(s, v);
        if (o.slice < 1 || o.slice > count)
            throw UsageError("--slice " + std::to_string(o.slice) + " is out of range: the " +
                             axisName(s.views[std::size_t(v)].axis) + " view has slices 1.." +
                             std::to_string(count));
        setSliceNumber(s, v, o.slice);
    }
    return renderHeadless(s, plan.size, /*overlays=*/true);
}

int runSnapshot(const CommonOptions& common, const SnapshotOptions& o) {
    // Everything that can be checked is checked before loading.
    const SnapshotPlan plan = planSnapshot(o);
    if (o.output.empty())
        throw UsageError("-o/--output is required");
    const std::shared_ptr<Dataset> d = loadDatasetHeadless(common);
    const RgbImage pixels = drawSnapshot(plan, d, [&](viewer::AppState& s) {
        if (!plan.fusion.options.source.empty())
            fuseHeadless(s, common, plan.fusion);
    });
    const auto written = writeImage(pixels, o.output, ImageFormat::Png, o.force);
    std::printf("%s\n", written.string().c_str());
    return 0;
}

} // namespace ctview::app
