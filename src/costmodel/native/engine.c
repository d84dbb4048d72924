/* Kernel of costmodel.line_values: every option's present value for a pass of draws, one loop over the draws.
 *
 * present_values(levers, options, factors, years, out) -> bool
 *     levers   a sequence of float64 buffers, each 1 number (the same for every draw) or S (any stride): the
 *              SHARED levers below, then for each option its OPTION levers and 3 a support item (months,
 *              annual_cost, start_month), in the order costmodel.compiled_engine builds them. The last shared
 *              and option "levers" are worked out by numpy before the loop: each weighted grid's first level
 *              g^power, the improvement scale, and each option's legacy step-down log r, expm1 and exp;
 *     options  a sequence of ints, two an option: improves (0/1), number of external-support items;
 *     factors  discount factors, `years` numbers (every draw) or S × years (a row a draw);
 *     out      S × options float64, C-contiguous.
 *     Returns False, with `out` partly written, for a pass it does not handle (a legacy step-down of 1 or more,
 *     or NaN, where the numpy engine sums by year): the caller then runs the numpy engine.
 *
 * Per draw: the discounted grids general (f_t), pay and placements (f_t g^(power + t)) as small tables (months,
 * tail, head, moment: costmodel.discounted.Discounted's, rebuilt only when the draw's factors or relative price
 * effect differ from the previous draw's), then each option's lines as costmodel.line_values.line_present_values
 * computes them, with the closed forms of costmodel.discounted (native/discounted.c's per-draw formulas), summed
 * in the same order. No logarithm, power or exponential is taken here: numpy's vectorised ones, which the numpy
 * engine uses, are handed in (they are several times faster than the C library's one at a time, and may differ
 * from them in the last bit). So the results are the numpy engine's bit for bit, except where a line is zero in
 * one draw but not in every draw of the pass (skipped here in that draw; a step-down or a move of exactly 0),
 * where they may differ by rounding: tested (tests/native/test_native_engine.py).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <string.h>
#if defined(__AVX2__)
#include <immintrin.h>
#endif

#define MAX_YEARS 100

enum {  /* the shared levers, in costmodel.compiled_engine.SHARED's order */
    SALARY, ON_COST, CHILDREN, TARGET_PER_HOLDER, HOLDING_SHARE, FTE, REFERENCE_CHILDREN, ELASTICITY,
    PHASE0, PHASE1, PHASE2, PHASE3, OUTSET, AGENCY_PREMIUM, INTERIM_COUNT, INTERIM_RATE, INTERIM_DAYS,
    AGENCY_SHARE, AGENCY_DRIFT, LEGACY_COUNT, LEGACY_FLOOR, LEGACY_REPLACEMENT, LEGACY_DRIFT, WEEKS,
    LEGACY_WEEKLY, SENIOR_COST, SUPPORT_COST, REL_PAY, REL_PLACEMENTS,
    LEVEL_PAY, LEVEL_PLACEMENTS, SCALE, N_SHARED  /* worked out by numpy: g^power of each grid, the improvement scale */
};
enum {  /* an option's levers, in costmodel.compiled_engine.OPTION's order */
    MOBILISATION, SET_UP, SET_UP_BIAS, SET_UP_MONTHS, SET_UP_START, TR_AMOUNT, TR_FTE, TR_COST, TR_MONTHS,
    TR_LEGAL, TR_DUE, TR_BIAS, TR_START, NET_OF_UPLIFT, IMP_TOTAL, IMP_BIAS, SPLIT0, SPLIT1, SPLIT2, SPLIT3,
    AGENCY_TARGET, YEARS_TO_TARGET, INTERIM_END, FEE, PARTNERSHIP, GOVERNANCE, BACK_OFFICE, CLIENT_SIDE,
    STEP_DOWN, SENIOR_SAVING, SUPPORT_RELEASED, EFFICIENCY_RATE, EFFICIENCY_FROM,
    LOG_R, E1, EM, EX, N_OPTION  /* the legacy step-down's logarithm and exponentials, worked out by numpy */
};
enum { SUPPORT_MONTHS, SUPPORT_ANNUAL, SUPPORT_START, N_SUPPORT };

