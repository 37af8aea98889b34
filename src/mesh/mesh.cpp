#include "mesh/mesh.h"

#include <algorithm>
#include <numeric>

namespace ctview {

namespace {

// A directed edge a -> b as one sortable key, and the triangle corner it leaves from.
struct HalfEdge {
    std::uint64_t key;    // (a << 32) | b
    std::uint32_t corner; // 3 * triangle + corner index of a
};
std::uint64_t edgeKey(std::uint32_t a, std::uint32_t b) {
    return (std::uint64_t(a) << 32) | b;
}

std::size_t findParent(std::vector<std::uint32_t>& parent, std::uint32_t v) {
    while (parent[v] != v) {
        parent[v] = parent[parent[v]];
        v = parent[v];
    }
    return v;
}

} // namespace

MeshCheck checkMesh(const Mesh& m) {
    MeshCheck c;
    const std::size_t corners = m.indices.size();
    std::vector<HalfEdge> half(corners);
    for (std::size_t n = 0; n < corners; ++n) {
        const std::size_t t = n / 3, i = n % 3;
        half[n] = {edgeKey(m.indices[n], m.indices[3 * t + (i + 1) % 3]), std::uint32_t(n)};
    }
    for (std::size_t t = 0; t < m.triangleCount(); ++t) {
        const std::uint32_t a = m.indices[3 * t], b = m.indices[3 * t + 1], d = m.indices[3 * t + 2];
        if (a == b || b == d || a == d || m.positions[a] == m.positions[b] ||
            m.positions[b] == m.positions[d] || m.positions[a] == m.positions[d])
            ++c.degenerateTriangles;
    }
    std::sort(half.begin(), half.end(), [](const HalfEdge& x, const HalfEdge& y) { return x.key < y.key; });
    auto count = [&](std::uint64_t key) {
        const auto r = std::equal_range(half.begin(), half.end(), HalfEdge{key, 0},
                                        [](const HalfEdge& x, const HalfEdge& y) { return x.key < y.key; });
        return std::size_t(r.second - r.first);
    };
    // Each undirected edge once (from its smaller end, or from the larger when only that direction exists).
    std::size_t edges = 0;
    std::vector<std::uint32_t> parent(m.positions.size());
    std::iota(parent.begin(), parent.end(), 0u);
    for (std::size_t n = 0; n < half.size(); ++n) {
        if (n > 0 && half[n].key == half[n - 1].key)
            continue;
        const auto a = std::uint32_t(half[n].key >> 32), b = std::uint32_t(half[n].key);
        const std::size_t forward = count(half[n].key), backward = count(edgeKey(b, a));
        if (a > b && backward > 0)
            continue; // counted from b
        ++edges;
        parent[findParent(parent, a)] = std::uint32_t(findParent(parent, b));
        const std::size_t uses = forward + backward;
        if (uses == 1)
            ++c.boundaryEdges;
        else if (uses > 2)
            ++c.nonManifoldEdges;
        else if (forward != 1 || backward != 1)
            ++c.misorientedEdges;
    }
    // Fans around each vertex: from a corner's triangle across its outgoing edge a -> b to the triangle that
    // has b -> a, whose corner at a is the next in the fan. One cycle per vertex when it is manifold.
    std::vector<std::uint8_t> used(m.positions.size(), 0), fans(m.positions.size(), 0);
    std::vector<bool> seen(corners, false);
    for (std::size_t n = 0; n < corners; ++n) {
        used[m.indices[n]] = 1;
        if (seen[n])
            continue;
        const std::uint32_t v = m.indices[n];
        fans[v] = std::uint8_t(std::min(2, fans[v] + 1));
        for (std::size_t at = n; !seen[at];) {
            seen[at] = true;
            const std::size_t t = at / 3;
            // The edge into v in this triangle, b -> v, continues around v as v -> b in the next triangle.
            const std::uint32_t b = m.indices[3 * t + (at % 3 + 2) % 3];
            const auto r =
                std::equal_range(half.begin(), half.end(), HalfEdge{edgeKey(v, b), 0},
                                 [](const HalfEdge& x, const HalfEdge& y) { return x.key < y.key; });
            if (r.second - r.first != 1)
                break;
            at = r.first->corner;
        }
    }
    std::size_t vertices = 0;
    for (std::size_t v = 0; v < m.positions.size(); ++v)
        if (used[v]) {
            ++vertices;
            c.nonManifoldVertices += fans[v] > 1 ? 1 : 0;
            c.parts += findParent(parent, std::uint32_t(v)) == v ? 1 : 0;
        }
    c.euler = (long long)vertices - (long long)edges + (long long)m.triangleCount();
    return c;
}

double enclosedVolume(const Mesh& m) {
    // The divergence theorem: the sum of the signed tetrahedra from the origin to each triangle. Relative to
    // the first vertex, so that far-off patient coordinates do not cost precision.
    if (m.positions.empty())
        return 0;
    const glm::dvec3 o(m.positions[0]);
    double six = 0;
    for (std::size_t t = 0; t < m.triangleCount(); ++t) {
        const glm::dvec3 a = glm::dvec3(m.positions[m.indices[3 * t]]) - o,
                         b = glm::dvec3(m.positions[m.indices[3 * t + 1]]) - o,
                         c = glm::dvec3(m.positions[m.indices[3 * t + 2]]) - o;
        six += glm::dot(a, glm::cross(b, c));
    }
    return six / 6.0;
}

double surfaceArea(const Mesh& m) {
    double area = 0;
    for (std::size_t t = 0; t < m.triangleCount(); ++t) {
        const glm::dvec3 a(m.positions[m.indices[3 * t]]), b(m.positions[m.indices[3 * t + 1]]),
            c(m.positions[m.indices[3 * t + 2]]);
        area += 0.5 * glm::length(glm::cross(b - a, c - a));
    }
    return area;
}

std::vector<glm::vec3> vertexNormals(const Mesh& m) {
    std::vector<glm::vec3> n(m.positions.size(), glm::vec3(0));
    for (std::size_t t = 0; t < m.triangleCount(); ++t) {
        const std::uint32_t a = m.indices[3 * t], b = m.indices[3 * t + 1], c = m.indices[3 * t + 2];
        // The cross product's length is twice the area: the weight.
        const glm::vec3 face = glm::cross(m.positions[b] - m.positions[a], m.positions[c] - m.positions[a]);
        n[a] += face;
        n[b] += face;
        n[c] += face;
    }
    for (glm::vec3& v : n) {
        const float l = glm::length(v);
        v = l > 0 ? v / l : glm::vec3(0);
    }
    return n;
}

void voxelToPatient(Mesh& m, const Geometry& g, bool ras) {
    for (glm::vec3& p : m.positions) {
        glm::dvec3 lps = g.voxelToPatient(glm::dvec3(p));
        if (ras)
            lps = glm::dvec3(-lps.x, -lps.y, lps.z); // a turn of 180 degrees about z: winding unchanged
        p = glm::vec3(lps);
    }
    if (glm::determinant(g.direction) < 0)
        for (std::size_t t = 0; t < m.triangleCount(); ++t)
            std::swap(m.indices[3 * t + 1], m.indices[3 * t + 2]);
}

} // namespace ctview
