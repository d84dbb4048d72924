/* Kernels of costmodel.discounted: the discounted grid's tables and flags, one loop over the draws.
 *
 * A grid of Y years holds `rows` rows of tables (1, shared by every draw, or one per draw), year-major: the
 * entry of boundary K in row r is at K * rows + r. The result `out` holds n draws; each column of draws (start,
 * span, step ...) holds n numbers or 1 (the same for every draw), and the grid has 1 row or n.
 *
 * tables(f, f_rows, level, growth, rows, years, months, tail, head, moment)
 *     months[t] = 12 f_t (times level × growth^t when level is not empty), tail, head and moment as
 *     Discounted._build_*: the same arithmetic in the same order, bit for bit. level is updated in place.
 * from_month(months, tail, rows, years, start, out)
 * spread_flag(months, tail, rows, years, start, length, out)
 * ramp_sum(months, tail, head, moment, rows, years, start, span, out)
 * decay_exponents(years, start, log_r, ex, out)
 * decay_sum(months, head, rows, years, start, step, log_r, e1, em, ex, out)
 *     as the functions of the same names in costmodel.discounted (their *_reference numpy code): the same
 *     arithmetic in the same order, bit for bit. decay_sum's logarithm and exponentials are numpy's (vectorised,
 *     and not the C library's, which may differ in the last bit): decay_exponents writes their arguments
 *     (12 − j) log r and (c − start) log r, numpy takes expm1 and exp of them, and decay_sum (em may be out)
 *     combines them with log r = log1p(−step) / 12 and e1 = expm1(log r).
 * Every index is within the tables (numpy's take(mode="clip") clips only a NaN's); a NaN gives NaN as in numpy.
 */
#include "buffers.h"
#include <math.h>

/* numpy's maximum against a number: NaN stays NaN. */
static inline double np_max(double x, double lo) { return (x >= lo || isnan(x)) ? x : lo; }

/* The grid: its tables and its shape. */
typedef struct {
    const double *months, *tail, *head, *moment;
    Py_ssize_t rows, years;
} Grid;

static int check_table(Py_buffer *b, const char *what, Py_ssize_t want) {
    Py_ssize_t n;
    if (as_doubles(b, what, &n)) return -1;
    if (n != want) {
        PyErr_Format(PyExc_ValueError, "%s: a table of %zd numbers was expected, not %zd", what, want, n);
        return -1;
    }
    return 0;
}

/* The draws: n = the result's length; each column's length and the grid's rows 1 or n. */
static int check_draws(const char *kernel, Py_ssize_t rows, Py_ssize_t *n, Py_buffer *cols[], const char *names[],
                       Py_ssize_t lens[], int k, Py_buffer *out) {
    if (as_doubles(out, "out", n)) return -1;
    for (int j = 0; j < k; j++) {
        if (as_doubles(cols[j], names[j], &lens[j])) return -1;
        if (lens[j] != 1 && lens[j] != *n) {
            PyErr_Format(PyExc_ValueError, "%s: %s holds %zd draws, not 1 or %zd", kernel, names[j], lens[j], *n);
            return -1;
        }
    }
    if (rows != 1 && rows != *n) {
        PyErr_Format(PyExc_ValueError, "%s: a grid of %zd rows for %zd draws", kernel, rows, *n);
        return -1;
    }
    return 0;
}

static int check_grid(Py_ssize_t rows, Py_ssize_t years) {
    if (rows < 1 || years < 1) {
        PyErr_Format(PyExc_ValueError, "a grid of %zd rows and %zd years", rows, years);
        return -1;
    }
    return 0;
}

/* The numpy code's floor and ceil of numbers within the horizon (0 … 12 years, clamped first) by integers,
 * which give the same whole numbers (a zero's sign aside, which changes no result); NaN is dealt with before. */

/* from_month_reference: u = start / 12 clamped to [0, years], K = ⌊u⌋: months[K] (K + 1 − u) + tail[K + 1]. */
static inline double from_one(const Grid *g, Py_ssize_t r, double start) {
    double u = start * (1.0 / 12.0);
    if (isnan(u)) return u;  /* NaN stays NaN */
    u = u > 0.0 ? u : 0.0;
    u = u < (double)g->years ? u : (double)g->years;
    const Py_ssize_t k = (Py_ssize_t)u, i = k * g->rows + r;  /* K ≤ years: tail[K + 1] is in the table */
    double x = g->months[i];
    x *= ((double)k + 1.0) - u;
    return x + g->tail[i + g->rows];
}

