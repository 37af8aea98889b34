#include "render/gl.h"

#include "render/shaders.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>
#include <sstream>
#include <vector>

namespace ctview::gl {

std::string annotateShaderLog(const std::string& log, const std::vector<std::string>& files) {
    // Mesa: "0:12(5): error: ...", NVIDIA: "0(12) : error C1008: ...", Apple: "ERROR: 0:12: ...".
    static const std::regex mesa(R"(^\s*(\d+):(\d+)\((\d+)\):\s*(.*)$)");
    static const std::regex nvidia(R"(^\s*(\d+)\((\d+)\)\s*:\s*(.*)$)");
    static const std::regex apple(R"(^\s*(ERROR|WARNING):\s*(\d+):(\d+):\s*(.*)$)");
    std::istringstream in(log);
    std::ostringstream out;
    auto file = [&](const std::string& source) {
        const std::size_t n = std::size_t(std::stoul(source));
        return n < files.size() ? "shaders/" + files[n]
               : files.empty()  ? std::string("shader")
                                : "shaders/" + files[0];
    };
    for (std::string line; std::getline(in, line);) {
        std::smatch m;
        if (line.find_first_not_of(" \t\r") == std::string::npos)
            continue;
        if (std::regex_match(line, m, mesa))
            out << file(m[1]) << ':' << m[2] << ':' << m[3] << ": " << m[4] << '\n';
        else if (std::regex_match(line, m, nvidia))
            out << file(m[1]) << ':' << m[2] << ": " << m[3] << '\n';
        else if (std::regex_match(line, m, apple))
            out << file(m[2]) << ':' << m[3] << ": " << (m[1] == "ERROR" ? "error: " : "warning: ") << m[4]
                << '\n';
        else
            out << (files.empty() ? std::string("shader") : "shaders/" + files[0]) << ": " << line << '\n';
    }
    return out.str();
}

std::vector<std::string> undeclaredUniforms(const std::string& source,
                                            const std::vector<const char*>& names) {
    std::vector<std::string> missing;
    for (const char* name : names) {
        // "uniform TYPE a, NAME;" too: a declaration statement that names it.
        const std::regex declared("\\buniform\\s+\\w+\\s+[^;]*\\b" + std::string(name) + "\\b[^;]*;");
        if (!std::regex_search(source, declared))
            missing.push_back(name);
    }
    return missing;
}

Uniforms::Uniforms(GLuint program, const std::vector<const char*>& names, const std::string& vertexName,
                   const std::string& fragmentName, const std::string& defines) {
    const std::string source =
        resolveShader(vertexName, defines).text + resolveShader(fragmentName, defines).text;
    const std::vector<std::string> missing = undeclaredUniforms(source, names);
    if (!missing.empty()) {
        std::string list;
        for (const std::string& m : missing)
            list += (list.empty() ? "" : ", ") + m;
        throw GlError("shaders/" + vertexName + " + shaders/" + fragmentName + " declare no uniform " + list +
                      " (the C++ side sets it)");
    }
    for (const char* name : names)
        locations_.push_back(glGetUniformLocation(program, name));
}

namespace {
// `#define NAME VALUE` lines of a defines string: what `#include NAME` may name.
std::map<std::string, std::string> includeBindings(const std::string& defines) {
    static const std::regex define(R"re(^\s*#\s*define\s+(\w+)\s+(\S+)\s*$)re");
    std::map<std::string, std::string> bound;
    std::istringstream in(defines);
    for (std::string line; std::getline(in, line);)
        if (std::smatch m; std::regex_match(line, m, define))
            bound[m[1]] = m[2];
    return bound;
}

// Appends shaders/<name> to `out`, its includes expanded; `source` is its index in `files`.
void expand(const std::string& name, int source, int depth, const std::map<std::string, std::string>& bound,
            ShaderText& out) {
    if (depth > 4)
        throw GlError("shaders/" + name + ": #include nested more than 4 deep");
    static const std::regex include(R"re(^\s*#\s*include\s+(?:"([^"]+)"|(\w+))\s*$)re");
    std::istringstream in(shaderSource(name));
    int number = 0;
    for (std::string line; std::getline(in, line);) {
        ++number;
        std::smatch m;
        if (!std::regex_match(line, m, include)) {
            out.text += line + "\n";
            continue;
        }
        std::string file = m[1];
        if (m[2].matched) {
            const auto it = bound.find(m[2]);
            if (it == bound.end())
                throw GlError("shaders/" + name + ":" + std::to_string(number) + ": #include " + m[2].str() +
                              ": no #define names its file");
            file = it->second;
        }
        const int child = int(out.files.size());
        out.files.push_back(file);
        out.text += "#line 1 " + std::to_string(child) + "\n";
        expand(file, child, depth + 1, bound, out);
        out.text += "#line " + std::to_string(number + 1) + " " + std::to_string(source) + "\n";
    }
}
} // namespace

ShaderText resolveShader(const std::string& name, const std::string& defines) {
    ShaderText t;
    t.files.push_back(name);
    expand(name, 0, 0, includeBindings(defines), t);
    // The defines go after the #version line (which must come first); the lines after it keep their numbers.
    if (!defines.empty()) {
        const std::size_t eol = t.text.find('\n');
        t.text.insert(eol == std::string::npos ? t.text.size() : eol + 1, defines + "\n#line 2 0\n");
    }
    return t;
}

namespace {
struct ShaderObject {
    GLuint id = 0;
    ~ShaderObject() {
        if (id)
            glDeleteShader(id);
    }
};

// Compiles shaders/<name> with `defines` and its includes (resolveShader).
void compile(ShaderObject& s, GLenum type, const std::string& name, const std::string& defines) {
    const ShaderText t = resolveShader(name, defines);
    s.id = glCreateShader(type);
    const char* src = t.text.c_str();
    glShaderSource(s.id, 1, &src, nullptr);
    glCompileShader(s.id);
    GLint ok = 0, length = 0;
    glGetShaderiv(s.id, GL_COMPILE_STATUS, &ok);
    if (ok)
        return;
    glGetShaderiv(s.id, GL_INFO_LOG_LENGTH, &length);
    std::string log(std::size_t(std::max(length, 1)), '\0');
    glGetShaderInfoLog(s.id, length, nullptr, log.data());
    log.resize(log.find('\0') == std::string::npos ? log.size() : log.find('\0'));
    throw GlError(annotateShaderLog(log, t.files));
}
} // namespace

Program buildProgram(const std::string& vertexName, const std::string& fragmentName,
                     const std::string& defines) {
    ShaderObject vs, fs;
    compile(vs, GL_VERTEX_SHADER, vertexName, defines);
    compile(fs, GL_FRAGMENT_SHADER, fragmentName, defines);
    Program p = Program::create();
    glAttachShader(p.id(), vs.id);
    glAttachShader(p.id(), fs.id);
    glLinkProgram(p.id());
    GLint ok = 0, length = 0;
    glGetProgramiv(p.id(), GL_LINK_STATUS, &ok);
    if (!ok) {
        glGetProgramiv(p.id(), GL_INFO_LOG_LENGTH, &length);
        std::string log(std::size_t(std::max(length, 1)), '\0');
        glGetProgramInfoLog(p.id(), length, nullptr, log.data());
        throw GlError("linking shaders/" + vertexName + " + shaders/" + fragmentName + ": " + log);
    }
    glDetachShader(p.id(), vs.id);
    glDetachShader(p.id(), fs.id);
    return p;
}

OffscreenTarget makeOffscreenTarget(int width, int height) {
    OffscreenTarget t;
    t.width = width;
    t.height = height;
    t.color = Texture::create();
    glBindTexture(GL_TEXTURE_2D, t.color.id());
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    t.fbo = Framebuffer::create();
    glBindFramebuffer(GL_FRAMEBUFFER, t.fbo.id());
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, t.color.id(), 0);
    if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE)
        throw GlError("cannot create a " + std::to_string(width) + "x" + std::to_string(height) +
                      " offscreen framebuffer");
    return t;
}

