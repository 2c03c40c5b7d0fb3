//! Where the project's shared documents are found: the directory named by `PAYOUTSIM_SHARED`,
//! else `shared/` beside the workspace root (`<workspace>/../shared`). This crate's build script
//! includes this file (`#[path]`), so the compile-time lookup and the runtime one cannot drift
//! apart; another crate's build script may include it the same way.

use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

/// The variable naming the shared directory (the one holding `provider-specs/`).
pub const SHARED_ENV: &str = "PAYOUTSIM_SHARED";

/// The directories that may hold the shared documents, most specific first.
pub fn shared_dirs(env: Option<OsString>, workspace_root: &Path) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(dir) = env.filter(|dir| !dir.is_empty()) {
        dirs.push(PathBuf::from(dir));
    }
    if let Some(parent) = workspace_root.parent() {
        dirs.push(parent.join("shared"));
    }
    dirs
}

/// The absolute path of `provider-specs/<name>` in the first shared directory that has it.
/// `name` must be a plain file name: anything with a directory part finds nothing.
pub fn find_provider_spec(
    name: &str,
    env: Option<OsString>,
    workspace_root: &Path,
) -> Option<PathBuf> {
    let mut components = Path::new(name).components();
    let plain =
        matches!(components.next(), Some(Component::Normal(_))) && components.next().is_none();
    if !plain {
        return None;
    }
    shared_dirs(env, workspace_root)
        .into_iter()
        .map(|dir| dir.join("provider-specs").join(name))
        .find(|path| path.is_file())
        .and_then(|path| path.canonicalize().ok())
}

/// For a build script of a crate under `crates/`: looks for `provider-specs/<name>` and tells
/// cargo. Always declares `cfg(<cfg>)`; when the document is found, sets it, names the
/// document's absolute path in the compile-time variable `env`, and reruns when the document
/// changes; otherwise reruns when a shared directory changes, so that the document appearing
/// is noticed.
pub fn announce_provider_spec(name: &str, cfg: &str, env: &str) {
    println!("cargo::rustc-check-cfg=cfg({cfg})");
    println!("cargo::rerun-if-env-changed={SHARED_ENV}");
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let workspace_root = manifest_dir.ancestors().nth(2).unwrap_or(Path::new("."));
    let shared = std::env::var_os(SHARED_ENV);
    match find_provider_spec(name, shared.clone(), workspace_root) {
        Some(path) => {
            println!("cargo::rerun-if-changed={}", path.display());
            println!("cargo::rustc-cfg={cfg}");
            println!("cargo::rustc-env={env}={}", path.display());
        }
        None => {
            for dir in shared_dirs(shared, workspace_root) {
                let specs = dir.join("provider-specs");
                let watched = if specs.is_dir() { specs } else { dir };
                if watched.is_dir() {
                    println!("cargo::rerun-if-changed={}", watched.display());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A directory of its own under the system's temporary directory, removed when dropped.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir()
                .join(format!("payoutsim-openapi-{}-{name}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(dir.join("shared/provider-specs")).expect("scratch directory");
            std::fs::create_dir_all(dir.join("workspace")).expect("scratch directory");
            Self(dir)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn a_spec_beside_the_workspace_is_found_by_its_absolute_path() {
        let scratch = Scratch::new("beside");
        let spec = scratch.0.join("shared/provider-specs/acme.yaml");
        std::fs::write(&spec, "openapi: 3.1.0\n").expect("write");
        let found = find_provider_spec("acme.yaml", None, &scratch.0.join("workspace"));
        assert_eq!(found, spec.canonicalize().ok());
        assert!(found.is_some_and(|path| path.is_absolute()));
    }

    #[test]
    fn the_shared_directory_named_by_the_environment_comes_first() {
        let scratch = Scratch::new("env");
        let other = scratch.0.join("other");
        std::fs::create_dir_all(other.join("provider-specs")).expect("mkdir");
        std::fs::write(other.join("provider-specs/acme.yaml"), "x").expect("write");
        std::fs::write(scratch.0.join("shared/provider-specs/acme.yaml"), "y").expect("write");
        let found = find_provider_spec(
            "acme.yaml",
            Some(other.clone().into()),
            &scratch.0.join("workspace"),
        );
        assert_eq!(
            found,
            other.join("provider-specs/acme.yaml").canonicalize().ok()
        );
    }

    #[test]
    fn a_missing_spec_or_a_name_with_a_directory_part_finds_nothing() {
        let scratch = Scratch::new("missing");
        std::fs::write(scratch.0.join("shared/acme.yaml"), "x").expect("write");
        let root = scratch.0.join("workspace");
        assert_eq!(find_provider_spec("absent.yaml", None, &root), None);
        assert_eq!(find_provider_spec("../acme.yaml", None, &root), None);
        assert_eq!(find_provider_spec("", None, &root), None);
    }
}
