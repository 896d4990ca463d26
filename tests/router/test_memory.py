"""Follow-up memory is bounded (conversations and turns) and only catches messages that lean back."""

import pytest

from bot.routing.memory import ConversationMemory, Turn, combine, is_follow_up_like, leans_back


def test_memory_keeps_last_turns_only():
    memory = ConversationMemory(turns=2, max_conversations=10)
    for n in range(5):
        memory.remember("c", Turn(f"q{n}", "answer"))
    assert [t.question for t in memory.history("c")] == ["q3", "q4"]
    assert memory.last("c").question == "q4"


def test_memory_forgets_least_recently_used_conversation():
    memory = ConversationMemory(turns=2, max_conversations=3)
    for key in ("a", "b", "c"):
        memory.remember(key, Turn("q", "answer"))
    memory.last("a")  # touching "a" makes "b" the oldest
    memory.remember("d", Turn("q", "answer"))
    assert len(memory) == 3
    assert memory.last("b") is None and memory.last("a") is not None


def test_memory_can_be_switched_off():
    memory = ConversationMemory(turns=0)
    memory.remember("c", Turn("q", "answer"))
    assert memory.last("c") is None


@pytest.mark.parametrize("text", ["and how do I undo that?", "what about on mobile?", "and for guests?", "Can I do it on Android too?", "それはモバイルでもできますか？"])
def test_follow_ups_lean_back(text):
    assert leans_back(text) and is_follow_up_like(text)


@pytest.mark.parametrize("text", ["Is there a dark mode in Tasklane?", "How do I connect GitHub to a project?"])
def test_standalone_questions_do_not_lean_back(text):
    assert not leans_back(text)


def test_combine_reads_follow_up_after_question():
    assert combine("How do I archive a project", "and how do I undo that?") == "How do I archive a project? and how do I undo that?"
