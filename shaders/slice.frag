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
// A turned view's thick slab (volume/mpr.h planeValue): uSlabHalf samples each side, uSlabStep apart in texture
// coordinates along the plane's normal, combined by uSlabMode (0 MIP, 1 MinIP, 2 average); those outside the
// volume are left out. uSlabHalf 0: the plane itself.
uniform vec3 uSlabStep;
uniform int uSlabHalf;
uniform int uSlabMode;
#endif
uniform sampler2D uLut;          // 256 x 1 RGBA8: the colour map, already inverted when asked
uniform mat4 uFramebufferToTexture;
uniform float uFramebufferHeight;
uniform vec2 uHuFromTexel;       // hu = texel * x + y
uniform vec2 uWindow;            // width, centre in HU
uniform vec3 uBackground;
// The segment editor's threshold preview: voxels in [x, y] HU tinted with uHighlightColor at opacity z (0: off).
uniform vec4 uHighlight;
uniform vec3 uHighlightColor;

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
    float texel = texture(uVolume, tc).r;
    if (uSlabHalf > 0) {
        // Combined as texels, decoded once: the encoding is increasing and affine (as in slab.frag).
        float sum = texel;
        int n = 1;
        for (int s = -uSlabHalf; s <= uSlabHalf; ++s) {
            vec3 p = tc + float(s) * uSlabStep;
            if (s == 0 || any(lessThan(p, vec3(0.0))) || any(greaterThan(p, vec3(1.0))))
                continue;
            float x = texture(uVolume, p).r;
            texel = uSlabMode == 0 ? max(texel, x) : uSlabMode == 1 ? min(texel, x) : texel;
            sum += x;
            ++n;
        }
        if (uSlabMode == 2)
            texel = sum / float(n);
    }
    float hu = texel * uHuFromTexel.x + uHuFromTexel.y;
#endif
    int index = clamp(int(floor(voi(hu, uWindow.x, uWindow.y) * 255.0 + 0.5)), 0, 255);
    vec3 color = texelFetch(uLut, ivec2(index, 0), 0).rgb;
    if (uHighlight.z > 0.0 && hu >= uHighlight.x && hu <= uHighlight.y)
        color = mix(color, uHighlightColor, uHighlight.z);
    fragColor = vec4(color, 1.0);
}
