#include "mesh/contour.h"

#include "volume/parallel.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <limits>
#include <thread>

namespace ctview {

namespace {

// ---- The cube's cases -----------------------------------------------------------------------------------
// Corner c of a cube is at (c & 1, (c >> 1) & 1, (c >> 2) & 1) voxels from its first corner. Its 12 edges:
// 0..3 along i (at j, k offsets (e & 1, e >> 1)), 4..7 along j (at i, k offsets), 8..11 along k (at i, j
// offsets), numbered so that the grid's edge arrays below are indexed the same way.
constexpr std::array<std::array<int, 2>, 12> kEdgeCorners = {
    {{0, 1}, {2, 3}, {4, 5}, {6, 7}, {0, 2}, {1, 3}, {4, 6}, {5, 7}, {0, 4}, {1, 5}, {2, 6}, {3, 7}}};

int edgeBetween(int a, int b) {
    for (int e = 0; e < 12; ++e)
        if ((kEdgeCorners[std::size_t(e)][0] == a && kEdgeCorners[std::size_t(e)][1] == b) ||
            (kEdgeCorners[std::size_t(e)][0] == b && kEdgeCorners[std::size_t(e)][1] == a))
            return e;
    return -1;
}

// The six faces, each as its four corners counter-clockwise seen from outside the cube.
std::array<std::array<int, 4>, 6> cubeFaces() {
    std::array<std::array<int, 4>, 6> faces{};
    for (int axis = 0; axis < 3; ++axis) {
        // (u, v, axis) right-handed: counter-clockwise about +axis is (0,0), (1,0), (1,1), (0,1) in (u, v).
        const int u = (axis + 1) % 3, v = (axis + 2) % 3;
        for (int side = 0; side < 2; ++side) {
            std::array<int, 4> f{};
            const int uv[4][2] = {{0, 0}, {1, 0}, {1, 1}, {0, 1}};
            for (int n = 0; n < 4; ++n)
                f[std::size_t(n)] = (side << axis) | (uv[n][0] << u) | (uv[n][1] << v);
            if (side == 0) // the outward normal is -axis: the other way round
                std::swap(f[1], f[3]);
            faces[2 * std::size_t(axis) + std::size_t(side)] = f;
        }
    }
    return faces;
}

// Per case (bit c set: corner c in), its triangles as edge triples, wound outwards, and the loops filled
// around a vertex of their own at their middle.
struct CubeCase {
    std::uint8_t count = 0; // edges used, 3 per triangle
    std::array<std::uint8_t, 36> edges{};
    std::uint8_t loops = 0;                   // loops filled around their middle,
    std::array<std::uint8_t, 4> loopSize{};   //   their lengths,
    std::array<std::uint8_t, 12> loopEdges{}; //   and their edges, one loop after the other
};

// Whether edges a and b lie on one face of the cube.
bool shareFace(const std::array<std::array<int, 4>, 6>& faces, int a, int b) {
    for (const auto& f : faces) {
        bool hasA = false, hasB = false;
        for (int n = 0; n < 4; ++n) {
            const int e = edgeBetween(f[std::size_t(n)], f[std::size_t((n + 1) & 3)]);
            hasA = hasA || e == a;
            hasB = hasB || e == b;
        }
        if (hasA && hasB)
            return true;
    }
    return false;
}

// Fills a loop (counter-clockwise from outside) as a fan from one of its points whose diagonals all cross the
// cube's inside. A diagonal between two points of one face would lie in that face, where the neighbouring
// cube may draw it too (an edge of four triangles); a loop with no such point is filled around its middle.
void fillLoop(const std::array<std::array<int, 4>, 6>& faces, const std::array<int, 12>& loop, int length,
              CubeCase& out) {
    for (int start = 0; start < length; ++start) {
        auto at = [&](int n) { return loop[std::size_t((start + n) % length)]; };
        bool inside = true;
        for (int n = 2; n + 1 < length && inside; ++n)
            inside = !shareFace(faces, at(0), at(n));
        if (!inside)
            continue;
        for (int n = 1; n + 1 < length; ++n) {
            out.edges[out.count++] = std::uint8_t(at(0));
            out.edges[out.count++] = std::uint8_t(at(n));
            out.edges[out.count++] = std::uint8_t(at(n + 1));
        }
        return;
    }
    std::size_t first = 0;
    for (int n = 0; n < out.loops; ++n)
        first += out.loopSize[std::size_t(n)];
    out.loopSize[out.loops++] = std::uint8_t(length);
    for (int n = 0; n < length; ++n)
        out.loopEdges[first + std::size_t(n)] = std::uint8_t(loop[std::size_t(n)]);
}

std::array<CubeCase, 256> makeCases() {
    const auto faces = cubeFaces();
    std::array<CubeCase, 256> cases{};
    for (int cfg = 1; cfg < 255; ++cfg) {
        auto in = [cfg](int corner) { return (cfg >> corner & 1) != 0; };
        // On each face, the surface's boundary runs from where it enters the face's in part (an edge from an
        // out corner to an in corner, going counter-clockwise) to where it leaves it. That way round, the
        // loops below are counter-clockwise seen from the out side.
        std::array<int, 12> next;
        next.fill(-1);
        for (const auto& f : faces) {
            auto edge = [&](int n) {
                return edgeBetween(f[std::size_t(n & 3)], f[std::size_t((n + 1) & 3)]);
            };
            const int inCount = int(in(f[0])) + int(in(f[1])) + int(in(f[2])) + int(in(f[3]));
            const bool diagonal = inCount == 2 && in(f[0]) == in(f[2]);
            for (int n = 0; n < 4; ++n) {
                if (in(f[std::size_t(n)]) || !in(f[std::size_t((n + 1) & 3)]))
                    continue; // edge n enters the in part at corner n + 1
                // Where the in part that begins at corner n + 1 ends: at the next out corner; on a face whose
                // diagonal corners are in, each in corner alone.
                int m = n + 1;
                if (!diagonal)
                    while (in(f[std::size_t((m + 1) & 3)]))
                        ++m;
                next[std::size_t(edge(n))] = edge(m);
            }
        }
        CubeCase& out = cases[std::size_t(cfg)];
        std::array<bool, 12> done{};
        for (int start = 0; start < 12; ++start) {
            if (next[std::size_t(start)] < 0 || done[std::size_t(start)])
                continue;
            std::array<int, 12> loop{};
            int length = 0;
            for (int e = start; !done[std::size_t(e)]; e = next[std::size_t(e)]) {
                done[std::size_t(e)] = true;
                loop[std::size_t(length++)] = e;
            }
            fillLoop(faces, loop, length, out);
        }
    }
    return cases;
}

const std::array<CubeCase, 256>& cubeCases() {
    static const std::array<CubeCase, 256> cases = makeCases();
    return cases;
}

// ---- The grid -------------------------------------------------------------------------------------------
// The field is padded by one voxel of "out" on every side (padded index = voxel index + 1), so that the
// surface closes at the border like anywhere else.
constexpr float kOut = -std::numeric_limits<float>::infinity();
constexpr std::uint32_t kMiddle = 1u << 31;

// Where the surface crosses the edge from a (field fa) to b (fb), as a fraction of the way: the field's zero,
// kept a thousandth of a voxel off either end so that no two vertices of a triangle meet (a slicer joins an
// STL's triangles by position); half way to a padding voxel (the volume's edge).
float crossing(float fa, float fb) {
    if (fa == kOut || fb == kOut)
        return 0.5f;
    return std::clamp(fa / (fa - fb), 1e-3f, 1.f - 1e-3f);
}

// One part of the slices, contoured by one thread: its vertices and triangles numbered locally. Its first
// plane's vertices come first, and its last plane's are a block starting at `lastPlaneStart`: the part above
// has the same plane's vertices as its first block, in the same order, and the merge joins them.
struct Part {
    std::vector<glm::vec3> positions;
    std::vector<glm::vec3> middles; // loops' middle vertices, numbered kMiddle + n: placed after all others
    std::vector<std::uint32_t> indices;
    std::uint32_t firstPlaneCount = 0;
    std::uint32_t lastPlaneStart = 0;
};

// One padded plane: which voxels are in, and per row the span of its in voxels (Flying Edges' trim: outside
// it the row is out, since the padding at both ends is; first > last when the row has none).
struct Plane {
    int pz = 0; // its padded k
    std::vector<std::uint8_t> in;
    std::vector<int> first, last;
};

// The columns [from, to] where one of two rows has in voxels (from > to: none), widened by one column to the
// left: the edges and cubes that start there may reach an in voxel.
struct Span {
    int from, to;
};
Span spanOf(const Plane& a, int ya, const Plane& b, int yb) {
    const Span s{std::min(a.first[std::size_t(ya)], b.first[std::size_t(yb)]),
                 std::max(a.last[std::size_t(ya)], b.last[std::size_t(yb)])};
    return s.from > s.to ? s : Span{s.from - 1, s.to};
}

// A thread's planes and vertex ids, reused for every part it contours: made per part, they were most of the
// memory the surface touched (five plane-sized arrays of ids for each of 8 parts per core), and fresh memory
// costs its first touch. Their padding stays out: loadPlane writes the inner rows' inner columns only.
struct Scratch {
    Plane a, b;
    std::vector<std::uint32_t> xA, yA, xB, yB, zE; // the id of the vertex on the edge from each voxel
};

class Contourer {
  public:
    explicit Contourer(const ScalarField& field)
        : field_(field), px_(field.dims.x + 2), py_(field.dims.y + 2) {}

