"""Japanese smalltalk: greetings, thanks, goodbyes and "what can you do?", by rules (no model).

`smalltalk_kind` in router.py asks here after its own patterns; a message is smalltalk only when
nothing but the phrase is there (an honorific, "ボット", punctuation, 笑 or emoji may follow).
"""

from __future__ import annotations

import re

_TAIL = r"(?:[、,]?\s*(?:ボットさん|ボット|bot|helpbot|みなさん|皆さん))?[\s!！。.?？〜~ー…♪☺😊🙏👋w笑]*$"
_THANKS = (r"(?:どうも|本当に|ほんとに)?(?:ありがとう|ありがと)(?:ございます|ございました)?|サンキュー|感謝します|"
           r"助かりました|助かった|解決しました|できました|わかりました|分かりました")
_JA = {
    "greeting": re.compile(
        r"^(?:こんにちは|こんにちわ|こんばんは|こんばんわ|おはよう(?:ございます)?|やあ|はじめまして|初めまして|"
        r"ハロー|もしもし|お疲れ(?:様|さま)です|おつかれ(?:さま)?(?:です)?|"
        r"よろしく(?:お願い(?:します|いたします|致します))?)" + _TAIL),
    "thanks": re.compile(
        r"^(?:" + _THANKS + r")(?:[、,!！。\s]*(?:" + _THANKS + r"))*" + _TAIL),
    "goodbye": re.compile(
        r"^(?:さようなら|さよなら|またね|また(?:明日|今度|あとで)|では(?:また)?|じゃあね|じゃね|バイバイ|失礼します|"
        r"おやすみ(?:なさい)?)" + _TAIL),
    "help": re.compile(
        r"^(?:ヘルプ|使い方(?:を教えて(?:ください)?)?|(?:あなたは|君は)?(?:何|なに)が(?:できますか|できるの|できる)|"
        r"どんな(?:質問|こと)(?:が|を)(?:できますか|聞けますか|聞けるの)|(?:何|なに)を聞けば(?:いい|良い)(?:ですか|の)?|"
        r"(?:あなたは|君は)(?:誰|だれ|何|なに)(?:ですか|なの)?|このボットは(?:何|なに)(?:ですか)?|"
        r"どうやって使(?:う|えば)(?:の|んですか|いい(?:ですか)?)?)" + _TAIL),
}


def smalltalk_ja(text: str) -> str | None:
    """greeting | thanks | goodbye | help for a Japanese smalltalk message, else None."""
    for kind, pattern in _JA.items():
        if pattern.match(text):
            return kind
    return None
