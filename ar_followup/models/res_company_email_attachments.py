# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields
from odoo.tools import SQL, split_every

from .account_move_pdf import INVOICE_CHUNK
from .ar_followup_reminder.states import OPEN_STATES
from .res_partner_statement import STATEMENT_CHUNK

#: e-mail reminders whose PDFs are printed ahead: those due within this time
PREPARE_AHEAD = timedelta(hours=24)


class CompanyEmailAttachments:
    """The PDFs e-mail reminders carry, printed before they are sent (the e-mail channel).

    Printing is the slow part of sending a reminder with its invoices and
    statement (a wkhtmltopdf run costs a fixed start, then a little per page), so
    it is done ahead, many documents per run, by a cron of its own
    (:meth:`_ar_cron_prepare_attachments`), and what a dispatch batch still misses
    is printed for the whole batch before it is sent (:meth:`_ar_prepare_attachments`).
    A part of ``res.company`` (see ``res_company.py``).
    """

    __slots__ = ()  # a part of an Odoo model, whose instances have no __dict__

    @api.model
    def _ar_prepare_attachments(self, reminders, commit=None):
        """Print what these reminders will carry and is not printed yet: the PDFs of
        their invoices and their customers' statements of today, many per run.

        For the dispatcher, on a claimed batch before it is sent. Idempotent; with
        ``commit`` (``ir.cron._commit_progress``), each run is committed as it
        ends and printing stops when it answers that the cron's time is up. What is
        not printed is printed by the reminder itself, or goes without and says so.
        """
        reminders = reminders.sudo().filtered(lambda r: r.channel == "email")
        Move, Partner = self.env["account.move"].sudo(), self.env["res.partner"].sudo()
        for company, group in reminders.grouped("company_id").items():
            runs = []
            if company.ar_attach_invoices:
                moves = Move.union(*(reminder._ar_get_open_moves() for reminder in group))
                missing = moves.filtered(lambda move: not move.invoice_pdf_report_id)
                runs += [
                    lambda ids=ids: Move.browse(ids)._ar_get_invoice_pdfs(chunk_size=len(ids))
                    for ids in split_every(INVOICE_CHUNK, missing.ids, list)
                ]
            if company.ar_attach_statement:
                partners = group.partner_id.commercial_partner_id
                runs += [
                    lambda ids=ids, company=company: Partner.browse(ids)._ar_get_statement_pdfs(
                        company, chunk_size=len(ids)
                    )
                    for ids in split_every(STATEMENT_CHUNK, partners.ids, list)
                ]
            for run in runs:
                run()
                if commit and not commit():
                    return

    @api.model
    def _ar_cron_prepare_attachments(self):
        """Every few minutes: print the invoice PDFs and today's statements of the
        e-mail reminders due within a day or already due, soonest first.

        A chunk (one wkhtmltopdf run) at a time, each committed with the cron's
        progress; stops once the cron's time is up, and the cron runs again for
        the rest.
        """
        Cron = self.env["ir.cron"]
        chunks = self.sudo().search([])._ar_get_attachment_chunks(fields.Datetime.now())
        Cron._commit_progress(remaining=sum(len(ids) for _due, _print, ids in chunks))
        for _due, print_chunk, ids in chunks:
            print_chunk(ids)
            if not Cron._commit_progress(len(ids)):
                break

    def _ar_get_attachment_chunks(self, now):
        """``[(due, print_chunk, ids)]``, soonest first: the chunks of what the e-mail
        reminders of these companies due by ``now`` + :data:`PREPARE_AHEAD` will
        carry and is not printed yet. ``print_chunk(ids)`` prints one chunk.

        Invoice PDFs for all of them (an invoice's PDF is kept); statements only
        for those due by the end of the company's day (a statement is of a day).
        """
        Move = self.env["account.move"].sudo()
        Partner = self.env["res.partner"].sudo()
        chunks = []
        for company in self:
            if company.ar_attach_invoices:
                rows = self._ar_fetch_unprinted_invoices(company, now + PREPARE_AHEAD)
                for start in range(0, len(rows), INVOICE_CHUNK):
                    part = rows[start : start + INVOICE_CHUNK]
                    chunks.append(
                        (
                            part[0][1],
                            lambda ids: Move.browse(ids)._ar_get_invoice_pdfs(chunk_size=len(ids)),
                            [move_id for move_id, _due in part],
                        )
                    )
            if company.ar_attach_statement:
                today = company._ar_today()
                tz = pytz.timezone(company._ar_tz())
                end_of_day = (
                    tz.localize(datetime.combine(today + timedelta(days=1), time.min))
                    .astimezone(pytz.utc)
                    .replace(tzinfo=None)
                )
                rows = self._ar_fetch_unprinted_statements(
                    company, min(now + PREPARE_AHEAD, end_of_day), today
                )
                for start in range(0, len(rows), STATEMENT_CHUNK):
                    part = rows[start : start + STATEMENT_CHUNK]
                    chunks.append(
                        (
                            part[0][1],
                            lambda ids, company=company: Partner.browse(ids)._ar_get_statement_pdfs(
                                company, chunk_size=len(ids)
                            ),
                            [partner_id for partner_id, _due in part],
                        )
                    )
        chunks.sort(key=lambda chunk: chunk[0])
        return chunks

    # Raw SQL: one query over every waiting reminder, its items and its invoices'
    # kept PDFs, where the ORM would load each reminder, item and invoice (tens of
    # thousands on a planning day) to find the few PDFs still missing.

    @api.model
    def _ar_fetch_unprinted_invoices(self, company, until):
        """``[(invoice id, first due)]``: the open invoices of ``company``'s e-mail
        reminders waiting to go out by ``until`` that have no PDF yet, soonest first."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
            SELECT aml.move_id, MIN(r.date_scheduled) AS due
              FROM ar_followup_reminder r
              JOIN ar_followup_reminder_line rl ON rl.reminder_id = r.id
              JOIN account_move_line aml ON aml.id = rl.move_line_id
             WHERE r.company_id = %(company)s AND r.state IN %(states)s AND r.channel = 'email'
               AND r.date_scheduled <= %(until)s
               AND aml.parent_state = 'posted' AND NOT aml.reconciled AND aml.amount_residual > 0
               AND NOT EXISTS (
                   SELECT 1
                     FROM ir_attachment a
                    WHERE a.res_model = 'account.move' AND a.res_id = aml.move_id
                      AND a.res_field = 'invoice_pdf_report_file')
             GROUP BY aml.move_id
             ORDER BY due, aml.move_id
            """,
                company=company.id,
                states=OPEN_STATES,
                until=until,
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _ar_fetch_unprinted_statements(self, company, until, day):
        """``[(customer id, first due)]``: the customers (commercial partners) of
        ``company``'s e-mail reminders waiting to go out by ``until`` whose statement
        of ``day`` is not printed yet, soonest first."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
            SELECT p.commercial_partner_id, MIN(r.date_scheduled) AS due
              FROM ar_followup_reminder r
              JOIN res_partner p ON p.id = r.partner_id
             WHERE r.company_id = %(company)s AND r.state IN %(states)s AND r.channel = 'email'
               AND r.date_scheduled <= %(until)s
               AND NOT EXISTS (
                   SELECT 1
                     FROM ar_followup_statement s
                    WHERE s.partner_id = p.commercial_partner_id
                      AND s.company_id = r.company_id AND s.date = %(day)s)
             GROUP BY p.commercial_partner_id
             ORDER BY due, p.commercial_partner_id
            """,
                company=company.id,
                states=OPEN_STATES,
                until=until,
                day=day,
            )
        )
        return self.env.cr.fetchall()
