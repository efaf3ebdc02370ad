"""The chat loop: reads a question, prints ``Conversation.ask``'s reply, and nothing more.

On a terminal it uses a prompt-toolkit ``PromptSession``; with piped input it reads one
question a line and prints one reply each, with no prompt and no escape codes.
"""

from __future__ import annotations

import sys
from typing import TextIO

from .api import Conversation
from .index import Knowledge
from .model import Reply

QUIT = {"/quit", "/exit", "/q"}


def welcome(kb: Knowledge) -> str:
    subject = kb.document.subject or kb.document.title
    topics = ", ".join(kb.topics_)
    lines = [f"Ask me about the {subject} career" + (f" \u2014 {topics}." if topics else "."),
             "Type /help for help, /quit (or Ctrl-D) to leave."]
    return "\n".join(lines)


def format_reply(reply: Reply) -> str:
    text = reply.text
    if reply.answered and reply.source is not None:
        text += f"\n  [source: {reply.source.cite()}]"
    return text


def run_piped(conversation: Conversation, stdin: TextIO, stdout: TextIO) -> int:
    """One reply for each non-empty line of ``stdin``."""
    for line in stdin:
        question = line.strip()
        if not question:
            continue
        if question in QUIT:
            break
        stdout.write(format_reply(conversation.ask(question)) + "\n")
        stdout.flush()
    return 0


def run_terminal(conversation: Conversation) -> int:
    """The interactive chat on a terminal."""
    from prompt_toolkit import PromptSession

    print(welcome(conversation.knowledge))
    session: PromptSession[str] = PromptSession()
    while True:
        try:
            question = session.prompt("you> ").strip()
        except KeyboardInterrupt:
            continue
        except EOFError:
            break
        if not question:
            continue
        if question in QUIT:
            break
        if question == "/help":
            print(welcome(conversation.knowledge))
            continue
        print(format_reply(conversation.ask(question)))
    return 0


def chat(knowledge: Knowledge, *, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    conversation = Conversation(knowledge)
    if stdin.isatty() and stdout.isatty():
        return run_terminal(conversation)
    return run_piped(conversation, stdin, stdout)