    Scratch scratch() const {
        const std::size_t plane = std::size_t(px_) * std::size_t(py_);
        return {emptyPlane(),
                emptyPlane(),
                std::vector<std::uint32_t>(plane),
                std::vector<std::uint32_t>(plane),
                std::vector<std::uint32_t>(plane),
                std::vector<std::uint32_t>(plane),
                std::vector<std::uint32_t>(plane)};
    }

    // Contours the layers of cubes between padded planes [first, last].
    void run(int first, int last, Scratch& s, Part& part) {
        Plane &a = s.a, &b = s.b;
        std::vector<std::uint32_t>&xA = s.xA, &yA = s.yA, &xB = s.xB, &yB = s.yB, &zE = s.zE;
        loadPlane(first, a);
        planeVertices(first, a, xA, yA, part);
        part.firstPlaneCount = std::uint32_t(part.positions.size());
        for (int z = first; z < last; ++z) {
            loadPlane(z + 1, b);
            // The vertices between the planes, then the top plane's as one block: the part's last block, when
            // this is its last layer.
            stackVertices(z, a, b, zE, part);
            part.lastPlaneStart = std::uint32_t(part.positions.size());
            planeVertices(z + 1, b, xB, yB, part);
            cubes(a, b, xA, yA, xB, yB, zE, part);
            std::swap(a, b);
            std::swap(xA, xB);
            std::swap(yA, yB);
        }
        if (first == last)
            part.lastPlaneStart = 0;
    }

