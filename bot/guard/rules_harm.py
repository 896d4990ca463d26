"""Harmful-request rules by category. Run on `match_view` text.

Codes: harm.weapons, harm.malware, harm.account_intrusion, harm.fraud, harm.self_harm,
harm.hate, harm.csam, harm.harassment. A message that reads as a report or a victim asking for help
(EXEMPT) has its intrusion/fraud/malware/hate/csam weights halved: flagged, not blocked.
"""

from __future__ import annotations

import re

from bot.guard.rules import alt, gap, rule, words

_MAKE = words("make", "making", "build", "building", "assemble", "construct", "create", "craft",
              "manufacture", "produce", "synthesi[sz]e", "cook", "3d[- ]?print", "brew", "mix",
              "prepare", "get the ingredients for", "recipe for", "instructions for", "how to make")
_WEAPON = words(r"(?:pipe |nail |car |dirty |letter |fertili[sz]er )?bombs?", r"explosives?", "ied",
                r"molotov(?: cocktails?)?", r"grenades?", "napalm", "thermite", r"nerve (?:agent|gas)",
                "sarin", "vx", "ricin", "anthrax", "mustard gas", "chlorine gas", "poison gas",
                r"chemical weapons?", r"bio-?weapons?", r"biological weapons?", r"ghost guns?",
                r"untraceable (?:gun|firearm|weapon)s?", r"silencers?", r"suppressors?",
                r"machine guns?", r"detonators?", r"landmines?", "c-?4", "tnt", "semtex", "tatp",
                "meth", "methamphetamine", "fentanyl", r"zip guns?", r"auto sears?")
_PERSON = words("someone", "somebody", "a person", "people", "my (?:wife|husband|boss|neighbou?r|"
                "coworker|teacher|ex|partner|father|mother|dad|mom|brother|sister|friend)", "a human",
                "a child", "my family", "a kid")
_OTHER = (r"\b(?:someone|somebody|anyone|another (?:person|user|member|employee|customer|company|team)|other "
          r"(?:people|users|members|companies|companies'|teams|organi[sz]ations|customers|workspaces)|someone else|other people|a stranger|strangers|a celebrity|"
          r"my (?:ex|ex-\w+|wife|husband|girlfriend|boyfriend|partner|boss|coworker|co-worker|"
          r"colleague|neighbou?r|sister|brother|friend|teacher|roommate|spouse|son|daughter|mom|dad|"
          r"mother|father|crush|classmate|landlord)|their|his|her|the victim|a victim|the target)\b")
_ACCOUNT = words(r"accounts?", "email", "e-mail", "inbox", r"messages?", "dms", "direct messages",
                 "phone", r"passwords?", "profile", r"chats?", "instagram", "facebook", "gmail",
                 "slack", "discord", "snapchat", "whatsapp", "icloud", "login", r"workspaces?")
_CREDS = words(r"passwords?", "credentials", r"logins?", r"sessions?", "cookies", r"tokens?",
               "2fa codes?", "otps?", "one-time (?:codes?|passwords?)", "verification codes?",
               "api keys?", "password hashes", "hashes")
_GROUP = words("jews", "jewish people", "muslims", "christians", "blacks", "black people", "whites",
               "white people", "asians", "mexicans", "immigrants", "gays", "gay people", "lesbians",
               "trans people", "transgender people", "women", "arabs", "hindus", "africans",
               "refugees", "roma", "gypsies", "latinos", "chinese people", "disabled people",
               "indians", "catholics", "sikhs")
_MINOR = words("child", "children", "minor", "minors", "kid", "kids", "underage", "under-age",
               "preteen", "pre-teen", "toddler", "toddlers", "infant", "little girls?", "little boys?",
               "schoolgirls?", "schoolboys?", "loli", "lolicon", "shota", "shotacon",
               r"(?:[1-9]|1[0-7])[- ]?(?:year|yr)s?[- ]?old", "young teens?", "jailbait")
_SEXUAL = words("sexual", "sexualized", "sexy", "nude", "naked", "nudes", "porn", "porno",
                "pornographic", "erotic", "lewd", "nsfw", "xxx", "hentai", "sex scene", "sex story",
                "sex stories", "intercourse", "molest", "molesting", "grooming")

