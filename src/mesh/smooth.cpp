#include "mesh/smooth.h"

#include "volume/parallel.h"

#include <meshoptimizer.h>

#include <algorithm>

namespace ctview {

namespace {

// Each vertex's neighbours (compressed rows): the ends of the edges that leave it. In a closed, consistently
// wound mesh each neighbour is the end of exactly one such edge, so no duplicates need removing.
struct Neighbours {
    std::vector<std::uint32_t> first; // vertex v's are at [first[v], first[v + 1])
    std::vector<std::uint32_t> list;
};
Neighbours neighboursOf(const Mesh& m) {
    Neighbours n;
    n.first.assign(m.positions.size() + 1, 0);
    for (std::size_t c = 0; c < m.indices.size(); ++c)
        ++n.first[m.indices[c] + 1];
    for (std::size_t v = 0; v < m.positions.size(); ++v)
        n.first[v + 1] += n.first[v];
    n.list.resize(m.indices.size());
    std::vector<std::uint32_t> fill(n.first.begin(), n.first.end() - 1);
    for (std::size_t t = 0; t < m.triangleCount(); ++t)
        for (int c = 0; c < 3; ++c)
            n.list[fill[m.indices[3 * t + std::size_t(c)]]++] = m.indices[3 * t + std::size_t((c + 1) % 3)];
    return n;
}

// out = p + factor * (mean of neighbours - p), for every vertex.
void relax(const Neighbours& n, const std::vector<glm::vec3>& p, std::vector<glm::vec3>& out, float factor) {
    parallelFor(int(p.size() + 4095) / 4096, [&](int a, int b) {
        const std::size_t last = std::min(p.size(), std::size_t(b) * 4096);
        for (std::size_t v = std::size_t(a) * 4096; v < last; ++v) {
            const std::uint32_t from = n.first[v], to = n.first[v + 1];
            if (from == to) {
                out[v] = p[v];
                continue;
            }
            glm::vec3 sum(0);
            for (std::uint32_t k = from; k < to; ++k)
                sum += p[n.list[k]];
            out[v] = p[v] + factor * (sum / float(to - from) - p[v]);
        }
    });
}

} // namespace

void smoothTaubin(Mesh& m, int iterations) {
    if (iterations <= 0 || m.positions.empty())
        return;
    constexpr float kLambda = 0.5f, kMu = -0.53f;
    const Neighbours n = neighboursOf(m);
    std::vector<glm::vec3> other(m.positions.size());
    for (int i = 0; i < iterations; ++i) {
        relax(n, m.positions, other, kLambda);
        relax(n, other, m.positions, kMu);
    }
}

float decimate(Mesh& m, double fraction) {
    if (fraction >= 1 || m.indices.empty())
        return 0;
    const std::size_t target =
        std::max<std::size_t>(3, std::size_t(double(m.triangleCount()) * fraction) * 3);
    std::vector<std::uint32_t> out(m.indices.size());
    float error = 0;
    // No error bound (1 = the mesh's size): the fraction asked for decides.
    out.resize(meshopt_simplify(out.data(), m.indices.data(), m.indices.size(), &m.positions[0].x,
                                m.positions.size(), sizeof(glm::vec3), target, 1.f, 0, &error));
    // Keep only the vertices still used, in their first use's order.
    std::vector<std::uint32_t> remap(m.positions.size(), ~0u);
    std::vector<glm::vec3> kept;
    for (std::uint32_t& id : out) {
        if (remap[id] == ~0u) {
            remap[id] = std::uint32_t(kept.size());
            kept.push_back(m.positions[id]);
        }
        id = remap[id];
    }
    m.positions = std::move(kept);
    m.indices = std::move(out);
    return error;
}

} // namespace ctview
