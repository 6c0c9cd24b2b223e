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

    A promise, dispute, paid claim or copy request is read twice: from phrases
    seen in customers' replies, and from parts composed within a sentence (a word about paying with a future or a past
    verb or a date, a figure of the bill or the supply with what is wrong with it, a
    document with a request), so a reply worded in a new way is still read.
*auto-reply*
    an out-of-office or delivery-status message (:func:`auto_reply_reason`):
    RFC 3834 ``Auto-Submitted``, ``X-Autoreply``, ``X-Autorespond``,
    ``Precedence: auto_reply / bulk / junk``, a delivery report, or a typical
    subject. It is no answer and suggests nothing.

Dates are read relative to ``today``, the company's day (:func:`local_today`):
"15th" is the next 15th (this month or the next one), "month end" the last day
of the month, "next Friday" the coming Friday, "kal" tomorrow in a promise but
yesterday in a paid claim; "the fifteenth", "१५ तारीख", "first week of July", "eom"
and "next wk" are read too.

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
import unicodedata
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
    r"\bgalat\b|\bgalti\b(?!\s+se\b)",
    r"\bmaal\s+(?:abhi\s+tak\s+)?(?:wapas|vapas|kharab|kam|(?:nahi|nahin|nhi)\s+(?:mila|aaya|aya|pahuncha))",
    r"\b(?:invoice|bill)\s+(?:hamara|humara|hamare)\s+(?:nahi|nahin|nhi)\b",
    r"\bcredit\s+note\b.{0,20}\b(?:nahi|nahin|nhi)\s+(?:mila|aaya|diya)",
    r"\bkam\s+(?:aaya|aayi|aaye|aya|ayi|mila|bheja|diya)\b",
    r"\b(?:tay|tai|fix)\s+(?:hua|huwa|kiya)\s+tha\b",
    r"\b(?:material|saman|samaan|goods)\s+(?:nahi|nahin|abhi\s+tak\s+nahi)\s+(?:mila|aaya|pahuncha)",
    r"\b(?:wapas|vapas)\s+(?:kar\s+diya|bhej\s+diya)",
    r"\bkharab\b",
    # "galti se" / "गलती से" is "by mistake", not a wrong bill
    r"गलत(?!ी\s*से)|ग़लत",
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
    r"\bpayment\s+" + _KAR + r"\s+(?:diya|diye|di)\b",
    r"\b(?:bhej|de|transfer|jama|clear|daal|dal|daale)\s+(?:diya|diye|di)\b",
    r"\bho\s+(?:gaya|gya|chuka)\s+(?:payment|paisa|paise)\b",
    r"\bpayment\s+(?:ho\s+)?(?:gaya|gya|chuka|hua)\b",
    r"\bho\s+(?:gaya|gya|chuka)\s+hai\b",
    # "भेज दीजिए" (please send) is a request, not "भेज दी" (sent)
    r"(?:कर|करा)\s*(?:दिया|दिए|दी(?!ज|य))(?!\s*जा)",
    r"(?:भेज|दे|जमा|ट्रांसफर)\s*(?:दिया|दिए|दी(?!ज|य))(?!\s*जा)",
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
    r"(?:बिल|इनवॉइस|इनवॉयस|स्टेटमेंट|लेजर|(?:खाता|खाते)\s*(?:का\s*)?विवरण)\s*(?:की\s*)?(?:कॉपी|प्रति)?\s*(?:दोबारा\s*|फिर\s*से\s*)?(?:भेज|दे\s*दें)",
    r"(?:बिल|इनवॉइस|इनवॉयस)\s*की\s*(?:कॉपी|प्रति)",
)
STATEMENT_WORDS = re.compile(
    r"statement|ledger|\bsoa\b|reconciliation|स्टेटमेंट|लेजर|खाता|खाते|विवरण", re.IGNORECASE
)

