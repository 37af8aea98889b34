#version 410 core
// The 3D view: one ray per pixel through the HU volume, from where it enters the (cropped) box to where it
// leaves. This file is the ray's skeleton, the same for every mode: the ray from the pixel, where it enters and
// leaves the box, the per-pixel jitter of its first sample, a bound on its samples, and the pixel's colour over
// the background. What a mode does along the ray is its body, a file of its own that the render-mode table
// names (volume/render_modes.cpp, `body`) and the renderer binds to RAY_BODY; a body defines
//   vec4 march(Ray r, inout int budget)   // the pixel's colour, premultiplied by its opacity
// Compile-time switches (no branches on them inside the loops): SHADING (Blinn-Phong from the HU gradient),
// GRADIENT_OPACITY, SKIP (empty-space skipping over bricks), HIDE_OUTSIDE (samples in bricks that touch the air
// outside the body are transparent), and the mode's own define from the table (for modes that share a body).
// Distances along the ray are in mm of patient space; positions are texture coordinates of the volume.

uniform sampler3D uVolume;      // R16 (HU + 32768, normalised) or R32F (HU), linear filtering; read with
                                // textureLod(.., 0): the same texels, without the implicit derivatives that a
                                // software rasteriser computes for texture() (2-4 % of a frame on llvmpipe)
uniform sampler2D uTf;          // DVR/ISO: RGBA transfer function, opacity already corrected for uStepMm
uniform sampler2D uLut;         // projections: 256 x 1 colour map
uniform sampler3D uBricks;      // DVR/ISO: R8, bricks to the nearest that shows something; MIP/MINIP: RG32F texel min/max
uniform sampler3D uExterior;    // HIDE_OUTSIDE: R8 per brick, 1 where it touches the air outside the body
uniform mat4 uClipToLps;        // inverse(projection * view)
uniform mat4 uLpsToTex;         // patient mm -> texture coordinates
uniform mat3 uTexGradToLps;     // central texel differences along i, j, k -> HU/mm gradient in LPS
uniform vec4 uViewport;         // the target's x, y, width, height in framebuffer pixels
uniform vec3 uCropMin, uCropMax; // texture coordinates
uniform float uStepMm;
uniform vec3 uVoxel;            // one voxel in texture coordinates
uniform vec3 uBrickScale;       // bricks per texture unit (dims / brick size)
uniform ivec3 uBrickCount;
uniform vec2 uTfMap;            // texel value -> uTf entry (rounded): x * texel + y
uniform vec2 uTfVisible;        // entries [x, y) hold every opacity > 0 of uTf (x > y: none)
uniform vec2 uHuFromTexel;      // hu = texel * x + y
uniform vec2 uWindow;           // projections: width, centre in HU
uniform vec2 uWindowTexel;      // MIP/MinIP: the window's ends as texel values: all below x shows as x, above y as y
uniform float uIsoTexel;        // ISO: the threshold as a texel value
uniform vec3 uIsoColor;
uniform vec4 uLight;            // ambient, diffuse, specular, shininess
uniform vec2 uGradientOpacity;  // HU/mm: transparent below x, opaque above y
uniform vec3 uBackground;
uniform float uJitter;          // 1: start each ray at a per-pixel fraction of a step (no wood grain); 0: none
uniform vec4 uCut[3];           // cut planes, texture coordinates: dot(xyz, p) >= w is kept (turned slice planes)
uniform int uCutCount;
uniform float uOpaque;          // composite: early ray termination once the ray is this opaque
// LABELS (the number of label groups, 1..4): segments as opaque surfaces (labelHit below).
uniform usampler3D uLabelGroups[5]; // R8UI (a value group's RG8UI: .r): a segment's value or bits (Labels3d::kMaxGroups)
uniform sampler2D uLabelPalettes[5]; // 256 x 2 RGBA8 per group: the segment's colour, alpha 0 when hidden
uniform uint uLabelBits[5]; // a bit group's segments shown in 3D, a bit each (0: a value group)
                                     // (row 0 the slice views', row 1 the 3D view's)
uniform vec3 uLabelBoxMin, uLabelBoxMax; // texture coordinates holding every visible segment
// SURFACES: surface meshes drawn ahead (render/surface_pass): per pixel the nearest one's shaded colour and
// its distance along the ray (mm from the near plane; a < 0: none). A ray stops there, as at a segment.
uniform sampler2D uSurfaceHits;

out vec4 fragColor;

#include "voi.glsl"

