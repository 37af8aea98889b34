// The window: GLFW + OpenGL 4.1 core + ImGui, and the frame loop. Idle means idle: when nothing changes the
// loop sleeps in glfwWaitEvents; the loader thread wakes it with glfwPostEmptyEvent when it has news.
#include "app/actions.h"
#include "app/commands.h"
#include "app/gl_context.h"
#include "app/input.h"
#include "app/movie_job.h"
#include "app/scene.h"
#include "base/error.h"
#include "base/fsutil.h"
#include "dicomweb/dicomweb.h"
#include "render/slice_renderer.h"
#include "ui/panels.h"
#include "viewer/load_task.h"
#include "viewer/settings.h"
#include "volume/transfer.h"

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>
#include <imgui_internal.h> // ClosePopupToLevel: Esc closes an open list

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <memory>
#include <set>
#include <tuple>

namespace ctview::app {

namespace {

std::vector<std::string> droppedPaths; // filled by GLFW's drop callback, on the main thread
void onDrop(GLFWwindow*, int count, const char** paths) {
    for (int n = 0; n < count; ++n)
        droppedPaths.emplace_back(paths[n]);
}

// Key presses as GLFW reports them. ImGui 1.86 only sees which keys are down at the start of a frame, so a
// press and release that arrive together (fast typing, xdotool, a slow frame on software GL) would be lost.
struct KeyPress {
    int key, mods;
};
std::vector<KeyPress> pendingKeys;
void onKey(GLFWwindow*, int key, int, int action, int mods) {
    if (action == GLFW_PRESS || action == GLFW_REPEAT)
        pendingKeys.push_back({key, mods});
}

// The folder `ctview` opens with no argument: the last one opened, else the phantom built next to the binary.
std::string defaultInput(const viewer::Settings& settings) {
    std::error_code ec;
    for (const std::string& r : settings.recent)
        if (isDicomWebUrl(r) || std::filesystem::exists(r, ec))
            return r;
    char exe[4096];
    const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        const auto phantom = std::filesystem::path(exe).parent_path() / "assets" / "phantom";
        if (std::filesystem::is_directory(phantom, ec))
            return phantom.string();
    }
    return {};
}

InputFrame inputFromImGui(double now) {
    const ImGuiIO& io = ImGui::GetIO();
    InputFrame in;
    in.mouse = ImGui::IsMousePosValid() ? glm::dvec2(io.MousePos.x, io.MousePos.y) : glm::dvec2(-1e9);
    in.mouseDelta = glm::dvec2(io.MouseDelta.x, io.MouseDelta.y);
    // ImGui numbers buttons left 0, right 1, middle 2, as InputFrame does.
    for (int b = 0; b < 3; ++b) {
        in.down[std::size_t(b)] = io.MouseDown[b];
        in.clicked[std::size_t(b)] = ImGui::IsMouseClicked(b);
        in.doubleClicked[std::size_t(b)] = ImGui::IsMouseDoubleClicked(b);
        in.released[std::size_t(b)] = ImGui::IsMouseReleased(b);
    }
    in.wheel = io.MouseWheel;
    in.ctrl = io.KeyCtrl;
    in.shift = io.KeyShift;
    for (const KeyPress& k : pendingKeys)
        in.keys.push_back({k.key, (k.mods & GLFW_MOD_CONTROL) != 0, (k.mods & GLFW_MOD_SHIFT) != 0});
    pendingKeys.clear();
    in.uiWantsMouse = io.WantCaptureMouse;
    in.uiWantsKeyboard = io.WantCaptureKeyboard;
    in.popupOpen = ImGui::IsPopupOpen("", ImGuiPopupFlags_AnyPopupId | ImGuiPopupFlags_AnyPopupLevel);
    in.now = now;
    return in;
}

std::string titleFor(const viewer::AppState& s) {
    if (!s.hasVolume())
        return "ctview";
    const auto& g = s.data->series.volume.geometry();
    const std::string name = std::filesystem::path(s.load.input).filename().string();
    const int number = s.data->series.about.listing.seriesNumber; // 0: the source has no series numbers
    std::string series = number > 0 ? " - series " + std::to_string(number) : "";
    // What is unusual about the load, in the title too (the banner can be dismissed).
    if (const auto problems = loadProblems(s.data->series); !problems.empty() && !s.data->preview)
        series += " - " + problems.front().substr(0, problems.front().find(':'));
    char t[512];
    std::snprintf(t, sizeof t, "ctview - %s%s - %dx%dx%d", name.c_str(), series.c_str(), g.dims.x, g.dims.y,
                  g.dims.z);
    return t;
}

} // namespace