  private:
    Plane emptyPlane() const {
        const std::size_t plane = std::size_t(px_) * std::size_t(py_);
        return {0, std::vector<std::uint8_t>(plane, 0), std::vector<int>(std::size_t(py_), px_),
                std::vector<int>(std::size_t(py_), -1)};
    }

    void loadPlane(int pz, Plane& p) const {
        p.pz = pz;
        const bool inside = pz >= 1 && pz <= field_.dims.z;
        for (int y = 1; y + 1 < py_; ++y) {
            std::uint8_t* in = p.in.data() + std::size_t(y) * std::size_t(px_);
            int& first = p.first[std::size_t(y)];
            int& last = p.last[std::size_t(y)];
            first = px_;
            last = -1;
            if (!inside) {
                std::fill_n(in, px_, 0);
                continue;
            }
            field_.inside(y - 1, pz - 1, in + 1); // the padding columns stay out
            // The row's first and last in voxel (glibc's memchr and memrchr scan a vector register at a
            // time).
            const void* found = std::memchr(in + 1, 1, std::size_t(px_ - 2));
            if (!found)
                continue;
            first = int(static_cast<const std::uint8_t*>(found) - in);
            last = int(static_cast<const std::uint8_t*>(::memrchr(in + 1, 1, std::size_t(px_ - 2))) - in);
        }
    }