#: words that ask not to be contacted
STOP = _any(
    r"\bunsubscribe\b",
    # SMS keywords: STOP, STOP ALL, STOPALL
    r"^\s*stop\s*(?:all)?\s*\.?\s*$",
    r"\bstop\s+(?:sending|these|this|emailing|mailing|messag\w*|msgs?|sms|texts?|whatsapp|calling|contacting|all|the)\b",
    r"\b(?:do\s+not|don't|dont|never)\s+(?:send|email|e-mail|mail|message|contact|call|write)\s+(?:me|us|any|these|this)",
    r"\bremove\s+(?:me|us|my|our|this)\b.{0,30}\b(?:list|mailing|emails?|contacts?)",
    r"\bopt\s*(?:-\s*)?out\b",
    r"\bmat\s+(?:bhejo|bhejiye|bhejein|bhejna)\b",
    r"\b(?:message|messages|msg|msgs|sms|call|mail|email|whatsapp)\s+mat\s+(?:karo|karna|kijiye|karein|kro)\b",
    r"\b(?:band|bandh)\s+(?:karo|kar\s*do|kr\s*do|kariye|karein|kijiye|kijie|kar\s+dijiye)\b",
    r"मत\s*(?:भेजो|भेजें|भेजिए|भेजना)",
    r"(?:संदेश|मैसेज|मेल|ईमेल|रिमाइंडर)\s*न\s*भेज",
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
#: days of the month in words: "first" … "thirty-first"
_UNITS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"]
_TEENS = ["tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth"]
_TEENS += ["sixteenth", "seventeenth", "eighteenth", "nineteenth"]
ORDINALS = {word: n for n, word in enumerate(_UNITS + _TEENS, 1)}
ORDINALS.update(twentieth=20, thirtieth=30)
for _tens, _base in (("twenty", 20), ("thirty", 30)):
    for _n, _unit in enumerate(_UNITS[: 31 - _base], 1):
        for _sep in ("-", " ", ""):
            ORDINALS[_tens + _sep + _unit] = _base + _n
_ORDINAL = "|".join(sorted(ORDINALS, key=len, reverse=True))
#: Devanagari digits read as the digits they are ("१५ तारीख" is the 15th)
_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")

#: (pattern, how to turn a match into a date); tried in order, the first wins
DATE_PATTERNS = [
    ("numeric", re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})\b")),
    ("day_month", re.compile(r"\b" + _DAY + r"\s*(?:of\s+)?(" + _MONTH + r")\b\.?", re.IGNORECASE)),
    ("month_day", re.compile(r"\b(" + _MONTH + r")\.?\s+" + _DAY + r"\b", re.IGNORECASE)),
    ("month_end", re.compile(
        r"\b(?:month[\s-]*end|eom|end\s+of\s+(?:the\s+|this\s+)?month|(?:mahine|mahina)\s+(?:ke\s+)?(?:end|aakhir|akhir|ant))"
        r"|महीने\s*के\s*(?:अंत|आखिर|आख़िर|एंड)|माह\s*के\s*अंत", re.IGNORECASE)),
    ("week_of", re.compile(
        r"\b(first|1st|second|2nd|third|3rd|fourth|4th|last)\s+week\s+of\s+(?:the\s+)?"
        r"(?:(next\s+month|agle\s+mahine)|(this\s+month|the\s+month)|(" + _MONTH + r"))\b", re.IGNORECASE)),
    ("next_month", re.compile(r"\bnext\s+month\b|\bagle\s+mahine\b|अगले\s*महीने", re.IGNORECASE)),
    ("next_week", re.compile(
        r"\bnext\s+(?:week|wk)\b|\bagle\s+(?:hafte|hafta|week)\b|अगले\s*(?:हफ्ते|सप्ताह)", re.IGNORECASE)),
    ("weekday", re.compile(
        r"(?:\b(next|this|coming|agle|is)\s+|(अगले|इस)\s*)?(?<!\w)(" + _WEEKDAY + r")(?!\w)", re.IGNORECASE)),
    ("day_after", re.compile(r"\bday\s+after\s+tomorrow\b|\bparso\b|\bparson\b|परसों", re.IGNORECASE)),
    ("tomorrow", re.compile(r"\b(?:tomorrow|tomorow|tommorow|tmrw|tmr|2mrw|2moro)\b|\bkal\b|कल", re.IGNORECASE)),
    ("yesterday", re.compile(r"\byesterday\b", re.IGNORECASE)),
    ("today", re.compile(r"\btoday\b|\baaj\b|आज|\btoday\s+itself\b|\b(?:by\s+)?eod\b", re.IGNORECASE)),
    ("within_days", re.compile(
        r"\b(?:within|in|after)\s+(?:the\s+next\s+)?(\d{1,2})\s*(?:working\s+|business\s+)?days?\b"
        r"|\b(\d{1,2})\s*din\s*(?:me|mein|main)\b|(\d{1,2})\s*दिन\s*(?:में|मे)", re.IGNORECASE)),
    ("day_of_month", re.compile(
        r"\b(?:on|by|before|till|until|dated|date)\s+(?:the\s+)?(\d{1,2})\s*(?:st|nd|rd|th)?\b(?!\s*(?:days?|din|%|lakh|k\b))"
        r"|\b(\d{1,2})\s*(?:st|nd|rd|th)\b(?!\s*(?:days?|din))"
        r"|\b(\d{1,2})\s*(?:tarikh|tareekh|tarik|tareek)\b|(\d{1,2})\s*तारीख"
        r"|\b(\d{1,2})\s+(?:tak|tk|ko)\b|(?<!\d)(\d{1,2})\s*(?:तक|को)", re.IGNORECASE)),
    ("ordinal_day", re.compile(
        r"\b(?:on|by|before|till|until|the)\s+(?:the\s+)?(" + _ORDINAL + r")\b", re.IGNORECASE)),
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


def _week_of(match, today, past):
    """The last day of the n-th week of a month ("first week of July": 7 July)."""
    which, next_month, _this_month, name = match.groups()
    if name:
        month_first = _named_month(1, name, today, past)
    else:
        month_first = _month_day(today.year, today.month + (1 if next_month else 0), 1)
    if which.lower() == "last":
        return _month_day(month_first.year, month_first.month, 31)
    week = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3}.get(which.lower(), 4)
    return _month_day(month_first.year, month_first.month, 7 * week)


class _Groups:
    """A day of the month given as a number, for :func:`_day_of_month`."""

    def __init__(self, day):
        self.day = day

    def groups(self):
        return (str(self.day),)


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
    "week_of": _week_of,
    "weekday": _weekday,
    "day_after": _days_ahead(2),
    "tomorrow": _days_ahead(1),
    "yesterday": lambda m, today, past: today - timedelta(days=1),
    "today": _days_ahead(0),
    "within_days": lambda m, today, past: _days_ahead(int(next(g for g in m.groups() if g)))(
        m, today, past
    ),
    "day_of_month": _day_of_month,
    "ordinal_day": lambda m, today, past: _day_of_month(
        _Groups(ORDINALS[re.sub(r"\s+", " ", m.group(1).lower())]), today, past
    ),
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
    for _kind, words, day, _start in _dates(text, today, past):
        return day, words
    return None, None


def _dates(text, today, past=False):
    """Each date stated in ``text`` as ``(kind, words, date, start)``, in the order of
    :data:`DATE_PATTERNS`; Devanagari digits read as digits."""
    normal = text.translate(_DIGITS)
    for kind, pattern in DATE_PATTERNS:
        for match in pattern.finditer(normal):
            day = RESOLVERS[kind](match, today, past)
            if day:
                yield kind, text[match.start() : match.end()].strip(), day, match.start()


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


