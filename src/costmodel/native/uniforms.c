/* The Monte Carlo's uniforms (sampling.Uniforms): numpy's PCG64 streams, one per lever, run here in lockstep.
 *
 * fill(states, out) -> None
 *     The next out.shape[0] uniforms of each of out.shape[1] PCG64 streams into out's columns, exactly the numbers
 *     numpy's Generator.random gives: states is a writable uint64 buffer of 4 words per stream (state high, state
 *     low, increment high, increment low: bit_generator.state['state']), advanced in place past the numbers drawn,
 *     so the next call continues the streams. out is a 2-D float64 array whose columns are contiguous (stride 8
 *     between rows); the columns themselves may lie anywhere (any stride between columns, an offset view): a
 *     column of a larger Fortran-ordered array is fine. Other layouts raise ValueError.
 *
 * simd() -> str, use_simd(name) -> str
 *     The version of the loop in use ('scalar', 'avx2', 'avx512'); use_simd switches to the one named (ValueError
 *     where it is not built or the CPU lacks it) and returns the one before. For the tests and the benchmark.
 *
 * numpy's PCG64 (numpy/random/src/pcg64/pcg64.h, the XSL-RR 128/64 generator of O'Neill's PCG family) steps
 * the 128-bit state first, s <- s M + inc (mod 2^128, M = PCG_DEFAULT_MULTIPLIER_128), then outputs from the
 * new state: rotr64(high(s) ^ low(s), high(s) >> 58). Generator.random turns each 64-bit output x into the
 * double (x >> 11) 2^-53 (a 53-bit integer converted exactly, then scaled by a power of two: exact too).
 *
 * The scalar loop runs four streams at once, interleaved, so four independent multiply chains overlap (one
 * stream is bound by the latency of its 128-bit multiply-add). The vector loops put eight (AVX-512) or four
 * (AVX2) consecutive numbers of ONE stream in a register's lanes: lane l holds the state after l + 1 steps, and
 * the register moves on by W steps at once, s <- s M^W + inc (1 + M + ... + M^(W-1)) (mod 2^128), the same
 * recurrence as W single steps (an LCG jumps ahead by an LCG with those constants). So each register of
 * outputs is W consecutive numbers of one column, stored without a transpose; four streams are interleaved
 * to overlap their chains as in the scalar loop. The 64 x 64 -> 128-bit products are built from 32 x 32 -> 64
 * ones (vpmuludq); every operation is integer arithmetic mod 2^64, so every version gives the same bits.
 *
 * The vector loops are compiled with GCC's target attribute, not -march, so the one shared library runs on any
 * x86-64 CPU: __builtin_cpu_supports picks the widest version at init (simd_choice.h; AVX-512 needs AVX-512F and
 * DQ). Elsewhere (another architecture, a compiler without GNU C extensions) only the scalar loop is compiled (with 128-bit
 * arithmetic from 64-bit halves where the compiler has no unsigned __int128). COSTMODEL_NO_SIMD=1 in the
 * environment at import keeps the scalar loop.
 */
#include "simd_choice.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define PCG_X86_SIMD 1
#endif

#define MULT_HIGH 2549297995355413924ULL /* PCG_DEFAULT_MULTIPLIER_128 = 0x2360ED051FC65DA4 4385DF649FCCF645 */
#define MULT_LOW 4865540595714422341ULL
#define TWO_M53 (1.0 / 9007199254740992.0)
#define GROUP 4 /* streams interleaved */

typedef struct {
    uint64_t high, low;
} u128;

/* The high 64 bits of x y. */
static inline uint64_t mul_high(uint64_t x, uint64_t y) {
#ifdef __SIZEOF_INT128__
    return (uint64_t)(((unsigned __int128)x * y) >> 64);
#else
    const uint64_t x0 = x & 0xFFFFFFFFULL, x1 = x >> 32, y0 = y & 0xFFFFFFFFULL, y1 = y >> 32;
    const uint64_t t = x1 * y0 + ((x0 * y0) >> 32);
    const uint64_t w1 = (t & 0xFFFFFFFFULL) + x0 * y1;
    return x1 * y1 + (t >> 32) + (w1 >> 32);
#endif
}

