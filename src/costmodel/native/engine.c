/* Kernel of costmodel.line_values: every option's present value for a pass of draws, one loop over the draws.
 *
 * present_values(levers, options, factors, years, power, out) -> bool
 *     levers   a sequence of float64 buffers, each 1 number (the same for every draw) or S (any stride): the
 *              SHARED levers below, then for each option its OPTION levers and 3 a support item (months,
 *              annual_cost, start_month), in the order costmodel.compiled_engine builds them;
 *     options  a sequence of ints, two an option: improves (0/1), number of external-support items;
 *     factors  discount factors, `years` numbers (every draw) or S × years (a row a draw);
 *     power    start_year − price_base_year, the first exponent of the relative price effects;
 *     out      S × options float64, C-contiguous.
 *     Returns False, with `out` partly written, for a pass it does not handle (a legacy step-down of 1 or more,
 *     or NaN, where the numpy engine sums by year): the caller then runs the numpy engine.
 *
 * Per draw: the discounted grids general (f_t), pay and placements (f_t g^(power + t)) as small tables (months,
 * tail, head, moment: costmodel.discounted.Discounted's, rebuilt only when the draw's factors or relative price
 * effect differ from the previous draw's), then each option's lines as costmodel.line_values.line_present_values
 * computes them, with the closed forms of costmodel.discounted (native/discounted.c's per-draw formulas), summed
 * in the same order. The only difference from the numpy engine is rounding (libm's exp, log1p, expm1 against
 * numpy's, and a line that is zero in one draw skipped in that draw): tested to 1e-12 relative (tests/native).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>

#define MAX_YEARS 100

enum {  /* the shared levers, in costmodel.compiled_engine.SHARED's order */
    SALARY, ON_COST, CHILDREN, TARGET_PER_HOLDER, HOLDING_SHARE, FTE, REFERENCE_CHILDREN, ELASTICITY,
    PHASE0, PHASE1, PHASE2, PHASE3, OUTSET, AGENCY_PREMIUM, INTERIM_COUNT, INTERIM_RATE, INTERIM_DAYS,
    AGENCY_SHARE, AGENCY_DRIFT, LEGACY_COUNT, LEGACY_FLOOR, LEGACY_REPLACEMENT, LEGACY_DRIFT, WEEKS,
    LEGACY_WEEKLY, SENIOR_COST, SUPPORT_COST, REL_PAY, REL_PLACEMENTS, N_SHARED
};
enum {  /* an option's levers, in costmodel.compiled_engine.OPTION's order */
    MOBILISATION, SET_UP, SET_UP_BIAS, SET_UP_MONTHS, SET_UP_START, TR_AMOUNT, TR_FTE, TR_COST, TR_MONTHS,
    TR_LEGAL, TR_DUE, TR_BIAS, TR_START, NET_OF_UPLIFT, IMP_TOTAL, IMP_BIAS, SPLIT0, SPLIT1, SPLIT2, SPLIT3,
    AGENCY_TARGET, YEARS_TO_TARGET, INTERIM_END, FEE, PARTNERSHIP, GOVERNANCE, BACK_OFFICE, CLIENT_SIDE,
    STEP_DOWN, SENIOR_SAVING, SUPPORT_RELEASED, EFFICIENCY_RATE, EFFICIENCY_FROM, N_OPTION
};
enum { SUPPORT_MONTHS, SUPPORT_ANNUAL, SUPPORT_START, N_SUPPORT };

typedef struct { const char *p; Py_ssize_t stride; } Lever;  /* stride 0: the same for every draw */
#define AT(l, i) (*(const double *)((l).p + (i) * (l).stride))

/* One draw's grid: 12 w_t and its cumulative sums (costmodel.discounted.Discounted's tables, one row). */
typedef struct {
    Py_ssize_t years;
    double months[MAX_YEARS + 2], tail[MAX_YEARS + 2], head[MAX_YEARS + 1], moment[MAX_YEARS + 1];
} Grid;

/* The tables of w_t = f_t (times g^(power + t) when weighted), as the tables kernel of native/discounted.c. */
static void build(Grid *g, Py_ssize_t Y, const double *f, int weighted, double growth, double power) {
    double level = 1.0;
    if (weighted && power != 0.0) level = exp(power * log(growth));
    g->years = Y;
    g->head[0] = g->moment[0] = 0.0;
    for (Py_ssize_t t = 0; t < Y; t++) {
        double w = 12.0 * f[t];
        if (weighted) {
            w *= level;
            level *= growth;
        }
        g->months[t] = w;
        g->head[t + 1] = g->head[t] + w;
        g->moment[t + 1] = w * (12.0 * (double)t + 5.5) + g->moment[t];
    }
    g->months[Y] = g->months[Y + 1] = g->tail[Y] = g->tail[Y + 1] = 0.0;
    for (Py_ssize_t t = Y - 1; t >= 0; t--) g->tail[t] = g->tail[t + 1] + g->months[t];
}

