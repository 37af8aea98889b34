// The window: GLFW + OpenGL 4.1 core + ImGui, and the frame loop (Viewer::run: wait, pump the load, build the
// UI, render, carry out the commands, record, swap). Idle means idle: when nothing changes the loop sleeps in
// glfwWaitEvents; the loader thread wakes it with glfwPostEmptyEvent when it has news.
#include "app/actions.h"
#include "app/gl_context.h"
#include "app/headless.h"
#include "app/movie_job.h"
#include "app/scene.h"
#include "app/share_job.h"
#include "app/subcommands.h"
#include "base/error.h"
#include "base/fsutil.h"
#include "base/text.h"
#include "render/slice_renderer.h"
#include "sources/archive.h"
#include "ui/panels.h"
#include "viewer/curve_task.h"
#include "viewer/fuse_task.h"
#include "viewer/input.h"
#include "viewer/label_task.h"
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
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <tuple>

namespace ctview::app {

namespace {

// Key presses as GLFW reports them. ImGui 1.86 only sees which keys are down at the start of a frame, so a
// press and release that arrive together (fast typing, xdotool, a slow frame on software GL) would be lost.
struct KeyPress {
    int key, mods;
};

// The folder `ctview` opens with no argument: the last one opened, else the phantom built next to the binary.
std::string defaultInput(const viewer::Settings& settings) {
    std::error_code ec;
    for (const std::string& r : settings.prefs.recent)
        if (isArchiveUrl(r) || std::filesystem::exists(r, ec))
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

// viewer::keycode holds GLFW's values, so that GLFW's codes pass through to the input handling unchanged.
namespace keycode = viewer::keycode;
static_assert(keycode::Space == GLFW_KEY_SPACE && keycode::Digit1 == GLFW_KEY_1 &&
              keycode::Digit4 == GLFW_KEY_4);
static_assert(keycode::A == GLFW_KEY_A && keycode::Z == GLFW_KEY_Z && GLFW_KEY_Z - GLFW_KEY_A == 25);
static_assert(keycode::Escape == GLFW_KEY_ESCAPE && keycode::Enter == GLFW_KEY_ENTER &&
              keycode::Tab == GLFW_KEY_TAB && keycode::Backspace == GLFW_KEY_BACKSPACE &&
              keycode::Delete == GLFW_KEY_DELETE);
static_assert(keycode::Right == GLFW_KEY_RIGHT && keycode::Left == GLFW_KEY_LEFT &&
              keycode::Down == GLFW_KEY_DOWN && keycode::Up == GLFW_KEY_UP &&
              keycode::PageUp == GLFW_KEY_PAGE_UP && keycode::PageDown == GLFW_KEY_PAGE_DOWN &&
              keycode::Home == GLFW_KEY_HOME && keycode::End == GLFW_KEY_END);
static_assert(keycode::F1 == GLFW_KEY_F1 && keycode::F5 == GLFW_KEY_F5 && keycode::F12 == GLFW_KEY_F12 &&
              keycode::KpEnter == GLFW_KEY_KP_ENTER);

// One frame's input from ImGui's IO, with the key presses GLFW reported since the last frame (`keys` is
// emptied).
viewer::InputFrame inputFromImGui(double now, std::vector<KeyPress>& keys) {
    const ImGuiIO& io = ImGui::GetIO();
    viewer::InputFrame in;
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
    for (const KeyPress& k : keys)
        in.keys.push_back({k.key, (k.mods & GLFW_MOD_CONTROL) != 0, (k.mods & GLFW_MOD_SHIFT) != 0});
    keys.clear();
    in.uiWantsMouse = io.WantCaptureMouse;
    in.uiWantsKeyboard = io.WantCaptureKeyboard;
    in.popupOpen = ImGui::IsPopupOpen("", ImGuiPopupFlags_AnyPopupId | ImGuiPopupFlags_AnyPopupLevel);
    in.now = now;
    return in;
}

// The file an environment variable names, open for writing while this lives; none when the variable is unset
// or empty. The benchmarks' logs.
class EnvFile {
  public:
    explicit EnvFile(const char* variable) {
        if (const char* path = std::getenv(variable); path && *path)
            file_ = std::fopen(path, "w");
    }
    ~EnvFile() {
        if (file_)
            std::fclose(file_);
    }
    EnvFile(const EnvFile&) = delete;
    EnvFile& operator=(const EnvFile&) = delete;
    std::FILE* get() const { return file_; }

  private:
    std::FILE* file_ = nullptr;
};

// CTVIEW_TIMING=FILE: when the window first shows, when the first slice with real pixels is drawn and when
// the volume is complete, as "event seconds" lines (CLOCK_REALTIME, so that bench/first-slice can subtract
// its own launch time).
class TimingLog {
  public:
    bool on() const { return file_.get() != nullptr; }
    void event(const char* name) {
        if (!on())
            return;
        timespec ts{};
        clock_gettime(CLOCK_REALTIME, &ts);
        std::fprintf(file_.get(), "%s %.4f\n", name, double(ts.tv_sec) + ts.tv_nsec * 1e-9);
        std::fflush(file_.get());
    }
    // The first time `happened` holds.
    void once(const char* name, bool happened) {
        if (happened && logged_.insert(name).second)
            event(name);
    }

  private:
    EnvFile file_{"CTVIEW_TIMING"};
    std::set<std::string> logged_;
};

// CTVIEW_FRAME_LOG=FILE: one line per frame (start and end in seconds, a mouse button held, the 3D view's
// quality (ui::Quality3d: 0 full, 1 release, 2 interactive), rendered this frame, the interactive pixel
// scale, its render seconds, the 3D image complete (not part-done in passes)), for bench/drag: the frame loop
// as the user feels it.
class FrameLog {
  public:
    void frame(double start, const SceneStats& stats, float interactiveScale) {
        std::FILE* f = file_.get();
        if (!f)
            return;
        std::fprintf(f, "%.4f %.4f %d %d %d %.3f %.4f %d\n", start, glfwGetTime(),
                     int(ImGui::IsAnyMouseDown()), int(stats.quality), int(stats.rendered3d),
                     double(interactiveScale), stats.seconds3d, int(stats.complete));
        std::fflush(f); // a benchmark may kill the viewer at any moment
    }

  private:
    EnvFile file_{"CTVIEW_FRAME_LOG"};
};

// What one frame measured and decided, passed between the loop's steps.
struct Frame {
    double now = 0;
    int fbw = 0, fbh = 0; // the framebuffer, in pixels
    float fbScale = 1;    // framebuffer pixels per window pixel
    SceneStats stats;
    std::string open;   // a folder, file or URL to open after the frame
    int loadSeries = 0; // another series of the open source to load after the frame
};

// The window and its frame loop. Owns the state, the settings, the load, the renderers and the movies being
// made; the window system's callbacks reach it through the window's user pointer.
class Viewer {
  public:
    Viewer(const CommonOptions& common, const ViewerOptions& options);
    ~Viewer();
    Viewer(const Viewer&) = delete;
    Viewer& operator=(const Viewer&) = delete;
    void run();
    void settleNewToast();
    void stepToPhase(Frame& f, int phase);

  private:
    static Viewer& of(GLFWwindow* window) { return *static_cast<Viewer*>(glfwGetWindowUserPointer(window)); }
    // `labels`: segmentation files to open on the series (--labels, for the series the command line opens).
    void startLoad(std::string path, const std::string& series, std::shared_ptr<const SeriesSource> source,
                   std::vector<std::string> labels = {});
    void waitForEvents();
    void pumpLoad();
    void pumpLabels();
    void pumpFusion();
    void pumpCurve();
    void startCurve(int annotation);
    void registerImageLayer();
    void realignImageLayer(const glm::dmat4& link);
    void startFuseTask(viewer::FuseRequest request);
    bool mayClose();
    viewer::Commands buildUi(Frame& f);
    void render(Frame& f, const viewer::Commands& commands);
    void execute(Frame& f, const viewer::Commands& commands);
    void stepPhases(Frame& f, viewer::Commands& commands);
    std::map<int, std::shared_ptr<Dataset>> keptPhases() const;
    void recordMovie(const Frame& f, const viewer::Command& c);
    void stepMovies(const Frame& f);
    void startShare(const Frame& f, const viewer::Command& c);
    void stepShare(const Frame& f);
    void afterSwap(Frame& f, const viewer::Commands& commands);
    void reloadUserPresets();
    void savePreset(const std::string& title);
    void saveIfChanged(bool now);
    void shaderFailed(const gl::GlError& e, double now);
    // How the renderers take a series in the window: progressively; on a software renderer, a large volume
    // plane by plane with a downsampled 3D copy, so that the process holds one full copy of the volume.
    void configureSync() {
        sync_.progressiveUpload = true;
        constexpr std::uint64_t kSoftwareTextureBytes = std::uint64_t(256) << 20;
        sync_.planesAbove = software_ ? kSoftwareTextureBytes : 0;
        sync_.maxBytes3d = software_ ? kSoftwareTextureBytes : 0;
        max3dTexture_ = gl::max3dTextureSize();
        // Other phases of a 4D series keep their 3D textures (a step back uploads nothing): on a software
        // renderer in the process's memory, beside the phases the viewer keeps (at most half of it free), so
        // a quarter of what is free; on a GPU half its free memory when the driver says, else 1 GiB.
        const std::uint64_t gpuFree = software_ ? 0 : gl::freeGpuMemoryBytes();
        sync_.phaseTextureBytes = software_ ? availableMemoryBytes() / 4
                                  : gpuFree ? gpuFree / 2
                                            : std::uint64_t(1) << 30;
    }
    // The 3D view's limits, for the load task to make its downsampled copy (none before the GL context).
    viewer::LoadTask::Staging staging3d() const {
        viewer::LoadTask::Staging staging;
        staging.max3dTexture =
            sync_.max3dTexture > 0 ? std::min(sync_.max3dTexture, max3dTexture_) : max3dTexture_;
        staging.maxBytes3d = sync_.maxBytes3d;
        return staging;
    }

    const CommonOptions& common_;
    TimingLog timing_;
    FrameLog frameLog_;
    std::string settingsProblem_;
    const std::filesystem::path settingsFile_;
    viewer::Settings settings_;
    std::string savedSettings_; // the settings' text as last saved
    std::string title_;         // the window's title as last set
    int max3dTexture_ = 0;      // GL_MAX_3D_TEXTURE_SIZE, once there is a context
    bool software_ = false;     // the GL context draws on the CPU (llvmpipe): textures cost process memory

    double saveDue_ = -1; // when the changed settings are saved (a second after the change), or -1
    viewer::AppState s_;
    LoadOptions loadOptions_;
    // The loader's news wakes the frame loop only once GLFW is up (the load starts before the window).
    std::atomic<bool> glfwUp_{false};
    std::unique_ptr<viewer::LoadTask> task_;
    std::unique_ptr<viewer::LabelTask> labelTask_;        // a segmentation being added to the open series
    std::deque<std::pair<std::string, bool>> labelQueue_; // the ones to add after it (path, dropped)
    std::unique_ptr<viewer::CurveTask> curveTask_;        // a measurement's time-density curve being made
    std::unique_ptr<viewer::FuseTask> fuseTask_;          // a series being fused over the open one
    std::optional<FusionPlan> fuseNext_;                  // the one to fuse once the open series is complete
    FusionPlan fusing_;                                   // the plan of the one being fused (its look)
    bool reregistering_ = false;                          // the task registers the one shown: its look stays
    std::unique_ptr<viewer::LoadTask> statsTask_; // a finished load still computing the 3D view's statistics
    std::unique_ptr<MovieJob> movie_;             // Cine's "Record movie" under way
    std::unique_ptr<ShareJob> share_;             // "Share": a copy or a send under way
    // The phases of the 4D series on show already loaded (with their 3D statistics), by phase: stepping back
    // to one is a swap, not a load. Emptied when another series is shown.
    std::map<int, std::shared_ptr<Dataset>> phases_;
    std::unique_ptr<TurntableRecorder> turntable_; // the 3D view's "Record" under way
    GLFWwindow* window_ = nullptr;
    std::unique_ptr<Renderers> renderers_; // made once the GL context exists, gone before it
    RendererSync sync_;
    std::vector<std::pair<std::string, bool>> droppedPaths_; // GLFW's drops (path, Shift held), main thread
    std::vector<KeyPress> pendingKeys_;                      // from GLFW's key callback, on the main thread
    std::vector<std::pair<const char*, const char*>> help_;
    int redraw_ = 3;               // frames still to draw before sleeping
    double lastToast_ = 0;         // the newest toast's expiry when last drawn (settleNewToast)
    bool refine3d_ = false;        // the 3D image on screen is not the full-quality one
    bool panelInteracted_ = false; // a 3D panel control was dragged since the mouse went down
    std::set<int> arrived_;        // preview slices (stack indices) whose pixels have been decoded
    bool prepared3d_ = false;      // renderers_->volume.prepare() called
};

Viewer::Viewer(const CommonOptions& common, const ViewerOptions& options)
    : common_(common), settingsFile_(viewer::settingsPath()),
      settings_(viewer::loadSettings(settingsFile_, settingsProblem_)), loadOptions_(loadOptionsFor(common)) {
    // A path that is not there opens the window as an empty folder or a bad file does, and it says why there
    // (and on stderr): one behaviour for every input that cannot be opened. A settings problem is also shown
    // in the window as a toast; -q keeps stderr quiet.
    if (!settingsProblem_.empty() && !common.quiet)
        std::fprintf(stderr, "ctview: %s\n", settingsProblem_.c_str());
    viewer::applySettings(settings_, s_);
    s_.exportDir = options.outDir;
    if (!options.fuse.source.empty() || !options.fuse.compare.empty())
        fuseNext_ = planFusion(options.fuse); // checked before the window (runViewer)
    savedSettings_ = viewer::settingsText(settings_);
    timing_.event("start");

    // The load starts before the window and its GL context exist: scanning and decoding overlap the seconds a
    // GL driver may take to start (and the workers fork from a process without driver threads).
    loadOptions_.progress = nullptr; // progress goes to the window
    s_.resample = loadOptions_.resample;
    const std::string input = common.input.empty() ? defaultInput(settings_) : common.input;
    if (!input.empty())
        startLoad(input, common.series, nullptr, common.labels);

    // The default size fits the screen (a 1280-pixel laptop); a size the user left is theirs.
    window_ = createGlWindow(settings_.window.width, settings_.window.height, "ctview", true,
                             !settings_.window.sized);
    glfwUp_ = true;
    timing_.event("context");
    if (settings_.window.x >= 0 && settings_.window.y >= 0)
        glfwSetWindowPos(window_, settings_.window.x, settings_.window.y);
    if (settings_.window.maximized)
        glfwMaximizeWindow(window_);
    glfwSetWindowUserPointer(window_, this);
    glfwSetDropCallback(window_, [](GLFWwindow* w, int count, const char** paths) {
        // Shift held as it lands: beside the open series (droppedCommand).
        const bool shift = glfwGetKey(w, GLFW_KEY_LEFT_SHIFT) == GLFW_PRESS ||
                           glfwGetKey(w, GLFW_KEY_RIGHT_SHIFT) == GLFW_PRESS;
        for (int n = 0; n < count; ++n)
            of(w).droppedPaths_.emplace_back(paths[n], shift);
    });
    glfwSetKeyCallback(window_, [](GLFWwindow* w, int key, int, int action, int mods) { // before ImGui's,
        if (action == GLFW_PRESS || action == GLFW_REPEAT)                              // which chains to it
            of(w).pendingKeys_.push_back({key, mods});
    });
    glfwSwapInterval(1);
    initImGui(window_, true);

    renderers_ = std::make_unique<Renderers>();
    timing_.event("renderers");
    software_ = gl::softwareRenderer();
    configureSync();
    if (task_) // the first load started before the window: now its 3D copy can be made on its thread
        task_->set3dLimits(staging3d().max3dTexture, staging3d().maxBytes3d);
    if (!settingsProblem_.empty())
        addToast(s_, settingsProblem_, glfwGetTime(), true);
    reloadUserPresets();
    for (const RenderPreset& p : s_.view3d.userPresets)
        if (p.name == settings_.look.preset3d && !findBuiltinPreset(p.name))
            applyPreset(s_, p);
    for (const viewer::Control& c : viewer::controls())
        help_.emplace_back(c.input, c.action);
}

Viewer::~Viewer() {
    // Once more at the end (what changed in the last second is not lost).
    saveIfChanged(true);
    settleAutosaveAtExit(s_);
    if (task_)
        task_->wait();
    task_.reset();
    statsTask_.reset();
    renderers_.reset(); // GL objects before their context
    glfwUp_ = false;
    shutdownImGui(true);
    destroyGlWindow(window_);
}

// Whether the window may close now: with unsaved segment edits it asks first (the editor's askQuit), and
// closes once they are saved or let go.
bool Viewer::mayClose() {
    if (!glfwWindowShouldClose(window_))
        return false;
    if (!s_.editor.unsaved || s_.editor.quitAnyway)
        return true;
    glfwSetWindowShouldClose(window_, GLFW_FALSE);
    s_.editor.askQuit = true;
    redraw_ = 3;
    return false;
}

// A toast added by a job that finished (a share, a movie) gets the few frames that ImGui needs to fit its
// box to the text; else the loop sleeps on a box sized for half of it until the next event.
void Viewer::settleNewToast() {
    const double newest = s_.toasts.empty() ? 0.0 : s_.toasts.back().expires;
    if (newest != lastToast_)
        redraw_ = std::max(redraw_, 3);
    lastToast_ = newest;
}

void Viewer::run() {
    while (!mayClose()) {
        if (redraw_ <= 0)
            waitForEvents();
        else
            glfwPollEvents();
        --redraw_;
        Frame f;
        f.now = glfwGetTime();
        pumpLoad();
        viewer::Commands commands = buildUi(f);
        stepPhases(f, commands);
        render(f, commands);
        settleNewToast();
        execute(f, commands);
        stepMovies(f);
        stepShare(f);
        // The title follows what is shown (a series loaded, the anonymous setting switched).
        if (std::string title = viewer::windowTitle(s_); title != title_) {
            glfwSetWindowTitle(window_, title.c_str());
            title_ = std::move(title);
        }
        glfwSwapBuffers(window_);
        afterSwap(f, commands);
    }
}

// `path` by value: another series of the same input is started with s_.load.input itself, which the next line
// clears (an empty path then went into the recent list, and the Open dialog aborted on it).
void Viewer::startLoad(std::string path, const std::string& series,
                       std::shared_ptr<const SeriesSource> source, std::vector<std::string> labels) {
    if (task_)
        return; // one load at a time; the Open buttons are disabled meanwhile
    s_.load = {};
    s_.load.active = true;
    s_.load.input = path;
    loadOptions_.login = s_.pacsLogin; // the PACS dialog's, if the user logged in there
    auto wake = [this] {
        if (glfwUp_)
            glfwPostEmptyEvent();
    };
    viewer::LoadTask::Staging staging = staging3d();
    staging.previewDelay = 0.3;
    staging.statsAfterSeries = true;
    staging.labels = std::move(labels);
    task_ = std::make_unique<viewer::LoadTask>(std::move(path), series, loadOptions_, std::move(source), wake,
                                               std::move(staging));
}

// Nothing to animate: sleeps until an event, the loader's news, or whatever is due next (a settings save, a
// cine step, the 3D view's full-quality frame, a toast's expiry).
void Viewer::waitForEvents() {
    double timeout = -1;
    auto until = [&](double left) { timeout = timeout < 0 ? left : std::min(timeout, left); };
    if (task_)
        timeout = 0.5;
    if (s_.panels.pacsBusy)
        timeout = 0.1; // a PACS query is under way
    if (saveDue_ >= 0)
        until(std::max(0.01, saveDue_ - glfwGetTime()) + 0.01);
    if (s_.cine.view >= 0)
        until(std::max(0.0, s_.cine.next - glfwGetTime())); // a cine's next step (one frame each)
    // The 3D view renders once at full quality when the user stops dragging it (after a Release frame, and in
    // passes, when a full one is slow).
    if (interacting3d(s_, glfwGetTime()) || refine3d_)
        timeout = std::max(0.0, s_.view3d.interactUntil - glfwGetTime()) + 0.01;
    for (const viewer::Toast& t : s_.toasts)
        until(std::max(0.01, t.expires - glfwGetTime()));
    if (timeout < 0)
        glfwWaitEvents();
    else
        glfwWaitEventsTimeout(timeout);
    // A few frames, so that ImGui's hover and layout settle; one while a load is under way (its news wakes
    // the loop a few times a second, and llvmpipe draws on the decoders' cores).
    redraw_ = task_ ? 1 : 3;
}

// The load task's news: its progress, the slices decoded so far, the loaded series, then its statistics.
void Viewer::pumpLoad() {
    if (task_) {
        task_->progress(s_.load.stage, s_.load.done, s_.load.total);
        // Show the slices decoded so far (the first ones appear long before a big series is complete).
        std::shared_ptr<Dataset> preview = s_.scene.base && s_.scene.base->preview ? s_.scene.base : nullptr;
        std::vector<int> dirty;
        // A bounded batch per frame (the oldest first: the opening slice was decoded first), so that the
        // window stays live while a large series pours in.
        if (task_->takePreview(preview, dirty, 32)) {
            if (preview != s_.scene.base) {
                adoptDataset(s_, preview);
                arrived_.clear();
            }
            arrived_.insert(dirty.begin(), dirty.end());
            s_.measured.forget(); // the preview's voxels changed under the same buffer
            sync_.dirtySlices.insert(sync_.dirtySlices.end(), dirty.begin(), dirty.end());
            if (task_->previewPending() > 0)
                redraw_ = std::max(redraw_, 1); // the next frame takes the next batch
        }
        if (task_->finished()) {
            timing_.event("loaded");
            std::string error;
            std::shared_ptr<Dataset> d = task_->take(error);
            // Its thread goes on to the 3D view's statistics; the slice views show the series now.
            statsTask_ = std::exchange(task_, nullptr);
            s_.load.active = false;
            s_.load.error = error;
            if (!error.empty() && !common_.quiet)
                std::fprintf(stderr, "ctview: %s\n", error.c_str());
            if (!d && s_.scene.base && s_.scene.base->preview)
                s_.scene.base.reset(); // the load failed: no half series
            if (d) {
                adoptDataset(s_, std::move(d));
                restoreAnnotations(s_, glfwGetTime());
                offerAutosave(s_, glfwGetTime());
                viewer::addRecent(s_.prefs.recent, s_.load.input);
            }
            redraw_ = 3;
        }
    }
    if (statsTask_ && !statsTask_->statsPending()) {
        if (s_.scene.base)
            statsTask_->takeStats(*s_.scene.base); // the 3D view starts with the next frame
        statsTask_.reset();
        redraw_ = 3;
    }
    pumpLabels();
    pumpFusion();
    pumpCurve();
}

// The time-density curve being made: into the state once done (for the measurement it was asked for).
void Viewer::pumpCurve() {
    if (!curveTask_ || !curveTask_->finished())
        return;
    std::string error;
    std::vector<float> values = curveTask_->take(error);
    if (s_.timeCurve.of == curveTask_->annotation()) {
        s_.timeCurve.hu = std::move(values);
        s_.timeCurve.error = error;
        s_.timeCurve.running = false;
    }
    curveTask_.reset();
    redraw_ = 3;
}

// The phases of the 4D series on show that the window holds, by number, the one shown among them.
std::map<int, std::shared_ptr<Dataset>> Viewer::keptPhases() const {
    std::map<int, std::shared_ptr<Dataset>> kept;
    for (const auto& [n, d] : phases_)
        if (d == s_.scene.base || viewer::isAnotherPhase(*d, *s_.scene.base))
            kept[n] = d;
    kept[s_.scene.base->series.about.phase] = s_.scene.base;
    return kept;
}

// "Curve over phases": measurement `annotation` at every phase of the 4D series on show, from the phases kept
// and the others loaded on the task's thread.
void Viewer::startCurve(int annotation) {
    if (curveTask_ || !s_.hasVolume() || s_.scene.base->preview || !s_.scene.base->source || annotation < 0 ||
        annotation >= int(s_.annotations.size()))
        return;
    const Provenance& about = s_.scene.base->series.about;
    const std::vector<SeriesListing>& rows = s_.scene.base->source->series();
    const auto row = std::find_if(rows.begin(), rows.end(),
                                  [&](const SeriesListing& r) { return r.number == about.listing.number; });
    if (row == rows.end() || row->phases < 2)
        return;
    std::map<int, std::shared_ptr<Dataset>> kept = keptPhases();
    s_.timeCurve = {};
    s_.timeCurve.of = s_.annotations[std::size_t(annotation)];
    s_.timeCurve.when = row->phaseValues;
    s_.timeCurve.running = true;
    LoadOptions options = loadOptions_;
    curveTask_ = std::make_unique<viewer::CurveTask>(about.location, about.listing.number, int(row->phases),
                                                     s_.timeCurve.of, std::move(kept), options, [this] {
                                                         if (glfwUp_)
                                                             glfwPostEmptyEvent();
                                                     });
}

// A series fused over the open one: started once that is complete, shown on the grid it was resampled onto
// (another phase of the series keeps the grid); a series opened meanwhile drops it.
void Viewer::pumpFusion() {
    if (fuseTask_ && fuseTask_->finished()) {
        std::string error;
        std::optional<viewer::ImageLayerView> layer = fuseTask_->take(error);
        const std::optional<Registration> registered = fuseTask_->registration();
        const std::string name = fuseTask_->input();
        const Dataset* on = fuseTask_->dataset();
        const bool current =
            s_.hasVolume() && (on == s_.scene.base.get() || viewer::isAnotherPhase(*on, *s_.scene.base));
        fuseTask_.reset();
        redraw_ = 3;
        const double now = glfwGetTime();
        if (layer && current) {
            // Registered anew: as it was shown; else as the plan says.
            if (reregistering_ && !s_.scene.images.empty())
                viewer::copyLook(*layer, s_.scene.images.front());
            else
                applyFusionLook(*layer, fusing_);
            const std::string doubt = registered ? viewer::registrationDoubt(*registered) : "";
            const bool guess = !doubt.empty() || (!registered && viewer::linkIsAGuess(s_.scene.base->series,
                                                                                      layer->series->series));
            const std::string what =
                registered ? "Registered " + name + " (" + viewer::describeRegistration(*registered) + ")"
                : reregistering_                                ? "Aligned " + name
                : layer->mode == viewer::FusionMode::SideBySide ? "Beside it: " + name
                                                                : "Fused " + name;
            addToast(s_, what + ": " + layer->link + (doubt.empty() ? "" : "\n" + doubt), now, guess);
            viewer::setImageLayer(s_, std::move(*layer));
        } else if (layer) {
            addToast(s_, name + " not fused: another series was opened meanwhile", now, true);
        } else {
            s_.messages.push_back(error);
            addToast(s_, error, now, true);
        }
    }
    if (!fuseTask_ && fuseNext_ && !task_ && s_.hasVolume() && !s_.scene.base->preview) {
        fusing_ = *std::exchange(fuseNext_, std::nullopt);
        reregistering_ = false;
        addToast(s_,
                 (fusing_.mode == viewer::FusionMode::SideBySide ? "Opening " : "Fusing ") +
                     fusing_.options.source +
                     (fusing_.mode == viewer::FusionMode::SideBySide ? " beside this series"
                                                                     : " over this series"),
                 glfwGetTime());
        viewer::FuseRequest request;
        request.input = fusing_.options.source;
        request.series = fusing_.options.series;
        request.toLayer = fusing_.toLayer;
        request.registerFirst = fusing_.options.registerFirst;
        startFuseTask(std::move(request));
    }
}

// The Second series section's "Register": the series shown registered onto this one, from where it is.
void Viewer::registerImageLayer() {
    if (fuseTask_ || s_.scene.images.empty() || !s_.hasVolume())
        return;
    const viewer::ImageLayerView& layer = s_.scene.images.front();
    reregistering_ = true;
    addToast(s_, "Registering " + layer.series->series.about.location + " onto this series", glfwGetTime());
    viewer::FuseRequest request;
    request.loaded = layer.series;
    request.toLayer = layer.toLayer;
    request.registerFirst = true;
    startFuseTask(std::move(request));
}

// "Align here": the series shown moved as the two clicks said (resampled again on a thread).
void Viewer::realignImageLayer(const glm::dmat4& link) {
    if (fuseTask_ || s_.scene.images.empty() || !s_.hasVolume())
        return;
    reregistering_ = true;
    viewer::FuseRequest request;
    request.loaded = s_.scene.images.front().series;
    request.toLayer = link;
    startFuseTask(std::move(request));
}

void Viewer::startFuseTask(viewer::FuseRequest request) {
    LoadOptions options = loadOptions_;
    options.phase = 0; // the second series' first phase
    fuseTask_ = std::make_unique<viewer::FuseTask>(std::move(request), s_.scene.base, options, [this] {
        if (glfwUp_)
            glfwPostEmptyEvent();
    });
}

// Segmentations added to the open series, one at a time: the next one starts once the series is complete,
// and each lands on the series it was opened on (a series loaded meanwhile drops it).
void Viewer::pumpLabels() {
    if (labelTask_ && labelTask_->finished()) {
        std::string error;
        bool image = false;
        std::shared_ptr<const LabelLayer> layer = labelTask_->take(error, image);
        const std::string file = labelTask_->file();
        const bool current = labelTask_->dataset() == s_.scene.base.get();
        labelTask_.reset();
        redraw_ = 3;
        const double now = glfwGetTime();
        const std::string name = std::filesystem::path(file).filename().string();
        if (!current) {
            addToast(s_, name + " not added: another series was opened meanwhile", now, true);
        } else if (layer && file == s_.editor.adopting) {
            viewer::adoptRestoredEdits(s_, layer);
            addToast(s_, "Restored the unsaved segment edits", now);
        } else if (layer) {
            viewer::addLabelLayer(s_, layer);
            addToast(s_,
                     "Added " + layer->name + ": " + std::to_string(layer->segments.size()) +
                         (layer->segments.size() == 1 ? " segment" : " segments") +
                         (layer->notes.empty() ? "" : " (" + layer->notes.front() + ")"),
                     now);
        } else if (image && !task_) {
            labelQueue_.clear(); // what was dropped with it goes with the series it replaces
            startLoad(file, "", nullptr);
        } else if (image) {
            addToast(s_, name + " is an image, not labels of this series: drop it again to open it", now,
                     true);
        } else if (!error.empty()) {
            s_.messages.push_back(error);
            addToast(s_, error, now, true);
        }
    }
    if (!labelTask_ && !labelQueue_.empty() && !task_ && s_.hasVolume() && !s_.scene.base->preview) {
        auto [file, dropped] = labelQueue_.front();
        labelQueue_.pop_front();
        addToast(s_, "Opening " + std::filesystem::path(file).filename().string() + " as segmentations",
                 glfwGetTime());
        labelTask_ = std::make_unique<viewer::LabelTask>(file, s_.scene.base, loadOptions_, dropped, [this] {
            if (glfwUp_)
                glfwPostEmptyEvent();
        });
    }
}

// The input and the panels of this frame: every command they ask for, carried out after the frame is drawn.
viewer::Commands Viewer::buildUi(Frame& f) {
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();
    const ImGuiIO& io = ImGui::GetIO();
    const float side = s_.prefs.sidebar ? ui::sidebarWidth(s_, io.DisplaySize.x) : 0;
    viewer::layoutCells(s_, Rect{side, 0, io.DisplaySize.x - side, io.DisplaySize.y});

    viewer::Commands commands = handleInput(s_, inputFromImGui(f.now, pendingKeys_));
    // A step to a phase from the keys or the cine: taken now, so that the panels and overlays drawn below
    // name the phase this frame shows.
    stepPhases(f, commands);
    for (const auto& [path, shift] : droppedPaths_)
        commands.push_back(viewer::droppedCommand(s_, path, shift));
    droppedPaths_.clear();
    if (s_.prefs.sidebar)
        ui::drawSidebar(s_, commands);
    ui::drawStatus(s_, renderers_->feedback, f.now);
    ui::drawOpenDialog(s_, commands);
    ui::drawPacsDialog(s_, commands);
    ui::drawHelp(s_, help_);
    ui::drawQuitConfirmation(s_, commands);
    ui::drawOverlays(s_, renderers_->feedback, ImGui::GetBackgroundDrawList());
    // An edit is over when no button is held (a drag of W/L or of a transfer-function point is one edit).
    viewer::trackUndo(s_, ImGui::IsAnyMouseDown());
    ImGui::Render();
    glfwGetFramebufferSize(window_, &f.fbw, &f.fbh);
    f.fbScale = io.DisplaySize.x > 0 ? float(f.fbw) / io.DisplaySize.x : 1.0f;
    return commands;
}

// The views (slices and 3D) under the panels.
void Viewer::render(Frame& f, const viewer::Commands& commands) {
    try {
        viewer::syncSegmentSurface(s_); // the edited segment's mesh, made again after an edit
    } catch (const std::exception& e) { // no memory for a huge one: the voxels stay, the box goes off
        s_.editor.surfaceIn3d = false;
        s_.scene.surfaces.clear();
        addToast(s_, std::string("Could not make the surface: ") + e.what(), f.now, true);
    }
    try {
        syncRenderer(s_, *renderers_, sync_);
        if (renderers_->slices.uploading())
            redraw_ = std::max(redraw_, 1); // the volume goes up over the next frames
    } catch (const gl::GlError& e) {
        // The volume does not fit this GPU: say so in the window, keep the panels working.
        s_.load.error = e.what();
        s_.scene.base.reset();
        sync_ = {};
        configureSync();
    }
    // A 3D panel control being dragged: coarse frames until a quarter second after its last change, or at
    // once when the mouse is let go.
    const bool panelInteracting = std::any_of(commands.begin(), commands.end(), [](const viewer::Command& c) {
        return c.kind == viewer::Command::Kind::Interacting3D;
    });
    if (panelInteracting)
        s_.view3d.interactUntil = f.now + 0.25;
    else if (panelInteracted_ && !ImGui::IsAnyMouseDown())
        s_.view3d.interactUntil = std::min(s_.view3d.interactUntil, f.now);
    if (panelInteracting)
        panelInteracted_ = true;
    else if (!ImGui::IsAnyMouseDown())
        panelInteracted_ = false;
    try {
        f.stats = drawScene(s_, *renderers_, {f.fbw, f.fbh}, f.fbScale, f.now, /*timed=*/true);
    } catch (const gl::GlError& e) {
        // A program compiled on first use (a new 3D mode): choosing a mode that compiles brings the picture
        // back.
        shaderFailed(e, f.now);
    }
    refine3d_ = f.stats.quality != ui::Quality3d::Full || !f.stats.complete;
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

void Viewer::execute(Frame& f, const viewer::Commands& commands) {
    using Kind = viewer::Command::Kind;
    for (const viewer::Command& c : commands) {
        switch (c.kind) {
        case Kind::SaveSlice:
            saveSlice(s_, f.now);
            break;
        case Kind::SaveRender:
            saveRender(s_, *renderers_, sync_, f.fbScale, f.now);
            glViewport(0, 0, f.fbw, f.fbh);
            break;
        case Kind::Screenshot:
            glBindFramebuffer(GL_READ_FRAMEBUFFER, 0);
            glReadBuffer(GL_BACK);
            saveScreenshot(s_, gl::readPixels(0, 0, f.fbw, f.fbh), f.now);
            break;
        case Kind::Quit:
            glfwSetWindowShouldClose(window_, GLFW_TRUE);
            break;
        case Kind::ShowOpen:
            s_.panels.open = true;
            break;
        case Kind::ClosePopups:
            ImGui::ClosePopupToLevel(0, true);
            break;
        case Kind::ReloadShaders: {
            std::string& error = renderers_->feedback.shaderError;
            error = renderers_->reload();
            addToast(s_, error.empty() ? "Shaders reloaded" : "Shader error: the last good program stays",
                     f.now, !error.empty());
            break;
        }
        case Kind::Open:
            f.open = c.path;
            break; // the last one asked for wins
        case Kind::AddLabels:
            labelQueue_.emplace_back(c.path, c.series == 1);
            break;
        case Kind::SaveSegmentation:
            saveSegmentation(s_, f.now);
            break;
        case Kind::ShareCopy:
        case Kind::ShareSend:
            startShare(f, c);
            break;
        case Kind::ExportSurface:
            exportSurface(s_, f.now);
            break;
        case Kind::RestoreEdits:
            s_.editor.adopting = std::exchange(s_.editor.restorable, {});
            labelQueue_.emplace_back(s_.editor.adopting, false);
            break;
        case Kind::DiscardEdits:
            s_.editor.restorable.clear();
            discardAutosave(s_);
            break;
        case Kind::LoadSeries:
            f.loadSeries = c.series;
            break;
        case Kind::SavePreset:
            savePreset(c.path);
            break;
        case Kind::Interacting3D:
            break; // in render(), before drawing
        case Kind::RecordMovie:
        case Kind::RecordTurntable:
            recordMovie(f, c);
            break;
        case Kind::LoadPhase:
            break; // before the frame was drawn (stepPhases)
        case Kind::Register:
            registerImageLayer();
            break;
        case Kind::TimeCurve:
            startCurve(c.series);
            break;
        case Kind::Realign:
            realignImageLayer(s_.gesture.align.link);
            break;
        case Kind::Fuse:
        case Kind::Compare: {
            FusionOptions fuse;
            (c.kind == Kind::Fuse ? fuse.source : fuse.compare) = c.path;
            fuse.series = c.series > 0 ? std::to_string(c.series) : "";
            fuseNext_ = planFusion(fuse);
            break;
        }
        case Kind::Resample:
            // The same series again, decoded anew with the other rule (the file list is kept).
            loadOptions_.resample = c.series != 0;
            if (s_.hasVolume())
                f.loadSeries = std::max(1, s_.scene.base->series.about.listing.number);
            break;
        }
    }
}

// The steps to another phase ([ ], the phase slider, cine over phases), taken out of `commands` and carried
// out before the frame is drawn, unlike the other commands: a phase kept in memory (and its texture on the
// GPU) is on screen in this very frame, as a slice is after the wheel.
void Viewer::stepPhases(Frame& f, viewer::Commands& commands) {
    for (auto it = commands.begin(); it != commands.end();)
        if (it->kind == viewer::Command::Kind::LoadPhase) {
            stepToPhase(f, it->series);
            it = commands.erase(it);
            redraw_ = std::max(redraw_, 1); // the panel's slider, drawn before it, names it next frame
        } else {
            ++it;
        }
}

// Another phase of the 4D series on show: the one kept from before, else loaded (LoadOptions::phase) as the
// series again; the views stay where they are (adoptDataset).
void Viewer::stepToPhase(Frame& f, int phase) {
    if (!s_.hasVolume() || task_ || s_.scene.base->preview || s_.scene.base->series.about.phase == phase)
        return;
    const std::shared_ptr<Dataset>& shown = s_.scene.base;
    if (!phases_.empty() && !viewer::isAnotherPhase(*phases_.begin()->second, *shown) &&
        phases_.begin()->second != shown)
        phases_.clear(); // of a series no longer shown
    // Kept when its 3D view's statistics came, and while the phases kept take at most half the free memory.
    std::uint64_t kept = 0;
    for (const auto& [n, d] : phases_)
        kept += d == shown ? 0 : d->series.volume.bytes();
    if (shown->stats && kept + shown->series.volume.bytes() < availableMemoryBytes() / 2)
        phases_[shown->series.about.phase] = shown;
    if (const auto it = phases_.find(phase); it != phases_.end()) {
        adoptDataset(s_, it->second);
        return;
    }
    loadOptions_.phase = phase;
    f.loadSeries = std::max(1, shown->series.about.listing.number);
}

// Cine's "Record movie" or the 3D view's "Record": one at a time, of a complete series.
void Viewer::recordMovie(const Frame& f, const viewer::Command& c) {
    if (movie_ || turntable_ || !s_.hasVolume() || s_.scene.base->preview)
        return;
    MovieFormat format = MovieFormat::Mp4;
    parseMovieFormat(c.path, format);
    try {
        const bool overPhases = s_.cine.overPhases && s_.scene.base->series.about.listing.phases > 1 &&
                                s_.scene.base->series.about.phase > 0;
        if (c.kind == viewer::Command::Kind::RecordMovie && overPhases)
            movie_ = recordPhases(s_, std::clamp(c.series, 0, 2), format, keptPhases(), loadOptions_);
        else if (c.kind == viewer::Command::Kind::RecordMovie)
            movie_ = recordSlices(s_, std::clamp(c.series, 0, 2), format);
        else if (!s_.scene.base->stats) // as S over the 3D view: its bricks are not known yet
            addToast(s_, "The series is still loading: record the 3D view when it is complete", f.now, true);
        else
            turntable_ = std::make_unique<TurntableRecorder>(s_, renderSize3d(s_, f.fbScale), format);
    } catch (const std::exception& e) {
        addToast(s_, std::string("Could not record: ") + e.what(), f.now, true);
    }
}

// "Share": the open series and its DICOM segmentations, de-identified into the export folder or sent to a
// node; one at a time, on a thread of its own.
void Viewer::startShare(const Frame& f, const viewer::Command& c) {
    const std::vector<std::filesystem::path> files = shareableFiles(s_);
    if (share_ || files.empty()) {
        if (files.empty())
            addToast(s_, "Nothing to share: the open series is not DICOM files", f.now, true);
        return;
    }
    ShareJob::Request r;
    r.files = files;
    r.anonymize.keepDates = s_.share.keepDates;
    r.anonymize.keepDescriptions = s_.share.keepDescriptions;
    r.anonymise = s_.share.anonymise;
    r.options = loadOptions_;
    if (c.kind == viewer::Command::Kind::ShareSend) {
        r.node = c.path;
    } else {
        const int number = s_.scene.base->series.about.listing.seriesNumber;
        r.copyInto =
            s_.exportDir / ("anonymised_" + std::to_string(number) + "_" + localTimeText("%Y%m%d_%H%M%S"));
    }
    // Said at once: a copy or a send of a long series takes seconds, and the panel may be scrolled away.
    addToast(s_,
             r.node.empty()
                 ? "Saving an anonymised copy of " + std::to_string(files.size()) + " files ..."
                 : std::string(r.anonymise ? "Sending an anonymised copy of " : "Sending ") +
                       std::to_string(files.size()) + " files to " + s_.prefs.pacsLabel(r.node) + " ...",
             f.now);
    share_ = std::make_unique<ShareJob>(std::move(r));
    s_.share.active = true;
}

void Viewer::stepShare(const Frame& f) {
    s_.share.active = share_ != nullptr;
    if (!share_)
        return;
    redraw_ = std::max(redraw_, 1);
    if (!share_->finished())
        return;
    bool failed = false;
    const std::string text = share_->result(failed);
    addToast(s_, text, f.now, failed);
    share_.reset();
    s_.share.active = false;
}

// A movie being made: its progress in the panel, its file (or its failure) in a toast. A turntable's frames
// are drawn here, one a frame, after the window's own (the window stays live).
void Viewer::stepMovies(const Frame& f) {
    if (turntable_) {
        turntable_->step(*renderers_, sync_);
        glViewport(0, 0, f.fbw, f.fbh);
    }
    s_.recording.active = movie_ || turntable_;
    if (!s_.recording.active)
        return;
    s_.recording.done = movie_ ? movie_->done() : turntable_->done();
    s_.recording.total = movie_ ? movie_->total() : turntable_->total();
    s_.recording.stage = turntable_ && turntable_->drawing() ? "rendering" : "encoding";
    redraw_ = std::max(redraw_, 1);
    if (!(movie_ ? movie_->finished() : turntable_->finished()))
        return;
    std::string error;
    const auto written = movie_ ? movie_->result(error) : turntable_->result(error);
    if (error.empty())
        addToast(s_, "Saved the movie\n" + written.string(), f.now);
    else
        addToast(s_, "Could not save the movie: " + error, f.now, true);
    movie_.reset();
    turntable_.reset();
}

// After the frame is on screen: the 3D program compiled when due, the logs, the next load, and what is kept.
void Viewer::afterSwap(Frame& f, const viewer::Commands& commands) {
    // The 3D program is compiled once the first slice is on screen (or nothing is loading), not before the
    // first frame: the 3D view needs it only after the volume's statistics.
    if (!prepared3d_ && (!s_.load.active || (s_.hasVolume() && !s_.scene.base->preview))) {
        prepared3d_ = true;
        try {
            renderers_->volume.prepare();
        } catch (const gl::GlError& e) {
            shaderFailed(e, f.now);
        }
    }
    if (timing_.on()) {
        // The axial view's slice (view 0) drawn from decoded pixels, not from the preview's air.
        const bool sliceReal =
            s_.hasVolume() && (!s_.scene.base->preview || arrived_.count(viewer::sliceOf(s_, 0)) > 0);
        timing_.once("window", true);
        timing_.once("preview", s_.hasVolume()); // the series' grid shown, decoded or not
        timing_.once("first_slice", sliceReal);
        timing_.once("complete", s_.hasVolume() && !s_.scene.base->preview);
        timing_.once("3d", f.stats.rendered3d);
    }
    frameLog_.frame(f.now, f.stats, renderers_->feedback.interactiveScale);

    if (f.loadSeries > 0 && s_.scene.base && !task_)
        startLoad(s_.load.input, std::to_string(f.loadSeries), s_.scene.base->source);
    loadOptions_.phase = 0; // a phase asked for went with that load only
    if (!f.open.empty() && task_)
        addToast(s_,
                 "Still loading: " + std::filesystem::path(f.open).filename().string() +
                     " not opened (open it again once this series is here)",
                 f.now, true);
    else if (!f.open.empty())
        startLoad(f.open, "", nullptr);
    saveIfChanged(false);
    saveAnnotations(s_, glfwGetTime());
    autosaveSegmentation(s_, glfwGetTime());
    for (const viewer::Command& c : commands)
        if (c.kind != viewer::Command::Kind::Interacting3D)
            redraw_ = 3;
}

void Viewer::reloadUserPresets() {
    std::vector<std::string> problems;
    s_.view3d.userPresets = loadPresetFolder(viewer::userPresetFolder(), problems);
    for (const std::string& p : problems)
        addToast(s_, "preset skipped: " + p, glfwGetTime(), true);
}

void Viewer::savePreset(const std::string& title) {
    const double now = glfwGetTime();
    RenderPreset p = s_.view3d.preset;
    p.title = title;
    p.name = presetFileStem(p.title);
    if (findBuiltinPreset(p.name))
        p.name += "-mine"; // "CT bone" of yours must not hide the bundled one
    const std::filesystem::path file = viewer::userPresetFolder() / (p.name + ".json");
    try {
        createFolder(file.parent_path());
        savePresetFile(p, file);
        s_.view3d.presetName = p.name;
        addToast(s_, "Preset saved: " + file.string(), now);
        reloadUserPresets();
    } catch (const std::exception& e) {
        addToast(s_, std::string("Preset not saved: ") + e.what(), now, true);
    }
}

// Settings are saved when they change (a second after the last change, atomically), so that a SIGTERM or a
// crash loses at most that second; and at exit (`now`).
void Viewer::saveIfChanged(bool now) {
    const bool maximized = glfwGetWindowAttrib(window_, GLFW_MAXIMIZED);
    settings_.window.maximized = maximized;
    if (!maximized) {
        glfwGetWindowPos(window_, &settings_.window.x, &settings_.window.y);
        glfwGetWindowSize(window_, &settings_.window.width, &settings_.window.height);
    }
    viewer::captureSettings(s_, settings_);
    const std::string text = viewer::settingsText(settings_);
    if (text == savedSettings_) {
        saveDue_ = -1;
        return;
    }
    if (!now && saveDue_ < 0)
        saveDue_ = glfwGetTime() + 1.0;
    if (!now && glfwGetTime() < saveDue_)
        return;
    try {
        viewer::saveSettings(settingsFile_, settings_);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ctview: settings not saved: %s\n",
                     e.what()); // once per change, not every frame
    }
    savedSettings_ = text;
    saveDue_ = -1;
}

// A 3D program that does not compile (a shader edited on disk): the status panel says where, a toast says so
// once per message, and the viewer keeps running.
void Viewer::shaderFailed(const gl::GlError& e, double now) {
    if (renderers_->feedback.shaderError != e.what())
        addToast(s_, "Shader error: see the status panel", now, true);
    renderers_->feedback.shaderError = e.what();
}

} // namespace

int runViewer(const CommonOptions& common, const ViewerOptions& options) {
    planFusion(options.fuse); // a bad --fuse option is a usage error before any window opens
    Viewer(common, options).run();
    return 0;
}

} // namespace ctview::app
