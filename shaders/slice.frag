#version 410 core
// One slice of the HU volume through window/level and a colour map, at the view's zoom and pan.
// The slice plane comes in as an affine map from framebuffer pixels to texture coordinates (ViewMapping).

#ifdef PLANE
// A volume over the GPU's 3D texture size: this view's slice alone, as a 2D texture whose x and y run along the
// voxel axes uPlaneAxes (the other two than the slice's normal), lower axis first.
uniform sampler2D uPlane;
uniform ivec2 uPlaneAxes;
#else
uniform sampler3D uVolume;       // R16 (HU + 32768, normalised) or R32F (HU)
#endif
uniform sampler2D uLut;          // 256 x 1 RGBA8: the colour map, already inverted when asked
uniform mat4 uFramebufferToTexture;
uniform float uFramebufferHeight;
uniform vec2 uHuFromTexel;       // hu = texel * x + y
uniform vec2 uWindow;            // width, centre in HU
uniform vec3 uBackground;

out vec4 fragColor;

#include "voi.glsl"

void main() {
    // Framebuffer pixels with the origin at the top-left, as the CPU side measures them.
    vec2 pixel = vec2(gl_FragCoord.x, uFramebufferHeight - gl_FragCoord.y);
    vec3 tc = (uFramebufferToTexture * vec4(pixel, 0.0, 1.0)).xyz;
    if (any(lessThan(tc, vec3(0.0))) || any(greaterThan(tc, vec3(1.0)))) {
        fragColor = vec4(uBackground, 1.0);
        return;
    }
#ifdef PLANE
    float hu = texture(uPlane, vec2(tc[uPlaneAxes.x], tc[uPlaneAxes.y])).r * uHuFromTexel.x + uHuFromTexel.y;
#else
    float hu = texture(uVolume, tc).r * uHuFromTexel.x + uHuFromTexel.y;
#endif
    int index = clamp(int(floor(voi(hu, uWindow.x, uWindow.y) * 255.0 + 0.5)), 0, 255);
    fragColor = vec4(texelFetch(uLut, ivec2(index, 0), 0).rgb, 1.0);
}
