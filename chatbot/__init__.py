"""An offline question-answering chatbot for career guides.

    >>> from chatbot import answer
    >>> answer("What is the median salary?").short
    '$47,470'
"""

from .api import Conversation, answer, default_knowledge, load_knowledge
from .evaluate import Case, evaluate, load_cases
from .index import Knowledge
from .library import Library
from .model import Field, KnowledgeError, QuestionSetError, Record, Reply, Unit, Value

__all__ = ["Case", "Conversation", "Field", "Knowledge", "KnowledgeError", "Library", "QuestionSetError", "Record",
           "Reply", "Unit", "Value", "answer", "default_knowledge", "evaluate", "load_cases", "load_knowledge"]
