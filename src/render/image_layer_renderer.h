#pragma once
// Draws a second series fused over the slice views (the scene's image layer): its HU on the base's grid as a
// 3D texture of its own, in the slice renderer's HU encoding, with its own colour map and window, over the
// slice by blending (overlay), in alternate squares (checkerboard) or as its difference from the base.
// Sampled through the same framebuffer-to-texture map as the slice (ViewMapping), so it sits on the base's
// voxels in acquired, oblique and zoomed views.
#include "render/gl.h"
#include "render/hu_texel.h"
#include "volume/colormap.h"
#include "volume/view.h"
#include "volume/volume.h"
#include "volume/window.h"

#include <glm/glm.hpp>

#include <cstdint>
#include <string>

namespace ctview::gl {

// How the layer is drawn (viewer::ImageLayerView's look, without the viewer's types).
struct ImageLayerLook {
    // Alone: opaque, black where it has no data (a view of its own, side by side with the base's).
    enum class Mode { Overlay, Checkerboard, Difference, Alone };
    Mode mode = Mode::Overlay;
    WindowLevel window; // of the layer's HU; Difference: of the layer minus the base
    float opacity = 0.4f;
    glm::vec3 checker{1.0f}; // Checkerboard: squares per unit texture coordinate along each axis
};

class ImageLayerRenderer {
  public:
    ImageLayerRenderer(); // builds the program; throws GlError
    // Recompiles from shaders/ (see shaders.h); on failure keeps the current program and returns the message.
    std::string reload();

    // Uploads `v` (on the base's grid) unless the layer with this id is already up; null: no layer. Throws
    // GlError when the GPU has no room for it.
    void setLayer(const Volume* v, std::uint64_t id);
    std::uint64_t layerId() const { return id_; }
    bool hasLayer() const { return bool(texture_); }
    // The layer's 3D texture and its HU encoding, shared with the second series' own 3D view (side by side).
    GLuint texture() const { return texture_.id(); }
    HuTexel encoding() const { return encoding_; }
    void setColormap(const ColormapTable& table);
    void setInterpolation(bool linear);

    // Draws the layer over view rectangle r of the bound framebuffer, with `toTexture` the view's map from
    // framebuffer pixels to texture coordinates. `base`, `baseTexel`: the slice renderer's volume texture and
    // its encoding, for Difference (0: not on the GPU; Difference then draws nothing).
    void draw(const Rect& r, const glm::mat4& toTexture, glm::ivec2 fbSize, float fbScale,
              const ImageLayerLook& look, GLuint base, HuTexel baseTexel);

  private:
    void applyFilter(); // the texture's filter from linear_

    Program program_;
    Uniforms uniforms_;
    VertexArray vao_;
    Texture texture_, lut_;
    HuTexel encoding_;
    std::uint64_t id_ = 0;
    bool linear_ = true;
};

} // namespace ctview::gl