/* first_whole_month: clip(⌈x⌉, 0, 12 years), NaN stays NaN. */
static inline double first_whole(Py_ssize_t Y, double x) {
    const double end = 12.0 * (double)Y;
    if (!(x > 0.0)) return isnan(x) ? x : 0.0;
    if (x >= end) return end;
    const Py_ssize_t t = (Py_ssize_t)x;
    return (double)(t + ((double)t < x));
}

/* whole_months: (W, M) at whole month c (0 … 12 years) of row r, with c = 12 K + j. */
static inline void whole(const Grid *g, Py_ssize_t r, double c, double *W, double *M) {
    if (isnan(c)) {
        *W = *M = c;
        return;
    }
    const Py_ssize_t ci = (Py_ssize_t)c, Ki = ci / 12, i = Ki * g->rows + r;
    const double K = (double)Ki, j = (double)(ci - 12 * Ki);
    double w = g->months[i] * (1.0 / 12.0);
    double k = ((K * 12.0) + 0.5 * (j - 1.0)) * j;
    *M = w * k + g->moment[i];
    *W = w * j + g->head[i];
}

static double ramp_one(const Grid *g, Py_ssize_t r, double start, double span) {
    double w0, m0, w1, m1;
    whole(g, r, first_whole(g->years, start), &w0, &m0);
    whole(g, r, first_whole(g->years, start + span), &w1, &m1);
    double ramp = m1 - m0;
    ramp -= (w1 - w0) * start;
    ramp = span > 0.0 ? ramp / span : 0.0;
    ramp -= w1;
    return ramp + g->tail[r];
}

/* decay_sum_reference's exponents of draw e: (12 − j) log r and (c − start) log r, whose expm1 and exp numpy takes. */
static inline void decay_exponents_one(Py_ssize_t Y, double start, double log_r, double *em, double *ex) {
    const double c = first_whole(Y, start);
    const double j = isnan(c) ? c : (double)((Py_ssize_t)c % 12);
    *em = (12.0 - j) * log_r;
    *ex = (c - start) * log_r;
}

/* decay_sum_reference for one draw, given log r and e1 = expm1(log r) of its step-down and, from numpy,
 * em = expm1((12 − j) log r) and ex = exp((c − start) log r). */
static inline double decay_one(const Grid *g, Py_ssize_t r, double start, double step, double log_r, double e1,
                               double em_a, double ex) {
    const Py_ssize_t R = g->rows, Y = g->years;
    const double c = first_whole(Y, start);
    if (isnan(c)) return c;
    const Py_ssize_t ci = (Py_ssize_t)c, Ki = ci / 12, i = Ki * R + r;
    const double j = (double)(ci - 12 * Ki);
    double w_K = g->months[i];
    double W = w_K * j;
    W *= 1.0 / 12.0;
    W += g->head[i];
    double q = 1.0 - step;
    double h = 0.0;  /* Σ_{y > K} 12 w_y q^(y − K − 1) by Horner's rule, as the numpy table h[K + 1] */
    for (Py_ssize_t y = Y - 1; y > Ki; y--) h = h * q + g->months[y * R + r];
    double out;
    if (fabs(log_r) < 1e-290) {  /* flat: E(k) = k, r = 1 */
        e1 = 1.0;
        out = w_K * (12.0 - j) + 12.0 * h;
    } else {
        out = w_K * em_a;
        double inner = h * step;
        em_a += 1.0;
        inner *= em_a;
        out -= inner;
    }
    out /= e1;
    out *= ex;
    out *= 1.0 / 12.0;
    return out + W;
}

#define RELEASE(...) do { Py_buffer *bs_[] = {__VA_ARGS__}; \
    for (size_t k_ = 0; k_ < sizeof(bs_) / sizeof(bs_[0]); k_++) PyBuffer_Release(bs_[k_]); } while (0)

