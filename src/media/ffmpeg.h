#pragma once
// FFmpeg's libraries (movies: H.264 MP4 and GIF), opened on first use rather than linked. Linked, they and
// the ~130 libraries they pull in (codecs, TLS, ...) took 30 ms of every ctview start, window or command,
// though only a movie needs them. The headers still give the types and the function signatures.
extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
}

namespace ctview {

// Every FFmpeg function ctview calls, with the library it comes from: one list for the pointers and their
// lookup.
#define CTVIEW_FFMPEG_FUNCTIONS(X)                                                                           \
    X(avutil, av_frame_alloc)                                                                                \
    X(avutil, av_frame_free)                                                                                 \
    X(avutil, av_frame_get_buffer)                                                                           \
    X(avutil, av_frame_make_writable)                                                                        \
    X(avutil, av_log_set_level)                                                                              \
    X(avutil, av_opt_set)                                                                                    \
    X(avutil, av_strerror)                                                                                   \
    X(avcodec, av_packet_alloc)                                                                              \
    X(avcodec, av_packet_free)                                                                               \
    X(avcodec, av_packet_rescale_ts)                                                                         \
    X(avcodec, avcodec_alloc_context3)                                                                       \
    X(avcodec, avcodec_find_encoder)                                                                         \
    X(avcodec, avcodec_free_context)                                                                         \
    X(avcodec, avcodec_open2)                                                                                \
    X(avcodec, avcodec_parameters_from_context)                                                              \
    X(avcodec, avcodec_receive_packet)                                                                       \
    X(avcodec, avcodec_send_frame)                                                                           \
    X(avformat, av_interleaved_write_frame)                                                                  \
    X(avformat, av_write_trailer)                                                                            \
    X(avformat, avformat_alloc_output_context2)                                                              \
    X(avformat, avformat_free_context)                                                                       \
    X(avformat, avformat_new_stream)                                                                         \
    X(avformat, avformat_write_header)                                                                       \
    X(avformat, avio_closep)                                                                                 \
    X(avformat, avio_open)                                                                                   \
    X(swscale, sws_freeContext)                                                                              \
    X(swscale, sws_getContext)                                                                               \
    X(swscale, sws_scale)

struct Ffmpeg {
// NOLINTNEXTLINE(bugprone-macro-parentheses): `name` is the member's declarator, not an expression
#define CTVIEW_FFMPEG_POINTER(lib, name) decltype(&::name) name = nullptr;
    CTVIEW_FFMPEG_FUNCTIONS(CTVIEW_FFMPEG_POINTER)
#undef CTVIEW_FFMPEG_POINTER
};

// The libraries of the FFmpeg these headers are from (libavcodec.so.59, ...), opened once, thread-safely.
// Throws DataError naming the library that is missing or lacks a function (install libavcodec59,
// libavformat59, libswscale6: Debian's FFmpeg).
const Ffmpeg& ffmpeg();

} // namespace ctview