    // The field at padded voxel (x, y, z): the padding is out.
    float valueAt(int x, int y, int z) const {
        if (x < 1 || y < 1 || z < 1 || x > field_.dims.x || y > field_.dims.y || z > field_.dims.z)
            return kOut;
        return field_.value((std::size_t(z - 1) * std::size_t(field_.dims.y) + std::size_t(y - 1)) *
                                std::size_t(field_.dims.x) +
                            std::size_t(x - 1));
    }
    // Where the surface crosses the edge from padded voxel a to the next along `axis`.
    float crossingAt(glm::ivec3 a, int axis) const {
        glm::ivec3 b = a;
        ++b[axis];
        return crossing(valueAt(a.x, a.y, a.z), valueAt(b.x, b.y, b.z));
    }

    // The vertices on the plane's edges along i and j.
    void planeVertices(int pz, const Plane& p, std::vector<std::uint32_t>& xId,
                       std::vector<std::uint32_t>& yId, Part& part) const {
        const std::size_t w = std::size_t(px_);
        for (int y = 1; y + 1 < py_; ++y) {
            const Span s = spanOf(p, y, p, y);
            const std::size_t row = std::size_t(y) * w;
            for (int x = s.from; x <= s.to; ++x) {
                const std::size_t n = row + std::size_t(x);
                if (p.in[n] != p.in[n + 1]) {
                    xId[n] = std::uint32_t(part.positions.size());
                    part.positions.emplace_back(float(x - 1) + crossingAt({x, y, pz}, 0), float(y - 1),
                                                float(pz - 1));
                }
            }
        }
        for (int y = 0; y + 1 < py_; ++y) {
            const Span s = spanOf(p, y, p, y + 1);
            const std::size_t row = std::size_t(y) * w;
            for (int x = s.from + 1; x <= s.to; ++x) {
                const std::size_t n = row + std::size_t(x);
                if (p.in[n] != p.in[n + w]) {
                    yId[n] = std::uint32_t(part.positions.size());
                    part.positions.emplace_back(float(x - 1), float(y - 1) + crossingAt({x, y, pz}, 1),
                                                float(pz - 1));
                }
            }
        }
    }

    // The vertices on the edges along k between planes z and z + 1.
    void stackVertices(int z, const Plane& a, const Plane& b, std::vector<std::uint32_t>& zId,
                       Part& part) const {
        for (int y = 1; y + 1 < py_; ++y) {
            const Span s = spanOf(a, y, b, y);
            for (int x = s.from + 1; x <= s.to; ++x) {
                const std::size_t n = std::size_t(y) * std::size_t(px_) + std::size_t(x);
                if (a.in[n] != b.in[n]) {
                    zId[n] = std::uint32_t(part.positions.size());
                    part.positions.emplace_back(float(x - 1), float(y - 1),
                                                float(z - 1) + crossingAt({x, y, z}, 2));
                }
            }
        }
    }

