#include "media/movie.h"

#include "base/error.h"
#include "base/fsutil.h"
#include "media/ffmpeg.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>

namespace ctview {

bool parseMovieFormat(const std::string& name, MovieFormat& out) {
    if (name == "mp4")
        out = MovieFormat::Mp4;
    else if (name == "gif")
        out = MovieFormat::Gif;
    else
        return false;
    return true;
}

const char* movieExtension(MovieFormat f) {
    return f == MovieFormat::Mp4 ? ".mp4" : ".gif";
}

namespace {

std::string avError(int code) {
    char text[AV_ERROR_MAX_STRING_SIZE] = {};
    ffmpeg().av_strerror(code, text, sizeof text);
    return text;
}

// FFmpeg's objects, freed whatever happens.
struct Codec {
    AVCodecContext* p = nullptr;
    ~Codec() { ffmpeg().avcodec_free_context(&p); }
};
struct Output {
    AVFormatContext* p = nullptr;
    bool opened = false;
    ~Output() {
        if (p && opened)
            ffmpeg().avio_closep(&p->pb);
        ffmpeg().avformat_free_context(p);
    }
};
struct Frame {
    AVFrame* p = ffmpeg().av_frame_alloc();
    ~Frame() { ffmpeg().av_frame_free(&p); }
};
struct Packet {
    AVPacket* p = ffmpeg().av_packet_alloc();
    ~Packet() { ffmpeg().av_packet_free(&p); }
};
struct Scaler {
    SwsContext* p = nullptr;
    ~Scaler() { ffmpeg().sws_freeContext(p); }
};

// A GIF's palette: the frames' own colours when they fit in 256; else the 256 most common colours at 5 bits
// a channel (their means), every 5-5-5 colour mapped to its nearest entry.
struct Palette {
    std::map<std::uint32_t, std::uint8_t> index;
    std::uint32_t argb[256] = {};
    bool exact = true;
    std::vector<std::uint8_t> nearest; // by 5-5-5 colour, when not exact
};
int bin555(const std::uint8_t* p) {
    return ((p[0] >> 3) << 10) | ((p[1] >> 3) << 5) | (p[2] >> 3);
}
std::uint32_t rgbKey(const std::uint8_t* p) {
    return (std::uint32_t(p[0]) << 16) | (std::uint32_t(p[1]) << 8) | p[2];
}

class Encoder {
  public:
    Encoder(const std::filesystem::path& file, MovieFormat format, int width, int height, double fps)
        : format_(format), width_(width), height_(height) {
        const bool mp4 = format == MovieFormat::Mp4;
        // H.264 in yuv420p wants even sizes: the frame is padded with black on the right and at the bottom.
        encodedW_ = mp4 ? (width + 1) / 2 * 2 : width;
        encodedH_ = mp4 ? (height + 1) / 2 * 2 : height;
        check(ffmpeg().avformat_alloc_output_context2(&out_.p, nullptr, mp4 ? "mp4" : "gif", file.c_str()),
              "no output format");
        const AVCodec* codec = ffmpeg().avcodec_find_encoder(mp4 ? AV_CODEC_ID_H264 : AV_CODEC_ID_GIF);
        if (!codec)
            throw DataError(std::string("this FFmpeg has no ") + (mp4 ? "H.264" : "GIF") + " encoder");
        stream_ = ffmpeg().avformat_new_stream(out_.p, nullptr);
        codec_.p = ffmpeg().avcodec_alloc_context3(codec);
        if (!stream_ || !codec_.p)
            throw DataError("out of memory for the movie encoder");
        codec_.p->width = encodedW_;
        codec_.p->height = encodedH_;
        // Frame rates as a rational, to the millisecond.
        const AVRational rate{int(std::lround(fps * 1000)), 1000};
        codec_.p->time_base = av_inv_q(rate);
        codec_.p->framerate = rate;
        codec_.p->pix_fmt = mp4 ? AV_PIX_FMT_YUV420P : AV_PIX_FMT_PAL8;
        if (mp4) {
            codec_.p->gop_size = 12;
            ffmpeg().av_opt_set(codec_.p->priv_data, "preset", "veryfast", 0);
            ffmpeg().av_opt_set(codec_.p->priv_data, "crf", "18", 0); // visually lossless for slices
        }
        if (out_.p->oformat->flags & AVFMT_GLOBALHEADER)
            codec_.p->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
        check(ffmpeg().avcodec_open2(codec_.p, codec, nullptr), "cannot open the encoder");
        check(ffmpeg().avcodec_parameters_from_context(stream_->codecpar, codec_.p), "encoder parameters");
        stream_->time_base = codec_.p->time_base;
        check(ffmpeg().avio_open(&out_.p->pb, file.c_str(), AVIO_FLAG_WRITE),
              "cannot write " + file.string());
        out_.opened = true;
        check(ffmpeg().avformat_write_header(out_.p, nullptr), "cannot write the header");
        frame_.p->format = codec_.p->pix_fmt;
        frame_.p->width = encodedW_;
        frame_.p->height = encodedH_;
        check(ffmpeg().av_frame_get_buffer(frame_.p, 0), "out of memory for a frame");
        if (mp4)
            scaler_.p = ffmpeg().sws_getContext(encodedW_, encodedH_, AV_PIX_FMT_RGB24, encodedW_, encodedH_,
                                                AV_PIX_FMT_YUV420P, SWS_BICUBIC, nullptr, nullptr, nullptr);
        if (mp4 && !scaler_.p)
            throw DataError("cannot convert the frames for H.264");
    }

