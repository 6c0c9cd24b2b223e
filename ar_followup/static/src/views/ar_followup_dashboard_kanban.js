// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import { onWillDestroy } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { useDebounced } from "@web/core/utils/timing";
import { KanbanController } from "@web/views/kanban/kanban_controller";
import { kanbanView } from "@web/views/kanban/kanban_view";

// several reminders sent or payments matched together arrive as a burst: read the card once
const RELOAD_DELAY = 500;

/**
 * The collections dashboard: when the server says a company's activity moved (a reminder
 * sent or replied, a payment matched), the cards of that company are read again, so
 * today's activity shows without reloading the page.
 */
export class ArFollowupDashboardController extends KanbanController {
    setup() {
        super.setup();
        const busService = useService("bus_service");
        const companies = new Set();
        const reload = useDebounced(async () => {
            const records = this.model.root.records.filter((record) =>
                companies.has(record.data.company_id.id)
            );
            companies.clear();
            await Promise.all(records.map((record) => record.load()));
        }, RELOAD_DELAY);
        const onActivity = ({ company_id }) => {
            companies.add(company_id);
            reload();
        };
        busService.subscribe("ar_followup.activity", onActivity);
        onWillDestroy(() => busService.unsubscribe("ar_followup.activity", onActivity));
    }
}

registry.category("views").add("ar_followup_dashboard_kanban", {
    ...kanbanView,
    Controller: ArFollowupDashboardController,
});