/* a b + c (mod 2^128). */
static inline u128 mul_add(u128 a, u128 b, u128 c) {
    u128 r;
    const uint64_t low = a.low * b.low;
    r.low = low + c.low;
    r.high = mul_high(a.low, b.low) + a.low * b.high + a.high * b.low + c.high + (r.low < c.low);
    return r;
}

/* PCG64's output at state s, as Generator.random's double. */
static inline double output(u128 s) {
    const uint64_t x = s.high ^ s.low;
    const unsigned rot = (unsigned)(s.high >> 58);
    const uint64_t r = (x >> rot) | (x << ((-rot) & 63));
    return (double)(r >> 11) * TWO_M53;
}

static const u128 MULT = {MULT_HIGH, MULT_LOW};

/* One stream's state and increment from states[4 j ...] and back. */
static inline void load(const uint64_t *w, u128 *s, u128 *inc) {
    s->high = w[0]; s->low = w[1]; inc->high = w[2]; inc->low = w[3];
}
static inline void save(uint64_t *w, u128 s) { w[0] = s.high; w[1] = s.low; }

/* Stream j's next n numbers into col, its state left in states[4 j ...]: one chain, bound by its latency. */
static void scalar_one(uint64_t *w, double *col, Py_ssize_t n) {
    u128 s, inc;
    load(w, &s, &inc);
    for (Py_ssize_t i = 0; i < n; i++) {
        s = mul_add(s, MULT, inc);
        col[i] = output(s);
    }
    save(w, s);
}

/* Four streams from w's first (j, j + 1, ...) interleaved, their columns base + j stride, ...: four chains overlapping
 * (kept in named variables: an array of them would live in memory, its stores and loads in the chain). */
static void scalar_four(uint64_t *w, char *base, Py_ssize_t stride, Py_ssize_t n) {
    double *const c0 = (double *)base, *const c1 = (double *)(base + stride), *const c2 = (double *)(base + 2 * stride),
           *const c3 = (double *)(base + 3 * stride);
    u128 s0, s1, s2, s3, i0, i1, i2, i3;
    load(w, &s0, &i0); load(w + 4, &s1, &i1); load(w + 8, &s2, &i2); load(w + 12, &s3, &i3);
    for (Py_ssize_t i = 0; i < n; i++) {
        s0 = mul_add(s0, MULT, i0); s1 = mul_add(s1, MULT, i1); s2 = mul_add(s2, MULT, i2); s3 = mul_add(s3, MULT, i3);
        c0[i] = output(s0); c1[i] = output(s1); c2[i] = output(s2); c3[i] = output(s3);
    }
    save(w, s0); save(w + 4, s1); save(w + 8, s2); save(w + 12, s3);
}

static void fill_scalar(uint64_t *states, char *base, Py_ssize_t stride, Py_ssize_t levers, Py_ssize_t n) {
    Py_ssize_t j = 0;
    for (; j + GROUP <= levers; j += GROUP)
        scalar_four(states + 4 * j, base + j * stride, stride, n);
    for (; j < levers; j++)
        scalar_one(states + 4 * j, (double *)(base + j * stride), n);
}

#ifdef PCG_X86_SIMD
/* The jump of w steps: s <- s mult[w] + inc add[w] (mult[w] = M^w, add[w] = 1 + M + ... + M^(w-1)), for w = 4, 8. */
static u128 jump_mult[9], jump_add[9];

static void jumps(void) {
    const u128 zero = {0, 0}, one = {0, 1};
    u128 m = one, a = zero;
    for (int w = 1; w <= 8; w++) {
        a = mul_add(a, MULT, one);  /* 1 + M + ... + M^(w-1) = (1 + ... + M^(w-2)) M + 1 */
        m = mul_add(m, MULT, zero);
        jump_mult[w] = m;
        jump_add[w] = a;
    }
}