    void add(const RgbImage& img, const Palette& palette) {
        if (img.width != width_ || img.height != height_)
            throw DataError("movie frames differ in size");
        check(ffmpeg().av_frame_make_writable(frame_.p), "frame");
        if (format_ == MovieFormat::Mp4) {
            // Padded to the even size by repeating the last column and row: a black edge would bleed into
            // the image's own edge through 4:2:0's shared chroma.
            padded_.resize(std::size_t(encodedW_) * std::size_t(encodedH_) * 3);
            for (int y = 0; y < encodedH_; ++y) {
                std::uint8_t* row = &padded_[std::size_t(y) * std::size_t(encodedW_) * 3];
                std::memcpy(row, &img.rgb[std::size_t(std::min(y, height_ - 1)) * std::size_t(width_) * 3],
                            std::size_t(width_) * 3);
                if (encodedW_ > width_)
                    std::memcpy(row + std::size_t(width_) * 3, row + std::size_t(width_ - 1) * 3, 3);
            }
            const std::uint8_t* src[1] = {padded_.data()};
            const int stride[1] = {encodedW_ * 3};
            ffmpeg().sws_scale(scaler_.p, src, stride, 0, encodedH_, frame_.p->data, frame_.p->linesize);
        } else {
            for (int y = 0; y < height_; ++y) {
                std::uint8_t* row = frame_.p->data[0] + std::ptrdiff_t(y) * frame_.p->linesize[0];
                for (int x = 0; x < width_; ++x) {
                    const std::uint8_t* p =
                        &img.rgb[(std::size_t(y) * std::size_t(width_) + std::size_t(x)) * 3];
                    row[x] =
                        palette.exact ? palette.index.at(rgbKey(p)) : palette.nearest[std::size_t(bin555(p))];
                }
            }
            std::memcpy(frame_.p->data[1], palette.argb, sizeof palette.argb);
        }
        frame_.p->pts = next_++;
        send(frame_.p);
    }

    void finish() {
        send(nullptr); // flush
        check(ffmpeg().av_write_trailer(out_.p), "cannot finish the movie");
    }

  private:
    void check(int code, const std::string& what) {
        if (code < 0)
            throw DataError("movie: " + what + " (" + avError(code) + ")");
    }
    void send(AVFrame* f) {
        check(ffmpeg().avcodec_send_frame(codec_.p, f), "encoding");
        for (;;) {
            const int r = ffmpeg().avcodec_receive_packet(codec_.p, packet_.p);
            if (r == AVERROR(EAGAIN) || r == AVERROR_EOF)
                return;
            check(r, "encoding");
            // One frame long (x264 leaves it 0): else MP4's edit list cuts the last frame.
            if (packet_.p->duration == 0)
                packet_.p->duration = 1;
            ffmpeg().av_packet_rescale_ts(packet_.p, codec_.p->time_base, stream_->time_base);
            packet_.p->stream_index = stream_->index;
            check(ffmpeg().av_interleaved_write_frame(out_.p, packet_.p), "writing");
        }
    }

