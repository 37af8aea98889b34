#pragma once
// Draws slices of the volume: the HU volume in one 3D texture, the colour map in a 256-entry lookup texture,
// and window/level as uniforms, so that changing the slice, the window or the colour map never re-uploads the
// volume.
#include "render/gl.h"
#include "render/hu_texel.h"
#include "volume/colormap.h"
#include "volume/view.h"
#include "volume/volume.h"
#include "volume/window.h"

#include <glm/glm.hpp>

#include <string>
#include <vector>

namespace ctview::gl {

// Uploads `v` as a 3D texture in the HuTexel encoding of its type and sets `encoding` to it. Throws GlError
// when it does not fit.
Texture uploadVolumeTexture(const Volume& v, HuTexel& encoding);
// Re-uploads slices z0 .. z0+count-1 into the bound GL_TEXTURE_3D.
void uploadVolumeSlab(const Volume& v, int z0, int count, std::vector<std::uint16_t>& scratch);

// Uploads a colour map as the 256 x 1 RGBA8 texture `texture` (the slice views' and the projections' lookup).
void uploadColormap(GLuint texture, const ColormapTable& table);

struct SlicePrograms;

class SliceRenderer {
  public:
    SliceRenderer(); // builds the program; throws GlError
    // Recompiles from shaders/ (see shaders.h). On failure keeps the current program and returns the message.
    std::string reload();

    // Uploads the volume (R16 for int16 HU, R32F for float HU). A volume larger than the GPU's 3D textures
    // (GL_MAX_3D_TEXTURE_SIZE per side, or `max3d` when given, for tests) is shown plane by plane instead:
    // each view's current slice goes up as a 2D texture when it changes, at full resolution; `v` must then
    // outlive the renderer's use of it. Throws GlError when even that does not fit.
    // Upload::Progressive: the views show the volume plane by plane at once (as in plane mode) and its 3D
    // texture goes up in slabs over the next frames (continueUpload): the first picture of a large series
    // does not wait for the whole upload (0.4 s for 300 MiB on llvmpipe). `v` must outlive the upload.
    // Upload::Planes: plane mode only, no 3D texture (a load's preview, whose slices change as they arrive;
    // a volume too large for what a software renderer should hold in memory).
    enum class Upload { Whole, Progressive, Planes };
    void setVolume(const Volume& v, int max3d = 0, Upload upload = Upload::Whole);
    // Uploads more of a progressive volume for about `seconds`; returns true while some is left. When the
    // GPU has no memory for it, the views stay in plane mode.
    bool continueUpload(double seconds);
    bool uploading() const { return pending_.source != nullptr; }
    // Plane mode over a volume still being written (a load's preview): only slices k with (*arrived)[k] set
    // are read, the others drawn as air. Null: every slice. The vector must outlive its use.
    void setArrived(const std::vector<char>* arrived) { arrived_ = arrived; }
    // Re-uploads the given slices (k) of a volume already set with setVolume (the preview of a load).
    void updateSlices(const Volume& v, const std::vector<int>& slices);
    void clearVolume();
    // The whole volume's 3D texture handed over (to be kept for another phase of a 4D series: stepping back
    // to it uploads nothing); the renderer is left without a volume. Empty in plane mode or mid-upload.
    Texture releaseVolumeTexture();
    // Shows `v` from `texture`, a 3D texture of it that releaseVolumeTexture gave: nothing uploaded.
    void adoptVolumeTexture(Texture texture, const Volume& v);
    bool hasVolume() const { return bool(volume_) || planeSource_; }
    // Plane by plane (the volume is over the GPU's 3D texture size).
    bool planeMode() const { return planeSource_ != nullptr; }
    // The volume texture, shared with the 3D view (which samples it through its own linear sampler); 0 in
    // plane mode (the 3D view then makes a downsampled copy of its own).
    GLuint volumeTexture() const { return volume_.id(); }
    HuTexel huTexel() const { return huTexel_; }
    void setColormap(const ColormapTable& table);
    void setInterpolation(bool linear);

    // Draws slice `slice` of the view described by `m`, as a thick `slab` when it is one, into its rectangle
    // of the bound framebuffer (`fbSize` pixels; `fbScale` framebuffer pixels per screen pixel). A slab is
    // sampled in the shader from the 3D texture (no upload); plane by plane, combined on the CPU when the
    // slice or the slab changes.
    void draw(const ViewMapping& m, int slice, const WindowLevel& wl, const Slab& slab, glm::ivec2 fbSize,
              float fbScale);
    // The segment editor's threshold preview in the views drawn next: the voxels whose HU (as shown, through
    // a slab) lies in [lo, hi] tinted with `color` at `opacity` (0: none).
    struct Highlight {
        float lo = 0, hi = 0, opacity = 0;
        glm::vec3 color{0};
    };
    void setHighlight(const Highlight& h) { highlight_ = h; }

  private:
    // The current slice of each view (by its normal axis) as a 2D texture: in plane mode always, else when it
    // shows a thick slab (computed on the GPU from the volume texture).
    struct Plane {
        Texture texture;
        int slice = -1;
        Slab slab;        // the slab combined into it (thin: the slice's own voxels)
        HuTexel encoding; // of its texels: the volume's, or HU as floats for a slab
        bool dirty = true;
        glm::ivec3 storage{0}; // the texture's width, height and internal format (0: not allocated)
    };
    void uploadPlane(const SliceFrame& f, int slice, const Slab& slab);
    // With the whole volume on the GPU: the slab around `slice` into the plane's texture (slab.frag).
    void computeSlab(const SliceFrame& f, int slice, const Slab& slab);
    void adopt(SlicePrograms&& p);
    // A turned view (oblique MPR): sampled from the 3D texture at the plane's positions, a slab along its
    // normal in the shader.
    void drawOblique(const ViewMapping& m, const WindowLevel& wl, const Slab& slab, glm::ivec2 fbSize,
                     float fbScale);
    // The slice program in use draws `texture` over view rectangle r.
    void drawQuad(const Rect& r, bool fromPlane, GLuint texture, HuTexel encoding, const glm::mat4& toTex,
                  const WindowLevel& wl, glm::ivec2 fbSize, float fbScale);

    Program program_, planeProgram_, slabProgram_;
    Uniforms uniforms_, planeUniforms_, slabUniforms_; // looked up and checked once after linking
    Framebuffer slabTarget_;                           // renders computeSlab's plane
    VertexArray vao_;
    Texture volume_, lut_;
    const Volume* planeSource_ = nullptr;
    const std::vector<char>* arrived_ = nullptr; // setArrived
    Plane planes_[3];
    struct PendingUpload {
        const Volume* source = nullptr; // the volume being uploaded, shown plane by plane meanwhile
        Texture texture;                // allocated by the first continueUpload
        int nextZ = 0;                  // slices [0, nextZ) are up
    } pending_;
    bool linear_ = false;
    Highlight highlight_;
    HuTexel huTexel_;
    Geometry geometry_; // of the volume set
};

} // namespace ctview::gl
