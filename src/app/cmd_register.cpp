// `ctview register FIXED MOVING`: the rigid registration the window's "Register" runs, headless: how far the
// moving series has to move and turn to lie on the fixed one, the NCC before and after, and the link as a
// matrix (fixed LPS -> moving LPS), for scripts and the benchmark.
#include "app/headless.h"
#include "app/subcommands.h"
#include "base/error.h"
#include "viewer/fusion.h"
#include "volume/register.h"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace ctview::app {

int runRegister(const CommonOptions& common, const RegisterOptions& o) {
    glm::dmat4 start(1.0);
    if (!o.shift.empty())
        start = viewer::layerMovedBy(viewer::parseShift(o.shift, "--fuse-shift"));
    const std::shared_ptr<Dataset> fixed = loadDatasetHeadless(common, /*stats3d=*/false);
    CommonOptions other = common;
    other.input = o.moving;
    other.series = o.movingSeries;
    other.phase = 0;
    other.labels.clear();
    std::shared_ptr<Dataset> moving;
    try {
        moving = loadDatasetHeadless(other, /*stats3d=*/false);
    } catch (const UsageError& e) {
        // The moving series' selector is --moving-series here, not --series.
        std::string message = e.what();
        if (message.rfind("--series", 0) == 0)
            message.replace(0, 8, "--moving-series");
        throw UsageError(message);
    }
    const Registration r = registerRigid(fixed->series.volume, moving->series.volume, start);
    const glm::dvec3 moved = viewer::layerMove(r.link, volumeCentre(fixed->series.volume.geometry()));
    const double degrees = rotationDegrees(r.link);
    if (const std::string doubt = viewer::registrationDoubt(r); !doubt.empty())
        std::fprintf(stderr, "warning: %s\n", doubt.c_str());
    if (o.json) {
        nlohmann::json matrix = nlohmann::json::array();
        for (int row = 0; row < 4; ++row)
            matrix.push_back({r.link[0][row], r.link[1][row], r.link[2][row], r.link[3][row]});
        const nlohmann::json out = {{"fixed", common.input},
                                    {"moving", o.moving},
                                    {"moved_mm", {moved.x, moved.y, moved.z}},
                                    {"degrees", degrees},
                                    {"ncc_before", r.nccBefore},
                                    {"ncc", r.ncc},
                                    {"doubtful", r.ncc < viewer::kRegistrationDoubtNcc},
                                    {"seconds", r.seconds},
                                    {"fixed_to_moving_lps", matrix}};
        std::printf("%s\n", out.dump(2).c_str());
        return 0;
    }
    std::printf("registered %s onto %s in %.2f s (NCC %.3f -> %.3f)\n", o.moving.c_str(),
                common.input.c_str(), r.seconds, r.nccBefore, r.ncc);
    std::printf("moved (%.2f, %.2f, %.2f) mm and turned %.2f deg (LPS, at the fixed volume's centre)\n",
                moved.x, moved.y, moved.z, degrees);
    std::printf("fixed LPS -> moving LPS:\n");
    for (int row = 0; row < 3; ++row)
        std::printf("  %10.6f %10.6f %10.6f %10.3f\n", r.link[0][row], r.link[1][row], r.link[2][row],
                    r.link[3][row]);
    return 0;
}

} // namespace ctview::app