/* Stream j's first w states (after 1 .. w steps) as high and low words, its jump increment, the state left in s. */
static void first_states(u128 *s, u128 inc, int w, uint64_t *high, uint64_t *low, u128 *jump_inc) {
    const u128 zero = {0, 0};
    for (int l = 0; l < w; l++) {
        *s = mul_add(*s, MULT, inc);
        high[l] = s->high;
        low[l] = s->low;
    }
    *jump_inc = mul_add(inc, jump_add[w], zero);
}

#define LANES512 8
typedef struct {
    __m512i high, low;
} v512;

/* The 128-bit product x y, lane by lane (y given as its 32-bit halves y0, y1): its high and low 64-bit words. */
__attribute__((target("avx512f,avx512dq"))) static inline void mul_wide512(__m512i x, __m512i y0, __m512i y1,
                                                                           __m512i *high, __m512i *low) {
    const __m512i mask = _mm512_set1_epi64(0xFFFFFFFFLL), x1 = _mm512_srli_epi64(x, 32);
    const __m512i p00 = _mm512_mul_epu32(x, y0), p01 = _mm512_mul_epu32(x, y1);
    const __m512i p10 = _mm512_mul_epu32(x1, y0), p11 = _mm512_mul_epu32(x1, y1);
    const __m512i t = _mm512_add_epi64(p10, _mm512_srli_epi64(p00, 32));  /* < 2^64: (2^32 - 1)^2 + 2^32 - 1 */
    const __m512i w1 = _mm512_add_epi64(_mm512_and_si512(t, mask), p01);  /* < 2^64 likewise */
    *high = _mm512_add_epi64(_mm512_add_epi64(p11, _mm512_srli_epi64(t, 32)), _mm512_srli_epi64(w1, 32));
    *low = _mm512_or_si512(_mm512_slli_epi64(w1, 32), _mm512_and_si512(p00, mask));
}

/* s M^8 + c (mod 2^128), lane by lane; m0, m1 = M^8's low word's 32-bit halves, mh its high word, ml its low word. */
__attribute__((target("avx512f,avx512dq"))) static inline v512 step512(v512 s, v512 c, __m512i m0, __m512i m1,
                                                                       __m512i mh, __m512i ml) {
    v512 r;
    __m512i high, low;
    __mmask8 carry;
    mul_wide512(s.low, m0, m1, &high, &low);
    r.low = _mm512_add_epi64(low, c.low);
    carry = _mm512_cmplt_epu64_mask(r.low, c.low);
    high = _mm512_add_epi64(high, _mm512_add_epi64(_mm512_mullo_epi64(s.low, mh), _mm512_mullo_epi64(s.high, ml)));
    high = _mm512_add_epi64(high, c.high);
    r.high = _mm512_mask_add_epi64(high, carry, high, _mm512_set1_epi64(1));
    return r;
}

__attribute__((target("avx512f,avx512dq"))) static inline __m512d output512(v512 s) {
    const __m512i x = _mm512_xor_si512(s.high, s.low);
    const __m512i r = _mm512_rorv_epi64(x, _mm512_srli_epi64(s.high, 58));
    return _mm512_mul_pd(_mm512_cvtepu64_pd(_mm512_srli_epi64(r, 11)), _mm512_set1_pd(TWO_M53));
}

/* A stream in a register: its next 8 states (after 1 .. 8 steps: the state left in *w's first words is the last
 * lane's state of the last register output) and its jump increment inc (1 + M + ... + M^7), both words broadcast. */
typedef struct {
    v512 s, c;
} lane512;

__attribute__((target("avx512f,avx512dq"), always_inline)) static inline lane512 start512(const uint64_t *w) {
    uint64_t high[LANES512], low[LANES512];
    u128 st, inc, jump_inc;
    lane512 r;
    load(w, &st, &inc);
    first_states(&st, inc, LANES512, high, low, &jump_inc);
    r.s.high = _mm512_loadu_si512(high);
    r.s.low = _mm512_loadu_si512(low);
    r.c.high = _mm512_set1_epi64((long long)jump_inc.high);
    r.c.low = _mm512_set1_epi64((long long)jump_inc.low);
    return r;
}