EXEMPT = re.compile(words("report", "reported", "reporting", "recover", "recovery", "was hacked",
                          "got hacked", "been hacked", "were hacked", "is hacked", "got phished",
                          "was phished", "victim of", "i am a victim", "i'm a victim", "protect", "prevent", "prevention", "detect",
                          "secure", "what should (?:i|we) do", "scammed me", "stole my",
                          "stolen from me", "block them", "moderat(?:e|ion)", "ban (?:them|him|her)",
                          "awareness", "training", "lost my", "locked out", "forgot my", "my own",
                          "as an admin", "as the admin", "as (?:an? )?(?:owner|administrator)"))
EXEMPT_CODES = frozenset({"harm.account_intrusion", "harm.fraud", "harm.malware", "harm.hate", "harm.csam",
                          "harm.harassment"})

# Another person, with any determiner ("a coworker's", "our manager's", "this user's").
_ANOTHER = (r"\b(?:a|an|the|my|our|his|her|their|this|that|some|another|other|any|one of my|one of our)\s+"
            r"(?:co-?workers?|colleagues?|employees?|users?|members?|customers?|clients?|managers?|boss(?:es)?|"
            r"team ?mates?|friends?|neighbou?rs?|classmates?|students?|teachers?|partners?|spouses?|exe?s?|"
            r"girlfriends?|boyfriends?|wife|husband|person|people|admins?|staff|victims?|targets?|room-?mates?|"
            r"flat-?mates?|parents?|mom|mum|dad|mother|father|sisters?|brothers?|sons?|daughters?|grand(?:ma|pa|mother|"
            r"father)|landlords?|tenants?)\b")
_PEOPLE = "(?:" + _ANOTHER + "|" + _OTHER + ")"
_PAYMENT = words("credit cards? (?:info|information|numbers|details|data)", "card (?:numbers|details|data|info)",
                 "credit card information", "payment (?:info|information|data|details|methods?)", "cvvs?",
                 "bank (?:details|logins|account numbers)", "credit cards", "debit cards")
# "how do I commit <crime>": the act asked about is illegal, whatever the service words around it.
_CRIME = words("identity theft", "fraud", "tax evasion", "insider trading", "embezzlement", "money laundering",
               "arson", "burglary", "shoplifting", "extortion", "blackmail", "stalking", "kidnapping",
               "human trafficking", "smuggling", "a robbery", "robbery", "a burglary", "a hit and run",
               "vandalism", "forgery", "bribery", "wage theft", "credit card fraud", "bank fraud",
               "check fraud", "a crime", "crimes", "murder", "a murder", "a heist", "cyberstalking", "doxxing")
_NOT_TOPIC = r"(?!\s+(?:alerts?|detection|prevention|protection|department|team|reports?|claims?|checks?|policy|cases?))"