typedef struct { const char *p; Py_ssize_t stride; } Lever;  /* stride 0: the same for every draw */

/* The draws are taken W at a time as vectors (GCC's vector extensions): each operation below acts on W draws at
 * once, with the same IEEE arithmetic in the same order as one draw at a time (no fused multiply-add: the build
 * uses -ffp-contract=off), so each lane gives what the scalar formula gives. A branch of the per-draw formulas is
 * a select between both sides, worked out for every lane. setup.py builds this file once per x86-64 level, as the
 * modules engine_v4 (-march=x86-64-v4: AVX-512, 8 draws a register) and engine_v3 (-march=x86-64-v3: AVX2, 4 draws),
 * and costmodel.compiled_engine imports the one this processor runs (costmodel.native.cpu says which). */
#if defined(__AVX512F__) || !defined(__AVX2__)
#define W 8
#define LANES {0, 1, 2, 3, 4, 5, 6, 7}
#else
#define W 4  /* AVX2's registers: a wider vector's comparisons would be split into scalar ones */
#define LANES {0, 1, 2, 3}
#endif
typedef double vd __attribute__((vector_size(8 * W), aligned(8)));
typedef long long vl __attribute__((vector_size(8 * W), aligned(8)));
#define INLINE static inline __attribute__((always_inline))

INLINE vd splat(double x) { return (vd){0} + x; }
static const vd ZERO;
INLINE vd sel(vl m, vd a, vd b) { return (vd)(((vl)a & m) | ((vl)b & ~m)); }  /* a where m, else b */
#define IS(c) ((vl)(c))
INLINE vl nan_of(vd x) { return IS(x != x); }

