#version 410 core
// A surface mesh's pixels for the raymarcher (render/surface_pass): per pixel, the nearest surface's shaded
// colour and where it lies along the pixel's ray, in mm from the near plane, as raymarch.frag measures its
// rays: the ray stops there and the volume in front is composited over it. What the crop box or a cut plane
// takes away is left out, as it is of the volume; the inside of a cut surface shows darker.
uniform mat4 uClipToLps;   // inverse(projection * view)
uniform mat4 uLpsToTex;    // patient mm -> texture coordinates of the volume
uniform vec4 uViewport;    // the target's x, y, width, height in framebuffer pixels
uniform vec3 uCropMin, uCropMax; // texture coordinates
uniform vec4 uCut[3];      // texture coordinates: dot(xyz, p) >= w is kept
uniform int uCutCount;
uniform vec3 uColour;      // the segment's

in vec3 vLps;
in vec3 vNormal;
out vec4 fragHit;          // rgb: the shaded colour; a: mm along the ray (the target is cleared to -1: none)

void main() {
    vec3 tex = (uLpsToTex * vec4(vLps, 1.0)).xyz;
    if (any(lessThan(tex, uCropMin)) || any(greaterThan(tex, uCropMax)))
        discard;
    for (int c = 0; c < uCutCount; ++c)
        if (dot(uCut[c].xyz, tex) < uCut[c].w)
            discard;
    // The pixel's ray as the raymarcher makes it: from the near plane towards the far one.
    vec2 ndc = (gl_FragCoord.xy - uViewport.xy) / uViewport.zw * 2.0 - 1.0;
    vec4 n4 = uClipToLps * vec4(ndc, -1.0, 1.0), f4 = uClipToLps * vec4(ndc, 1.0, 1.0);
    vec3 nearLps = n4.xyz / n4.w;
    vec3 dir = normalize(f4.xyz / f4.w - nearLps);
    // A headlight, as the raymarcher lights segments' voxels: the same segment looks the same either way.
    float len = length(vNormal);
    float facing = len > 1e-6 ? abs(dot(vNormal / len, -dir)) : 1.0;
    float light = 0.35 + 0.65 * facing;
    if (!gl_FrontFacing)
        light *= 0.5;
    fragHit = vec4(uColour * light, dot(vLps - nearLps, dir));
}
