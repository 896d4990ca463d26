"""The router: smalltalk rules, the plan of a message (parts, style, follow-up), per-part
decisions from calibrated scores, and logic answers (FAQ verbatim or an extractive passage).

In: the guard's text and its embeddings. Out: `PartDecision`s and the composed logic `Reply`.
"""