# -- composed cues ---------------------------------------------------------------
# The phrases above are wordings already seen; a new reply says the same things in
# other words. So a reply is also read for parts: in a part of a sentence (between
# commas), a word about money moving plus when it moves (later: a promise; done: a
# paid claim); in a sentence, a word about the bill or the supply plus what is wrong
# with it (a dispute), or a document plus a request (a copy). A suggestion read this
# way lists the parts it was read from.
# Devanagari is read without nukta and with chandrabindu as anusvara (:func:`_fold`),
# so "ज़्यादा" and "ज्यादा", "पहुँचा" and "पहुंचा" read alike.

# Hindi words end in matras, which Python's \b does not treat as letters: a
# Devanagari word is bounded by spaces and punctuation instead.
_DEV_END = r"(?![^\s,.।!?;:])"

#: money moving: the verbs and nouns of paying, the bank rails, the cheque
PAY_WORD = _any(
    r"\b(?:pay|pays|paying|paid|payments?|pymts?|pmts?|paymt|pament|paymnt)\b",
    r"\b(?:paisa|paise|paisay|amount|amt|dues|balance|outstanding|bakaya|baki|baaki|funds?|money)\b",
    r"\b(?:cheques?|chqs?|demand\s+drafts?|neft|rtgs|imps|upi|g\s?pay|google\s+pay|phone\s?pe|paytm)\b",
    r"\b(?:transfer\w*|remit\w*|settle[ds]?|settlement|settling|clear(?:ed|ing|s)?|releas\w*|deposit\w*|credited|debited)\b",
    r"\bchuka\s*(?:de|d|k)|\bsquare\w*\s+(?:up|off)\b|\bhisaa?b\b",
    r"भुगतान|पेमेंट|पैस[ेा]|रकम|राशि|बकाया|चेक|ट्रांसफर|जमा|चुका\s*(?:दे|दू|दि)",
)

#: the money moves later: a future verb (English auxiliaries, Hindi future endings)
FUTURE = _any(
    r"\b(?:will|shall|wil|wll|gonna|going\s+to|planned|scheduled|expected)\b",
    r"\b(?:intend\w*|plan(?:ning)?|hop(?:e|ing)|try(?:ing)?|aim(?:ing)?|expect(?:ing)?)\s+to\b|\barrang\w*",
    r"'ll\b|’ll\b|\b(?:would|should|can|could)\s+(?:be\s+)?\w+",
    r"\b[a-z]{2,}(?:enge|ainge|ege|ega|egi|yenge)\b|\b[a-z]*(?:unga|ungi|oonga|oongi)\b|\bhoga\b|\bhogi\b",
    r"(?<!\S)\S*(?:ेंगे|ेंगी|ेगा|ेगी|ेगे|ेगें|ूंगा|ूंगी|एगा|एगी|एंगे|येगा|येगी|येंगे|ोगा|ोगी|ोंगे)" + _DEV_END,
)

#: the money moves later, said without a date: soon, a cycle, an approval awaited
#: ("till" and "tak" need their date: "holding the payment till replacement" is no promise)
LATER = _any(
    r"\b(?:within|asap|soon|shortly|eod|eow|eom|positively|surely|pakka|jaldi|jald)\b",
    r"\b(?:next|coming|agle|agli|agla)\s+\w+",
    r"\b(?:in|under)\s+(?:the\s+)?(?:process\w*|queue)\b|\bbeing\s+(?:processed|released|prepared|arranged)\b",
    r"\b(?:after|once|post)\s+(?:the\s+|our\s+)?(?:approval|audit|sign[\s-]*off|receiv\w*|funds)",
    r"\b(?:give|allow|grant)\s+(?:us\s+|me\s+)?(?:some\s+|more\s+|\w+\s+)?(?:time|days?|weeks?|till|until)\b",
    r"(?<!\S)बाद" + _DEV_END,
)

#: the money has moved: a past participle, a past time, a completed Hindi verb
DONE = _any(
    # "is being processed" is under way, not done
    r"(?<!being\s)\b(?:paid|cleared|transferred|remitted|settled|deposited|credited|debited|sent|released|made|done"
    r"|processed|collected|handed\s+over|dispatched|couriered|initiated|gone|went)\b",
    r"\b(?:already|alrdy|yesterday|ago|earlier|vide|last\s+(?:week|month|night|\w+day))\b",
    r"\b(?:remittance|payment)\s+advice\b|\bproof\b|\bscreenshot\b|\bconfirm\s+(?:the\s+)?receipt\b",
    r"\b(?:gaya|gya|gayi|gai|gaye|chuka|chuki|chuke|diya|diye|dia|kiya|kiye)\b",
    r"\b(?:kar|kr|bhej|de|daal|dal|jama)\s+di\b|\b(?:pichle|pichhle|pichli)\b|\bpehle\s+hi\b",
    r"(?<!\S)(?:दिया|दिए|दिये|दी|गया|गयी|गई|गए|चुका|चुके|चुकी|किया|किए|भेजा|भेजे)" + _DEV_END,
    r"पिछले|पहले\s*ही",
)

#: a negation in the clause: no claim; a promise only with its date ("cannot pay until 20th")
NOT = _any(
    r"\b(?:not|no|never|cannot|unable|nahi|nahin|nhi|mat)\b|n't\b",
    r"(?<!\S)(?:नहीं|नही|मत)" + _DEV_END,
)

#: a question asks, it does not promise or claim
QUESTION = _any(
    r"\?\s*$",
    r"^\W*(?:what|which|who|whom|when|where|why|how|kya|kaun|kab|kitna|kitne|kaise)\b",
    r"^\W*(?:can|could|would|will)\s+(?:you|u)\b",
    r"^\W*(?:क्या|कौन|कब|कितना|कितने|कैसे)" + _DEV_END,
)

