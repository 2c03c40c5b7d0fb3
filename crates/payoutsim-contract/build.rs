//! Embeds the repository's `features/` in the library (so `payoutsim contract` runs from any
//! directory, without a checkout) and counts the step attributes under `src/steps/` (so the
//! runner can tell when a link dropped some of them).
//!
//! Writes `$OUT_DIR/embedded.rs`: `FEATURES`, each `*.feature` file's path under `features/`
//! and its text (sorted by path), and `STEP_ATTRIBUTES`, the number of `#[given`/`#[when`/
//! `#[then` attributes in the steps.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs, io};

fn main() -> io::Result<()> {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").ok_or_else(missing_var)?);
    let features = manifest.join("../../features");
    let steps = manifest.join("src/steps");
    println!("cargo:rerun-if-changed={}", features.display());
    println!("cargo:rerun-if-changed={}", steps.display());

    let mut files = Vec::new();
    walk(&features, &mut files)?;
    files.retain(|f| f.extension().is_some_and(|e| e == "feature"));
    files.sort();

    let mut out = String::from(
        "/// Every feature file of the repository's `features/`: its path there, its text.\n",
    );
    out.push_str("pub static FEATURES: &[(&str, &str)] = &[\n");
    for file in &files {
        let relative = file.strip_prefix(&features).map_err(io::Error::other)?;
        let relative = relative.to_str().ok_or_else(|| not_utf8(file))?;
        let absolute = fs::canonicalize(file)?;
        let absolute = absolute.to_str().ok_or_else(|| not_utf8(file))?;
        writeln!(out, "    ({relative:?}, include_str!({absolute:?})),")
            .map_err(io::Error::other)?;
    }
    out.push_str("];\n");

    let mut sources = Vec::new();
    walk(&steps, &mut sources)?;
    let mut attributes = 0;
    for source in sources
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "rs"))
    {
        attributes += fs::read_to_string(source)?
            .lines()
            .map(str::trim_start)
            .filter(|l| {
                ["#[given", "#[when", "#[then"]
                    .iter()
                    .any(|a| l.starts_with(a))
            })
            .count();
    }
    out.push_str(
        "/// How many step attributes (`#[given]`, `#[when]`, `#[then]`) `src/steps/` holds.\n",
    );
    writeln!(out, "pub const STEP_ATTRIBUTES: usize = {attributes};").map_err(io::Error::other)?;

    let dest = PathBuf::from(env::var_os("OUT_DIR").ok_or_else(missing_var)?).join("embedded.rs");
    fs::write(dest, out)
}

/// Every file under `dir`, recursively.
fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}

fn missing_var() -> io::Error {
    io::Error::other("cargo sets CARGO_MANIFEST_DIR and OUT_DIR for build scripts")
}

fn not_utf8(path: &Path) -> io::Error {
    io::Error::other(format!("{} is not UTF-8", path.display()))
}
