#version 410 core
// One group of a label layer (labels/label_layer.h) over a slice view: each voxel's segment filled with its
// colour at the layer's opacity, its edge drawn opaque. Drawn after the slice with premultiplied blending
// (GL_ONE, GL_ONE_MINUS_SRC_ALPHA), one pass per group, so that overlapping segments (in different groups)
// all show. The view's plane comes in as the slice shader's does: framebuffer pixels to texture coordinates.
// A bit group (built with BITS defined: a program of its own, since llvmpipe pays for a branch on a uniform)
// holds up to eight segments a bit each: its palette's row 0 is each byte's segments already composited at
// the layer's opacity (premultiplied), row 1 each segment's colour at its bit. A fraction group (FRACTION)
// holds one FRACTIONAL segment, the byte its fraction (in at 128): filled at the layer's opacity times the
// fraction (a soft edge), its outline where the fraction crosses 0.5. A value group in a view along the
// texture axes (EDGES) draws its outline from its texels' second byte, which of the voxel's neighbours holds
// another value (render/label_renderer.h valueTexels), instead of sampling the pixels a line's width away:
// those are in this voxel or in the neighbour across the side they reach past.
uniform usampler3D uLabels;   // R8UI (a value group: RG8UI, valueTexels): 0 or the group's value or bits
uniform sampler2D uPalette;   // 256 x 2 RGBA8 per value: the segment's colour, alpha its opacity (0: hidden)
uniform uint uBits;           // BITS: the bits of the group's segments shown
uniform mat4 uFramebufferToTexture;
uniform float uFramebufferHeight;
uniform float uFill;          // the fill's opacity, 0..1 (0: outline only)
uniform float uOutline;       // the edge's opacity (0: no outline)
uniform float uOutlineWidth;  // framebuffer pixels
uniform vec3 uEdgeAxisX;      // EDGES: the texture axis along framebuffer x (one-hot), and along y
uniform vec3 uEdgeAxisY;
uniform uvec4 uEdgeBits;      // EDGES: the neighbour bits above and below along x, then along y

out vec4 fragColor;

// The value at texture coordinate tc: the voxel whose box holds it (nearest), 0 outside the volume.
uint labelAt(vec3 tc, ivec3 dims) {
    if (any(lessThan(tc, vec3(0.0))) || any(greaterThanEqual(tc, vec3(1.0))))
        return 0u;
    return texelFetch(uLabels, clamp(ivec3(floor(tc * vec3(dims))), ivec3(0), dims - 1), 0).r;
}

// A bit group's pixel: the edge of the last shown segment that a neighbouring pixel lacks, opaque, else the
// byte's segments composited.
vec4 bitsColour(uint value, vec3 tc, vec3 dx, vec3 dy, ivec3 dims) {
    uint shown = value & uBits;
    if (shown == 0u)
        return vec4(0.0);
    if (uOutline > 0.0) {
        uint edge = shown & ~(labelAt(tc + dx, dims) & labelAt(tc - dx, dims) & labelAt(tc + dy, dims) &
                              labelAt(tc - dy, dims));
        if (edge != 0u)
            return vec4(texelFetch(uPalette, ivec2(1 << findMSB(edge), 1), 0).rgb * uOutline, uOutline);
    }
    return texelFetch(uPalette, ivec2(int(value), 0), 0);
}

void main() {
    // Framebuffer pixels with the origin at the top-left, as the CPU side measures them.
    vec2 pixel = vec2(gl_FragCoord.x, uFramebufferHeight - gl_FragCoord.y);
    vec3 tc = (uFramebufferToTexture * vec4(pixel, 0.0, 1.0)).xyz;
    ivec3 dims = textureSize(uLabels, 0);
#if defined(EDGES)
    uvec2 texel = uvec2(0u);
    ivec3 voxel = clamp(ivec3(floor(tc * vec3(dims))), ivec3(0), dims - 1);
    if (all(greaterThanEqual(tc, vec3(0.0))) && all(lessThan(tc, vec3(1.0))))
        texel = texelFetch(uLabels, voxel, 0).rg;
    uint value = texel.r;
#else
    uint value = labelAt(tc, dims);
#endif
    if (value == 0u)
        discard;
    // The segment's edge: a neighbouring pixel, a line's width away, shows another value. The map is affine:
    // a step along framebuffer x or y is a step of its first or second column in texture coordinates.
    vec3 dx = uFramebufferToTexture[0].xyz * uOutlineWidth, dy = uFramebufferToTexture[1].xyz * uOutlineWidth;
#if defined(BITS)
    fragColor = bitsColour(value, tc, dx, dy, dims);
    if (fragColor.a <= 0.0)
        discard;
#elif defined(EDGES)
    vec4 colour = texelFetch(uPalette, ivec2(int(value), 0), 0);
    if (colour.a <= 0.0)
        discard;
    float alpha = uFill * colour.a;
    // Which voxel each pixel a line's width away is in, along the view's axis, computed as labelAt does:
    // this one, or the neighbour above or below, whose bit says whether it holds another value.
    vec3 d = vec3(dims);
    float x = dot(vec3(voxel), uEdgeAxisX), y = dot(vec3(voxel), uEdgeAxisY);
    float xp = dot(floor((tc + dx) * d), uEdgeAxisX), xm = dot(floor((tc - dx) * d), uEdgeAxisX);
    float yp = dot(floor((tc + dy) * d), uEdgeAxisY), ym = dot(floor((tc - dy) * d), uEdgeAxisY);
    uint across = (max(xp, xm) > x ? uEdgeBits.x : 0u) | (min(xp, xm) < x ? uEdgeBits.y : 0u) |
                  (max(yp, ym) > y ? uEdgeBits.z : 0u) | (min(yp, ym) < y ? uEdgeBits.w : 0u);
    if (uOutline > 0.0 && (texel.g & across) != 0u)
        alpha = uOutline;
    if (alpha <= 0.0)
        discard;
    fragColor = vec4(colour.rgb * alpha, alpha);
#elif defined(FRACTION)
    vec4 colour = texelFetch(uPalette, ivec2(128, 0), 0); // the segment's, at its value
    if (colour.a <= 0.0)
        discard;
    float alpha = uFill * colour.a * float(value) / 255.0;
    if (value >= 128u && uOutline > 0.0 &&
        min(min(labelAt(tc + dx, dims), labelAt(tc - dx, dims)), min(labelAt(tc + dy, dims), labelAt(tc - dy, dims))) < 128u)
        alpha = uOutline;
    if (alpha <= 0.0)
        discard;
    fragColor = vec4(colour.rgb * alpha, alpha);
#else
    vec4 colour = texelFetch(uPalette, ivec2(int(value), 0), 0);
    if (colour.a <= 0.0)
        discard;
    float alpha = uFill * colour.a;
    if (uOutline > 0.0 && (labelAt(tc + dx, dims) != value || labelAt(tc - dx, dims) != value ||
                           labelAt(tc + dy, dims) != value || labelAt(tc - dy, dims) != value))
        alpha = uOutline;
    if (alpha <= 0.0)
        discard;
    fragColor = vec4(colour.rgb * alpha, alpha);
#endif
}
