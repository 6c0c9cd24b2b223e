# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Reading a customer's reply to a payment reminder, free of the ORM.

Vocabulary
----------
*reply*
    the text a customer sent back (an e-mail body, a WhatsApp message), in
    English, Hindi (Devanagari) or romanised Hindi / Hinglish. Quoted text
    (lines starting with ``>``, everything after "On … wrote:" or "-----Original
    Message-----") is not the customer's and is not read.
*suggestion*
    what a person could do about the reply (:class:`Suggestion`), of one *kind*:

    ``promise``  the customer will pay, with the date and amount when stated;
    ``dispute``  the customer contests an invoice (wrong rate, goods not
                 received or returned...), with the invoice numbers named;
    ``paid``     the customer says it has paid, with the UTR / cheque / reference
                 number, the amount and the date when stated;
    ``copy``     the customer asks for a copy of an invoice or the statement;
    ``stop``     the customer asks not to be contacted on this channel.

    Every suggestion carries the ``words`` it was read from, so a person sees
    why it was made: rules, not a black box.
*auto-reply*
    an out-of-office or delivery-status message (:func:`auto_reply_reason`):
    RFC 3834 ``Auto-Submitted``, ``X-Autoreply``, ``X-Autorespond``,
    ``Precedence: auto_reply / bulk / junk``, a delivery report, or a typical
    subject. It is no answer and suggests nothing.

Dates are read relative to ``today``, the company's day (:func:`local_today`):
"15th" is the next 15th (this month or the next one), "month end" the last day
of the month, "next Friday" the coming Friday, "kal" tomorrow in a promise but
yesterday in a paid claim.

A worked example, on Monday 29 June 2026:

>>> from datetime import date
>>> today = date(2026, 6, 29)
>>> [s] = read_reply("We will clear INV/2026/00042 on 15th, amount Rs. 50,000/-", today)
>>> s.kind, s.date, s.amount, s.invoices
('promise', datetime.date(2026, 7, 15), 50000.0, ('INV/2026/00042',))
>>> s.words
('will clear', 'on 15th', 'Rs. 50,000')
>>> [s] = read_reply("अगले सोमवार तक भुगतान कर देंगे", today)
>>> s.kind, s.date
('promise', datetime.date(2026, 7, 6))
>>> [s] = read_reply("Payment already done yesterday, UTR SBIN0012345678", today)
>>> s.kind, s.date, s.reference
('paid', datetime.date(2026, 6, 28), 'SBIN0012345678')
>>> [(s.kind, s.invoices) for s in read_reply("Wrong rate charged in INV/2026/00017", today)]
[('dispute', ('INV/2026/00017',))]
>>> [s.kind for s in read_reply("Thanks, noted.", today)]
[]
>>> primary_kind(read_reply("payment parso kar denge", today))
'promise'
>>> auto_reply_reason({"Auto-Submitted": "auto-replied"}, "Re: Payment reminder")
'Auto-Submitted: auto-replied'
>>> auto_reply_reason({}, "Automatic reply: Payment reminder")
'subject: automatic reply'
"""

import calendar
import re
from collections import namedtuple
from datetime import date, timedelta

import pytz

#: what a reply suggests; ``date``, ``amount``, ``reference``, ``document`` are None
#: when not stated, ``invoices`` the invoice numbers named
Suggestion = namedtuple(
    "Suggestion", "kind words date amount invoices reference document", defaults=(None,) * 5
)

#: the kinds of suggestion, in the order a person should look at them: a stop or a
#: dispute changes what may be sent at all, a paid claim what is owed
KINDS = ("stop", "dispute", "paid", "promise", "copy")


def _any(*patterns):
    return re.compile("|".join("(?:%s)" % p for p in patterns), re.IGNORECASE)


# Romanised Hindi spells the same word several ways (denge / dainge, kar / kr);
# the patterns accept the usual spellings.
_KAR = r"(?:kar|kr)"
_DENGE = r"(?:de|d)(?:e|a)?(?:i)?n?ge|dunga|dungi|doonga|dege"

#: words that make a promise to pay
PROMISE = _any(
    r"\b(?:will|shall|would|'ll|going to|gonna)\s+(?:try\s+to\s+|surely\s+|definitely\s+|be\s+able\s+to\s+)?"
    r"(?:pay|clear|release|settle|transfer|remit|process|arrange|make|send|do|initiate|credit)\b",
    r"\bpayment\s+(?:will|shall|would|should)\s+(?:be\s+|get\s+)?"
    r"(?:made|done|released|cleared|processed|transferred|credited|sent|paid|reach)",
    r"\b(?:will|shall)\s+be\s+(?:paid|cleared|released|processed|settled|transferred)",
    r"\bpayment\s+(?:is\s+)?(?:planned|scheduled|expected)",
    r"\bpayment\s+(?:run|list|cycle|batch|schedule|plan)\b",
    r"\b(?:will|shall|'ll)\s+(?:go\s+out|get\s+(?:it\s+|this\s+|the\s+\w+\s+)?(?:paid|cleared|released|done|processed))",
    r"\baa\s*(?:jayega|jaega|jaayega|jayegi|jaegi)\b",
    r"\b(?:will|shall|should)\s+(?:be\s+)?(?:ready|made|done|released|credited|sent|reach(?:ing)?)\b",
    r"\b(?:can|could)\s+(?:pay|clear|release)\b",
    r"\bexpect\s+(?:the\s+)?payment\b",
    r"\bpromise\s+to\s+pay\b",
    r"\b(?:will|shall)\s+be\s+(?:dispatched|couriered|handed\s+over|deposited|issued|signed)\b",
    # the present continuous is a promise in Hindi ("aaj bhej raha hu": sending today)
    r"\b(?:bhej|kar|de|transfer|jama)\s+(?:raha|rahe|rahi)\s+(?:hu|hoon|hun|hain|hai|he)\b",
    # an amount followed by when it comes: "1 lakh kal", "50k next week"
    r"\b\d+(?:\.\d+)?\s*(?:k|lakhs?|lacs?|thousand|crores?)\s+(?:kal|parso|aaj|tomorrow|today|next|agle|on|by)\b",
    r"\b(?:pay|clear|release|settle)\w*\s+(?:it\s+|the\s+\w+\s+|this\s+|all\s+)?(?:by|before|on|next|within)\b",
    r"\bin\s+(?:the\s+)?(?:next|coming)\s+(?:payment\s+)?(?:run|cycle|batch)\b",
    r"\b" + _KAR + r"\s+(?:" + _DENGE + r")\b",
    r"\b(?:de|bhej|clear|release|transfer|jama|daal|dal|dal\s+de)\s+(?:" + _DENGE + r")\b",
    r"\b(?:ho|hojaye|hoga)\s*(?:jayega|jaega|jaayega|jaegi|jayegi)\b",
    r"\bpayment\s+(?:ho\s+)?jayega\b",
    r"\b(?:karenge|karega|karungi|karunga|denge)\b",
    r"कर\s*(?:देंगे|दूंगा|दूँगा|दूंगी|देगें|देगे)",
    r"(?:दे|भेज|जमा)\s*(?:देंगे|दूंगा|दूँगा|देगें|देगे)",
    r"हो\s*जा(?:एगा|येगा|एगी|येगी)",
    r"करेंगे|करेगें|करूंगा|करूँगा",
)

#: words that contest an invoice
DISPUTE = _any(
    r"\bwrong(?:ly)?\s+(?:rate|price|amount|quantity|qty|invoice|bill|gst|tax|billing|charged|hsn|item|party)",
    r"\b(?:rate|price|amount|quantity|qty|gst|tax|invoice|bill)\s+(?:is\s+|are\s+|was\s+)?(?:wrong|incorrect|not\s+correct|mismatch)",
    r"\bincorrect\s+(?:rate|price|amount|quantity|qty|invoice|bill|gst|tax|billing)",
    r"\b(?:is|are|was|were|seems|looks)\s+(?:wrong|incorrect|not\s+correct)\b",
    r"\b(?:do\s+not|does\s+not|doesn't|don't|not)\s+match\w*|\bmismatch\w*",
    r"\b(?:please|kindly)\s+(?:correct|revise|rectify|recheck)\b",
    r"\b(?:defective|damaged|poor\s+quality|sub-?standard|rejected)\b",
    r"\bfailed\s+(?:our\s+|the\s+)?(?:qc|quality|tests?|inspection)",
    r"\brejec(?:t|ted|tion)\b|\breject\s+kar",
    r"\bnot\s+(?:accept(?:ing|ed)?|acceptable)\b|\b(?:do|does|did)\s+not\s+meet\b",
    r"\b(?:work|service|job|installation|supply)\s+(?:was\s+|is\s+|has\s+)?not\s+(?:yet\s+)?(?:completed|done|finished)",
    r"\bwhy\s+(?:is|are|was|were|has|have)\b.{0,40}\bcharg\w*",
    r"\b(?:invoice|bill)\s+(?:says|shows|mentions)\b",
    r"\b(?:adjusted|set\s+off)\s+against\b",
    r"\bagreed\s+(?:rate|price|to\s+be|terms)\b",
    r"\b(?:never|not|didn't|did\s+not)\s+(?:place\w*\s+)?order(?:ed)?\b",
    r"\b(?:invoice|bill)\b.{0,40}\b(?:already\s+)?cancel+ed\b",
    r"\breturned\s+(?:the\s+)?(?:entire|whole|full|complete)?\s*(?:lot|goods|material|items?|consignment|supply)",
    r"\b(?:rate|price)\s+(?:difference|mismatch|discrepancy)",
    r"\bnot\s+as\s+per\s+(?:the\s+|our\s+)?(?:agreed\s+)?(?:po|purchase\s+order|order|agreement|quotation|contract|rate|terms)",
    r"\b(?:goods|material|materials|items?|consignment|delivery|order|shipment|stock)\s+"
    r"(?:(?:was|were|is|are|has\s+been|have\s+been|got)\s+)?"
    r"(?:not\s+(?:yet\s+)?(?:received|delivered|reached)|never\s+(?:received|delivered|arrived)|"
    r"returned|rejected|damaged|defective|short)",
    r"\b(?:have\s+not|haven't|did\s+not|didn't|never|not)\s+(?:yet\s+)?(?:received|got)\s+(?:the\s+|any\s+|your\s+)?"
    r"(?:goods|material|materials|items?|consignment|delivery|order|shipment|supply)",
    r"\breturned\s+(?:the\s+)?(?:goods|material|items?|consignment)",
    r"\b(?:damaged|defective|rejected|faulty)\s+(?:goods|material|items?|pieces?|supply)",
    r"\bshort\s+(?:supply|delivery|quantity|qty|shipment|received)",
    r"\bquality\s+(?:issue|problem|complaint)",
    r"\bdisput\w*",
    r"\bdisagree\w*",
    r"\b(?:contract|po|purchase\s+order|quotation|agreement)\s+(?:says|said|mentions|states)\b",
    r"\b(?:is|are)\s+(?:a\s+)?duplicate\b",
    # a payment held for a reason about the supply; held for an audit is not a dispute
    r"\b(?:holding|withh(?:o|e)ld\w*|hold\w*\s+back)\s+(?:the\s+|our\s+|your\s+)?payment\b.{0,20}?"
    r"\b(?:as|because|due\s+to|since|till\s+(?:the\s+)?(?:issue|complaint|problem)|until\s+(?:the\s+)?(?:issue|complaint|problem))\b",
    r"\bcomplaints?\s+(?:is\s+|are\s+)?(?:pending|unresolved|not\s+(?:yet\s+)?(?:resolved|attended))",
    r"\bdespite\s+(?:\w+\s+)?(?:complaints?|reminders?|follow-?ups?)",
    r"\b(?:discount|rebate|scheme|credit\s+note)\b.{0,40}\bnot\s+(?:been\s+)?"
    r"(?:applied|given|passed|adjusted|considered|deducted)",
    r"\b(?:remove|delete|reverse|waive)\s+(?:the\s+)?(?:\w+\s+)?(?:charges?|interest|penalty)",
    r"\bdiscrepanc\w*",
    r"\bover\s*charg\w*|\bexcess\s+(?:amount\s+)?charg\w*|\bcharged\s+(?:extra|twice|double)",
    r"\bduplicate\s+(?:invoice|billing|bill|entry)",
    r"\bdouble\s+(?:billing|billed|invoice)",
    r"\bcredit\s+note\s+(?:is\s+)?(?:pending|not\s+(?:yet\s+)?(?:issued|received|given|adjusted))",
    r"\b(?:do\s+not|don't|does\s+not|doesn't)\s+(?:agree|accept)\b",
    r"\bnot\s+(?:liable|payable|ordered|our\s+(?:order|invoice))",
    r"\bgalat\b|\bgalti\b",
    r"\bmaal\s+(?:abhi\s+tak\s+)?(?:wapas|vapas|kharab|kam|(?:nahi|nahin|nhi)\s+(?:mila|aaya|aya|pahuncha))",
    r"\b(?:invoice|bill)\s+(?:hamara|humara|hamare)\s+(?:nahi|nahin|nhi)\b",
    r"\bcredit\s+note\b.{0,20}\b(?:nahi|nahin|nhi)\s+(?:mila|aaya|diya)",
    r"\bkam\s+(?:aaya|aayi|aaye|aya|ayi|mila|bheja|diya)\b",
    r"\b(?:tay|tai|fix)\s+(?:hua|huwa|kiya)\s+tha\b",
    r"\b(?:material|saman|samaan|goods)\s+(?:nahi|nahin|abhi\s+tak\s+nahi)\s+(?:mila|aaya|pahuncha)",
    r"\b(?:wapas|vapas)\s+(?:kar\s+diya|bhej\s+diya)",
    r"\bkharab\b",
    r"गलत|ग़लत|गलती",
    r"माल\s*(?:वापस|खराब|ख़राब|नहीं\s*मिला|कम)",
    r"(?:सामान|माल)\s*(?:अभी\s*तक\s*)?नहीं\s*(?:मिला|आया|पहुंचा|पहुँचा)",
    r"विवाद|आपत्ति",
    r"डुप्लीकेट|डुप्लिकेट",
    r"(?:ऑर्डर|आर्डर)\s*(?:कभी\s*)?नहीं\s*(?:दिया|किया)",
    r"(?:रकम|राशि|रेट|दाम)\s*(?:ज्यादा|ज़्यादा|अधिक)",
    r"खराब|ख़राब|टूटा",
)

#: words that claim the money was already sent
PAID = _any(
    r"\b(?:already|have|has|had|we've|i've|just)\s+(?:already\s+|been\s+)?"
    r"(?:paid|cleared|transferred|remitted|released|settled|deposited|sent\s+(?:the\s+)?payment|made\s+(?:the\s+)?payment)",
    r"(?<!be )(?<!been )\bpaid\s+(?:yesterday|today|on|last|this|via|through|already|in\s+full"
    r"|by\s+(?:neft|rtgs|imps|cheque|upi)|the\s+(?:full|entire))",
    r"\bpayment\s+(?:has\s+been\s+|have\s+been\s+|was\s+|is\s+|already\s+)+"
    r"(?:made|done|released|cleared|transferred|sent|processed|credited|remitted|paid|initiated)",
    r"\bpayment\s+(?:done|made|sent|released|transferred)\b",
    r"\b(?:was|were|has\s+been|have\s+been)\s+(?:already\s+)?"
    r"(?:released|made|done|paid|transferred|credited|remitted|processed|cleared|sent|deposited)\b",
    r"\bmade\s+(?:the\s+|a\s+|full\s+|our\s+)?payment",
    r"\bprocessed\s+(?:on|yesterday|today|last)\b",
    r"\bdeposited\b",
    r"^\W*(?:already\s+)?(?:paid|remitted|transferred)\b(?!\s+(?:by|on|before)\b)",
    r"\b(?:debited|deducted)\s+from\s+(?:our|my|the)\s+(?:account|a/c|bank)",
    r"\b(?:we|i)\s+(?:have\s+)?(?:already\s+)?(?:transferred|remitted|paid|sent\s+(?:the\s+|a\s+)?(?:cheque|payment|amount|money)|cleared)\b",
    r"\balready\s+(?:been\s+)?(?:credited|processed|done|transferred|released|cleared|settled|remitted)\b",
    r"हो\s*चुका",
    r"\b(?:transferred|remitted|deposited|credited)\s+(?:the\s+|an?\s+)?(?:amount|payment|money|funds|balance|rs|₹|inr)",
    r"\b(?:utr|neft|rtgs|imps)\s*(?:no\.?|number|ref\.?|#|:|-)",
    r"\butr\b",
    r"\b(?:cheque|check|chq|dd)\s*(?:no\.?|number|#|:)",
    r"\b(?:cheque|check|chq)\s+(?:has\s+been\s+|was\s+|is\s+)?(?:sent|dispatched|couriered|handed|deposited|given|issued)",
    r"\btransaction\s+(?:id|ref\w*|no\.?|number)",
    r"\bplease\s+(?:check|verify|reconcile)\s+(?:your|the)\s+(?:account|bank|statement)",
    r"\b(?:payment\s+)?" + _KAR + r"\s+(?:diya|diye|di)\b",
    r"\b(?:bhej|de|transfer|jama|clear|daal|dal|daale)\s+(?:diya|diye|di)\b",
    r"\bho\s+(?:gaya|gya|chuka)\s+(?:payment|paisa|paise)\b",
    r"\bpayment\s+(?:ho\s+)?(?:gaya|gya|chuka|hua)\b",
    r"\bho\s+(?:gaya|gya|chuka)\s+hai\b",
    # "भेज दीजिए" (please send) is a request, not "भेज दी" (sent)
    r"(?:कर|करा)\s*(?:दिया|दिए|दी(?!ज|य))",
    r"(?:भेज|दे|जमा|ट्रांसफर)\s*(?:दिया|दिए|दी(?!ज|य))",
    r"(?:भुगतान|पेमेंट)\s*(?:हो\s*(?:गया|चुका)|किया\s*जा\s*चुका)",
    r"चेक\s*(?:नंबर|नं|सं)",
)

#: words that ask for a document; the group says which
COPY = _any(
    r"\b(?:copy|copies|duplicate|pdf|soft\s*copy)\s+of\s+(?:the\s+|all\s+|your\s+|this\s+)?(?:invoice|bill|statement|ledger)",
    r"\b(?:invoice|bill|statement|ledger|soa)\s+(?:copy|copies|pdf)",
    r"\b(?:send|share|resend|re-send|forward|mail|e-?mail|whatsapp|provide|need|require|want|attach|get)\w*\s+(?:me\s+|us\s+)?"
    r"(?:(?:the|a|an|our|all|your|complete|updated|original|latest|duplicate|soft|pdf)\s+){0,3}"
    r"(?:invoices?|bills?|statement|account\s+statement|ledger|soa|statement\s+of\s+account|reconciliation)",
    r"\bstatement\s+of\s+account",
    r"\bsoa\b",
    r"\b(?:not|haven't|didn't|never)\s+(?:yet\s+)?(?:got|received)\s+(?:the\s+|your\s+|any\s+)?(?:invoice|bill|statement)",
    r"\b(?:bill|invoice|statement|ledger)\s+ki\s+(?:copy|pdf)",
    r"\b(?:invoice|bill|statement|ledger|copy)\s+(?:(?:dobara|dubara|phir\s+se|fir\s+se|again)\s+)?"
    r"(?:bhej|bhejo|bhejiye|bhejein|send\s+kar)",
    r"\b(?:invoice|bill|statement|ledger|soa|copy)\s+(?:mail|e-?mail|whatsapp|send|share)\s+"
    + _KAR
    + r"\b",
    r"(?:बिल|इनवॉइस|इनवॉयस|स्टेटमेंट|लेजर|(?:खाता|खाते)\s*(?:का\s*)?विवरण)\s*(?:की\s*)?(?:कॉपी|प्रति)?\s*(?:भेज|दे\s*दें)",
    r"(?:बिल|इनवॉइस|इनवॉयस)\s*की\s*(?:कॉपी|प्रति)",
)
STATEMENT_WORDS = re.compile(
    r"statement|ledger|\bsoa\b|reconciliation|स्टेटमेंट|लेजर|खाता|खाते|विवरण", re.IGNORECASE
)

#: words that ask not to be contacted
STOP = _any(
    r"\bunsubscribe\b",
    r"^\s*stop\s*\.?\s*$",
    r"\bstop\s+(?:sending|these|this|emailing|mailing|messaging|contacting|all|the)\b",
    r"\b(?:do\s+not|don't|dont|never)\s+(?:send|email|e-mail|mail|message|contact|call|write)\s+(?:me|us|any|these|this)",
    r"\bremove\s+(?:me|us|my|our|this)\b.{0,30}\b(?:list|mailing|emails?|contacts?)",
    r"\bopt\s*(?:-\s*)?out\b",
    r"\bmat\s+(?:bhejo|bhejiye|bhejein|bhejna)\b",
    r"\b(?:band|bandh)\s+(?:karo|kar\s+do|kariye|karein)\b",
    r"मत\s*(?:भेजो|भेजें|भेजिए|भेजना)",
    r"(?:बंद|बन्द)\s*(?:करें|करो|कर\s*दें|कीजिए)",
)

#: a negation just before a promise or paid claim cancels it ("we have not paid")
NEGATION = re.compile(
    r"(?:\bnot\b|n't\b|\bnever\b|\bno\b|\bnahi\b|\bnahin\b|\bnhi\b|नहीं|मत)\W*(?:\w+\W+){0,2}$",
    re.IGNORECASE,
)

# -- values --------------------------------------------------------------------

INVOICE_NUMBER = re.compile(
    r"\b(?:[A-Z]{2,8}[/-])+\d{2,4}(?:[/-]\d{2,4})?[/-]\d{1,7}\b"
    r"|(?<=invoice no\. )\w+|(?<=invoice no )\w+|(?<=invoice number )\w+|(?<=bill no\. )\w+"
    r"|(?<=bill no )\w+|(?<=invoice # )\w+|(?<=invoice #)\w+"
)
REFERENCE = re.compile(
    r"\b(?:utr|neft|rtgs|imps|upi|cheque|check|chq|dd|transaction|txn|ref(?:erence)?)"
    r"(?:\s*(?:no|number|id|ref(?:erence)?)\.?)?\s*(?:is|:|-|#)?\s*([A-Z0-9]*\d[A-Z0-9]{3,})\b"
    r"|चेक\s*(?:नंबर|नं|सं)\.?\s*:?\s*(\d{4,})",
    re.IGNORECASE,
)
_NUMBER = r"(\d{1,3}(?:,\d{2,3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)"
AMOUNT = re.compile(
    r"(?:₹|\brs\.?|\binr|रु\.?|रुपये)\s*" + _NUMBER + r"\s*(lakhs?|lacs?|lac|k|thousand|crore)?(?:/-)?"
    r"|\b"
    + _NUMBER
    + r"\s*(lakhs?|lacs?|lac|k\b|thousand|crore)?\s*(?:/-|rupees|rs\b|inr\b|रुपये|रुपए)"
    r"|\b" + _NUMBER + r"\s*(lakhs?|lacs?|lac|crore)\b",
    re.IGNORECASE,
)
_MULTIPLIER = {"k": 1e3, "thousand": 1e3, "lakh": 1e5, "lac": 1e5, "crore": 1e7}

WEEKDAYS = {
    "monday": 0, "mon": 0, "somvar": 0, "somwar": 0, "सोमवार": 0,
    "tuesday": 1, "tue": 1, "mangalvar": 1, "mangalwar": 1, "मंगलवार": 1,
    "wednesday": 2, "wed": 2, "budhvar": 2, "budhwar": 2, "बुधवार": 2,
    "thursday": 3, "thu": 3, "guruvar": 3, "guruwar": 3, "veervar": 3, "गुरुवार": 3,
    "friday": 4, "fri": 4, "shukravar": 4, "shukrawar": 4, "शुक्रवार": 4,
    "saturday": 5, "sat": 5, "shanivar": 5, "shaniwar": 5, "शनिवार": 5,
    "sunday": 6, "sun": 6, "ravivar": 6, "raviwar": 6, "itwar": 6, "रविवार": 6,
}  # fmt: skip
MONTHS = {
    name: number
    for number in range(1, 13)
    for name in (calendar.month_name[number].lower(), calendar.month_abbr[number].lower())
}
_WEEKDAY = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAY = r"(\d{1,2})\s*(?:st|nd|rd|th)?"

#: (pattern, how to turn a match into a date); tried in order, the first wins
DATE_PATTERNS = [
    ("numeric", re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})\b")),
    ("day_month", re.compile(r"\b" + _DAY + r"\s*(?:of\s+)?(" + _MONTH + r")\b\.?", re.IGNORECASE)),
    ("month_day", re.compile(r"\b(" + _MONTH + r")\.?\s+" + _DAY + r"\b", re.IGNORECASE)),
    ("month_end", re.compile(
        r"\b(?:month[\s-]*end|end\s+of\s+(?:the\s+|this\s+)?month|(?:mahine|mahina)\s+(?:ke\s+)?(?:end|aakhir|akhir|ant))"
        r"|महीने\s*के\s*(?:अंत|आखिर|आख़िर|एंड)|माह\s*के\s*अंत", re.IGNORECASE)),
    ("next_month", re.compile(r"\bnext\s+month\b|\bagle\s+mahine\b|अगले\s*महीने", re.IGNORECASE)),
    ("next_week", re.compile(r"\bnext\s+week\b|\bagle\s+(?:hafte|hafta|week)\b|अगले\s*(?:हफ्ते|सप्ताह)", re.IGNORECASE)),
    ("weekday", re.compile(
        r"(?:\b(next|this|coming|agle|is)\s+|(अगले|इस)\s*)?(?<!\w)(" + _WEEKDAY + r")(?!\w)", re.IGNORECASE)),
    ("day_after", re.compile(r"\bday\s+after\s+tomorrow\b|\bparso\b|\bparson\b|परसों", re.IGNORECASE)),
    ("tomorrow", re.compile(r"\btomorrow\b|\btmrw\b|\bkal\b|कल", re.IGNORECASE)),
    ("yesterday", re.compile(r"\byesterday\b", re.IGNORECASE)),
    ("today", re.compile(r"\btoday\b|\baaj\b|आज|\btoday\s+itself\b|\bby\s+eod\b", re.IGNORECASE)),
    ("within_days", re.compile(
        r"\b(?:within|in|after)\s+(?:the\s+next\s+)?(\d{1,2})\s*(?:working\s+|business\s+)?days?\b"
        r"|\b(\d{1,2})\s*din\s*(?:me|mein|main)\b|(\d{1,2})\s*दिन\s*(?:में|मे)", re.IGNORECASE)),
    ("day_of_month", re.compile(
        r"\b(?:on|by|before|till|until|dated|date)\s+(?:the\s+)?(\d{1,2})\s*(?:st|nd|rd|th)?\b(?!\s*(?:days?|din|%|lakh|k\b))"
        r"|\b(\d{1,2})\s*(?:st|nd|rd|th)\b(?!\s*(?:days?|din))"
        r"|\b(\d{1,2})\s*(?:tarikh|tareekh|tarik)\b|(\d{1,2})\s*तारीख", re.IGNORECASE)),
]  # fmt: skip


def local_today(now, tz_name):
    """The day it is at UTC ``now`` in the time zone ``tz_name`` (the company's).

    >>> from datetime import datetime
    >>> local_today(datetime(2026, 6, 30, 19, 0), "Asia/Kolkata")
    datetime.date(2026, 7, 1)
    """
    return pytz.utc.localize(now).astimezone(pytz.timezone(tz_name or "UTC")).date()


def _month_day(year, month, day):
    """``day`` of the month, the last day when the month is shorter (31 June → 30)."""
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _numeric(match, today, past):
    day, month, year = (int(g) for g in match.groups())
    year += 2000 if year < 100 else 0
    return _month_day(year, month, day) if 1 <= month <= 12 and 1 <= day <= 31 else None


def _named_month(day, name, today, past):
    day, month = int(day), MONTHS[name.lower()]
    if not 1 <= day <= 31:
        return None
    candidate = _month_day(today.year, month, day)
    # a month named without a year is the nearest one in the right direction
    if not past and candidate < today - timedelta(days=60):
        candidate = _month_day(today.year + 1, month, day)
    if past and candidate > today + timedelta(days=60):
        candidate = _month_day(today.year - 1, month, day)
    return candidate


def _weekday(match, today, past):
    target = WEEKDAYS[match.group(3).lower()]
    if past:
        return today - timedelta(days=(today.weekday() - target) % 7 or 7)
    return today + timedelta(days=(target - today.weekday()) % 7 or 7)


def _day_of_month(match, today, past):
    day = int(next(g for g in match.groups() if g))
    if not 1 <= day <= 31:
        return None
    candidate = _month_day(today.year, today.month, day)
    if past and candidate > today:
        candidate = _month_day(today.year, today.month - 1, day)
    if not past and candidate < today:
        candidate = _month_day(today.year, today.month + 1, day)
    return candidate


def _days_ahead(days):
    """A date ``days`` ahead in a promise, as many days back in a paid claim."""
    return lambda match, today, past: today + timedelta(days=-days if past else days)


#: how each kind of ``DATE_PATTERNS`` match becomes a date: (match, today, past) → date
RESOLVERS = {
    "numeric": _numeric,
    "day_month": lambda m, today, past: _named_month(m.group(1), m.group(2), today, past),
    "month_day": lambda m, today, past: _named_month(m.group(2), m.group(1), today, past),
    "month_end": lambda m, today, past: _month_day(today.year, today.month, 31),
    "next_month": lambda m, today, past: _month_day(today.year, today.month + 1, 1),
    "next_week": lambda m, today, past: today + timedelta(days=7 - today.weekday()),
    "weekday": _weekday,
    "day_after": _days_ahead(2),
    "tomorrow": _days_ahead(1),
    "yesterday": lambda m, today, past: today - timedelta(days=1),
    "today": _days_ahead(0),
    "within_days": lambda m, today, past: _days_ahead(int(next(g for g in m.groups() if g)))(
        m, today, past
    ),
    "day_of_month": _day_of_month,
}


def read_date(text, today, past=False):
    """``(date, words)`` of the first date stated in ``text``, or ``(None, None)``.

    Across a month end: "15th" on 29 June is 15 July, "31st" in June is 30 June.

    >>> read_date("will pay by 31st", date(2026, 6, 10))
    (datetime.date(2026, 6, 30), 'by 31st')
    >>> read_date("will pay on 5th", date(2026, 12, 29))
    (datetime.date(2027, 1, 5), 'on 5th')
    >>> read_date("month end tak", date(2026, 2, 3))
    (datetime.date(2026, 2, 28), 'month end')
    >>> read_date("kal bhej diya", date(2026, 7, 1), past=True)
    (datetime.date(2026, 6, 30), 'kal')
    """
    for kind, pattern in DATE_PATTERNS:
        for match in pattern.finditer(text):
            day = RESOLVERS[kind](match, today, past)
            if day:
                return day, match.group(0).strip()
    return None, None


def read_amount(text):
    """``(amount, words)`` of the first amount in rupees stated in ``text``.

    >>> read_amount("₹1,20,000 by Friday")
    (120000.0, '₹1,20,000')
    >>> read_amount("1.5 lakh next week")
    (150000.0, '1.5 lakh')
    """
    match = AMOUNT.search(text)
    if not match:
        return None, None
    groups = [g for g in match.groups()]
    number = next(g for g in groups[0::2] if g)
    unit = next((g for g in groups[1::2] if g), None)
    value = float(number.replace(",", ""))
    if unit:
        unit = unit.lower().rstrip("s")
        value *= _MULTIPLIER.get("lac" if unit.startswith("lac") else unit, 1)
    return value, match.group(0).strip().removesuffix("/-")


def read_invoices(text):
    """The invoice numbers named in ``text``, in order, once each."""
    seen = []
    for match in INVOICE_NUMBER.finditer(text):
        number = match.group(0).strip(".,")
        if number not in seen and re.search(r"\d", number):
            seen.append(number)
    return tuple(seen)


def read_reference(text):
    """``(reference, words)``: a UTR, cheque or transaction number stated in ``text``."""
    match = REFERENCE.search(text)
    if not match:
        return None, None
    return (match.group(1) or match.group(2)).upper(), match.group(0).strip()


# -- the reply -----------------------------------------------------------------

QUOTE_START = re.compile(
    r"^\s*(?:on\s.{0,200}\swrote:|-{2,}\s*original message\s*-{2,}|from:\s.+|sent from my \w+)",
    re.IGNORECASE | re.MULTILINE,
)


def strip_quoted(text):
    """The customer's own words: quoted lines and the quoted reminder are dropped."""
    match = QUOTE_START.search(text)
    if match and match.start() > 0:
        text = text[: match.start()]
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(">"))


def _matches(pattern, text, negatable=False):
    words = []
    for match in pattern.finditer(text):
        if negatable and NEGATION.search(text[max(0, match.start() - 30) : match.start()]):
            continue
        words.append(match.group(0).strip())
    return words


def read_reply(text, today):
    """The suggestions of a reply ``text`` on ``today`` (the company's day), in the
    order of :data:`KINDS`; an empty list when it suggests nothing."""
    text = strip_quoted(text or "")
    flat = re.sub(r"\s+", " ", text).strip()
    invoices = read_invoices(flat)
    suggestions = []
    stop = _matches(STOP, text.strip())
    if stop:
        suggestions.append(Suggestion("stop", tuple(stop)))
    dispute = _matches(DISPUTE, flat)
    if dispute:
        suggestions.append(Suggestion("dispute", tuple(dispute), invoices=invoices))
    paid = _matches(PAID, flat, negatable=True)
    promise = _matches(PROMISE, flat, negatable=True)
    if paid and not (promise and _only_promise_words(paid)):
        day, day_words = read_date(flat, today, past=True)
        amount, amount_words = read_amount(flat)
        reference, reference_words = read_reference(flat)
        words = paid + [w for w in (day_words, amount_words, reference_words) if w]
        suggestions.append(
            Suggestion("paid", tuple(words), day, amount, invoices, reference=reference)
        )
    elif promise:
        day, day_words = read_date(flat, today)
        amount, amount_words = read_amount(flat)
        words = promise + [w for w in (day_words, amount_words) if w]
        suggestions.append(Suggestion("promise", tuple(words), day, amount, invoices))
    copy = _matches(COPY, flat)
    if copy:
        document = "statement" if STATEMENT_WORDS.search(" ".join(copy)) else "invoice"
        suggestions.append(Suggestion("copy", tuple(copy), invoices=invoices, document=document))
    if stop and len(suggestions) > 1 and suggestions[1].kind in ("dispute", "paid"):
        # "already paid, stop sending these" objects to the chase, not to the channel:
        # the dispute or the claim comes first, the opt-out stays a suggestion
        suggestions[0], suggestions[1] = suggestions[1], suggestions[0]
    return suggestions


def _only_promise_words(paid_words):
    """A paid claim read only from a cheque/UTR mention also fits a promise ("will send
    the cheque, number to follow"): then the promise wins."""
    return all(re.match(r"(?i)(?:cheque|check|chq|dd|utr)\b", w) for w in paid_words)


def primary_kind(suggestions):
    """The kind a person looks at first, ``"none"`` without suggestions."""
    return suggestions[0].kind if suggestions else "none"


# -- auto-replies ----------------------------------------------------------------

AUTO_SUBJECT = _any(
    r"\bout\s+of\s+(?:the\s+)?office\b",
    r"\bautomatic\s+reply\b",
    r"\bauto(?:matic)?[\s-]*(?:reply|response|responder|generated)\b",
    r"\bautoreply\b",
    r"\baway\s+from\s+(?:the\s+)?(?:office|my\s+desk)\b",
    r"\bon\s+(?:leave|vacation|holiday)\b",
    r"\bdelivery\s+(?:status\s+)?(?:notification|failure|failed|has\s+failed)\b",
    r"\bundeliver(?:able|ed)\b",
    r"\bmail\s+delivery\s+(?:failed|subsystem|system)\b",
    r"\breturned\s+mail\b",
    r"\bfailure\s+notice\b",
    r"\bnon[\s-]*delivery\b",
    r"कार्यालय\s*से\s*बाहर",
    r"स्वचालित\s*(?:उत्तर|जवाब)",
    r"स्वतः\s*(?:उत्तर|जवाब)",
    r"छुट्टी\s*पर",
    r"अवकाश\s*पर",
)


def auto_reply_reason(headers, subject):
    """Why a message is an automatic reply, ``None`` for a person's reply.

    ``headers``: the message's headers (name → value, any case of name).

    >>> auto_reply_reason({"Precedence": "bulk"}, "Payment")
    'Precedence: bulk'
    >>> auto_reply_reason({"Auto-Submitted": "no"}, "Re: Payment reminder") is None
    True
    >>> auto_reply_reason({}, "स्वचालित उत्तर: भुगतान अनुस्मारक")
    'subject: स्वचालित उत्तर'
    """
    lower = {str(k).lower(): str(v or "").strip() for k, v in (headers or {}).items()}
    submitted = lower.get("auto-submitted", "").lower()
    if submitted and submitted != "no":
        return "Auto-Submitted: %s" % lower["auto-submitted"]
    for name in ("x-autoreply", "x-autorespond", "x-autoresponder"):
        if name in lower and lower[name].lower() not in ("no", "false", "0"):
            return "%s: %s" % (name.title(), lower[name])
    precedence = lower.get("precedence", "").lower()
    if precedence in ("auto_reply", "bulk", "junk", "list"):
        return "Precedence: %s" % precedence
    if "multipart/report" in lower.get("content-type", "").lower():
        return "Content-Type: multipart/report"
    if lower.get("x-failed-recipients"):
        return "X-Failed-Recipients"
    match = AUTO_SUBJECT.search(subject or "")
    if match:
        return "subject: %s" % match.group(0).lower()
    return None
