#pragma once
// Surfaces as files for printers and modelling tools. Binary STL (what every slicer reads: triangles alone,
// joined by position), Wavefront OBJ (positions, normals, shared vertices) and binary PLY (the same, and the
// segment's colour per vertex). Written aside and renamed into place; nothing half-written is left behind.
#include "mesh/mesh.h"

#include <filesystem>
#include <string>

namespace ctview {

enum class MeshFormat { Stl, Obj, Ply };

// By the file's extension (.stl, .obj, .ply, any case); throws UsageError naming the file otherwise.
MeshFormat meshFormatFor(const std::filesystem::path& file);

struct MeshFileInfo {
    std::string comment; // "ctview surface: ..., LPS millimetres": STL's header, OBJ's and PLY's comment
    glm::u8vec3 colour{255, 255, 255}; // PLY's vertex colour
};

// Writes `m` to `wanted` (or to the first free name beside it unless `force`, as every output); returns the
// path written. Throws DataError naming the file when it cannot be written.
std::filesystem::path writeMesh(const Mesh& m, const std::filesystem::path& wanted, bool force,
                                const MeshFileInfo& info);

} // namespace ctview
