"""The "needs a lead" flag: a tag and an internal note with the question, written together;
a lead's answer is a note too, and takes the flag off."""

from __future__ import annotations

from deskterm.backend.leads.reads import NEEDS_LEAD
from deskterm.backend.store import Store
from deskterm.domain.models import Agent, AuthorKind


def flag_for_lead(store: Store, conversation_id: int, *, agent: Agent, question: str) -> None:
    """Flag the conversation for a lead, the question in an internal note (one transaction)."""
    with store.transaction():
        store.change_tags(conversation_id, add=[NEEDS_LEAD], agent_id=agent.id)
        store.add_message(
            conversation_id,
            author_kind=AuthorKind.AGENT,
            author_id=agent.id,
            author_name=agent.name,
            body=f"Question for a lead: {question.strip()}",
            public=False,
        )


def answer_flag(store: Store, conversation_id: int, *, lead: Agent, answer: str) -> None:
    """The lead's answer as an internal note (when there is one), and the flag off."""
    with store.transaction():
        if answer.strip():
            store.add_message(
                conversation_id,
                author_kind=AuthorKind.AGENT,
                author_id=lead.id,
                author_name=lead.name,
                body=f"Lead's answer: {answer.strip()}",
                public=False,
            )
        store.change_tags(conversation_id, remove=[NEEDS_LEAD], agent_id=lead.id)
