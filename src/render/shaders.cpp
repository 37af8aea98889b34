#include "render/shaders.h"

#include "render/gl.h"

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ctview::gl {

struct EmbeddedFile {
    const char* name;
    const char* text;
};
extern const EmbeddedFile kEmbeddedShaders[];
extern const std::size_t kEmbeddedShadersCount;

std::string shaderSource(const std::string& name) {
    if (const char* dir = std::getenv("CTVIEW_SHADER_DIR"); dir && *dir) {
        std::ifstream in(std::string(dir) + "/" + name);
        if (in) {
            std::ostringstream ss;
            ss << in.rdbuf();
            return ss.str();
        }
    }
    for (std::size_t n = 0; n < kEmbeddedShadersCount; ++n)
        if (name == kEmbeddedShaders[n].name)
            return kEmbeddedShaders[n].text;
    throw GlError("no shader named " + name);
}

} // namespace ctview::gl
