#include "app/gl_context.h"

#include "render/gl.h"

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <cstdlib>
#ifdef CTVIEW_KEEP_GL_DRIVER
#include <dlfcn.h>
#endif

namespace ctview::app {

namespace {
std::string lastGlfwError;
void onGlfwError(int, const char* description) {
    lastGlfwError = description ? description : "unknown error";
}
} // namespace

glm::ivec2 fittedWindowSize(glm::ivec2 wanted, glm::ivec2 area) {
    if (area.x <= 0 || area.y <= 0 || (wanted.x <= area.x && wanted.y <= area.y))
        return wanted;
    const glm::ivec2 room = area * 9 / 10;
    return glm::max(glm::min(wanted, room), glm::min(wanted, glm::ivec2(640, 480)));
}

GLFWwindow* createGlWindow(int width, int height, const std::string& title, bool visible, bool fitToScreen) {
#ifdef CTVIEW_KEEP_GL_DRIVER
    // Sanitizer builds only (see CMakeLists.txt): keep Mesa's driver loaded after libGL closes it, so that
    // LeakSanitizer can still name what it holds.
    static void* keep[] = {::dlopen(CTVIEW_KEEP_GL_DRIVER, RTLD_NOW | RTLD_NODELETE),
                           ::dlopen("libGLX_mesa.so.0", RTLD_NOW | RTLD_NODELETE)};
    (void)keep;
#endif
    glfwSetErrorCallback(onGlfwError);
    if (!glfwInit()) {
        const char* display = std::getenv("DISPLAY");
        throw gl::GlError("cannot open a window: " + lastGlfwError +
                          (display && *display ? "" : " (no display: DISPLAY is not set)") +
                          ". The commands info, export and convert work without one.");
    }
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 4);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 1);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE); // macOS needs it for a core context
    glfwWindowHint(GLFW_VISIBLE, visible ? GLFW_TRUE : GLFW_FALSE);
    if (GLFWmonitor* monitor = glfwGetPrimaryMonitor(); fitToScreen && monitor) {
        glm::ivec2 origin(0), area(0);
        glfwGetMonitorWorkarea(monitor, &origin.x, &origin.y, &area.x, &area.y);
        const glm::ivec2 fitted = fittedWindowSize({width, height}, area);
        width = fitted.x;
        height = fitted.y;
    }
    GLFWwindow* w = glfwCreateWindow(width, height, title.c_str(), nullptr, nullptr);
    if (!w) {
        const std::string why = lastGlfwError;
        glfwTerminate();
        throw gl::GlError(
            "cannot create an OpenGL 4.1 core context (" + why +
            "). ctview's views need OpenGL 4.1; the commands info, export and convert work without it.");
    }
    glfwMakeContextCurrent(w);
    const int version = gladLoadGL(glfwGetProcAddress);
    if (!version || GLAD_VERSION_MAJOR(version) * 10 + GLAD_VERSION_MINOR(version) < 41) {
        glfwDestroyWindow(w);
        glfwTerminate();
        throw gl::GlError(
            "OpenGL 4.1 core could not be loaded from the driver. The commands info, export and "
            "convert work without it.");
    }
    return w;
}

void destroyGlWindow(GLFWwindow* w) {
    if (w)
        glfwDestroyWindow(w);
    glfwTerminate();
}

void initImGui(GLFWwindow* window, bool installCallbacks) {
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr; // our settings file keeps what matters; no imgui.ini next to the user's files
    ImGui::StyleColorsDark();
    ImGui::GetStyle().WindowRounding = 0;
    if (installCallbacks)
        ImGui_ImplGlfw_InitForOpenGL(window, true);
    ImGui_ImplOpenGL3_Init("#version 410 core");
}

void shutdownImGui(bool withPlatform) {
    ImGui_ImplOpenGL3_Shutdown();
    if (withPlatform)
        ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
}

} // namespace ctview::app
