#pragma once
// GLSL sources from shaders/, embedded into the binary at build time. While developing, set CTVIEW_SHADER_DIR
// to the source folder's shaders/ and press F5 in the viewer: the files are read from disk again, and a
// shader that does not compile leaves the last good program in place with the compiler's message (file:line)
// on screen.
#include <string>

namespace ctview::gl {

// The text of shaders/<name>: from $CTVIEW_SHADER_DIR when set and readable, else the embedded copy. Throws
// GlError for an unknown name.
std::string shaderSource(const std::string& name);

} // namespace ctview::gl
