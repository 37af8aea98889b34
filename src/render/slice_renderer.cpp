#include "render/slice_renderer.h"

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
    count
};
}
const std::vector<const char*>& uniformNames(bool plane) {
    static const std::vector<const char*> volume = {
        "uVolume",      "uPlaneAxes", "uLut",       "uFramebufferToTexture", "uFramebufferHeight",
        "uHuFromTexel", "uWindow",    "uBackground"};
    static const std::vector<const char*> planes = [] {
        std::vector<const char*> n = volume;
        n[uniform::Source] = "uPlane";
        return n;
    }();
    return plane ? planes : volume;
}
const char* definesFor(bool plane) {
    return plane ? "#define PLANE" : "";
}
} // namespace

SliceRenderer::SliceRenderer()
    : program_(buildProgram("fullscreen.vert", "slice.frag")),
      planeProgram_(buildProgram("fullscreen.vert", "slice.frag", definesFor(true))),
      uniforms_(program_.id(), uniformNames(false), "fullscreen.vert", "slice.frag", definesFor(false)),
      planeUniforms_(planeProgram_.id(), uniformNames(true), "fullscreen.vert", "slice.frag",
                     definesFor(true)),
      vao_(VertexArray::create()), lut_(Texture::create()) {
    glBindTexture(GL_TEXTURE_2D, lut_.id());
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    setColormap(colormapTable("grayscale"));
}

std::string SliceRenderer::reload() {
    try {
        Program fresh = buildProgram("fullscreen.vert", "slice.frag");
        Program freshPlane = buildProgram("fullscreen.vert", "slice.frag", definesFor(true));
        Uniforms u(fresh.id(), uniformNames(false), "fullscreen.vert", "slice.frag", definesFor(false));
        Uniforms up(freshPlane.id(), uniformNames(true), "fullscreen.vert", "slice.frag", definesFor(true));
        program_ = std::move(fresh);
        planeProgram_ = std::move(freshPlane);
        uniforms_ = u;
        planeUniforms_ = up;
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

void SliceRenderer::setVolume(const Volume& v, int max3d, bool progressive) {
    clearVolume();
    GLint limit = 0;
    glGetIntegerv(GL_MAX_3D_TEXTURE_SIZE, &limit);
    if (max3d > 0)
        limit = std::min(limit, GLint(max3d));
    const glm::ivec3 d = v.geometry().dims;
    bool fits = d.x <= limit && d.y <= limit && d.z <= limit;
    if (fits && progressive) {
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
        for (Plane& p : planes_)
            p = Plane{Texture::create(), -1, true};
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

void SliceRenderer::uploadPlane(int nAxis, int slice) {
    // The plane's two other voxel axes, lower first: texel (x, y) is voxel index (x along a, y along b).
    const Volume& v = *planeSource_;
    const glm::ivec3 d = v.geometry().dims;
    const int a = nAxis == 0 ? 1 : 0, b = nAxis == 2 ? 1 : 2;
    const bool int16 = v.type() == ScalarType::Int16;
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
            if (int16)
                u16[at] = HuTexel::encode(v.int16Data()[n]);
            else
                f32[at] = v.float32Data()[n];
        }
    }
    Plane& p = planes_[nAxis];
    glBindTexture(GL_TEXTURE_2D, p.texture.id());
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glTexImage2D(GL_TEXTURE_2D, 0, int16 ? GL_R16 : GL_R32F, d[a], d[b], 0, GL_RED,
                 int16 ? GL_UNSIGNED_SHORT : GL_FLOAT,
                 int16 ? static_cast<const void*>(u16.data()) : static_cast<const void*>(f32.data()));
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, linear_ ? GL_LINEAR : GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, linear_ ? GL_LINEAR : GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    p.slice = slice;
    p.dirty = false;
}

void SliceRenderer::updateSlices(const Volume& v, const std::vector<int>& slices) {
    if (planeSource_) {
        for (Plane& p : planes_)
            p.dirty = true;
        return;
    }
    if (!volume_)
        return;
    glBindTexture(GL_TEXTURE_3D, volume_.id());
    std::vector<std::uint16_t> scratch;
    for (int k : slices)
        if (k >= 0 && k < v.geometry().dims.z)
            uploadVolumeSlab(v, k, 1, scratch);
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

void SliceRenderer::draw(const ViewMapping& m, int slice, const WindowLevel& wl, glm::ivec2 fbSize,
                         float fbScale) {
    if (!volume_ && !planeSource_)
        return;
    const int nAxis = m.frame().nAxis;
    if (planeSource_ && (planes_[nAxis].dirty || planes_[nAxis].slice != slice))
        uploadPlane(nAxis, slice);
    const Rect& r = m.rect();
    // The view's rectangle in GL's bottom-left framebuffer coordinates.
    const int x0 = int(std::lround(r.x * fbScale)), x1 = int(std::lround((r.x + r.w) * fbScale));
    const int y0 = int(std::lround(r.y * fbScale)), y1 = int(std::lround((r.y + r.h) * fbScale));
    if (x1 <= x0 || y1 <= y0)
        return;
    glViewport(0, 0, fbSize.x, fbSize.y);
    glEnable(GL_SCISSOR_TEST);
    glScissor(x0, fbSize.y - y1, x1 - x0, y1 - y0);
    glDisable(GL_BLEND);
    glDisable(GL_DEPTH_TEST);
    const GLuint p = planeSource_ ? planeProgram_.id() : program_.id();
    glUseProgram(p);
    glActiveTexture(GL_TEXTURE0);
    if (planeSource_)
        glBindTexture(GL_TEXTURE_2D, planes_[nAxis].texture.id());
    else
        glBindTexture(GL_TEXTURE_3D, volume_.id());
    glActiveTexture(GL_TEXTURE1);
    glBindTexture(GL_TEXTURE_2D, lut_.id());
    const Uniforms& loc = planeSource_ ? planeUniforms_ : uniforms_;
    glUniform1i(loc[uniform::Source], 0);
    if (planeSource_)
        glUniform2i(loc[uniform::PlaneAxes], nAxis == 0 ? 1 : 0, nAxis == 2 ? 1 : 2);
    glUniform1i(loc[uniform::Lut], 1);
    const glm::mat4 toTex = m.framebufferToTexture(slice, fbScale);
    glUniformMatrix4fv(loc[uniform::FramebufferToTexture], 1, GL_FALSE, glm::value_ptr(toTex));
    glUniform1f(loc[uniform::FramebufferHeight], float(fbSize.y));
    glUniform2f(loc[uniform::HuFromTexel], huTexel_.scale, huTexel_.offset);
    glUniform2f(loc[uniform::Window], float(wl.width), float(wl.center));
    glUniform3f(loc[uniform::Background], 0.0f, 0.0f, 0.0f);
    glBindVertexArray(vao_.id());
    glDrawArrays(GL_TRIANGLES, 0, 3);
    glBindVertexArray(0);
    glActiveTexture(GL_TEXTURE0);
    glDisable(GL_SCISSOR_TEST);
}

} // namespace ctview::gl
