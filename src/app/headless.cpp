#include "app/headless.h"

#include "app/gl_context.h"
#include "app/load_task.h"
#include "core/error.h"
#include "render/gl.h"
#include "ui/panels.h"

#include <imgui.h>
#include <imgui_impl_opengl3.h>

#include <cstdio>

namespace ctview::app {

glm::ivec2 parseImageSize(const std::string& text, const std::string& option) {
    int width = 0, height = 0;
    char tail = 0;
    if (std::sscanf(text.c_str(), "%dx%d%c", &width, &height, &tail) != 2 || width < 16 || height < 16 ||
        width > 8192 || height > 8192)
        throw UsageError(option + " " + text + ": use WIDTHxHEIGHT, e.g. 800x600 (16..8192)");
    return {width, height};
}

std::shared_ptr<Dataset> loadDatasetHeadless(const CommonOptions& common) {
    LoadTask task(common.input, common.series, loadOptionsFor(common), nullptr, nullptr);
    task.wait();
    std::string error;
    std::shared_ptr<Dataset> d = task.take(error);
    if (!d)
        throw DataError(error);
    if (!common.quiet)
        for (const std::string& w : d->series.warnings)
            std::fprintf(stderr, "warning: %s\n", w.c_str());
    return d;
}

RgbImage renderHeadless(ui::AppState& s, glm::ivec2 size, bool overlays, RendererSync sync,
                        ui::RenderFeedback* feedback) {
    GLFWwindow* window = createGlWindow(64, 64, "ctview headless", false);
    initImGui(window, false);
    // Torn down in this order whether the drawing returns or throws (the renderers' GL objects go first).
    struct Context {
        GLFWwindow* window;
        ~Context() {
            shutdownImGui(false);
            destroyGlWindow(window);
        }
    } context{window};
    RgbImage pixels;
    {
        Renderers renderers;
        pixels = drawOffscreen(s, renderers, sync, size, overlays);
        if (feedback)
            *feedback = renderers.feedback;
    }
    return pixels;
}

RgbImage drawOffscreen(ui::AppState& s, Renderers& renderers, RendererSync& sync, glm::ivec2 size,
                       bool overlays) {
    ui::layoutCells(s, Rect{0, 0, float(size.x), float(size.y)});
    RgbImage pixels;
    {
        syncRenderer(s, renderers, sync);
        gl::OffscreenTarget target = gl::makeOffscreenTarget(size.x, size.y);
        glBindFramebuffer(GL_FRAMEBUFFER, target.fbo.id());
        drawScene(s, renderers, size, 1.0f, 0.0);
        if (overlays) {
            ImGuiIO& io = ImGui::GetIO();
            io.DisplaySize = ImVec2(float(size.x), float(size.y));
            io.DisplayFramebufferScale = ImVec2(1, 1);
            io.DeltaTime = 1.0f / 60.0f;
            ImGui_ImplOpenGL3_NewFrame();
            ImGui::NewFrame();
            ui::drawOverlays(s, renderers.feedback, ImGui::GetBackgroundDrawList());
            ImGui::Render();
            ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
        }
        glBindFramebuffer(GL_READ_FRAMEBUFFER, target.fbo.id());
        pixels = gl::readPixels(0, 0, size.x, size.y);
        glBindFramebuffer(GL_FRAMEBUFFER, 0);
    }
    return pixels;
}

} // namespace ctview::app