#: a date that describes, not schedules: "outstanding as on 30th", "invoice dated 5th"
DATE_NOT_WHEN = re.compile(
    r"\b(?:as\s+(?:on|of|at)|dated|date|dt\.?)(?:\s+\S+)?\s*$", re.IGNORECASE
)

#: what a dispute is about: the bill and its figures
BILLED = _any(
    r"\b(?:rates?|prices?|pricing|amount|amt|quantity|qty|gst|igst|cgst|sgst|tax|taxes|hsn|gstin|freight"
    r"|charges?|charged|discount|invoices?|bills?|billed|challan|balance|ledger|grn|total|value|tds|interest)\b",
    r"(?<!\S)(?:रेट|दाम|दर|कीमत|रकम|राशि|मात्रा|बिल|चालान|इनवॉइस|जीएसटी|टैक्स|भाडा|ब्याज)",
)

#: what is wrong with a bill
WRONG = _any(
    r"\b(?:wrong\w*|incorrect\w*|galat|galt|glt|missing|mismatch\w*|discrepan\w*|difference|higher|excess\w*"
    r"|extra|inflated|overstat\w*|zyada|jyada|jada|double|twice|premature|ignor\w*)\b",
    r"\b(?:do(?:es)?\s*(?:not|n't)|not|never)\s+(?:match\w*|tally|agreed|correct|as\s+per|ours)\b",
    r"\bmore\s+than\s+(?:the\s+|our\s+|what\s+(?:was\s+|we\s+)?)?(?:po|agreed|quoted|ordered|order)",
    r"\b(?:do|teen)\s+baar\b|\b(?:hamara|humara|hamare|hamari)\s+(?:nahi|nahin|nhi)\b",
    r"\binstead\s+of\b|\bki\s+jagah\b|\b(?:hike|increase)\w*\b|\bold\s+rate\b",
    r"\bnot\s+(?:been\s+)?(?:considered|deducted|adjusted|accounted|applied|given|included|passed|informed)\b",
    r"\b(?:object\w*|contest\w*|unjustified|unfair|not\s+(?:payable|liable|justified|acceptable))\b",
    r"की\s*जगह|के\s*बजाय",
    r"गलत(?!ी\s*से)|ज्यादा|अधिक|डबल|दो\s*बार(?!ा)|हिसाब\s*से\s*नहीं|हमारा\s*नहीं|हमारी\s*नहीं",
    r"जोडा|जोडी|जोड\s*(?:दिया|दी|दिए)|पुरान\S*\s*(?:रेट|दर)",
    r"\b(?:purane|purana|purani|old|previous|pichle|pichhle)\s+(?:rate|rates|price|prices)\b",
    # the same charge billed again: "charged again", "phir se laga diya"
    r"\b(?:phir\s+se|fir\s+se|dobara|dubara|again)\s+(?:laga\w*|charg\w*|jod\w*|bill\w*)|\bcharged\s+again\b",
    r"\bdifferent\s+from\b|\bdiffers?\s+from\b",
    r"\bwithout\s+(?:our\s+|any\s+)?(?:approval|consent|po|order|authori[sz]ation)\b",
    r"\b(?:supposed\s+to\s+be|was\s+to\s+be|should\s+(?:have\s+been|be))\s+(?:free|returnable|included|borne|waived)\b",
)

#: a request to change the bill
REVISE = _any(
    r"\b(?:revis\w*|correct(?:ed|ion)?|rectif\w*|amend\w*|cancel\w*|re-?issu\w*|sudhar\w*|(?:theek|thik)\s+kar\w*)\b",
    r"(?:ठीक|सही)\s*कर|सुधार|रद्द",
)

#: a price on the bill
RATE = _any(r"\b(?:rates?|prices?|pricing)\b", r"(?<!\S)(?:रेट|दर|दाम|कीमत)")

#: what a figure of the bill is held against: the agreed rate, the PO, the sample
AGREED = _any(
    r"\b(?:agreed|agreement|contract\w*|quotation|quoted|po|purchase\s+order|order|tay|tai|fix|baat"
    r"|spec\w*|sample|drawing|approved)\b",
    r"तय|पीओ|ऑर्डर|आर्डर|कोटेशन|समझौत\S*|सहमति",
)

#: a figure held against what was agreed: "rate of 62 against the agreed 58"
CONTRAST = _any(
    r"\b(?:not|never|no|nahi|nahin|nhi|against|versus|vs|while|whereas|but|instead|contrary)\b",
    r"(?<!\S)(?:नहीं|जबकि|लेकिन|पर)" + _DEV_END,
)

#: what a dispute is about: the supply
SUPPLIED = _any(
    r"\b(?:goods|material|materials|maal|saman|samaan|items?|pieces?|pcs|cartons?|boxes|box|bags?|bori|rolls?"
    r"|units?|drums?|bottles?|bales?|coils?|sheets?|pipes?|tins?|packets?|bundles?|sizes?|peti|dabb[ae]|katt[ae]"
    r"|delivery|deliveries|shipments?|consignments?|supply|supplies|orders?|stock|work|kaam|services?|installation"
    r"|technician|engineer|weight"
    r"|visits?|amc|maintenance|site|trucks?|lorry|kg|kgs|tons?|tonnes?|mt|litres?|liters?|meters?|mtrs?|nos"
    r"|machine|pump|motor|equipment|device|products?|sample|supplied|quantity|qty)\b",
    r"(?<!\S)(?:माल|सामान|डिलीवरी|सप्लाई|ऑर्डर|आर्डर|काम|मात्रा|पीस|डिब्बे|बोरी|पेटी|कार्टन|ड्रम|किलो|टन|मशीन"
    r"|इंजीनियर|सर्विस|इंस्टॉलेशन)",
)

