#pragma once
// Window/level (VOI LUT) in Hounsfield units, and the named presets radiologists use.
#include <optional>
#include <string>
#include <vector>

namespace ctview {

struct WindowLevel {
    double width = 400, center = 40; // HU

    // DICOM PS3.3 C.11.2.1.2.1 linear VOI function, normalised to [0, 1]: 0 at or below lower(), 1 above
    // upper().
    double apply(double hu) const {
        if (hu <= lower())
            return 0.0;
        if (hu > upper())
            return 1.0;
        return (hu - (center - 0.5)) / (clampedWidth() - 1) + 0.5;
    }
    double lower() const { return center - 0.5 - (clampedWidth() - 1) / 2; }
    double upper() const { return center - 0.5 + (clampedWidth() - 1) / 2; }

  private:
    double clampedWidth() const { return width < 1 ? 1 : width; }
};

struct WindowPreset {
    std::string name;
    WindowLevel wl;
};

// brain 80/40, subdural 200/80, stroke 40/40, lung 1500/-600, mediastinum 350/50, abdomen 400/50, liver
// 150/30, bone 1800/400 (width/level in HU).
const std::vector<WindowPreset>& windowPresets();

// The preset named `name` (case-insensitive), or null.
const WindowPreset* findWindowPreset(const std::string& name);

// "lung", "400,50" / "400/50" (width, level), or "file" (the file's own, given as `fileWindow`). nullopt if
// the text is none of these.
std::optional<WindowLevel> parseWindow(const std::string& text, const std::optional<WindowLevel>& fileWindow);

} // namespace ctview