/* from_month: u = start / 12 clamped to [0, years], K = ⌊u⌋: months[K] (K + 1 − u) + tail[K + 1]; NaN stays NaN. */
static inline double from(const Grid *g, double start) {
    double u = start * (1.0 / 12.0);
    if (isnan(u)) return u;
    u = u > 0.0 ? u : 0.0;
    u = u < (double)g->years ? u : (double)g->years;
    const Py_ssize_t k = (Py_ssize_t)u;
    return g->months[k] * (((double)k + 1.0) - u) + g->tail[k + 1];
}

/* until_month: the horizon less from_month, NaN meaning never. */
static inline double until(const Grid *g, double end) { return g->tail[0] - from(g, isnan(end) ? INFINITY : end); }

/* spread_flag: from(start) − from(max(start + length, start)) (numpy's maximum: NaN stays NaN). */
static inline double spread(const Grid *g, double start, double length) {
    double end = start + length;
    end = (end >= start || isnan(end)) ? end : start;
    return from(g, start) - from(g, end);
}

/* per_month: amount / months, 0 where months ≤ 0 (or NaN). */
static inline double per_month(double amount, double months) { return months > 0.0 ? amount / months : 0.0; }

/* first_whole_month: clip(⌈x⌉, 0, 12 years), NaN stays NaN. */
static inline double first_whole(Py_ssize_t Y, double x) {
    const double end = 12.0 * (double)Y;
    if (!(x > 0.0)) return isnan(x) ? x : 0.0;
    if (x >= end) return end;
    const Py_ssize_t t = (Py_ssize_t)x;
    return (double)(t + ((double)t < x));
}

/* whole_months: (W, M) at whole month c, c = 12 K + j. */
static inline void whole(const Grid *g, double c, double *W, double *M) {
    if (isnan(c)) {
        *W = *M = c;
        return;
    }
    const Py_ssize_t ci = (Py_ssize_t)c, k = ci / 12;
    const double K = (double)k, j = (double)(ci - 12 * k), w = g->months[k] * (1.0 / 12.0);
    *M = w * (((K * 12.0) + 0.5 * (j - 1.0)) * j) + g->moment[k];
    *W = w * j + g->head[k];
}

/* ramp_sum: the agency share's ramp from start over span months, summed with the weights. */
static double ramp(const Grid *g, double start, double span) {
    double w0, m0, w1, m1;
    whole(g, first_whole(g->years, start), &w0, &m0);
    whole(g, first_whole(g->years, start + span), &w1, &m1);
    double r = (m1 - m0) - (w1 - w0) * start;
    r = span > 0.0 ? r / span : 0.0;
    return (r - w1) + g->tail[0];
}

/* decay_sum: the legacy placements still held, (1 − step)^(max(month − start, 0) / 12), summed with the weights. */
static double decay(const Grid *g, double start, double step) {
    const Py_ssize_t Y = g->years;
    const double c = first_whole(Y, start);
    if (isnan(c)) return c;
    const Py_ssize_t ci = (Py_ssize_t)c, k = ci / 12;
    const double j = (double)(ci - 12 * k), w_K = g->months[k];
    const double W = (w_K * j) * (1.0 / 12.0) + g->head[k];
    const double q = 1.0 - step, log_r = log1p(-step) * (1.0 / 12.0);
    double h = 0.0;  /* Σ_{y > K} 12 w_y q^(y − K − 1) by Horner's rule, two years a step (half the latency) */
    const double q2 = q * q;
    Py_ssize_t y = Y - 1;
    if (y > k && (y - k) % 2) h = g->months[y--];
    for (; y > k; y -= 2) h = h * q2 + (g->months[y] * q + g->months[y - 1]);
    double out, e1;
    if (fabs(log_r) < 1e-290) {  /* flat: E(k) = k, r = 1 */
        e1 = 1.0;
        out = w_K * (12.0 - j) + 12.0 * h;
    } else {
        e1 = expm1(log_r);
        const double em_a = j == 0.0 ? -step : expm1((12.0 - j) * log_r);  /* r^12 − 1 = q − 1 */
        out = w_K * em_a - (h * step) * (em_a + 1.0);
    }
    out /= e1;
    if (c != start) out *= exp((c - start) * log_r);  /* r^(c − start): 1 from a whole month (business as usual's 0) */
    return out * (1.0 / 12.0) + W;
}

/* What every option shares in one draw (line_values.Pass). */
typedef struct {
    Grid general, pay, placements;
    double employed, extra, extra_cost, scale, phase[4], core_service, agency, interim;
} Draw;

