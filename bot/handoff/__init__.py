"""Working alongside people (issue 17): hand a question off to a person, and learn from their answer.

`desk.HandoffDesk` records handoffs; `bot.knowledge.learn` writes the FAQ entries admins save.
The adapters (Slack, Discord) post, listen and show the buttons and forms."""

from bot.handoff.desk import (ChannelRules, Handoff, HandoffDesk, channel_rules, handoff_channel, ids, offers_handoff,
                              quiet)

__all__ = ["ChannelRules", "Handoff", "HandoffDesk", "channel_rules", "handoff_channel", "ids", "offers_handoff", "quiet"]
