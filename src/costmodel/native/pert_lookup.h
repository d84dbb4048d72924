/* The PERT table lookup of sampling.pert_lever, in three versions of the one loop: scalar (any C99 compiler),
 * AVX2 (4 draws at a time) and AVX-512F (8 at a time), chosen once at module init from what the CPU supports.
 *
 * Every version does the scalar arithmetic in the same order, so all three give the same bits: s = u cells (one
 * multiply), k = s truncated and clipped to [0, rows - 1] (as max(s, 0), then min(., rows - 1), then truncated:
 * the same k for every s, NaN included, which gives 0), x = slope_k s, then x + intercept_k (a multiply then an
 * add: the build has -ffp-contract=off and the vector code uses no FMA). The vector versions gather slope_k and
 * intercept_k lane by lane (32-bit indices 2k, so a table of at most 2^29 rows: longer ones take the scalar loop)
 * and send the lanes whose x is NaN (a steep end's cell) to steep_end, the scalar code of the ends; the draws
 * left over after the last whole vector take the scalar loop. Loads and stores are unaligned (a column may start
 * anywhere) and each vector is read before it is written, so u and out may be the same buffer.
 *
 * The vector versions are compiled with GCC's target attribute, not -march, so the one shared library runs on any
 * x86-64 CPU: __builtin_cpu_supports picks the version at init. Elsewhere (another architecture, a compiler
 * without GNU C extensions) only the scalar loop is compiled. COSTMODEL_NO_SIMD=1 in the environment at import
 * keeps the scalar loop; simd() and use_simd() in the module report and switch the version (for the tests).
 */
#ifndef COSTMODEL_NATIVE_PERT_LOOKUP_H
#define COSTMODEL_NATIVE_PERT_LOOKUP_H

#include "buffers.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define PERT_X86_SIMD 1
#endif

/* One lever's tables: body rows (slope_k, intercept_k) interleaved, the steep ends' knots, scales and powers. */
typedef struct {
    const double *body, *knots, *scale, *power;
    double cells, middle, span, low;
    Py_ssize_t last, tail;  /* last = rows - 1; tail = the knots' cells per end */
} pert_table;

/* The value at s in a steep end's cell: end e = (s >= middle), v = distance of s from that end, t = tail (v scale[e])^power[e]
 * (as exp(power log(v scale))), interpolated linearly between knots[e (tail + 1) + j] and the next, then low + span x. */
static double steep_end(const pert_table *t, double s) {
    const int e = s >= t->middle;
    const double v = e ? t->cells - s : s;
    double r = exp(log(v * t->scale[e]) * t->power[e]) * (double)t->tail;
    double x;
    Py_ssize_t j = (Py_ssize_t)r;
    if (j > t->tail - 1)
        j = t->tail - 1;
    r -= (double)j;
    j += e * (t->tail + 1);
    x = t->knots[j];
    x += (t->knots[j + 1] - x) * r;
    x *= t->span;
    x += t->low;
    return x;
}

static void lookup_scalar(const pert_table *t, const double *pu, double *po, Py_ssize_t n) {
    const double *pb = t->body;
    const Py_ssize_t last = t->last;
    for (Py_ssize_t i = 0; i < n; i++) {
        double s = pu[i] * t->cells;
        Py_ssize_t k = (s >= 0.0) ? (s < (double)last ? (Py_ssize_t)s : last) : 0;
        double x = pb[2 * k] * s;
        x += pb[2 * k + 1];
        if (isnan(x))  /* a steep end's cell */
            x = steep_end(t, s);
        po[i] = x;
    }
}

#ifdef PERT_X86_SIMD
/* The lanes of x flagged in nan (bits) are steep ends' cells: their values from steep_end at the lanes' s. */
static inline void steep_lanes(const pert_table *t, const double *s, double *po, unsigned nan) {
    while (nan) {
        const int l = __builtin_ctz(nan);
        po[l] = steep_end(t, s[l]);
        nan &= nan - 1;
    }
}

