#include "render/label_renderer.h"

#include <glm/gtc/type_ptr.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace ctview::gl {

namespace {
namespace uniform {
enum : std::size_t {
    Labels,
    Palette,
    FramebufferToTexture,
    FramebufferHeight,
    Fill,
    Outline,
    OutlineWidth,
    Bits,
    count
};
}
const std::vector<const char*> uniformNames = {
    "uLabels", "uPalette", "uFramebufferToTexture", "uFramebufferHeight",
    "uFill",   "uOutline", "uOutlineWidth",         "uBits"};

// One group's voxels as an R8UI 3D texture. Throws GlError when the GPU has no memory for it.
Texture uploadGroup(const Geometry& g, const std::vector<std::uint8_t>& voxels) {
    while (glGetError() != GL_NO_ERROR) {
    }
    Texture t = Texture::create();
    glBindTexture(GL_TEXTURE_3D, t.id());
    // Integer textures are only complete with nearest filtering (the shader uses texelFetch anyway).
    glTexParameteri(GL_TEXTURE_3D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_3D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glTexImage3D(GL_TEXTURE_3D, 0, GL_R8UI, g.dims.x, g.dims.y, g.dims.z, 0, GL_RED_INTEGER, GL_UNSIGNED_BYTE,
                 voxels.data());
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    if (GLenum err = glGetError(); err != GL_NO_ERROR)
        throw GlError(err == GL_OUT_OF_MEMORY ? "not enough GPU memory" : "GL error " + std::to_string(err));
    return t;
}

// Brings group texture `t` up to date with `voxels` within the box [lo, hi] (voxels, inclusive) alone: an
// edit's change, not the layer. False when GL refused it.
bool uploadBox(const Texture& t, const Geometry& g, const std::vector<std::uint8_t>& voxels, glm::ivec3 lo,
               glm::ivec3 hi) {
    while (glGetError() != GL_NO_ERROR) {
    }
    glBindTexture(GL_TEXTURE_3D, t.id());
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, g.dims.x);
    glPixelStorei(GL_UNPACK_IMAGE_HEIGHT, g.dims.y);
    const std::size_t first =
        (std::size_t(lo.z) * std::size_t(g.dims.y) + std::size_t(lo.y)) * std::size_t(g.dims.x) +
        std::size_t(lo.x);
    const glm::ivec3 size = hi - lo + 1;
    glTexSubImage3D(GL_TEXTURE_3D, 0, lo.x, lo.y, lo.z, size.x, size.y, size.z, GL_RED_INTEGER,
                    GL_UNSIGNED_BYTE, voxels.data() + first);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    glPixelStorei(GL_UNPACK_IMAGE_HEIGHT, 0);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    return glGetError() == GL_NO_ERROR;
}

Texture makePalette() {
    Texture t = Texture::create();
    glBindTexture(GL_TEXTURE_2D, t.id());
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, 256, 2, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
    return t;
}

std::uint8_t byte(float v) {
    return std::uint8_t(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f));
}

// A bit group's row 0 (labels.frag draws it as it is): for each byte, its shown segments (bits in `shown`)
// filled at opacity `fill` one over another, lowest bit first, as premultiplied colour and alpha: what one
// pass per segment would leave over the slice (GL_ONE, GL_ONE_MINUS_SRC_ALPHA). The single bits' entries of
// row 1 (each segment's own colour) are the edges' and the 3D view's.
template <class PaletteBytes> void composeBits(PaletteBytes& bytes, float fill, unsigned shown) {
    std::array<glm::vec3, 8> colour{};
    for (unsigned bit = 0; bit < 8; ++bit) {
        const std::uint8_t* p = &bytes[(256 + (std::size_t(1) << bit)) * 4];
        colour[bit] = glm::vec3(p[0], p[1], p[2]) / 255.0f;
    }
    for (unsigned v = 0; v < 256; ++v) {
        glm::vec3 c(0.0f);
        float a = 0.0f;
        for (unsigned bit = 0; bit < 8; ++bit)
            if ((v & shown) >> bit & 1u) {
                c = colour[bit] * fill + c * (1.0f - fill);
                a = fill + a * (1.0f - fill);
            }
        std::uint8_t* p = &bytes[std::size_t(v) * 4];
        p[0] = byte(c.r);
        p[1] = byte(c.g);
        p[2] = byte(c.b);
        p[3] = byte(a);
    }
}
} // namespace