static PyObject *tables(PyObject *self, PyObject *args) {
    Py_buffer f, level, growth, months, tail, head, moment;
    Py_ssize_t f_rows, rows, Y, fn, ln, gn;
    if (!PyArg_ParseTuple(args, "y*nw*y*nnw*w*w*w*", &f, &f_rows, &level, &growth, &rows, &Y, &months, &tail, &head, &moment))
        return NULL;
    if (as_doubles(&f, "f", &fn) || as_doubles(&level, "level", &ln) || as_doubles(&growth, "growth", &gn)
        || check_grid(rows, Y) || check_table(&months, "months", (Y + 2) * rows) || check_table(&tail, "tail", (Y + 2) * rows)
        || check_table(&head, "head", (Y + 1) * rows) || check_table(&moment, "moment", (Y + 1) * rows))
        goto fail;
    if ((f_rows != 1 && f_rows != rows) || fn != f_rows * Y || (ln != 0 && ln != 1 && ln != rows) || gn != ln) {
        PyErr_Format(PyExc_ValueError, "tables: %zd factors in %zd rows, growth of %zd and %zd for %zd rows of %zd years",
                     fn, f_rows, ln, gn, rows, Y);
        goto fail;
    }
    {
        const double *pf = f.buf, *pg = growth.buf;
        double *pl = level.buf, *pm = months.buf, *pt = tail.buf, *ph = head.buf, *pq = moment.buf;
        Py_BEGIN_ALLOW_THREADS
        for (Py_ssize_t r = 0; r < rows; r++) ph[r] = pq[r] = 0.0;
        for (Py_ssize_t t = 0; t < Y; t++) {  /* year by year as the numpy passes (rows apart in memory) */
            const double *ft = pf + t;
            const Py_ssize_t fs = f_rows > 1 ? Y : 0;
            const double mid = 12.0 * (double)t + 5.5;
            double *mt = pm + t * rows, *h0 = ph + t * rows, *h1 = h0 + rows, *q0 = pq + t * rows, *q1 = q0 + rows;
            for (Py_ssize_t r = 0; r < rows; r++) {
                double w = 12.0 * ft[r * fs];
                if (ln > 1) {
                    w *= pl[r];
                    if (t + 1 < Y) pl[r] *= pg[r];
                } else if (ln) {
                    w *= pl[0];
                }
                mt[r] = w;
                h1[r] = h0[r] + w;
                q1[r] = w * mid + q0[r];
            }
            if (ln == 1 && t + 1 < Y) pl[0] *= pg[0];
        }
        for (Py_ssize_t r = 0; r < 2 * rows; r++) pm[Y * rows + r] = pt[Y * rows + r] = 0.0;
        for (Py_ssize_t t = Y - 1; t >= 0; t--)
            for (Py_ssize_t r = 0; r < rows; r++) pt[t * rows + r] = pt[(t + 1) * rows + r] + pm[t * rows + r];
        Py_END_ALLOW_THREADS
    }
    RELEASE(&f, &level, &growth, &months, &tail, &head, &moment);
    Py_RETURN_NONE;
fail:
    RELEASE(&f, &level, &growth, &months, &tail, &head, &moment);
    return NULL;
}

/* The flags: a grid, columns of draws (1 or n numbers each), one function of the grid's row and the columns per draw. */
enum { FROM, SPREAD, RAMP, EXPONENTS, DECAY };
#define MOST 6

