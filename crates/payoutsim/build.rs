//! The release binary's link order (issue 14, idle RSS).
//!
//! A start of `payoutsim serve` runs about 2,600 functions spread over the whole text; the
//! kernel maps 64 KiB around each page a start touches, so a default link made about 9 MiB of
//! text resident in an idle simulator. `link-order.txt` lists the functions a start runs
//! (recorded by `scripts/link_order.py`), and the linker puts them together at the front of the
//! text: the start then touches a few windows instead of about 130.
//!
//! Only release builds take the order (a debug build's functions are other ones), and only when
//! the linker accepts it: a probe links an empty program with the same flags first. The order
//! is a list of symbol names; a name the build does not define is skipped, so a stale list
//! costs memory, not correctness. `PAYOUTSIM_LINK_ORDER=off` links in the default order.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=link-order.txt");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=PAYOUTSIM_LINK_ORDER");
    if env::var("PROFILE").as_deref() != Ok("release")
        || env::var("PAYOUTSIM_LINK_ORDER").as_deref() == Ok("off")
    {
        return;
    }
    let Some(manifest) = env::var_os("CARGO_MANIFEST_DIR") else {
        return;
    };
    let order = Path::new(&manifest).join("link-order.txt");
    if !order.is_file() {
        return;
    }
    let args = [
        format!("-Wl,--symbol-ordering-file={}", order.display()),
        "-Wl,--no-warn-symbol-ordering".to_string(),
    ];
    if linker_takes(&args) {
        for arg in &args {
            println!("cargo:rustc-link-arg-bin=payoutsim={arg}");
        }
    } else {
        println!(
            "cargo:warning=the linker takes no symbol ordering file (lld and mold do): \
             payoutsim is linked in the default order, and an idle simulator holds more memory"
        );
    }
}

/// Whether an empty program links with `args` given to the linker, with the rustc, target,
/// linker and flags this build uses.
fn linker_takes(args: &[String]) -> bool {
    let (Some(out), Some(rustc)) = (env::var_os("OUT_DIR"), env::var_os("RUSTC")) else {
        return false;
    };
    let out = PathBuf::from(out);
    let source = out.join("link_probe.rs");
    if std::fs::write(&source, "fn main() {}\n").is_err() {
        return false;
    }
    let mut probe = Command::new(rustc);
    probe
        .arg(&source)
        .arg("-o")
        .arg(out.join("link_probe"))
        .args(["--crate-type", "bin", "-C", "opt-level=0"]);
    if let Ok(target) = env::var("TARGET") {
        probe.args(["--target", &target]);
    }
    if let Ok(linker) = env::var("RUSTC_LINKER") {
        probe.arg(format!("-Clinker={linker}"));
    }
    if let Ok(flags) = env::var("CARGO_ENCODED_RUSTFLAGS") {
        probe.args(flags.split('\x1f').filter(|f| !f.is_empty()));
    }
    for arg in args {
        probe.arg(format!("-Clink-arg={arg}"));
    }
    probe.output().is_ok_and(|o| o.status.success())
}