    MovieFormat format_;
    int width_, height_, encodedW_ = 0, encodedH_ = 0;
    Output out_;
    Codec codec_;
    AVStream* stream_ = nullptr;
    Frame frame_;
    Packet packet_;
    Scaler scaler_;
    std::vector<std::uint8_t> padded_;
    std::int64_t next_ = 0;
};

Palette gatherPalette(int count, const std::function<RgbImage(int)>& frame) {
    Palette p;
    // Every frame's colours at 5 bits a channel: how often, and their sums (for the entries' means).
    std::vector<std::uint64_t> n(32768), r(32768), g(32768), b(32768);
    for (int i = 0; i < count; ++i) {
        const RgbImage img = frame(i);
        for (std::size_t at = 0; at + 2 < img.rgb.size(); at += 3) {
            const std::uint8_t* px = &img.rgb[at];
            const auto bin = std::size_t(bin555(px));
            ++n[bin];
            r[bin] += px[0];
            g[bin] += px[1];
            b[bin] += px[2];
            if (!p.exact)
                continue;
            const std::uint32_t key = rgbKey(px);
            if (p.index.count(key))
                continue;
            if (p.index.size() == 256) {
                p.exact = false;
                continue;
            }
            const auto entry = std::uint8_t(p.index.size());
            p.index[key] = entry;
            p.argb[entry] = 0xff000000u | key;
        }
    }
    if (p.exact)
        return p;
    std::vector<int> bins;
    for (int bin = 0; bin < 32768; ++bin)
        if (n[std::size_t(bin)])
            bins.push_back(bin);
    std::sort(bins.begin(), bins.end(), [&](int x, int y) { return n[std::size_t(x)] > n[std::size_t(y)]; });
    bins.resize(std::min<std::size_t>(bins.size(), 256));
    int colours[256][3] = {};
    for (std::size_t e = 0; e < bins.size(); ++e) {
        const auto bin = std::size_t(bins[e]);
        colours[e][0] = int(r[bin] / n[bin]);
        colours[e][1] = int(g[bin] / n[bin]);
        colours[e][2] = int(b[bin] / n[bin]);
        p.argb[e] = 0xff000000u | (std::uint32_t(colours[e][0]) << 16) | (std::uint32_t(colours[e][1]) << 8) |
                    std::uint32_t(colours[e][2]);
    }
    p.nearest.resize(32768);
    for (int bin = 0; bin < 32768; ++bin) {
        if (!n[std::size_t(bin)])
            continue; // no pixel has it
        const int cr = ((bin >> 10) << 3) + 4, cg = (((bin >> 5) & 31) << 3) + 4, cb = ((bin & 31) << 3) + 4;
        int best = 0, bestD = 1 << 30;
        for (std::size_t e = 0; e < bins.size(); ++e) {
            const int dr = cr - colours[e][0], dg = cg - colours[e][1], db = cb - colours[e][2];
            const int d = 2 * dr * dr + 4 * dg * dg + 3 * db * db; // green weighs most to the eye
            if (d < bestD) {
                bestD = d;
                best = int(e);
            }
        }
        p.nearest[std::size_t(bin)] = std::uint8_t(best);
    }
    return p;
}

} // namespace

std::filesystem::path writeMovie(const std::filesystem::path& wanted, MovieFormat format, int count,
                                 double fps, const std::function<RgbImage(int)>& frame, bool force,
                                 const std::function<void(int, int)>& progress) {
    if (count < 1)
        throw DataError(wanted.string() + ": a movie needs at least one frame");
    if (!(fps >= 0.1 && fps <= 240))
        throw UsageError("a movie's frame rate must be 0.1..240 frames a second");
    ffmpeg().av_log_set_level(AV_LOG_ERROR); // not x264's statistics on the terminal
    const Palette palette = format == MovieFormat::Gif ? gatherPalette(count, frame) : Palette{};
    std::filesystem::path target = uniqueOutputPath(wanted, force); // not const: returned by move
    writeFileAtomically(
        target,
        [&](const std::filesystem::path& tmp) {
            std::unique_ptr<Encoder> encoder;
            for (int i = 0; i < count; ++i) {
                const RgbImage img = frame(i);
                if (!encoder)
                    encoder = std::make_unique<Encoder>(tmp, format, img.width, img.height, fps);
                encoder->add(img, palette);
                if (progress)
                    progress(i + 1, count);
            }
            encoder->finish();
        },
        force);
    return target;
}

} // namespace ctview
