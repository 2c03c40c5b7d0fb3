//! The binary as the container image runs it: configured by `PAYOUTSIM_*` variables alone,
//! checked by `payoutsim health` (the image's `HEALTHCHECK`), and `payoutsim --version`.
#![allow(clippy::unwrap_used)] // tests: an unexpected error should fail loudly

mod common;

use std::net::TcpListener;
use std::process::Output;

use common::get_json;
use common::process::{Ready, bin, serve_manual, spawn_ready};
use payoutsim::REGISTRY;

/// The outage scenario from `scenarios/`: one rule, `outage`, and a manual clock.
const OUTAGE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../scenarios/onepay-outage-503.yaml"
);

/// The variables `payoutsim health` reads, removed so that the test's environment cannot leak in.
const HEALTH_VARIABLES: [&str; 4] = [
    "PAYOUTSIM_HEALTH_URL",
    "PAYOUTSIM_PORT_BASE",
    "PAYOUTSIM_ADMIN_TOKEN",
    "PAYOUTSIM_HEALTH_TIMEOUT",
];

/// `payoutsim health` with `args` and `env`, nothing else from the test's environment.
fn health(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = bin();
    command.arg("health").args(args);
    for name in HEALTH_VARIABLES {
        command.env_remove(name);
    }
    command.envs(env.iter().copied()).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `payoutsim health` failed with exit status 1 (a health check's "unhealthy") saying `why`.
fn assert_unhealthy(out: &Output, why: &str) {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(why), "no `{why}` in: {err}");
}

/// The port of an `http://127.0.0.1:PORT` URL from the ready file.
fn port_of(url: &str) -> String {
    url.rsplit(':').next().unwrap().to_owned()
}

/// `payoutsim serve` on free ports, with a manual clock, quiet, and `args`, ready; `tag` keeps
/// its ready file apart from the other tests'.
fn serve(tag: &str, args: &[&str]) -> Ready {
    spawn_ready(serve_manual(1, &[&["--log", "warn"], args].concat()), tag)
}

fn stop(mut ready: Ready) {
    ready.child.kill().unwrap();
    ready.child.wait().unwrap();
}

#[tokio::test]
async fn serve_takes_its_whole_configuration_from_payoutsim_variables() {
    let mut command = bin();
    command
        .arg("serve")
        .env("PAYOUTSIM_PORT_BASE", "0")
        .env("PAYOUTSIM_BIND", "127.0.0.1")
        .env("PAYOUTSIM_SEED", "4242")
        .env("PAYOUTSIM_CLOCK", "manual")
        .env("PAYOUTSIM_START_TIME", "2026-03-02T09:00:00Z")
        .env("PAYOUTSIM_PROVIDERS", "tupay,onepay")
        .env("PAYOUTSIM_SCENARIO", OUTAGE)
        .env("PAYOUTSIM_TUPAY_HISTORY_DAYS", "1")
        .env("PAYOUTSIM_TUPAY_SECURE_COOKIE", "true")
        .env("PAYOUTSIM_LOG", "warn");
    let ready = spawn_ready(command, "container-env");

    let admin = ready.urls["admin"].as_str().unwrap().to_owned();
    let health = get_json(&format!("{admin}/__admin/health")).await;
    let rules = get_json(&format!("{admin}/__admin/faults")).await;
    let login = reqwest::Client::new()
        .post(format!(
            "{}/v1/auth/login",
            ready.urls["tupay"].as_str().unwrap()
        ))
        .json(&serde_json::json!({"accessKey": "ops@example.com", "secretKey": "s3cret"}))
        .send()
        .await
        .unwrap();
    let served: Vec<String> = ready.urls.as_object().unwrap().keys().cloned().collect();
    stop(ready);

    assert_eq!(health["seed"], 4242);
    assert_eq!(health["clock"]["mode"], "manual");
    assert_eq!(health["clock"]["now"], "2026-03-02T09:00:00.000000Z");
    assert_eq!(health["providers"], serde_json::json!(["onepay", "tupay"]));
    assert_eq!(served, ["admin", "onepay", "tupay"]);
    assert_eq!(rules["rules"][0]["id"], "outage");
    let cookie = login.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.contains("; Secure"),
        "a switch set to true: {cookie}"
    );
}