std::optional<Rect> planeBoxRect(const glm::mat4& toTexture, glm::vec3 lo, glm::vec3 hi) {
    // The plane: texture point o + x a + y b for framebuffer pixel (x, y).
    const glm::vec3 o(toTexture[3]), a(toTexture[0]), b(toTexture[1]);
    const glm::vec3 n = glm::cross(a, b);
    const float aa = glm::dot(a, a), ab = glm::dot(a, b), bb = glm::dot(b, b), det = aa * bb - ab * ab;
    if (std::abs(det) < 1e-30f)
        return std::nullopt;
    glm::vec2 pmin(std::numeric_limits<float>::max()), pmax(std::numeric_limits<float>::lowest());
    auto add = [&](glm::vec3 p) { // a point of the plane -> its pixel
        const glm::vec3 d = p - o;
        const float da = glm::dot(d, a), db = glm::dot(d, b);
        const glm::vec2 xy((da * bb - db * ab) / det, (db * aa - da * ab) / det);
        pmin = glm::min(pmin, xy);
        pmax = glm::max(pmax, xy);
    };
    auto corner = [&](int c) {
        return glm::vec3(c & 1 ? hi.x : lo.x, c & 2 ? hi.y : lo.y, c & 4 ? hi.z : lo.z);
    };
    // Where the box's twelve edges cross the plane (a corner on it counts).
    for (int c = 0; c < 8; ++c)
        for (int axis = 0; axis < 3; ++axis) {
            if (c & (1 << axis))
                continue;
            const glm::vec3 p0 = corner(c), p1 = corner(c | (1 << axis));
            const float d0 = glm::dot(n, p0 - o), d1 = glm::dot(n, p1 - o);
            if (d0 == 0.0f)
                add(p0);
            if (d1 == 0.0f)
                add(p1);
            if ((d0 < 0.0f && d1 > 0.0f) || (d0 > 0.0f && d1 < 0.0f))
                add(p0 + (p1 - p0) * (d0 / (d0 - d1)));
        }
    if (pmax.x < pmin.x)
        return std::nullopt;
    return Rect{pmin.x, pmin.y, pmax.x - pmin.x, pmax.y - pmin.y};
}

LabelRenderer::LabelRenderer() : vao_(VertexArray::create()) {
    if (const std::string error = reload(); !error.empty())
        throw GlError(error);
}

std::string LabelRenderer::reload() {
    try {
        // One program per kind of group, in GroupKind's order (a branch on a uniform costs llvmpipe the code
        // of both sides).
        const std::array<std::string, 3> defines = {"", "#define BITS\n", "#define FRACTION\n"};
        std::array<Program, 3> programs;
        std::array<Uniforms, 3> uniforms;
        for (std::size_t k = 0; k < defines.size(); ++k) {
            programs[k] = buildProgram("fullscreen.vert", "labels.frag", defines[k]);
            uniforms[k] =
                Uniforms(programs[k].id(), uniformNames, "fullscreen.vert", "labels.frag", defines[k]);
        }
        programs_ = std::move(programs);
        uniforms_ = uniforms;
        return {};
    } catch (const GlError& e) {
        return e.what();
    }
}

