/* License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */
import { registry } from "@web/core/registry";

// The debtor follows the link of a reminder (data made by test_receivables_tour.py):
// three open invoices, known by their references PO/BST/4471, 4502 and 4610.
function row(reference) {
    return `tr.o_ar_invoice:has(td:contains(${reference}))`;
}

function tick(reference) {
    return {
        content: `tick ${reference}`,
        trigger: `${row(reference)} input[name=move_ids]`,
        run: "check",
    };
}

registry.category("web_tour.tours").add("ar_followup_receivables_tour", {
    steps: () => [
        {
            content: "the breakup of what is owed",
            trigger: `${row("PO/BST/4471")} td:contains(45)`,
        },
        { trigger: `${row("PO/BST/4502")}` },
        { trigger: `${row("PO/BST/4610")}` },
        tick("PO/BST/4471"),
        {
            content: "the reason of the dispute",
            trigger: "select[name=reason]",
            run: "select quality",
        },
        {
            trigger: "textarea[name=description]",
            run: "edit Half the pipes were bent.",
        },
        {
            content: "raise the dispute",
            trigger: "button.o_ar_dispute",
            run: "click",
            expectUnloadPage: true,
        },
        { trigger: ".o_ar_done:contains(your dispute is recorded)" },
        { trigger: `${row("PO/BST/4471")} .o_ar_status:contains(Disputed)` },
        tick("PO/BST/4502"),
        tick("PO/BST/4610"),
        {
            content: "the date of the promise",
            trigger: "input[name=date]",
            run() {
                this.anchor.value = "2026-07-01";
            },
        },
        {
            trigger: "input[name=amount]",
            run: "edit 300000",
        },
        {
            content: "promise to pay the rest",
            trigger: "button.o_ar_promise",
            run: "click",
            expectUnloadPage: true,
        },
        { trigger: ".o_ar_done:contains(your promise to pay is recorded)" },
        { trigger: `${row("PO/BST/4610")} .o_ar_status:contains(Promised)` },
        tick("PO/BST/4610"),
        {
            content: "pay that one online",
            trigger: "button.o_ar_pay",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "the demo card",
            trigger: "input[name=customer_input]",
            run: "edit 4242424242424242",
        },
        {
            trigger: "button[name=o_payment_submit_button]",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "back on the page, thanked",
            trigger: ".o_ar_done:contains(Thank you for your payment)",
        },
    ],
});
