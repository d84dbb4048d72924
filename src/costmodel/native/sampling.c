/* Kernels of costmodel.sampling: a PERT lever's draws from its quantile tables, and the Gaussian copula.
 *
 * pert_lever(u, body, cells, knots, scale, power, tail_knots, span, low, out)
 *     The lever's value at each uniform u[i], into out[i] (u and out may be the same buffer):
 *     body is the table interleaved as (slope_k, intercept_k) rows, already scaled to the lever; with
 *     s = u cells and k = s truncated and clipped to the rows (numpy's take(mode="clip")), the value is
 *     slope_k s + intercept_k: sampling._body's passes, the same arithmetic in the same order, so bit for bit.
 *     A NaN there marks a cell of a steep end, taken from the ends' tables as beta_quantiles.steep_ends does:
 *     end e = (s >= cells / 2), v = distance of s from that end (s, or cells - s), t = tail_knots
 *     (v scale[e])^power[e] (as exp(power log(v scale))), interpolated linearly between knots[e (tail_knots + 1) + j]
 *     and the next, then scaled: low + span x. libm's exp and log may differ from numpy's SIMD ones in the last
 *     place, so those draws agree with the numpy code to rounding (about 1e-16 of the range), not bit for bit.
 *     The loop itself is in pert_lookup.h: scalar, AVX2 or AVX-512F, the widest the CPU runs (chosen at import;
 *     COSTMODEL_NO_SIMD=1 keeps the scalar one), every version giving the same bits.
 *
 * simd() -> str, use_simd(name) -> str
 *     The version of pert_lever's loop in use ('scalar', 'avx2', 'avx512f'); use_simd switches to the one named
 *     (ValueError where it is not built or the CPU lacks it) and returns the one before. For the tests.
 *
 * gaussian_copula(columns, L) -> None
 *     The copula of sampling.gaussian_copula on a pass of draws, in place: columns is a sequence of k writable
 *     float64 buffers of n uniforms each (the levers that take part in a correlation), L the k x k lower-
 *     triangular Cholesky factor, row-major. For each draw z_k = PHI^-1(clip(u_k, 2^-53, 1 - 2^-53)), then for
 *     c >= 1, u_c = PHI(z_0 L[c,0] + z_1 L[c,1] + ... + z_c L[c,c]), summed in that order; column 0 is left
 *     as it is (L[0,0] = 1).
 *
 * normal_quantile(p, out), normal_cdf(x, out) -> None
 *     PHI^-1 and PHI of every value of a float64 buffer, into out (may be the same buffer).
 *
 * PHI^-1 is Wichura's algorithm AS 241 (PPND16: rational approximations in three ranges of p, relative
 * accuracy about 1e-16), written from M. J. Wichura (1988), "Algorithm AS 241: The percentage points of the
 * normal distribution", Applied Statistics 37(3), 477-484. PHI(x) = erfc(-x / sqrt 2) / 2 with C99 erfc,
 * accurate to a few units in the last place in both tails (see normal_cdf).
 */
#include "buffers.h"
#include "pert_lookup.h"
#include <math.h>
#include <string.h>

static PyObject *pert_lever(PyObject *self, PyObject *args) {
    Py_buffer u, body, knots, scale, power, out;
    double cells, span, low;
    Py_ssize_t tail, n, m, rows, kn, sn, pn;
    if (!PyArg_ParseTuple(args, "y*y*dy*y*y*nddw*", &u, &body, &cells, &knots, &scale, &power, &tail, &span, &low, &out))
        return NULL;
    if (as_doubles(&u, "u", &n) || as_doubles(&body, "body", &rows) || as_doubles(&knots, "knots", &kn)
        || as_doubles(&scale, "scale", &sn) || as_doubles(&power, "power", &pn) || as_doubles(&out, "out", &m))
        goto fail;
    rows /= 2;
    if (m != n || rows < 1 || tail < 1 || kn != 2 * (tail + 1) || sn != 2 || pn != 2) {
        PyErr_Format(PyExc_ValueError, "pert_lever: %zd draws into %zd; %zd table rows; %zd end knots for %zd cells; "
                     "%zd scales and %zd powers (2 expected)", n, m, rows, kn, tail, sn, pn);
        goto fail;
    }
    {
        const pert_table t = {(const double *)body.buf, (const double *)knots.buf, (const double *)scale.buf,
                              (const double *)power.buf, cells, (double)(Py_ssize_t)(cells / 2.0), span, low, rows - 1, tail};
        const pert_lookup_fn lookup = pert_lookup_for(&t);
        Py_BEGIN_ALLOW_THREADS
        lookup(&t, (const double *)u.buf, (double *)out.buf, n);
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&u); PyBuffer_Release(&body); PyBuffer_Release(&knots); PyBuffer_Release(&scale);
    PyBuffer_Release(&power); PyBuffer_Release(&out);
    Py_RETURN_NONE;
fail:
    PyBuffer_Release(&u); PyBuffer_Release(&body); PyBuffer_Release(&knots); PyBuffer_Release(&scale);
    PyBuffer_Release(&power); PyBuffer_Release(&out);
    return NULL;
}

