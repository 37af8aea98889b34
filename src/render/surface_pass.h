#pragma once
// Surface meshes in the 3D view: the segment editor's smoothed surfaces, drawn as triangles (not voxels) so
// that the user sees the surface a printer will get. The raymarcher composites the volume over them: this
// pass draws the meshes first, keeping per pixel the nearest surface's shaded colour and its distance along
// the pixel's ray (an RGBA32F image, depth-tested), and raymarch.frag stops each ray there (SURFACES).
#include "mesh/mesh.h"
#include "render/gl.h"

#include <glm/glm.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ctview::gl {

// One mesh to draw: `id` names its triangles (a new mesh, a new id: the GPU copy is made once per id).
struct SurfaceDraw {
    std::uint64_t id = 0;
    std::shared_ptr<const Mesh> mesh; // LPS mm, wound outwards
    glm::vec3 colour{1.0f};
    bool operator==(const SurfaceDraw& o) const { return id == o.id && colour == o.colour; }
};

// Where the 3D view's rays run, as the raymarcher has them, for the pass to draw what they see.
struct SurfaceView {
    glm::mat4 lpsToClip{1.0f}, clipToLps{1.0f}, lpsToTex{1.0f};
    glm::vec3 cropMin{0.0f}, cropMax{1.0f}; // texture coordinates
    std::array<glm::vec4, 3> cuts{};        // texture coordinates: dot(xyz, p) >= w is kept
    int cutCount = 0;
};

class SurfacePass {
  public:
    // Draws `surfaces` at `size` pixels and returns the RGBA32F texture of their hits: rgb the shaded colour,
    // a the distance (mm) along the pixel's ray from the near plane, -1 where no surface is. Uploads the
    // meshes not on the GPU yet and drops those no longer listed. Leaves the draw framebuffer bound as it
    // was. Throws GlError (a program that does not compile, no memory for a mesh).
    GLuint render(const std::vector<SurfaceDraw>& surfaces, const SurfaceView& view, glm::ivec2 size);
    // Recompiles from shaders/ (see shaders.h); on failure keeps the program and returns the message.
    std::string reload();
    // Triangles on the GPU (tests).
    std::size_t uploadedTriangles() const;

  private:
    struct Uploaded {
        std::uint64_t id = 0;
        VertexArray vao;
        Buffer positions, normals, indices;
        GLsizei indexCount = 0;
    };
    void build();
    void upload(const std::vector<SurfaceDraw>& surfaces);
    void resize(glm::ivec2 size);

    Program program_;
    Uniforms uniforms_;
    std::vector<Uploaded> meshes_;
    Framebuffer fbo_;
    Texture hits_;
    Renderbuffer depth_;
    glm::ivec2 size_{0};
};

} // namespace ctview::gl
