#include "eval/SetDistance.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "eval/Quantile.h"

namespace pianola::eval {

namespace {

constexpr std::size_t grid_points = 1024;
constexpr double kernel_reach = 4;  // bandwidths: the grid's margin and the kernel's cut

double silverman_bandwidth(std::span<const double> values) {
    const auto n = static_cast<double>(values.size());
    if (values.size() < 2) return 0;
    const double mean = std::accumulate(values.begin(), values.end(), 0.0) / n;
    double square = 0;
    for (const double v : values) square += (v - mean) * (v - mean);
    const double sd = std::sqrt(square / (n - 1));
    std::vector<double> sorted(values.begin(), values.end());
    std::sort(sorted.begin(), sorted.end());
    const double iqr = (quantile(sorted, 0.75) - quantile(sorted, 0.25)) / 1.34;
    // A sample with most values equal has no interquartile range but may still spread.
    const double spread = iqr > 0 ? std::min(sd, iqr) : sd;
    return 0.9 * spread * std::pow(n, -0.2);
}

// A density on an even grid (first point `low`, spacing `step`) as weights per grid point: the
// values binned to their nearest point, then spread by the kernel, so the cost is the grid's, not
// the sample's (pairwise distances of a hundred pieces are ten thousand values).
struct Grid {
    double low = 0, step = 1;
};

std::vector<double> density(std::span<const double> values, double bandwidth, const Grid& grid) {
    std::vector<double> counts(grid_points, 0), out(grid_points, 0);
    for (const double v : values) {
        const long at = std::lround((v - grid.low) / grid.step);
        counts[static_cast<std::size_t>(std::clamp(at, 0L, static_cast<long>(grid_points) - 1))] += 1;
    }
    const auto reach = static_cast<long>(std::ceil(kernel_reach * bandwidth / grid.step));
    std::vector<double> kernel(static_cast<std::size_t>(reach) + 1);
    const double scale = 1 / (static_cast<double>(values.size()) * bandwidth * std::sqrt(2 * M_PI));
    for (long d = 0; d <= reach; ++d) {
        const double z = static_cast<double>(d) * grid.step / bandwidth;
        kernel[static_cast<std::size_t>(d)] = scale * std::exp(-0.5 * z * z);
    }
    const auto points = static_cast<long>(grid_points);
    for (long b = 0; b < points; ++b) {
        const double c = counts[static_cast<std::size_t>(b)];
        if (c == 0) continue;
        for (long g = std::max(0L, b - reach); g <= std::min(points - 1, b + reach); ++g)
            out[static_cast<std::size_t>(g)] += c * kernel[static_cast<std::size_t>(std::abs(g - b))];
    }
    return out;
}

// The overlapping area of two mixtures, each an equally weighted mix of samples' densities: the
// pitch-class feature mixes the distances within each set, giving both sets an equal say however
// many pieces each holds.
double mixture_overlap(const std::vector<std::span<const double>>& a, const std::vector<std::span<const double>>& b) {
    double low = INFINITY, high = -INFINITY;
    for (const auto* side : {&a, &b})
        for (const auto sample : *side) {
            if (sample.empty()) throw std::invalid_argument("a set to compare holds no values");
            const auto [lo, hi] = std::minmax_element(sample.begin(), sample.end());
            low = std::min(low, *lo);
            high = std::max(high, *hi);
        }
    if (high == low) return 1;
    const double floor = (high - low) / 100;
    std::vector<double> bandwidths;
    for (const auto* side : {&a, &b})
        for (const auto sample : *side) bandwidths.push_back(std::max(floor, silverman_bandwidth(sample)));
    const double margin = kernel_reach * *std::max_element(bandwidths.begin(), bandwidths.end());
    const Grid grid{low - margin, (high - low + 2 * margin) / static_cast<double>(grid_points - 1)};
    std::size_t next = 0;
    const auto mixture = [&](const std::vector<std::span<const double>>& side) {
        std::vector<double> mix(grid_points, 0);
        for (const auto sample : side) {
            const std::vector<double> d = density(sample, bandwidths[next++], grid);
            for (std::size_t g = 0; g < grid_points; ++g) mix[g] += d[g] / static_cast<double>(side.size());
        }
        return mix;
    };
    const std::vector<double> fa = mixture(a), fb = mixture(b);
    double area = 0;
    for (std::size_t g = 0; g < grid_points; ++g) area += std::min(fa[g], fb[g]) * grid.step;
    return std::clamp(area, 0.0, 1.0);
}

double histogram_distance(const std::array<double, 12>& x, const std::array<double, 12>& y) {
    double best = INFINITY;
    for (std::size_t shift = 0; shift < 12; ++shift) {
        double square = 0;
        for (std::size_t pc = 0; pc < 12; ++pc) {
            const double d = x[pc] - y[(pc + shift) % 12];
            square += d * d;
        }
        best = std::min(best, square);
    }
    return std::sqrt(best);
}

// Every ordered pair, a piece with itself included, so that two identical sets give identical
// distributions of distances within and between them.
std::vector<double> histogram_distances(const std::vector<MusicStats>& a, const std::vector<MusicStats>& b) {
    std::vector<double> out;
    out.reserve(a.size() * b.size());
    for (const MusicStats& x : a)
        for (const MusicStats& y : b) out.push_back(histogram_distance(x.pitch_class_histogram, y.pitch_class_histogram));
    return out;
}

double pitch_class_overlap(const std::vector<MusicStats>& a, const std::vector<MusicStats>& b) {
    const std::vector<double> within_a = histogram_distances(a, a), within_b = histogram_distances(b, b),
                              between = histogram_distances(a, b);
    return mixture_overlap({within_a, within_b}, {between});
}

struct ScalarFeature {
    std::string_view name;
    double (*of)(const MusicStats&);
};

const std::vector<ScalarFeature>& scalar_features() {
    static const std::vector<ScalarFeature> features{
        {"scale_consistency", [](const MusicStats& s) { return s.scale_consistency; }},
        {"ioi_entropy", [](const MusicStats& s) { return s.ioi_entropy; }},
        {"duration_entropy", [](const MusicStats& s) { return s.duration_entropy; }},
        {"polyphony", [](const MusicStats& s) { return s.polyphony; }},
        {"pitch_range", [](const MusicStats& s) { return static_cast<double>(s.pitch_range); }},
        {"distinct_4grams", [](const MusicStats& s) { return s.distinct_4grams; }},
    };
    return features;
}

constexpr std::string_view pitch_class_name = "pitch_class_histogram";

}  // namespace

double overlapping_area(std::span<const double> a, std::span<const double> b) { return mixture_overlap({a}, {b}); }

SetDistance set_distance(const std::vector<MusicStats>& a, const std::vector<MusicStats>& b) {
    if (a.empty() || b.empty()) throw std::invalid_argument("a set of pieces to compare is empty");
    SetDistance out;
    out.features.push_back({pitch_class_name, 1 - pitch_class_overlap(a, b)});
    for (const ScalarFeature& feature : scalar_features()) {
        std::vector<double> va, vb;
        for (const MusicStats& s : a) va.push_back(feature.of(s));
        for (const MusicStats& s : b) vb.push_back(feature.of(s));
        out.features.push_back({feature.name, 1 - overlapping_area(va, vb)});
    }
    for (const FeatureDistance& f : out.features) out.total += f.distance / static_cast<double>(out.features.size());
    return out;
}

std::vector<std::string_view> distance_feature_names() {
    std::vector<std::string_view> names{pitch_class_name};
    for (const ScalarFeature& feature : scalar_features()) names.push_back(feature.name);
    return names;
}

}  // namespace pianola::eval
