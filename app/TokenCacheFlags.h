// The flags that say where a corpus' token cache lives, shared by the commands that read a
// corpus (`train`, `tokens`, `baseline`, `evaluate`): --token-cache DIR, or --no-token-cache.
// By default the cache is $XDG_CACHE_HOME/pianola (else ~/.cache/pianola), as desktop tools keep
// theirs; it holds nothing that cannot be made again, so it can be deleted at any time.
#pragma once

#include <filesystem>
#include <optional>

#include <CLI/CLI.hpp>

namespace pianola::app {

struct TokenCacheFlags {
    std::optional<std::filesystem::path> dir;
    bool off = false;
};

void add_token_cache_flags(CLI::App& cmd, TokenCacheFlags& flags);

// The cache folder to use; nullopt with --no-token-cache, or when neither XDG_CACHE_HOME nor HOME is set.
std::optional<std::filesystem::path> token_cache_dir(const TokenCacheFlags& flags);

}  // namespace pianola::app
