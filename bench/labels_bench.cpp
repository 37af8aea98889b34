// Scrolling with segments (not a test; issue 27.5): ms per frame of the axial view filling an image, a new
// slice every frame as while scrolling, the scene drawn as the window draws it (app::drawScene: the slice,
// the label layers' fill and outline), with every segment shown and with none. Goal: with 100 segments shown,
// no slower than 1.2x without. And with no segment shown, the segment editor's threshold preview (bone, 300
// HU and up, tinted in every slice view) against none: issue 28's "the preview redraws as fast as the slice".
//
// Usage: ctview_bench_labels SOURCE LABELS [WIDTHxHEIGHT] [FRAMES]
#include "app/gl_context.h"
#include "app/headless.h"
#include "app/scene.h"
#include "render/gl.h"
#include "viewer/app_state.h"

#include <glad/gl.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace ctview;

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s SOURCE LABELS [WIDTHxHEIGHT] [FRAMES]\n", argv[0]);
        return 2;
    }
    try {
        app::CommonOptions common;
        common.input = argv[1];
        common.labels = {argv[2]};
        common.quiet = true;
        const glm::ivec2 size = app::parseImageSize(argc > 3 ? argv[3] : "1024x768", "size");
        const int frames = argc > 4 ? std::max(2, std::atoi(argv[4])) : 30;
        auto d = app::loadDatasetHeadless(common);
        GLFWwindow* window = app::createGlWindow(64, 64, "ctview bench", false);
        {
            viewer::AppState s;
            viewer::adoptDataset(s, d);
            s.maximised = 0; // the axial view alone, as a user scrolls it
            viewer::layoutCells(s, Rect{0, 0, float(size.x), float(size.y)});
            app::Renderers r;
            app::RendererSync sync;
            app::syncRenderer(s, r, sync);
            gl::OffscreenTarget target = gl::makeOffscreenTarget(size.x, size.y);
            glBindFramebuffer(GL_FRAMEBUFFER, target.fbo.id());
            std::size_t segments = 0;
            for (const auto& layer : d->labels)
                segments += layer->segments.size();
            const glm::ivec3 dims = d->series.volume.geometry().dims;
            std::printf("# %dx%dx%d volume, %zu segments, %dx%d image, %s, %d frames (median)\n", dims.x,
                        dims.y, dims.z, segments, size.x, size.y,
                        reinterpret_cast<const char*>(glGetString(GL_RENDERER)), frames);
            const int middle = viewer::sliceNumberOf(s, 0);
            double without = 0;
            enum class Run { None, Shown, Preview };
            for (const Run run : {Run::None, Run::Shown, Run::Preview}) {
                const bool shown = run == Run::Shown;
                for (viewer::LabelLayerView& v : s.scene.labels)
                    std::fill(v.visible.begin(), v.visible.end(), char(shown));
                // The editor on the first layer's first segment, its Threshold tool dragged to bone.
                s.editor.open = run == Run::Preview;
                s.editor.layer = s.editor.segment = run == Run::Preview ? 0 : -1;
                s.editor.tool = viewer::SegmentEditor::Tool::Threshold;
                s.editor.lo = 300;
                s.editor.hi = 3071;
                std::vector<double> ms;
                for (int f = 0; f <= frames; ++f) {
                    viewer::setSliceNumber(s, 0, middle + f % 15 - 7);
                    glFinish();
                    const auto t0 = std::chrono::steady_clock::now();
                    app::syncRenderer(s, r, sync);
                    app::drawScene(s, r, size, 1.0f, 0.0);
                    glFinish();
                    if (f > 0) // the first frame uploads
                        ms.push_back(
                            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                                .count());
                }
                std::sort(ms.begin(), ms.end());
                const double mid = ms[ms.size() / 2];
                if (run == Run::None)
                    without = mid;
                const char* what = run == Run::None    ? "no segment shown"
                                   : run == Run::Shown ? "every segment shown"
                                                       : "threshold preview";
                std::printf("%-24s %8.2f ms/frame%s\n", what, mid,
                            run != Run::None
                                ? (" (" + std::to_string(mid / without).substr(0, 4) + "x)").c_str()
                                : "");
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
