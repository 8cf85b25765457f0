#include "web/RequestOrigin.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/core.h>

namespace pianola::web {

namespace {

std::string lowercase(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    return lower;
}

bool is_ipv4(const std::string& name) {
    in_addr address;
    return inet_pton(AF_INET, name.c_str(), &address) == 1;
}

bool is_ipv6(const std::string& name) {
    in6_addr address;
    return inet_pton(AF_INET6, name.c_str(), &address) == 1;
}

bool is_loopback(const std::string& name) {
    in_addr v4;
    if (inet_pton(AF_INET, name.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
    return name == "::1" || name == "localhost";
}

// "name:port", "[v6]:port" or either without a port -> the name (an IPv6 address without brackets)
// and the port (80 when absent); false when it is neither.
bool split_host(std::string_view host, std::string& name, int& port) {
    std::string_view rest;
    if (host.starts_with('[')) {
        const std::size_t close = host.find(']');
        if (close == std::string_view::npos) return false;
        name = lowercase(host.substr(1, close - 1));
        if (!is_ipv6(name)) return false;
        rest = host.substr(close + 1);
    } else {
        const std::size_t colon = host.find(':');
        name = lowercase(host.substr(0, colon));
        rest = colon == std::string_view::npos ? std::string_view{} : host.substr(colon);
    }
    if (name.empty()) return false;
    port = 80;
    if (rest.empty()) return true;
    if (rest.front() != ':' || rest.size() == 1) return false;
    const char* end = rest.data() + rest.size();
    const auto [stop, error] = std::from_chars(rest.data() + 1, end, port);
    return error == std::errc{} && stop == end;
}

}  // namespace

bool host_is_ours(std::string_view host, std::string_view listen, int port) {
    std::string name;
    int asked = 0;
    if (!split_host(host, name, asked) || asked != port) return false;
    const std::string ours = lowercase(listen);
    if (ours == "0.0.0.0" || ours == "::") return name == "localhost" || is_ipv4(name) || is_ipv6(name);
    if (is_loopback(ours) && name == "localhost") return true;
    if (is_loopback(ours) && is_loopback(name)) return true;
    return name == ours;
}

std::string foreign_origin(std::string_view origin, std::string_view fetch_site, std::string_view host) {
    if (fetch_site == "cross-site" || fetch_site == "same-site")
        return fmt::format("the browser says the request comes from another site (Sec-Fetch-Site: {})", fetch_site);
    if (!origin.empty() && lowercase(origin) != "http://" + lowercase(host))
        return fmt::format("the request comes from {}, not from the studio's page at http://{}", origin, host);
    return "";
}

}  // namespace pianola::web
