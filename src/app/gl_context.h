#pragma once
// Creating the GLFW window with an OpenGL 4.1 core context and loading GL with glad; ImGui set up on it.
#include <glm/glm.hpp>

#include <string>

struct GLFWwindow;

namespace ctview::app {

// Throws gl::GlError with a message a user can act on: no display, or no OpenGL 4.1 (with what there is).
// `fitToScreen`: a size larger than the primary monitor's work area is made to fit it (fittedWindowSize).
GLFWwindow* createGlWindow(int width, int height, const std::string& title, bool visible,
                           bool fitToScreen = false);
// `wanted` as it fits the work area `area` (width, height; 0: unknown): as it is when it fits, else at most
// 90 % of the area each way (the rest for the title bar and the panels around), and never under 640 x 480.
glm::ivec2 fittedWindowSize(glm::ivec2 wanted, glm::ivec2 area);
void destroyGlWindow(GLFWwindow* w);

// ImGui context, style and the GLFW (when `window` has input) + OpenGL 3 backends.
void initImGui(GLFWwindow* window, bool installCallbacks);
void shutdownImGui(bool withPlatform);

} // namespace ctview::app
