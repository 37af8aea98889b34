#include "render/slice_renderer.h"

#include "volume/mpr.h"

#include <glm/gtc/type_ptr.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

namespace ctview::gl {

namespace {
// The slice shader's uniforms, by index; the first is the volume (uVolume) or, plane by plane, uPlane.
namespace uniform {
enum : std::size_t {
    Source,
    PlaneAxes,
    Lut,
    FramebufferToTexture,
    FramebufferHeight,
    HuFromTexel,
    Window,
    Background,
    Highlight,
    HighlightColor,
    SlabStep, // a turned view's slab, through the 3D texture only (volume/mpr.h planeValue)
    SlabHalf,
    SlabMode,
    count
};
}
const std::vector<const char*>& uniformNames(bool plane) {
    static const std::vector<const char*> volume = {"uVolume",
                                                    "uPlaneAxes",
                                                    "uLut",
                                                    "uFramebufferToTexture",
                                                    "uFramebufferHeight",
                                                    "uHuFromTexel",
                                                    "uWindow",
                                                    "uBackground",
                                                    "uHighlight",
                                                    "uHighlightColor",
                                                    "uSlabStep",
                                                    "uSlabHalf",
                                                    "uSlabMode"};
    static const std::vector<const char*> planes = [] {
        std::vector<const char*> n(volume.begin(), volume.begin() + uniform::SlabStep);
        n[uniform::Source] = "uPlane";
        return n;
    }();
    return plane ? planes : volume;
}
const char* definesFor(bool plane) {
    return plane ? "#define PLANE" : "";
}
// The slab shader's (slab.frag), likewise.
namespace slabUniform {
enum : std::size_t { Volume, PlaneAxes, Slices, Mode, HuFromTexel, count };
}
const std::vector<const char*> slabUniformNames = {"uVolume", "uPlaneAxes", "uSlices", "uSlabMode",
                                                   "uHuFromTexel"};

} // namespace

// Both variants of the slice program (through the 3D texture, and plane by plane), and the slab pass, with
// their uniforms.
struct SlicePrograms {
    Program volume, plane, slab;
    Uniforms volumeUniforms, planeUniforms, slabUniforms;
};

namespace {
SlicePrograms buildSlicePrograms() {
    SlicePrograms p;
    p.volume = buildProgram("fullscreen.vert", "slice.frag", definesFor(false));
    p.plane = buildProgram("fullscreen.vert", "slice.frag", definesFor(true));
    p.volumeUniforms =
        Uniforms(p.volume.id(), uniformNames(false), "fullscreen.vert", "slice.frag", definesFor(false));
    p.planeUniforms =
        Uniforms(p.plane.id(), uniformNames(true), "fullscreen.vert", "slice.frag", definesFor(true));
    p.slab = buildProgram("fullscreen.vert", "slab.frag");
    p.slabUniforms = Uniforms(p.slab.id(), slabUniformNames, "fullscreen.vert", "slab.frag", "");
    return p;
}
} // namespace

SliceRenderer::SliceRenderer() : vao_(VertexArray::create()), lut_(Texture::create()) {
    adopt(buildSlicePrograms());
    glBindTexture(GL_TEXTURE_2D, lut_.id());
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    setColormap(colormapTable("grayscale"));
}

void SliceRenderer::adopt(SlicePrograms&& p) {
    program_ = std::move(p.volume);
    planeProgram_ = std::move(p.plane);
    slabProgram_ = std::move(p.slab);
    uniforms_ = p.volumeUniforms;
    planeUniforms_ = p.planeUniforms;
    slabUniforms_ = p.slabUniforms;
}

std::string SliceRenderer::reload() {
    try {
        adopt(buildSlicePrograms()); // all or nothing: a failure keeps the current programs
        for (Plane& plane : planes_)
            plane.dirty = true; // a slab is computed again by the new shader
        return {};
    } catch (const GlError& e) {
        return e.what();
    }
}

namespace {

// The volume's 3D texture, allocated but not filled: R16 for int16 HU (HuTexel's offset), R32F for float HU.
// Throws GlError when the GPU has no memory for it.
Texture allocateVolumeTexture(const Volume& v) {
    const Geometry& g = v.geometry();
    while (glGetError() != GL_NO_ERROR) {
    }
    Texture tex = Texture::create();
    glBindTexture(GL_TEXTURE_3D, tex.id());
    const bool int16 = v.type() == ScalarType::Int16;
    glTexImage3D(GL_TEXTURE_3D, 0, int16 ? GL_R16 : GL_R32F, g.dims.x, g.dims.y, g.dims.z, 0, GL_RED,
                 int16 ? GL_UNSIGNED_SHORT : GL_FLOAT, nullptr);
    if (glGetError() == GL_OUT_OF_MEMORY)
        throw GlError("not enough GPU memory for the volume (" + std::to_string(v.bytes() >> 20) + " MiB)");
    return tex;
}

// Slices per upload: slabs of about 16 MiB, so that the conversion buffer stays small.
int slabSlices(const Geometry& g) {
    return int(std::clamp<std::size_t>(
        (std::size_t(16) << 20) / std::max<std::size_t>(1, g.sliceVoxels() * 2), 1, std::size_t(g.dims.z)));
}

// After the last slab, on the bound texture: any GL error of the upload, then the sampling state.
void finishVolumeTexture() {
    if (GLenum err = glGetError(); err != GL_NO_ERROR)
        throw GlError("uploading the volume to the GPU failed (GL error " + std::to_string(err) + ")");
    glTexParameteri(GL_TEXTURE_3D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_3D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_3D, GL_TEXTURE_WRAP_R, GL_CLAMP_TO_EDGE);
}

} // namespace

Texture uploadVolumeTexture(const Volume& v, HuTexel& encoding) {
    const Geometry& g = v.geometry();
    GLint max3d = 0;
    glGetIntegerv(GL_MAX_3D_TEXTURE_SIZE, &max3d);
    if (g.dims.x > max3d || g.dims.y > max3d || g.dims.z > max3d)
        throw GlError("the volume (" + std::to_string(g.dims.x) + "x" + std::to_string(g.dims.y) + "x" +
                      std::to_string(g.dims.z) + ") is larger than this GPU's 3D textures (" +
                      std::to_string(max3d) + " per side)");
    Texture tex = allocateVolumeTexture(v);
    const int slab = slabSlices(g);
    std::vector<std::uint16_t> converted;
    for (int z = 0; z < g.dims.z; z += slab)
        uploadVolumeSlab(v, z, std::min(slab, g.dims.z - z), converted);
    finishVolumeTexture();
    encoding = HuTexel::of(v.type());
    return tex;
}

void uploadVolumeSlab(const Volume& v, int z0, int count, std::vector<std::uint16_t>& scratch) {
    const Geometry& g = v.geometry();
    const std::size_t first = std::size_t(z0) * g.sliceVoxels(), n = std::size_t(count) * g.sliceVoxels();
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    if (v.type() == ScalarType::Int16) {
        scratch.resize(n);
        const std::int16_t* src = v.int16Data() + first;
        for (std::size_t i = 0; i < n; ++i)
            scratch[i] = HuTexel::encode(src[i]);
        glTexSubImage3D(GL_TEXTURE_3D, 0, 0, 0, z0, g.dims.x, g.dims.y, count, GL_RED, GL_UNSIGNED_SHORT,
                        scratch.data());
    } else {
        glTexSubImage3D(GL_TEXTURE_3D, 0, 0, 0, z0, g.dims.x, g.dims.y, count, GL_RED, GL_FLOAT,
                        v.float32Data() + first);
    }
}

void SliceRenderer::setVolume(const Volume& v, int max3d, Upload upload) {
    clearVolume();
    geometry_ = v.geometry();
    GLint limit = 0;
    glGetIntegerv(GL_MAX_3D_TEXTURE_SIZE, &limit);
    if (max3d > 0)
        limit = std::min(limit, GLint(max3d));
    const glm::ivec3 d = v.geometry().dims;
    bool fits = d.x <= limit && d.y <= limit && d.z <= limit && upload != Upload::Planes;
    if (fits && upload == Upload::Progressive) {
        pending_.source = &v;
        fits = false; // plane by plane until the upload is done
    } else if (fits) {
        try {
            volume_ = uploadVolumeTexture(v, huTexel_);
        } catch (const GlError&) {
            // Not enough GPU memory for the whole volume: the views can still show it a plane at a time.
            fits = false;
            while (glGetError() != GL_NO_ERROR) {
            }
        }
    }
    if (!fits) {
        GLint max2d = 0;
        glGetIntegerv(GL_MAX_TEXTURE_SIZE, &max2d);
        if (d.x > max2d || d.y > max2d || d.z > max2d)
            throw GlError("the volume (" + std::to_string(d.x) + "x" + std::to_string(d.y) + "x" +
                          std::to_string(d.z) + ") is larger than this GPU's textures (" +
                          std::to_string(max2d) + " per side)");
        planeSource_ = &v;
        huTexel_ = HuTexel::of(v.type());
        for (Plane& p : planes_) {
            p = Plane{};
            p.texture = Texture::create();
        }
    }
    setInterpolation(false);
}

bool SliceRenderer::continueUpload(double seconds) {
    if (!pending_.source)
        return false;
    const Volume& v = *pending_.source;
    const Geometry& g = v.geometry();
    const auto start = std::chrono::steady_clock::now();
    try {
        if (!pending_.texture)
            pending_.texture = allocateVolumeTexture(v);
        glBindTexture(GL_TEXTURE_3D, pending_.texture.id());
        const int slab = slabSlices(g);
        std::vector<std::uint16_t> converted;
        // At least one slab a call, however short the time: every call makes progress.
        for (bool first = true;
             pending_.nextZ < g.dims.z &&
             (first ||
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < seconds);
             first = false) {
            const int count = std::min(slab, g.dims.z - pending_.nextZ);
            uploadVolumeSlab(v, pending_.nextZ, count, converted);
            pending_.nextZ += count;
        }
        if (pending_.nextZ < g.dims.z)
            return true;
        finishVolumeTexture();
    } catch (const GlError&) {
        pending_ = {}; // no memory for the volume: the views stay plane by plane
        while (glGetError() != GL_NO_ERROR) {
        }
        return false;
    }
    // Complete: the views sample the 3D texture from now on.
    volume_ = std::move(pending_.texture);
    huTexel_ = HuTexel::of(v.type());
    pending_ = {};
    planeSource_ = nullptr;
    for (Plane& p : planes_)
        p = Plane{};
    setInterpolation(linear_);
    return false;
}

void SliceRenderer::uploadPlane(const SliceFrame& f, int slice, const Slab& slab) {
    const int nAxis = f.nAxis;
    // The plane's two other voxel axes, lower first: texel (x, y) is voxel index (x along a, y along b).
    const Volume& v = *planeSource_;
    const glm::ivec3 d = v.geometry().dims;
    const int a = nAxis == 0 ? 1 : 0, b = nAxis == 2 ? 1 : 2;
    // A thick slab is combined here, in HU as floats (its mean is not an integer). Not over a volume still
    // being written: its slices are read one by one, and only those that have arrived.
    const bool thick = isThick(slab, f.nSpacing) && !arrived_;
    auto arrived = [&](int k) {
        return !arrived_ || (k >= 0 && std::size_t(k) < arrived_->size() && (*arrived_)[std::size_t(k)]);
    };
    const bool int16 = v.type() == ScalarType::Int16 && !thick;
    std::vector<std::uint16_t> u16;
    std::vector<float> f32;
    (int16 ? u16.resize(std::size_t(d[a]) * std::size_t(d[b]))
           : f32.resize(std::size_t(d[a]) * std::size_t(d[b])));
    glm::ivec3 ijk(0);
    ijk[nAxis] = slice;
    for (int y = 0; y < d[b]; ++y) {
        ijk[b] = y;
        for (int x = 0; x < d[a]; ++x) {
            ijk[a] = x;
            const std::size_t at = std::size_t(y) * std::size_t(d[a]) + std::size_t(x);
            const std::size_t n = v.index(ijk.x, ijk.y, ijk.z);
            if (!arrived(ijk.z)) { // not decoded yet: air
                if (int16)
                    u16[at] = HuTexel::encode(-1024);
                else
                    f32[at] = -1024.0f;
            } else if (thick)
                f32[at] = slabValue(v, f, ijk, slab);
            else if (int16)
                u16[at] = HuTexel::encode(v.int16Data()[n]);
            else
                f32[at] = v.float32Data()[n];
        }
    }
    Plane& p = planes_[nAxis];
    glBindTexture(GL_TEXTURE_2D, p.texture.id());
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    p.storage = {d[a], d[b], int16 ? GL_R16 : GL_R32F};
    glTexImage2D(GL_TEXTURE_2D, 0, int16 ? GL_R16 : GL_R32F, d[a], d[b], 0, GL_RED,
                 int16 ? GL_UNSIGNED_SHORT : GL_FLOAT,
                 int16 ? static_cast<const void*>(u16.data()) : static_cast<const void*>(f32.data()));
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, linear_ ? GL_LINEAR : GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, linear_ ? GL_LINEAR : GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    p.slice = slice;
    p.slab = slab;
    p.encoding = int16 ? huTexel_ : HuTexel{};
    p.dirty = false;
}

void SliceRenderer::computeSlab(const SliceFrame& f, int slice, const Slab& slab) {
    const int nAxis = f.nAxis;
    const int a = nAxis == 0 ? 1 : 0, b = nAxis == 2 ? 1 : 2; // the plane's axes, lower first (uploadPlane's)
    // The plane's size in voxels, from the frame (h and v are a and b in some order).
    const int sizeA = f.hAxis == a ? f.width : f.height, sizeB = f.hAxis == b ? f.width : f.height;
    Plane& p = planes_[nAxis];
    if (!p.texture)
        p.texture = Texture::create();
    glBindTexture(GL_TEXTURE_2D, p.texture.id());
    // Storage once per size: scrolling a slab view renders into the same texture (a new glTexImage2D each
    // time would have the driver allocate and clear it at every slice).
    if (const glm::ivec3 storage{sizeA, sizeB, GL_R32F}; p.storage != storage) {
        glTexImage2D(GL_TEXTURE_2D, 0, GL_R32F, sizeA, sizeB, 0, GL_RED, GL_FLOAT, nullptr);
        p.storage = storage;
    }
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, linear_ ? GL_LINEAR : GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, linear_ ? GL_LINEAR : GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    // Into the plane's texture through a framebuffer of our own; the caller's framebuffer, viewport and
    // scissor come back after.
    GLint previous = 0, viewport[4];
    glGetIntegerv(GL_DRAW_FRAMEBUFFER_BINDING, &previous);
    glGetIntegerv(GL_VIEWPORT, viewport);
    const GLboolean scissor = glIsEnabled(GL_SCISSOR_TEST);
    if (!slabTarget_)
        slabTarget_ = Framebuffer::create();
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, slabTarget_.id());
    glFramebufferTexture2D(GL_DRAW_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, p.texture.id(), 0);
    glViewport(0, 0, sizeA, sizeB);
    glDisable(GL_SCISSOR_TEST);
    glDisable(GL_BLEND);
    glUseProgram(slabProgram_.id());
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_3D, volume_.id());
    const Uniforms& loc = slabUniforms_;
    glUniform1i(loc[slabUniform::Volume], 0);
    glUniform2i(loc[slabUniform::PlaneAxes], a, b);
    const glm::ivec2 range = slabRange(slab, f, slice);
    glUniform2i(loc[slabUniform::Slices], slice + range.x, slice + range.y);
    glUniform1i(loc[slabUniform::Mode], int(slab.mode));
    glUniform2f(loc[slabUniform::HuFromTexel], huTexel_.scale, huTexel_.offset);
    drawCoveringTriangle(vao_);
    glFramebufferTexture2D(GL_DRAW_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, 0, 0);
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, GLuint(previous));
    glViewport(viewport[0], viewport[1], viewport[2], viewport[3]);
    if (scissor)
        glEnable(GL_SCISSOR_TEST);
    p.slice = slice;
    p.slab = slab;
    p.encoding = HuTexel{}; // HU as floats
    p.dirty = false;
}