int runViewer(const CommonOptions& common, const ViewerOptions& options) {
    // A path that is not there opens the window as an empty folder or a bad file does, and it says why there
    // (and on stderr): one behaviour for every input that cannot be opened.
    std::string settingsProblem;
    const std::filesystem::path settingsFile = viewer::settingsPath();
    viewer::Settings settings = viewer::loadSettings(settingsFile, settingsProblem);
    // Also shown in the window as a toast; -q keeps stderr quiet.
    if (!settingsProblem.empty() && !common.quiet)
        std::fprintf(stderr, "ctview: %s\n", settingsProblem.c_str());

    viewer::AppState s;
    viewer::applySettings(settings, s);
    s.exportDir = options.outDir;
    std::string input = common.input.empty() ? defaultInput(settings) : common.input;

    // CTVIEW_TIMING=FILE: when the window first shows, when the first slice with real pixels is drawn and
    // when the volume is complete, as "event seconds" lines (CLOCK_REALTIME, so that bench/first-slice can
    // subtract its own launch time).
    std::FILE* timing = nullptr;
    if (const char* path = std::getenv("CTVIEW_TIMING"); path && *path)
        timing = std::fopen(path, "w");
    auto logTiming = [&](const char* event) {
        if (!timing)
            return;
        timespec ts{};
        clock_gettime(CLOCK_REALTIME, &ts);
        std::fprintf(timing, "%s %.4f\n", event, double(ts.tv_sec) + ts.tv_nsec * 1e-9);
        std::fflush(timing);
    };
    logTiming("start");

    // The load starts before the window and its GL context exist: scanning and decoding overlap the
    // seconds a GL driver may take to start (and the workers fork from a process without driver threads).
    // The loader's news wakes the frame loop only once GLFW is up.
    static std::atomic<bool> glfwUp{false};
    glfwUp = false;
    std::unique_ptr<viewer::LoadTask> task;
    std::unique_ptr<viewer::LoadTask> statsTask;  // a finished load still computing the 3D view's statistics
    std::unique_ptr<MovieJob> movie;              // Cine's "Record movie" under way
    std::unique_ptr<TurntableRecorder> turntable; // the 3D view's "Record" under way
    LoadOptions loadOptions = loadOptionsFor(common);
    loadOptions.progress = nullptr; // progress goes to the window
    auto wake = [] {
        if (glfwUp)
            glfwPostEmptyEvent();
    };
    // `path` by value: another series of the same input is started with s.load.input itself, which the next
    // line clears (an empty path then went into the recent list, and the Open dialog aborted on it).
    auto startLoad = [&](std::string path, const std::string& series,
                         std::shared_ptr<const SeriesSource> source) {
        if (task)
            return; // one load at a time; the Open buttons are disabled meanwhile
        s.load = {};
        s.load.active = true;
        s.load.input = path;
        loadOptions.login = s.pacsLogin; // the PACS dialog's, if the user logged in there
        task = std::make_unique<viewer::LoadTask>(std::move(path), series, loadOptions, std::move(source),
                                                  wake, viewer::LoadTask::Staging{0.3, true});
    };
    if (!input.empty())
        startLoad(input, common.series, nullptr);

    GLFWwindow* window = createGlWindow(settings.windowWidth, settings.windowHeight, "ctview", true);
    glfwUp = true;
    logTiming("context");
    if (settings.windowX >= 0 && settings.windowY >= 0)
        glfwSetWindowPos(window, settings.windowX, settings.windowY);
    if (settings.windowMaximized)
        glfwMaximizeWindow(window);
    glfwSetDropCallback(window, onDrop);
    glfwSetKeyCallback(window, onKey); // before ImGui's backend, which chains to it
    glfwSwapInterval(1);
    initImGui(window, true);

    {
        Renderers renderers;
        logTiming("renderers");
        RendererSync sync;
        sync.progressiveUpload = true;
        const double started = glfwGetTime();
        if (!settingsProblem.empty())
            addToast(s, settingsProblem, started, true);
        auto reloadUserPresets = [&] {
            std::vector<std::string> problems;
            s.view3d.userPresets = loadPresetFolder(viewer::userPresetFolder(), problems);
            for (const std::string& p : problems)
                addToast(s, "preset skipped: " + p, glfwGetTime(), true);
        };
        reloadUserPresets();
        for (const RenderPreset& p : s.view3d.userPresets)
            if (p.name == settings.preset3d && !findBuiltinPreset(p.name))
                applyPreset(s, p);

        auto savePreset = [&](const std::string& title) {
            const double now = glfwGetTime();
            RenderPreset p = s.view3d.preset;
            p.title = title;
            p.name = presetFileStem(p.title);
            if (findBuiltinPreset(p.name))
                p.name += "-mine"; // "CT bone" of yours must not hide the bundled one
            const std::filesystem::path file = viewer::userPresetFolder() / (p.name + ".json");
            try {
                createFolder(file.parent_path());
                savePresetFile(p, file);
                s.view3d.presetName = p.name;
                addToast(s, "Preset saved: " + file.string(), now);
                reloadUserPresets();
            } catch (const std::exception& e) {
                addToast(s, std::string("Preset not saved: ") + e.what(), now, true);
            }
        };

        // Settings are saved when they change (a second after the last change, atomically), so that a SIGTERM
        // or a crash loses at most that second; and at exit.
        std::string savedText = viewer::settingsText(settings);
        double saveDue = -1;
        auto saveIfChanged = [&](bool now) {
            const bool maximized = glfwGetWindowAttrib(window, GLFW_MAXIMIZED);
            settings.windowMaximized = maximized;
            if (!maximized) {
                glfwGetWindowPos(window, &settings.windowX, &settings.windowY);
                glfwGetWindowSize(window, &settings.windowWidth, &settings.windowHeight);
            }
            viewer::captureSettings(s, settings);
            const std::string text = viewer::settingsText(settings);
            if (text == savedText) {
                saveDue = -1;
                return;
            }
            if (!now && saveDue < 0)
                saveDue = glfwGetTime() + 1.0;
            if (!now && glfwGetTime() < saveDue)
                return;
            try {
                viewer::saveSettings(settingsFile, settings);
                savedText = text;
            } catch (const std::exception& e) {
                // Said once per change, not every frame.
                std::fprintf(stderr, "ctview: settings not saved: %s\n", e.what());
                savedText = text;
            }
            saveDue = -1;
        };

        // A 3D program that does not compile (a shader edited on disk): the status panel says where, a toast
        // says so once per message, and the viewer keeps running.
        auto shaderFailed = [&](const gl::GlError& e, double now) {
            if (renderers.feedback.shaderError != e.what())
                addToast(s, "Shader error: see the status panel", now, true);
            renderers.feedback.shaderError = e.what();
        };

        std::vector<std::pair<const char*, const char*>> help;
        for (const Control& c : controls())
            help.emplace_back(c.input, c.action);
        int redraw = 3;
        bool refine3d = false;        // the 3D image on screen is not the full-quality one
        bool panelInteracted = false; // a 3D panel control was dragged since the mouse went down
        // CTVIEW_FRAME_LOG=FILE: one line per frame (start and end in seconds, a mouse button held, the 3D
        // view's quality (ui::Quality3d: 0 full, 1 release, 2 interactive), rendered this frame, the
        // interactive pixel scale, its render seconds, the 3D image complete (not part-done in passes)), for
        // bench/drag: the frame loop as the user feels it.
        std::FILE* frameLog = nullptr;
        std::set<int> arrived; // preview slices (stack indices) whose pixels have been decoded
        bool loggedWindow = false, loggedFirstSlice = false, loggedComplete = false, logged3d = false;
        bool prepared3d = false; // renderers.volume.prepare() called
        if (const char* path = std::getenv("CTVIEW_FRAME_LOG"); path && *path)
            frameLog = std::fopen(path, "w");
        while (!glfwWindowShouldClose(window)) {
            if (redraw <= 0) {
                // Nothing to animate: sleep until an event, the loader's news, or the next toast expiry.
                double timeout = -1;
                if (task)
                    timeout = 0.5;
                if (s.panels.pacsBusy)
                    timeout = 0.1;  // a PACS query is under way
                if (saveDue >= 0) { // a settings save is due
                    const double left = std::max(0.01, saveDue - glfwGetTime()) + 0.01;
                    timeout = timeout < 0 ? left : std::min(timeout, left);
                }
                // A cine's next step (one frame each).
                if (s.cine.view >= 0) {
                    const double left = std::max(0.0, s.cine.next - glfwGetTime());
                    timeout = timeout < 0 ? left : std::min(timeout, left);
                }
                // The 3D view renders once at full quality when the user stops dragging it (after a Release
                // frame, and in passes, when a full one is slow).
                if (interacting3d(s, glfwGetTime()) || refine3d)
                    timeout = std::max(0.0, s.view3d.interactUntil - glfwGetTime()) + 0.01;
                for (const viewer::Toast& t : s.toasts) {
                    const double left = std::max(0.01, t.expires - glfwGetTime());
                    timeout = timeout < 0 ? left : std::min(timeout, left);
                }
                if (timeout < 0)
                    glfwWaitEvents();
                else
                    glfwWaitEventsTimeout(timeout);
                // A few frames, so that ImGui's hover and layout settle; one while a load is under way
                // (its news wakes the loop a few times a second, and llvmpipe draws on the decoders' cores).
                redraw = task ? 1 : 3;
            } else {
                glfwPollEvents();
            }
            --redraw;
            const double now = glfwGetTime();
            SceneStats frame;

            if (task) {
                task->progress(s.load.stage, s.load.done, s.load.total);
                // Show the slices decoded so far (the first ones appear long before a big series is
                // complete).
                std::shared_ptr<Dataset> preview = s.data && s.data->preview ? s.data : nullptr;
                std::vector<int> dirty;
                // A bounded batch per frame (the oldest first: the opening slice was decoded first), so
                // that the window stays live while a large series pours in.
                if (task->takePreview(preview, dirty, 32)) {
                    if (preview != s.data) {
                        adoptDataset(s, preview);
                        arrived.clear();
                    }
                    arrived.insert(dirty.begin(), dirty.end());
                    s.measured.forget(); // the preview's voxels changed under the same buffer
                    sync.dirtySlices.insert(sync.dirtySlices.end(), dirty.begin(), dirty.end());
                    if (task->previewPending() > 0)
                        redraw = std::max(redraw, 1); // the next frame takes the next batch
                }
                if (task->finished()) {
                    logTiming("loaded");
                    std::string error;
                    std::shared_ptr<Dataset> d = task->take(error);
                    // Its thread goes on to the 3D view's statistics; the slice views show the series now.
                    statsTask = std::exchange(task, nullptr);
                    s.load.active = false;
                    s.load.error = error;
                    if (!error.empty() && !common.quiet)
                        std::fprintf(stderr, "ctview: %s\n", error.c_str());
                    if (!d && s.data && s.data->preview)
                        s.data.reset(); // the load failed: no half series
                    if (d) {
                        adoptDataset(s, std::move(d));
                        restoreAnnotations(s, glfwGetTime());
                        viewer::addRecent(settings, s.load.input);
                        s.recent = settings.recent;
                        // A title that scripts (and the end-to-end test) can wait for.
                        glfwSetWindowTitle(window, titleFor(s).c_str());
                    }
                    redraw = 3;
                }
            }

            if (statsTask && !statsTask->statsPending()) {
                if (s.data)
                    statsTask->takeStats(*s.data); // the 3D view starts with the next frame
                statsTask.reset();
                redraw = 3;
            }

            ImGui_ImplOpenGL3_NewFrame();
            ImGui_ImplGlfw_NewFrame();
            ImGui::NewFrame();
            const ImGuiIO& io = ImGui::GetIO();
            const float side = s.panels.sidebar ? ui::sidebarWidth(s, io.DisplaySize.x) : 0;
            viewer::layoutCells(s, Rect{side, 0, io.DisplaySize.x - side, io.DisplaySize.y});

            // Every command of this frame, from the keys, the panels and the window system, carried out
            // below.
            viewer::Commands commands = handleInput(s, inputFromImGui(now));
            for (const std::string& path : droppedPaths)
                commands.push_back({viewer::Command::Kind::Open, path});
            droppedPaths.clear();
            if (s.panels.sidebar)
                ui::drawSidebar(s, commands);
            ui::drawStatus(s, renderers.feedback, now);
            ui::drawOpenDialog(s, commands);
            ui::drawPacsDialog(s, commands);
            ui::drawHelp(s, help);
            ui::drawOverlays(s, renderers.feedback, ImGui::GetBackgroundDrawList());
            // An edit is over when no button is held (a drag of W/L or of a transfer-function point is one
            // edit).
            viewer::trackUndo(s, ImGui::IsAnyMouseDown());
            ImGui::Render();

            int fbw = 0, fbh = 0;
            glfwGetFramebufferSize(window, &fbw, &fbh);
            const float fbScale = io.DisplaySize.x > 0 ? float(fbw) / io.DisplaySize.x : 1.0f;
            try {
                syncRenderer(s, renderers, sync);
                if (renderers.slices.uploading())
                    redraw = std::max(redraw, 1); // the volume goes up over the next frames
            } catch (const gl::GlError& e) {
                // The volume does not fit this GPU: say so in the window, keep the panels working.
                s.load.error = e.what();
                s.data.reset();
                sync = {};
                sync.progressiveUpload = true;
            }
            // A 3D panel control being dragged: coarse frames until a quarter second after its last change,
            // or at once when the mouse is let go.
            const bool panelInteracting =
                std::any_of(commands.begin(), commands.end(), [](const viewer::Command& c) {
                    return c.kind == viewer::Command::Kind::Interacting3D;
                });
            if (panelInteracting)
                s.view3d.interactUntil = now + 0.25;
            else if (panelInteracted && !ImGui::IsAnyMouseDown())
                s.view3d.interactUntil = std::min(s.view3d.interactUntil, now);
            if (panelInteracting)
                panelInteracted = true;
            else if (!ImGui::IsAnyMouseDown())
                panelInteracted = false;
            try {
                frame = drawScene(s, renderers, {fbw, fbh}, fbScale, now, /*timed=*/true);
            } catch (const gl::GlError& e) {
                // A program compiled on first use (a new 3D mode): choosing a mode that compiles brings the
                // picture back.
                shaderFailed(e, now);
            }
            refine3d = frame.quality != ui::Quality3d::Full || !frame.complete;
            ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());

            std::string open;
            int loadSeries = 0;
            for (const viewer::Command& c : commands) {
                switch (c.kind) {
                case viewer::Command::Kind::SaveSlice:
                    saveSlice(s, now);
                    break;
                case viewer::Command::Kind::SaveRender:
                    saveRender(s, renderers, sync, fbScale, now);
                    glViewport(0, 0, fbw, fbh);
                    break;
                case viewer::Command::Kind::Screenshot:
                    glBindFramebuffer(GL_READ_FRAMEBUFFER, 0);
                    glReadBuffer(GL_BACK);
                    saveScreenshot(s, gl::readPixels(0, 0, fbw, fbh), now);
                    break;
                case viewer::Command::Kind::Quit:
                    glfwSetWindowShouldClose(window, GLFW_TRUE);
                    break;
                case viewer::Command::Kind::ShowOpen:
                    s.panels.open = true;
                    break;
                case viewer::Command::Kind::ClosePopups:
                    ImGui::ClosePopupToLevel(0, true);
                    break;
                case viewer::Command::Kind::ReloadShaders:
                    renderers.feedback.shaderError = renderers.reload();
                    addToast(s,
                             renderers.feedback.shaderError.empty()
                                 ? "Shaders reloaded"
                                 : "Shader error: the last good program stays",
                             now, !renderers.feedback.shaderError.empty());
                    break;
                case viewer::Command::Kind::Open:
                    open = c.path;
                    break; // the last one asked for wins
                case viewer::Command::Kind::LoadSeries:
                    loadSeries = c.series;
                    break;
                case viewer::Command::Kind::SavePreset:
                    savePreset(c.path);
                    break;
                case viewer::Command::Kind::Interacting3D:
                    break; // above, before drawing
                case viewer::Command::Kind::RecordMovie:
                case viewer::Command::Kind::RecordTurntable:
                    if (!movie && !turntable && s.hasVolume() && !s.data->preview) {
                        MovieFormat format = MovieFormat::Mp4;
                        parseMovieFormat(c.path, format);
                        try {
                            if (c.kind == viewer::Command::Kind::RecordMovie)
                                movie = recordSlices(s, std::clamp(c.series, 0, 2), format);
                            else if (!s.data->stats) // as S over the 3D view: its bricks are not known yet
                                addToast(
                                    s, "The series is still loading: record the 3D view when it is complete",
                                    now, true);
                            else
                                turntable =
                                    std::make_unique<TurntableRecorder>(s, renderSize3d(s, fbScale), format);
                        } catch (const std::exception& e) {
                            addToast(s, std::string("Could not record: ") + e.what(), now, true);
                        }
                    }
                    break;
                }
            }
            // A movie being made: its progress in the panel, its file (or its failure) in a toast. A
            // turntable's frames are drawn here, one a frame, after the window's own (the window stays live).
            if (turntable) {
                turntable->step(renderers, sync);
                glViewport(0, 0, fbw, fbh);
            }
            s.recording.active = movie || turntable;
            if (s.recording.active) {
                s.recording.done = movie ? movie->done() : turntable->done();
                s.recording.total = movie ? movie->total() : turntable->total();
                s.recording.stage = turntable && turntable->drawing() ? "rendering" : "encoding";
                redraw = std::max(redraw, 1);
                const bool finished = movie ? movie->finished() : turntable->finished();
                if (finished) {
                    std::string error;
                    const auto written = movie ? movie->result(error) : turntable->result(error);
                    if (error.empty())
                        addToast(s, "Saved the movie\n" + written.string(), now);
                    else
                        addToast(s, "Could not save the movie: " + error, now, true);
                    movie.reset();
                    turntable.reset();
                }
            }
            glfwSwapBuffers(window);
            // The 3D program is compiled once the first slice is on screen (or nothing is loading), not
            // before the first frame: the 3D view needs it only after the volume's statistics.
            if (!prepared3d && (!s.load.active || (s.hasVolume() && !s.data->preview))) {
                prepared3d = true;
                try {
                    renderers.volume.prepare();
                } catch (const gl::GlError& e) {
                    shaderFailed(e, now);
                }
            }
            if (timing) {
                // The axial view's slice (view 0) drawn from decoded pixels, not from the preview's air.
                const bool sliceReal =
                    s.hasVolume() && (!s.data->preview || arrived.count(viewer::sliceOf(s, 0)) > 0);
                for (auto [done, event, happened] :
                     {std::tuple{&loggedWindow, "window", true},
                      std::tuple{&loggedFirstSlice, "first_slice", sliceReal},
                      std::tuple{&loggedComplete, "complete", s.hasVolume() && !s.data->preview},
                      std::tuple{&logged3d, "3d", frame.rendered3d}})
                    if (!*done && happened) {
                        logTiming(event);
                        *done = true;
                    }
            }
            if (frameLog) {
                std::fprintf(frameLog, "%.4f %.4f %d %d %d %.3f %.4f %d\n", now, glfwGetTime(),
                             int(ImGui::IsAnyMouseDown()), int(frame.quality), int(frame.rendered3d),
                             double(renderers.feedback.interactiveScale), frame.seconds3d,
                             int(frame.complete));
                std::fflush(frameLog); // a benchmark may kill the viewer at any moment
            }

            if (loadSeries > 0 && s.data && !task)
                startLoad(s.load.input, std::to_string(loadSeries), s.data->source);
            if (!open.empty())
                startLoad(open, "", nullptr);
            saveIfChanged(false);
            saveAnnotations(s, glfwGetTime());
            for (const viewer::Command& c : commands)
                if (c.kind != viewer::Command::Kind::Interacting3D)
                    redraw = 3;
        }

        if (frameLog)
            std::fclose(frameLog);
        // And once more at the end (what changed in the last second is not lost).
        saveIfChanged(true);
        if (task)
            task->wait();
        task.reset();
        statsTask.reset();
    }
    glfwUp = false;
    if (timing)
        std::fclose(timing);
    shutdownImGui(true);
    destroyGlWindow(window);
    return 0;
}

} // namespace ctview::app
