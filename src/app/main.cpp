// ctview: a fast native viewer for CT scans. main() only parses, runs, and turns typed errors into exit codes.
#include "core/error.h"

#include <cstdio>
#include <exception>
#include <new>
#include <string>

namespace ctview::app {
int runCli(int argc, char** argv);
}

int main(int argc, char** argv) {
    try {
        return ctview::app::runCli(argc, argv);
    } catch (const ctview::UsageError& e) {
        // A mistake found after parsing (a value out of range, an unknown preset): the reason, and where to look.
        std::string cmd;
        for (const char* sub : {"info", "export", "convert", "snapshot", "render", "make-phantom"})
            if (argc > 1 && std::string(argv[1]) == sub) cmd = std::string(" ") + sub;
        std::fprintf(stderr, "ctview: %s\nRun 'ctview%s --help' for usage.\n", e.what(), cmd.c_str());
        return 2;
    } catch (const ctview::DataError& e) {
        std::fprintf(stderr, "ctview: %s\n", e.what());
        return 1;
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr, "ctview: out of memory\n");
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ctview: %s\n", e.what());
        return 1;
    }
}
