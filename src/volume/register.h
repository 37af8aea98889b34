#pragma once
// Rigid registration of one CT onto another (issue 31): the rotation and translation that bring a second
// series (prior, contrast, a rescan) onto the first, found from the images. Coarse to fine over a pyramid of
// block-averaged copies (8, 4, 2 mm), Levenberg-Marquardt steps on the squared HU difference (CT to CT: one
// modality, calibrated units), each kept only when the normalised cross-correlation (NCC) of the overlap
// rises; on all cores.
#include "volume/volume.h"

#include <glm/glm.hpp>

namespace ctview {

struct RegistrationOptions {
    double coarsestMm = 8, finestMm = 2; // the pyramid's voxel sizes, halved from one level to the next
    int iterations = 40;                 // per level at most
};

struct Registration {
    glm::dmat4 link{1.0};  // the fixed series' LPS points to the moving series' (resampleOnto's link)
    double nccBefore = 0;  // of the overlap at the finest level, from the link it started from
    double ncc = 0;        // ... and after
    double degrees = 0;    // the rotation it found, relative to the start
    glm::dvec3 moved{0.0}; // how far the fixed volume's centre moved, relative to the start (mm, LPS)
    int steps = 0;         // the steps kept, over every level
    double seconds = 0;
};

// Finds the rigid `link` (rotation about the fixed volume's centre, then translation) that best brings
// `moving` onto `fixed`, starting from `start` (identity: their patient coordinates as written). At the
// coarsest level the volumes' centres of tissue (voxels above -500 HU) aligned are tried too, and kept when
// the NCC is higher: two series in different frames of reference start close enough.
Registration registerRigid(const Volume& fixed, const Volume& moving,
                           const glm::dmat4& start = glm::dmat4(1.0),
                           const RegistrationOptions& options = {});

// The rotation of a rigid link, in degrees (0 for a translation).
double rotationDegrees(const glm::dmat4& link);

} // namespace ctview
