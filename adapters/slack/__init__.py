"""The Slack adapter (slack-bolt): Socket Mode or Events API, Block Kit replies, feedback buttons.

Run it with `helpbot serve slack`; see docs/slack.md.
"""