static void shared(Draw *d, const Lever *s, Py_ssize_t i) {
    d->employed = AT(s[SALARY], i) * (1.0 + AT(s[ON_COST], i));
    double need = AT(s[CHILDREN], i) / AT(s[TARGET_PER_HOLDER], i) - AT(s[HOLDING_SHARE], i) * AT(s[FTE], i);
    d->extra = (need >= 0.0 || isnan(need)) ? need : 0.0;
    d->extra_cost = d->extra * d->employed;
    const double e = AT(s[ELASTICITY], i), ref = AT(s[REFERENCE_CHILDREN], i);
    d->scale = e == 0.0 ? 1.0 : pow(AT(s[CHILDREN], i) / (isnan(ref) ? 1.0 : ref), e);
    for (int k = 0; k < 4; k++) d->phase[k] = AT(s[PHASE0 + k], i);
    d->core_service = AT(s[OUTSET], i) * (1.0 / 12.0) * d->general.tail[0];
    d->agency = AT(s[FTE], i) * d->employed * AT(s[AGENCY_PREMIUM], i) * (1.0 / 12.0);
    d->interim = AT(s[INTERIM_COUNT], i) * AT(s[INTERIM_RATE], i) * AT(s[INTERIM_DAYS], i) * (1.0 / 12.0);
}

/* Set-up and transitional spread over their months, then improvement over the journey's phases. */
static double one_offs(const Draw *d, const Lever *o, Py_ssize_t i, double J, double flag_J) {
    double total = 0.0;
    const double set_up = AT(o[SET_UP], i) * (1.0 + AT(o[SET_UP_BIAS], i));
    if (set_up != 0.0)
        total += per_month(set_up, AT(o[SET_UP_MONTHS], i)) * spread(&d->general, AT(o[SET_UP_START], i), AT(o[SET_UP_MONTHS], i));
    const double months = AT(o[TR_MONTHS], i);
    double tr = AT(o[TR_AMOUNT], i) + AT(o[TR_FTE], i) * AT(o[TR_COST], i) * months / 12.0 + AT(o[TR_LEGAL], i) + AT(o[TR_DUE], i);
    tr *= 1.0 + AT(o[TR_BIAS], i);
    if (tr != 0.0) total += per_month(tr, months) * spread(&d->general, AT(o[TR_START], i), months);
    const double net = d->extra_cost * ((d->phase[1] + d->phase[2]) * (1.0 / 12.0)) * AT(o[NET_OF_UPLIFT], i);
    double before = AT(o[IMP_TOTAL], i) * d->scale - net;
    before = (before >= 0.0 || isnan(before)) ? before : 0.0;
    const double uplifted = before * (1.0 + AT(o[IMP_BIAS], i));
    if (uplifted == 0.0) return total;
    double start = J, flag = flag_J, improvement = 0.0;
    for (int k = 0; k < 4; k++) {  /* each boundary's flag serves the phase ending and the one starting */
        const double share = AT(o[SPLIT0 + k], i), end = start + d->phase[k];
        const double after = from(&d->general, (end >= start || isnan(end)) ? end : start);
        if (share != 0.0) improvement += per_month(uplifted * share, d->phase[k]) * (flag - after);
        start = end, flag = after;
    }
    return total + improvement;
}

/* The premium on the agency share: to its target from mobilisation, or rising by the drift (business as usual). */
static double agency(const Draw *d, const Lever *s, const Lever *o, Py_ssize_t i, int improves, double J) {
    const double s0 = AT(s[AGENCY_SHARE], i);
    double target, start, years;
    if (improves) {
        target = AT(o[AGENCY_TARGET], i), start = J, years = AT(o[YEARS_TO_TARGET], i);
    } else {
        const double drift = AT(s[AGENCY_DRIFT], i);
        const int rising = drift > 0.0;
        years = rising ? (1.0 - s0) / drift : 0.0, target = rising ? 1.0 : NAN, start = 0.0;
    }
    if (isnan(target)) target = s0;
    const double held = s0 * d->pay.tail[0], move = target - s0;
    if (move == 0.0) return d->agency * held;
    return d->agency * (held + move * ramp(&d->pay, start, 12.0 * years));
}

/* Legacy placements and their replacements; -1 (with *refused) where the step-down is 1 or more, or NaN. */
static double legacy(const Draw *d, const Lever *s, const Lever *o, Py_ssize_t i, int improves, double J, int *refused) {
    const Grid *g = &d->placements;
    const double count = AT(s[LEGACY_COUNT], i);
    double floor_, step, start, replacement, n;
    if (improves) {
        floor_ = AT(s[LEGACY_FLOOR], i), step = AT(o[STEP_DOWN], i), start = J, replacement = AT(s[LEGACY_REPLACEMENT], i);
    } else {
        floor_ = 0.0, step = -AT(s[LEGACY_DRIFT], i), start = 0.0, replacement = 0.0;
    }
    const double held = count * g->tail[0];
    if (step == 0.0 || count - floor_ == 0.0) {
        n = held;
    } else if (step < 1.0) {
        n = floor_ * g->tail[0] + (count - floor_) * decay(g, start, step);
    } else {
        *refused = 1;
        return -1.0;
    }
    const double w = AT(s[WEEKS], i) * (1.0 / 12.0);
    return n * AT(s[LEGACY_WEEKLY], i) * w + (held - n) * replacement * w;
}

