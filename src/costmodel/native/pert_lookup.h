/* The PERT table lookup of sampling.pert_lever, in three versions of the one loop: scalar (any C99 compiler),
 * AVX2 (4 draws at a time) and AVX-512F (8 at a time), chosen once at module init from what the CPU supports.
 *
 * Every version does the scalar arithmetic in the same order, so all three give the same bits: s = u cells (one
 * multiply), k = s truncated and clipped to [0, rows - 1] (as max(s, 0), then min(., rows - 1), then truncated:
 * the same k for every s, NaN included, which gives 0), x = slope_k s, then x + intercept_k (a multiply then an
 * add: the build has -ffp-contract=off and the vector code uses no FMA). The vector versions gather slope_k and
 * intercept_k lane by lane (32-bit indices 2k, so a table of at most 2^29 rows: longer ones take the scalar loop)
 * and give the lanes whose x is NaN (a steep end's cell) to steep_end, the scalar code of the ends (libm's exp
 * and log), at the lane's own s: the AVX2 loop at once, the AVX-512 loop after each block of 512 draws (the
 * steep lanes' s and positions listed without a branch). The draws after the last whole vector take the scalar
 * loop. Loads and stores are unaligned (a column may start anywhere) and each vector is read before it is
 * written, the steep lanes' s kept aside, so u and out may be the same buffer. Both vector loops first prefetch
 * the whole table (256 KiB) when there are at least as many draws as rows: those draws touch nearly every line
 * of it anyway, and a sweep brings it in faster than the scattered misses of the lookups.
 *
 * The vector versions are compiled with GCC's target attribute, not -march, so the one shared library runs on any
 * x86-64 CPU: __builtin_cpu_supports picks the version at init (simd_choice.h). Elsewhere (another architecture,
 * a compiler without GNU C extensions) only the scalar loop is compiled. COSTMODEL_NO_SIMD=1 in the environment at import
 * keeps the scalar loop; simd() and use_simd() in the module report and switch the version (for the tests).
 */
#ifndef COSTMODEL_NATIVE_PERT_LOOKUP_H
#define COSTMODEL_NATIVE_PERT_LOOKUP_H

#include "buffers.h"
#include "simd_choice.h"
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
    const double *pb = t->body, cells = t->cells;
    const Py_ssize_t last = t->last;
    for (Py_ssize_t i = 0; i < n; i++) {
        double s = pu[i] * cells;
        Py_ssize_t k = (s >= 0.0) ? (s < (double)last ? (Py_ssize_t)s : last) : 0;
        double x = pb[2 * k] * s;
        x += pb[2 * k + 1];
        if (isnan(x))  /* a steep end's cell */
            x = steep_end(t, s);
        po[i] = x;
    }
}

#ifdef PERT_X86_SIMD
#define STEEP_BLOCK 512  /* draws whose steep ends are listed, then computed, at a time */

/* The steep ends' cells listed in a block: their values from steep_end at the listed s, into out[pos[j]]. */
static void steep_listed(const pert_table *t, const double *s, const int *pos, int count, double *out) {
    for (int j = 0; j < count; j++)
        out[pos[j]] = steep_end(t, s[j]);
}

/* The whole table into the cache at the start, where the draws will touch nearly every line of it anyway. */
static void prefetch_table(const pert_table *t, Py_ssize_t n) {
    if (n > t->last)
        for (Py_ssize_t j = 0; j < 2 * (t->last + 1); j += 8)
            _mm_prefetch((const char *)(t->body + j), _MM_HINT_T0);
}

