#pragma once
// The 3D view: a GLSL raymarcher over the HU volume (shaders/raymarch.frag), one program per mode and option
// set. It renders into an image of its own and only when something that changes the picture changed;
// presenting the image again (the window redrawn for a panel) costs a blit. The volume texture is the slice
// renderer's when there is one (no second copy); a volume too large for the GPU gets a downsampled copy here.
#include "render/gl.h"
#include "render/hu_texel.h"
#include "render/surface_pass.h"
#include "volume/camera3d.h"
#include "volume/colormap.h"
#include "volume/transfer.h"
#include "volume/volume.h"
#include "volume/volume_stats.h"

#include <glm/glm.hpp>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ctview::gl {

// Label layers in the 3D view: each visible segment is an opaque, shaded surface, and the first one along a
// ray hides what lies behind it (the volume in front of it is composited as usual). The textures are the
// LabelRenderer's (a group's R8UI voxels and its palette, whose row 1 has alpha 0 for a segment hidden in 3D,
// or drawn there as a surface mesh); `version` changes whenever a palette does, so that a change re-renders.
struct Labels3d {
    // Groups sampled in 3D, each with its palette on a texture unit of its own: units 5 to 14, the surfaces'
    // hits on 15, within the 16 units every GL 4.1 implementation has. Groups with no segment shown in 3D
    // are not sampled; past five, the rest are left out (`leftOut` segments) and the view says so.
    static constexpr std::size_t kMaxGroups = 5;
    std::vector<GLuint> groups, palettes;
    std::size_t leftOut = 0;
    std::vector<GLuint> bits;             // per group: a bit group's segments shown in 3D (0: a value group)
    glm::vec3 boxMin{0.0f}, boxMax{0.0f}; // texture coordinates holding every visible segment
    std::uint64_t version = 0;
    bool operator==(const Labels3d&) const = default;
};

// Everything the picture depends on besides the volume and the image size.
struct VolumeRenderSettings {
    RenderPreset preset;                // mode, transfer function, shading, isovalue, window
    std::string colormap = "grayscale"; // projections
    bool invert = false;
    Camera3D camera;
    glm::dvec3 cropMin{0.0}, cropMax{1.0}; // fractions of the volume's box along i, j, k
    // Up to three half-spaces that are kept, LPS: (n, c) keeps the points x with dot(n, x) >= c (the cuts at
    // turned slice planes, which a box cannot express).
    std::vector<glm::dvec4> cutPlanes;
    double stepScale = 1.0; // step = stepScale x the smallest voxel spacing
    // Composite: a ray stops once this opaque (what lies behind adds at most 1 - this to its colour). The
    // coarse frames while and just after a drag stop at 0.95 (about 10 % faster on the real CT).
    float opaque = 0.99f;
    bool skipping = true; // empty-space skipping (off only to measure it)
    bool jitter = true;
    glm::vec3 background{0.08f, 0.08f, 0.09f};
    Labels3d labels; // none: no segments in 3D
    // Surface meshes (LPS mm), opaque: a ray stops at the nearest, as at a segment's voxels (surface_pass.h).
    std::vector<SurfaceDraw> surfaces;
    bool operator==(const VolumeRenderSettings&) const = default;
};

class VolumeRenderer {
  public:
    // Compiles nothing: a program is compiled when a render first needs it, or by prepare().
    VolumeRenderer();
    // Compiles the default program (about 70 ms on llvmpipe), so that a broken shader shows before the first
    // 3D render and that render does not wait for it. The viewer calls it once its first slice is on screen,
    // rather than at start, where it delayed that slice. Throws GlError.
    void prepare();
    // Recompiles from shaders/ (see shaders.h); on failure keeps the programs and returns the message.
    std::string reload();