#: what went wrong with the supply
FAULT = _any(
    r"\b(?:broken|torn|wet|leak\w*|damag\w*|defect\w*|faulty|kharab|tut[aeiy]\w*|toot\w*|rejected|returned"
    r"|returning|wapas|vapas|short|shortage|less|kam|incomplete|pending|missing|partial\w*|alag|phat\w*"
    r"|gila|geela|ghatiya|bekaar|bekar|repair\w*|replace\w*|(?:stopped|not)\s+working)\b",
    r"\byet\s+to\s+(?:be\s+)?(?:receiv|deliver|suppl|complet|arriv|dispatch)\w*|\bonly\s+(?:a\s+)?(?:part|half)\b",
    # a part of the supply: "received only 80", "only 350 kg was delivered", "only 1 truck came"
    r"\b(?:delivered|received|came|supplied|sent|got|arrived)\s+only\b"
    r"|\bonly\s+(?:\d+|one|two|three|four|five)\s+(?:\w+\s+){0,2}(?:was|were|has|have|came|delivered|received|arrived|supplied|aaya|aaye|aayi|mila|mile)\b",
    r"\bdifferent\s+(?:from|than)\b|\b(?:kaam\s+nahi\s+kar|chal\s+nahi)\w*|\bidle\b",
    r"\b(?:expired|expiry|rust\w*|adhura|adhoora|awaited|instead\s+of|jagah|crack\w*)\b",
    # a late supply; "sorry for the delay" is about the payment
    r"\b(?:delivery|supply|dispatch|shipment|consignment|material|goods)\s+(?:was\s+|were\s+|got\s+|is\s+)?delayed\b"
    r"|\bdelay\s+in\s+(?:the\s+)?(?:delivery|supply|dispatch|shipment|installation)\b|\blate\s+delivery\b",
    r"\b(?:pick\s*up|lying\s+(?:at|in)|take\s+(?:it|them)\s+back|le\s+jao|uthwa\w*)\b",
    r"\btod\s+(?:di|diya|diye|dia)\b|\b(?:toda|tode|todi)\b|\bnot\s+(?:yet\s+)?taken\s+delivery\b",
    r"\b(?:mila|mili|aaya|aya|aayi|pahuncha|pahucha|pahunchi|hua|hui)\s+(?:hi\s+)?(?:nahi|nahin|nhi)\b",
    r"\b(?:never|not|didn't|did\s+not)\s+(?:yet\s+)?(?:turn\w*\s+up|visit\w*|came|come|install\w*|commission\w*)",
    r"\bwithout\s+(?:the\s+|any\s+)?(?:test\s+|quality\s+)?(?:certificates?|coa|tc|warranty|documents?|e-?way\s+bill)",
    r"\b(?:qa|qc|quality)\b.{0,30}\b(?:on\s+hold|reject\w*|fail\w*)",
    r"\breturn\s+(?:kar|kr|kiya|kiye|ki)\b",
    r"\b(?:not|never|didn't|did\s+not|haven't|have\s+not|hasn't|has\s+not|wasn't|was\s+not|weren't|were\s+not)"
    r"\s+(?:yet\s+|been\s+|even\s+)?(?:receiv\w*|deliver\w*|arriv\w*|reach\w*|complet\w*|done|finished|dispatched"
    r"|supplied|ordered|got|get)",
    r"\bsen(?:d|t|ding)\s+(?:it\s+|them\s+|(?:the\s+)?\w+\s+)?back\b",
    r"\b(?:nahi|nahin|nhi)\s+(?:mila|mili|mile|aaya|aya|aayi|aaye|hui|hua|pahuncha|pahunchi)\b",
    r"(?<!\S)(?:टूट\S*|खराब|वापस|कम|अधूरा|घटिया|अलग|फट\S*|बेकार)" + _DEV_END,
    r"पूरी\s*नहीं|पूरा\s*नहीं",
    r"नहीं\s*(?:मिला|मिली|मिले|आया|आई|पहुंचा|पहुंची|हुआ|हुई)",
    r"(?:मिला|मिली|मिले|आया|आई|पहुंचा|पहुंची)\s*(?:ही\s*)?नहीं|की\s*जगह|शिकायत",
    r"(?:सिर्फ|केवल)\s*\d+\s*\S*\s*(?:मिले|मिला|मिली|आए|आया|आई|आये)|\bsirf\s+\d+\s+\w*\s*(?:mile|mila|aaye|aaya|aayi)\b",
    r"(?:चालू|शुरू|ठीक)\s*नहीं|काम\s*नहीं\s*कर|(?:सप्लाई|डिलीवरी|माल)\S*\s*(?:\S+\s*){0,2}देरी|नुकसान",
)

