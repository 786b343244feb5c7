"""Answering: a question and retrieved passages in, an Answer with exact quotes and citations out. Between the
adapters (bot/: CLI, Discord, rendering) and the knowledge base (embeddings/); imports neither discord nor the
adapters."""

from answering.answer import ask, parse_since, parse_when, warm_up
from answering.question import MAX_QUESTION_CHARS
from answering.result import Answer, Citation

__all__ = ["MAX_QUESTION_CHARS", "Answer", "Citation", "ask", "parse_since", "parse_when", "warm_up"]