RgbImage readPixels(int x, int y, int width, int height) {
    std::vector<unsigned char> rgba(std::size_t(width) * std::size_t(height) * 4);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(x, y, width, height, GL_RGBA, GL_UNSIGNED_BYTE, rgba.data());
    // GL's rows run bottom to top; images run top to bottom.
    RgbImage img;
    img.width = width;
    img.height = height;
    img.rgb.resize(std::size_t(width) * std::size_t(height) * 3);
    for (int row = 0; row < height; ++row)
        for (int col = 0; col < width; ++col)
            for (int c = 0; c < 3; ++c)
                img.rgb[(std::size_t(row) * std::size_t(width) + std::size_t(col)) * 3 + std::size_t(c)] =
                    rgba[(std::size_t(height - 1 - row) * std::size_t(width) + std::size_t(col)) * 4 +
                         std::size_t(c)];
    return img;
}

bool beginViewPass(const Rect& r, glm::ivec2 fbSize, float fbScale, bool premultiplied) {
    const auto [x0, y0, x1, y1] = viewPixels(r, fbScale);
    if (x1 <= x0 || y1 <= y0)
        return false;
    glViewport(0, 0, fbSize.x, fbSize.y);
    glEnable(GL_SCISSOR_TEST);
    glScissor(x0, fbSize.y - y1, x1 - x0, y1 - y0); // GL counts from the bottom
    if (premultiplied) {
        glEnable(GL_BLEND);
        glBlendFunc(GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
    } else {
        glDisable(GL_BLEND);
    }
    glDisable(GL_DEPTH_TEST);
    return true;
}

PixelRect viewPixels(const Rect& r, float fbScale) {
    return {int(std::lround(r.x * fbScale)), int(std::lround(r.y * fbScale)),
            int(std::lround((r.x + r.w) * fbScale)), int(std::lround((r.y + r.h) * fbScale))};
}

void drawCoveringTriangle(const VertexArray& vao) {
    glBindVertexArray(vao.id());
    glDrawArrays(GL_TRIANGLES, 0, 3);
    glBindVertexArray(0);
}

void endViewPass() {
    glDisable(GL_BLEND);
    glDisable(GL_SCISSOR_TEST);
}

int max3dTextureSize() {
    GLint size = 0;
    glGetIntegerv(GL_MAX_3D_TEXTURE_SIZE, &size);
    return int(size);
}

std::uint64_t freeGpuMemoryBytes() {
    GLint kib[4] = {0, 0, 0, 0};
    // GL_EXTENSIONS as one string is gone from core profiles: ask each extension by index.
    GLint count = 0;
    glGetIntegerv(GL_NUM_EXTENSIONS, &count);
    bool nvx = false, ati = false;
    for (GLint n = 0; n < count; ++n) {
        const auto* name = reinterpret_cast<const char*>(glGetStringi(GL_EXTENSIONS, GLuint(n)));
        const std::string ext = name ? name : "";
        nvx = nvx || ext == "GL_NVX_gpu_memory_info";
        ati = ati || ext == "GL_ATI_meminfo";
    }
    while (glGetError() != GL_NO_ERROR) {
    }
    if (nvx)
        glGetIntegerv(0x9049, kib); // GPU_MEMORY_INFO_CURRENT_AVAILABLE_VIDMEM_NVX, KiB
    else if (ati)
        glGetIntegerv(0x87FC, kib); // TEXTURE_FREE_MEMORY_ATI: total free, largest block, ... (KiB)
    if (glGetError() != GL_NO_ERROR)
        return 0;
    return std::uint64_t(std::max(kib[0], 0)) << 10;
}

bool softwareRenderer() {
    const auto* name = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
    if (!name)
        return false;
    const std::string renderer = name;
    for (const char* software : {"llvmpipe", "softpipe", "SwiftShader", "Software Rasterizer"})
        if (renderer.find(software) != std::string::npos)
            return true;
    return false;
}

} // namespace ctview::gl
