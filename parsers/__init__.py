"""Pure message parsing: `Parser.load()` once, then `parser.parse(text, now=...)`.

Imports nothing of the bot, the storage or the scheduler.
"""

from parsers.models import INTENTS, Age, Parsed, Pay, Quote
from parsers.parser import Parser

__all__ = ["INTENTS", "Age", "Parsed", "Parser", "Pay", "Quote"]
