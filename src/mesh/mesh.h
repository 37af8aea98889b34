#pragma once
// A triangle mesh as the surface tools make and write it: shared vertices, three indices per triangle, each
// triangle wound counter-clockwise seen from outside (its right-hand normal points out of the object).
#include "volume/volume.h"

#include <glm/glm.hpp>

#include <cstdint>
#include <vector>

namespace ctview {

struct Mesh {
    std::vector<glm::vec3> positions;
    std::vector<std::uint32_t> indices; // 3 per triangle
    std::size_t triangleCount() const { return indices.size() / 3; }
};

// What a printer's slicer checks: every edge is shared by exactly two triangles that run along it in opposite
// directions (closed, manifold at edges and consistently oriented), and every vertex's triangles form one fan
// (manifold at vertices). Counts of the faults, and the Euler characteristic V - E + F (2 for each closed
// part shaped as a sphere, 0 for a torus).
struct MeshCheck {
    std::size_t boundaryEdges = 0;    // used by one triangle: a hole
    std::size_t nonManifoldEdges = 0; // used by more than two
    std::size_t misorientedEdges = 0; // two triangles running along it the same way
    std::size_t nonManifoldVertices = 0;
    std::size_t degenerateTriangles = 0; // two corners on one vertex, or at one position
    std::size_t parts = 0;               // connected by edges
    long long euler = 0;
    bool closedManifold() const {
        return boundaryEdges == 0 && nonManifoldEdges == 0 && misorientedEdges == 0 &&
               nonManifoldVertices == 0 && degenerateTriangles == 0;
    }
};
MeshCheck checkMesh(const Mesh& m);

// The volume it encloses (signed: positive when wound outwards), in the units of its positions cubed.
double enclosedVolume(const Mesh& m);
double surfaceArea(const Mesh& m);

// Per vertex, the area-weighted mean of its triangles' normals, of unit length.
std::vector<glm::vec3> vertexNormals(const Mesh& m);

// Voxel coordinates (i, j, k) to patient millimetres, LPS (as DICOM), or RAS (x and y negated) for the tools
// that want it. Triangles are rewound when the grid is left-handed, so that they still face out.
void voxelToPatient(Mesh& m, const Geometry& g, bool ras);

} // namespace ctview
