//! Finds the official Dots OpenAPI document among the shared documents (`../shared/provider-specs/`
//! beside the workspace, or `PAYOUTSIM_SHARED`). When it is there, the crate is built with
//! `cfg(dots_spec)` and `PAYOUTSIM_DOTS_SPEC` names it, and the spec-validation test runs;
//! otherwise that test is reported as ignored, with the reason.

#[path = "../payoutsim-openapi/src/shared.rs"]
mod shared;

fn main() {
    shared::announce_provider_spec("dots-v2.openapi.yaml", "dots_spec", "PAYOUTSIM_DOTS_SPEC");
}