__attribute__((target("avx2")))
static void lookup_avx2(const pert_table *t, const double *pu, double *po, Py_ssize_t n) {
    const __m256d cells = _mm256_set1_pd(t->cells), zero = _mm256_setzero_pd(), last = _mm256_set1_pd((double)t->last);
    Py_ssize_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const __m256d s = _mm256_mul_pd(_mm256_loadu_pd(pu + i), cells);
        const __m128i k = _mm256_cvttpd_epi32(_mm256_min_pd(_mm256_max_pd(s, zero), last));  /* max(NaN, 0) = 0 */
        const __m128i k2 = _mm_add_epi32(k, k);
        __m256d x = _mm256_mul_pd(_mm256_i32gather_pd(t->body, k2, 8), s);
        unsigned nan;
        x = _mm256_add_pd(x, _mm256_i32gather_pd(t->body + 1, k2, 8));
        _mm256_storeu_pd(po + i, x);
        nan = (unsigned)_mm256_movemask_pd(_mm256_cmp_pd(x, x, _CMP_UNORD_Q));
        if (nan) {
            double sv[4];
            _mm256_storeu_pd(sv, s);
            steep_lanes(t, sv, po + i, nan);
        }
    }
    lookup_scalar(t, pu + i, po + i, n - i);
}

__attribute__((target("avx512f")))
static void lookup_avx512(const pert_table *t, const double *pu, double *po, Py_ssize_t n) {
    const __m512d cells = _mm512_set1_pd(t->cells), zero = _mm512_setzero_pd(), last = _mm512_set1_pd((double)t->last);
    Py_ssize_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m512d s = _mm512_mul_pd(_mm512_loadu_pd(pu + i), cells);
        const __m256i k = _mm512_cvttpd_epi32(_mm512_min_pd(_mm512_max_pd(s, zero), last));  /* max(NaN, 0) = 0 */
        const __m256i k2 = _mm256_add_epi32(k, k);
        __m512d x = _mm512_mul_pd(_mm512_i32gather_pd(k2, t->body, 8), s);
        unsigned nan;
        x = _mm512_add_pd(x, _mm512_i32gather_pd(k2, t->body + 1, 8));
        _mm512_storeu_pd(po + i, x);
        nan = (unsigned)_mm512_cmp_pd_mask(x, x, _CMP_UNORD_Q);
        if (nan) {
            double sv[8];
            _mm512_storeu_pd(sv, s);
            steep_lanes(t, sv, po + i, nan);
        }
    }
    lookup_scalar(t, pu + i, po + i, n - i);
}
#endif

typedef void (*pert_lookup_fn)(const pert_table *, const double *, double *, Py_ssize_t);

typedef struct {
    const char *name;
    pert_lookup_fn fn;
} pert_version;

/* The versions compiled here, the scalar loop first. */
static const pert_version pert_versions[] = {
    {"scalar", lookup_scalar},
#ifdef PERT_X86_SIMD
    {"avx2", lookup_avx2},
    {"avx512f", lookup_avx512},
#endif
};
#define PERT_VERSIONS ((int)(sizeof pert_versions / sizeof pert_versions[0]))

static int pert_chosen = 0;  /* index into pert_versions, set at module init and by use_simd() (under the GIL) */

/* Whether this CPU runs version v. */
static int pert_supported(int v) {
#ifdef PERT_X86_SIMD
    __builtin_cpu_init();
    if (strcmp(pert_versions[v].name, "avx2") == 0)
        return __builtin_cpu_supports("avx2");
    if (strcmp(pert_versions[v].name, "avx512f") == 0)
        return __builtin_cpu_supports("avx512f");
#endif
    return v == 0;
}

/* At module init: the widest version this CPU runs, or the scalar loop under COSTMODEL_NO_SIMD (set, not "" or "0"). */
static void pert_choose(void) {
    const char *off = getenv("COSTMODEL_NO_SIMD");
    pert_chosen = 0;
    if (off && off[0] && strcmp(off, "0") != 0)
        return;
    for (int v = PERT_VERSIONS - 1; v > 0; v--)
        if (pert_supported(v)) {
            pert_chosen = v;
            return;
        }
}

/* The loop for table t (taken with the GIL held): the chosen version, or the scalar loop for a table too long for 32-bit indices. */
static pert_lookup_fn pert_lookup_for(const pert_table *t) {
    return t->last < ((Py_ssize_t)1 << 29) ? pert_versions[pert_chosen].fn : lookup_scalar;
}

#endif
