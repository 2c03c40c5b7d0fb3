//! Background work: the webhook dispatcher, woken when messages are queued (it starts a sender
//! per lane, see `delivery.rs`), and with a `real` clock a ticker that applies due transitions
//! every 50 ms of wall time.

use std::sync::Arc;

use crate::clock::ClockMode;

use super::Engine;

impl Engine {
    /// Starts the background work. Ends when the engine is dropped.
    pub fn spawn_background(&self) -> tokio::task::JoinHandle<()> {
        let weak = Arc::downgrade(&self.0);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_millis(50));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                let Some(shared) = weak.upgrade() else { return };
                let engine = Engine(shared);
                let real = engine.0.clock.mode() == ClockMode::Real;
                tokio::select! {
                    _ = engine.0.wake.notified() => engine.dispatch(),
                    _ = tick.tick(), if real => {
                        engine.tick().await;
                        engine.dispatch();
                    }
                }
                // Drop the strong handle before waiting again, so the engine can be freed.
                drop(engine);
            }
        })
    }

    /// One tick of a `real` clock: applies what fell due. With a recorder (`--data-dir`), under
    /// the input lock and at one held instant, which the recorder logs when anything was applied.
    async fn tick(&self) {
        let Some(recorder) = self.recorder() else {
            self.run_due(None);
            return;
        };
        let _input = self.input_lock().lock().await;
        let at = self.0.clock.hold();
        if self.run_due(None) > 0 {
            recorder.ticked(at);
        }
        self.0.clock.release();
    }
}
