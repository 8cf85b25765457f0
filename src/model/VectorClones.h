// PIANOLA_VECTOR_CLONES: compile a hot loop for AVX-512, AVX2 and plain x86-64, and let the loader
// pick the best the CPU has. The project builds without -march=native, so one binary runs on any
// x86-64 and still uses the wide registers where they exist. Elsewhere it is nothing.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__)
#define PIANOLA_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define PIANOLA_VECTOR_CLONES
#endif