    // The volume to render. `sharedTexture` (0 if none) is the full-resolution texture the slice renderer
    // holds; `maxBytes` caps what a copy of our own may take (0: no cap beyond GL_MAX_3D_TEXTURE_SIZE, or
    // `max3d` when given, for tests). `copy`, when given, is the downsampled copy made ahead (off the main
    // thread: LoadTask), whose statistics `stats` then are; it is used when its size is the one needed.
    // Throws GlError.
    void setVolume(const Volume& v, std::shared_ptr<const VolumeStats> stats, GLuint sharedTexture,
                   HuTexel encoding, std::uint64_t maxBytes = 0, int max3d = 0, const Volume* copy = nullptr);
    void clearVolume();
    bool hasVolume() const { return texture_ != 0; }
    // Non-empty when the 3D view shows less than the volume, e.g. "3D shows a 2x downsampled copy (...)".
    const std::string& note() const { return note_; }

    // Renders into the image at `size` pixels unless nothing changed since the last render. Returns true when
    // it rendered. `force` renders anyway (benchmarks).
    // With `passes` > 1 and a whole image of this size there already, renders the image over the picture
    // there in that many calls with the same settings, until complete(): call i draws the bands of
    // kPassBandRows rows whose number modulo `passes` is i, so that each call costs about the same wherever
    // the volume lies in the image. The pixels are those of a whole render (a pixel's ray depends only on
    // the pixel), so that a slow frame can be spread over several frames of the viewer, which stays live
    // meanwhile.
    bool render(const VolumeRenderSettings& s, glm::ivec2 size, bool force = false, int passes = 1);
    // Bands of 32 rows keep the passes within about 20 % of each other on a CT (64, llvmpipe's tile height:
    // up to 2x, since the passes hold 2 or 3 of the 15 bands of a 900-row image). At most one pass a band.
    static constexpr int kPassBandRows = 32;
    // False while a render in passes (above) has passes left.
    bool complete() const { return passesDone_ >= passes_; }
    int passesDone() const { return passesDone_; } // of the image's render
    glm::ivec2 imageSize() const { return imageSize_; }
    // Draws the image into the rectangle (x, y, w, h; GL pixels, origin bottom-left) of the bound draw
    // framebuffer.
    void present(glm::ivec4 rect) const;
    // The image's pixels (tests, `ctview render`).
    RgbImage readImage() const;
    // Samples per frame of the last render are not counted on the GPU; this is the number of rays x steps a
    // ray through the whole box would take, for the benchmark's samples/s.
    double nominalSamples(const VolumeRenderSettings& s, glm::ivec2 size) const;

  private:
    struct Compiled {
        Program program;
        Uniforms uniforms;
    };
    static Compiled compile(const std::string& defines);
    const Compiled& programFor(const VolumeRenderSettings& s);
    void updateTables(const VolumeRenderSettings& s, float stepMm);
    const BrickGrid& bricksFor(RenderMode mode);

    std::map<std::string, Compiled> programs_;
    VertexArray vao_;
    Sampler linear_;
    GLuint texture_ = 0; // the one in use: shared or own_
    Texture own_;
    HuTexel huTexel_;
    Geometry geometry_; // of the texture in use
    std::shared_ptr<const VolumeStats> stats_;
    BrickGrid coarseBricks_; // MIP/MinIP's, made from stats_->bricks on first use
    std::string note_;

    Texture tf_, lut_, bricks_, exterior_;
    // What the tables hold, to rebuild them only on change.
    std::vector<TfPoint> tfPoints_;
    float tfStep_ = -1;
    RenderMode bricksMode_ = RenderMode::Composite;
    float bricksIso_ = 0;
    std::vector<TfPoint> bricksPoints_; // the transfer function the composite bricks were classified against
    bool bricksHide_ = false;           // ... and whether the bricks outside the body were left out
    bool bricksValid_ = false, tfValid_ = false, exteriorValid_ = false;
    std::string lutName_;
    bool lutInvert_ = false, lutValid_ = false;
    std::vector<std::array<float, 4>> tfTable_;
    std::pair<int, int> tfVisible_{0, 0}; // the entries of tfTable_ with opacity > 0: [first, second)

    SurfacePass surfaces_;
    GLuint surfaceHits_ = 0; // the surface pass's image for the render under way

    OffscreenTarget image_;
    glm::ivec2 imageSize_{0};
    VolumeRenderSettings last_;
    bool lastValid_ = false;
    int passes_ = 1, passesDone_ = 1; // of last_'s render (none yet: nothing left to do)
};

} // namespace ctview::gl
