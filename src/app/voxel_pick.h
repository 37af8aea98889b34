#pragma once
// What `segment` and `surface` share: the series' voxels picked by --threshold, or a segment's, then kept or
// dropped by the islands options (--seed, --largest, --min-island, --connectivity).
#include "app/subcommands.h"
#include "edit/mask_ops.h"

#include <string>
#include <vector>

namespace ctview::app {

// --threshold LO[,HI] in HU (no HI: no upper bound); throws UsageError.
struct HuRange {
    float lo = 0;
    float hi = 0;
};
HuRange thresholdOption(const std::string& text);

// The options' numbers checked before loading; throws UsageError.
void checkPickOptions(const PickOptions& o);

// The voxels in the threshold, "300..3071 HU" (the upper bound the series' maximum when none was given).
struct Picked {
    Mask mask;
    std::string what; // for messages: the range, or the segment's name
};
Picked thresholdPick(const Volume& ct, float maxHU, const PickOptions& o);

// The islands options applied to `picked` (a mask on `ct`'s grid). Throws DataError naming `input`, or the
// seed, when nothing is left.
Mask keepIslands(const Picked& picked, const Volume& ct, const PickOptions& o, const std::string& input);

} // namespace ctview::app
