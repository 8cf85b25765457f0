#include "TokenCacheFlags.h"

#include <cstdlib>

namespace pianola::app {

void add_token_cache_flags(CLI::App& cmd, TokenCacheFlags& flags) {
    CLI::Option* dir = cmd.add_option("--token-cache", flags.dir,
                                      "Folder of the token cache, so a second read of a corpus reads only the files "
                                      "that changed (default: $XDG_CACHE_HOME/pianola or ~/.cache/pianola)");
    cmd.add_flag("--no-token-cache", flags.off, "Read and tokenize every file, keeping no cache")->excludes(dir);
}

std::optional<std::filesystem::path> token_cache_dir(const TokenCacheFlags& flags) {
    if (flags.off) return std::nullopt;
    if (flags.dir) return flags.dir;
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return std::filesystem::path(xdg) / "pianola";
    if (const char* home = std::getenv("HOME"); home && *home) return std::filesystem::path(home) / ".cache" / "pianola";
    return std::nullopt;
}

}  // namespace pianola::app