/* The last 1 .. 8 numbers (from i on, n - i of them) stored under a mask; the state kept is that of the last one. */
__attribute__((target("avx512f,avx512dq"), always_inline)) static inline void finish512(uint64_t *w, double *col, v512 s,
                                                                                        Py_ssize_t i, Py_ssize_t n) {
    uint64_t high[LANES512], low[LANES512];
    const int left = (int)(n - i);
    _mm512_mask_storeu_pd(col + i, (__mmask8)((1u << left) - 1u), output512(s));
    _mm512_storeu_si512(high, s.high);
    _mm512_storeu_si512(low, s.low);
    w[0] = high[left - 1];
    w[1] = low[left - 1];
}

#define JUMP512 \
    const u128 m = jump_mult[LANES512]; \
    const __m512i m0 = _mm512_set1_epi64((long long)(m.low & 0xFFFFFFFFULL)), m1 = _mm512_set1_epi64((long long)(m.low >> 32)); \
    const __m512i mh = _mm512_set1_epi64((long long)m.high), ml = _mm512_set1_epi64((long long)m.low)

/* One stream, n >= 1 numbers: full registers while more than 8 numbers are left, then the last 1 .. 8. */
__attribute__((target("avx512f,avx512dq"))) static void one512(uint64_t *w, double *col, Py_ssize_t n) {
    JUMP512;
    lane512 a = start512(w);
    Py_ssize_t i = 0;
    for (; i + LANES512 < n; i += LANES512) {
        _mm512_storeu_pd(col + i, output512(a.s));
        a.s = step512(a.s, a.c, m0, m1, mh, ml);
    }
    finish512(w, col, a.s, i, n);
}

/* Four streams interleaved (named variables, as scalar_four). */
__attribute__((target("avx512f,avx512dq"))) static void four512(uint64_t *w, char *base, Py_ssize_t stride, Py_ssize_t n) {
    JUMP512;
    double *const c0 = (double *)base, *const c1 = (double *)(base + stride), *const c2 = (double *)(base + 2 * stride),
           *const c3 = (double *)(base + 3 * stride);
    lane512 a0 = start512(w), a1 = start512(w + 4), a2 = start512(w + 8), a3 = start512(w + 12);
    Py_ssize_t i = 0;
    for (; i + LANES512 < n; i += LANES512) {
        _mm512_storeu_pd(c0 + i, output512(a0.s));
        _mm512_storeu_pd(c1 + i, output512(a1.s));
        _mm512_storeu_pd(c2 + i, output512(a2.s));
        _mm512_storeu_pd(c3 + i, output512(a3.s));
        a0.s = step512(a0.s, a0.c, m0, m1, mh, ml);
        a1.s = step512(a1.s, a1.c, m0, m1, mh, ml);
        a2.s = step512(a2.s, a2.c, m0, m1, mh, ml);
        a3.s = step512(a3.s, a3.c, m0, m1, mh, ml);
    }
    finish512(w, c0, a0.s, i, n); finish512(w + 4, c1, a1.s, i, n);
    finish512(w + 8, c2, a2.s, i, n); finish512(w + 12, c3, a3.s, i, n);
}

__attribute__((target("avx512f,avx512dq")))
static void fill_avx512(uint64_t *states, char *base, Py_ssize_t stride, Py_ssize_t levers, Py_ssize_t n) {
    Py_ssize_t j = 0;
    if (n < 1)
        return;
    for (; j + GROUP <= levers; j += GROUP)
        four512(states + 4 * j, base + j * stride, stride, n);
    for (; j < levers; j++)
        one512(states + 4 * j, (double *)(base + j * stride), n);
}

#define LANES256 4
typedef struct {
    __m256i high, low;
} v256;

