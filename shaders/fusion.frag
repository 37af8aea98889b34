#version 410 core
// A second series fused over a slice view (the scene's image layer, viewer::ImageLayerView): its HU, resampled
// onto the base's grid, through a window and colour map of its own. Drawn after the slice with premultiplied
// blending (GL_ONE, GL_ONE_MINUS_SRC_ALPHA); the view's plane comes in as the slice shader's does.
uniform sampler3D uLayer;       // the layer on the base's grid: R16 (HU + 32768) or R32F (HU)
uniform sampler3D uBase;        // the base volume (Difference mode)
uniform sampler2D uLut;         // 256 x 1 RGBA8: the layer's colour map
uniform mat4 uFramebufferToTexture;
uniform float uFramebufferHeight;
uniform vec2 uLayerHuFromTexel; // hu = texel * x + y
uniform vec2 uBaseHuFromTexel;
uniform vec2 uWindow;           // width, centre in HU (Difference: of layer minus base)
uniform int uMode;              // 0 overlay, 1 checkerboard, 2 difference, 3 alone (side by side)
uniform float uOpacity;         // overlay
uniform vec3 uChecker;          // squares per unit texture coordinate along each axis (checkerboard)

out vec4 fragColor;

#include "voi.glsl"

// The resampler's mark for "no data here" (volume/resample.h kOutsideHu, -32768 HU), with room for rounding.
const float kOutside = -32000.0;

// Nothing of the layer here: over the base, the base shows; alone, black (as the slice views outside the volume).
void nothing() {
    if (uMode == 3)
        fragColor = vec4(0.0, 0.0, 0.0, 1.0);
    else
        discard;
}

void main() {
    // Framebuffer pixels with the origin at the top-left, as the CPU side measures them.
    vec2 pixel = vec2(gl_FragCoord.x, uFramebufferHeight - gl_FragCoord.y);
    vec3 tc = (uFramebufferToTexture * vec4(pixel, 0.0, 1.0)).xyz;
    if (any(lessThan(tc, vec3(0.0))) || any(greaterThanEqual(tc, vec3(1.0)))) {
        nothing();
        return;
    }
    // Where the layer has no data (its nearest voxel says so).
    ivec3 dims = textureSize(uLayer, 0);
    ivec3 voxel = clamp(ivec3(floor(tc * vec3(dims))), ivec3(0), dims - 1);
    if (texelFetch(uLayer, voxel, 0).r * uLayerHuFromTexel.x + uLayerHuFromTexel.y < kOutside) {
        nothing();
        return;
    }
    float hu = texture(uLayer, tc).r * uLayerHuFromTexel.x + uLayerHuFromTexel.y;
    float alpha = uOpacity;
    if (uMode == 1) {
        ivec3 square = ivec3(floor(tc * uChecker));
        if (((square.x + square.y + square.z) & 1) == 0)
            discard;
        alpha = 1.0;
    } else if (uMode == 2) {
        hu -= texture(uBase, tc).r * uBaseHuFromTexel.x + uBaseHuFromTexel.y;
        alpha = 1.0;
    } else if (uMode == 3) {
        alpha = 1.0;
    }
    int index = clamp(int(floor(voi(hu, uWindow.x, uWindow.y) * 255.0 + 0.5)), 0, 255);
    vec3 colour = texelFetch(uLut, ivec2(index, 0), 0).rgb;
    fragColor = vec4(colour * alpha, alpha);
}
