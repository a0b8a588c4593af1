"""Weakening (issue 12): which barriers does a protocol need?

Takes a compiled program (the checker's IR of a variant, or of a litmus
test) and an oracle that checks it; gives its frontier: every minimal
assignment of orders to its sites that is safe under every chosen
model, with, for each site above its minimum, the counterexample that
appears when it is weakened one step.  Modules: lattice (the order
lattice of each kind of site), sites (finding sites, applying an
assignment), frontier (the search).
"""
