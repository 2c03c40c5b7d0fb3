//! The fault rules as the engine's [`WebhookFaults`]: `webhook_*` rules, matched on provider,
//! tenant and event, decide what happens to each webhook message.

use payoutsim_core::WeakEngine;
use payoutsim_core::webhooks::{WebhookFault, WebhookFaults};

use crate::matcher::Subject;
use crate::rule::Fault;
use crate::store::Faults;

/// Installed on the engine with `Engine::set_webhook_faults`. It holds the engine weakly: the
/// engine holds it.
#[derive(Debug)]
pub struct WebhookRules {
    pub faults: Faults,
    pub engine: WeakEngine,
}

impl WebhookFaults for WebhookRules {
    fn decide(&self, provider: &str, tenant: &str, event: &str) -> WebhookFault {
        if self.faults.is_empty() {
            return WebhookFault::Deliver;
        }
        let Some(engine) = self.engine.upgrade() else {
            return WebhookFault::Deliver;
        };
        let subject = Subject {
            provider,
            tenant: Some(tenant),
            event: Some(event),
            ..Subject::default()
        };
        let decision = self
            .faults
            .decide(&engine, &subject, |_| (None, None), true);
        let Some(rule) = decision.fault else {
            return WebhookFault::Deliver;
        };
        let id = rule.id.clone();
        match &rule.rule.fault {
            Fault::WebhookDrop => WebhookFault::Drop { rule: id },
            Fault::WebhookDuplicate => WebhookFault::Duplicate { rule: id },
            Fault::WebhookDelay { delay_s } => WebhookFault::Delay {
                rule: id,
                seconds: *delay_s,
            },
            Fault::WebhookReorder => WebhookFault::Reorder { rule: id },
            _ => WebhookFault::Deliver,
        }
    }
}
