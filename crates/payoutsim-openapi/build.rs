//! Finds the official Dots OpenAPI document among the shared documents. When it is there, the
//! crate is built with `cfg(dots_spec)` and `PAYOUTSIM_DOTS_SPEC` names it; the tests over it are
//! otherwise reported as ignored, with the reason.

#[path = "src/shared.rs"]
mod shared;

use std::path::{Path, PathBuf};

const DOTS_SPEC: &str = "dots-v2.openapi.yaml";

fn main() {
    println!("cargo::rustc-check-cfg=cfg(dots_spec)");
    println!("cargo::rerun-if-env-changed={}", shared::SHARED_ENV);
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let workspace_root = manifest_dir.ancestors().nth(2).unwrap_or(Path::new("."));
    let env = std::env::var_os(shared::SHARED_ENV);
    match shared::find_provider_spec(DOTS_SPEC, env.clone(), workspace_root) {
        Some(path) => {
            println!("cargo::rerun-if-changed={}", path.display());
            println!("cargo::rustc-cfg=dots_spec");
            println!("cargo::rustc-env=PAYOUTSIM_DOTS_SPEC={}", path.display());
        }
        None => {
            // Notice the document appearing later: watch the shared directories that exist.
            for dir in shared::shared_dirs(env, workspace_root) {
                let specs = dir.join("provider-specs");
                let watched = if specs.is_dir() { specs } else { dir };
                if watched.is_dir() {
                    println!("cargo::rerun-if-changed={}", watched.display());
                }
            }
        }
    }
}