/* AS 241, PPND16: the normal deviate z with PHI(z) = p, 0 < p < 1 (-inf, +inf at 0, 1; NaN outside). */
static double normal_quantile(double p) {
    const double q = p - 0.5;
    double r, x;
    if (fabs(q) <= 0.425) {  /* 0.075 <= p <= 0.925: a ratio of degree-7 polynomials in 0.180625 - q^2 */
        r = 0.180625 - q * q;
        return q * (((((((2.5090809287301226727e+3 * r + 3.3430575583588128105e+4) * r + 6.7265770927008700853e+4) * r
                         + 4.5921953931549871457e+4) * r + 1.3731693765509461125e+4) * r + 1.9715909503065514427e+3) * r
                      + 1.3314166789178437745e+2) * r + 3.3871328727963666080e+0)
                 / (((((((5.2264952788528545610e+3 * r + 2.8729085735721942674e+4) * r + 3.9307895800092710610e+4) * r
                        + 2.1213794301586595867e+4) * r + 5.3941960214247511077e+3) * r + 6.8718700749205790830e+2) * r
                     + 4.2313330701600911252e+1) * r + 1.0);
    }
    r = q < 0.0 ? p : 1.0 - p;  /* the nearer tail; 1 - p is exact for p > 0.5 */
    if (!(r > 0.0))
        return r == 0.0 ? (q < 0.0 ? -HUGE_VAL : HUGE_VAL) : NAN;
    r = sqrt(-log(r));
    if (r <= 5.0) {  /* down to p = exp(-25), about 1.4e-11 */
        r -= 1.6;
        x = (((((((7.74545014278341407640e-4 * r + 2.27238449892691845833e-2) * r + 2.41780725177450611770e-1) * r
                 + 1.27045825245236838258e+0) * r + 3.64784832476320460504e+0) * r + 5.76949722146069140550e+0) * r
              + 4.63033784615654529590e+0) * r + 1.42343711074968357734e+0)
            / (((((((1.05075007164441684324e-9 * r + 5.47593808499534494600e-4) * r + 1.51986665636164571966e-2) * r
                   + 1.48103976427480074590e-1) * r + 6.89767334985100004550e-1) * r + 1.67638483018380384940e+0) * r
                + 2.05319162663775882187e+0) * r + 1.0);
    } else {  /* the far tails */
        r -= 5.0;
        x = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 1.24266094738807843860e-3) * r
                 + 2.65321895265761230930e-2) * r + 2.96560571828504891230e-1) * r + 1.78482653991729133580e+0) * r
              + 5.46378491116411436990e+0) * r + 6.65790464350110377720e+0)
            / (((((((2.04426310338993978564e-15 * r + 1.42151175831644588870e-7) * r + 1.84631831751005468180e-5) * r
                   + 7.86869131145613259100e-4) * r + 1.48753612908506148525e-2) * r + 1.36929880922735805310e-1) * r
                + 5.99832206555887937690e-1) * r + 1.0);
    }
    return q < 0.0 ? -x : x;
}

/* PHI(x) = erfc(t) / 2, t = -x / sqrt 2: no cancellation in the left tail, within 2^-53 of 1 in the right. In
 * the left tail erfc(t) falls by a factor e^(-2 t dt) over dt, so the rounding of t alone would cost 2 t^2 units
 * in the last place (about 1e-13 at x = -37, as scipy's ndtr has): there t is carried as t + dt (its rounding
 * error, exact from fma and the low part of 1 / sqrt 2) and erfc(t + dt) = erfc(t) - dt 2 / sqrt(pi) e^(-t^2). */
static double normal_cdf(double x) {
    const double t = -x * M_SQRT1_2;
    if (!(t > 1.0))
        return 0.5 * erfc(t);
    {
        const double dt = fma(-x, M_SQRT1_2, -t) + -x * -4.8336466567264567e-17;  /* 1/sqrt 2 - M_SQRT1_2 */
        return 0.5 * (erfc(t) - dt * 1.1283791670955126 * exp(-t * t));
    }
}

static PyObject *elementwise(PyObject *args, const char *name, double (*f)(double)) {
    Py_buffer x, out;
    Py_ssize_t n, m;
    if (!PyArg_ParseTuple(args, "y*w*", &x, &out))
        return NULL;
    if (as_doubles(&x, "x", &n) || as_doubles(&out, "out", &m) || (m != n && PyErr_Format(PyExc_ValueError,
            "%s: %zd values into %zd", name, n, m) == NULL)) {
        PyBuffer_Release(&x); PyBuffer_Release(&out);
        return NULL;
    }
    {
        const double *px = (const double *)x.buf;
        double *po = (double *)out.buf;
        Py_BEGIN_ALLOW_THREADS
        for (Py_ssize_t i = 0; i < n; i++)
            po[i] = f(px[i]);
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&x); PyBuffer_Release(&out);
    Py_RETURN_NONE;
}

