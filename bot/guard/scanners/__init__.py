"""One scanner per module. REGISTRY maps policy names to "module:Class" (imported lazily)."""

from __future__ import annotations

import importlib

REGISTRY = {
    "normalize": "normalize:NormalizeScanner",
    "length": "length:LengthScanner",
    "flood": "flood:FloodScanner",
    "pii": "pii:PIIScanner",
    "secrets": "secrets:SecretsScanner",
    "injection_rules": "injection_rules:InjectionRulesScanner",
    "harm": "harm:HarmScanner",
    "injection_embedding": "injection_embedding:InjectionEmbeddingScanner",
    "injection_classifier": "injection_classifier:InjectionClassifierScanner",
    "split_requests": "split_requests:SplitRequestScanner",
    "model_classifier": "model_classifier:ModelClassifierScanner",
    "leak": "leak:LeakScanner",
    "mentions": "mentions:MentionsScanner",
    "links": "links:LinksScanner",
    "grounding": "grounding:GroundingScanner",
}


def scanner_class(name: str):
    module, _, cls = REGISTRY[name].partition(":")
    return getattr(importlib.import_module(f"{__name__}.{module}"), cls)
