#include "render/label_renderer.h"

#include <glm/gtc/type_ptr.hpp>

#include "volume/parallel.h"

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
    EdgeAxisX,
    EdgeAxisY,
    EdgeBits,
    count
};
}
const std::vector<const char*> uniformNames = {"uLabels",
                                               "uPalette",
                                               "uFramebufferToTexture",
                                               "uFramebufferHeight",
                                               "uFill",
                                               "uOutline",
                                               "uOutlineWidth",
                                               "uBits",
                                               "uEdgeAxisX",
                                               "uEdgeAxisY",
                                               "uEdgeBits"};

// Value groups' texels valueTexels() makes, at most about this many bytes at a time (a slab of slices).
constexpr std::size_t kSlabBytes = 8u << 20;

// GL_UNPACK_ALIGNMENT 1 (rows of bytes) while it lives, back to GL's default 4 after, exception or not.
struct ByteRows {
    ByteRows() { glPixelStorei(GL_UNPACK_ALIGNMENT, 1); }
    ~ByteRows() { glPixelStorei(GL_UNPACK_ALIGNMENT, 4); }
    ByteRows(const ByteRows&) = delete;
    ByteRows& operator=(const ByteRows&) = delete;
};

// Brings the RG8UI texture bound to GL_TEXTURE_3D up to date within the box [lo, hi] of a value group.
// False when GL refused it (a driver that allocates as it is filled says so here).
bool uploadValueTexels(const Geometry& g, const std::vector<std::uint8_t>& voxels, glm::ivec3 lo,
                       glm::ivec3 hi) {
    const ByteRows rows;
    const std::size_t slice = 2 * std::size_t(hi.x - lo.x + 1) * std::size_t(hi.y - lo.y + 1);
    const int slab = int(std::max<std::size_t>(1, kSlabBytes / slice));
    for (int z0 = lo.z; z0 <= hi.z; z0 += slab) {
        const glm::ivec3 slabLo(lo.x, lo.y, z0), slabHi(hi.x, hi.y, std::min(hi.z, z0 + slab - 1));
        const std::vector<std::uint8_t> texels = valueTexels(g, voxels, slabLo, slabHi);
        const glm::ivec3 size = slabHi - slabLo + 1;
        glTexSubImage3D(GL_TEXTURE_3D, 0, slabLo.x, slabLo.y, slabLo.z, size.x, size.y, size.z, GL_RG_INTEGER,
                        GL_UNSIGNED_BYTE, texels.data());
        if (glGetError() != GL_NO_ERROR)
            return false;
    }
    return true;
}

