# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import escape

from odoo import api
from odoo.tools import SQL, clean_context, split_every
from odoo.tools.mail import formataddr

# arguments of message_post that are not mail.message fields, read below
POST_ARGUMENTS = {"subtype_xmlid", "force_send", "notify_skip_followers"}
# what reminders give message_post; anything else (extra recipients by address, a
# parent...) is refused, so the caller posts with message_post itself
ACCEPTED = POST_ARGUMENTS | {
    "body",
    "subject",
    "message_type",
    "partner_ids",
    "attachment_ids",
    "author_id",
    "email_from",
    "email_layout_xmlid",
    "email_add_signature",
    "reply_to",
    "record_alias_domain_id",
    "record_company_id",
}


class PartnerMailBatch:
    """Many e-mails posted on customers at once, as ``message_post`` posts one.

    A dispatch batch of e-mail reminders spent most of its time in
    ``message_post``: a ``create`` of ``mail.message``, ``mail.mail`` and
    ``mail.notification`` for each reminder. :meth:`_ar_message_post_many` runs
    the same steps, with Odoo's own methods, for a whole batch, and creates each
    model's records in one go; :meth:`_ar_message_track_many` does the same for
    the tracking messages of a batch.
    """

    __slots__ = ()  # a part of an Odoo model, whose instances have no __dict__

    @api.model
    def _ar_message_post_many(self, posts):
        """Post ``posts`` (``[(partner, message_post keyword arguments)]``); returns the messages.

        The same messages, e-mails and notifications as
        ``partner.with_context(mail_post_autofollow=False).message_post(**kwargs)``
        for each, in order:

        - message values as ``message_post`` computes them (author and its
          address, parent, reply-to, alias domain, company, attachments linked
          to the customer);
        - the author subscribed to the customer when ``message_post`` does it;
        - ``_message_post_after_hook`` of each message (other modules' hooks);
        - notifications as ``_notify_thread`` makes them: recipients (read for
          the whole batch at once), the out-of-office replies of internal
          recipients (looked for only when a user has an out-of-office period),
          one ``mail.mail`` per recipient group with the layout rendered for it,
          its References and headers, and the notifications that show its
          delivery and bounces.

        Only for what reminders post: explicit recipients (followers skipped:
        ``notify_skip_followers``), left to the outgoing mail queue
        (``force_send`` false). A message one of whose recipients is notified
        otherwise than by e-mail (an internal user reading in Odoo) goes through
        ``_notify_thread`` itself. Raises ``ValueError`` for any other argument,
        or when the context asks e-mails to be sent at once
        (``mail_notify_force_send``). Overrides of ``message_post`` and
        ``_notify_thread`` in other modules are not called (none of Odoo's
        modules this addon depends on acts on such posts).
        """
        # a customer posted on twice is posted on in two rounds: the References of its
        # second e-mail name the first, as after two message_post
        rounds = []
        seen = {}
        for index, (partner, _kwargs) in enumerate(posts):
            turn = seen[partner.id] = seen.get(partner.id, -1) + 1
            if turn == len(rounds):
                rounds.append([])
            rounds[turn].append(index)
        messages = [None] * len(posts)
        for indexes in rounds:
            posted = self._ar_message_post_distinct([posts[index] for index in indexes])
            for index, message in zip(indexes, posted, strict=True):
                messages[index] = message
        return self.env["mail.message"].union(*messages)

    @api.model
    def _ar_message_post_distinct(self, posts):
        """:meth:`_ar_message_post_many` for ``posts`` on distinct customers."""
        if self.env.context.get("mail_notify_force_send"):
            raise ValueError("E-mails sent at once are posted one by one.")
        IrModelData = self.env["ir.model.data"]
        note = IrModelData._xmlid_to_res_id("mail.mt_note")
        comment = IrModelData._xmlid_to_res_id("mail.mt_comment")
        # each customer as message_post sees it (partner.with_context(...).message_post)
        threads = [
            partner.ensure_one().with_context(mail_post_autofollow=False)._fallback_lang()
            for partner, _kwargs in posts
        ]
        values_list = []
        for partner, (_partner, kwargs) in zip(threads, posts, strict=True):
            if kwargs.get("force_send") is not False or not kwargs.get("notify_skip_followers"):
                raise ValueError("Only queued e-mails to explicit recipients are posted together.")
            unknown = set(kwargs) - ACCEPTED
            if unknown:
                raise ValueError("Cannot post together with %s." % ", ".join(sorted(unknown)))
            if kwargs.get("message_type") == "user_notification":
                raise ValueError("User notifications are not posted on customers.")
            author_id, email_from = partner._message_compute_author(
                kwargs.get("author_id"), kwargs.get("email_from")
            )
            values = {key: value for key, value in kwargs.items() if key not in POST_ARGUMENTS}
            values.setdefault("email_add_signature", True)
            values.update(
                {
                    "author_id": author_id,
                    "author_guest_id": False,
                    "email_from": email_from,
                    "model": partner._name,
                    "res_id": partner.id,
                    "body": escape(kwargs.get("body", "")),
                    "message_type": kwargs.get("message_type", "notification"),
                    "parent_id": partner._message_compute_parent_id(False),
                    "subject": kwargs.get("subject") or False,
                    "subtype_id": IrModelData._xmlid_to_res_id(kwargs["subtype_xmlid"])
                    if kwargs.get("subtype_xmlid")
                    else note,
                    "partner_ids": list(kwargs.get("partner_ids") or []),
                    "incoming_email_to": False,
                    "incoming_email_cc": False,
                    "outgoing_email_to": False,
                }
            )
            if "record_alias_domain_id" not in values:
                values["record_alias_domain_id"] = (
                    partner.sudo()
                    ._mail_get_alias_domains(default_company=self.env.company)[partner.id]
                    .id
                )
            if "record_company_id" not in values:
                values["record_company_id"] = partner._mail_get_companies(default=self.env.company)[
                    partner.id
                ].id
            if "reply_to" not in values:
                values["reply_to"] = partner._notify_get_reply_to(
                    default=email_from, author_id=author_id
                )[partner.id]
            values.update(
                partner._process_attachments_for_post(
                    [], list(values.pop("attachment_ids", None) or []), values
                )
            )
            values_list.append(values)
        messages = self._fallback_lang()._message_create(values_list)
        self._ar_subscribe_authors(threads, values_list, comment)
        for partner, message, values in zip(threads, messages, values_list, strict=True):
            partner._message_post_after_hook(message, values)
        self._ar_notify_many(threads, messages, values_list)
        return messages

    @api.model
    def _ar_subscribe_authors(self, threads, values_list, comment):
        """Subscribe each message's real author to its customer, as ``message_post`` does
        for comments (an internal author receives the answers): one call per author."""
        if self.env.context.get("mail_post_autofollow_author_skip"):
            return
        followed = {}
        real_authors = {}
        for partner, values in zip(threads, values_list, strict=True):
            if values["message_type"] in (
                "notification",
                "user_notification",
                "auto_comment",
                "out_of_office",
            ):
                continue
            if values["subtype_id"] != comment:
                continue
            author_id = values["author_id"]
            if author_id not in real_authors:
                real_authors[author_id] = partner._message_compute_real_author(author_id)
            real_author = real_authors[author_id]
            if real_author and not real_author.partner_share:
                followed[real_author] = followed.get(real_author, self.browse()) | partner
        for real_author, partners in followed.items():
            partners._message_subscribe(partner_ids=real_author.ids)

    @api.model
    def _ar_notify_many(self, threads, messages, values_list):
        """Notify ``messages`` by e-mail as ``_notify_thread`` would, creating the
        ``mail.mail`` and ``mail.notification`` of all of them at once."""
        notify_args = {"force_send": False, "notify_skip_followers": True}
        batch_size = (
            int(self.env["ir.config_parameter"].sudo().get_param("mail.batch_size") or 0) or 50
        )
        mail_values, notification_values = [], []
        recipients_list = self._ar_notify_get_recipients_many(threads, messages, values_list)
        out_of_office = self._ar_out_of_office_possible()
        # an out-of-office answer is posted on the thread before its e-mail is made:
        # the threads' history is then read message by message, as Odoo reads it
        references = {} if out_of_office else self._ar_get_references_many(threads, messages)
        for partner, message, values, recipients in zip(
            threads, messages, values_list, recipients_list, strict=True
        ):
            if any(data["notif"] != "email" for data in recipients):
                partner._notify_thread(message, values, **notify_args)
                continue
            if out_of_office:
                partner._notify_thread_with_out_of_office(
                    message, recipients, msg_vals=values, **notify_args
                )
            # a message just created has no tracking values: the layout need not look for any
            values = {**values, "tracking_value_ids": []}
            if not recipients:
                continue
            # the browser pushes of recipients with a registered device
            partner._notify_thread_by_web_push(message, recipients, msg_vals=values, **notify_args)
            if message.id in references:
                base_values = partner._ar_get_base_mail_values(
                    message, recipients, references[message.id]
                )
            else:
                base_values = partner._notify_by_email_get_base_mail_values(
                    message, recipients, additional_values={"auto_delete": True}
                )
            base_notification = partner._notify_by_email_get_base_notification_values(message)
            for _lang, render_values, group in partner._notify_get_classified_recipients_iterator(
                message, recipients, msg_vals=values
            ):
                body = partner._notify_by_email_render_layout(
                    message, group, msg_vals=values, render_values=render_values
                )
                for chunk in split_every(batch_size, group["recipients_ids"]):
                    mail_values.append(
                        partner._notify_by_email_get_final_mail_values(
                            chunk, base_values, additional_values={"body_html": body}
                        )
                    )
                    notification_values.append(
                        [{"res_partner_id": pid, **base_notification} for pid in chunk]
                    )
                if group["recipients_emails"]:
                    final = partner._notify_by_email_get_final_mail_values(
                        [], base_values, additional_values={"body_html": body}
                    )
                    final["email_to"] = ",".join(group["recipients_emails"])
                    mail_values.append(final)
                    notification_values.append(
                        [
                            {"mail_email_address": email, **base_notification}
                            for email in group["recipients_emails"]
                        ]
                    )
        # without the caller's default_* keys, as _notify_thread_by_email creates them
        env = self.env(context=clean_context(self.env.context), su=True)
        mails = env["mail.mail"].create(mail_values)
        env["mail.notification"].create(
            [
                {**notification, "mail_mail_id": mail.id}
                for mail, notifications in zip(mails, notification_values, strict=True)
                for notification in notifications
            ]
        )

    @api.model
    def _ar_notify_get_recipients_many(self, threads, messages, values_list):
        """The recipients of each message, as ``_notify_get_recipients`` computes them for
        a post to explicit recipients (``notify_skip_followers``): the data of every
        recipient of the batch read at once, with whether it follows its customer.

        The real author of each message (who is not notified of their own message) is
        computed once per author. A context asking to notify authors leaves each
        message to ``_notify_get_recipients``."""
        context = self.env.context
        if context.get("mail_notify_author") or context.get("mail_notify_author_mention"):
            return [
                partner._notify_get_recipients(message, values, notify_skip_followers=True)
                for partner, message, values in zip(threads, messages, values_list, strict=True)
            ]
        pids = sorted({pid for values in values_list for pid in values["partner_ids"]})
        if not pids:
            return [[] for _values in values_list]
        # message_type "user_notification": what notify_skip_followers asks, recipients only
        data = self.env["mail.followers"]._get_recipient_data(
            self.browse(), "user_notification", False, pids
        )[0]
        followers = (
            self.env["mail.followers"]
            .sudo()
            .search_fetch(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", [partner.id for partner in threads]),
                    ("partner_id", "in", pids),
                ],
                ["res_id", "partner_id"],
            )
        )
        following = {(follower.res_id, follower.partner_id.id) for follower in followers}
        real_authors = {}
        recipients_list = []
        for partner, values in zip(threads, values_list, strict=True):
            author_id = values["author_id"]
            if author_id not in real_authors:
                real_authors[author_id] = partner._message_compute_real_author(author_id).id
            wanted = set(values["partner_ids"])
            recipients_list.append(
                [
                    {**pdata, "is_follower": (partner.id, pid) in following}
                    for pid, pdata in data.items()
                    if pid in wanted
                    and pid != real_authors[author_id]
                    and pdata["active"] is not False
                ]
            )
        return recipients_list

    @api.model
    def _ar_get_references_many(self, threads, messages):
        """``{message id: References}`` of the e-mails of ``messages`` (one per customer of
        ``threads``), as ``_notify_by_email_get_base_mail_values`` computes them: up to
        three of the thread's 32 newest messages with a subtype and a Message-Id,
        public discussions first, then the message's own Message-Id. The candidates
        of every thread are read in one query."""
        if not messages:
            return {}
        Message = self.env["mail.message"].sudo()
        query = Message._search(
            [
                ("model", "=", self._name),
                ("res_id", "in", [partner.id for partner in threads]),
                ("id", "not in", messages.ids),
                ("subtype_id", "!=", False),
                ("message_id", "!=", False),
            ]
        )
        ranked = query.select(
            SQL("%s AS id", SQL.identifier(query.table, "id")),
            SQL(
                "ROW_NUMBER() OVER (PARTITION BY %s ORDER BY %s DESC) AS rank",
                SQL.identifier(query.table, "res_id"),
                SQL.identifier(query.table, "id"),
            ),
        )
        rows = self.env.execute_query(SQL("SELECT id FROM (%s) AS ranked WHERE rank <= 32", ranked))
        candidates = Message.browse(sorted((row[0] for row in rows), reverse=True))
        by_thread = candidates.grouped("res_id")
        outgoing_types = ("comment", "auto_comment", "email", "email_outgoing")
        references = {}
        for message in messages.sudo():
            # Odoo's order: public discussions, outgoing, not notifications, newest first
            ancestors = (by_thread.get(message.res_id) or Message).sorted(
                lambda m: (
                    not m.is_internal and not m.subtype_id.internal,
                    m.message_type in outgoing_types,
                    m.message_type not in ("user_notification", "out_of_office"),
                ),
                reverse=True,
            )
            ancestors = ancestors[:3].sorted("id")
            references[message.id] = " ".join(m.message_id for m in (ancestors + message))
        return references

    def _ar_get_base_mail_values(self, message, recipients_data, references):
        """``_notify_by_email_get_base_mail_values(message, recipients_data,
        {"auto_delete": True})`` with ``references`` read for the batch
        (:meth:`_ar_get_references_many`), for a post without incoming addresses."""
        self.ensure_one()
        subject = message.subject or self._message_compute_subject() or message.record_name
        if subject:
            # an e-mail header: on one line
            subject = " ".join(subject.splitlines())
        values = {"mail_message_id": message.id, "references": references, "auto_delete": True}
        if subject != message.subject:
            values["subject"] = subject
        headers = {}
        # the customers notified, in To: so that a reply to all reaches them
        external = [
            formataddr((data["name"], data["email_normalized"]))
            for data in recipients_data
            if data["active"] and data["email_normalized"] and data["share"]
        ]
        if external and len(external) < self._CUSTOMER_HEADERS_LIMIT_COUNT:
            headers["X-Msg-To-Add"] = ",".join(external)
        bounce = message.sudo().record_alias_domain_id.bounce_email
        if bounce:
            headers["Return-Path"] = bounce
        headers = self._notify_by_email_get_headers(headers=headers)
        if headers:
            values["headers"] = repr(headers)
        return values

    @api.model
    def _ar_out_of_office_possible(self):
        """Whether any user has an out-of-office period: without one, posting sends no
        out-of-office answer and its per-message checks are skipped."""
        return bool(
            self.env["res.users"]
            .sudo()
            .with_context(active_test=False)
            .search_count([("out_of_office_from", "!=", False)], limit=1)
        )

    @api.model
    def _ar_message_track_many(self, initial):
        """Log on customers the changes of tracked fields since ``initial`` (``{partner
        id: {field name: value before}}``), written without tracking: the messages
        and tracking values Odoo's tracking would log, each model's records created
        in one go. Nothing when the context turns tracking off."""
        context = self.env.context
        if not initial or context.get("tracking_disable") or context.get("mail_notrack"):
            return self.env["mail.message"]
        names = sorted({name for values in initial.values() for name in values})
        tracked = self.fields_get(
            names, attributes=("string", "type", "selection", "currency_field")
        )
        # None: created in this transaction, which Odoo's tracking leaves untracked too
        prepared = self.env.cr.precommit.data.get("mail.tracking.%s" % self._name, {})
        tracking = {}
        for partner in self.browse(list(initial)).exists():
            if partner.id in prepared and prepared[partner.id] is None:
                continue
            _changes, commands = partner._mail_track(tracked, initial[partner.id])
            if commands:
                tracking[partner.id] = [values for _command, _id, values in commands]
        if not tracking:
            return self.env["mail.message"]
        partners = self.browse(list(tracking)).with_context(clean_context(context))
        messages = partners._message_log_batch(dict.fromkeys(tracking, ""))
        self.env["mail.tracking.value"].sudo().create(
            [
                {**values, "mail_message_id": message.id}
                for message in messages
                for values in tracking[message.res_id]
            ]
        )
        return messages