/* x ≥ 0 truncated to a whole number (AVX2 has no conversion between 64-bit integers and doubles: it rounds). */
INLINE vd whole_of(vd x) {
#if defined(__AVX512F__) || !defined(__AVX2__)
    return __builtin_convertvector(__builtin_convertvector(x, vl), vd);
#else
    return (vd)_mm256_round_pd((__m256d)x, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
#endif
}

/* A whole number 0 ≤ x < 2^52 as an integer (AVX2: from the bits of x + 2^52, whose low bits are x). */
INLINE vl index_of(vd x) {
#if defined(__AVX512F__) || !defined(__AVX2__)
    return __builtin_convertvector(x, vl);
#else
    return (vl)(x + 0x1p52) - (vl)splat(0x1p52);
#endif
}

/* A lever's W draws from draw i (a draw past the last repeats the last). */
INLINE vd at(Lever l, Py_ssize_t i, Py_ssize_t last) {
    if (!l.stride) return splat(*(const double *)l.p);
    vd r;
    if (i + W - 1 <= last && l.stride == (Py_ssize_t)sizeof(double)) {
        memcpy(&r, l.p + i * l.stride, sizeof r);
        return r;
    }
    for (int k = 0; k < W; k++) r[k] = *(const double *)(l.p + (i + k <= last ? i + k : last) * l.stride);
    return r;
}

/* W draws' grids: 12 w_t and its cumulative sums (costmodel.discounted.Discounted's tables), lane by lane. */
typedef struct {
    vd months[MAX_YEARS + 2], tail[MAX_YEARS + 2], head[MAX_YEARS + 1], moment[MAX_YEARS + 1];
} Grid;

/* Each lane's entry of a table at its own row k: one gather instruction (AVX-512, AVX2). */
INLINE vd pick(const vd *table, vl k) {
    const vl at_ = k * W + (vl)LANES;
#if defined(__AVX512F__)
    return (vd)_mm512_i64gather_pd((__m512i)at_, (const void *)table, 8);
#elif defined(__AVX2__)
    return (vd)_mm256_i64gather_pd((const double *)table, (__m256i)at_, 8);
#else
    vd r;
    for (int l = 0; l < W; l++) r[l] = ((const double *)table)[at_[l]];
    return r;
#endif
}

/* The tables of w_t = f_t (times level × growth^t when weighted), as the tables kernel of native/discounted.c. */
INLINE void build(Grid *g, Py_ssize_t Y, const vd *f, int weighted, vd growth, vd level) {
    g->head[0] = g->moment[0] = ZERO;
    for (Py_ssize_t t = 0; t < Y; t++) {
        vd w = 12.0 * f[t];
        if (weighted) {
            w *= level;
            level *= growth;
        }
        g->months[t] = w;
        g->head[t + 1] = g->head[t] + w;
        g->moment[t + 1] = w * (12.0 * (double)t + 5.5) + g->moment[t];
    }
    g->months[Y] = g->months[Y + 1] = g->tail[Y] = g->tail[Y + 1] = ZERO;
    for (Py_ssize_t t = Y - 1; t >= 0; t--) g->tail[t] = g->tail[t + 1] + g->months[t];
}

/* from_month: u = start / 12 clamped to [0, years], K = ⌊u⌋: months[K] (K + 1 − u) + tail[K + 1]; NaN stays NaN. */
INLINE vd from(const Grid *g, Py_ssize_t Y, vd start) {
    const vd u = start * (1.0 / 12.0);
    vd c = sel(IS(u > 0.0), u, ZERO);
    c = sel(IS(c < (double)Y), c, splat((double)Y));
    const vd K = whole_of(c);
    const vl k = index_of(K);
    const vd r = pick(g->months, k) * ((K + 1.0) - c) + pick(g->tail, k + 1);
    return sel(nan_of(u), u, r);
}

/* until_month: the horizon less from_month, NaN meaning never. */
INLINE vd until(const Grid *g, Py_ssize_t Y, vd end) {
    return g->tail[0] - from(g, Y, sel(nan_of(end), splat(INFINITY), end));
}

/* numpy's maximum of x and lo: NaN stays NaN. */
INLINE vd np_max(vd x, vd lo) { return sel(IS(x >= lo) | nan_of(x), x, lo); }

/* spread_flag: from(start) − from(max(start + length, start)). */
INLINE vd spread(const Grid *g, Py_ssize_t Y, vd start, vd length) {
    return from(g, Y, start) - from(g, Y, np_max(start + length, start));
}

/* per_month: amount / months, 0 where months ≤ 0 (or NaN). */
INLINE vd per_month(vd amount, vd months) { return sel(IS(months > 0.0), amount / months, ZERO); }

/* first_whole_month: clip(⌈x⌉, 0, 12 years), NaN stays NaN. */
INLINE vd first_whole(Py_ssize_t Y, vd x) {
    const double end = 12.0 * (double)Y;
    const vl positive = IS(x > 0.0);
    const vd xc = sel(positive, sel(IS(x >= end), splat(end), x), ZERO);
    const vd t = whole_of(xc);
    const vd c = t + sel(IS(t < xc), splat(1.0), ZERO);
    return sel(nan_of(x), x, sel(positive, c, ZERO));
}

/* The row K = ⌊c / 12⌋ and month j = c − 12 K of whole months c (0 … 12 years; NaN taken as 0). */
INLINE vl row_of(vd c, vd *K, vd *j) {
    *K = whole_of(c / 12.0);
    *j = c - 12.0 * *K;
    return index_of(*K);
}

/* whole_months: (W, M) at whole month c, c = 12 K + j; NaN gives NaN. */
INLINE void whole(const Grid *g, vd c, vd *Wsum, vd *M) {
    const vl nan = nan_of(c);
    vd K, j;
    const vl k = row_of(sel(nan, ZERO, c), &K, &j);
    const vd w = pick(g->months, k) * (1.0 / 12.0);
    *M = sel(nan, c, w * (((K * 12.0) + 0.5 * (j - 1.0)) * j) + pick(g->moment, k));
    *Wsum = sel(nan, c, w * j + pick(g->head, k));
}

/* ramp_sum: the agency share's ramp from start over span months, summed with the weights. */
INLINE vd ramp(const Grid *g, Py_ssize_t Y, vd start, vd span) {
    vd w0, m0, w1, m1;
    whole(g, first_whole(Y, start), &w0, &m0);
    whole(g, first_whole(Y, start + span), &w1, &m1);
    vd r = (m1 - m0) - (w1 - w0) * start;
    r = sel(IS(span > 0.0), r / span, ZERO);
    return (r - w1) + g->tail[0];
}

/* decay_sum: the legacy placements still held, (1 − step)^(max(month − start, 0) / 12), summed with the weights, as
 * native/discounted.c's decay_one: log r = log1p(−step) / 12, e1 = expm1(log r), em = expm1((12 − j) log r) and
 * ex = exp((c − start) log r) come from numpy (costmodel.compiled_engine), whose vectorised functions the numpy
 * engine uses too: so the same numbers, bit for bit. */
INLINE vd decay(const Grid *g, Py_ssize_t Y, vd start, vd step, vd log_r, vd e1, vd em_a, vd ex) {
    const vd c = first_whole(Y, start);
    const vl nan = nan_of(c);
    vd K, j;
    const vl k = row_of(sel(nan, ZERO, c), &K, &j);
    const vd w_K = pick(g->months, k);
    const vd Wsum = (w_K * j) * (1.0 / 12.0) + pick(g->head, k);
    const vd q = 1.0 - step;
    vd h = ZERO;  /* Σ_{y > K} 12 w_y q^(y − K − 1) by Horner's rule, as the numpy table h[K + 1] */
    for (Py_ssize_t y = Y - 1; y >= 0; y--) h = sel(IS((double)y > K), h * q + g->months[y], h);
    const vl flat = IS(log_r < 1e-290) & IS(log_r > -1e-290);  /* E(k) = k, r = 1 */
    vd out = sel(flat, w_K * (12.0 - j) + 12.0 * h, w_K * em_a - (h * step) * (em_a + 1.0));
    out /= sel(flat, splat(1.0), e1);
    out *= ex;  /* r^(c − start) */
    return sel(nan, c, out * (1.0 / 12.0) + Wsum);
}

/* What every option shares in W draws (line_values.Pass). */
typedef struct {
    Grid general, pay, placements;
    vd employed, extra, extra_cost, scale, phase[4], core_service, agency, interim;
} Draw;

INLINE void shared(Draw *d, const Lever *s, Py_ssize_t i, Py_ssize_t last) {
#define S_(k) at(s[k], i, last)
    d->employed = S_(SALARY) * (1.0 + S_(ON_COST));
    const vd need = S_(CHILDREN) / S_(TARGET_PER_HOLDER) - S_(HOLDING_SHARE) * S_(FTE);
    d->extra = sel(IS(need >= 0.0) | nan_of(need), need, ZERO);
    d->extra_cost = d->extra * d->employed;
    d->scale = S_(SCALE);
    for (int k = 0; k < 4; k++) d->phase[k] = S_(PHASE0 + k);
    d->core_service = S_(OUTSET) * (1.0 / 12.0) * d->general.tail[0];
    d->agency = S_(FTE) * d->employed * S_(AGENCY_PREMIUM) * (1.0 / 12.0);
    d->interim = S_(INTERIM_COUNT) * S_(INTERIM_RATE) * S_(INTERIM_DAYS) * (1.0 / 12.0);
}

#define O_(k) at(o[k], i, last)
#define NONZERO(x) IS((x) != 0.0)

/* Set-up and transitional spread over their months, then improvement over the journey's phases. */
INLINE vd one_offs(const Draw *d, Py_ssize_t Y, const Lever *o, Py_ssize_t i, Py_ssize_t last, vd J, vd flag_J) {
    vd total = ZERO;
    const vd set_up = O_(SET_UP) * (1.0 + O_(SET_UP_BIAS));
    total += sel(NONZERO(set_up), per_month(set_up, O_(SET_UP_MONTHS)) * spread(&d->general, Y, O_(SET_UP_START), O_(SET_UP_MONTHS)), ZERO);
    const vd months = O_(TR_MONTHS);
    vd tr = O_(TR_AMOUNT) + O_(TR_FTE) * O_(TR_COST) * months / 12.0 + O_(TR_LEGAL) + O_(TR_DUE);
    tr *= 1.0 + O_(TR_BIAS);
    total += sel(NONZERO(tr), per_month(tr, months) * spread(&d->general, Y, O_(TR_START), months), ZERO);
    const vd net = d->extra_cost * ((d->phase[1] + d->phase[2]) * (1.0 / 12.0)) * O_(NET_OF_UPLIFT);
    vd before = O_(IMP_TOTAL) * d->scale - net;
    before = sel(IS(before >= 0.0) | nan_of(before), before, ZERO);
    const vd uplifted = before * (1.0 + O_(IMP_BIAS));
    vd start = J, flag = flag_J, improvement = ZERO;
    for (int k = 0; k < 4; k++) {  /* each boundary's flag serves the phase ending and the one starting */
        const vd share = O_(SPLIT0 + k), end = start + d->phase[k];
        const vd after = from(&d->general, Y, sel(IS(end >= start) | nan_of(end), end, start));
        improvement += sel(NONZERO(share), per_month(uplifted * share, d->phase[k]) * (flag - after), ZERO);
        start = end, flag = after;
    }
    return sel(NONZERO(uplifted), total + improvement, total);
}

/* The premium on the agency share: to its target from mobilisation, or rising by the drift (business as usual). */
INLINE vd agency(const Draw *d, Py_ssize_t Y, const Lever *s, const Lever *o, Py_ssize_t i, Py_ssize_t last, int improves, vd J) {
    const vd s0 = S_(AGENCY_SHARE);
    vd target, start, years;
    if (improves) {
        target = O_(AGENCY_TARGET), start = J, years = O_(YEARS_TO_TARGET);
    } else {
        const vd drift = S_(AGENCY_DRIFT);
        const vl rising = IS(drift > 0.0);
        years = sel(rising, (1.0 - s0) / drift, ZERO), target = sel(rising, splat(1.0), splat(NAN)), start = ZERO;
    }
    target = sel(nan_of(target), s0, target);
    const vd held = s0 * d->pay.tail[0], move = target - s0;
    return sel(NONZERO(move), d->agency * (held + move * ramp(&d->pay, Y, start, 12.0 * years)), d->agency * held);
}

/* Legacy placements and their replacements; *refused set where a step-down is 1 or more, or NaN. */
INLINE vd legacy(const Draw *d, Py_ssize_t Y, const Lever *s, const Lever *o, Py_ssize_t i, Py_ssize_t last, int improves,
                 vd J, int *refused) {
    const Grid *g = &d->placements;
    const vd count = S_(LEGACY_COUNT);
    vd floor_, step, start, replacement;
    if (improves) {
        floor_ = S_(LEGACY_FLOOR), step = O_(STEP_DOWN), start = J, replacement = S_(LEGACY_REPLACEMENT);
    } else {
        floor_ = ZERO, step = -S_(LEGACY_DRIFT), start = ZERO, replacement = ZERO;
    }
    const vd held = count * g->tail[0];
    const vl none = IS(step == 0.0) | IS(count - floor_ == 0.0), decays = IS(step < 1.0);
    const vl refuse = ~(none | decays);
    for (int l = 0; l < W; l++) *refused |= refuse[l] != 0;
    const vd n = sel(none, held, floor_ * g->tail[0] + (count - floor_) * decay(g, Y, start, step, O_(LOG_R), O_(E1), O_(EM), O_(EX)));
    const vd w = S_(WEEKS) * (1.0 / 12.0);
    return n * S_(LEGACY_WEEKLY) * w + (held - n) * replacement * w;
}

/* One option's present value in W draws: line_values.line_present_values summed, in its order. */
INLINE vd option(const Draw *d, Py_ssize_t Y, const Lever *s, const Lever *o, int improves, long support, Py_ssize_t i,
                 Py_ssize_t last, int *refused) {
    const vd J = improves ? O_(MOBILISATION) : ZERO, flag_J = from(&d->general, Y, J);
    vd pv = one_offs(d, Y, o, i, last, J, flag_J) + d->core_service;
    if (improves) pv += sel(NONZERO(d->extra), d->extra_cost * (1.0 / 12.0) * from(&d->pay, Y, J + d->phase[0]), ZERO);
    pv += agency(d, Y, s, o, i, last, improves, J);
    pv += d->interim * until(&d->pay, Y, O_(INTERIM_END));
    const vd fee = O_(FEE);
    pv += sel(NONZERO(fee), fee * (1.0 / 12.0) * until(&d->general, Y, O_(PARTNERSHIP)), ZERO);
    for (int k = GOVERNANCE; k <= CLIENT_SIDE; k++) {
        const vd cost = O_(k);
        pv += sel(NONZERO(cost), cost * (1.0 / 12.0) * flag_J, ZERO);
    }
    pv += legacy(d, Y, s, o, i, last, improves, J, refused);
    vd share = O_(SENIOR_SAVING);
    vd end = O_(PARTNERSHIP);
    end = sel(nan_of(end), splat(INFINITY), end);
    end = sel(IS(end >= J) | nan_of(end), end, J);
    pv += sel(NONZERO(share), -share * S_(SENIOR_COST) * (1.0 / 12.0) * (from(&d->pay, Y, J) - from(&d->pay, Y, end)), ZERO);
    share = O_(SUPPORT_RELEASED);
    pv += sel(NONZERO(share), -share * S_(SUPPORT_COST) * (1.0 / 12.0) * flag_J, ZERO);
    const vd rate = O_(EFFICIENCY_RATE);
    pv += sel(NONZERO(rate), -rate * S_(OUTSET) * (1.0 / 12.0) * from(&d->general, Y, 12.0 * O_(EFFICIENCY_FROM)), ZERO);
    for (const Lever *x = o + N_OPTION; support-- > 0; x += N_SUPPORT) {  /* external support, in general prices */
        const vd months = at(x[SUPPORT_MONTHS], i, last), amount = at(x[SUPPORT_ANNUAL], i, last) * (1.0 / 12.0) * months;
        pv += sel(NONZERO(amount), per_month(amount, months) * spread(&d->general, Y, at(x[SUPPORT_START], i, last), months), ZERO);
    }
    return pv;
}
#undef S_
#undef O_

/* The pass: every W draws' grids (built once where nothing in them is drawn), then every option. */
typedef struct {
    const Lever *levers;
    const long *options;  /* improves, support items: two an option */
    Py_ssize_t n_options, S, years, f_stride;
    const double *f;
    double *out;
} Pass;

/* The discount factors of W draws from draw i, year by year. */
INLINE void factors(const Pass *p, Py_ssize_t i, vd *f) {
    for (Py_ssize_t t = 0; t < p->years; t++) {
        if (!p->f_stride) {
            f[t] = splat(p->f[t]);
            continue;
        }
        for (int l = 0; l < W; l++) f[t][l] = p->f[(i + l < p->S ? i + l : p->S - 1) * p->f_stride + t];
    }
}

static int run(const Pass *p, Draw *d) {
    const Lever *s = p->levers;
    const Py_ssize_t Y = p->years, last = p->S - 1;
    const int pay_drawn = s[REL_PAY].stride != 0 || s[LEVEL_PAY].stride != 0;
    const int placements_drawn = s[REL_PLACEMENTS].stride != 0 || s[LEVEL_PLACEMENTS].stride != 0;
    vd f[MAX_YEARS];
    for (Py_ssize_t i = 0; i <= last; i += W) {
        if (i == 0 || p->f_stride) {
            factors(p, i, f);
            build(&d->general, Y, f, 0, splat(1.0), splat(1.0));
        }
        if (i == 0 || p->f_stride || pay_drawn) build(&d->pay, Y, f, 1, 1.0 + at(s[REL_PAY], i, last), at(s[LEVEL_PAY], i, last));
        if (i == 0 || p->f_stride || placements_drawn)
            build(&d->placements, Y, f, 1, 1.0 + at(s[REL_PLACEMENTS], i, last), at(s[LEVEL_PLACEMENTS], i, last));
        shared(d, s, i, last);
        const Lever *o = s + N_SHARED;
        int refused = 0;
        for (Py_ssize_t k = 0; k < p->n_options; k++) {
            const long improves = p->options[2 * k], support = p->options[2 * k + 1];
            const vd pv = option(d, Y, s, o, (int)improves, support, i, last, &refused);
            for (int l = 0; l < W && i + l <= last; l++) p->out[(i + l) * p->n_options + k] = pv[l];
            o += N_OPTION + N_SUPPORT * support;
        }
        if (refused) return 0;
    }
    return 1;
}

/* A lever's buffer as float64 numbers, 1 (stride 0) or S of them at one stride. */
static int lever(PyObject *obj, Py_buffer *view, Lever *l, Py_ssize_t j, Py_ssize_t S) {
    if (PyObject_GetBuffer(obj, view, PyBUF_STRIDES | PyBUF_FORMAT)) return -1;
    if (view->itemsize != sizeof(double) || (view->format && strcmp(view->format, "d") && strcmp(view->format, "=d")
                                             && strcmp(view->format, "<d"))) {
        PyErr_Format(PyExc_ValueError, "lever %zd: float64 numbers were expected (format %s)", j, view->format);
        return -1;
    }
    const Py_ssize_t n = view->len / view->itemsize;
    Py_ssize_t stride = 0, axes = 0;
    for (int a = 0; a < view->ndim; a++)
        if (view->shape[a] > 1) stride = view->strides[a], axes++;
    if ((n != 1 && n != S) || axes > 1) {
        PyErr_Format(PyExc_ValueError, "lever %zd: 1 or %zd numbers in one column were expected, not %zd", j, S, n);
        return -1;
    }
    l->p = view->buf, l->stride = n == 1 ? 0 : stride;
    return 0;
}

/* The options' description, two ints an option, and the number of levers they take. */
static long *describe(PyObject *options, Py_ssize_t *n_options, Py_ssize_t *n_levers) {
    PyObject *seq = PySequence_Fast(options, "options: a sequence of ints was expected");
    if (!seq) return NULL;
    const Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    long *out = n % 2 ? NULL : PyMem_Malloc((size_t)(n + 1) * sizeof(long));
    *n_options = n / 2, *n_levers = N_SHARED;
    if (!out) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "options: two ints an option were expected");
        Py_DECREF(seq);
        return NULL;
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        out[k] = PyLong_AsLong(PySequence_Fast_GET_ITEM(seq, k));
        if ((out[k] < 0 || (k % 2 == 0 && out[k] > 1)) && !PyErr_Occurred())
            PyErr_Format(PyExc_ValueError, "options: item %zd is %ld", k, out[k]);
        if (PyErr_Occurred()) {
            PyMem_Free(out), Py_DECREF(seq);
            return NULL;
        }
        if (k % 2) *n_levers += N_OPTION + N_SUPPORT * out[k];
    }
    Py_DECREF(seq);
    return out;
}

