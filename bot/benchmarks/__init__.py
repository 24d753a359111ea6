"""Benchmarks that print their figures: `python -m bot.benchmarks` (`make bench`)."""
