# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Telling a person's click on a reminder's link from a machine's.

Mail security gateways (Microsoft Safe Links, Proofpoint, Mimecast...) open
every link of an incoming e-mail to check it, and messengers fetch a link to
show its preview: such a request says nothing about the customer. The signal
available is the user agent; a request without one is a person's.
"""

#: words in the user agent of mail security scanners and link previews, which open the
#: links of an e-mail or message before (or instead of) a person
SCANNER_AGENTS = (
    "bingpreview",
    "safelinks",
    "proofpoint",
    "urldefense",
    "mimecast",
    "barracuda",
    "trendmicro",
    "forcepoint",
    "symantec",
    "facebookexternalhit",
    "whatsapp",
    "telegrambot",
    "slackbot",
    "skypeuripreview",
    "linkedinbot",
    "twitterbot",
    "discordbot",
    "googleimageproxy",
    "bot/",
    "crawler",
    "spider",
    "preview",
    "scanner",
)


def is_link_scanner(user_agent):
    """Whether ``user_agent`` is a mail security scanner or a link preview.

    >>> is_link_scanner("Mozilla/5.0 (compatible; BingPreview/1.0b)")
    True
    >>> is_link_scanner("WhatsApp/2.23.20.0 A")
    True
    >>> is_link_scanner("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36")
    False
    >>> is_link_scanner(None)
    False
    """
    agent = (user_agent or "").lower()
    return any(word in agent for word in SCANNER_AGENTS)