#: a dispute said in one word or one document
DISPUTE_WORD = _any(
    r"\bdebit\s+note\b|डेबिट\s*नोट|आपत्ति|विवाद|विरोध",
    r"\b(?:penalty|ld)\b.{0,20}\b(?:kat\w*|deduct\w*)|पेनल्टी\s*(?:\S+\s*){0,2}कट",
    # a figure stated as what it was ("order 500 kg ka tha") beside another one
    r"\b\d[\d,.]*\s*(?:\w+\s+)?ka\s+(?:tha|thi)\b.{0,60}\b\d+|\b\d+.{0,60}\b\d[\d,.]*\s*(?:\w+\s+)?ka\s+(?:tha|thi)\b",
    # a charge added that was not agreed, and asking why it was charged
    r"\b(?:charges?|freight|interest|penalty|fee|gst|tax)\s+(?:\w+\s+)?(?:added|jod\w*|lagaya|laga\s+diya)\b"
    r"|\b(?:added|jod\w*)\s+(?:\w+\s+)?(?:charges?|freight|interest|penalty|fee)\b",
    r"\bwhy\b.{0,40}\b(?:charg\w*|added|levied|billed)\b|\b(?:kyu|kyun|kyon)\b.{0,20}\b(?:lagaya|jod\w*|charge\w*)\b"
    r"|\b(?:lagaya|jod\w*|charge\w*)\b.{0,10}\b(?:kyu|kyun|kyon)\b",
    r"क्यों\s*(?:\S+\s*){0,2}(?:लगाया|लगाई|लगाए|जोडा)|(?:लगाया|लगाई|लगाए|जोडा)\s*(?:\S+\s*){0,2}क्यों",
    r"\bno\s+(?:such\s+)?(?:agreement|understanding)\b|(?:समझौता|सहमति)\s*नहीं",
    # an invoice refused or paid in part for a reason
    r"\b(?:not|never|won't)\s+(?:be\s+)?paying\s+(?:this|the|that|your)\s+(?:invoice|bill)\b",
    r"\bpay\w*\s+(?:at|for|as\s+per)\s+(?:the\s+|our\s+)?(?:po|agreed|good|accepted|correct|actual)\b.{0,20}\bonly\b"
    r"|\bpay\s+only\s+(?:for|the\s+(?:correct|agreed|actual))\b",
    r"\bkaat\s*(?:kar|ke)\b|काट\s*(?:कर|के)",
    r"\b(?:do|does|did)\s*(?:not|n't)\s+owe\b|\bnot\s+(?:due|payable)\s+(?:by|from)\s+us\b",
    r"\b(?:invoice|bill)\b.{0,30}\bis\s+not\s+(?:yet\s+)?(?:due|payable|valid|applicable)\b",
    # what was ordered or received against what was billed: "ordered 200 pcs, billed 250"
    r"\b(?:ordered|received|got|delivered|supplied|came)\b[^.;]{0,40}?\d[^.;]{0,40}?"
    r"\b(?:billed|charged|invoiced|bill\s+(?:me|mein|is\s+for|of))\b[^.;]{0,20}?\d"
    r"|\b(?:billed|charged|invoiced)\b[^.;]{0,40}?\d[^.;]{0,40}?\b(?:ordered|received|got|delivered|came|arrived)\b",
    r"\bcredit\s+note\b.{0,40}\b(?:pass|issue|send|raise|pending|awaited|bhej\w*|nahi|until|till)\b",
    r"\b(?:pass|issue|send|raise)\w*\s+(?:us\s+|a\s+|the\s+)?credit\s+note\b",
    r"\b(?:lodged|raised|filed)\s+(?:a\s+|an\s+)?(?:claim|complaint)\b",
    r"\b(?:never|not)\s+agreed\b",
    r"\bcredit\s+note\s+(?:do|dijiye|dena|chahiye|bhej\w*|send|issue|pass|raise)\b",
    r"क्रेडिट\s*नोट\s*(?:दीजिए|दें|भेज\S*|चाहिए|नहीं)",
    r"\b(?:difference|excess|shortfall|short)\s+(?:of|by)\s+(?:rs\.?\s*|₹\s*|inr\s*)?\d",
    r"\b(?:leak\w*|faulty|ghatiya|tuta|toota|tute|toote|phata|phate)\b",
    # a charge the customer refuses: interest, penalty, a fee
    r"\b(?:interest|penalty|late\s+fee|charges?)\b.{0,40}"
    r"(?:\b(?:won't|will\s+not|shall\s+not|cannot|can't|not\s+going\s+to)\s+(?:\w+\s+)?pay\b"
    r"|\b(?:nahi|nahin|nhi)\s+(?:denge|dunga|karenge|bharenge|dena)\b)",
)

#: a habit describes terms, not a date: "we pay all vendors on the 10th of every month"
HABIT = _any(
    r"\b(?:every|each|har|always|usually|generally|normally|typically)\b|\bonly\s+(?:through|via)\b",
    r"(?<!\S)हर" + _DEV_END,
)

#: a future about talking, not paying: "Mr. Shah will call you regarding the payment"
TALK = _any(
    r"\b(?:will|shall|would)\s+(?:\w+\s+)?(?:call|revert|discuss|check|confirm|get\s+back|contact|speak|talk"
    r"|inform|update|let\s+you\s+know|look\s+into|reply|respond|ask|see)\b|'ll\s+(?:call|revert|check|confirm)\b",
    r"\b(?:baat|bata|dekh|puch|pooch|call|check|confirm)\s*(?:kar|kr)?\s*(?:\w*enge|\w*unga|lenge|lunga|dega)\b",
)

#: time asked for: in a reply to a reminder, a promise to pay later even without a
#: word about money ("please give us one more week"); not time to check the bill
TIME_ASKED = _any(
    r"\b(?:give|allow|grant)\s+(?:us|me)\s+(?:some\s+|more\s+|an?\s+|one\s+|two\s+|\w+\s+)*?(?:time|days?|weeks?)\b"
    r"(?!\s+(?:to|for)\s+(?:check|verify|reconcile|review|look))",
    r"\b(?:request|need|want)\w*\s+(?:you\s+)?(?:for\s+)?(?:some\s+|more\s+|an?\s+)?(?:\d+\s+)?(?:more\s+)?"
    r"(?:time|extension|days|weeks)\b(?!\s+(?:to|for)\s+(?:check|verify|reconcile|review|look))",
    r"\b(?:thoda|thodi|kuch)\s+(?:time|samay|din|waqt|mohlat)\b",
    r"(?:थोडा|कुछ)\s*(?:समय|दिन|वक्त)|मोहलत",
)

#: the presumptive past: "you must have received it", "mil gaya hoga", "मिल गए होंगे"
PRESUMED = _any(
    r"\bmust\s+have\s+(?:received|got|reached|been)\b|\bshould\s+have\s+(?:received|reached|reflected)\b",
    r"\b(?:gaya|gayi|gaye|gya|chuka|chuki)\s+(?:hoga|hogi|honge)\b",
    r"(?:गया|गई|गए|गयी|चुका|चुकी)\s*(?:होगा|होगी|होंगे)",
)

