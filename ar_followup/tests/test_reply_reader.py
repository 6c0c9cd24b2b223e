# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Reading customers' replies (``tools/reply_reader.py``) on plain data: no database.

``data/replies.csv`` and ``data/replies_dev.csv`` hold replies written the way customers
write them (English, Hindi, Hinglish), each labelled with what a person reads in it; the
reader is developed on them and must reach the precision and recall the AR inbox promises.
``data/replies_blind.csv``, when present, holds replies written by someone else and never
read while changing the reader: its table estimates how the reader does on replies it has
never seen, and it must reach the same precision and recall.
"""

import csv
import doctest
import logging
from collections import Counter
from datetime import date, datetime
from pathlib import Path

from odoo.tests import BaseCase, tagged

from ..tools import reply_reader
from ..tools.reply_reader import auto_reply_reason, primary_kind, read_date, read_reply

_logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).parent / "data"
#: the sets the reader is developed on
TUNED = ("replies.csv", "replies_dev.csv")
#: the set never read while developing it, written by someone who read neither the
#: rules nor the sets above
BLIND = "replies_blind.csv"
LABELS = ("promise", "dispute", "paid", "copy", "stop", "auto", "none")
#: the kinds a wrong reading costs most on: they must be right when suggested
#: (precision) and rarely missed (recall)
MEASURED = {"promise": (0.9, 0.8), "dispute": (0.9, 0.8), "paid": (0.9, 0.8)}


def read_labelled(today, names=TUNED):
    """``[(label, predicted, text)]`` over the labelled sets ``names``."""
    rows = []
    for name in names:
        with (DATA_DIR / name).open(encoding="utf-8") as handle:
            rows += list(csv.DictReader(handle))
    result = []
    for row in rows:
        if auto_reply_reason({}, row["subject"]):
            predicted = "auto"
        else:
            predicted = primary_kind(read_reply(row["text"], today))
        result.append((row["label"], predicted, row["text"]))
    return result


def confusion_table(results):
    """The confusion table as Markdown: a row per label, a column per prediction."""
    counts = Counter((label, predicted) for label, predicted, _text in results)
    lines = [
        "| label \\ read as | " + " | ".join(LABELS) + " | precision | recall |",
        "| --- |" + " ---: |" * (len(LABELS) + 2),
    ]
    for label in LABELS:
        precision, recall = scores(counts, label)
        lines.append(
            "| %s | %s | %.2f | %.2f |"
            % (label, " | ".join(str(counts[label, p]) for p in LABELS), precision, recall)
        )
    return "\n".join(lines)


def scores(counts, label):
    predicted = sum(n for (_l, p), n in counts.items() if p == label)
    actual = sum(n for (lab, _p), n in counts.items() if lab == label)
    right = counts[label, label]
    return (right / predicted if predicted else 0.0, right / actual if actual else 0.0)


@tagged("post_install", "-at_install")
class TestReplyReader(BaseCase):
    def test_doctests(self):
        result = doctest.testmod(reply_reader)
        self.assertGreater(result.attempted, 10)
        self.assertEqual(result.failed, 0)

    def test_labelled_replies(self):
        tuned = read_labelled(date(2026, 6, 15))
        self.assertGreaterEqual(len(tuned), 700)
        blind = read_labelled(date(2026, 6, 15), (BLIND,))
        self.assertGreaterEqual(len(blind), 200)
        # the blind set is held to the bar of the sets the reader is developed on
        for names, results in ((TUNED, tuned), ((BLIND,), blind)):
            _logger.info("Replies of %s, by label:\n%s", ", ".join(names), confusion_table(results))
            self.assert_measured(results, names)

    def assert_measured(self, results, names):
        counts = Counter((label, predicted) for label, predicted, _text in results)
        for label, (min_precision, min_recall) in MEASURED.items():
            precision, recall = scores(counts, label)
            with self.subTest(sets=names, label=label):
                self.assertGreaterEqual(precision, min_precision)
                self.assertGreaterEqual(recall, min_recall)

    def test_requests_and_holds_are_not_claims(self):
        # "भेज दीजिए" asks to send; "भेज दी" says it was sent
        [copy] = read_reply("खाते का विवरण भेज दीजिए", date(2026, 6, 15))
        self.assertEqual((copy.kind, copy.document), ("copy", "statement"))
        [paid] = read_reply("पैसे भेज दी है", date(2026, 6, 15))
        self.assertEqual(paid.kind, "paid")
        # a payment held for an audit is a promise, held for the supply a dispute
        held = "Payment is on hold for our audit, will be released by 10th"
        self.assertEqual(primary_kind(read_reply(held, date(2026, 6, 15))), "promise")
        held = "We are holding the payment as the machine is not working"
        self.assertEqual(primary_kind(read_reply(held, date(2026, 6, 15))), "dispute")

    def test_promise_date_and_amount(self):
        # Monday 29 June 2026: dates roll into July, "kal" is tomorrow
        today = date(2026, 6, 29)
        cases = [
            ("We will clear INV/2026/00042 on 15th", date(2026, 7, 15), None),
            ("Will pay ₹50,000 by month end", date(2026, 6, 30), 50000.0),
            ("payment next Friday", date(2026, 7, 3), None),
            ("अगले सोमवार तक भुगतान कर देंगे", date(2026, 7, 6), None),
            ("kal payment kar denge", date(2026, 6, 30), None),
            ("parso tak 1.5 lakh de denge", date(2026, 7, 1), 150000.0),
            ("महीने के अंत तक भेज देंगे", date(2026, 6, 30), None),
        ]
        for text, day, amount in cases:
            with self.subTest(text=text):
                [suggestion] = read_reply(text, today)
                self.assertEqual(suggestion.kind, "promise")
                self.assertEqual((suggestion.date, suggestion.amount), (day, amount))

    def test_new_wordings_read_from_their_parts(self):
        # Monday 15 June 2026; each reply is worded unlike the phrases, each suggestion
        # shows the words it was read from
        today = date(2026, 6, 15)
        cases = [
            ("sir 20 tk pmt krenge, pakka", "promise", ("pmt", "krenge"), date(2026, 6, 20)),
            ("सर, १५ तारीख़ को पेमेंट भेज दी जाएगी।", "promise", ("पेमेंट", "जाएगी"), today),
            ("We'll square up the account in the first week of July.", "promise",
             ("square up", "'ll"), date(2026, 7, 7)),
            ("Cannot pay until the 20th as our receivables are stuck", "promise",
             ("pay", "until the 20th"), date(2026, 6, 20)),
            ("the amount went on 11th June via IMPS, ref 616212345678", "paid",
             ("amount", "went"), date(2026, 6, 11)),
            ("paisa transfer ho gaya kal", "paid", ("paisa", "gaya"), date(2026, 6, 14)),
            ("Half the shipment arrived broken.", "dispute", ("shipment", "broken"), None),
            ("बिल की दर ऑर्डर से ज़्यादा लगाई गई है।", "dispute", ("बिल", "ज्यादा"), None),
            ("We did not receive the goods.", "dispute", ("goods", "did not receive"), None),
        ]  # fmt: skip
        for text, kind, words, day in cases:
            with self.subTest(text=text):
                first = read_reply(text, today)[0]
                self.assertEqual(first.kind, kind)
                self.assertTrue(set(words) <= set(first.words), first.words)
                self.assertEqual(first.date, day)

    def test_what_a_clerk_acts_on_first(self):
        today = date(2026, 6, 15)
        # a dispute comes before the promise to pay the rest
        reply = "You have charged GST at 28% but the item attracts 18%. Revise the bill, we will pay the rest."
        self.assertEqual([s.kind for s in read_reply(reply, today)], ["dispute", "promise"])
        # refusing to pay until a credit note is a dispute, not a promise
        reply = "We will not pay until the credit note for the damaged cartons is issued."
        self.assertEqual([s.kind for s in read_reply(reply, today)], ["dispute"])
        # a copy asked for is no dispute, a payment talked about no promise or claim
        for text in (
            "Kindly mail the duplicate invoice for INV/2026/00290.",
            "Please send the invoice copies so that we can process the payment.",
        ):
            self.assertEqual(primary_kind(read_reply(text, today)), "copy", text)
        for text in (
            "Mr. Shah will call you regarding the payment.",
            "What is the total outstanding as of today?",
            "accounts team ko forward kar diya hai",
            "Can you tell me which bank account we should pay into?",
            "We are holding the payment till the replacement arrives.",
        ):
            self.assertEqual(primary_kind(read_reply(text, today)), "none", text)

    def test_dates_across_month_and_year_ends(self):
        self.assertEqual(read_date("by 31st", date(2026, 2, 10))[0], date(2026, 2, 28))
        self.assertEqual(read_date("on 2nd", date(2026, 12, 30))[0], date(2027, 1, 2))
        self.assertEqual(read_date("month end", date(2028, 2, 1))[0], date(2028, 2, 29))
        self.assertEqual(
            read_date("paid on 28th", date(2026, 3, 2), past=True)[0], date(2026, 2, 28)
        )
        self.assertEqual(read_date("kal", date(2026, 7, 1), past=True)[0], date(2026, 6, 30))

    def test_company_day_decides_relative_dates(self):
        # 20:00 UTC on 30 June is already 1 July in Kolkata: "tomorrow" is 2 July
        today = reply_reader.local_today(datetime(2026, 6, 30, 20, 0), "Asia/Kolkata")
        [suggestion] = read_reply("will pay tomorrow", today)
        self.assertEqual(suggestion.date, date(2026, 7, 2))

    def test_words_explain_each_suggestion(self):
        suggestions = read_reply(
            "Wrong rate in INV/2026/00017. Please send the statement of account.",
            date(2026, 6, 15),
        )
        self.assertEqual([s.kind for s in suggestions], ["dispute", "copy"])
        self.assertEqual(suggestions[0].words, ("Wrong rate",))
        self.assertEqual(suggestions[0].invoices, ("INV/2026/00017",))
        self.assertEqual(suggestions[1].document, "statement")

    def test_paid_claim_reference(self):
        [paid] = read_reply("Paid yesterday, UTR 1234", date(2026, 6, 15))
        self.assertEqual(
            (paid.kind, paid.reference, paid.date), ("paid", "1234", date(2026, 6, 14))
        )
        [paid] = read_reply("Cheque no. 004512 handed over, Rs 12,500", date(2026, 6, 15))
        self.assertEqual((paid.reference, paid.amount), ("004512", 12500.0))

    def test_auto_replies(self):
        for headers, subject in [
            ({"Auto-Submitted": "auto-replied"}, "Re: Payment reminder"),
            ({"X-Autoreply": "yes"}, "Re: Payment reminder"),
            ({"X-Autorespond": "Out of office"}, "Re: Payment reminder"),
            ({"Precedence": "auto_reply"}, "Re: Payment reminder"),
            ({}, "Out of Office: Payment reminder"),
            ({}, "Undeliverable: Payment reminder"),
            ({}, "कार्यालय से बाहर: भुगतान अनुस्मारक"),
        ]:
            with self.subTest(subject=subject, headers=headers):
                self.assertTrue(auto_reply_reason(headers, subject))
        self.assertIsNone(auto_reply_reason({"Auto-Submitted": "no"}, "Re: Payment reminder"))
