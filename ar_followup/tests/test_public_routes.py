# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The public routes of a reminder's links, fed with what an attacker or a broken
mail client sends: always a 404 (never a server error), and nothing recorded.

(A ``..`` part is left out: the client resolves it, and the path leaves our prefix.)"""

import random
from datetime import datetime
from urllib.parse import quote, urlsplit

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged

from ..models.ar_followup_link_rate import STATEMENT_RATE_LIMIT
from .common import TODAY, ArFollowupCommon

#: generated paths per route
FUZZ_PATHS = 2000
#: what replaces a part of a valid link
HOSTILE = [
    "",
    "0",
    "-1",
    "00",
    "١٢",  # Arabic-Indic digits, which a URL converter reads as 12
    "१२३",  # Devanagari digits
    "１２",  # full-width digits
    "2147483648",  # one past PostgreSQL's integer
    "9" * 40,
    "é" * 32,
    "ä" * 7,
    "%00",
    "%ff",
    "a" * 5000,
    "' OR 1=1 --",
    "<script>",
    "\u202e",
]


@tagged("post_install", "-at_install")
class TestPublicRoutes(HttpCase, ArFollowupCommon):
    def setUp(self):
        super().setUp()
        self._ar_invoice(self.customer, 125000, self.days_before(10))
        self.company._ar_plan_reminders(TODAY)
        self.reminder = self.env["ar.followup.reminder"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.reminder.sudo().write({"state": "sent", "date_sent": "2026-06-15 05:00:00"})
        self.valid = {
            "tracked link": "/ar_followup/r/%s/%s/pay"
            % (self.reminder.id, self.reminder._ar_tracking_token("pay")),
            "statement": "/ar_followup/statement/%s/%s/%s"
            % (self.company.id, self.customer.id, self.customer._ar_statement_token(self.company)),
        }

    def mutations(self, path, count, rng):
        """``count`` paths made from ``path`` by replacing, appending or encoding parts."""
        parts = path.split("/")
        for _i in range(count):
            mutated = list(parts)
            for _j in range(rng.randint(1, 3)):
                index = rng.randrange(3, len(mutated))
                action = rng.randrange(4)
                if action == 0:
                    mutated[index] = rng.choice(HOSTILE)
                elif action == 1:
                    mutated[index] += rng.choice(HOSTILE)
                elif action == 2:  # one character swapped for a random code point
                    text = mutated[index] or "x"
                    at = rng.randrange(len(text))
                    char = chr(rng.choice([rng.randrange(33, 127), rng.randrange(160, 0x2FFF)]))
                    mutated[index] = text[:at] + char + text[at + 1 :]
                else:
                    mutated[index] = str(rng.randrange(-5, 2**40))
            candidate = "/".join(quote(part, safe="%'<>") for part in mutated)
            if candidate != path:
                yield candidate

    def test_malformed_links_fuzzed_are_not_found(self):
        rng = random.Random(20261207)  # the same paths on every run
        for name, path in self.valid.items():
            statuses = {}
            for mutated in self.mutations(path, FUZZ_PATHS, rng):
                status = self.url_open(mutated, allow_redirects=False, timeout=30).status_code
                statuses.setdefault(status, mutated)
            with self.subTest(route=name):
                # 308: an empty part (//) redirected to the path without it, 301: an
                # encoded slash (%2F) redirected the same way; then a 404
                self.assertLessEqual(set(statuses), {404, 301, 308}, statuses)
        self.reminder.invalidate_recordset()
        self.assertEqual(
            (self.reminder.state, self.reminder.click_count), ("sent", 0), "nothing recorded"
        )
        # the valid links still work
        self.assertEqual(
            self.url_open(self.valid["tracked link"], allow_redirects=False).status_code, 303
        )

    def test_unsubscribe_link_fuzzed_changes_nothing(self):
        """Mangled unsubscribe links, read (GET) or posted (POST, as RFC 8058's one click
        does, with any body): a 404 every time, and no one unsubscribed."""
        path = urlsplit(self.customer._ar_unsubscribe_url()).path
        rng = random.Random(20261208)
        bodies = [
            b"List-Unsubscribe=One-Click",
            b"",
            "List-Unsubscribe=One-Click&x=é".encode(),
            b"\x00\xff" * 64,
            b"a" * 200_000,
        ]
        statuses = {}
        for index, mutated in enumerate(self.mutations(path, FUZZ_PATHS, rng)):
            if index % 2:
                response = self.url_open(
                    mutated, data=rng.choice(bodies), allow_redirects=False, timeout=30
                )
            else:
                response = self.url_open(mutated, allow_redirects=False, timeout=30)
            statuses.setdefault(response.status_code, mutated)
        # 301, 308: the router's redirect to the normalised path, as above
        self.assertLessEqual(set(statuses), {404, 301, 308}, statuses)
        self.customer.invalidate_recordset()
        self.assertFalse(self.customer.ar_no_email)
        self.assertFalse(self.customer.ar_consent_ids)
        # the genuine link still works
        self.assertEqual(self.url_open(path).status_code, 200)

    def test_statement_link_is_rate_limited(self):
        """A statement link serves ten PDFs an hour: beyond, a page saying to try later
        (429), while other customers' links still work; an hour later it serves again."""
        statement = self.valid["statement"]
        for _i in range(STATEMENT_RATE_LIMIT):
            self.assertEqual(self.url_open(statement).status_code, 200)
        refused = self.url_open(statement)
        self.assertEqual(refused.status_code, 429)
        self.assertIn("opened too many times in the last hour", refused.text)
        self.assertEqual(refused.headers["Retry-After"], "3600")
        other = "/ar_followup/statement/%s/%s/%s" % (
            self.company.id,
            self.customer_b.id,
            self.customer_b._ar_statement_token(self.company),
        )
        self.assertEqual(self.url_open(other).status_code, 200)
        # printed once for the day, whatever the number of requests
        self.assertEqual(
            self.env["ar.followup.statement"].search_count([("partner_id", "=", self.customer.id)]),
            1,
        )
        with freeze_time(datetime(2026, 6, 15, 5, 31)):
            self.assertEqual(self.url_open(statement).status_code, 200)
