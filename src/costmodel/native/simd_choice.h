/* Which of a kernel's loops runs, for the kernels whose one shared library holds a scalar loop and vector ones compiled
 * with GCC's target attribute (pert_lookup.h, uniforms.c): a table of the versions built, the scalar one first and
 * the widest last, each with the CPU features it needs; at module init the widest this CPU runs (__builtin_cpu_supports),
 * or the scalar one when COSTMODEL_NO_SIMD is set (not "" or "0"); and the module functions simd() and use_simd(name)
 * that report and switch it (for the tests and the benchmarks). The kernel keeps its loops in an array in the same
 * order and calls the chosen one's. */
#ifndef COSTMODEL_NATIVE_SIMD_CHOICE_H
#define COSTMODEL_NATIVE_SIMD_CHOICE_H

#include "buffers.h"
#include <stdlib.h>
#include <string.h>

enum { NEEDS_AVX2 = 1, NEEDS_AVX512F = 2, NEEDS_AVX512DQ = 4 };

typedef struct {
    const char *name;
    unsigned needs;  /* NEEDS_ flags */
} simd_version;

typedef struct {
    const simd_version *versions;
    int count, chosen;  /* chosen: an index into versions, set at module init and by use_simd() (under the GIL) */
} simd_choice;

/* Whether this CPU has every feature in needs. */
static int cpu_runs(unsigned needs) {
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    return !((needs & NEEDS_AVX2) && !__builtin_cpu_supports("avx2"))
           && !((needs & NEEDS_AVX512F) && !__builtin_cpu_supports("avx512f"))
           && !((needs & NEEDS_AVX512DQ) && !__builtin_cpu_supports("avx512dq"));
#else
    return needs == 0;
#endif
}

/* At module init: the widest version this CPU runs, or the scalar one under COSTMODEL_NO_SIMD. */
static void simd_choose(simd_choice *c) {
    const char *off = getenv("COSTMODEL_NO_SIMD");
    c->chosen = 0;
    if (off && off[0] && strcmp(off, "0") != 0)
        return;
    for (int v = c->count - 1; v > 0; v--)
        if (cpu_runs(c->versions[v].needs)) {
            c->chosen = v;
            return;
        }
}

/* simd(): the name of the version in use. */
static PyObject *simd_name(const simd_choice *c) { return PyUnicode_FromString(c->versions[c->chosen].name); }

/* use_simd(name): switch to the version named and return the one before; ValueError where it is not built here or
 * this CPU does not run it. */
static PyObject *simd_use(simd_choice *c, PyObject *args) {
    const char *name, *before = c->versions[c->chosen].name;
    char built[128] = "";
    if (!PyArg_ParseTuple(args, "s", &name))
        return NULL;
    for (int v = 0; v < c->count; v++) {
        if (strcmp(name, c->versions[v].name) == 0) {
            if (!cpu_runs(c->versions[v].needs))
                return PyErr_Format(PyExc_ValueError, "use_simd: this CPU does not run %s", name);
            c->chosen = v;
            return PyUnicode_FromString(before);
        }
        if (v)
            strncat(built, ", ", sizeof built - strlen(built) - 1);
        strncat(built, c->versions[v].name, sizeof built - strlen(built) - 1);
    }
    return PyErr_Format(PyExc_ValueError, "use_simd: %s is not one of the versions built here (%s)", name, built);
}

#endif
