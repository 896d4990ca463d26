"""Local LLM generation: backends behind one `LLM.execute`, the async `Generator` service (one
line of requests per model), and the `AnswerWriter` step the pipeline owns (`writer`).

In: a question and the passages it may cite. Out: a streamed, cited answer, or a fallback reason.
Importing this package loads no model library; backends import theirs when loaded.
"""

from bot.llm.base import GenerationRequest, LLM, LLMError, backends, load_llm, validate_config
from bot.llm.generator import GenerationEvent, GenerationResult, Generator, build_generator
from bot.llm.prompt import CANARY, Passage, PromptTemplate, extract_citations, neutralize

__all__ = [
    "CANARY", "GenerationEvent", "GenerationRequest", "GenerationResult", "Generator", "LLM", "LLMError",
    "Passage", "PromptTemplate", "build_generator", "extract_citations", "load_llm", "neutralize",
    "backends", "validate_config",
]