void SliceRenderer::updateSlices(const Volume& v, const std::vector<int>& slices) {
    for (Plane& p : planes_)
        p.dirty = true; // planes and slabs hold values of the old slices
    if (planeSource_)
        return;
    if (!volume_)
        return;
    glBindTexture(GL_TEXTURE_3D, volume_.id());
    std::vector<std::uint16_t> scratch;
    for (int k : slices)
        if (k >= 0 && k < v.geometry().dims.z)
            uploadVolumeSlab(v, k, 1, scratch);
}

Texture SliceRenderer::releaseVolumeTexture() {
    Texture texture;
    if (!planeSource_ && !pending_.source)
        texture = std::move(volume_);
    clearVolume();
    return texture;
}

void SliceRenderer::adoptVolumeTexture(Texture texture, const Volume& v) {
    clearVolume();
    geometry_ = v.geometry();
    volume_ = std::move(texture);
    huTexel_ = HuTexel::of(v.type());
    setInterpolation(linear_);
}

void SliceRenderer::clearVolume() {
    pending_ = {};
    volume_.reset();
    planeSource_ = nullptr;
    for (Plane& p : planes_)
        p = Plane{};
}

void uploadColormap(GLuint texture, const ColormapTable& table) {
    std::uint8_t rgba[256 * 4];
    for (int n = 0; n < 256; ++n) {
        for (int c = 0; c < 3; ++c)
            rgba[n * 4 + c] = table[std::size_t(n)][std::size_t(c)];
        rgba[n * 4 + 3] = 255;
    }
    glBindTexture(GL_TEXTURE_2D, texture);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, 256, 1, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
}