    void cubes(const Plane& a, const Plane& b, const std::vector<std::uint32_t>& xA,
               const std::vector<std::uint32_t>& yA, const std::vector<std::uint32_t>& xB,
               const std::vector<std::uint32_t>& yB, const std::vector<std::uint32_t>& zE, Part& part) const {
        const auto& cases = cubeCases();
        const std::size_t w = std::size_t(px_);
        const std::uint8_t* inA = a.in.data();
        const std::uint8_t* inB = b.in.data();
        for (int y = 0; y + 1 < py_; ++y) {
            const Span s0 = spanOf(a, y, b, y), s1 = spanOf(a, y + 1, b, y + 1);
            const Span s{std::min(s0.from, s1.from), std::max(s0.to, s1.to)};
            const std::size_t r0 = std::size_t(y) * w, r1 = r0 + w;
            for (int x = s.from; x <= s.to; ++x) {
                const std::size_t i = r0 + std::size_t(x), j = r1 + std::size_t(x);
                const unsigned cfg = unsigned(inA[i]) | unsigned(inA[i + 1]) << 1 | unsigned(inA[j]) << 2 |
                                     unsigned(inA[j + 1]) << 3 | unsigned(inB[i]) << 4 |
                                     unsigned(inB[i + 1]) << 5 | unsigned(inB[j]) << 6 |
                                     unsigned(inB[j + 1]) << 7;
                if (cfg == 0 || cfg == 255)
                    continue;
                const std::uint32_t ids[12] = {xA[i], xA[j],     xB[i], xB[j],     yA[i], yA[i + 1],
                                               yB[i], yB[i + 1], zE[i], zE[i + 1], zE[j], zE[j + 1]};
                const CubeCase& c = cases[cfg];
                for (int n = 0; n < c.count; ++n)
                    part.indices.push_back(ids[c.edges[std::size_t(n)]]);
                for (std::size_t l = 0, first = 0; l < c.loops; first += c.loopSize[l++])
                    fillAroundMiddle(&c.loopEdges[first], c.loopSize[l], ids, part);
            }
        }
    }

    // A loop as a fan around a new vertex at the mean of its points.
    static void fillAroundMiddle(const std::uint8_t* edges, int length, const std::uint32_t* ids,
                                 Part& part) {
        glm::vec3 sum(0);
        for (int n = 0; n < length; ++n)
            sum += part.positions[ids[edges[n]]];
        const std::uint32_t middle = kMiddle | std::uint32_t(part.middles.size());
        part.middles.push_back(sum / float(length));
        for (int n = 0; n < length; ++n) {
            part.indices.push_back(middle);
            part.indices.push_back(ids[edges[n]]);
            part.indices.push_back(ids[edges[(n + 1) % length]]);
        }
    }