/* The low 64 bits of x y, lane by lane, y given as its 32-bit halves y0, y1. */
__attribute__((target("avx2"))) static inline __m256i mul_low256(__m256i x, __m256i y0, __m256i y1) {
    const __m256i cross = _mm256_add_epi64(_mm256_mul_epu32(x, y1), _mm256_mul_epu32(_mm256_srli_epi64(x, 32), y0));
    return _mm256_add_epi64(_mm256_mul_epu32(x, y0), _mm256_slli_epi64(cross, 32));
}

/* s M^4 + c (mod 2^128), lane by lane; m0, m1 = M^4's low word's 32-bit halves, h0, h1 its high word's. */
__attribute__((target("avx2"))) static inline v256 step256(v256 s, v256 c, __m256i m0, __m256i m1, __m256i h0, __m256i h1) {
    const __m256i mask = _mm256_set1_epi64x(0xFFFFFFFFLL), sign = _mm256_set1_epi64x((long long)0x8000000000000000ULL);
    const __m256i x = s.low, x1 = _mm256_srli_epi64(x, 32);
    const __m256i p00 = _mm256_mul_epu32(x, m0), p01 = _mm256_mul_epu32(x, m1);
    const __m256i p10 = _mm256_mul_epu32(x1, m0), p11 = _mm256_mul_epu32(x1, m1);
    const __m256i t = _mm256_add_epi64(p10, _mm256_srli_epi64(p00, 32)), w1 = _mm256_add_epi64(_mm256_and_si256(t, mask), p01);
    const __m256i low = _mm256_or_si256(_mm256_slli_epi64(w1, 32), _mm256_and_si256(p00, mask));
    __m256i high = _mm256_add_epi64(_mm256_add_epi64(p11, _mm256_srli_epi64(t, 32)), _mm256_srli_epi64(w1, 32));
    v256 r;
    r.low = _mm256_add_epi64(low, c.low);
    high = _mm256_add_epi64(high, _mm256_add_epi64(mul_low256(x, h0, h1), mul_low256(s.high, m0, m1)));
    high = _mm256_add_epi64(high, c.high);
    /* carry out of the low word: r.low < c.low unsigned, as a signed compare with the sign bits flipped (-1 where true) */
    r.high = _mm256_sub_epi64(high, _mm256_cmpgt_epi64(_mm256_xor_si256(c.low, sign), _mm256_xor_si256(r.low, sign)));
    return r;
}

__attribute__((target("avx2"))) static inline __m256d output256(v256 s) {
    const __m256i x = _mm256_xor_si256(s.high, s.low), rot = _mm256_srli_epi64(s.high, 58);
    const __m256i back = _mm256_sub_epi64(_mm256_set1_epi64x(64), rot);  /* x << 64 is 0 in vpsllvq: rot 0 gives x */
    const __m256i r = _mm256_srli_epi64(_mm256_or_si256(_mm256_srlv_epi64(x, rot), _mm256_sllv_epi64(x, back)), 11);
    /* r < 2^53 exactly as a double: (2^84 + high 2^32) - (2^84 + 2^52) + (2^52 + low), every step exact */
    const __m256d high = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(_mm256_srli_epi64(r, 32),
                                                                           _mm256_set1_epi64x(0x4530000000000000LL))),
                                       _mm256_set1_pd(19342813118337666422669312.0));  /* 2^84 + 2^52 */
    const __m256d low = _mm256_castsi256_pd(_mm256_or_si256(_mm256_and_si256(r, _mm256_set1_epi64x(0xFFFFFFFFLL)),
                                                            _mm256_set1_epi64x(0x4330000000000000LL)));
    return _mm256_mul_pd(_mm256_add_pd(high, low), _mm256_set1_pd(TWO_M53));
}

/* As lane512, four lanes a register. */
typedef struct {
    v256 s, c;
} lane256;

