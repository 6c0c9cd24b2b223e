# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the server log shows of personal data and secrets: masked by ``tools/masking.py``,
in messages and in the tracebacks of logged exceptions, for every logger of the suite."""

import doctest
import logging

import requests

from odoo.tests import BaseCase, tagged

from ..models.ar_followup_reminder import channel_sms
from ..tools import masking

NUMBER = "+919845067890"
ADDRESS = "ravi.kumar@bharat.example.in"
SECRET = "3f9a0c1d2e4b5a6c7d8e9f0011223344"


def send_sms(number):
    """A provider's client refusing a number, as a requests-based client does: its error
    quotes the request's URL (the number URL-encoded) and the number itself."""
    try:
        raise requests.exceptions.HTTPError(
            "400 Client Error: Bad Request for url: https://api.twilio.com/2010-04-01/"
            "Accounts/AC0123456789abcdef/Messages.json?To=%s" % number.replace("+", "%2B")
        )
    except requests.exceptions.HTTPError as exc:
        raise ValueError("The 'To' number %s is not a valid phone number." % number) from exc


@tagged("post_install", "-at_install")
class TestLogMasking(BaseCase):
    def test_masking_doctests(self):
        result = doctest.testmod(masking)
        self.assertFalse(result.failed)
        self.assertGreater(result.attempted, 10)

    def test_logged_tracebacks_never_show_a_number_address_or_secret(self):
        logger = channel_sms._logger
        with self.assertLogs("odoo.addons.ar_followup", "INFO") as logs:
            try:
                send_sms(NUMBER)
            except ValueError:
                logger.exception("AR reminder 7: SMS to %s refused", NUMBER)
            try:
                send_sms(NUMBER)
            except ValueError as exc:
                logger.warning(
                    "AR: %s, the customer (%s) opened https://odoo.example.in/my/receivables/4/%s",
                    exc,
                    ADDRESS,
                    SECRET,
                    exc_info=True,
                )
        output = "\n".join(logs.output)
        # the tracebacks are there, with where they happened, only masked
        self.assertEqual(output.count("Traceback (most recent call last)"), 4)
        self.assertIn("in send_sms", output)
        self.assertIn("The 'To' number +91*******890 is not a valid phone number.", output)
        self.assertIn("Messages.json?To=+91*******890", output)
        self.assertIn("r***@bharat.example.in", output)
        self.assertIn("/my/receivables/4/***", output)
        for secret in (NUMBER, NUMBER[3:], ADDRESS, SECRET, "AC0123456789abcdef"):
            self.assertNotIn(secret, output)

    def test_every_logger_of_the_suite_masks(self):
        """The channel addons' loggers and any module's logger of the core mask too, not
        only the one above: a record is filtered by the logger that creates it."""
        names = [
            name
            for name, logger in logging.getLogger().manager.loggerDict.items()
            if name.startswith(masking.LOGGER_PREFIX)
            and ".tests." not in name
            and isinstance(logger, logging.Logger)
        ]
        self.assertGreater(len(names), 10)
        # and a module's logger created after the addons were loaded (a module imported
        # on demand, such as a migration's helpers)
        names.append(masking.LOGGER_PREFIX + ".tools.imported_later")
        for name in names:
            with self.subTest(logger=name), self.assertLogs(name, "WARNING") as logs:
                logging.getLogger(name).warning("refused: %s", NUMBER)
            self.assertEqual(logs.records[0].getMessage(), "refused: +91*******890")
