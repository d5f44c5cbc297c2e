"""Tools of a source checkout, not shipped in the wheel: the demo, the benchmarks, the
screenshot renderer, sample data and the private-broker launcher (``python -m devtools``)."""