__attribute__((target("avx2"), always_inline)) static inline lane256 start256(const uint64_t *w) {
    uint64_t high[LANES256], low[LANES256];
    u128 st, inc, jump_inc;
    lane256 r;
    load(w, &st, &inc);
    first_states(&st, inc, LANES256, high, low, &jump_inc);
    r.s.high = _mm256_loadu_si256((const __m256i *)high);
    r.s.low = _mm256_loadu_si256((const __m256i *)low);
    r.c.high = _mm256_set1_epi64x((long long)jump_inc.high);
    r.c.low = _mm256_set1_epi64x((long long)jump_inc.low);
    return r;
}

/* The last 1 .. 4 numbers (from i on) copied lane by lane; the state kept is that of the last one. */
__attribute__((target("avx2"), always_inline)) static inline void finish256(uint64_t *w, double *col, v256 s,
                                                                            Py_ssize_t i, Py_ssize_t n) {
    uint64_t high[LANES256], low[LANES256];
    double x[LANES256];
    const int left = (int)(n - i);
    _mm256_storeu_pd(x, output256(s));
    memcpy(col + i, x, (size_t)left * sizeof(double));
    _mm256_storeu_si256((__m256i *)high, s.high);
    _mm256_storeu_si256((__m256i *)low, s.low);
    w[0] = high[left - 1];
    w[1] = low[left - 1];
}

#define JUMP256 \
    const u128 m = jump_mult[LANES256]; \
    const __m256i m0 = _mm256_set1_epi64x((long long)(m.low & 0xFFFFFFFFULL)), m1 = _mm256_set1_epi64x((long long)(m.low >> 32)); \
    const __m256i h0 = _mm256_set1_epi64x((long long)(m.high & 0xFFFFFFFFULL)), h1 = _mm256_set1_epi64x((long long)(m.high >> 32))

__attribute__((target("avx2"))) static void one256(uint64_t *w, double *col, Py_ssize_t n) {
    JUMP256;
    lane256 a = start256(w);
    Py_ssize_t i = 0;
    for (; i + LANES256 < n; i += LANES256) {
        _mm256_storeu_pd(col + i, output256(a.s));
        a.s = step256(a.s, a.c, m0, m1, h0, h1);
    }
    finish256(w, col, a.s, i, n);
}

__attribute__((target("avx2"))) static void four256(uint64_t *w, char *base, Py_ssize_t stride, Py_ssize_t n) {
    JUMP256;
    double *const c0 = (double *)base, *const c1 = (double *)(base + stride), *const c2 = (double *)(base + 2 * stride),
           *const c3 = (double *)(base + 3 * stride);
    lane256 a0 = start256(w), a1 = start256(w + 4), a2 = start256(w + 8), a3 = start256(w + 12);
    Py_ssize_t i = 0;
    for (; i + LANES256 < n; i += LANES256) {
        _mm256_storeu_pd(c0 + i, output256(a0.s));
        _mm256_storeu_pd(c1 + i, output256(a1.s));
        _mm256_storeu_pd(c2 + i, output256(a2.s));
        _mm256_storeu_pd(c3 + i, output256(a3.s));
        a0.s = step256(a0.s, a0.c, m0, m1, h0, h1);
        a1.s = step256(a1.s, a1.c, m0, m1, h0, h1);
        a2.s = step256(a2.s, a2.c, m0, m1, h0, h1);
        a3.s = step256(a3.s, a3.c, m0, m1, h0, h1);
    }
    finish256(w, c0, a0.s, i, n); finish256(w + 4, c1, a1.s, i, n);
    finish256(w + 8, c2, a2.s, i, n); finish256(w + 12, c3, a3.s, i, n);
}

__attribute__((target("avx2")))
static void fill_avx2(uint64_t *states, char *base, Py_ssize_t stride, Py_ssize_t levers, Py_ssize_t n) {
    Py_ssize_t j = 0;
    if (n < 1)
        return;
    for (; j + GROUP <= levers; j += GROUP)
        four256(states + 4 * j, base + j * stride, stride, n);
    for (; j < levers; j++)
        one256(states + 4 * j, (double *)(base + j * stride), n);
}
#endif

typedef void (*fill_fn)(uint64_t *, char *, Py_ssize_t, Py_ssize_t, Py_ssize_t);