// One pixel's ray inside the (cropped) box.
struct Ray {
    vec3 o;       // its start on the near plane, texture coordinates
    vec3 d;       // its direction, texture units per mm (no component exactly 0)
    vec3 inv;     // 1 / d
    vec3 toEye;   // unit vector towards the viewer, LPS
    float tNear;  // where it enters the box, mm from o
    float tFar;   // where it leaves it
    float t0;     // its first sample (tNear plus the jitter): sample k lies at t0 + k * uStepMm
    float kLast;  // the number of its last sample inside the box (-1 when there is none)
};

// Central differences, HU/mm in LPS. Six fetches, but only at the samples that show (the sampling loop pays
// nothing for them); forward differences (three) shift the gradient by half a voxel and stripe surfaces with
// the slices of a thick-slice series.
vec3 gradientAt(vec3 p) {
    vec3 g = vec3(textureLod(uVolume, p + vec3(uVoxel.x, 0.0, 0.0), 0.0).r - textureLod(uVolume, p - vec3(uVoxel.x, 0.0, 0.0), 0.0).r,
                  textureLod(uVolume, p + vec3(0.0, uVoxel.y, 0.0), 0.0).r - textureLod(uVolume, p - vec3(0.0, uVoxel.y, 0.0), 0.0).r,
                  textureLod(uVolume, p + vec3(0.0, 0.0, uVoxel.z), 0.0).r - textureLod(uVolume, p - vec3(0.0, 0.0, uVoxel.z), 0.0).r);
    return uTexGradToLps * g;
}

// Blinn-Phong with a headlight (light and half vector along the view), lit from whichever side faces the viewer.
vec3 shade(vec3 color, vec3 g, vec3 toEye) {
    float len = length(g);
    if (len < 1e-3) return color * (uLight.x + uLight.y); // homogeneous: no surface to light
    vec3 n = -g / len;                                    // outward: from high HU to low
    float ndv = dot(n, toEye);
    ndv = abs(ndv);
    return color * (uLight.x + uLight.y * ndv) + vec3(uLight.z * pow(ndv, uLight.w));
}

// The projections' pixel: one value per ray (a texel value) through the window and the colour map.
vec4 projected(float value) {
    float hu = value * uHuFromTexel.x + uHuFromTexel.y;
    int index = clamp(int(floor(voi(hu, uWindow.x, uWindow.y) * 255.0 + 0.5)), 0, 255);
    return vec4(texelFetch(uLut, ivec2(index, 0), 0).rgb, 1.0);
}

#include RAY_BODY

#ifdef LABELS
// The colour of a visible segment at texture position p, alpha 0 for none; `group` and `value` say which.
vec4 labelAt(vec3 p, out int group, out uint value) {
    for (int n = 0; n < LABELS; ++n) {
        ivec3 dims = textureSize(uLabelGroups[n], 0);
        uint v = texelFetch(uLabelGroups[n], clamp(ivec3(p * vec3(dims)), ivec3(0), dims - 1), 0).r;
        if (uLabelBits[n] != 0u) // a bit group: the last of its shown segments there
            v = (v & uLabelBits[n]) != 0u ? 1u << findMSB(v & uLabelBits[n]) : 0u;
        if (v != 0u) {
            vec4 c = texelFetch(uLabelPalettes[n], ivec2(int(v), 1), 0); // row 1: the 3D view's
            if (c.a > 0.0) {
                group = n;
                value = v;
                return vec4(c.rgb, 1.0);
            }
        }
    }
    group = -1;
    value = 0u;
    return vec4(0.0);
}

// 1 where group n holds `value` (a bit group: that bit) at p, else 0: the segment's occupancy, for its
// surface's normal.
float occupied(int n, uint value, vec3 p) {
    for (int g = 0; g < LABELS; ++g)
        if (g == n) {
            ivec3 dims = textureSize(uLabelGroups[g], 0);
            ivec3 v = ivec3(p * vec3(dims));
            if (any(lessThan(v, ivec3(0))) || any(greaterThanEqual(v, dims))) return 0.0;
            uint there = texelFetch(uLabelGroups[g], v, 0).r;
            return (uLabelBits[g] != 0u ? (there & value) != 0u : there == value) ? 1.0 : 0.0;
        }
    return 0.0;
}

