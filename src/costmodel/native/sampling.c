/* Kernels of costmodel.sampling: a PERT lever's draws from its quantile tables.
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
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>

static int as_doubles(Py_buffer *b, const char *what, Py_ssize_t *n) {
    if (b->len % (Py_ssize_t)sizeof(double)) {
        PyErr_Format(PyExc_ValueError, "%s: a buffer of float64 was expected (%zd bytes)", what, b->len);
        return -1;
    }
    *n = b->len / (Py_ssize_t)sizeof(double);
    return 0;
}

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
        const double *pu = (const double *)u.buf, *pb = (const double *)body.buf, *pk = (const double *)knots.buf;
        const double *ps = (const double *)scale.buf, *pp = (const double *)power.buf;
        double *po = (double *)out.buf;
        const Py_ssize_t last = rows - 1;
        const double middle = (double)(Py_ssize_t)(cells / 2.0);
        Py_BEGIN_ALLOW_THREADS
        for (Py_ssize_t i = 0; i < n; i++) {
            double s = pu[i] * cells;
            Py_ssize_t k = (s >= 0.0) ? (s < (double)last ? (Py_ssize_t)s : last) : 0;
            double x = pb[2 * k] * s;
            x += pb[2 * k + 1];
            if (isnan(x)) {  /* a steep end's cell */
                int e = s >= middle;
                double v = e ? cells - s : s;
                double t = exp(log(v * ps[e]) * pp[e]) * (double)tail;
                Py_ssize_t j = (Py_ssize_t)t;
                if (j > tail - 1)
                    j = tail - 1;
                t -= (double)j;
                j += e * (tail + 1);
                x = pk[j];
                x += (pk[j + 1] - x) * t;
                x *= span;
                x += low;
            }
            po[i] = x;
        }
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

static PyMethodDef methods[] = {
    {"pert_lever", pert_lever, METH_VARARGS, "A PERT lever's values at uniforms u from its body and steep ends' tables, into out."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "sampling", "Kernels of costmodel.sampling.", -1, methods};

PyMODINIT_FUNC PyInit_sampling(void) { return PyModule_Create(&module); }
