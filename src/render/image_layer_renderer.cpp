#include "render/image_layer_renderer.h"

#include "render/slice_renderer.h"

#include <glm/gtc/type_ptr.hpp>

#include <cmath>

namespace ctview::gl {

namespace {
namespace uniform {
enum : std::size_t {
    Layer,
    Base,
    Lut,
    FramebufferToTexture,
    FramebufferHeight,
    LayerHuFromTexel,
    BaseHuFromTexel,
    Window,
    Mode,
    Opacity,
    Checker,
    count
};
}
const std::vector<const char*> uniformNames = {"uLayer",
                                               "uBase",
                                               "uLut",
                                               "uFramebufferToTexture",
                                               "uFramebufferHeight",
                                               "uLayerHuFromTexel",
                                               "uBaseHuFromTexel",
                                               "uWindow",
                                               "uMode",
                                               "uOpacity",
                                               "uChecker"};
} // namespace

ImageLayerRenderer::ImageLayerRenderer() : vao_(VertexArray::create()), lut_(Texture::create()) {
    glBindTexture(GL_TEXTURE_2D, lut_.id());
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    uploadColormap(lut_.id(), colormapTable("hot"));
    if (const std::string error = reload(); !error.empty())
        throw GlError(error);
}

std::string ImageLayerRenderer::reload() {
    try {
        Program p = buildProgram("fullscreen.vert", "fusion.frag");
        Uniforms u(p.id(), uniformNames, "fullscreen.vert", "fusion.frag", "");
        program_ = std::move(p);
        uniforms_ = u;
        return {};
    } catch (const GlError& e) {
        return e.what();
    }
}

void ImageLayerRenderer::setLayer(const Volume* v, std::uint64_t id) {
    if (!v) {
        texture_.reset();
        id_ = 0;
        return;
    }
    if (id == id_ && texture_)
        return;
    texture_.reset();
    id_ = 0;
    texture_ = uploadVolumeTexture(*v, encoding_);
    id_ = id;
    applyFilter();
}

void ImageLayerRenderer::setColormap(const ColormapTable& table) {
    uploadColormap(lut_.id(), table);
}

void ImageLayerRenderer::setInterpolation(bool linear) {
    if (linear == linear_)
        return;
    linear_ = linear;
    applyFilter();
}

void ImageLayerRenderer::applyFilter() {
    if (!texture_)
        return;
    glBindTexture(GL_TEXTURE_3D, texture_.id());
    glTexParameteri(GL_TEXTURE_3D, GL_TEXTURE_MIN_FILTER, linear_ ? GL_LINEAR : GL_NEAREST);
    glTexParameteri(GL_TEXTURE_3D, GL_TEXTURE_MAG_FILTER, linear_ ? GL_LINEAR : GL_NEAREST);
}

void ImageLayerRenderer::draw(const Rect& r, const glm::mat4& toTexture, glm::ivec2 fbSize, float fbScale,
                              const ImageLayerLook& look, GLuint base, HuTexel baseTexel) {
    if (!texture_ || (look.mode == ImageLayerLook::Mode::Difference && base == 0))
        return;
    if (look.mode == ImageLayerLook::Mode::Overlay && look.opacity <= 0.0f)
        return;
    if (!beginViewPass(r, fbSize, fbScale, /*premultiplied=*/true))
        return;
    glUseProgram(program_.id());
    const Uniforms& loc = uniforms_;
    glUniform1i(loc[uniform::Layer], 0);
    glUniform1i(loc[uniform::Base], 1);
    glUniform1i(loc[uniform::Lut], 2);
    glUniformMatrix4fv(loc[uniform::FramebufferToTexture], 1, GL_FALSE, glm::value_ptr(toTexture));
    glUniform1f(loc[uniform::FramebufferHeight], float(fbSize.y));
    glUniform2f(loc[uniform::LayerHuFromTexel], encoding_.scale, encoding_.offset);
    glUniform2f(loc[uniform::BaseHuFromTexel], baseTexel.scale, baseTexel.offset);
    glUniform2f(loc[uniform::Window], float(look.window.width), float(look.window.center));
    glUniform1i(loc[uniform::Mode], int(look.mode));
    glUniform1f(loc[uniform::Opacity], look.opacity);
    glUniform3fv(loc[uniform::Checker], 1, glm::value_ptr(look.checker));
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_3D, texture_.id());
    glActiveTexture(GL_TEXTURE1);
    glBindTexture(GL_TEXTURE_3D, base);
    glActiveTexture(GL_TEXTURE2);
    glBindTexture(GL_TEXTURE_2D, lut_.id());
    drawCoveringTriangle(vao_);
    glActiveTexture(GL_TEXTURE0);
    endViewPass();
}

} // namespace ctview::gl