static int check_pass(Py_buffer *f, Py_buffer *out, Pass *p) {
    if (p->years < 1 || p->years > MAX_YEARS) {
        PyErr_Format(PyExc_ValueError, "a horizon of %zd years: 1 to %d were expected", p->years, MAX_YEARS);
        return -1;
    }
    if (out->len % (Py_ssize_t)sizeof(double) || p->n_options < 1 || (out->len / (Py_ssize_t)sizeof(double)) % p->n_options) {
        PyErr_Format(PyExc_ValueError, "out: S x %zd float64 numbers were expected (%zd bytes)", p->n_options, out->len);
        return -1;
    }
    p->S = out->len / (Py_ssize_t)sizeof(double) / p->n_options;
    const Py_ssize_t fn = f->len / (Py_ssize_t)sizeof(double);
    if (f->len % (Py_ssize_t)sizeof(double) || (fn != p->years && fn != p->years * p->S)) {
        PyErr_Format(PyExc_ValueError, "factors: %zd or %zd x %zd float64 numbers were expected, not %zd",
                     p->years, p->S, p->years, fn);
        return -1;
    }
    p->f = f->buf, p->f_stride = fn == p->years ? 0 : p->years, p->out = out->buf;
    return 0;
}

static PyObject *present_values(PyObject *self, PyObject *args) {
    PyObject *levers, *options, *seq = NULL, *result = NULL;
    Py_buffer f = {0}, out = {0}, *views = NULL;
    Py_ssize_t n_levers = 0, got = 0;
    Lever *ls = NULL;
    Pass p = {0};
    if (!PyArg_ParseTuple(args, "OOy*nw*", &levers, &options, &f, &p.years, &out)) return NULL;
    long *desc = describe(options, &p.n_options, &n_levers);
    if (!desc || check_pass(&f, &out, &p)) goto done;
    if (!(seq = PySequence_Fast(levers, "levers: a sequence of buffers was expected"))) goto done;
    if (PySequence_Fast_GET_SIZE(seq) != n_levers) {
        PyErr_Format(PyExc_ValueError, "levers: %zd were expected for these options, not %zd", n_levers, PySequence_Fast_GET_SIZE(seq));
        goto done;
    }
    views = PyMem_Calloc((size_t)n_levers, sizeof(Py_buffer)), ls = PyMem_Calloc((size_t)n_levers, sizeof(Lever));
    if (!views || !ls) {
        PyErr_NoMemory();
        goto done;
    }
    for (; got < n_levers; got++)
        if (lever(PySequence_Fast_GET_ITEM(seq, got), &views[got], &ls[got], got, p.S)) {
            if (views[got].obj) got++;  /* taken: released below */
            goto done;
        }
    p.levers = ls, p.options = desc;
    Draw *d = PyMem_Malloc(sizeof(Draw));  /* vd is 8-byte aligned: any allocation will do */
    if (!d) {
        PyErr_NoMemory();
        goto done;
    }
    int handled;
    Py_BEGIN_ALLOW_THREADS
    handled = run(&p, d);
    Py_END_ALLOW_THREADS
    PyMem_Free(d);
    result = PyBool_FromLong(handled);
done:
    for (Py_ssize_t j = 0; j < got; j++) PyBuffer_Release(&views[j]);
    PyMem_Free(views), PyMem_Free(ls), PyMem_Free(desc);
    Py_XDECREF(seq);
    PyBuffer_Release(&f), PyBuffer_Release(&out);
    return result;
}

static PyMethodDef methods[] = {
    {"present_values", present_values, METH_VARARGS,
     "present_values(levers, options, factors, years, out) -> bool: every option's present value a draw."},
    {NULL, NULL, 0, NULL},
};

#ifndef MODULE
#define MODULE engine
#endif
#define NAME_(a) #a
#define NAME(a) NAME_(a)
#define INIT_(a) PyInit_##a
#define INIT(a) INIT_(a)

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, NAME(MODULE), "Kernel of costmodel.line_values.", -1, methods};

PyMODINIT_FUNC INIT(MODULE)(void) { return PyModule_Create(&module); }
