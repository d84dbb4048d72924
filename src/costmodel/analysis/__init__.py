"""Analyses on top of the Monte Carlo draws that use third-party libraries: Sobol indices (SALib) and
scenario discovery (PRIM, from the EMA workbench), and the sentences that report them. An adapter
package: the core never imports it; the libraries are imported lazily, inside the functions that use them."""