#: a reply that is only a deadline ("ok sir by 2mrw evening") answers the reminder
DEADLINE = _any(
    r"\b(?:by|before|till|until|tak|tk|sure|pakka|positively|definitely|surely)\b",
    r"(?<!\S)(?:तक|पक्का)" + _DEV_END,
)

#: a document asked for: the document, and the asking
DOCUMENT = _any(
    r"\b(?:invoices?|bills?|statement|ledger|soa|copy|copies|pdf|challan|e-?invoice)\b",
    r"बिल|इनवॉइस|इनवॉयस|स्टेटमेंट|लेजर|कॉपी|प्रति|(?:खाता|खाते)\s*(?:का\s*)?विवरण",
)
ASK = _any(
    # "e-mail", "share" and "send" are also nouns and statements: a request asks
    r"\b(?:please|pls|plz|kindly|can\s+you|could\s+you|request\s+you\s+to)\b.{0,30}?"
    r"\b(?:send|share|resend|re-send|forward|mail|e-?mail|whatsapp|provide|attach)\b",
    r"^\W*(?:\w+\W+)?(?:send|share|resend|re-send|forward|mail|e-?mail|provide)\b|\b(?:need|require|want)\b",
    r"\b(?:mail|e-?mail|whatsapp|send|share)\s+(?:kar\s+do|kr\s+do|kar\s+dijiye|karo|kro|kijiye|kar|kr)\b",
    r"\b(?:bhejo|bhejiye|bhejdo|bhej\s+do|bhej\s+dijiye|bhejein|bhejna|chahiye|dijiye|dedo|de\s+do)\b",
    r"भेजें|भेजिए|भेजो|भेज\s*दें|भेज\s*दीजिए|चाहिए|दीजिए",
    r"(?:मेल|ईमेल|व्हाट्सएप|शेयर)\s*(?:करें|कीजिए|करो|कर\s*दें|कर\s*दीजिए)",
)

#: paying as an act, beside a talk about it ("will check and pay by Friday")
PAY_VERB = _any(
    r"\b(?:pay|clear|release|transfer|remit|settle|send|deposit)\b|\b(?:kar|kr|de|bhej)\s*(?:d|denge|dunga)",
    r"भेज|कर\s*दे|कर\s*दू",
)

#: a purpose, not a promise: "send the copies so that we can process the payment"
PURPOSE = _any(
    r"\bso\s+(?:that\s+)?(?:we|i)\s+can\b|\bin\s+order\s+to\b|\bfor\s+(?:processing|releasing)\b"
)

# A sentence ends at . ! ? । or a line end (a signature is no part of the sentence
# before it); its parts are separated by commas and semicolons. A full stop after
# "Rs", "no" or "ref" ends no sentence.
_SENTENCE = re.compile(
    r"(?:[^.!?।\n]|(?<=\brs)\.|(?<=\bno)\.|(?<=\bref)\.|\.(?=\d))+[.!?।]*", re.IGNORECASE
)
_PART = re.compile(r"(?:[^,;]|,(?=\d))+(?:[,;]|$)")


def _fold(text):
    """``text`` with Devanagari nukta dropped and chandrabindu read as anusvara."""
    return unicodedata.normalize("NFC", text).replace("\u093c", "").replace("\u0901", "\u0902")


def _sentences(text):
    return [m.group(0).strip() for m in _SENTENCE.finditer(text) if m.group(0).strip(" ,.;")]


def _parts(sentence):
    return [m.group(0).strip() for m in _PART.finditer(sentence) if m.group(0).strip(" ,.;")]


def _first(pattern, text):
    match = pattern.search(text)
    return match.group(0).strip() if match else None


def _when_said(clause, today):
    """``(words, date)`` saying when money moves in ``clause``, ``(None, None)`` without a date."""
    for kind, words, day, start in _dates(clause, today):
        if kind != "yesterday" and not DATE_NOT_WHEN.search(
            clause[:start] + words.split()[0] + " "
        ):
            return words, day
    return None, None


def _payment_tense(part, today):
    """``(kind, words)`` of what ``part`` says of when money moves, or ``(None, [])``.

    A stated date already past ("went on 11th June") says the money moved."""
    if PURPOSE.search(part):
        return None, []
    presumed = _first(PRESUMED, part)
    if presumed:
        return "paid", [presumed]
    said = TALK.sub(" ", part)
    if said != part and not PAY_VERB.search(said):
        # "we will discuss the payment tomorrow": the talk has a date, the money none
        return None, []
    future, done, later = (_first(p, said) for p in (FUTURE, DONE, LATER))
    when, day = _when_said(part, today)
    negated = NOT.search(part)
    if future and (when or not negated):
        return "promise", [w for w in (future, when) if w]
    if (done or (day and day < today)) and not future and not HABIT.search(part):
        return ("paid", [done or when]) if not negated else (None, [])
    if (later or when) and (when or not negated) and not HABIT.search(part):
        return "promise", list(dict.fromkeys(w for w in (later, when) if w))
    return None, []


