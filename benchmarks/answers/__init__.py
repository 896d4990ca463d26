"""Helpers of benchmarks/answers_eval.py: one protocol per file, the shared harness in core.py."""