/* The versions compiled here, the scalar loop first (simd_choice.h), and their loops in the same order. */
static const simd_version versions[] = {
    {"scalar", 0},
#ifdef PCG_X86_SIMD
    {"avx2", NEEDS_AVX2},
    {"avx512", NEEDS_AVX512F | NEEDS_AVX512DQ},
#endif
};
static const fill_fn loops[] = {
    fill_scalar,
#ifdef PCG_X86_SIMD
    fill_avx2,
    fill_avx512,
#endif
};
static simd_choice choice = {versions, (int)(sizeof versions / sizeof versions[0]), 0};

static PyObject *fill(PyObject *self, PyObject *args) {
    PyObject *states_obj, *out_obj;
    Py_buffer states, out;
    Py_ssize_t n, levers, stride;
    fill_fn fn = loops[choice.chosen];
    if (!PyArg_ParseTuple(args, "OO", &states_obj, &out_obj))
        return NULL;
    if (PyObject_GetBuffer(states_obj, &states, PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE | PyBUF_FORMAT) < 0)
        return NULL;
    if (PyObject_GetBuffer(out_obj, &out, PyBUF_STRIDES | PyBUF_WRITABLE | PyBUF_FORMAT) < 0) {
        PyBuffer_Release(&states);
        return NULL;
    }
    if (states.itemsize != 8 || !states.format || strchr("QLN", states.format[strlen(states.format) - 1]) == NULL) {
        PyErr_SetString(PyExc_ValueError, "fill: states must be a buffer of uint64 (4 words a stream)");
        goto fail;
    }
    if (out.ndim != 2 || out.itemsize != 8 || !out.format || out.format[strlen(out.format) - 1] != 'd') {
        PyErr_Format(PyExc_ValueError, "fill: out must be a 2-D float64 array (draws x streams), got %d-D of '%s'",
                     out.ndim, out.format ? out.format : "B");
        goto fail;
    }
    n = out.shape[0];
    levers = out.shape[1];
    stride = out.strides[1];
    if (n > 1 && levers > 0 && out.strides[0] != 8) {
        PyErr_Format(PyExc_ValueError, "fill: out's columns must be contiguous (8 bytes between draws, not %zd): "
                     "pass a Fortran-ordered array or columns of one", out.strides[0]);
        goto fail;
    }
    if (states.len != levers * 4 * 8) {
        PyErr_Format(PyExc_ValueError, "fill: %zd streams' states (4 uint64 each) for %zd columns",
                     states.len / 32, levers);
        goto fail;
    }
    Py_BEGIN_ALLOW_THREADS
    fn((uint64_t *)states.buf, (char *)out.buf, stride, levers, n);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&states);
    PyBuffer_Release(&out);
    Py_RETURN_NONE;
fail:
    PyBuffer_Release(&states);
    PyBuffer_Release(&out);
    return NULL;
}

static PyObject *simd(PyObject *self, PyObject *noargs) { return simd_name(&choice); }

static PyObject *use_simd(PyObject *self, PyObject *args) { return simd_use(&choice, args); }

static PyMethodDef methods[] = {
    {"fill", fill, METH_VARARGS, "fill(states, out): the next out.shape[0] uniforms of each PCG64 stream (states: 4 uint64 a "
                                 "stream, advanced in place) into out's columns, numpy's Generator.random numbers."},
    {"simd", simd, METH_NOARGS, "The version of fill's loop in use: 'avx512', 'avx2' or 'scalar'."},
    {"use_simd", use_simd, METH_VARARGS, "use_simd(name): run fill's loop as 'avx512', 'avx2' or 'scalar' (ValueError where the CPU lacks it); the version before."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "uniforms", "numpy's PCG64 streams run in lockstep: the Monte Carlo's uniforms.", -1, methods};

PyMODINIT_FUNC PyInit_uniforms(void) {
#ifdef PCG_X86_SIMD
    jumps();
#endif
    simd_choose(&choice);
    return PyModule_Create(&module);
}
