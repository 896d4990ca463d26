"""Self-harm and crisis rules (run on `match_view` text): first-person wishes to die or to hurt
oneself, plans and means, in English, Japanese and a few other languages. The self-harm rules of
rules_harm.py count too. Weaker signs ("I can't go on") weigh 0.5: alone they do not trigger."""

from __future__ import annotations

from bot.guard.rules import alt, gap, rule, words
from bot.guard.rules_harm import RULES as HARM_RULES

_ME = r"\b(?:i|i'm|im|i am|i've|ive|i have|i'll|me|my)\b"

RULES = [r for r in HARM_RULES if r.code == "harm.self_harm"] + [
    rule("harm.self_harm", _ME + gap(25) + words("want", "wanna", "wish", "going", "plan", "planning", "ready",
                                                  "decided", "need", "thinking about", "thought about")
         + gap(12) + words("to die", "die", "be dead", "not wake up", "never wake up", "stop existing",
                           "not exist anymore", "disappear forever", "end it", "end everything",
                           "end my life", "take my life", "kill myself", "hurt myself", "jump off")),
    rule("harm.self_harm", words("thoughts of", "thinking of", "thinking about", "planning", "plan for")
         + gap(12) + words("suicide", "killing myself", "ending my life", "ending it all", "hurting myself",
                           "self[- ]harm")),
    rule("harm.self_harm", words("nobody", "no one", "noone", "everyone", "everybody", "my family",
                                 "the world")
         + gap(12) + words("would be better off without me", "better off without me", "would miss me",
                           "would care if i (?:died|was gone|were gone|disappeared)", "won'?t miss me")),
    rule("harm.self_harm", _ME + gap(10) + words("can'?t go on", "cannot go on", "can'?t take (?:it|this) anymore",
                                                  "no way out", "give up on life", "giving up on life",
                                                  "don'?t see the point (?:in|of) living", "nothing to live for",
                                                  "hopeless"), 0.5),
    rule("harm.self_harm", words("ich will nicht mehr leben", "ich will sterben", "mich umbringen",
                                 "selbstmord", "suizid", "quiero morir", "quiero morirme", "suicidarme",
                                 "me quiero matar", "je veux mourir", "me suicider", "me tuer",
                                 "voglio morire", "uccidermi", "quero morrer", "me matar")),
    rule("harm.self_harm", alt("死のう", "死んでしまいたい", "消えてしまいたい", "生きる意味がない", "もう限界",
                               "飛び降り")),
]
