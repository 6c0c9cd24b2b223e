# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The webhook under 2,000 malformed, mutated and forged posts: never a 500, nothing
changed without a valid signature, no reminder moving backwards."""

import copy
import json
import random
import time

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.ar_followup.models.ar_followup_reminder.states import SENT_STATES

from . import fake_graph
from .common import DIGITS, WhatsAppCommon

POSTS = 2000
#: values a mutation puts in place of a field
ODD_VALUES = [
    None,
    "",
    0,
    -1,
    2**70,
    1.5,
    True,
    [],
    {},
    "x" * 5000,
    "wamid.",
    "\u0000",
    "👍",
    "read",
    "failed",
    "delivered",
    "STOP",
    "ar_promise",
    "ar_dispute",
    {"id": None},
    [None],
]


def mutate(rng, value, depth=0):
    """``value`` (decoded JSON) with one random change somewhere inside."""
    if isinstance(value, dict) and value and depth < 8:
        key = rng.choice(sorted(value))
        action = rng.random()
        if action < 0.2:
            value.pop(key)
        elif action < 0.45:
            value[key] = rng.choice(ODD_VALUES)
        elif action < 0.55:
            value[rng.choice(["extra", "id", "status", "type", "context"])] = rng.choice(ODD_VALUES)
        else:
            value[key] = mutate(rng, value[key], depth + 1)
        return value
    if isinstance(value, list) and value and depth < 8:
        index = rng.randrange(len(value))
        action = rng.random()
        if action < 0.2:
            value.append(copy.deepcopy(value[index]))
        elif action < 0.35:
            value[index] = rng.choice(ODD_VALUES)
        else:
            value[index] = mutate(rng, value[index], depth + 1)
        return value
    return rng.choice(ODD_VALUES)


@tagged("post_install", "-at_install")
class TestWhatsAppWebhookFuzz(WhatsAppCommon):
    def test_fuzz(self):
        rng = random.Random(14)
        reminder = self.sent()
        wamid = reminder.provider_message_id
        now = int(time.time())
        seeds = [
            fake_graph.status_event(wamid, status, now, DIGITS)
            for status in ("sent", "delivered", "read")
        ] + [
            fake_graph.status_event(
                wamid, "failed", now, DIGITS, [{"code": 131026, "title": "Undeliverable"}]
            ),
            fake_graph.message_event(
                "wamid.FZ", DIGITS, now, {"type": "text", "text": {"body": "ok"}}, wamid
            ),
            fake_graph.message_event(
                "wamid.FZB",
                DIGITS,
                now,
                {"type": "button", "button": {"text": "I dispute", "payload": "ar_dispute"}},
                wamid,
            ),
            fake_graph.envelope(
                {"event": "PAUSED", "message_template_name": "ar_payment_overdue", "reason": "x"},
                field="message_template_status_update",
            ),
        ]
        Message = self.env["ar.followup.whatsapp.message"]
        statuses = []
        forged = 0
        with mute_logger(
            "odoo.addons.ar_followup_whatsapp.controllers.whatsapp_webhook",
            "odoo.addons.ar_followup_whatsapp.models.ar_followup_whatsapp_message",
            "odoo.addons.ar_followup.models.ar_followup_reminder.send_retry",
        ):
            for index in range(POSTS):
                payload = mutate(rng, copy.deepcopy(rng.choice(seeds)))
                body = json.dumps(payload).encode()
                if rng.random() < 0.15:  # cut or garbled bytes
                    body = body[: rng.randrange(len(body) + 1)] + bytes([rng.randrange(256)])
                valid = index % 3 != 0
                if valid:
                    signature = fake_graph.sign(body)
                else:
                    forged += 1
                    signature = rng.choice(
                        [
                            "",
                            "sha256=",
                            fake_graph.sign(body, secret="wrong"),
                            fake_graph.sign(body + b" "),
                            fake_graph.sign(body).upper()[:-1],
                            "sha1=" + "0" * 40,
                        ]
                    )
                before = (reminder.state, reminder.channel, Message.search_count([]))
                response = self.post_webhook(None, signature=signature, raw=body)
                self.assertIn(response.status_code, (200, 403), body[:200])
                if not valid:
                    self.assertEqual(response.status_code, 403)
                    after = (reminder.state, reminder.channel, Message.search_count([]))
                    self.assertEqual(after, before, "forged post changed something")
                if reminder.channel == "whatsapp" and reminder.state in SENT_STATES:
                    statuses.append(SENT_STATES.index(reminder.state))
        self.assertGreaterEqual(forged, POSTS // 3)
        self.assertEqual(statuses, sorted(statuses), "a reminder moved backwards")