// One group's voxels as a 3D texture: RG8UI for a value group (valueTexels), else R8UI. Throws GlError when
// the GPU has no memory for it.
Texture uploadGroup(const Geometry& g, const std::vector<std::uint8_t>& voxels, GroupKind kind) {
    while (glGetError() != GL_NO_ERROR) {
    }
    Texture t = Texture::create();
    glBindTexture(GL_TEXTURE_3D, t.id());
    // Integer textures are only complete with nearest filtering (the shader uses texelFetch anyway).
    glTexParameteri(GL_TEXTURE_3D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_3D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    if (kind == GroupKind::Value) {
        glTexImage3D(GL_TEXTURE_3D, 0, GL_RG8UI, g.dims.x, g.dims.y, g.dims.z, 0, GL_RG_INTEGER,
                     GL_UNSIGNED_BYTE, nullptr);
    } else {
        const ByteRows rows;
        glTexImage3D(GL_TEXTURE_3D, 0, GL_R8UI, g.dims.x, g.dims.y, g.dims.z, 0, GL_RED_INTEGER,
                     GL_UNSIGNED_BYTE, voxels.data());
    }
    if (GLenum err = glGetError(); err != GL_NO_ERROR)
        throw GlError(err == GL_OUT_OF_MEMORY ? "not enough GPU memory" : "GL error " + std::to_string(err));
    if (kind == GroupKind::Value && !uploadValueTexels(g, voxels, glm::ivec3(0), g.dims - 1))
        throw GlError("not enough GPU memory");
    return t;
}

// Brings group texture `t` up to date with `voxels` within the box [lo, hi] (voxels, inclusive) alone: an
// edit's change, not the layer. False when GL refused it.
bool uploadBox(const Texture& t, const Geometry& g, const std::vector<std::uint8_t>& voxels, GroupKind kind,
               glm::ivec3 lo, glm::ivec3 hi) {
    while (glGetError() != GL_NO_ERROR) {
    }
    glBindTexture(GL_TEXTURE_3D, t.id());
    if (kind == GroupKind::Value) // the neighbours' bits change too
        return uploadValueTexels(g, voxels, glm::max(lo - 1, glm::ivec3(0)), glm::min(hi + 1, g.dims - 1));
    const ByteRows rows;
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

std::vector<std::uint8_t> valueTexels(const Geometry& g, const std::vector<std::uint8_t>& voxels,
                                      glm::ivec3 lo, glm::ivec3 hi) {
    const glm::ivec3 size = hi - lo + 1;
    std::vector<std::uint8_t> texels(2 * std::size_t(size.x) * std::size_t(size.y) * std::size_t(size.z));
    const std::size_t nx = std::size_t(g.dims.x), nxy = nx * std::size_t(g.dims.y);
    const std::vector<std::uint8_t> zeros(nx, 0); // the row beyond the grid's edge
    parallelFor(size.z, [&](int first, int last) {
        for (int k = first; k < last; ++k)
            for (int y = lo.y; y <= hi.y; ++y) {
                const int z = lo.z + k;
                // This row and the four beside it (y -1, +1, z -1, +1), each indexed by x.
                const std::uint8_t* row = voxels.data() + std::size_t(z) * nxy + std::size_t(y) * nx;
                const std::uint8_t* below = y > 0 ? row - nx : zeros.data();
                const std::uint8_t* above = y + 1 < g.dims.y ? row + nx : zeros.data();
                const std::uint8_t* before = z > 0 ? row - nxy : zeros.data();
                const std::uint8_t* after = z + 1 < g.dims.z ? row + nxy : zeros.data();
                std::uint8_t* out =
                    &texels[2 * ((std::size_t(k) * std::size_t(size.y) + std::size_t(y - lo.y)) *
                                 std::size_t(size.x))];
                for (int x = lo.x; x <= hi.x; ++x, out += 2) {
                    const std::uint8_t v = row[x];
                    const std::uint8_t left = x > 0 ? row[x - 1] : 0,
                                       right = x + 1 < g.dims.x ? row[x + 1] : 0;
                    out[0] = v;
                    out[1] = v == 0
                                 ? 0
                                 : std::uint8_t(unsigned(left != v) | unsigned(right != v) << 1 |
                                                unsigned(below[x] != v) << 2 | unsigned(above[x] != v) << 3 |
                                                unsigned(before[x] != v) << 4 | unsigned(after[x] != v) << 5);
                }
            }
    });
    return texels;
}

std::optional<EdgeAxes> edgeAxes(const glm::mat4& toTexture, glm::ivec3 dims, float outlineWidth) {
    // A line's width along framebuffer x and y, in voxels along each texture axis.
    const std::array<glm::vec3, 2> along = {
        glm::abs(glm::vec3(toTexture[0]) * glm::vec3(dims)) * outlineWidth,
        glm::abs(glm::vec3(toTexture[1]) * glm::vec3(dims)) * outlineWidth};
    std::array<int, 2> axes{};
    for (std::size_t k = 0; k < 2; ++k) {
        const glm::vec3& a = along[k];
        const int axis = a.x >= a.y && a.x >= a.z ? 0 : (a.y >= a.z ? 1 : 2);
        if (a[axis] <= 0.0f || a[axis] > 1.0f)
            return std::nullopt; // zoomed out past a voxel a line (or degenerate)
        for (int other = 0; other < 3; ++other)
            if (other != axis && a[other] > 1e-4f * a[axis])
                return std::nullopt; // turned: a line's width crosses into voxels along two axes
        axes[k] = axis;
    }
    if (axes[0] == axes[1])
        return std::nullopt;
    EdgeAxes e;
    e.axisX[axes[0]] = 1.0f;
    e.axisY[axes[1]] = 1.0f;
    e.step = {along[0][axes[0]], along[1][axes[1]]};
    e.bits = {2u << (2 * axes[0]), 1u << (2 * axes[0]), 2u << (2 * axes[1]), 1u << (2 * axes[1])};
    return e;
}

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
        const std::array<std::string, 4> defines = {"", "#define BITS\n", "#define FRACTION\n",
                                                    "#define EDGES\n"};
        std::array<Program, 4> programs;
        std::array<Uniforms, 4> uniforms;
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
        if (from != layers_.end() && (lineage.hi.x < lineage.lo.x ||
                                      uploadBox(from->groups[std::size_t(lineage.group)], layer->grid,
                                                layer->groups[std::size_t(lineage.group)],
                                                layer->groupKind(lineage.group), lineage.lo, lineage.hi))) {
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
            for (std::size_t g = 0; g < layer->groups.size(); ++g) {
                u.groups.push_back(uploadGroup(layer->grid, layer->groups[g], layer->groupKind(int(g))));
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
        shown.kind = u.layer->groupKind(int(g));
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
            if (s >= u.layer->stats.size() || shown.kind == GroupKind::Fraction) {
                shown.lo = glm::ivec3(0);
                shown.hi = u.layer->grid.dims - 1;
            } else if (const SegmentStats& st = u.layer->stats[s]; st.voxels > 0) {
                const bool first = shown.hi.x < shown.lo.x;
                shown.lo = first ? st.voxelMin : glm::min(shown.lo, st.voxelMin);
                shown.hi = first ? st.voxelMax : glm::max(shown.hi, st.voxelMax);
            }
            if (shown.kind == GroupKind::Bits) {
                shown.bits |= segments[s].value;
                shown.bits3d |= in3d ? segments[s].value : 0u;
            } else if (shown.kind == GroupKind::Fraction) {
                // In 3D a fraction group is a bit group of one bit, 128: the voxels in the segment.
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
    const PixelRect view = viewPixels(r, fbScale); // from the top, as toTexture takes pixels
    // Every program's uniforms for the view, then for each layer.
    const float outlineWidth = std::max(1.0f, std::round(fbScale));
    for (std::size_t k = 0; k < programs_.size(); ++k) {
        const Uniforms& loc = uniforms_[k];
        glUseProgram(programs_[k].id());
        glUniform1i(loc[uniform::Labels], 0);
        glUniform1i(loc[uniform::Palette], 1);
        glUniformMatrix4fv(loc[uniform::FramebufferToTexture], 1, GL_FALSE, glm::value_ptr(toTexture));
        glUniform1f(loc[uniform::FramebufferHeight], float(fbSize.y));
        glUniform1f(loc[uniform::OutlineWidth], outlineWidth);
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
        const std::optional<EdgeAxes> edges = edgeAxes(toTexture, u.layer->grid.dims, outlineWidth);
        if (edges) {
            const Uniforms& loc = uniforms_[kEdges];
            glUseProgram(programs_[kEdges].id());
            glUniform3fv(loc[uniform::EdgeAxisX], 1, glm::value_ptr(edges->axisX));
            glUniform3fv(loc[uniform::EdgeAxisY], 1, glm::value_ptr(edges->axisY));
            glUniform4uiv(loc[uniform::EdgeBits], 1, glm::value_ptr(edges->bits));
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
            const int x0 = std::max(view.x0, int(std::floor(where->x)) - 1);
            const int x1 = std::min(view.x1, int(std::ceil(where->x + where->w)) + 1);
            const int y0 = std::max(view.y0, int(std::floor(where->y)) - 1); // from the top
            const int y1 = std::min(view.y1, int(std::ceil(where->y + where->h)) + 1);
            if (x1 <= x0 || y1 <= y0)
                continue;
            glScissor(x0, fbSize.y - y1, x1 - x0, y1 - y0);
            const std::size_t program =
                u.shown[g].kind == GroupKind::Value && edges ? kEdges : std::size_t(u.shown[g].kind);
            glUseProgram(programs_[program].id());
            glUniform1ui(uniforms_[program][uniform::Bits], u.shown[g].bits);
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
