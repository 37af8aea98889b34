// Movies (issue 13): `ctview export --format mp4|gif` decoded again with FFmpeg's libraries and compared with
// the slices `export` writes as images: the frame count, the size, and the pixels (a GIF exactly, H.264
// within its loss).
#include "golden.h"
#include "testutil.h"

#include "app/actions.h"
#include "app/gl_context.h"
#include "app/headless.h"
#include "app/movie_job.h"
#include "volume/camera3d.h"
#include "volume/colormap.h"
#include "volume/slice.h"

#include <catch2/catch.hpp>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>
}

#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

using namespace ctview;
using namespace ctview::test;

namespace {
// Every frame of a movie file as RGB, by FFmpeg's own decoders (empty when it cannot be read).
std::vector<RgbImage> decodeMovie(const std::filesystem::path& file) {
    std::vector<RgbImage> frames;
    AVFormatContext* in = nullptr;
    if (avformat_open_input(&in, file.c_str(), nullptr, nullptr) < 0)
        return frames;
    avformat_find_stream_info(in, nullptr);
    const int index = av_find_best_stream(in, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
    const AVCodec* codec = avcodec_find_decoder(in->streams[index]->codecpar->codec_id);
    AVCodecContext* dec = avcodec_alloc_context3(codec);
    avcodec_parameters_to_context(dec, in->streams[index]->codecpar);
    avcodec_open2(dec, codec, nullptr);
    AVPacket* packet = av_packet_alloc();
    AVFrame* frame = av_frame_alloc();
    SwsContext* sws = nullptr;
    auto take = [&] {
        while (avcodec_receive_frame(dec, frame) == 0) {
            RgbImage img;
            img.width = frame->width;
            img.height = frame->height;
            img.rgb.resize(std::size_t(img.width) * std::size_t(img.height) * 3);
            sws = sws_getCachedContext(sws, frame->width, frame->height, AVPixelFormat(frame->format),
                                       frame->width, frame->height, AV_PIX_FMT_RGB24, SWS_POINT, nullptr,
                                       nullptr, nullptr);
            std::uint8_t* dst[1] = {img.rgb.data()};
            const int stride[1] = {img.width * 3};
            sws_scale(sws, frame->data, frame->linesize, 0, frame->height, dst, stride);
            frames.push_back(std::move(img));
        }
    };
    while (av_read_frame(in, packet) >= 0) {
        if (packet->stream_index == index && avcodec_send_packet(dec, packet) >= 0)
            take();
        av_packet_unref(packet);
    }
    avcodec_send_packet(dec, nullptr);
    take();
    sws_freeContext(sws);
    av_frame_free(&frame);
    av_packet_free(&packet);
    avcodec_free_context(&dec);
    avformat_close_input(&in);
    return frames;
}

// The phantom loaded as the window loads it.
viewer::AppState phantomState() {
    app::CommonOptions common;
    common.input = glPhantom().string();
    common.quiet = true;
    viewer::AppState s;
    viewer::adoptDataset(s, app::loadDatasetHeadless(common));
    return s;
}

} // namespace

TEST_CASE("export --format gif|mp4: every slice a frame, in slice-number order, the export's pixels") {
    TempDir out;
    ScanResult scan;
    const DecodedStack series = loadFolder(glPhantom(), scan); // 64 x 64 x 40
    const Volume& v = series.volume;
    const SliceFrame f = sliceFrame(v.geometry(), Axis::Coronal);
    // Frame n (from 0) is slice number n + 1 (numbers count from 1, issue 32.5).
    auto slice = [&](int frame, const char* map = "viridis") {
        return renderSlice(extractSlice(v, Axis::Coronal, sliceIndex(f, frame + 1)), WindowLevel{400, 40},
                           colormapTable(map));
    };
    const RgbImage first = slice(0);
    REQUIRE(first.height % 2 == 1); // 40 slices of 10.26 mm as 5.625 mm pixels: 73 rows, odd for H.264

    // GIF: the colour map's own colours, so every frame is the export's pixels exactly.
    const Run gif = run("export " + q(glPhantom()) +
                        " --axis coronal --slice all --window 400,40 --colormap "
                        "viridis --format gif -o " +
                        q(out.path / "c.gif") + " -q");
    INFO(gif.out);
    REQUIRE(gif.code == 0);
    CHECK(gif.out == (out.path / "c.gif").string() + "\n");
    const std::vector<RgbImage> frames = decodeMovie(out.path / "c.gif");
    REQUIRE(int(frames.size()) == f.count);
    for (int n : {0, 17, f.count - 1}) {
        INFO("frame " << n);
        REQUIRE(frames[std::size_t(n)].width == first.width);
        REQUIRE(frames[std::size_t(n)].height == first.height);
        CHECK(frames[std::size_t(n)].rgb == slice(n).rgb);
    }

    // MP4 (H.264, 4:2:0): into the folder under the series' name, padded to an even height by repeating the
    // last row, within the codec's loss on grey; a second export takes a new name.
    for (const char* name : {"", "-1"}) {
        const Run mp4 = run("export " + q(glPhantom()) +
                            " --axis coronal --slice all --window 400,40 "
                            "--format mp4 --fps 25 -o " +
                            q(out.path) + " -q");
        INFO(mp4.out);
        REQUIRE(mp4.code == 0);
        CHECK(mp4.out.find(std::string("_coronal") + name + ".mp4") != std::string::npos);
        CHECK(mp4.out.find("libx264") == std::string::npos); // no encoder chatter
    }
    std::filesystem::path movie;
    for (const auto& e : std::filesystem::directory_iterator(out.path))
        if (e.path().extension() == ".mp4" && e.path().stem().string().find("-1") == std::string::npos)
            movie = e.path();
    const std::vector<RgbImage> video = decodeMovie(movie);
    REQUIRE(int(video.size()) == f.count);
    REQUIRE(video[0].width == first.width);
    REQUIRE(video[0].height == first.height + 1);
    for (int n : {0, 20, f.count - 1}) {
        const RgbImage want = slice(n, "grayscale");
        double sum = 0;
        for (int y = 0; y < want.height; ++y)
            for (int x = 0; x < want.width * 3; ++x)
                sum += std::abs(int(video[std::size_t(n)].rgb[std::size_t(y * want.width * 3 + x)]) -
                                int(want.rgb[std::size_t(y * want.width * 3 + x)]));
        INFO("frame " << n);
        CHECK(sum / double(want.rgb.size()) < 4.0); // mean error per channel, out of 255
        // The padding row repeats the last one.
        const std::uint8_t* pad = &video[std::size_t(n)].rgb[std::size_t(want.height * want.width * 3)];
        const std::uint8_t* last = &want.rgb[std::size_t((want.height - 1) * want.width * 3)];
        double padSum = 0;
        for (int x = 0; x < want.width * 3; ++x)
            padSum += std::abs(int(pad[x]) - int(last[x]));
        CHECK(padSum / (want.width * 3) < 6.0);
    }

    // Mixed with images, or unknown: refused before anything is written.
    for (const char* bad : {"mp4,png", "avi"}) {
        const Run r =
            run("export " + q(glPhantom()) + " --slice all --format " + bad + " -o " + q(out.path / "bad"));
        INFO(bad << ": " << r.out);
        CHECK(r.code == 2);
        CHECK(r.out.find("--format") != std::string::npos);
    }
    CHECK_FALSE(std::filesystem::exists(out.path / "bad"));

    // FFmpeg is opened when a movie is made, not at start (media/ffmpeg.h): a broken libavutil found first
    // fails only the movie, with a message naming it, and leaves no file.
    const TempDir fake;
    std::ofstream(fake.path / ("libavutil.so." + std::to_string(LIBAVUTIL_VERSION_MAJOR))) << "not a library";
    const std::string env = "LD_LIBRARY_PATH=" + q(fake.path) + " ";
    const Run broken = shell(env + CTVIEW_BINARY + " export " + q(glPhantom()) +
                             " --slice all --format gif -o " + q(out.path / "broken"));
    INFO(broken.out);
    CHECK(broken.code == 1);
    CHECK(broken.out.find("FFmpeg's libavutil.so.") != std::string::npos);
    CHECK(std::filesystem::is_empty(out.path / "broken"));
    const Run info = shell(env + CTVIEW_BINARY + " info " + q(glPhantom()));
    CHECK(info.code == 0);
}

TEST_CASE(
    "render --turntable: a frame per step about the head-feet axis, each the `render` picture at its angle") {
    REQUIRE(haveDisplay());
    TempDir out;
    const std::string common = "render " + q(glPhantom()) + " --size 160x120 --elevation 10 ";
    for (const char* ext : {".gif", ".mp4"}) {
        const auto movie = out.path / (std::string("spin") + ext);
        const Run r = run(common + "--turntable 360/8 -o " + q(movie) + " -q");
        INFO(ext << ": " << r.out);
        REQUIRE(r.code == 0);
        const std::vector<RgbImage> frames = decodeMovie(movie);
        REQUIRE(frames.size() == 8);
        for (int n : {0, 2, 5}) {
            const auto png = out.path / ("at" + std::to_string(n) + ".png");
            const Run still =
                run(common + "--azimuth " + std::to_string(45 * n) + " -o " + q(png) + " --force");
            REQUIRE(still.code == 0);
            const Image want = readPng(png);
            REQUIRE(frames[std::size_t(n)].width == want.width);
            REQUIRE(frames[std::size_t(n)].height == want.height);
            double sum = 0;
            for (std::size_t i = 0; i < want.rgb.size(); ++i)
                sum += std::abs(int(frames[std::size_t(n)].rgb[i]) - int(want.rgb[i]));
            const double mean = sum / double(want.rgb.size());
            INFO("frame " << n << ": mean error " << mean);
            CHECK(mean < (ext == std::string(".gif") ? 1.0 : 5.0)); // a GIF's 256 colours; H.264's loss
            // And not the picture of another angle.
            if (n > 0) {
                const Image other = readPng(out.path / "at0.png");
                double diff = 0;
                for (std::size_t i = 0; i < want.rgb.size(); ++i)
                    diff += std::abs(int(frames[std::size_t(n)].rgb[i]) - int(other.rgb[i]));
                CHECK(diff / double(want.rgb.size()) > 2 * mean);
            }
        }
    }
    const Run bad = run(common + "--turntable 360/8 -o " + q(out.path / "spin.png"));
    CHECK(bad.code == 2);
    CHECK(bad.out.find(".mp4 or .gif") != std::string::npos);
    const Run badSpec = run(common + "--turntable 360 -o " + q(out.path / "x.mp4"));
    CHECK(badSpec.code == 2);
    CHECK_FALSE(std::filesystem::exists(out.path / "x.mp4"));
}

TEST_CASE("viewer: Cine's 'Record movie' writes, on its own thread, the file `export --format` writes") {
    viewer::AppState s = phantomState();
    TempDir out;
    s.exportDir = out.path / "exports"; // made when missing
    s.window = {400, 40};
    s.colormap = "inferno";
    s.prefs.cineFps = 12;
    s.views[1].slab = {12, SlabMode::Mip}; // the view as shown, slab included
    const SliceFrame f = viewer::frameOf(s, 1);
    for (const MovieFormat format : {MovieFormat::Gif, MovieFormat::Mp4}) {
        const auto job = app::recordSlices(s, 1, format);
        CHECK(job->total() == f.count);
        for (int n = 0; n < 600 && !job->finished(); ++n)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        REQUIRE(job->finished());
        CHECK(job->done() == f.count);
        std::string error;
        const std::filesystem::path written = job->result(error);
        INFO(error);
        REQUIRE(error.empty());
        const bool gif = format == MovieFormat::Gif;
        CHECK(written.filename().string().find(gif ? "_coronal.gif" : "_coronal.mp4") != std::string::npos);
        // The same movie `ctview export` makes with the same settings, byte for byte.
        const auto cli = out.path / (gif ? "cli.gif" : "cli.mp4");
        const Run r = run("export " + q(glPhantom()) +
                          " --axis coronal --slice all --window 400,40 --colormap "
                          "inferno --slab 12 --fps 12 --format " +
                          (gif ? "gif" : "mp4") + " -o " + q(cli) + " -q");
        REQUIRE(r.code == 0);
        if (gif) // H.264 is deterministic too, but its encoder's threads make that a claim of libx264's
            CHECK(readFile(written) == readFile(cli));
        const std::vector<RgbImage> frames = decodeMovie(written);
        REQUIRE(int(frames.size()) == f.count);
        if (gif)
            CHECK(frames[5].rgb == renderSlice(extractSlice(s.scene.base->series.volume, Axis::Coronal,
                                                            sliceIndex(f, 5), s.views[1].slab),
                                               s.window, viewer::displayColormap(s))
                                       .rgb);
    }
}

TEST_CASE("viewer: Cine's 'Record movie' over a turned view records its planes along its normal (issue 12)") {
    viewer::AppState s = phantomState();
    TempDir out;
    s.exportDir = out.path;
    s.mpr.oblique = true;
    s.mpr.centre = volumeCentre(s.scene.base->series.volume.geometry());
    s.mpr.rotation = rotationAbout({0, 0, 1}, glm::radians(20.0));
    s.linear = true;
    const auto job = app::recordSlices(s, 2, MovieFormat::Gif);
    const int count = viewer::sliceCountOf(s, 2);
    CHECK(job->total() == count);
    for (int n = 0; n < 600 && !job->finished(); ++n)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    REQUIRE(job->finished());
    std::string error;
    const std::filesystem::path written = job->result(error);
    REQUIRE(error.empty());
    CHECK(written.filename().string().find("_sagittal-oblique.gif") != std::string::npos);
    const std::vector<RgbImage> frames = decodeMovie(written);
    REQUIRE(int(frames.size()) == count);
    // Frame n (from 0) is the plane the view shows at slice number n + 1.
    const int n = count / 3;
    viewer::setSliceNumber(s, 2, n + 1);
    REQUIRE(viewer::sliceNumberOf(s, 2) == n + 1);
    const RgbImage want = renderSlice(
        extractPlane(s.scene.base->series.volume, viewer::frameOf(s, 2), viewer::planeOf(s, 2), {}, true),
        s.window, viewer::displayColormap(s));
    CHECK(frames[std::size_t(n)].rgb == want.rgb);
    CHECK(frames[0].rgb != want.rgb);
}

TEST_CASE("viewer: the 3D view's 'Record' makes the turntable `render --turntable` makes, from its camera") {
    REQUIRE(haveDisplay());
    viewer::AppState s = phantomState();
    TempDir out;
    s.exportDir = out.path;
    s.prefs.overlays = {false, false, false, false, false, false};
    viewer::layoutCells(s, Rect{0, 0, 1300, 1026}); // the 2x2 grid: the 3D cell is 649x512
    // The camera as the user left it: turned 30 degrees toward the patient's left and raised 20 (what
    // `render --azimuth 30 --elevation 20` starts from), with a crop.
    s.view3d.camera.rotation = orbitRotation(30, 20);
    s.view3d.cropMax = {1.0, 0.8, 1.0};
    s.recording.turnDegrees = 90;
    s.recording.turnFrames = 6;
    std::filesystem::path written;
    std::string error;
    {
        GLFWwindow* window = app::createGlWindow(64, 64, "test", false);
        {
            app::Renderers renderers;
            app::RendererSync sync;
            const glm::ivec2 size = app::renderSize3d(s, 1.0f);
            CHECK(size == glm::ivec2(649, 512));
            app::TurntableRecorder rec(s, size, MovieFormat::Gif);
            s.view3d.camera.rotation = orbitRotation(-70, 0); // the window goes on: the movie keeps its start
            CHECK(rec.total() == 6);
            int steps = 0;
            for (; rec.drawing() && steps < 20; ++steps) {
                rec.step(renderers, sync);
                if (rec.drawing()) // after the last frame, the encoder's count (its thread is running)
                    CHECK(rec.done() == steps + 1);
            }
            CHECK(steps == 6);
            for (int n = 0; n < 600 && !rec.finished(); ++n)
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            REQUIRE(rec.finished());
            CHECK(rec.done() == 6);
            written = rec.result(error);
        }
        app::destroyGlWindow(window);
    }
    INFO(error);
    REQUIRE(error.empty());
    CHECK(written.parent_path() == out.path);
    CHECK(written.filename().string().find("_3d_ct-bone_turntable.gif") != std::string::npos);
    const auto cli = out.path / "cli.gif";
    const Run r = run("render -q " + q(glPhantom()) + " --azimuth 30 --elevation 20 --crop 0,1,0,0.8,0,1" +
                      " --size 649x512 --turntable 90/6 -o " + q(cli));
    REQUIRE(r.code == 0);
    const std::vector<RgbImage> frames = decodeMovie(written);
    REQUIRE(frames.size() == 6);
    CHECK(frames[0].width == 649);
    CHECK(frames[3].rgb != frames[0].rgb); // it turns
    CHECK(readFile(written) == readFile(cli));
}

TEST_CASE(
    "export --over phases: one slice of a 4D series over time, a frame per phase, each phase's pixels") {
    TempDir out;
    REQUIRE(run("make-phantom " + q(out.path / "4d") + " --size 48x48x24 --phases 3").code == 0);
    const Run gif = run("export " + q(out.path / "4d") +
                        " --axis axial --slice 10 --window 400,40 --format gif --over phases -o " +
                        q(out.path / "t.gif") + " -q");
    INFO(gif.out);
    REQUIRE(gif.code == 0);
    const std::vector<RgbImage> frames = decodeMovie(out.path / "t.gif");
    REQUIRE(frames.size() == 3);
    for (int p = 1; p <= 3; ++p) {
        INFO("phase " << p);
        LoadOptions o = fastOptions();
        o.phase = p;
        ScanResult scan;
        const DecodedStack phase = loadFolder(out.path / "4d", scan, o);
        const SliceFrame f = sliceFrame(phase.volume.geometry(), Axis::Axial);
        const RgbImage want = renderSlice(extractSlice(phase.volume, Axis::Axial, sliceIndex(f, 10)),
                                          WindowLevel{400, 40}, colormapTable("grayscale"));
        REQUIRE(frames[std::size_t(p - 1)].width == want.width);
        CHECK(frames[std::size_t(p - 1)].rgb == want.rgb);
    }
    CHECK(frames[0].rgb != frames[2].rgb); // the contrast rose

    // Cine's "Record movie" over phases in the window: the same file, phase 2 shown (kept), the others loaded
    // on the job's thread.
    app::CommonOptions common;
    common.input = (out.path / "4d").string();
    common.quiet = true;
    common.phase = 2;
    viewer::AppState s;
    viewer::adoptDataset(s, app::loadDatasetHeadless(common));
    REQUIRE(s.scene.base->series.about.phase == 2);
    s.exportDir = out.path / "exports";
    s.window = {400, 40};
    s.prefs.cineFps = 10; // export's default speed
    s.cine.overPhases = true;
    viewer::setSliceNumber(s, 0, 10);
    const auto job = app::recordPhases(s, 0, MovieFormat::Gif, {{2, s.scene.base}}, fastOptions());
    CHECK(job->total() == 3);
    for (int n = 0; n < 600 && !job->finished(); ++n)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    REQUIRE(job->finished());
    std::string error;
    const std::filesystem::path written = job->result(error);
    INFO(error);
    REQUIRE(error.empty());
    CHECK(written.filename().string().find("_axial-phases.gif") != std::string::npos);
    CHECK(readFile(written) == readFile(out.path / "t.gif"));
    // Not a movie, or every slice: said before loading.
    CHECK(run("export " + q(out.path / "4d") + " --over phases -o " + q(out.path / "x")).code == 2);
    CHECK(run("export " + q(out.path / "4d") + " --over phases --slice all --format gif -o " +
              q(out.path / "y.gif"))
              .code == 2);
}