static PyObject *py_normal_quantile(PyObject *self, PyObject *args) { return elementwise(args, "normal_quantile", normal_quantile); }
static PyObject *py_normal_cdf(PyObject *self, PyObject *args) { return elementwise(args, "normal_cdf", normal_cdf); }

static void copula(double **col, Py_ssize_t k, Py_ssize_t n, const double *L, double *z) {
    const double tiny = 0x1p-53, top = 1.0 - 0x1p-53;  /* random() can give 0 exactly: keep PHI^-1 finite */
    for (Py_ssize_t i = 0; i < n; i++) {
        for (Py_ssize_t c = 0; c < k; c++) {
            double u = col[c][i];
            z[c] = normal_quantile(u < tiny ? tiny : (u > top ? top : u));
        }
        for (Py_ssize_t c = 1; c < k; c++) {
            const double *row = L + c * k;
            double y = z[0] * row[0];
            for (Py_ssize_t j = 1; j <= c; j++)
                y += z[j] * row[j];
            col[c][i] = normal_cdf(y);
        }
    }
}

static PyObject *gaussian_copula(PyObject *self, PyObject *args) {
    PyObject *columns, *seq = NULL;
    Py_buffer L, *bufs = NULL;
    double **col = NULL, *z = NULL;
    Py_ssize_t k, n = 0, held = 0, lk;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "Oy*", &columns, &L))
        return NULL;
    if (!(seq = PySequence_Fast(columns, "gaussian_copula: columns must be a sequence of float64 buffers")))
        goto done;
    k = PySequence_Fast_GET_SIZE(seq);
    if (as_doubles(&L, "L", &lk))
        goto done;
    if (k < 1 || lk != k * k) {
        PyErr_Format(PyExc_ValueError, "gaussian_copula: %zd columns need a %zd x %zd factor L (%zd values given)", k, k, k, lk);
        goto done;
    }
    bufs = PyMem_Calloc((size_t)k, sizeof(Py_buffer));
    col = PyMem_Calloc((size_t)k, sizeof(double *));
    z = PyMem_Calloc((size_t)k, sizeof(double));
    if (!bufs || !col || !z) {
        PyErr_NoMemory();
        goto done;
    }
    for (; held < k; held++) {
        Py_ssize_t m;
        const char *f;
        if (PyObject_GetBuffer(PySequence_Fast_GET_ITEM(seq, held), &bufs[held],
                               PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
            goto done;
        f = bufs[held].format ? bufs[held].format : "B";
        if (f[0] == '<' || f[0] == '=' || f[0] == '@')
            f++;
        if (strcmp(f, "d") != 0) {
            PyErr_Format(PyExc_ValueError, "gaussian_copula: column %zd is not float64 (format %s)", held, bufs[held].format);
            held++;
            goto done;
        }
        if (as_doubles(&bufs[held], "columns", &m)) {
            held++;
            goto done;
        }
        if (held == 0)
            n = m;
        if (m != n) {
            PyErr_Format(PyExc_ValueError, "gaussian_copula: column %zd has %zd draws, column 0 has %zd", held, m, n);
            held++;
            goto done;
        }
        col[held] = (double *)bufs[held].buf;
    }
    Py_BEGIN_ALLOW_THREADS
    copula(col, k, n, (const double *)L.buf, z);
    Py_END_ALLOW_THREADS
    Py_INCREF(Py_None);
    result = Py_None;
done:
    for (Py_ssize_t c = 0; c < held; c++)
        PyBuffer_Release(&bufs[c]);
    PyMem_Free(bufs); PyMem_Free(col); PyMem_Free(z);
    Py_XDECREF(seq);
    PyBuffer_Release(&L);
    return result;
}

static PyObject *simd(PyObject *self, PyObject *noargs) { return simd_name(&pert_choice); }

static PyObject *use_simd(PyObject *self, PyObject *args) { return simd_use(&pert_choice, args); }

static PyMethodDef methods[] = {
    {"pert_lever", pert_lever, METH_VARARGS, "A PERT lever's values at uniforms u from its body and steep ends' tables, into out."},
    {"simd", simd, METH_NOARGS, "The version of pert_lever's loop in use: 'avx512f', 'avx2' or 'scalar'."},
    {"use_simd", use_simd, METH_VARARGS, "use_simd(name): run pert_lever's loop as 'avx512f', 'avx2' or 'scalar' (ValueError where the CPU lacks it); the version before."},
    {"gaussian_copula", gaussian_copula, METH_VARARGS, "Gaussian copula in place: columns (k float64 buffers of n uniforms), L (k x k Cholesky factor, row-major)."},
    {"normal_quantile", py_normal_quantile, METH_VARARGS, "normal_quantile(p, out): out = PHI^-1(p) (Wichura's AS 241)."},
    {"normal_cdf", py_normal_cdf, METH_VARARGS, "normal_cdf(x, out): out = PHI(x) = erfc(-x / sqrt 2) / 2."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "sampling", "Kernels of costmodel.sampling: the PERT table lookup, the Gaussian copula, PHI and PHI^-1.", -1, methods};

PyMODINIT_FUNC PyInit_sampling(void) {
    simd_choose(&pert_choice);
    return PyModule_Create(&module);
}
