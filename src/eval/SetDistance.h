// SetDistance: how far apart two sets of pieces are in their music, as Yang and Lerch measure it
// ("On the evaluation of generative models in music", 2018): for each feature, the overlapping
// area of the two sets' distributions, each a Gaussian kernel density estimate, so that a set of
// composed pieces is judged by the spread of human pieces, not by one median. The distance of a
// feature is 1 minus that area (0: the same distribution, 1: disjoint); the total is the mean over
// the features. Pitch range, polyphony, scale consistency, the entropy of the inter-onset
// intervals and of the notes' lengths, and the share of distinct 4-onset runs (repetition) are
// numbers per piece. The pitch-class histogram is a vector, compared as Yang and Lerch compare every feature: the
// distances between pieces of one set against the distances between pieces of the two sets, so
// two sets are near when their pieces are as far from each other as from their own set's. That
// distance is Euclidean at the transposition that brings two histograms nearest, so pieces in
// different keys are not told apart by key alone.
// It is symmetric and names no reference: `evaluate` and the composing calibration say which set
// is the human one. It does not compute the features (MusicStats does).
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "eval/MusicStats.h"

namespace pianola::eval {

// The overlapping area of two samples' kernel densities, in [0, 1]: Gaussian kernels at Silverman's
// bandwidth (0.9 min(sd, IQR / 1.34) n^-1/5, at least 1/100 of the two samples' joint range, so a
// set of one repeated value is a narrow peak, not a spike a grid misses), integrated over 1,024
// points. 1 where both samples are one and the same value. Throws std::invalid_argument for an
// empty sample.
double overlapping_area(std::span<const double> a, std::span<const double> b);

struct FeatureDistance {
    std::string_view name;
    double distance = 0;  // 1 - overlapping area
};

struct SetDistance {
    std::vector<FeatureDistance> features;
    double total = 0;  // the mean over the features
};

// Throws std::invalid_argument when either set is empty.
SetDistance set_distance(const std::vector<MusicStats>& a, const std::vector<MusicStats>& b);

// The features' names, in the order set_distance reports them.
std::vector<std::string_view> distance_feature_names();

}  // namespace pianola::eval
