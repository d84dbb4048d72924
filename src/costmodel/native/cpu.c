/* Which x86-64 level this processor runs, for the kernels built once per level (setup.py: engine_v3, engine_v4).
 *
 * x86_64_level() -> int
 *     4 where the processor and the operating system run x86-64-v4 code (AVX-512 F, BW, CD, DQ, VL), 3 where they
 *     run x86-64-v3 (AVX2, FMA, BMI1/2 ...), else 0 (and 0 on any other processor). GCC's __builtin_cpu_supports
 *     checks the operating system saves the registers too.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *x86_64_level(PyObject *self, PyObject *args) {
    long level = 0;
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
    __builtin_cpu_init();
    if (__builtin_cpu_supports("x86-64-v4"))
        level = 4;
    else if (__builtin_cpu_supports("x86-64-v3"))
        level = 3;
#elif defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi")
        && __builtin_cpu_supports("bmi2")) {
        level = 3;
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl")
            && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512cd"))
            level = 4;
    }
#endif
    return PyLong_FromLong(level);
}

static PyMethodDef methods[] = {
    {"x86_64_level", x86_64_level, METH_NOARGS, "4 (AVX-512), 3 (AVX2) or 0: the x86-64 level this processor runs."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "cpu", "Which x86-64 level this processor runs.", -1, methods};

PyMODINIT_FUNC PyInit_cpu(void) { return PyModule_Create(&module); }
