#pragma once
// The viewer without a window, for in-process input tests: a phantom loaded through the real LoadTask into
// the real AppState, laid out as the window lays it out at 1000 x 800 with the side panel; input frames made
// by hand go through viewer::handleInput as the frame loop's would.
#include "testutil.h"

#include "dicom/phantom.h"
#include "viewer/input.h"
#include "viewer/load_task.h"

#include <catch2/catch.hpp>

namespace ctview::test {

// An input frame with the mouse at `p` and nothing pressed.
inline viewer::InputFrame at(glm::dvec2 p) {
    viewer::InputFrame in;
    in.mouse = p;
    return in;
}

struct ViewerFixture {
    TempDir dir, out;
    viewer::AppState s;
    ViewerFixture() {
        writePhantom(dir.path / "series", 48, 40, 30);
        viewer::LoadTask task((dir.path / "series").string(), "", fastOptions(), nullptr, nullptr);
        task.wait();
        std::string error;
        auto d = task.take(error);
        REQUIRE(d);
        viewer::adoptDataset(s, d);
        s.exportDir = out.path;
        viewer::layoutCells(s, Rect{340, 0, 660, 800});
    }
    glm::dvec2 centreOf(int cell) const {
        const Rect& r = s.cells[std::size_t(cell)];
        return {r.x + r.w / 2, r.y + r.h / 2};
    }
    // Presses the left button at `from`, drags through `to` in four moves, releases there.
    void drag(glm::dvec2 from, glm::dvec2 to, bool shift = false) {
        viewer::InputFrame press = at(from);
        press.clicked[0] = press.down[0] = true;
        press.shift = shift;
        viewer::handleInput(s, press);
        for (int n = 1; n <= 4; ++n) {
            viewer::InputFrame move = at(from + (to - from) * (n / 4.0));
            move.down[0] = true;
            move.mouseDelta = (to - from) / 4.0;
            viewer::handleInput(s, move);
        }
        viewer::InputFrame release = at(to);
        release.released[0] = true;
        viewer::handleInput(s, release);
    }
    // One key press (GLFW key code) with the mouse at `mouse`.
    void key(int code, bool shift = false, glm::dvec2 mouse = {0, 0}) {
        viewer::InputFrame in = at(mouse);
        in.keys.push_back({code, false, shift});
        viewer::handleInput(s, in);
    }
};

} // namespace ctview::test