void SliceRenderer::setColormap(const ColormapTable& table) {
    uploadColormap(lut_.id(), table);
}

void SliceRenderer::setInterpolation(bool linear) {
    linear_ = linear;
    for (Plane& p : planes_)
        p.dirty = true; // re-uploaded with the new filter when next drawn
    if (!volume_)
        return;
    glBindTexture(GL_TEXTURE_3D, volume_.id());
    glTexParameteri(GL_TEXTURE_3D, GL_TEXTURE_MIN_FILTER, linear ? GL_LINEAR : GL_NEAREST);
    glTexParameteri(GL_TEXTURE_3D, GL_TEXTURE_MAG_FILTER, linear ? GL_LINEAR : GL_NEAREST);
}

void SliceRenderer::draw(const ViewMapping& m, int slice, const WindowLevel& wl, const Slab& slab,
                         glm::ivec2 fbSize, float fbScale) {
    if (!volume_ && !planeSource_)
        return;
    if (m.oblique()) {
        drawOblique(m, wl, slab, fbSize, fbScale);
        return;
    }
    const SliceFrame& f = m.frame();
    const int nAxis = f.nAxis;
    const Slab shown = isThick(slab, f.nSpacing) ? slab : Slab{}; // every thin slab is the same picture
    Plane& plane = planes_[nAxis];
    const bool stale = plane.dirty || plane.slice != slice || !(plane.slab == shown);
    // Drawn from a plane texture plane by plane, or for a slab (computed once per slice and slab); a thin
    // slice of a volume on the GPU straight from its 3D texture.
    const bool fromPlane = planeSource_ || isThick(shown, f.nSpacing);
    if (planeSource_ && stale)
        uploadPlane(f, slice, shown);
    else if (fromPlane && stale)
        computeSlab(f, slice, shown);
    if (fromPlane) {
        glUseProgram(planeProgram_.id());
        glUniform2i(planeUniforms_[uniform::PlaneAxes], nAxis == 0 ? 1 : 0, nAxis == 2 ? 1 : 2);
    } else {
        glUseProgram(program_.id());
        glUniform1i(uniforms_[uniform::SlabHalf], 0); // thin (a slab is drawn from its plane texture)
    }
    drawQuad(m.rect(), fromPlane, fromPlane ? plane.texture.id() : volume_.id(),
             fromPlane ? plane.encoding : huTexel_, m.framebufferToTexture(slice, fbScale), wl, fbSize,
             fbScale);
}

