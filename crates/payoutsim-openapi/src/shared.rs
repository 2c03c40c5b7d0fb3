//! Where the project's shared documents are found: the directory named by `PAYOUTSIM_SHARED`,
//! else `shared/` beside the workspace root (`<workspace>/../shared`). The build script includes
//! this file too, so the compile-time lookup and the runtime one cannot drift apart.

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