static PyObject *flags(PyObject *args, int what, const char *name) {
    Py_buffer months = {0}, tail = {0}, head = {0}, moment = {0}, col[MOST] = {{0}}, out = {0};
    Py_ssize_t rows = 1, Y, n, lens[MOST] = {1, 1, 1, 1, 1, 1};
    static const char *names[][MOST] = {{"start"}, {"start", "length"}, {"start", "span"}, {"start", "log_r", "ex"},
                                        {"start", "step", "log_r", "e1", "em", "ex"}};
    static const int counts[] = {1, 2, 2, 3, 6};
    Py_buffer *cols[MOST];
    const int k = counts[what];
    for (int j = 0; j < MOST; j++) cols[j] = &col[j];
    int ok;
    switch (what) {
    case FROM: ok = PyArg_ParseTuple(args, "y*y*nny*w*", &months, &tail, &rows, &Y, &col[0], &out); break;
    case SPREAD: ok = PyArg_ParseTuple(args, "y*y*nny*y*w*", &months, &tail, &rows, &Y, &col[0], &col[1], &out); break;
    case RAMP: ok = PyArg_ParseTuple(args, "y*y*y*y*nny*y*w*", &months, &tail, &head, &moment, &rows, &Y, &col[0], &col[1], &out); break;
    case EXPONENTS: ok = PyArg_ParseTuple(args, "ny*y*w*w*", &Y, &col[0], &col[1], &col[2], &out); break;
    default: ok = PyArg_ParseTuple(args, "y*y*nny*y*y*y*y*y*w*", &months, &head, &rows, &Y, &col[0], &col[1], &col[2], &col[3],
                                   &col[4], &col[5], &out); break;
    }
    if (!ok) return NULL;
    if (check_grid(rows, Y) || (what != EXPONENTS && check_table(&months, "months", (Y + 2) * rows))
        || ((what == FROM || what == SPREAD || what == RAMP) && check_table(&tail, "tail", (Y + 2) * rows))
        || ((what == RAMP || what == DECAY) && check_table(&head, "head", (Y + 1) * rows))
        || (what == RAMP && check_table(&moment, "moment", (Y + 1) * rows))
        || check_draws(name, rows, &n, cols, names[what], lens, k, &out))
        goto done;
    if ((what == EXPONENTS && lens[2] != n) || (what == DECAY && (lens[4] != n || lens[5] != n))) {
        PyErr_Format(PyExc_ValueError, "%s: the exponentials hold %zd draws each", name, n);
        goto done;
    }
    {
        const Grid g = {months.buf, tail.buf, head.buf, moment.buf, rows, Y};
        const double *x[MOST];
        Py_ssize_t step[MOST];
        for (int j = 0; j < k; j++) {
            x[j] = col[j].buf;
            step[j] = lens[j] > 1;
        }
        double *po = out.buf;
        const int rr = rows > 1;
        Py_BEGIN_ALLOW_THREADS
        switch (what) {
        case FROM:
            for (Py_ssize_t i = 0; i < n; i++) po[i] = from_one(&g, rr ? i : 0, x[0][i * step[0]]);
            break;
        case SPREAD:
            for (Py_ssize_t i = 0; i < n; i++) {
                const double s = x[0][i * step[0]], end = np_max(s + x[1][i * step[1]], s);
                po[i] = from_one(&g, rr ? i : 0, s) - from_one(&g, rr ? i : 0, end);
            }
            break;
        case RAMP:
            for (Py_ssize_t i = 0; i < n; i++) po[i] = ramp_one(&g, rr ? i : 0, x[0][i * step[0]], x[1][i * step[1]]);
            break;
        case EXPONENTS:
            for (Py_ssize_t i = 0; i < n; i++)
                decay_exponents_one(Y, x[0][i * step[0]], x[1][i * step[1]], &po[i], (double *)x[2] + i);
            break;
        default:
            for (Py_ssize_t i = 0; i < n; i++)
                po[i] = decay_one(&g, rr ? i : 0, x[0][i * step[0]], x[1][i * step[1]], x[2][i * step[2]], x[3][i * step[3]],
                                  x[4][i], x[5][i]);
            break;
        }
        Py_END_ALLOW_THREADS
    }
done:
    RELEASE(&months, &tail, &head, &moment, &col[0], &col[1], &col[2], &col[3], &col[4], &col[5], &out);  /* not parsed: zeros */
    if (PyErr_Occurred()) return NULL;
    Py_RETURN_NONE;
}

static PyObject *from_month(PyObject *self, PyObject *args) { return flags(args, FROM, "from_month"); }
static PyObject *spread_flag(PyObject *self, PyObject *args) { return flags(args, SPREAD, "spread_flag"); }
static PyObject *ramp_sum(PyObject *self, PyObject *args) { return flags(args, RAMP, "ramp_sum"); }
static PyObject *decay_exponents(PyObject *self, PyObject *args) { return flags(args, EXPONENTS, "decay_exponents"); }
static PyObject *decay_sum(PyObject *self, PyObject *args) { return flags(args, DECAY, "decay_sum"); }

static PyMethodDef methods[] = {
    {"tables", tables, METH_VARARGS, "The grid's tables months, tail, head and moment, one row at a time."},
    {"from_month", from_month, METH_VARARGS, "Σ_t w_t × from_month(start)_t for each draw."},
    {"spread_flag", spread_flag, METH_VARARGS, "from_month(start) − from_month(max(start + length, start)) for each draw."},
    {"ramp_sum", ramp_sum, METH_VARARGS, "The agency-share ramp summed with the weights for each draw."},
    {"decay_exponents", decay_exponents, METH_VARARGS, "decay_sum's exponents (c − start) log r (into ex) and (12 − j) log r (into out)."},
    {"decay_sum", decay_sum, METH_VARARGS, "The legacy step-down summed with the weights for each draw, given its exponentials."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "discounted", "Kernels of costmodel.discounted.", -1, methods};

PyMODINIT_FUNC PyInit_discounted(void) { return PyModule_Create(&module); }
