/* The in-process half of tests/bench/serve_http.py: drives a detector library built by
 * `sev build --lib` through its C ABI (docs/service.md, "The detector ABI") with nothing
 * else in the way, the cost `sev serve` pays per point inside its push path.
 *
 * Usage: serve_detector_driver LIB SERIES POINTS
 *
 * It opens LIB with dlopen, checks the ABI version, creates SERIES states and feeds them
 * POINTS points taken in turn (noise around 10 with a shift to 16 at three quarters of each
 * series, from a fixed seed). Pass 1 measures throughput: the process CPU time and the wall
 * time of all updates, no per-call timers. Pass 2 feeds the same points to fresh states
 * and times every update with CLOCK_MONOTONIC for its median and 99th percentile. It prints
 * one JSON object; it exits 1 with a message on stderr if the library or a call fails. */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct sev_result { double probability, lower, upper, expected, confidence; };

typedef uint32_t (*version_fn)(void);
typedef void *(*new_fn)(void);
typedef void (*free_fn)(void *);
typedef int32_t (*update_fn)(void *, int64_t, double, struct sev_result *);
typedef const char *(*error_fn)(void);

struct api { new_fn new_state; free_fn free_state; update_fn update; error_fn last_error; };

static void fail(const char *what, const char *detail) {
    fprintf(stderr, "serve_detector_driver: %s: %s\n", what, detail ? detail : "(no message)");
    exit(1);
}

static void *need(void *lib, const char *name) {
    void *sym = dlsym(lib, name);
    if (!sym) fail("the library lacks a symbol", name);
    return sym;
}

static struct api open_api(const char *path) {
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib) fail("cannot open the library", dlerror());
    version_fn version = (version_fn)need(lib, "sev_abi_version");
    if (version() != 1) fail("unexpected ABI version", path);
    struct api api = {
        (new_fn)need(lib, "sev_detector_new"), (free_fn)need(lib, "sev_detector_free"),
        (update_fn)need(lib, "sev_detector_update"), (error_fn)need(lib, "sev_last_error"),
    };
    return api;
}

/* xorshift64* and Box-Muller: a fixed, portable stream of normal draws. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static double uniform01(void) {
    rng_state ^= rng_state >> 12; rng_state ^= rng_state << 25; rng_state ^= rng_state >> 27;
    return ((rng_state * 0x2545F4914F6CDD1Dull) >> 11) * (1.0 / 9007199254740992.0);
}
static double normal(void) {
    double u = uniform01(), v = uniform01();
    return sqrt(-2.0 * log(u + 1e-300)) * cos(6.283185307179586 * v);
}

static double now(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void **fresh_states(struct api *api, long series) {
    void **states = malloc(sizeof(void *) * series);
    if (!states) fail("out of memory", "states");
    for (long s = 0; s < series; s++) {
        states[s] = api->new_state();
        if (!states[s]) fail("sev_detector_new failed", api->last_error());
    }
    return states;
}

static void free_states(struct api *api, void **states, long series) {
    for (long s = 0; s < series; s++) api->free_state(states[s]);
    free(states);
}

/* Feeds every point; with `latency` non-null, times each update into it. The number of
 * points whose anomaly probability reached 0.5. */
static long feed(struct api *api, void **states, long series, long points, const double *values, double *latency) {
    long flagged = 0;
    const int64_t start_ms = 1704067200000ll;
    for (long i = 0; i < points; i++) {
        struct sev_result out;
        int64_t ts = start_ms + 60000ll * (i / series);
        double t0 = latency ? now(CLOCK_MONOTONIC) : 0.0;
        if (api->update(states[i % series], ts, values[i], &out) != 0) fail("sev_detector_update failed", api->last_error());
        if (latency) latency[i] = now(CLOCK_MONOTONIC) - t0;
        flagged += out.probability >= 0.5;
    }
    return flagged;
}

int main(int argc, char **argv) {
    if (argc != 4) fail("usage", "serve_detector_driver LIB SERIES POINTS");
    long series = atol(argv[2]), points = atol(argv[3]);
    if (series < 1 || points < series) fail("bad counts", "need SERIES >= 1 and POINTS >= SERIES");
    struct api api = open_api(argv[1]);
    double *values = malloc(sizeof(double) * points), *latency = malloc(sizeof(double) * points);
    if (!values || !latency) fail("out of memory", "points");
    long per = points / series;
    for (long i = 0; i < points; i++) values[i] = ((i / series) >= per * 3 / 4 ? 16.0 : 10.0) + normal();

    void **states = fresh_states(&api, series);
    double cpu0 = now(CLOCK_PROCESS_CPUTIME_ID), wall0 = now(CLOCK_MONOTONIC);
    long flagged = feed(&api, states, series, points, values, NULL);
    double cpu = now(CLOCK_PROCESS_CPUTIME_ID) - cpu0, wall = now(CLOCK_MONOTONIC) - wall0;
    free_states(&api, states, series);

    states = fresh_states(&api, series);
    long flagged_again = feed(&api, states, series, points, values, latency);
    free_states(&api, states, series);
    if (flagged_again != flagged) fail("the detector is not deterministic", "the two passes flagged different points");
    qsort(latency, points, sizeof(double), by_value);
    printf("{\"points\": %ld, \"series\": %ld, \"cpu_s\": %.6f, \"wall_s\": %.6f, \"flagged\": %ld, "
           "\"p50_us\": %.3f, \"p99_us\": %.3f, \"max_us\": %.3f}\n",
           points, series, cpu, wall, flagged, latency[points / 2] * 1e6, latency[(long)(points * 0.99)] * 1e6,
           latency[points - 1] * 1e6);
    free(values);
    free(latency);
    return 0;
}