    const ScalarField& field_;
    int px_, py_;
};

} // namespace

Mesh contourSurface(const ScalarField& field) {
    Mesh mesh;
    if (glm::any(glm::lessThanEqual(field.dims, glm::ivec3(0))))
        return mesh;
    Contourer contourer(field);
    const int layers = field.dims.z + 1; // cubes between padded planes 0 .. dims.z + 1
    // More parts than cores, taken in turn, so that a core whose slices hold more of the surface does not
    // leave the others waiting.
    const int cores = threadCount();
    const int count = std::clamp(8 * cores, 1, layers);
    std::vector<Part> parts(static_cast<std::size_t>(count));
    std::atomic<int> nextPart{0};
    parallelFor(cores, [&](int, int) {
        Scratch scratch = contourer.scratch();
        for (int t = nextPart++; t < count; t = nextPart++)
            contourer.run(layers * t / count, layers * (t + 1) / count, scratch, parts[std::size_t(t)]);
    });
    // Join the parts: each part's first block is the part below's last block, already numbered there.
    std::vector<std::uint32_t> base(parts.size()), skip(parts.size());
    std::size_t vertices = 0, indices = 0;
    for (std::size_t t = 0; t < parts.size(); ++t) {
        skip[t] = t == 0 ? 0 : parts[t].firstPlaneCount;
        base[t] = std::uint32_t(vertices);
        vertices += parts[t].positions.size() - skip[t];
        indices += parts[t].indices.size();
    }
    std::vector<std::uint32_t> middleBase(parts.size());
    for (std::size_t t = 0; t < parts.size(); ++t) {
        middleBase[t] = std::uint32_t(vertices);
        vertices += parts[t].middles.size();
    }
    mesh.positions.resize(vertices);
    mesh.indices.resize(indices);
    std::vector<std::size_t> indexAt(parts.size(), 0);
    for (std::size_t t = 1; t < parts.size(); ++t)
        indexAt[t] = indexAt[t - 1] + parts[t - 1].indices.size();
    parallelFor(int(parts.size()), [&](int a, int b) {
        for (int t = a; t < b; ++t) {
            const Part& p = parts[std::size_t(t)];
            const std::uint32_t s = skip[std::size_t(t)], at = base[std::size_t(t)];
            // The shared block's ids in the part below.
            const std::uint32_t below = t == 0 ? 0
                                               : base[std::size_t(t) - 1] +
                                                     parts[std::size_t(t) - 1].lastPlaneStart -
                                                     skip[std::size_t(t) - 1];
            const std::uint32_t middles = middleBase[std::size_t(t)];
            std::copy(p.positions.begin() + s, p.positions.end(), mesh.positions.begin() + at);
            std::copy(p.middles.begin(), p.middles.end(), mesh.positions.begin() + middles);
            std::uint32_t* out = mesh.indices.data() + indexAt[std::size_t(t)];
            for (std::size_t n = 0; n < p.indices.size(); ++n) {
                const std::uint32_t id = p.indices[n];
                out[n] = id & kMiddle ? middles + (id & ~kMiddle) : id < s ? below + id : at + id - s;
            }
        }
    });
    return mesh;
}

ScalarField huRangeField(const Volume& ct, float lo, float hi, std::span<const std::uint8_t> keep) {
    ScalarField f;
    f.dims = ct.geometry().dims;
    // min(hu - lo, hi - hu): the distance into the range, in HU; linear between two voxels on the same side
    // of the range, so that the crossing is the threshold's.
    auto margin = [&ct, lo, hi](std::size_t n) {
        const float hu = ct.type() == ScalarType::Int16 ? float(ct.int16Data()[n]) : ct.float32Data()[n];
        return std::min(hu - lo, hi - hu);
    };
    f.inside = [&ct, lo, hi, keep](int j, int k, std::uint8_t* in) {
        const int n = ct.geometry().dims.x;
        const std::size_t first = ct.index(0, j, k);
        if (ct.type() == ScalarType::Int16) {
            // In integers, so that the loop is a few vector instructions per 16 voxels.
            const int from = int(std::clamp(std::ceil(lo), -40000.f, 40000.f));
            const int to = int(std::clamp(std::floor(hi), -40000.f, 40000.f));
            const std::int16_t* hu = ct.int16Data() + first;
            for (int i = 0; i < n; ++i)
                in[i] = std::uint8_t(int(hu[i] >= from) & int(hu[i] <= to));
        } else {
            const float* hu = ct.float32Data() + first;
            for (int i = 0; i < n; ++i)
                in[i] = std::uint8_t(int(hu[i] >= lo) & int(hu[i] <= hi));
        }
        if (!keep.empty())
            for (int i = 0; i < n; ++i)
                in[i] &= keep[first + std::size_t(i)];
    };
    f.value = [margin, keep](std::size_t n) {
        const float m = margin(n);
        return keep.empty() || keep[n] || m < 0 ? m : -std::max(m, 1e-3f);
    };
    return f;
}

ScalarField maskField(std::span<const std::uint8_t> mask, glm::ivec3 dims) {
    ScalarField f;
    f.dims = dims;
    f.inside = [mask, dims](int j, int k, std::uint8_t* in) {
        const std::size_t first =
            (std::size_t(k) * std::size_t(dims.y) + std::size_t(j)) * std::size_t(dims.x);
        for (int i = 0; i < dims.x; ++i)
            in[i] = mask[first + std::size_t(i)] ? 1 : 0;
    };
    f.value = [mask](std::size_t n) { return mask[n] ? 1.f : -1.f; };
    return f;
}

} // namespace ctview