void SliceRenderer::drawOblique(const ViewMapping& m, const WindowLevel& wl, const Slab& slab,
                                glm::ivec2 fbSize, float fbScale) {
    // Through the 3D texture only: while a volume is still going up plane by plane, a turned view waits.
    if (!volume_)
        return;
    const Geometry& g = geometry_;
    glUseProgram(program_.id());
    // A slab: samples normalStep apart along the normal, as volume/mpr.h planeValue takes them.
    const double step = normalStep(g, m.plane().normal);
    const glm::dvec3 perStep = glm::inverse(g.direction) * (m.plane().normal * step) / g.spacing /
                               glm::dvec3(glm::max(g.dims, glm::ivec3(1)));
    glUniform3f(uniforms_[uniform::SlabStep], float(perStep.x), float(perStep.y), float(perStep.z));
    glUniform1i(uniforms_[uniform::SlabHalf], slabHalfCount(slab, step));
    glUniform1i(uniforms_[uniform::SlabMode], int(slab.mode));
    drawQuad(m.rect(), false, volume_.id(), huTexel_, m.obliqueToTexture(fbScale), wl, fbSize, fbScale);
}

void SliceRenderer::drawQuad(const Rect& r, bool fromPlane, GLuint texture, HuTexel encoding,
                             const glm::mat4& toTex, const WindowLevel& wl, glm::ivec2 fbSize,
                             float fbScale) {
    if (!beginViewPass(r, fbSize, fbScale, /*premultiplied=*/false))
        return;
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(fromPlane ? GL_TEXTURE_2D : GL_TEXTURE_3D, texture);
    glActiveTexture(GL_TEXTURE1);
    glBindTexture(GL_TEXTURE_2D, lut_.id());
    const Uniforms& loc = fromPlane ? planeUniforms_ : uniforms_;
    glUniform1i(loc[uniform::Source], 0);
    glUniform1i(loc[uniform::Lut], 1);
    glUniformMatrix4fv(loc[uniform::FramebufferToTexture], 1, GL_FALSE, glm::value_ptr(toTex));
    glUniform1f(loc[uniform::FramebufferHeight], float(fbSize.y));
    glUniform2f(loc[uniform::HuFromTexel], encoding.scale, encoding.offset);
    glUniform2f(loc[uniform::Window], float(wl.width), float(wl.center));
    glUniform3f(loc[uniform::Background], 0.0f, 0.0f, 0.0f);
    glUniform4f(loc[uniform::Highlight], highlight_.lo, highlight_.hi, highlight_.opacity, 0.0f);
    glUniform3f(loc[uniform::HighlightColor], highlight_.color.r, highlight_.color.g, highlight_.color.b);
    drawCoveringTriangle(vao_);
    glActiveTexture(GL_TEXTURE0);
    endViewPass();
}

} // namespace ctview::gl