#[test]
fn health_answers_ok_with_the_providers_from_the_admin_port_of_the_port_base() {
    let ready = serve("container-health", &["--providers", "onspot,tupay"]);
    let port = port_of(ready.urls["admin"].as_str().unwrap());

    let by_flag = health(&["--port-base", &port], &[]);
    let by_variable = health(&[], &[("PAYOUTSIM_PORT_BASE", &port)]);
    stop(ready);

    for out in [by_flag, by_variable] {
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(
            text(&out.stdout),
            format!("ok: http://127.0.0.1:{port}/__admin/health: providers onspot, tupay\n")
        );
    }
}

#[test]
fn health_sends_the_admin_token_and_fails_with_the_401_without_it() {
    let ready = serve("container-token", &["--admin-token", "s3cret"]);
    let url = format!("{}/__admin/health", ready.urls["admin"].as_str().unwrap());

    let without = health(&["--url", &url], &[]);
    let wrong = health(&["--url", &url, "--admin-token", "nope"], &[]);
    let by_variable = health(&["--url", &url], &[("PAYOUTSIM_ADMIN_TOKEN", "s3cret")]);
    stop(ready);

    assert_unhealthy(&without, &format!("{url}: 401 Unauthorized"));
    assert_unhealthy(&wrong, &format!("{url}: 401 Unauthorized"));
    assert!(
        by_variable.status.success(),
        "{}",
        text(&by_variable.stderr)
    );
}

#[test]
fn health_fails_when_nothing_listens_on_the_port() {
    // A port that was free a moment ago, and is closed again.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string();

    let out = health(&["--port-base", &port, "--timeout", "2"], &[]);

    let url = format!("http://127.0.0.1:{port}/__admin/health");
    assert_unhealthy(&out, &format!("{url}: no answer"));
}

#[test]
fn health_fails_on_an_answer_that_is_not_the_simulators_health() {
    // A provider port answers, but not with the admin API's health.
    let ready = serve("container-404", &["--providers", "onepay"]);
    let url = format!("{}/__admin/health", ready.urls["onepay"].as_str().unwrap());

    let out = health(&["--url", &url], &[]);
    stop(ready);

    assert_unhealthy(&out, &format!("{url}: 404 Not Found"));
}

#[test]
fn health_refuses_port_base_0_without_a_url_and_a_timeout_of_0() {
    let free_ports = health(&["--port-base", "0"], &[]);
    let no_time = health(&["--timeout", "0"], &[]);

    assert_unhealthy(
        &free_ports,
        "--port-base 0 picks free ports: give the health URL with --url",
    );
    assert_unhealthy(&no_time, "--timeout must be a positive number, got 0");
}

#[test]
fn version_prints_the_version_and_every_emulated_provider_with_its_port() {
    let long = bin().arg("--version").output().unwrap();
    let short = bin().arg("-V").output().unwrap();

    assert!(long.status.success() && short.status.success());
    let version = format!("payoutsim {}", env!("CARGO_PKG_VERSION"));
    assert_eq!(text(&short.stdout), format!("{version}\n"));
    let out = text(&long.stdout);
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some(version.as_str()));
    assert_eq!(
        lines.next(),
        Some("admin API on port 4700; emulated providers:")
    );
    let rest: Vec<&str> = lines.collect();
    assert_eq!(rest.len(), REGISTRY.len(), "{out}");
    for (line, entry) in rest.iter().zip(REGISTRY) {
        let port = (4700 + entry.port_offset).to_string();
        let words: Vec<&str> = line.split_whitespace().take(2).collect();
        assert_eq!(words, [entry.name, port.as_str()], "{out}");
        assert!(line.ends_with(entry.summary), "{out}");
    }
    assert!(
        out.contains("\n  dots     4705  apps, users,"),
        "aligned: {out}"
    );
}
