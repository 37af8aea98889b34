#pragma once
// Move-only RAII owners for OpenGL object names, and program building with messages that name the shader
// file. All GL calls happen on the main thread, with the context current.
#include "volume/slice.h"
#include "volume/view.h"

#include <glad/gl.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace ctview::gl {

// The GL context is missing, too old, or a GL call failed (out of memory, a shader that does not compile).
struct GlError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

template <class Traits> class Object {
  public:
    Object() = default;
    static Object create() { return Object(Traits::create()); }
    ~Object() { reset(); }
    Object(Object&& o) noexcept : id_(std::exchange(o.id_, 0)) {}
    Object& operator=(Object&& o) noexcept {
        if (this != &o) {
            reset();
            id_ = std::exchange(o.id_, 0);
        }
        return *this;
    }
    Object(const Object&) = delete;
    Object& operator=(const Object&) = delete;

    GLuint id() const { return id_; }
    explicit operator bool() const { return id_ != 0; }
    void reset() {
        if (id_)
            Traits::destroy(id_);
        id_ = 0;
    }

  private:
    explicit Object(GLuint id) : id_(id) {}
    GLuint id_ = 0;
};

struct TextureTraits {
    static GLuint create() {
        GLuint t = 0;
        glGenTextures(1, &t);
        return t;
    }
    static void destroy(GLuint t) { glDeleteTextures(1, &t); }
};
struct BufferTraits {
    static GLuint create() {
        GLuint b = 0;
        glGenBuffers(1, &b);
        return b;
    }
    static void destroy(GLuint b) { glDeleteBuffers(1, &b); }
};
struct VertexArrayTraits {
    static GLuint create() {
        GLuint v = 0;
        glGenVertexArrays(1, &v);
        return v;
    }
    static void destroy(GLuint v) { glDeleteVertexArrays(1, &v); }
};
struct FramebufferTraits {
    static GLuint create() {
        GLuint f = 0;
        glGenFramebuffers(1, &f);
        return f;
    }
    static void destroy(GLuint f) { glDeleteFramebuffers(1, &f); }
};
struct RenderbufferTraits {
    static GLuint create() {
        GLuint r = 0;
        glGenRenderbuffers(1, &r);
        return r;
    }
    static void destroy(GLuint r) { glDeleteRenderbuffers(1, &r); }
};
struct SamplerTraits {
    static GLuint create() {
        GLuint s = 0;
        glGenSamplers(1, &s);
        return s;
    }
    static void destroy(GLuint s) { glDeleteSamplers(1, &s); }
};
struct ProgramTraits {
    static GLuint create() { return glCreateProgram(); }
    static void destroy(GLuint p) { glDeleteProgram(p); }
};

using Texture = Object<TextureTraits>;
using Buffer = Object<BufferTraits>;
using VertexArray = Object<VertexArrayTraits>;
using Framebuffer = Object<FramebufferTraits>;
using Renderbuffer = Object<RenderbufferTraits>;
using Program = Object<ProgramTraits>;
using Sampler = Object<SamplerTraits>;

// The names in `names` that the shader text declares no uniform of (`uniform TYPE NAME`): a typo in C++ or a
// uniform renamed in GLSL. Pure text; tested without GL.
std::vector<std::string> undeclaredUniforms(const std::string& source, const std::vector<const char*>& names);

// A program's uniform locations, looked up once after linking, by index into the `names` it was made with (an
// enum on the caller's side). Every name must be declared by the program's shaders (after #include and the
// #defines), else GlError naming it: not a silent location -1 at every frame. A declared uniform that a
// variant does not use (its #define is off) has location -1, which glUniform ignores by design.
class Uniforms {
  public:
    Uniforms() = default;
    Uniforms(GLuint program, const std::vector<const char*>& names, const std::string& vertexName,
             const std::string& fragmentName, const std::string& defines);
    GLint operator[](std::size_t i) const { return i < locations_.size() ? locations_[i] : -1; }

  private:
    std::vector<GLint> locations_;
};

// Compiles and links a vertex + fragment program from the named shader files (see shaders.h). Throws GlError
// whose message gives file:line for each compiler message, e.g. "slice.frag:12: error: 'huu' undeclared".
Program buildProgram(const std::string& vertexName, const std::string& fragmentName,
                     const std::string& defines = "");

// Rewrites a driver's shader log ("0:12(5): error: ..." from Mesa, "0(12) : error ..." from NVIDIA) so that
// each message starts with "file:line:": the number before the line is the source string, which the `#line`
// directives of resolveShader set to the index of its file in `files`. Pure text; tested without GL.
std::string annotateShaderLog(const std::string& log, const std::vector<std::string>& files);

// The text GL compiles for shaders/<name>: `defines` after its #version line, and each `#include "FILE"` line
// replaced by shaders/FILE (nested up to 4 deep), with `#line LINE SOURCE` directives so that the compiler
// counts lines in each file and names the file by its index in `files` (files[0] = name). `#include NAME`
// takes the file that a `#define NAME FILE` line of `defines` names (the raymarcher's mode body: RAY_BODY);
// a NAME that `defines` does not bind is an error.
struct ShaderText {
    std::string text;
    std::vector<std::string> files;
};
ShaderText resolveShader(const std::string& name, const std::string& defines = "");

// A framebuffer with an RGBA8 colour texture, for headless snapshots and renders.
struct OffscreenTarget {
    Framebuffer fbo;
    Texture color;
    int width = 0, height = 0;
};
OffscreenTarget makeOffscreenTarget(int width, int height);
// Reads a rectangle of the bound read framebuffer (GL coordinates, origin bottom-left) as an image, rows top
// to bottom.
RgbImage readPixels(int x, int y, int width, int height);

// Whether the current context draws on the CPU (Mesa's llvmpipe or softpipe, SwiftShader): its textures live
// in the process's own memory.
bool softwareRenderer();
// GL_MAX_3D_TEXTURE_SIZE of the current context.
int max3dTextureSize();
// The GPU memory free now, in bytes, as the driver says (NVIDIA's GL_NVX_gpu_memory_info, AMD's
// GL_ATI_meminfo); 0 when it does not say (Mesa, Intel).
std::uint64_t freeGpuMemoryBytes();

// A pass over one view's rectangle `r` (screen pixels; `fbScale` framebuffer pixels per screen pixel) of the
// bound framebuffer (`fbSize`), as the slice views draw: scissored to it, no depth test, and with
// `premultiplied` the shader's premultiplied colour blended over what is there (GL_ONE,
// GL_ONE_MINUS_SRC_ALPHA), else replacing it. False, with nothing set, for an empty rectangle; else
// endViewPass() after drawing.
bool beginViewPass(const Rect& r, glm::ivec2 fbSize, float fbScale, bool premultiplied);
void endViewPass();
// A view's rectangle `r` (screen pixels) in framebuffer pixels, counted from the top as r is, rounded as
// beginViewPass scissors it.
struct PixelRect {
    int x0, y0, x1, y1; // x1, y1 past the last pixel
};
PixelRect viewPixels(const Rect& r, float fbScale);
// The one triangle that covers the viewport (the views' shaders make it from gl_VertexID), drawn with the
// bound program through `vao`: every pixel of the pass runs the fragment shader once.
void drawCoveringTriangle(const VertexArray& vao);

} // namespace ctview::gl
