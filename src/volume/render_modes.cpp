#include "volume/render_modes.h"

#include "base/text.h"

namespace ctview {

const std::vector<RenderModeInfo>& renderModes() {
    using Skip = RenderModeInfo::Skip;
    // clang-format off
    static const std::vector<RenderModeInfo> modes = {
        // mode                  name     label              define        body                      TF     colours shading iso    proj.  skip
        {RenderMode::Composite,  "dvr",   "Composite (DVR)", "MODE_DVR",   "raymarch_dvr.glsl",      true,  true,   true,   false, false, Skip::TransferFunction},
        {RenderMode::Mip,        "mip",   "MIP",             "MODE_MIP",   "raymarch_extreme.glsl",  false, false,  false,  false, true,  Skip::Extremes},
        {RenderMode::MinIp,      "minip", "MinIP",           "MODE_MINIP", "raymarch_extreme.glsl",  false, false,  false,  false, true,  Skip::Extremes},
        {RenderMode::Average,    "avg",   "Average (X-ray)", "MODE_AVG",   "raymarch_average.glsl",  false, false,  false,  false, true,  Skip::None},
        {RenderMode::Isosurface, "iso",   "Isosurface",      "MODE_ISO",   "raymarch_iso.glsl",      false, true,   true,   true,  false, Skip::Threshold},
    };
    // clang-format on
    return modes;
}

const RenderModeInfo& modeInfo(RenderMode m) {
    for (const RenderModeInfo& i : renderModes())
        if (i.mode == m)
            return i;
    return renderModes().front();
}

std::string modeNameList() {
    std::vector<std::string> names;
    for (const RenderModeInfo& m : renderModes())
        names.emplace_back(m.name);
    return listed(names);
}

const char* modeName(RenderMode m) {
    return modeInfo(m).name;
}

std::optional<RenderMode> parseMode(const std::string& text) {
    for (const RenderModeInfo& i : renderModes())
        if (text == i.name)
            return i.mode;
    return std::nullopt;
}

} // namespace ctview
