// Render benchmark (not a test): ms per frame and million samples per second of the 3D view at a given image
// size, for each mode, shaded and unshaded, at full quality (step 1 voxel, every pixel) and in interactive
// mode (step 2, half the pixels each way: what the viewer starts dragging with). The volume is loaded as the
// viewer loads it.
//
// Then the axial slice view at the same size, thin and as 20 mm thick slabs (MIP, MinIP, average; issue 12's
// goal: a 20 mm MIP slab on 512x512x300 under 50 ms a frame at 1024x768 on llvmpipe), a new slice each frame
// as while scrolling, or the same slice at a new window each frame (a W/L drag on a slab).
//
// Usage: ctview_bench_render DICOM_FOLDER [WIDTHxHEIGHT] [FRAMES] [CASE]  (CASE: run only the cases whose
// name contains it, e.g. "mip", "slab") "M samples/s" counts the samples a ray would take through the whole
// box (rays x box depth / step), so that empty-space skipping and early termination show up as a higher rate,
// as they do for the user.
#include "app/gl_context.h"
#include "app/headless.h"
#include "app/scene.h"
#include "volume/mpr.h"
#include "volume/transfer.h"
#include "volume/view.h"

#include <glad/gl.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace ctview;

namespace {
// Milliseconds `draw` takes on the GPU: finished before and after.
template <class F> double timedMs(F&& draw) {
    glFinish();
    const auto t0 = std::chrono::steady_clock::now();
    draw();
    glFinish();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}
double median(std::vector<double> ms) {
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}
} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s DICOM_FOLDER [WIDTHxHEIGHT] [FRAMES] [CASE]\n", argv[0]);
        return 2;
    }
    try {
        app::CommonOptions common;
        common.input = argv[1];
        common.quiet = true;
        const glm::ivec2 size = app::parseImageSize(argc > 2 ? argv[2] : "1024x768", "size");
        const int frames = argc > 3 ? std::max(1, std::atoi(argv[3])) : 5;
        const std::string only = argc > 4 ? argv[4] : ""; // run only the cases whose name contains this
        auto d = app::loadDatasetHeadless(common);
        const glm::ivec3 dims = d->series.volume.geometry().dims;

        GLFWwindow* window = app::createGlWindow(64, 64, "ctview bench", false);
        std::printf("# %dx%dx%d volume, %dx%d image, %s, %d frames each (median)\n", dims.x, dims.y, dims.z,
                    size.x, size.y, reinterpret_cast<const char*>(glGetString(GL_RENDERER)), frames);
        std::printf("%-22s %-12s %10s %8s %14s\n", "mode", "quality", "ms/frame", "fps", "M samples/s");
        {
            app::Renderers r;
            r.slices.setVolume(d->series.volume);
            r.volume.setVolume(d->series.volume, d->stats, r.slices.volumeTexture(), r.slices.huTexel());
            struct Case {
                const char* name;
                const char* preset;
                RenderMode mode;
                bool shading;
            };
            const Case cases[] = {
                {"dvr ct-bone shaded", "ct-bone", RenderMode::Composite, true},
                {"dvr ct-bone unshaded", "ct-bone", RenderMode::Composite, false},
                {"dvr ct-skin shaded", "ct-skin", RenderMode::Composite, true},
                {"mip", "mip", RenderMode::Mip, false},
                {"minip", "mip", RenderMode::MinIp, false},
                {"avg (xray)", "xray", RenderMode::Average, false},
                {"iso 300 shaded", "ct-bone", RenderMode::Isosurface, true},
            };
            for (const Case& c : cases) {
                if (std::string(c.name).find(only) == std::string::npos)
                    continue;
                // full: step 1 voxel, every pixel; release: the coarse frames' step and opacity
                // (app::kCoarseStepFactor, kCoarseOpaque), every pixel (the viewer's first frame after a drag
                // when the full one would be slow); interactive: the same, half the pixels each way.
                for (const char* quality : {"full", "release", "interactive"}) {
                    const bool full = quality[0] == 'f', interactive = quality[0] == 'i';
                    gl::VolumeRenderSettings s;
                    s.preset = *findBuiltinPreset(c.preset);
                    s.preset.mode = c.mode;
                    s.preset.shading.enabled = c.shading;
                    s.colormap = s.preset.colormap;
                    if (!full) {
                        s.stepScale = app::kCoarseStepFactor;
                        s.opaque = app::kCoarseOpaque;
                    }
                    const glm::ivec2 px = interactive ? size / 2 : size;
                    std::vector<double> ms;
                    for (int f = 0; f <= frames; ++f) {
                        // A new angle each frame, as while rotating (the first frame compiles and is not
                        // counted).
                        s.camera.rotation = orbitRotation(30.0 + 7.0 * f, 15.0);
                        const double t = timedMs([&] { r.volume.render(s, px, true); });
                        if (f > 0)
                            ms.push_back(t);
                    }
                    const double mid = median(ms);
                    const double samples = r.volume.nominalSamples(s, px);
                    std::printf("%-22s %-12s %10.1f %8.1f %14.0f\n", c.name, quality, mid, 1000.0 / mid,
                                samples / (mid / 1000.0) / 1e6);
                    std::fflush(stdout);
                }
                // What the viewer does while dragging: start at half the pixels each way, adapt every frame.
                gl::VolumeRenderSettings s;
                s.preset = *findBuiltinPreset(c.preset);
                s.preset.mode = c.mode;
                s.preset.shading.enabled = c.shading;
                s.stepScale = app::kCoarseStepFactor;
                s.opaque = app::kCoarseOpaque;
                float scale = 0.5f;
                std::vector<double> ms;
                for (int f = 0; f < 12; ++f) {
                    s.camera.rotation = orbitRotation(30.0 + 7.0 * f, 15.0);
                    const glm::ivec2 px = glm::max(glm::ivec2(glm::vec2(size) * scale), glm::ivec2(1));
                    const double t = timedMs([&] { r.volume.render(s, px, true); });
                    if (f >= 6)
                        ms.push_back(t);
                    scale = app::adaptInteractiveScale(scale, t / 1000.0);
                }
                char label[32];
                std::snprintf(label, sizeof label, "adaptive %.2f", double(scale));
                std::printf("%-22s %-12s %10.1f %8.1f %14s\n", c.name, label, median(ms), 1000.0 / median(ms),
                            "");
                std::fflush(stdout);
            }
            // The slice view: the axial view filling the image, zoom 1 (the whole slice fits), nearest.
            const SliceFrame frame = sliceFrame(d->series.volume.geometry(), Axis::Axial);
            const gl::OffscreenTarget target = gl::makeOffscreenTarget(size.x, size.y);
            glBindFramebuffer(GL_FRAMEBUFFER, target.fbo.id());
            const ViewMapping m(frame, Rect{0, 0, float(size.x), float(size.y)}, ViewCamera{});
            struct SlabCase {
                const char* name;
                Slab slab;
                bool linear;
                bool scroll = true; // a new slice each frame; else the same slice at a new window (W/L drag)
                bool oblique = false; // the axial view turned 20 degrees (oblique MPR): sampled per pixel
            };
            const SlabCase slabCases[] = {
                {"slice thin", {}, false},
                {"slab mip 20mm", {20, SlabMode::Mip}, false},
                {"slab minip 20mm", {20, SlabMode::MinIp}, false},
                {"slab average 20mm", {20, SlabMode::Average}, false},
                {"slab mip 20mm linear", {20, SlabMode::Mip}, true},
                {"slab mip 20mm W/L drag", {20, SlabMode::Mip}, false, false},
                {"oblique thin", {}, false, true, true},
                {"oblique thin linear", {}, true, true, true},
                {"oblique mip 20mm", {20, SlabMode::Mip}, false, true, true},
                {"oblique mip 20mm linear", {20, SlabMode::Mip}, true, true, true},
            };
            const Geometry& g = d->series.volume.geometry();
            Mpr turned;
            turned.oblique = true;
            turned.rotation = rotationAbout(glm::normalize(glm::dvec3(1, 1, 0)), glm::radians(20.0));
            for (const SlabCase& c : slabCases) {
                if (std::string(c.name).find(only) == std::string::npos &&
                    !(only == "slab" && std::string(c.name) == "slice thin"))
                    continue;
                r.slices.setInterpolation(c.linear);
                std::vector<double> ms;
                for (int f = 0; f <= frames; ++f) {
                    const int k = frame.count / 2 + (c.scroll ? f % 7 - 3 : 0);
                    const WindowLevel wl{400.0 + (c.scroll ? 0 : 5 * f), 40};
                    turned.centre =
                        volumeCentre(g) + glm::dvec3(0, 0, (c.scroll ? f % 7 - 3 : 0) * frame.nSpacing);
                    const ViewMapping mo(frame, viewPlane(g, Axis::Axial, turned), g,
                                         Rect{0, 0, float(size.x), float(size.y)}, ViewCamera{});
                    const double t =
                        timedMs([&] { r.slices.draw(c.oblique ? mo : m, k, wl, c.slab, size, 1.0f); });
                    if (f > 0)
                        ms.push_back(t);
                }
                const double mid = median(ms);
                const glm::ivec2 range = slabRange(c.slab, frame, frame.count / 2);
                const int samples =
                    2 * slabHalfCount(c.slab, normalStep(g, viewPlane(g, Axis::Axial, turned).normal)) + 1;
                char quality[32];
                std::snprintf(quality, sizeof quality, c.oblique ? "%d samples" : "%d slices",
                              c.oblique ? samples : range.y - range.x + 1);
                std::printf("%-22s %-12s %10.1f %8.1f %14s\n", c.name, quality, mid, 1000.0 / mid, "");
                std::fflush(stdout);
            }
            glBindFramebuffer(GL_FRAMEBUFFER, 0);
        }
        app::destroyGlWindow(window);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench: %s\n", e.what());
        return 1;
    }
}
