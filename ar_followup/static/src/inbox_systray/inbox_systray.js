import { Component, onWillStart, onWillUnmount, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import { useService } from "@web/core/utils/hooks";

/**
 * The AR inbox in the menu bar: how many customers wait for a person, for AR users.
 * Counted once when the web client loads, then again each time the server says the
 * number changed (a conversation opened or handled in one of the user's companies).
 */
export class ArInboxSystray extends Component {
    static template = "ar_followup.InboxSystray";
    static props = {};

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.busService = useService("bus_service");
        this.state = useState({ visible: false, count: 0 });
        this.onCountChanged = () => this.load();
        onWillStart(async () => {
            this.state.visible = await user.hasGroup("ar_followup.ar_followup_group_user");
            if (this.state.visible) {
                // not awaited: the web client does not wait for the count
                this.load();
                this.busService.subscribe(
                    "ar.followup.conversation/count_changed",
                    this.onCountChanged
                );
            }
        });
        onWillUnmount(() => {
            if (this.state.visible) {
                this.busService.unsubscribe(
                    "ar.followup.conversation/count_changed",
                    this.onCountChanged
                );
            }
        });
    }

    async load() {
        this.state.count = await this.orm.call(
            "ar.followup.conversation",
            "ar_get_waiting_count",
            []
        );
    }

    onClick() {
        this.action.doAction("ar_followup.ar_followup_conversation_action");
    }
}

registry
    .category("systray")
    .add("ar_followup.InboxSystray", { Component: ArInboxSystray }, { sequence: 30 });
