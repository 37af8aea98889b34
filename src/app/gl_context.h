#pragma once
// Creating the GLFW window with an OpenGL 4.1 core context and loading GL with glad; ImGui set up on it.
#include <string>

struct GLFWwindow;

namespace ctview::app {

// Throws gl::GlError with a message a user can act on: no display, or no OpenGL 4.1 (with what there is).
GLFWwindow* createGlWindow(int width, int height, const std::string& title, bool visible);
void destroyGlWindow(GLFWwindow* w);

// ImGui context, style and the GLFW (when `window` has input) + OpenGL 3 backends.
void initImGui(GLFWwindow* window, bool installCallbacks);
void shutdownImGui(bool withPlatform);

} // namespace ctview::app