/* AVX2: the steep lanes straight away (a steep end in about 9 % of the vectors: a branch is cheaper here than listing). */
__attribute__((target("avx2")))
static void lookup_avx2(const pert_table *t, const double *pu, double *po, Py_ssize_t n) {
    const __m256d cells = _mm256_set1_pd(t->cells), zero = _mm256_setzero_pd(), last = _mm256_set1_pd((double)t->last);
    Py_ssize_t i = 0;
    prefetch_table(t, n);
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
            double s4[4];
            _mm256_storeu_pd(s4, s);
            for (int l = 0; l < 4; l++)
                if ((nan >> l) & 1)
                    po[i + l] = steep_end(t, s4[l]);
        }
    }
    lookup_scalar(t, pu + i, po + i, n - i);
}

/* AVX-512F: the steep lanes of a block of STEEP_BLOCK draws listed without a branch, then computed (a steep end
 * in about 18 % of the vectors: a branch there costs more than the listing). */
__attribute__((target("avx512f")))
static void lookup_avx512(const pert_table *t, const double *pu, double *po, Py_ssize_t n) {
    const __m512d cells = _mm512_set1_pd(t->cells), zero = _mm512_setzero_pd(), last = _mm512_set1_pd((double)t->last);
    const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 0, 0, 0, 0, 0, 0, 0, 0);
    double steep_s[STEEP_BLOCK + 8];
    int steep_at[STEEP_BLOCK + 16];
    Py_ssize_t i = 0;
    prefetch_table(t, n);
    while (i + 8 <= n) {
        const Py_ssize_t start = i, end = i + STEEP_BLOCK < n ? i + STEEP_BLOCK : n;
        int count = 0;
        for (; i + 8 <= end; i += 8) {
            const __m512d s = _mm512_mul_pd(_mm512_loadu_pd(pu + i), cells);
            const __m256i k = _mm512_cvttpd_epi32(_mm512_min_pd(_mm512_max_pd(s, zero), last));  /* max(NaN, 0) = 0 */
            const __m256i k2 = _mm256_add_epi32(k, k);
            __m512d x = _mm512_mul_pd(_mm512_i32gather_pd(k2, t->body, 8), s);
            __mmask8 nan;
            x = _mm512_add_pd(x, _mm512_i32gather_pd(k2, t->body + 1, 8));
            _mm512_storeu_pd(po + i, x);
            nan = _mm512_cmp_pd_mask(x, x, _CMP_UNORD_Q);
            /* listed without a branch: the steep lanes' s and positions packed to the front (register forms of
               compress: the memory forms are slow on some CPUs), stored whole, the count moved on by their number */
            _mm512_storeu_pd(steep_s + count, _mm512_maskz_compress_pd(nan, s));
            _mm512_storeu_si512((void *)(steep_at + count), _mm512_maskz_compress_epi32(
                (__mmask16)nan, _mm512_add_epi32(lanes, _mm512_set1_epi32((int)(i - start)))));
            count += __builtin_popcount(nan);
        }
        steep_listed(t, steep_s, steep_at, count, po + start);
    }
    lookup_scalar(t, pu + i, po + i, n - i);
}
#endif

typedef void (*pert_lookup_fn)(const pert_table *, const double *, double *, Py_ssize_t);

/* The versions compiled here, the scalar loop first (simd_choice.h), and their loops in the same order. */
static const simd_version pert_versions[] = {
    {"scalar", 0},
#ifdef PERT_X86_SIMD
    {"avx2", NEEDS_AVX2},
    {"avx512f", NEEDS_AVX512F},
#endif
};
static const pert_lookup_fn pert_loops[] = {
    lookup_scalar,
#ifdef PERT_X86_SIMD
    lookup_avx2,
    lookup_avx512,
#endif
};
static simd_choice pert_choice = {pert_versions, (int)(sizeof pert_versions / sizeof pert_versions[0]), 0};

/* The loop for table t (taken with the GIL held): the chosen version, or the scalar loop for a table too long for 32-bit indices. */
static pert_lookup_fn pert_lookup_for(const pert_table *t) {
    return t->last < ((Py_ssize_t)1 << 29) ? pert_loops[pert_choice.chosen] : lookup_scalar;
}

#endif
