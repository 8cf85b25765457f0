#include "CliRunner.h"

#include <cstdio>
#include <exception>
#include <string>

namespace pianola::app {

namespace {

// The first line only: libtorch's errors (c10::Error) carry a backtrace after it.
int fail(const std::string& message) {
    const std::string line = message.substr(0, message.find('\n'));
    std::fprintf(stderr, "pianola: error: %s\n", line.c_str());
    return 1;
}

}  // namespace

int run_cli(CLI::App& app, int argc, char** argv) {
    if (argc == 1) {
        std::fputs(app.help().c_str(), stderr);
        return 1;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
        return fail(e.what());
    } catch (const std::exception& e) {
        return fail(e.what());
    }
    return 0;
}

}  // namespace pianola::app