void LabelRenderer::setLayers(const std::vector<const LabelLayer*>& layers,
                              std::vector<std::string>& problems) {
    std::vector<Uploaded> next;
    for (const LabelLayer* layer : layers) {
        auto held = std::find_if(layers_.begin(), layers_.end(),
                                 [&](const Uploaded& u) { return u.id == layer->lineage.id; });
        if (held != layers_.end()) {
            held->layer = layer;
            if (!held->failed.empty())
                problems.push_back(held->failed);
            next.push_back(std::move(*held));
            continue;
        }
        // A layer the segment editor made from one on the GPU by changing a box of one group: that box only.
        const LayerLineage& lineage = layer->lineage;
        auto from = std::find_if(layers_.begin(), layers_.end(), [&](const Uploaded& u) {
            return lineage.editedFrom != 0 && u.id == lineage.editedFrom && u.failed.empty() &&
                   u.groups.size() == layer->groups.size() && std::size_t(lineage.group) < u.groups.size();
        });
        // An empty box: only its segments changed (a name, a colour). A refused upload: the whole layer.
        if (from != layers_.end() &&
            (lineage.hi.x < lineage.lo.x ||
             uploadBox(from->groups[std::size_t(lineage.group)], layer->grid,
                       layer->groups[std::size_t(lineage.group)], lineage.lo, lineage.hi))) {
            from->layer = layer;
            from->id = lineage.id;
            ++version_; // the 3D view draws the textures anew
            next.push_back(std::move(*from));
            continue;
        }
        Uploaded u;
        u.layer = layer;
        u.id = lineage.id;
        try {
            for (const std::vector<std::uint8_t>& group : layer->groups) {
                u.groups.push_back(uploadGroup(layer->grid, group));
                u.palettes.push_back(makePalette());
                u.paletteBytes.emplace_back(); // all zero: nothing shown until setLook
                u.shown.push_back({});
            }
        } catch (const GlError& e) {
            // Kept, with nothing to draw, so that layer n stays the scene's layer n (setLook, labels3d).
            u.groups.clear();
            u.palettes.clear();
            u.paletteBytes.clear();
            u.shown.clear();
            u.failed = layer->name + ": not shown in the slice views (" + e.what() + ")";
            problems.push_back(u.failed);
        }
        next.push_back(std::move(u));
    }
    layers_ = std::move(next);
}

void LabelRenderer::setLook(std::size_t n, const LabelLook& look) {
    if (n >= layers_.size())
        return;
    Uploaded& u = layers_[n];
    u.fill = look.fill;
    u.outline = look.outline;
    for (std::size_t g = 0; g < u.groups.size(); ++g) {
        PaletteBytes bytes{};
        Shown& shown = u.shown[g] = {};
        const std::vector<Segment>& segments = u.layer->segments;
        for (std::size_t s = 0; s < segments.size(); ++s) {
            if (std::size_t(segments[s].group) != g || (s < look.visible.size() && !look.visible[s]))
                continue;
            // Row 0 for the slice views, row 1 for the 3D view, which leaves out a segment drawn as a mesh.
            const bool in3d = s >= look.meshIn3d.size() || !look.meshIn3d[s];
            shown.any = true;
            shown.in3d += in3d;
            // Not measured, or a FRACTIONAL segment (its statistics hold what is in at 0.5; its soft edge
            // reaches past them): anywhere on the grid.
            if (s >= u.layer->stats.size() || segments[s].fraction) {
                shown.lo = glm::ivec3(0);
                shown.hi = u.layer->grid.dims - 1;
            } else if (const SegmentStats& st = u.layer->stats[s]; st.voxels > 0) {
                const bool first = shown.hi.x < shown.lo.x;
                shown.lo = first ? st.voxelMin : glm::min(shown.lo, st.voxelMin);
                shown.hi = first ? st.voxelMax : glm::max(shown.hi, st.voxelMax);
            }
            if (segments[s].bit) {
                shown.kind = GroupKind::Bits;
                shown.bits |= segments[s].value;
                shown.bits3d |= in3d ? segments[s].value : 0u;
            } else if (segments[s].fraction) {
                // In 3D a fraction group is a bit group of one bit, 128: the voxels in the segment.
                shown.kind = GroupKind::Fraction;
                shown.bits3d = in3d ? 128u : 0u;
            }
            for (std::size_t row = 0; row < 2; ++row) {
                std::uint8_t* p = &bytes[(row * 256 + std::size_t(segments[s].value)) * 4];
                p[0] = byte(segments[s].color.r);
                p[1] = byte(segments[s].color.g);
                p[2] = byte(segments[s].color.b);
                p[3] = row == 0 || in3d ? 255 : 0;
            }
        }
        if (shown.bits)
            composeBits(bytes, look.fill, shown.bits);
        if (bytes == u.paletteBytes[g])
            continue;
        u.paletteBytes[g] = bytes;
        ++version_;
        glBindTexture(GL_TEXTURE_2D, u.palettes[g].id());
        glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, 256, 2, GL_RGBA, GL_UNSIGNED_BYTE, bytes.data());
    }
}

