#include "render/surface_pass.h"

#include <glm/gtc/type_ptr.hpp>

#include <algorithm>

namespace ctview::gl {

namespace {

// surface.vert and surface.frag's uniforms, by index.
namespace uniform {
enum : std::size_t {
    LpsToClip,
    ClipToLps,
    LpsToTex,
    Viewport,
    CropMin,
    CropMax,
    Cut,
    CutCount,
    Colour,
    count
};
}
const std::vector<const char*> kUniformNames = {"uLpsToClip", "uClipToLps", "uLpsToTex",
                                                "uViewport",  "uCropMin",   "uCropMax",
                                                "uCut",       "uCutCount",  "uColour"};

// A buffer of vec3 per vertex as surface.vert reads it at `location` (positions at 0, normals at 1).
void attribute(const Buffer& buffer, GLuint location, const std::vector<glm::vec3>& values) {
    glBindBuffer(GL_ARRAY_BUFFER, buffer.id());
    glBufferData(GL_ARRAY_BUFFER, GLsizeiptr(values.size() * sizeof(glm::vec3)), values.data(),
                 GL_STATIC_DRAW);
    glEnableVertexAttribArray(location);
    glVertexAttribPointer(location, 3, GL_FLOAT, GL_FALSE, sizeof(glm::vec3), nullptr);
}

} // namespace

void SurfacePass::build() {
    Program p = buildProgram("surface.vert", "surface.frag");
    uniforms_ = Uniforms(p.id(), kUniformNames, "surface.vert", "surface.frag", "");
    program_ = std::move(p);
}

std::string SurfacePass::reload() {
    if (!program_)
        return {}; // compiled when first needed, from the files as they are then
    try {
        build();
        return {};
    } catch (const GlError& e) {
        return e.what();
    }
}

std::size_t SurfacePass::uploadedTriangles() const {
    std::size_t n = 0;
    for (const Uploaded& u : meshes_)
        n += std::size_t(u.indexCount) / 3;
    return n;
}

void SurfacePass::upload(const std::vector<SurfaceDraw>& surfaces) {
    std::vector<Uploaded> next;
    for (const SurfaceDraw& s : surfaces) {
        if (!s.mesh || std::any_of(next.begin(), next.end(), [&](const Uploaded& u) { return u.id == s.id; }))
            continue;
        auto held =
            std::find_if(meshes_.begin(), meshes_.end(), [&](const Uploaded& u) { return u.id == s.id; });
        if (held != meshes_.end()) {
            next.push_back(std::move(*held));
            continue;
        }
        Uploaded u;
        u.id = s.id;
        u.vao = VertexArray::create();
        u.positions = Buffer::create();
        u.normals = Buffer::create();
        u.indices = Buffer::create();
        glBindVertexArray(u.vao.id());
        attribute(u.positions, 0, s.mesh->positions);
        attribute(u.normals, 1, vertexNormals(*s.mesh));
        glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, u.indices.id());
        glBufferData(GL_ELEMENT_ARRAY_BUFFER, GLsizeiptr(s.mesh->indices.size() * sizeof(std::uint32_t)),
                     s.mesh->indices.data(), GL_STATIC_DRAW);
        glBindVertexArray(0);
        glBindBuffer(GL_ARRAY_BUFFER, 0);
        if (glGetError() == GL_OUT_OF_MEMORY)
            throw GlError("no GPU memory for a surface of " + std::to_string(s.mesh->triangleCount()) +
                          " triangles");
        u.indexCount = GLsizei(s.mesh->indices.size());
        next.push_back(std::move(u));
    }
    meshes_ = std::move(next);
}

void SurfacePass::resize(glm::ivec2 size) {
    if (size == size_ && fbo_)
        return;
    hits_ = Texture::create();
    glBindTexture(GL_TEXTURE_2D, hits_.id());
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA32F, size.x, size.y, 0, GL_RGBA, GL_FLOAT, nullptr);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glBindTexture(GL_TEXTURE_2D, 0);
    depth_ = Renderbuffer::create();
    glBindRenderbuffer(GL_RENDERBUFFER, depth_.id());
    glRenderbufferStorage(GL_RENDERBUFFER, GL_DEPTH_COMPONENT24, size.x, size.y);
    glBindRenderbuffer(GL_RENDERBUFFER, 0);
    fbo_ = Framebuffer::create();
    glBindFramebuffer(GL_FRAMEBUFFER, fbo_.id());
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, hits_.id(), 0);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_DEPTH_ATTACHMENT, GL_RENDERBUFFER, depth_.id());
    if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE) {
        fbo_.reset();
        throw GlError("cannot create a " + std::to_string(size.x) + "x" + std::to_string(size.y) +
                      " framebuffer for surfaces");
    }
    size_ = size;
}

GLuint SurfacePass::render(const std::vector<SurfaceDraw>& surfaces, const SurfaceView& view,
                           glm::ivec2 size) {
    if (!program_)
        build();
    upload(surfaces);
    GLint previous = 0;
    glGetIntegerv(GL_DRAW_FRAMEBUFFER_BINDING, &previous);
    resize(size);
    glBindFramebuffer(GL_FRAMEBUFFER, fbo_.id());
    glViewport(0, 0, size.x, size.y);
    glClearColor(0.0f, 0.0f, 0.0f, -1.0f);
    glClearDepth(1.0);
    glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
    glEnable(GL_DEPTH_TEST);
    glDepthFunc(GL_LESS);
    glDisable(GL_BLEND);
    glDisable(GL_CULL_FACE);
    glUseProgram(program_.id());
    const Uniforms& loc = uniforms_;
    glUniformMatrix4fv(loc[uniform::LpsToClip], 1, GL_FALSE, glm::value_ptr(view.lpsToClip));
    glUniformMatrix4fv(loc[uniform::ClipToLps], 1, GL_FALSE, glm::value_ptr(view.clipToLps));
    glUniformMatrix4fv(loc[uniform::LpsToTex], 1, GL_FALSE, glm::value_ptr(view.lpsToTex));
    glUniform4f(loc[uniform::Viewport], 0.0f, 0.0f, float(size.x), float(size.y));
    glUniform3fv(loc[uniform::CropMin], 1, glm::value_ptr(view.cropMin));
    glUniform3fv(loc[uniform::CropMax], 1, glm::value_ptr(view.cropMax));
    glUniform4fv(loc[uniform::Cut], 3, glm::value_ptr(view.cuts[0]));
    glUniform1i(loc[uniform::CutCount], view.cutCount);
    for (const SurfaceDraw& s : surfaces) {
        auto u =
            std::find_if(meshes_.begin(), meshes_.end(), [&](const Uploaded& m) { return m.id == s.id; });
        if (u == meshes_.end() || u->indexCount == 0)
            continue;
        glUniform3fv(loc[uniform::Colour], 1, glm::value_ptr(s.colour));
        glBindVertexArray(u->vao.id());
        glDrawElements(GL_TRIANGLES, u->indexCount, GL_UNSIGNED_INT, nullptr);
    }
    glBindVertexArray(0);
    glDisable(GL_DEPTH_TEST);
    glBindFramebuffer(GL_FRAMEBUFFER, GLuint(previous));
    return hits_.id();
}

} // namespace ctview::gl
