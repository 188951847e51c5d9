"""Benchmarks of the trainers: the learning benchmark's sweep spec (``train-bench.toml``) and the training
speed table (``speed``)."""
