"""Stage: compile rendered variants and count what they compile to.

Takes RenderedVariants (the C text the checker reads) and gives shared
objects for the bench (compile.py: build_variant, build_harness, cached
by content) and, per architecture, the instruction census of the
protocol functions (census.py: census_variant).
"""