RULES = [
    # --- illegal acts asked about plainly -------------------------------------------------------
    rule("harm.fraud", words("commit", "committing", "pull off", "get away with", "carry out", "plan", "planning",
                             "succeed at", "go about") + gap(6) + _CRIME + _NOT_TOPIC),
    rule("harm.fraud", words("best way", "easiest way", "how", "steps", "tips", "guide", "strategy", "plan")
         + gap(20) + words("to|for") + gap(6) + words("commit", "committing") + gap(6) + _CRIME + _NOT_TOPIC),
    # --- weapons / violence ------------------------------------------------------------------
    rule("harm.weapons", _MAKE + gap(40) + _WEAPON),
    rule("harm.weapons", _WEAPON + gap(20) + words("recipe", "instructions", "tutorial", "step by step",
                                                   "blueprint", "schematics?", "formula")),
    rule("harm.weapons", words("kill", "murder", "poison", "assassinate", "stab", "shoot", "strangle",
                               "kidnap", "torture", "hurt", "maim", "beat up") + r"\s+" + _PERSON
         + r"(?!'s|s'|\s+(?:process|job|task|automation|session|workflow))"),
    rule("harm.weapons", words("lethal dose", "fatal dose") + gap(30) + _PERSON),
    rule("harm.weapons", words("buy", "get", "obtain", "acquire", "make") + gap(15)
         + words(r"guns?", "firearms?", r"weapons?", "rifles?", "pistols?", "ammo", "ammunition")
         + gap(20) + words("without (?:a )?(?:background check|license|licence|id|paperwork|serial)",
                            "illegally", "untraceable", "on the dark ?web", "no questions asked")),
    rule("harm.weapons", words("mass shooting", "school shooting", "terrorist attack", "shoot up")
         + gap(30) + words("plan", "planning", "carry out", "how to", "best way", "maximi[sz]e"), 1.0),
    rule("harm.weapons", alt("爆弾", "爆発物", "銃", "拳銃", "毒ガス", "サリン", "火炎瓶", "覚醒剤", "毒物")
         + "の?" + gap(6) + alt("作り方", "作る方法", "作成方法", "製造", "組み立て", "作りたい", "作って", "入手方法")),
    rule("harm.weapons", alt("人", "あいつ", "彼", "彼女", "上司", "妻", "夫") + "を" + gap(4)
         + alt("殺す方法", "殺したい", "殺して", "毒殺")),
    # --- malware ----------------------------------------------------------------------------
    rule("harm.malware", words("write", "writing", "create", "creating", "code", "coding", "build",
                               "develop", "make", "generate", "program", "give me", "design", "craft",
                               "deploy", "spread", "distribute")
         + gap(30) + words("ransomware", "keyloggers?", "key loggers?", r"(?:computer )?virus(?:es)?",
                           r"worms?", r"trojans?", "botnets?", "rootkits?", "malware", "maleware",
                           "spyware", "stalkerware", "remote access trojans?", "credential stealers?",
                           "info ?stealers?", "password stealers?", "cryptominers?", "cryptojackers?",
                           "backdoors?", "zero[- ]days?", "reverse shells?", "logic bombs?",
                           "exploits? (?:for|against|targeting)", "ddos (?:tools?|scripts?|bots?)",
                           "fork bombs?", "wipers?", "droppers?", "polymorphic code")
         + r"(?!\s*(?:scan|scanner|check|protection|definitions?|removal|alert))"),
    rule("harm.malware", words("bypass", "evade", "disable", "avoid", "get past", "defeat", "kill",
                               "turn off", "sneak past", "undetected by") + gap(20)
         + words("antivirus", "anti-virus", "edr", "windows defender", "av detection",
                 "malware detection", "endpoint protection", "virustotal", "amsi", "crowdstrike")),
    rule("harm.malware", words("ddos", "dos attack", "denial of service") + gap(30)
         + words("someone", "a site", "a website", "a server", "their", "his", "her", "my school",
                 "my ex", "a competitor", "the game server", "a game server", "how to", "script")),
    rule("harm.malware", words("infect", "infecting") + gap(20) + words("computers?", "machines?", "pcs?",
                                                                        "phones?", "devices?", "networks?",
                                                                        "users", "victims?")),
    rule("harm.malware", words("encrypt") + gap(30) + words("files") + gap(40) + words("ransom", "pay",
                                                                                       "bitcoin", "demand")),
    rule("harm.malware", alt("マルウェア", "ランサムウェア", "ウイルス", "ウィルス", "キーロガー", "バックドア",
                             "トロイの木馬", "ボットネット", "スパイウェア")
         + "を?" + gap(6) + alt("作", "書", "開発", "生成", "ばらま", "仕込", "感染させ")),
    # --- intrusion into other people's accounts ---------------------------------------------
    rule("harm.account_intrusion", words("log in as", "login as", "log into", "sign in as", "sign into",
                                         "access", "accessing", "read", "see", "view", "monitor", "get into")
         + gap(15) + _OTHER + "(?:'s|s')?" + gap(15) + _ACCOUNT
         + gap(30) + words("without", "secretly", "behind (?:their|his|her) back", "unnoticed",
                           "undetected", "so (?:they|he|she) (?:doesn't|don't|won't)"), 0.5),
    rule("harm.account_intrusion", words("hack", "hacking", "break into", "breaking into", "get into",
                                         "take over", "taking over", "hijack", "hijacking", "crack",
                                         "cracking", "compromise", "spy on", "snoop on", "snoop through")
         + gap(15) + _OTHER + "(?:'s|s')?" + gap(15) + _ACCOUNT),
    rule("harm.account_intrusion", words("hack", "hacking", "hijack", "take over", "break into", "crack")
         + gap(8) + words("an? (?:instagram|facebook|gmail|email|slack|discord|snapchat|whatsapp|icloud|"
                          "bank|tiktok|twitter|x|steam)?\\s?accounts?", "accounts", "any account",
                          "a wifi", "wifi passwords?", "the admin account")),
    rule("harm.account_intrusion", words("steal", "stealing", "phish", "phishing for", "harvest",
                                         "harvesting", "grab", "sniff", "intercept", "capture", "dump",
                                         "crack", "brute[- ]?force", "guess", "exfiltrate", "scrape")
         + gap(25) + _OTHER + "(?:'s|s')?" + gap(20) + _CREDS),
    rule("harm.account_intrusion", words("steal", "stealing", "harvest", "harvesting", "sniff", "exfiltrate",
                                         "brute[- ]?force", "brute[- ]?forcing", "crack", "cracking", "dump")
         + gap(15) + words("passwords", "credentials", "logins", "session cookies", "session tokens",
                           "cookies", "password hashes", "a password", "the password", "login",
                           "accounts", "2fa", "otp codes", "api tokens", "api keys", "access tokens", "tokens")),
    rule("harm.account_intrusion", words("bypass", "get around", "get past", "get through", "defeat", "skip",
                                         "circumvent", "intercept", "beat")
         + gap(20) + words("2fa", "two[- ]factor", "mfa", "multi[- ]factor", "otp", "authenticator")
         + gap(30) + _OTHER),
    rule("harm.account_intrusion", words("bypass", "get around", "defeat", "circumvent")
         + gap(20) + words("2fa", "two[- ]factor", "mfa", "multi[- ]factor", "otp"), 0.5),
    rule("harm.account_intrusion", words("sim swap", "sim swapping", "sim-swap", "account takeover attack",
                                         "credential stuffing", "session hijacking", "cookie stealer",
                                         "password spraying")),
    rule("harm.account_intrusion", words(r"accounts?", "email", "password", "inbox")
         + gap(10) + words("(?:that|which) (?:is|isn't|is not|are not|aren't) (?:not )?mine",
                           "not (?:my own|mine)", "that doesn't belong to me", "that does not belong to me",
                           "that belongs to someone else")),
    rule("harm.account_intrusion", alt("他人", "人", "元カノ", "元カレ", "彼女", "彼氏", "妻", "夫", "上司", "同僚", "友達")
         + "の" + alt("アカウント", "パスワード", "メール", "LINE", "スマホ", "DM")
         + gap(10) + alt("乗っ取", "ハック", "盗", "見る方法", "覗", "侵入", "ログインする方法", "解析", "入る方法")),
    rule("harm.account_intrusion", alt("不正アクセス", "不正ログイン", "アカウントを乗っ取", "アカウント乗っ取",
                                       "パスワードを盗", "パスワードを解析", "パスワードをクラック")
         + gap(12) + alt("方法", "やり方", "したい", "する", "手順", "教えて", "ツール")),
    rule("harm.account_intrusion", words("log in as", "login as", "log into", "sign in as", "sign into",
                                         "access", "accessing", "open", "read", "see", "view", "monitor",
                                         "get into", "getting into", "use", "get past", "unlock")
         + gap(15) + _ANOTHER + "(?:'s|s')?" + gap(20) + _ACCOUNT
         + gap(30) + words("without (?:their|his|her|them|the owner'?s?|him|asking|permission|consent|knowing|"
                           "telling|the password|a password|(?:their|his|her) (?:password|permission|consent|"
                           "knowledge|knowing))", "secretly", "behind (?:their|his|her) back", "unnoticed",
                           "undetected", "so (?:they|he|she) (?:doesn't|don't|won't|never)")),
    rule("harm.account_intrusion", words("bypass", "bypassing", "get around", "circumvent", "crack", "cracking",
                                         "defeat", "break")
         + gap(20) + words("(?:the |a |their |his |her |someone'?s )?(?:password|passcode|login|2fa|two[- ]factor|"
                           "mfa|multi[- ]factor|otp|authentication|sso)(?: check| screen| prompt| protection)?")
         + r"(?!\s*(?:policy|settings?|requirements?|rules?|reset))"),
    # --- theft of payment data -----------------------------------------------------------------
    rule("harm.fraud", words("steal", "stealing", "skim", "skimming", "harvest", "harvesting", "grab", "grabbing",
                             "scrape", "scraping", "exfiltrate", "siphon", "collect", "collecting", "capture",
                             "get", "obtain", "copy", "dump", "sell", "buy")
         + gap(25) + _PAYMENT + gap(40) + words("from (?:customers|users|people|victims|shoppers|others|the site)",
                                                 "without (?:their|them|anyone)", "secretly", "of (?:customers|"
                                                 "users|other people|others|strangers)", "stolen",
                                                 "(?:other|another) (?:people|person)'?s?")),
    rule("harm.fraud", words("steal", "stealing", "skim", "skimming", "harvest", "harvesting", "exfiltrate")
         + gap(25) + _PAYMENT),
    rule("harm.fraud", words("use", "using", "pay with", "charge") + gap(10) + _ANOTHER + "(?:'s|s')?" + gap(10)
         + words("credit cards?", "cards?", "payment methods?", "bank accounts?", "paypal")
         + gap(30) + words("without", "secretly", "behind (?:their|his|her) back", "so (?:they|he|she) (?:don'?t|doesn'?t)")),
    # --- harassment ------------------------------------------------------------------------------
    rule("harm.harassment", words("harass", "harassing", "bully", "bullying", "stalk", "stalking", "dox", "doxx",
                                  "doxxing", "doxing", "threaten", "threatening", "intimidate", "intimidating",
                                  "humiliate", "humiliating", "torment", "terrorize", "blackmail", "sabotage",
                                  "spam", "spamming", "cyberbully")
         + gap(20) + _PEOPLE),
    rule("harm.harassment", words("make") + gap(6) + _PEOPLE + "(?:'s|s')?" + gap(6)
         + words("life (?:miserable|hell|a living hell)", "quit", "cry", "feel worthless", "feel unsafe")),
    rule("harm.harassment", words("anonymous", "anonymously", "fake account to", "burner account to")
         + gap(20) + words("threats?", "threatening", "insults?", "insulting", "abusive", "harass", "harassing",
                           "hate mail", "nasty")),
    rule("harm.harassment", words("get", "have") + gap(4) + _PEOPLE + gap(6) + words("fired")
         + gap(25) + words("lying", "lies", "false", "fake", "rumou?rs?", "framing", "frame", "without a reason")),
    rule("harm.harassment", words("spread", "post", "share", "leak") + gap(20)
         + words("rumou?rs?", "lies", "private photos", "nudes", "intimate photos", "home address", "address",
                 "phone number", "medical records?") + gap(20) + words("about", "of") + gap(4)
         + _PEOPLE),
    rule("harm.harassment", words("track", "monitor", "follow", "spy on", "read") + gap(10) + _PEOPLE
         + "(?:'s|s')?" + gap(10) + words("location", "messages", "dms", "whereabouts", "phone", "private messages")
         + gap(30) + words("without", "secretly", "so (?:they|he|she) (?:don'?t|doesn'?t|won'?t)",
                           "behind (?:their|his|her) back")),
    # --- fraud / phishing -------------------------------------------------------------------
    rule("harm.fraud", words("write", "create", "make", "design", "build", "craft", "send", "generate",
                             "set up", "host", "launch", "run", "draft", "code") + gap(25)
         + words("phishing", "phish", "smishing", "vishing", "scam email", "scam emails", "scam text",
                 "scam message", "spoofed email", "spoof email")),
    rule("harm.fraud", words("learn", "start", "teach me", "how to", "how do i", "get into") + gap(10)
         + words("carding") + r"|\bcarding\s+" + words("methods?", "tutorials?", "guides?", "bins?", "shops?",
                                                        "sites?", "forums?", "cashout", "drops?")),
    rule("harm.fraud", words("phishing kit", "phishing kits", "phishing page", "phishing site",
                             "phishing template", "fullz", "cvv shop", "bank drops?",
                             "money mule", "money mules", "pig butchering", "cash out stolen")),
    rule("harm.fraud", words("make", "create", "build", "generate", "design", "write", "print", "forge",
                             "produce", "clone", "copy", "fake") + gap(20)
         + words("fake", "spoofed", "cloned", "counterfeit", "forged", "lookalike", "look-alike", "replica",
                 "copy of (?:a|the)") + gap(15)
         + words("login", "sign-in", "bank", "banking", "paypal", "website", "page", "invoices?",
                 "receipts?", "ids?", "passports?", "driver'?s licen[cs]es?", "documents?", "checks?",
                 "cheques?", "bills?", "money", "currency", "bank statements?", "pay ?stubs?",
                 "credit cards?", "checkout")),
    rule("harm.fraud", words("forge", "forging", "counterfeit", "counterfeiting") + gap(15)
         + words("signatures?", "documents?", "checks?", "cheques?", "ids?", "passports?", "money",
                 "bills", "currency", "notes", "prescriptions?", "certificates?")),
    rule("harm.fraud", words("use", "buy", "sell", "cash out", "monetize", "launder", "card", "where to get")
         + gap(15) + words("stolen", "cloned", "skimmed", "hacked") + gap(10)
         + words("credit cards", "cards", "card numbers", "cvvs?", "identities", "identity", "accounts",
                 "card details", "bank accounts", "paypal accounts")),
    rule("harm.fraud", words("launder", "laundering", "wash") + gap(10)
         + words("money", "cash", "funds", "proceeds", "crypto", "bitcoin", "dirty money")
         + r"(?!\s+(?:policy|policies|rules|regulations|compliance|checks?|controls?))"),
    rule("harm.fraud", r"\bhow\s+(?:to|do i|can i|would i|could i)\b" + gap(20)
         + words("launder", "money laundering", "commit fraud", "commit insurance fraud",
                 "evade taxes", "skim cards", "skim credit cards", "embezzle")),
    rule("harm.fraud", words("scam", "scamming", "defraud", "defrauding", "swindle", "swindling", "con",
                             "rip off", "fleece", "extort", "blackmail", "sextort")
         + r"\s+" + gap(10) + words("people", "someone", "somebody", "elderly", "old people", "seniors",
                                    "customers", "victims", "users", "grandma", "grandpa", "them", "him",
                                    "her", "the bank", "my bank", "insurance", "the insurance",
                                    "investors", "my employer", "the government", "money")),
    rule("harm.fraud", words("impersonate", "impersonating", "pretend to be", "pretending to be", "pose as",
                             "posing as", "spoof", "spoofing", "masquerade as") + gap(10)
         + words("a bank", "the bank", "my bank", "their bank", "bank staff", "the ceo", "a ceo",
                 "the irs", "the police", "the tax office", "customer service", "customer support",
                 "tech support", "microsoft", "apple", "paypal", "amazon", "a government", "the government",
                 "a delivery company", "fedex", "ups", "dhl")
         + gap(60) + words("get", "obtain", "steal", "collect", "trick", "ask for", "so (?:they|that)",
                           "convince", "make them", "to send", "to pay", "their")),
    rule("harm.fraud", words("file", "submit", "make", "do", "get away with") + gap(10)
         + words("false", "fake", "fraudulent", "bogus") + gap(10)
         + words("chargebacks?", "claims?", "disputes?", "refunds?", "insurance claims?", "returns?")),
    rule("harm.fraud", words("chargeback fraud", "refund fraud", "refund scam", "return fraud",
                             "insurance fraud", "wire fraud", "identity theft", "check kiting",
                             "steal (?:someone'?s|an?) identity", "steal identities") + gap(40)
         + words("how", "commit", "do", "pull off", "get away", "step", "guide", "tips", "best way"), 1.0),
    rule("harm.fraud", alt("フィッシング", "詐欺") + alt("サイト", "メール", "ページ", "SMS", "の文面", "の文章")
         + "?を?" + gap(6) + alt("作", "書", "送", "用意", "教えて")),
    rule("harm.fraud", alt("詐欺", "なりすまし", "マネーロンダリング", "資金洗浄", "偽造") + gap(6)
         + alt("の方法", "する方法", "のやり方", "したい", "の手口を教えて", "の手順")),
    rule("harm.fraud", alt("偽", "ニセ", "にせ") + "の?" + alt("請求書", "ログイン", "サイト", "身分証", "領収書",
                                                             "銀行", "ページ", "クレジットカード")
         + gap(6) + alt("作", "書", "用意", "作成")),
    rule("harm.fraud", alt("盗んだ", "盗まれた他人の", "不正に入手した") + alt("カード", "クレジットカード", "口座", "アカウント")),
    # --- self-harm --------------------------------------------------------------------------
    rule("harm.self_harm", words("kill", "killing", "hurt", "hurting", "harm", "harming", "cut", "cutting",
                                 "injure", "poison", "hang", "drown", "starve", "shoot", "burn", "end")
         + r"\s+(?:my\s?self|myself)\b"),
    rule("harm.self_harm", words("suicide", "suicidal", "self[- ]harm", "self[- ]injury", "take my own life",
                                 "end my (?:own )?life", "end it all", "want to die", "wanna die",
                                 "wish i was dead", "wish i were dead", "better off dead", "no reason to live",
                                 "don'?t want to (?:live|be alive|exist)", "kms", "unalive myself")),
    rule("harm.self_harm", words("how many", "how much", "what amount of", "which") + gap(30)
         + words("pills", "tablets", "sleeping pills", "painkillers", "paracetamol", "tylenol", "insulin")
         + gap(30) + words("die", "kill", "overdose", "be fatal", "lethal", "to end")),
    rule("harm.self_harm", words("lethal dose", "fatal dose", "painless way to die", "overdose on",
                                 "least painful way", "quickest way to die", "painless death")),
    rule("harm.self_harm", alt("死にたい", "自殺", "消えたい", "自分を傷つけ", "リストカット", "リスカ", "首を吊",
                               "生きていたくない", "楽に死ね", "致死量", "死ぬ方法", "自傷")),
    # --- hate ---------------------------------------------------------------------------------
    rule("harm.hate", words("write", "make", "tell", "generate", "create", "compose", "give me", "draft")
         + gap(20) + words("racist", "antisemitic", "anti-semitic", "homophobic", "transphobic", "sexist",
                           "misogynistic", "islamophobic", "xenophobic", "bigoted", "hateful",
                           "white supremacist", "nazi", "neo-nazi", "hate")
         + gap(20) + words("jokes?", "rant", "manifesto", "slogans?", "speech", "poem", "essay",
                           "propaganda", "content", "posts?", "tweets?", "songs?", "messages?",
                           "insults?", "memes?", "speeches", "flyers?")),
    rule("harm.hate", words("all", "every", "those", "the", "because", "why") + gap(6) + _GROUP + gap(20)
         + words("are", "should", "must", "deserve to", "need to") + gap(15)
         + words("inferior", "subhuman", "animals", "vermin", "parasites", "scum", "evil", "die",
                 "be killed", "be exterminated", "be deported", "be gassed", "be shot", "not exist",
                 "rats", "cockroaches", "a disease", "a plague", "burn", "be eliminated",
                 "unelectable", "stupid", "genetically inferior")),
    rule("harm.hate", words("exterminate", "eradicate", "gas", "wipe out", "ethnically cleanse",
                            "genocide", "get rid of", "kill all", "deport all", "purge") + gap(15) + _GROUP),
    rule("harm.hate", words("i hate", "we hate", "i despise", "death to") + gap(6) + _GROUP),
    rule("harm.hate", words("heil hitler", "sieg heil", "gas the", "white power", "1488", "14 88",
                            "great replacement", "race war", "racial holy war")),
    rule("harm.hate", words("praise", "glorify", "glorifying", "love poem", "love letter", "ode", "tribute",
                            "poem", "song") + gap(20) + words("hitler", "the nazis", "nazism", "the holocaust",
                                                              "isis", "al-qaeda", "kkk", "the ku klux klan")),
    rule("harm.hate", alt("在日", "朝鮮人", "韓国人", "中国人", "外国人", "黒人", "ユダヤ人", "障害者",
                          "同性愛者", "移民", "女ども") + "は?" + gap(8)
         + alt("死ね", "出て行け", "殺せ", "劣って", "ゴキブリ", "害虫", "駆除", "消えろ", "人間じゃない")),
    rule("harm.hate", alt("ヘイトスピーチ", "差別的な", "人種差別的な") + gap(8) + alt("書", "作", "考え")),
    # --- sexual content involving minors ------------------------------------------------------
    rule("harm.csam", _SEXUAL + r"[^\n]{0,50}" + _MINOR),
    rule("harm.csam", _MINOR + r"[^\n]{0,50}" + _SEXUAL),
    rule("harm.csam", alt("児童ポルノ", "ロリ画像", "児童の裸", "子供の裸", "未成年の裸", "未成年とのエロ",
                          "小学生のエロ", "中学生のエロ")),
]
