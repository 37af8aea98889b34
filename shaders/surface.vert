#version 410 core
// A surface mesh in the 3D view (render/surface_pass): triangles in patient space (LPS, mm) with their vertex
// normals, projected by the 3D view's camera.
layout(location = 0) in vec3 aPositionLps; // LPS mm
layout(location = 1) in vec3 aNormalLps;   // unit, outwards
uniform mat4 uLpsToClip;                // projection * view

out vec3 vLps;
out vec3 vNormal;

void main() {
    vLps = aPositionLps;
    vNormal = aNormalLps;
    gl_Position = uLpsToClip * vec4(aPositionLps, 1.0);
}
