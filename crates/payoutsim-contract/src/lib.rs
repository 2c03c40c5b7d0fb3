//! payoutsim-contract: the cucumber contract suite. It states each provider's wire contract in
//! Gherkin (`features/<provider>/**/*.feature` at the repository root) and runs a client through it
//! against the simulator or the provider's real sandbox. The whole suite is this library, so
//! that both `cargo test -p payoutsim-contract` (the thin test target `tests/contract/main.rs`)
//! and `payoutsim contract` run it; [`run`] is the entry point.
//!
//! The suite cannot depend on the `payoutsim` crate, whose binary depends on it: for the
//! in-process target it takes a [`Starter`] (a fresh simulator per scenario), which the
//! `payoutsim` crate implements (`payoutsim::suite::InProcess`) and both callers pass in.
//!
//! cucumber collects steps with `inventory`: its registrations come with any build that links
//! this library (cucumber issue #271 is about a crate nothing uses, which is not linked), and the
//! runner checks at start that every step attribute under `src/steps/` was registered (the build
//! script counts them).
//!
//! Layout (`src/`):
//! - `runner.rs`: [`run`]: a fresh World per scenario, 4 scenarios at a time, skipped steps fail,
//!   `@sim` scenarios left out on the sandbox, a provider's folder left out (with a note) where
//!   the target does not serve it, only the providers asked for, a summary line, the JUnit and
//!   cucumber JSON reports
//! - `features.rs`: [`Features`]: the repository's `features/` embedded at build time
//!   (`build.rs`), or a directory; `simulator.rs`: [`Starter`] and [`Simulator`]
//! - `world.rs`: the World: what every provider shares (target, simulator, each provider's URL
//!   by name, admin API, last exchange, webhook receiver) and one state per provider
//!   (`onepay`, `onspot`, `kashpay`, `tupay`, `dots`), each a `ProviderState` (its tenants, its
//!   placeholders)
//! - `conformance.rs`: every answer of a simulator target checked against its OpenAPI document
//!   (the target's own, or those of [`DOCUMENTS_ENV`]); a violation fails the step
//! - `target.rs`: the [`Target`], from the environment or given; `client.rs`: client adapters;
//!   `adapter.rs`: the suite's side of the adapter protocol (`docs/adapter-protocol.md`);
//!   `receiver.rs`: the webhook receiver; `params.rs`: custom cucumber parameters
//! - `placeholders.rs`: `{tenant}`, `{customer:ana}`… in step text
//! - `steps/<provider>/`: each provider's own steps, one file per concept of its API
//!   (`steps/onepay/`, `steps/onspot/`, `steps/kashpay/`, `steps/tupay/`, `steps/dots/`)
//! - `steps/*.rs`: the steps that work alike for every provider, naming it where it matters:
//!   `http` (status, fields, headers), `clock`, `journal`, `faults` (`Given a fault rule for
//!   {provider}:`), `webhooks` (the receiver, the delivery log)
//!
//! Features follow the same split: `features/<provider>/` (subfolders allowed, e.g.
//! `features/onepay/faults/`), and a target runs a provider's folder only if it serves that
//! provider.
//!
//! # Running it
//!
//! `payoutsim contract --help` gives the binary's options (the same targets as flags). In the
//! repository:
//!
//! ```text
//! # 1. default: a fresh in-process simulator per scenario (free ports, manual clock, seed 1)
//! cargo test -p payoutsim-contract
//!
//! # 2. a running simulator (never reset; each scenario uses fresh random credentials and moves
//! #    only its own tenants' clocks); best started with --clock manual. The admin URL is
//! #    required; give the URL of each provider to run, the others' folders are left out
//! payoutsim serve --port-base 0 --clock manual --ready-file /tmp/ready.json
//! PAYOUTSIM_TARGET=url PAYOUTSIM_ADMIN_URL=http://127.0.0.1:4700 \
//!   PAYOUTSIM_ONSPOT_URL=http://127.0.0.1:4701 PAYOUTSIM_ONEPAY_URL=http://127.0.0.1:4702 \
//!   PAYOUTSIM_KASHPAY_URL=http://127.0.0.1:4703 PAYOUTSIM_TUPAY_URL=http://127.0.0.1:4704 \
//!   PAYOUTSIM_DOTS_URL=http://127.0.0.1:4705 [PAYOUTSIM_ADMIN_TOKEN=…] \
//!   cargo test -p payoutsim-contract
//!
//! # 3. the providers' real sandboxes: each one's <PROVIDER>_BASE_URL and the one set of
//! #    credentials its sandbox account has (OnSpot: ONSPOT_PUBLIC_KEY and ONSPOT_SECRET_KEY,
//! #    Generate Token's publicKey and secretKey, and ONSPOT_ENVIRONMENT, the environment
//! #    header the pair belongs to, test unless set to live; OnePay: ONEPAY_API_KEY; Kashpay:
//! #    KASHPAY_ENTITY, KASHPAY_USER and KASHPAY_PASSWORD, authenticate's entity, user and
//! #    password; Tupay: TUPAY_ACCESS_KEY and TUPAY_SECRET_KEY, its API user; Dots:
//! #    DOTS_CLIENT_ID and DOTS_API_KEY, a sandbox pk_dev_/sk_dev_ pair). Scenarios tagged
//! #    @sim are left out, and a note says how many and why
//! PAYOUTSIM_TARGET=sandbox ONEPAY_BASE_URL=https://… ONEPAY_API_KEY=sk_test_… \
//!   cargo test -p payoutsim-contract
//! PAYOUTSIM_TARGET=sandbox \
//!   ONSPOT_BASE_URL=https://i3tr171rb6.execute-api.us-east-1.amazonaws.com/v1 \
//!   ONSPOT_PUBLIC_KEY=… ONSPOT_SECRET_KEY=… [ONSPOT_ENVIRONMENT=test] \
//!   cargo test -p payoutsim-contract
//! PAYOUTSIM_TARGET=sandbox KASHPAY_BASE_URL=http://sdbx-… KASHPAY_ENTITY=com.… \
//!   KASHPAY_USER=… KASHPAY_PASSWORD=… cargo test -p payoutsim-contract
//! PAYOUTSIM_TARGET=sandbox TUPAY_BASE_URL=https://merchants-api-stg.tupayonline.com \
//!   TUPAY_ACCESS_KEY=api-user@example.com TUPAY_SECRET_KEY=… cargo test -p payoutsim-contract
//! PAYOUTSIM_TARGET=sandbox DOTS_BASE_URL=https://pls.senddotssandbox.com/api \
//!   DOTS_CLIENT_ID=pk_dev_… DOTS_API_KEY=sk_dev_… cargo test -p payoutsim-contract
//! ```
//!
//! `DOTS_BASE_URL` may end in the `/api` Dots' documents give its base URLs, or not: the Dots
//! steps write paths as `/api/v2/…`, as the simulator serves them and its journal and fault
//! rules see them.
//!
//! A folder left out is named before the summary line, with its scenario count and the variable
//! to set, e.g. `contract note: left out features/kashpay/ (40 scenarios): the target has no
//! kashpay URL (PAYOUTSIM_KASHPAY_URL is not set)`; on the sandbox so are the `@sim` scenarios,
//! counted (`contract note: left out 47 @sim scenarios: …`). The notes are also in
//! [`Summary::notes`].
//!
//! Cucumber's own options follow `--`, e.g. `cargo test -p payoutsim-contract -- --name balance`
//! or `-- --tags '@sim'`; they narrow the run further, never past what the target leaves out.
//! `PAYOUTSIM_FEATURES=<dir>` runs another features directory.
//!
//! `@sim` marks scenarios that need the simulator: its admin API (clock, back office, journal,
//! webhook deliveries) or its guarantees (a fresh tenant's exact balance, a live key on demand,
//! magic values, a webhook receiver on 127.0.0.1). On the sandbox every scenario shares the one
//! key, so balance checks there are relative ("has gone down by") and tagged `@serial`; Dots'
//! scenarios that run there check only the wallets of the users they made, and spend a few
//! cents of the shared app's wallet each (its sandbox $100 is not refilled by the suite).
//! OnSpot's scenarios that do not depend on the environment take `Given an OnSpot key pair`
//! (the sandbox's own pair there, a fresh test pair on a simulator); those that need a second
//! pair, a pair of the other environment, or the back office are `@sim`. Kashpay's scenarios
//! that check a fresh entity's balance or prefix, or create orders under fixed references
//! (which a sandbox entity keeps from one run to the next), are `@sim`, each with a comment
//! saying why.
//!
//! Exercised so far: targets 1 and 2 (against `payoutsim serve`, twice in a row on the same
//! process, with an admin token; and with only some providers' URLs); target 3's code path only
//! against a simulator standing in for the sandbox (one shared `sk_test_` key, or one Dots
//! `pk_dev_`/`sk_dev_` pair, run repeatedly; OnSpot's one pair and Kashpay's one entity in
//! `tests/sandbox.rs`, run once), never against the real providers.
//!
//! # The client under test
//!
//! The `@client` scenarios (`features/<provider>/client/`, steps in `steps/client/`) check a
//! payout client rather than the wire: the suite asks it to perform operations (`payout.create`,
//! `payout.get`, `payout.find`, `balance.get`, `webhook.receive`, `payout.known_status`), breaks
//! the exchange with the fault layer or the clock, and checks the client's answer and the
//! provider's end state. `client_under_test.rs` puts the two clients behind one interface: the
//! built-in one (`builtin.rs`, a fresh one per scenario) and a team's adapter process
//! (`adapter.rs`, the protocol of `docs/adapter-protocol.md`; one process for the run, the
//! scenarios taking turns, `reset` before each). [`Options::client`] (`PAYOUTSIM_CLIENT` for
//! the test target, `--client CMD` for the binary) picks the adapter; then only the `@client`
//! scenarios run.
//!
//! Each client scenario is tagged with its capability (`capabilities.rs`: `@lost-answer`,
//! `@retry-after`, …) and `@needs:<op>` for each operation it uses. One whose operation the
//! client lacks for its provider is not applicable: left out, named in a `contract note:`, a
//! skipped test case in the JUnit report. After the summary line the run prints the capability
//! × provider table, which [`Summary::capabilities`] also holds. The client's waits go through
//! the suite: on a simulator they advance the scenario's tenants' clocks, so `Retry-After: 30`
//! takes no real time.

pub mod adapter;
pub mod builtin;
pub mod capabilities;
mod client;
pub mod client_under_test;
mod conformance;
mod features;
mod params;
pub mod placeholders;
mod receiver;
mod runner;
mod simulator;
mod steps;
mod target;
mod world;

pub use conformance::DOCUMENTS_ENV;
pub use features::Features;
pub use runner::{CucumberCli, Options, SetupError, Summary, run};
pub use simulator::{Simulator, Starter};
pub use target::{PROVIDERS, Target};
