/* How this process's C library allocator keeps memory: for the Monte Carlo's many large temporary arrays.
 *
 * keep_freed_memory() -> bool
 *     numpy takes each temporary array of a pass (16,384 draws: 128 KB) from malloc and gives it back. glibc's
 *     defaults hand such blocks back to the system (unmapped, or the heap trimmed), and take them again a moment
 *     later as fresh pages, each one a page fault that the kernel fills with zeros: about 140,000 faults and a
 *     quarter of a CPU-second for a million draws. This sets glibc's allocator (mallopt) to serve blocks under
 *     32 MB from the heap (M_MMAP_THRESHOLD), to keep up to 1 GB of freed heap (M_TRIM_THRESHOLD) and to grow
 *     the heap 64 MB at a time (M_TOP_PAD): about 35,000 faults. Memory in use is the same; memory freed is kept
 *     by the process until it exits (the command's, not a long-lived host's: the CLI calls this, the core does
 *     not). Processes forked afterwards inherit the setting. Returns False where the C library is not glibc
 *     (nothing changed).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

static PyObject *keep_freed_memory(PyObject *self, PyObject *args) {
#ifdef __GLIBC__
    int ok = mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024) && mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024)
             && mallopt(M_TOP_PAD, 64 * 1024 * 1024);
    return PyBool_FromLong(ok);
#else
    Py_RETURN_FALSE;
#endif
}

static PyMethodDef methods[] = {
    {"keep_freed_memory", keep_freed_memory, METH_NOARGS,
     "Keep freed heap memory in this process (glibc's mallopt): fewer page faults for many large temporaries."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "memory", "This process's allocator settings.", -1, methods};

PyMODINIT_FUNC PyInit_memory(void) { return PyModule_Create(&module); }
