#include "media/ffmpeg.h"

#include "base/error.h"

#include <dlfcn.h>

#include <string>

namespace ctview {

namespace {

// One library by its soname, whose major version is the one the headers were written for.
void* openLibrary(const std::string& name, int major) {
    const std::string soname = "lib" + name + ".so." + std::to_string(major);
    void* handle = ::dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char* why = ::dlerror();
        throw DataError("movies need FFmpeg's " + soname + ", which cannot be loaded (" +
                        (why ? why : "not found") + ")");
    }
    return handle; // kept open for the process's life
}

Ffmpeg load() {
    void* const avutil = openLibrary("avutil", LIBAVUTIL_VERSION_MAJOR);
    void* const avcodec = openLibrary("avcodec", LIBAVCODEC_VERSION_MAJOR);
    void* const avformat = openLibrary("avformat", LIBAVFORMAT_VERSION_MAJOR);
    void* const swscale = openLibrary("swscale", LIBSWSCALE_VERSION_MAJOR);
    Ffmpeg f;
#define CTVIEW_FFMPEG_LOOKUP(lib, name)                                                                      \
    f.name = reinterpret_cast<decltype(f.name)>(::dlsym(lib, #name));                                        \
    if (!f.name)                                                                                             \
        throw DataError("FFmpeg's lib" #lib " has no " #name);
    CTVIEW_FFMPEG_FUNCTIONS(CTVIEW_FFMPEG_LOOKUP)
#undef CTVIEW_FFMPEG_LOOKUP
    return f;
}

} // namespace

const Ffmpeg& ffmpeg() {
    static const Ffmpeg f = load(); // a failure throws, and the next call tries again
    return f;
}

} // namespace ctview