// The first visible segment along the ray, within the box that holds them: where (mm along the ray) and its
// shaded colour (opaque).
bool labelHit(Ray r, out float tHit, out vec4 colour) {
    vec3 ta = (uLabelBoxMin - r.o) * r.inv, tb = (uLabelBoxMax - r.o) * r.inv;
    vec3 tlo = min(ta, tb), thi = max(ta, tb);
    float t0 = max(max(max(tlo.x, tlo.y), tlo.z), r.tNear);
    float t1 = min(min(min(thi.x, thi.y), thi.z), r.tFar);
    // Half a voxel at a time: no segment a voxel thick is stepped over.
    float dt = 0.5 * min(min(uVoxel.x / abs(r.d.x), uVoxel.y / abs(r.d.y)), uVoxel.z / abs(r.d.z));
    for (float t = t0; t <= t1; t += dt) {
        vec3 p = r.o + t * r.d;
        int group;
        uint value;
        vec4 c = labelAt(p, group, value);
        if (c.a > 0.0) {
            tHit = t;
            vec3 g = vec3(occupied(group, value, p + vec3(uVoxel.x, 0.0, 0.0)) - occupied(group, value, p - vec3(uVoxel.x, 0.0, 0.0)),
                          occupied(group, value, p + vec3(0.0, uVoxel.y, 0.0)) - occupied(group, value, p - vec3(0.0, uVoxel.y, 0.0)),
                          occupied(group, value, p + vec3(0.0, 0.0, uVoxel.z)) - occupied(group, value, p - vec3(0.0, 0.0, uVoxel.z)));
            // Occupancy rises into the segment: its gradient is the surface's normal (inwards), lit by a
            // headlight from whichever side faces the viewer.
            vec3 n = uTexGradToLps * g;
            float len = length(n);
            colour = vec4(len > 1e-6 ? c.rgb * (0.35 + 0.65 * abs(dot(-n / len, r.toEye))) : c.rgb, 1.0);
            return true;
        }
    }
    return false;
}
#endif

void main() {
    vec2 ndc = (gl_FragCoord.xy - uViewport.xy) / uViewport.zw * 2.0 - 1.0;
    vec4 n4 = uClipToLps * vec4(ndc, -1.0, 1.0), f4 = uClipToLps * vec4(ndc, 1.0, 1.0);
    vec3 nearLps = n4.xyz / n4.w, farLps = f4.xyz / f4.w;
    vec3 dirLps = normalize(farLps - nearLps);
    Ray r;
    r.o = (uLpsToTex * vec4(nearLps, 1.0)).xyz;
    r.d = mat3(uLpsToTex) * dirLps; // texture units per mm
    r.d = mix(r.d, vec3(1e-9), lessThan(abs(r.d), vec3(1e-9)));
    r.inv = 1.0 / r.d;
    vec3 ta = (uCropMin - r.o) * r.inv, tb = (uCropMax - r.o) * r.inv;
    vec3 tlo = min(ta, tb), thi = max(ta, tb);
    r.tNear = max(max(tlo.x, tlo.y), max(tlo.z, 0.0));
    r.tFar = min(min(thi.x, thi.y), min(thi.z, length(farLps - nearLps)));
    for (int c = 0; c < uCutCount; ++c) {
        // Along the ray, dot(n, o + t d) - w = inside + t * rate: kept where it is >= 0.
        float rate = dot(uCut[c].xyz, r.d), inside = dot(uCut[c].xyz, r.o) - uCut[c].w;
        if (abs(rate) < 1e-12) {
            if (inside < 0.0) r.tFar = -1.0; // parallel to the plane, on the side cut away
        } else if (rate > 0.0) {
            r.tNear = max(r.tNear, -inside / rate);
        } else {
            r.tFar = min(r.tFar, -inside / rate);
        }
    }
    // What lies behind the volume: the background, or a surface mesh, which ends the ray.
    vec3 behind = uBackground;
#ifdef SURFACES
    vec4 hit = texelFetch(uSurfaceHits, ivec2(gl_FragCoord.xy - uViewport.xy), 0);
    if (hit.a >= 0.0) {
        behind = hit.rgb;
        r.tFar = min(r.tFar, hit.a);
    }
#endif
    if (r.tNear >= r.tFar) {
        fragColor = vec4(behind, 1.0);
        return;
    }
    // Interleaved gradient noise: a fixed per-pixel pattern, so that renders are deterministic.
    float jitter = uJitter * fract(52.9829189 * fract(dot(gl_FragCoord.xy, vec2(0.06711056, 0.00583715))));
    r.t0 = r.tNear + jitter * uStepMm;
    r.kLast = floor((r.tFar - r.t0) / uStepMm);
    r.toEye = -dirLps;
    int budget = 100000; // a guard against a ray that never ends (NaN matrices); far more than any ray takes
#ifdef LABELS
    // A segment's surface ends the ray: the volume is marched in front of it and composited over it.
    float tHit;
    vec4 surface;
    if (labelHit(r, tHit, surface)) {
        r.tFar = tHit;
        r.kLast = floor((r.tFar - r.t0) / uStepMm);
        vec4 front = march(r, budget);
        fragColor = vec4(front.rgb + (1.0 - front.a) * surface.rgb, 1.0);
        return;
    }
#endif
    vec4 c = march(r, budget);
    fragColor = vec4(c.rgb + (1.0 - c.a) * behind, 1.0);
}