/* One option's present value in draw i: line_values.line_present_values summed, in its order. */
static double option(const Draw *d, const Lever *s, const Lever *o, int improves, long support, Py_ssize_t i, int *refused) {
    const double J = improves ? AT(o[MOBILISATION], i) : 0.0, flag_J = from(&d->general, J);
    double pv = one_offs(d, o, i, J, flag_J) + d->core_service;
    if (improves && d->extra != 0.0) pv += d->extra_cost * (1.0 / 12.0) * from(&d->pay, J + d->phase[0]);
    pv += agency(d, s, o, i, improves, J);
    pv += d->interim * until(&d->pay, AT(o[INTERIM_END], i));
    const double fee = AT(o[FEE], i);
    if (fee != 0.0) pv += fee * (1.0 / 12.0) * until(&d->general, AT(o[PARTNERSHIP], i));
    for (int k = GOVERNANCE; k <= CLIENT_SIDE; k++) {
        const double cost = AT(o[k], i);
        if (cost != 0.0) pv += cost * (1.0 / 12.0) * flag_J;
    }
    pv += legacy(d, s, o, i, improves, J, refused);
    double share = AT(o[SENIOR_SAVING], i);
    if (share != 0.0) {
        double end = AT(o[PARTNERSHIP], i);
        end = isnan(end) ? INFINITY : end;
        end = (end >= J || isnan(end)) ? end : J;
        pv += -share * AT(s[SENIOR_COST], i) * (1.0 / 12.0) * (from(&d->pay, J) - from(&d->pay, end));
    }
    share = AT(o[SUPPORT_RELEASED], i);
    if (share != 0.0) pv += -share * AT(s[SUPPORT_COST], i) * (1.0 / 12.0) * flag_J;
    const double rate = AT(o[EFFICIENCY_RATE], i);
    if (rate != 0.0) pv += -rate * AT(s[OUTSET], i) * (1.0 / 12.0) * from(&d->general, 12.0 * AT(o[EFFICIENCY_FROM], i));
    for (const Lever *x = o + N_OPTION; support-- > 0; x += N_SUPPORT) {  /* external support, in general prices */
        const double months = AT(x[SUPPORT_MONTHS], i), amount = AT(x[SUPPORT_ANNUAL], i) * (1.0 / 12.0) * months;
        if (amount != 0.0) pv += per_month(amount, months) * spread(&d->general, AT(x[SUPPORT_START], i), months);
    }
    return pv;
}

/* The pass: the grids rebuilt where the draw's factors or relative price effects differ, then every option. */
typedef struct {
    const Lever *levers;
    const long *options;  /* improves, support items: two an option */
    Py_ssize_t n_options, S, years, f_stride;
    const double *f;
    double power, *out;
} Pass;

static int run(const Pass *p, Draw *d) {
    const Lever *s = p->levers;
    const int pay_drawn = s[REL_PAY].stride != 0, placements_drawn = s[REL_PLACEMENTS].stride != 0;
    for (Py_ssize_t i = 0; i < p->S; i++) {
        const double *f = p->f + i * p->f_stride;
        if (i == 0 || p->f_stride) build(&d->general, p->years, f, 0, 1.0, 0.0);
        if (i == 0 || p->f_stride || pay_drawn) build(&d->pay, p->years, f, 1, 1.0 + AT(s[REL_PAY], i), p->power);
        if (i == 0 || p->f_stride || placements_drawn)
            build(&d->placements, p->years, f, 1, 1.0 + AT(s[REL_PLACEMENTS], i), p->power);
        shared(d, s, i);
        const Lever *o = s + N_SHARED;
        int refused = 0;
        for (Py_ssize_t k = 0; k < p->n_options; k++) {
            const long improves = p->options[2 * k], support = p->options[2 * k + 1];
            p->out[i * p->n_options + k] = option(d, s, o, (int)improves, support, i, &refused);
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
    if (!PyArg_ParseTuple(args, "OOy*ndw*", &levers, &options, &f, &p.years, &p.power, &out)) return NULL;
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
    Draw *d = PyMem_Malloc(sizeof(Draw));
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
     "present_values(levers, options, factors, years, power, out) -> bool: every option's present value a draw."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "engine", "Kernel of costmodel.line_values.", -1, methods};

PyMODINIT_FUNC PyInit_engine(void) { return PyModule_Create(&module); }
