#pragma once
// Draws label layers (labels/label_layer.h) over the slice views: each group of a layer as an R8UI 3D texture
// (a byte per voxel, as the layer holds it), with a 256-entry palette per group (colour, and opacity 0 for a
// hidden segment), so that hiding a segment or changing a colour re-uploads 1 KiB, not the voxels. Sampled
// through the same framebuffer-to-texture map as the slice (ViewMapping), so labels sit exactly on their
// voxels in acquired, oblique and zoomed views.
#include "labels/label_layer.h"
#include "render/gl.h"
#include "render/volume_renderer.h"
#include "volume/view.h"

#include <glm/glm.hpp>

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace ctview::gl {

// How a layer is drawn: per segment (in the layer's order) visible or not, and the layer's fill and outline.
struct LabelLook {
    std::vector<char> visible;
    std::vector<char> meshIn3d; // per segment: its surface mesh stands for it in the 3D view (not its voxels)
    float fill = 0.4f;          // opacity of the fill (0: outline only)
    bool outline = true;        // the segments' edges, opaque
};

// A value group's texels (RG8UI) over the voxel box [lo, hi] (inclusive), x fastest: the byte, then which of
// its six neighbours holds another byte (bit 2a: the one below along texture axis a, bit 2a + 1: above; a
// neighbour off the grid holds 0), 0 where the byte is 0. labels.frag (EDGES) draws an axis-aligned view's
// outline from them without sampling the neighbours: on a CPU rasteriser the four samples cost as much as the
// slice's own pass.
std::vector<std::uint8_t> valueTexels(const Geometry& g, const std::vector<std::uint8_t>& voxels,
                                      glm::ivec3 lo, glm::ivec3 hi);

// Whether a view draws a value group's outline from valueTexels' bits (labels.frag's EDGES), and how: its
// framebuffer x and y run along texture axes (`axisX`, `axisY` one-hot), and a line's width (`step`, in
// voxels) reaches at most into the next voxel, so the pixel a line's width away is in this voxel or in its
// neighbour, whose bit says whether it differs. `bits`: the bits of the neighbours above and below along x,
// then along y. None for a turned view or one zoomed out past a voxel a line: those sample the neighbours.
struct EdgeAxes {
    glm::vec3 axisX{0}, axisY{0};
    glm::vec2 step{0};
    glm::uvec4 bits{0};
};
std::optional<EdgeAxes> edgeAxes(const glm::mat4& toTexture, glm::ivec3 dims, float outlineWidth);

// The framebuffer pixels (from the top, as `toTexture` takes them) of the box [lo, hi] (texture
// coordinates) where the view's plane crosses it: the box of the crossing, none when the plane misses it.
std::optional<Rect> planeBoxRect(const glm::mat4& toTexture, glm::vec3 lo, glm::vec3 hi);

class LabelRenderer {
  public:
    LabelRenderer(); // builds the program; throws GlError
    // Recompiles from shaders/ (see shaders.h); on failure keeps the current program and returns the message.
    std::string reload();

    // The layers to draw, in order (later ones over earlier ones). Uploads the groups of layers not already
    // on the GPU (of a layer the segment editor made from one that is, only the box it changed) and drops
    // the others. A layer the GPU has no memory for draws nothing (it keeps its place:
    // layer n is always the scene's layer n); its name and the reason go to `problems` (the slice views keep
    // working).
    void setLayers(const std::vector<const LabelLayer*>& layers, std::vector<std::string>& problems);
    // Sets layer n's look (its palettes are uploaded when they changed).
    void setLook(std::size_t n, const LabelLook& look);
    bool empty() const { return layers_.empty(); }
    // Layer n's textures for the 3D view (its groups and palettes), with the palettes' version: the groups
    // with a segment shown in 3D, up to Labels3d::kMaxGroups over all the layers listed, in order.
    Labels3d labels3d(const std::vector<std::size_t>& layers) const;

    // Draws every layer over view rectangle r of the bound framebuffer, with `toTexture` the view's map from
    // framebuffer pixels to texture coordinates (ViewMapping::framebufferToTexture or obliqueToTexture).
    void draw(const Rect& r, const glm::mat4& toTexture, glm::ivec2 fbSize, float fbScale);

  private:
    // A palette texture's texels: 256 RGBA entries for the slice views, then 256 for the 3D view. A bit
    // group's row 0 is the byte's shown segments composited (premultiplied), its row 1 each bit's colour.
    using PaletteBytes = std::array<std::uint8_t, 2 * 256 * 4>;
    // What a group shows: any segment, and of a bit group the bits of the segments shown (in 3D).
    struct Shown {
        bool any = false;
        GroupKind kind = GroupKind::Value;
        unsigned bits = 0, bits3d = 0;
        std::size_t in3d = 0; // segments shown in 3D
        // The voxels that hold a shown segment (of the layer's statistics; the grid's when it has none):
        // a view's pass covers only the pixels where its plane crosses them.
        glm::ivec3 lo{0}, hi{-1};
    };
    struct Uploaded {
        const LabelLayer* layer = nullptr;
        std::uint64_t id = 0; // the layer's LayerLineage id: which layer the textures hold
        std::vector<Texture> groups, palettes;
        std::vector<PaletteBytes> paletteBytes; // what each palette texture holds
        std::vector<Shown> shown;
        float fill = 0.4f;
        bool outline = true;
        std::string failed; // why its groups are not on the GPU (nothing is drawn of it)
    };
    // labels.frag for each GroupKind: value groups, bit groups (BITS), fraction groups (FRACTION); then value
    // groups in an axis-aligned view (EDGES, kEdges).
    static constexpr std::size_t kEdges = 3;
    std::array<Program, 4> programs_;
    std::array<Uniforms, 4> uniforms_;
    VertexArray vao_;
    std::vector<Uploaded> layers_;
    std::uint64_t version_ = 0; // bumped whenever a palette or the voxels of a texture change
};

} // namespace ctview::gl
