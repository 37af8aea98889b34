// `ctview render`: the 3D view rendered headless through the window's own code (AppState, VolumeRenderer,
// overlays) into an offscreen framebuffer, written as PNG, or as a turntable movie (MP4, GIF). Deterministic
// (the ray jitter is a fixed per-pixel pattern), for golden-image tests and scripts.
#include "app/headless.h"
#include "app/subcommands.h"
#include "base/error.h"
#include "media/export.h"
#include "media/movie.h"
#include "viewer/settings.h"
#include "volume/colormap.h"
#include "volume/transfer.h"

#include <glm/gtc/quaternion.hpp>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

namespace ctview::app {

namespace {
RenderPreset presetFor(const std::string& text) {
    if (const RenderPreset* p = findBuiltinPreset(text))
        return *p;
    if (text.size() > 5 && text.substr(text.size() - 5) == ".json")
        return loadPresetFile(text); // DataError: exit 1
    // The user's presets, as the window lists them: by name (the file's stem) or by title.
    std::vector<std::string> problems;
    const std::vector<RenderPreset> mine = loadPresetFolder(viewer::userPresetFolder(), problems);
    for (const RenderPreset& p : mine)
        if (p.name == text || p.title == text || p.name == presetFileStem(text))
            return p;
    std::string names;
    for (const RenderPreset& p : builtinPresets())
        names += (names.empty() ? "" : ", ") + p.name;
    std::string yours;
    for (const RenderPreset& p : mine)
        yours += (yours.empty() ? "" : ", ") + p.name;
    throw UsageError("--preset " + text + ": use " + names +
                     (yours.empty() ? "" : ", one of yours (" + yours + ")") + ", or a preset .json file");
}

void parseCrop(const std::string& text, glm::dvec3& lo, glm::dvec3& hi) {
    const std::vector<double> v = parseNumbers(text, "--crop", 6, 6);
    const auto fraction = [](double x) { return x >= 0.0 && x <= 1.0; };
    if (!std::all_of(v.begin(), v.end(), fraction) || v[0] >= v[1] || v[2] >= v[3] || v[4] >= v[5])
        throw UsageError("--crop " + text +
                         ": use I0,I1,J0,J1,K0,K1 with 0 <= from < to <= 1 along each axis");
    lo = {v[0], v[2], v[4]};
    hi = {v[1], v[3], v[5]};
}
} // namespace

RenderPlan planRender(const RenderOptions& o) {
    RenderPlan plan;
    plan.options = o;
    plan.size = parseImageSize(o.size, "--size");
    if (!o.colormap.empty())
        colormapTable(o.colormap);
    if (!o.crop.empty())
        parseCrop(o.crop, plan.cropLo, plan.cropHi);
    // The command line's parser checks these too; `import ctview` comes here directly.
    if (!o.view.empty() && std::none_of(viewFromNames().begin(), viewFromNames().end(),
                                        [&](const ViewFromName& v) { return o.view == v.name; }))
        throw UsageError("--view " + o.view + ": use anterior, posterior, left, right, superior or inferior");
    const std::optional<RenderMode> mode = o.mode.empty() ? std::nullopt : parseMode(o.mode);
    if (!o.mode.empty() && !mode)
        throw UsageError("--mode " + o.mode + ": use " + modeNameList());
    RenderPreset& preset = plan.preset;
    preset = presetFor(o.preset);
    if (mode)
        preset.mode = *mode;
    if (o.noShading)
        preset.shading.enabled = false;
    if (!std::isnan(o.iso))
        preset.isoValue = float(o.iso);
    return plan;
}

viewer::AppState renderState(const RenderPlan& plan, const std::shared_ptr<Dataset>& d) {
    const RenderOptions& o = plan.options;
    viewer::AppState s;
    viewer::adoptDataset(s, d);
    showOnlySegments(s, *d, o.segments);
    viewer::applyPreset(s, plan.preset);
    if (!o.colormap.empty())
        viewer::applyColormap3d(s, o.colormap);
    Camera3D& cam = s.view3d.camera;
    if (o.view.empty()) {
        cam.rotation = orbitRotation(o.azimuth, o.elevation);
    } else {
        for (const ViewFromName& v : viewFromNames())
            if (o.view == v.name)
                cam.rotation = viewFromRotation(v.from);
    }
    cam.zoom = o.zoom;
    cam.perspective = o.perspective;
    s.view3d.cropMin = plan.cropLo;
    s.view3d.cropMax = plan.cropHi;
    s.view3d.stepScale = o.step;
    s.maximised = 3;
    if (!o.overlays)
        s.prefs.overlays = {false, false, false, false, false, false};
    return s;
}

int runRender(const CommonOptions& common, const RenderOptions& o) {
    // Everything that can be checked is checked before loading.
    const RenderPlan plan = planRender(o);
    const glm::ivec2 size = plan.size;
    if (o.output.empty())
        throw UsageError("-o/--output is required");
    // --turntable DEGREES/FRAMES: a movie, the format from the output's extension.
    double degrees = 0;
    int frames = 0;
    MovieFormat movie = MovieFormat::Mp4;
    if (!o.turntable.empty()) {
        char tail = 0;
        if (std::sscanf(o.turntable.c_str(), "%lf/%d%c", &degrees, &frames, &tail) != 2 || frames < 1 ||
            frames > 10000 || !(std::abs(degrees) <= 36000))
            throw UsageError("--turntable " + o.turntable + ": use DEGREES/FRAMES, e.g. 360/72");
        const std::string ext = std::filesystem::path(o.output).extension().string();
        if (ext.size() < 2 || !parseMovieFormat(ext.substr(1), movie))
            throw UsageError("--turntable writes a movie: -o must end in .mp4 or .gif");
    }
    viewer::AppState s = renderState(plan, loadDatasetHeadless(common));
    Camera3D& cam = s.view3d.camera;

    if (frames > 0) {
        // One GL context for every frame.
        HeadlessSession session;
        const glm::dquat start = cam.rotation;
        const bool tty = ::isatty(2) && !common.quiet;
        auto draw = [&](int i) {
            cam.rotation = turntableRotation(start, degrees, i, frames);
            return session.draw(s, size, o.overlays);
        };
        auto say = [&](const char* what, int done, int count) {
            if (tty)
                std::fprintf(stderr, "\r%s %d/%d frames%s", what, done, count, done == count ? "\n" : "");
        };
        // A GIF reads every frame twice (its palette, then its pixels): each frame rendered once and kept,
        // when they fit in 1 GiB, rather than rendered twice (72 frames at 649x512 on the phantom: 8.0 s
        // before, 4.2-5.2 s now, the same file).
        std::vector<RgbImage> kept;
        const bool keep =
            movie == MovieFormat::Gif && double(frames) * size.x * size.y * 3 <= double(1 << 30);
        if (keep) {
            kept.reserve(std::size_t(frames));
            for (int i = 0; i < frames; ++i) {
                kept.push_back(draw(i));
                say("rendering", i + 1, frames);
            }
        }
        const auto written = writeMovie(
            o.output, movie, frames, o.fps, [&](int i) { return keep ? kept[std::size_t(i)] : draw(i); },
            o.force, [&](int done, int count) { say(keep ? "encoding" : "rendering", done, count); });
        std::printf("%s\n", written.string().c_str());
        return 0;
    }
    ui::RenderFeedback feedback;
    const RgbImage pixels = renderHeadless(s, size, o.overlays, {}, &feedback);
    if (!feedback.labels3dNote.empty())
        std::fprintf(stderr, "warning: %s\n", feedback.labels3dNote.c_str());
    const auto written = writeImage(pixels, o.output, ImageFormat::Png, o.force);
    std::printf("%s\n", written.string().c_str());
    return 0;
}

} // namespace ctview::app
