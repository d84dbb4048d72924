/* Kernels of costmodel.sampling: the PERT table lookup of a lever's draws.
 *
 * pert_body(u, slope, intercept, cells, out, where, steep) -> int
 *     out[i] = slope[k] * s + intercept[k] with s = u[i] * cells and k = s truncated and clipped to the table's
 *     rows (numpy's take(mode="clip")): the same arithmetic in the same order as sampling._body's numpy passes.
 *     Draws whose result is NaN (in a steep end's cell, whose body entries are NaN) are listed: their positions
 *     in where (intp) and their s in steep, in order; returns how many. u and out may be the same buffer.
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

static PyObject *pert_body(PyObject *self, PyObject *args) {
    Py_buffer u, slope, intercept, out, where, steep;
    double cells;
    Py_ssize_t n, m, tn, ti, sn;
    Py_ssize_t nan = 0;
    if (!PyArg_ParseTuple(args, "y*y*y*dw*w*w*", &u, &slope, &intercept, &cells, &out, &where, &steep))
        return NULL;
    if (as_doubles(&u, "u", &n) || as_doubles(&slope, "slope", &tn) || as_doubles(&intercept, "intercept", &ti)
        || as_doubles(&out, "out", &m) || as_doubles(&steep, "steep", &sn))
        goto fail;
    if (m != n || tn != ti || tn < 1 || sn < n || where.len < n * (Py_ssize_t)sizeof(Py_ssize_t)) {
        PyErr_Format(PyExc_ValueError, "pert_body: %zd draws into %zd; tables of %zd and %zd rows; room for %zd steep draws",
                     n, m, tn, ti, sn);
        goto fail;
    }
    {
        const double *pu = (const double *)u.buf, *ps = (const double *)slope.buf, *pi = (const double *)intercept.buf;
        double *po = (double *)out.buf, *pz = (double *)steep.buf;
        Py_ssize_t *pw = (Py_ssize_t *)where.buf;
        const Py_ssize_t last = tn - 1;
        Py_BEGIN_ALLOW_THREADS
        for (Py_ssize_t i = 0; i < n; i++) {
            double s = pu[i] * cells;
            Py_ssize_t k = (s >= 0.0) ? (s < (double)last ? (Py_ssize_t)s : last) : 0;  /* NaN: row 0, result NaN */
            double x = ps[k] * s;
            x += pi[k];
            po[i] = x;
            if (isnan(x)) {
                pw[nan] = i;
                pz[nan++] = s;
            }
        }
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&u); PyBuffer_Release(&slope); PyBuffer_Release(&intercept); PyBuffer_Release(&out); PyBuffer_Release(&where); PyBuffer_Release(&steep);
    return PyLong_FromSsize_t(nan);
fail:
    PyBuffer_Release(&u); PyBuffer_Release(&slope); PyBuffer_Release(&intercept); PyBuffer_Release(&out); PyBuffer_Release(&where); PyBuffer_Release(&steep);
    return NULL;
}

static PyMethodDef methods[] = {
    {"pert_body", pert_body, METH_VARARGS, "PERT table lookup: out = slope[k] s + intercept[k], s = u cells; lists the NaN results (where, steep); returns how many."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "sampling", "Kernels of costmodel.sampling.", -1, methods};

PyMODINIT_FUNC PyInit_sampling(void) { return PyModule_Create(&module); }
