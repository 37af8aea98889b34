#version 410 core
// A thick slab (volume/slice.h Slab) at the volume's own resolution, into an R32F texture of HU: each fragment
// is one texel of a view's plane, x along voxel axis uPlaneAxes.x and y along uPlaneAxes.y (as the slice
// shader's PLANE variant reads it), the slices uSlices.x .. uSlices.y along the other axis combined by
// uSlabMode (0 MIP, 1 MinIP, 2 average). Computed once per slice and slab, so that zooming, panning and
// window/level on a slab cost what they cost on a thin slice.
uniform sampler3D uVolume;   // R16 (HU + 32768, normalised) or R32F (HU)
uniform ivec2 uPlaneAxes;
uniform ivec2 uSlices;       // first and last voxel index along the normal, inside the volume
uniform int uSlabMode;
uniform vec2 uHuFromTexel;   // hu = texel * x + y

out vec4 fragColor;

void main() {
    ivec3 p = ivec3(0);
    p[uPlaneAxes.x] = int(gl_FragCoord.x);
    p[uPlaneAxes.y] = int(gl_FragCoord.y);
    // The normal is the axis that is neither of the plane's: 3 - a - b.
    int n = 3 - uPlaneAxes.x - uPlaneAxes.y;
    p[n] = uSlices.x;
    // Combined as texels, decoded once: the encoding is increasing and affine, so the maximum, minimum and
    // mean commute with it.
    float acc = texelFetch(uVolume, p, 0).r;
    if (uSlabMode == 0) {
        for (int k = uSlices.x + 1; k <= uSlices.y; ++k) {
            p[n] = k;
            acc = max(acc, texelFetch(uVolume, p, 0).r);
        }
    } else if (uSlabMode == 1) {
        for (int k = uSlices.x + 1; k <= uSlices.y; ++k) {
            p[n] = k;
            acc = min(acc, texelFetch(uVolume, p, 0).r);
        }
    } else {
        for (int k = uSlices.x + 1; k <= uSlices.y; ++k) {
            p[n] = k;
            acc += texelFetch(uVolume, p, 0).r;
        }
        acc /= float(uSlices.y - uSlices.x + 1);
    }
    fragColor = vec4(acc * uHuFromTexel.x + uHuFromTexel.y, 0.0, 0.0, 1.0);
}