def composed_payment(text, today):
    """``(paid words, promise words)`` read from parts of the sentences of ``text``.

    A part saying when without saying what takes the payment word of a part of the
    same sentence that says what without saying when ("wait till the 25th; the cheque
    is with our director").

    >>> composed_payment("Transfer will happen tomorrow positively.", date(2026, 6, 15))
    ([], ['Transfer', 'will', 'tomorrow'])
    >>> composed_payment("Amount credited to your account today", date(2026, 6, 15))
    (['Amount', 'credited'], [])
    >>> composed_payment("What is the total outstanding as of today?", date(2026, 6, 15))
    ([], [])
    """
    found = {"paid": [], "promise": []}
    for sentence in _sentences(text):
        if QUESTION.search(sentence):
            continue
        read = [
            (_first(PAY_WORD, part),) + _payment_tense(part, today) for part in _parts(sentence)
        ]
        spare = [pay for pay, kind, _words in read if pay and not kind]
        for pay, kind, words in read:
            pay = pay or (spare[0] if spare else None)
            if kind and pay:
                found[kind] = _merge(found[kind], [pay] + words)
        asked = _first(TIME_ASKED, sentence)
        if asked and not found["paid"]:
            found["promise"] = _merge(found["promise"], [asked])
    if not any(found.values()) and len(text.split()) <= 8 and not QUESTION.search(text):
        deadline, (when, day) = _first(DEADLINE, text), _when_said(text, today)
        if deadline and when and day >= today:
            found["promise"] = [deadline, when]
    return found["paid"], found["promise"]


#: a document already sent is no request for one ("bill bhej diya")
SENT = _any(
    r"\b(?:sent|forwarded|shared|mailed|emailed)\b|\bbhej\s+(?:diya|diye|di)\b",
    r"भेज\s*(?:दिया|दिए|दी)" + _DEV_END,
)


def composed_copy(text):
    """The words of the sentences of ``text`` asking for a document.

    >>> composed_copy("sir SOA mail kr do")
    ['SOA', 'mail kr do']
    """
    words = []
    for sentence in _sentences(text):
        document, ask = _first(DOCUMENT, sentence), _first(ASK, sentence)
        if document and ask and not SENT.search(sentence):
            words += [w for w in (document, ask) if w not in words]
    return words


def composed_dispute(text):
    """The words of the sentences of ``text`` that contest the bill or the supply.

    >>> composed_dispute("Sir rate me difference hai, PO me 150 hai bill me 165")
    ['rate', 'difference']
    >>> composed_dispute("We did not receive the goods.")
    ['goods', 'did not receive']
    >>> composed_dispute("These rates are not what we agreed on call.")
    ['rates', 'not', 'agreed']
    """
    words = []
    for sentence in _sentences(text):
        read = []
        for parts in (
            (BILLED, WRONG),
            (BILLED, REVISE),
            (BILLED, CONTRAST, AGREED),
            (SUPPLIED, CONTRAST, AGREED),
            (SUPPLIED, FAULT),
        ):
            read = [_first(p, sentence) for p in parts]
            if all(read):
                break
        if not all(read):
            read = [_first(RATE, sentence), _first(AGREED, sentence)]
            # a rate and what was agreed, with two different figures: "rate 320, baat 300 ki"
            if not (all(read) and len(set(re.findall(r"\d+(?:\.\d+)?", sentence))) >= 2):
                read = [_first(DISPUTE_WORD, sentence)]
        words += [w for w in read if w and w not in words]
    return words


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
    text = _fold(strip_quoted(text or ""))
    flat = re.sub(r"\s+", " ", text).strip()
    lines = re.sub(r"[ \t]+", " ", text).strip()
    invoices = read_invoices(flat)
    suggestions = []
    stop = _matches(STOP, text.strip())
    if stop:
        suggestions.append(Suggestion("stop", tuple(stop)))
    copy = _merge(_matches(COPY, flat), composed_copy(lines))
    dispute = _merge(_matches(DISPUTE, flat), composed_dispute(lines))
    if copy and all(re.match(r"(?i)duplicate\b", w) for w in dispute):
        # "mail the duplicate invoice" asks for a copy ("duplicate" is Indian English for it)
        dispute = []
    if dispute:
        suggestions.append(Suggestion("dispute", tuple(dispute), invoices=invoices))
    composed_paid, composed_promise = composed_payment(lines, today)
    paid = _matches(PAID, flat, negatable=True)
    if not PAY_WORD.search(flat):
        # "it was sent to the wrong email" says nothing of money without a word about it
        paid = [w for w in paid if not re.match(r"(?i)(?:was|were|has been|have been)\b", w)]
    paid = _merge(paid, composed_paid)
    talk = " ".join(m.group(0) for m in TALK.finditer(flat))
    # "kal baat karunga" (I will talk tomorrow) promises a call, not money
    promise = [w for w in _matches(PROMISE, flat, negatable=True) if w not in talk]
    promise = _merge(promise, composed_promise)
    if paid and not (promise and _only_promise_words(paid)):
        day, day_words = read_date(flat, today, past=True)
        amount, amount_words = read_amount(flat)
        reference, reference_words = read_reference(flat)
        words = _merge(paid, [w for w in (day_words, amount_words, reference_words) if w])
        suggestions.append(
            Suggestion("paid", tuple(words), day, amount, invoices, reference=reference)
        )
    elif promise:
        day, day_words = read_date(flat, today)
        amount, amount_words = read_amount(flat)
        words = _merge(promise, [w for w in (day_words, amount_words) if w])
        suggestions.append(Suggestion("promise", tuple(words), day, amount, invoices))
    if copy:
        document = "statement" if STATEMENT_WORDS.search(" ".join(copy)) else "invoice"
        suggestions.append(Suggestion("copy", tuple(copy), invoices=invoices, document=document))
    if stop and len(suggestions) > 1 and suggestions[1].kind in ("dispute", "paid"):
        # "already paid, stop sending these" objects to the chase, not to the channel:
        # the dispute or the claim comes first, the opt-out stays a suggestion
        suggestions[0], suggestions[1] = suggestions[1], suggestions[0]
    return suggestions


def _merge(words, more_words):
    """``words``, then those of ``more_words`` not already said within one of them."""
    merged = list(words)
    for word in more_words:
        if not any(word.lower() in w.lower() for w in merged):
            merged.append(word)
    return merged


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
