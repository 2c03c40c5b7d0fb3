//! Finds the official Dots OpenAPI document among the shared documents. When it is there, the
//! crate is built with `cfg(dots_spec)` and `PAYOUTSIM_DOTS_SPEC` names it; the tests over it are
//! otherwise reported as ignored, with the reason.

#[path = "src/shared.rs"]
mod shared;

fn main() {
    shared::announce_provider_spec("dots-v2.openapi.yaml", "dots_spec", "PAYOUTSIM_DOTS_SPEC");
}
