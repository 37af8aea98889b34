// The DICOM PS3.3 C.11.2.1.2.1 linear VOI function, normalised to [0, 1]: the same as WindowLevel::apply
// (volume/window.h). Included by the slice shader and the raymarcher's projections.
float voi(float hu, float width, float centre) {
    float w = max(width, 1.0);
    if (hu <= centre - 0.5 - (w - 1.0) / 2.0) return 0.0;
    if (hu > centre - 0.5 + (w - 1.0) / 2.0) return 1.0;
    return (hu - (centre - 0.5)) / (w - 1.0) + 0.5;
}