Labels3d LabelRenderer::labels3d(const std::vector<std::size_t>& layers) const {
    Labels3d l;
    l.version = version_;
    for (std::size_t n : layers)
        for (std::size_t g = 0; n < layers_.size() && g < layers_[n].groups.size(); ++g) {
            const Shown& shown = layers_[n].shown[g];
            if (shown.in3d == 0)
                continue;
            if (l.groups.size() == Labels3d::kMaxGroups) {
                l.leftOut += shown.in3d;
                continue;
            }
            l.groups.push_back(layers_[n].groups[g].id());
            l.palettes.push_back(layers_[n].palettes[g].id());
            l.bits.push_back(shown.bits3d);
        }
    return l;
}

void LabelRenderer::draw(const Rect& r, const glm::mat4& toTexture, glm::ivec2 fbSize, float fbScale) {
    if (layers_.empty())
        return;
    if (!beginViewPass(r, fbSize, fbScale, /*premultiplied=*/true)) // labels.frag's colour is premultiplied
        return;
    // The view in framebuffer pixels, from the top (as toTexture takes them).
    const struct {
        int x, y, w, h;
    } view{int(std::lround(r.x * fbScale)), int(std::lround(r.y * fbScale)),
           int(std::lround((r.x + r.w) * fbScale)) - int(std::lround(r.x * fbScale)),
           int(std::lround((r.y + r.h) * fbScale)) - int(std::lround(r.y * fbScale))};
    // Every program's uniforms for the view, then for each layer.
    for (std::size_t k = 0; k < programs_.size(); ++k) {
        const Uniforms& loc = uniforms_[k];
        glUseProgram(programs_[k].id());
        glUniform1i(loc[uniform::Labels], 0);
        glUniform1i(loc[uniform::Palette], 1);
        glUniformMatrix4fv(loc[uniform::FramebufferToTexture], 1, GL_FALSE, glm::value_ptr(toTexture));
        glUniform1f(loc[uniform::FramebufferHeight], float(fbSize.y));
        glUniform1f(loc[uniform::OutlineWidth], std::max(1.0f, std::round(fbScale)));
    }
    glBindVertexArray(vao_.id());
    for (const Uploaded& u : layers_) {
        if (u.fill <= 0.0f && !u.outline)
            continue;
        for (std::size_t k = 0; k < programs_.size(); ++k) {
            glUseProgram(programs_[k].id());
            glUniform1f(uniforms_[k][uniform::Fill], u.fill);
            glUniform1f(uniforms_[k][uniform::Outline], u.outline ? 1.0f : 0.0f);
        }
        for (std::size_t g = 0; g < u.groups.size(); ++g) {
            // A group whose segments are all hidden draws nothing: no pass over the view for it (a pass is
            // ~9 ms at 1024x768 on llvmpipe, and a layer of heavily overlapping segments has dozens of
            // groups).
            if (!u.shown[g].any)
                continue;
            // Only where the view's plane crosses the shown voxels (none: no pass at all).
            const glm::vec3 dims(u.layer->grid.dims);
            const std::optional<Rect> where = planeBoxRect(toTexture, glm::vec3(u.shown[g].lo) / dims,
                                                           (glm::vec3(u.shown[g].hi) + 1.0f) / dims);
            if (!where)
                continue;
            const int x0 = std::max(view.x, int(std::floor(where->x)) - 1);
            const int x1 = std::min(view.x + view.w, int(std::ceil(where->x + where->w)) + 1);
            const int y0 = std::max(view.y, int(std::floor(where->y)) - 1); // from the top
            const int y1 = std::min(view.y + view.h, int(std::ceil(where->y + where->h)) + 1);
            if (x1 <= x0 || y1 <= y0)
                continue;
            glScissor(x0, fbSize.y - y1, x1 - x0, y1 - y0);
            const auto kind = std::size_t(u.shown[g].kind);
            glUseProgram(programs_[kind].id());
            glUniform1ui(uniforms_[kind][uniform::Bits], u.shown[g].bits);
            glActiveTexture(GL_TEXTURE0);
            glBindTexture(GL_TEXTURE_3D, u.groups[g].id());
            glActiveTexture(GL_TEXTURE1);
            glBindTexture(GL_TEXTURE_2D, u.palettes[g].id());
            glDrawArrays(GL_TRIANGLES, 0, 3);
        }
    }
    glBindVertexArray(0);
    glActiveTexture(GL_TEXTURE0);
    endViewPass();
}

} // namespace ctview::gl
