/* What every kernel of costmodel.native does with a buffer it is given: a buffer of float64, its length. */
#ifndef COSTMODEL_NATIVE_BUFFERS_H
#define COSTMODEL_NATIVE_BUFFERS_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* The number of float64 in b (into *n), or -1 with a ValueError naming it ("what") when its length is not whole float64. */
static inline int as_doubles(Py_buffer *b, const char *what, Py_ssize_t *n) {
    if (b->len % (Py_ssize_t)sizeof(double)) {
        PyErr_Format(PyExc_ValueError, "%s: a buffer of float64 was expected (%zd bytes)", what, b->len);
        return -1;
    }
    *n = b->len / (Py_ssize_t)sizeof(double);
    return 0;
}

#endif
