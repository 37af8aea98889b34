// `ctview snapshot`: the slice views rendered headless through the window's own code (AppState, SliceRenderer,
// overlays) into an offscreen framebuffer, written as PNG. For tests, scripts and documentation.
#include "app/commands.h"
#include "app/gl_context.h"
#include "app/input.h"
#include "app/load_task.h"
#include "app/scene.h"
#include "core/colormap.h"
#include "core/error.h"
#include "core/export.h"
#include "render/gl.h"
#include "ui/panels.h"

#include <imgui.h>
#include <imgui_impl_opengl3.h>

#include <cstdio>

namespace ctview::app {

int runSnapshot(const CommonOptions& common, const SnapshotOptions& o) {
    // Everything that can be checked is checked before loading.
    int maximised = -1;
    if (o.view == "axial") maximised = 0;
    else if (o.view == "coronal") maximised = 1;
    else if (o.view == "sagittal") maximised = 2;
    else if (o.view != "grid") throw UsageError("--view " + o.view + ": use axial, coronal, sagittal or grid");
    int width = 0, height = 0;
    char tail = 0;
    if (std::sscanf(o.size.c_str(), "%dx%d%c", &width, &height, &tail) != 2 || width < 16 || height < 16 ||
        width > 8192 || height > 8192)
        throw UsageError("--size " + o.size + ": use WIDTHxHEIGHT, e.g. 800x600 (16..8192)");
    colormapTable(o.colormap);
    checkWindowOption(o.window, /*allowAuto=*/true);
    if (o.output.empty()) throw UsageError("-o/--output is required");

    LoadTask task(common.input, common.series, loadOptionsFor(common), nullptr, nullptr);
    task.wait();
    std::string error;
    std::shared_ptr<ui::Dataset> d = task.take(error);
    if (!d) throw DataError(error);
    if (!common.quiet)
        for (const std::string& w : d->series.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());

    ui::AppState s;
    s.windowName = "file";
    ui::adoptDataset(s, d);
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
    s.activeView = std::max(0, maximised);
    if (!o.overlays) s.overlays = {false, false, false, false, false, false};
    if (o.slice >= 0) {
        const int v = std::max(0, maximised);
        const int count = ui::frameOf(s, v).count;
        if (o.slice >= count)
            throw UsageError("--slice " + std::to_string(o.slice) + " is out of range: the " +
                             axisName(s.views[std::size_t(v)].axis) + " view has slices 0.." +
                             std::to_string(count - 1));
        setSlice(s, v, o.slice);
    }
    ui::layoutCells(s, Rect{0, 0, float(width), float(height)});

    GLFWwindow* window = createGlWindow(64, 64, "ctview snapshot", false);
    initImGui(window, false);
    RgbImage pixels;
    {
        gl::SliceRenderer renderer;
        RendererSync sync;
        syncRenderer(s, renderer, sync);
        gl::OffscreenTarget target = gl::makeOffscreenTarget(width, height);
        glBindFramebuffer(GL_FRAMEBUFFER, target.fbo.id());
        drawScene(s, renderer, {width, height}, 1.0f);

        ImGuiIO& io = ImGui::GetIO();
        io.DisplaySize = ImVec2(float(width), float(height));
        io.DisplayFramebufferScale = ImVec2(1, 1);
        io.DeltaTime = 1.0f / 60.0f;
        ImGui_ImplOpenGL3_NewFrame();
        ImGui::NewFrame();
        ui::drawOverlays(s, ImGui::GetBackgroundDrawList());
        ImGui::Render();
        ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
        glBindFramebuffer(GL_READ_FRAMEBUFFER, target.fbo.id());
        pixels = gl::readPixels(0, 0, width, height);
        glBindFramebuffer(GL_FRAMEBUFFER, 0);
    }
    shutdownImGui(false);
    destroyGlWindow(window);

    const auto written = writeImage(pixels, o.output, ImageFormat::Png, o.force);
    std::printf("%s\n", written.string().c_str());
    return 0;
}

} // namespace ctview::app
