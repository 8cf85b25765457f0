// EpochStreams: one epoch of next-token training data. The training pieces, in a fresh order and
// each at a random transposition, are concatenated into one stream (piece starts mark the
// seams) and cut into B equal rows; step s reads columns [sT, sT + T) of every row. Row b of step
// s + 1 continues row b of step s, so the trainer carries the LSTM state from step to step and
// the model sees context longer than T. Everything is a function of (seed, epoch), so a resumed
// run rebuilds exactly the epoch it left.
// With several training processes (train/DataParallel), each takes an equal share of the rows:
// the stream and its cut are the same for all, so N processes of B rows each read exactly what
// one process of N x B rows would.
// With a fill rate, that share of the pieces (drawn per piece and epoch) is laid out to teach
// filling in the middle (music/FillInTheMiddle): a gap of 1 to max_fill_bars bars anywhere in the
// piece, with the bars just before it, written after the bars that follow it.
// It is not the seed design's window dataset (train/WindowDataset is).
//
// Shapes: B rows (batch), T chunk length.
#pragma once

#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "train/SequenceSet.h"

namespace pianola::train {

// Which share of the rows this process reads: share `index` of `count`.
struct RowShare {
    int index = 0;
    int count = 1;
};

struct StreamBatch {
    torch::Tensor inputs;   // (B, T) int64
    torch::Tensor targets;  // (B, T) int64, inputs shifted by one
};

// The longest gap a piece laid out to fill is given: twice what `generate --bars 9-12` asks.
inline constexpr int max_fill_bars = 8;

class EpochStreams {
public:
    // A stream too short for `batch` rows of `seq` tokens gets fewer rows, then shorter chunks;
    // with a share, a whole multiple of share.count rows (throws std::invalid_argument when the
    // stream cannot give every process a row). fill_rate: the share of pieces laid out to fill
    // (0 to 1; used only where the set has fill markers).
    EpochStreams(const SequenceSet& set, std::int64_t batch, std::int64_t seq, std::uint64_t seed, int epoch,
                 RowShare share = {}, double fill_rate = 0);

    std::int64_t steps() const { return steps_; }
    std::int64_t rows() const { return rows_; }  // this process' rows
    std::int64_t chunk() const { return chunk_; }
    StreamBatch batch(std::int64_t step) const;

private:
    torch::Tensor rows_tensor_;  // (B, steps * T + 1)
    std::int64_t rows_ = 0, chunk_ = 0, steps_ = 0;
};

}  // namespace pianola::train
