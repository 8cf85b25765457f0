// `train --nproc N`: the run as N worker processes on this machine, started the way torchrun
// starts them: this program again with the same arguments, RANK, LOCAL_RANK, WORLD_SIZE,
// MASTER_ADDR (127.0.0.1) and a free MASTER_PORT set, and its share of the cores. Rank 0 writes
// to this terminal; the others only their errors. When one worker fails, the others are ended
// and the run fails with one line naming its rank; a worker dies with this process.
// It is not a cluster launcher: torchrun and Slurm start workers on several machines.
#pragma once

namespace pianola::app {

// Returns when every worker has ended well; throws std::runtime_error naming the first that did not.
// `threads`: the cores of all workers together (0: all of this machine's).
void run_local_workers(int count, int threads);

}  // namespace pianola::app
