//! Users: `POST|GET /v2/users`, `GET|PATCH|DELETE /v2/users/{id}`,
//! `POST /v2/users/{id}/send-verification-token` (202; the code goes to the back office's SMS
//! outbox), `POST /v2/users/{id}/verify` (400 "Incorrect token"), and
//! `GET|PUT /v2/users/{id}/payout-methods`.
//!
//! E-mail addresses are unique per app in both environments (`auth-email-already-exists`),
//! user names too (`auth-username-already-exists`); phone numbers are unique in production
//! only (`invalid-phone-number`), sandbox allows duplicates (documented). New users are
//! `unverified`; lists are newest first.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use http::StatusCode;
use payoutsim_core::clock::rfc3339;
use payoutsim_core::kit::Auth;
use serde_json::{Value, json};

use crate::Dots;
use crate::auth::Caller;
use crate::error::{Body, DotsError, Id, Params, json as answer};
use crate::model::Phone;
use crate::pages::PageQuery;
use crate::render;
use crate::state::{AppData, Env, MethodRec, Sms, UserRec};
use crate::validation::{Fields, adjustment_1099};
use crate::webhooks;
use payoutsim_core::ordered::Order;

/// Payout rails (`rail`).
pub const RAILS: &[&str] = &[
    "ach",
    "paypal",
    "venmo",
    "cash_app",
    "intl_bank",
    "airtm",
    "payoneer",
    "crypto",
];
/// Platforms a payout method can be added for (`PUT …/payout-methods`).
pub const METHOD_PLATFORMS: &[&str] = &["paypal", "venmo", "cash_app", "ach"];
/// User statuses (the list filter).
pub const STATUSES: &[&str] = &["verified", "unverified", "in_review", "disabled"];

pub(crate) fn routes() -> Router<Dots> {
    Router::new()
        .route("/api/v2/users", get(list).post(create))
        .route("/api/v2/users/{id}", get(show).patch(update).delete(remove))
        .route(
            "/api/v2/users/{id}/send-verification-token",
            post(send_token),
        )
        .route("/api/v2/users/{id}/verify", post(verify))
        .route(
            "/api/v2/users/{id}/payout-methods",
            get(methods).put(add_method),
        )
}

impl Caller {
    /// Runs `f` on the caller's app under the store lock.
    pub fn with_app<T>(
        &self,
        dots: &Dots,
        f: impl FnOnce(&mut AppData) -> Result<T, DotsError>,
    ) -> Result<T, DotsError> {
        let mut store = dots.store();
        if !store.apps.contains_key(&self.tenant) && self.app.is_none() {
            // A reset between the credential check and this handler: provision again.
            crate::auth::provision(dots, &mut store, &self.tenant, &self.client_id, self.env);
        }
        let app = (store.apps.get_mut(&self.tenant))
            .ok_or_else(|| DotsError::Forbidden("This app no longer exists".into()))?;
        f(app)
    }
}

/// The user `id` of `app`, or 404.
pub fn user_of<'a>(app: &'a AppData, id: &str) -> Result<&'a UserRec, DotsError> {
    app.users
        .get(id)
        .ok_or_else(|| DotsError::not_found("User", id))
}

fn user_mut<'a>(app: &'a mut AppData, id: &str) -> Result<&'a mut UserRec, DotsError> {
    app.users
        .get_mut(id)
        .ok_or_else(|| DotsError::not_found("User", id))
}

fn phone_key(p: &Phone) -> String {
    format!("+{}{}", p.country_code, p.phone_number)
}

async fn create(
    State(dots): State<Dots>,
    Auth(caller): Auth<Caller>,
    Body { map, .. }: Body,
) -> Result<Response, DotsError> {
    let mut f = Fields::new(&map);
    let first_name = f.string("first_name", true, 1, 50);
    let last_name = f.string("last_name", true, 1, 50);
    let email = f.email("email", true);
    let country_code = f.digits("country_code", true, 3);
    let phone_number = f.digits("phone_number", true, 20);
    let username = f.string("username", false, 1, 50);
    let date_of_birth = f.date("date_of_birth");
    let adjustment = adjustment_1099(&mut f);
    let metadata = f.metadata("metadata");
    let exclude = f.enum_list("payout_options_exclude_list", RAILS);
    f.finish()?;
    let (Some(first_name), Some(last_name), Some(email), Some(cc), Some(number)) =
        (first_name, last_name, email, country_code, phone_number)
    else {
        return Err(DotsError::Internal("validated fields missing".into()));
    };
    let now = dots.now_for(&caller.tenant);
    let id = dots.engine().ids().uuid(&caller.tenant);
    let user = caller.with_app(&dots, |app| {
        let phone = Phone {
            country_code: cc,
            phone_number: number,
        };
        let email_key = email.to_ascii_lowercase();
        if app.emails.contains_key(&email_key) {
            return Err(DotsError::invalid(
                crate::error::code::EMAIL_EXISTS,
                format!("A user with the email {email} already exists"),
            ));
        }
        if let Some(name) = &username
            && app.usernames.contains_key(&name.to_ascii_lowercase())
        {
            return Err(DotsError::invalid(
                crate::error::code::USERNAME_EXISTS,
                format!("A user with the username {name} already exists"),
            ));
        }
        if app.env == Env::Production && app.phones.contains_key(&phone_key(&phone)) {
            return Err(DotsError::invalid(
                crate::error::code::INVALID_PHONE,
                "phone_number: a user with this phone number already exists",
            ));
        }
        dots.make_room(&caller.tenant, app, 1)?;
        let rec = UserRec {
            id: id.clone(),
            created: now,
            first_name,
            last_name,
            email,
            username,
            phone,
            status: "unverified".into(),
            wallet: 0,
            date_of_birth,
            adjustment_1099: adjustment,
            metadata: metadata.unwrap_or(Value::Null),
            exclude: exclude.unwrap_or_default(),
            methods: Vec::new(),
            default_method: None,
            auto_payout: false,
        };
        app.emails.insert(email_key, id.clone());
        app.phones
            .entry(phone_key(&rec.phone))
            .or_insert(id.clone());
        if let Some(name) = &rec.username {
            app.usernames.insert(name.to_ascii_lowercase(), id.clone());
        }
        let wire = render::user(&rec);
        app.users.insert(id.clone(), rec);
        Ok(wire)
    })?;
    Ok(answer(StatusCode::CREATED, &user))
}

async fn list(
    State(dots): State<Dots>,
    Auth(caller): Auth<Caller>,
    params: Params,
) -> Result<Response, DotsError> {
    let page = PageQuery::from(&params)?;
    let status = params.get("status").map(str::to_string);
    if let Some(s) = &status
        && !STATUSES.contains(&s.as_str())
    {
        return Err(DotsError::input(format!(
            "status: must be one of {}",
            STATUSES.join(", ")
        )));
    }
    let body = caller.with_app(&dots, |app| {
        let matches = |u: &UserRec| status.as_deref().is_none_or(|s| u.status == s);
        page.page(&app.users, Order::NewestFirst, matches, render::user)
    })?;
    Ok(answer(StatusCode::OK, &body))
}

async fn show(
    State(dots): State<Dots>,
    Auth(caller): Auth<Caller>,
    Id(id): Id,
) -> Result<Response, DotsError> {
    let user = caller.with_app(&dots, |app| user_of(app, &id).map(render::user))?;
    Ok(answer(StatusCode::OK, &user))
}

async fn update(
    State(dots): State<Dots>,
    Auth(caller): Auth<Caller>,
    Id(id): Id,
    Body { map, .. }: Body,
) -> Result<Response, DotsError> {
    let mut f = Fields::new(&map);
    let default = f.one_of("default_payout_method", false, RAILS);
    let auto = f.boolean("auto_payout_enabled");
    let date_of_birth = f.date("date_of_birth");
    let adjustment = adjustment_1099(&mut f);
    let exclude = f.enum_list("payout_options_exclude_list", RAILS);
    f.finish()?;
    let user = caller.with_app(&dots, |app| {
        let u = user_mut(app, &id)?;
        if let Some(p) = &default
            && !u.methods.iter().any(|m| &m.platform == p)
        {
            return Err(DotsError::invalid(
                crate::error::code::USER_INFO_MISSING,
                format!("default_payout_method: the user has no {p} payout method"),
            ));
        }
        if default.is_some() {
            u.default_method = default;
        }
        if let Some(a) = auto {
            u.auto_payout = a;
        }
        if date_of_birth.is_some() {
            u.date_of_birth = date_of_birth;
        }
        if adjustment.is_some() {
            u.adjustment_1099 = adjustment;
        }
        if let Some(e) = exclude {
            u.exclude = e;
        }
        // `metadata` (any JSON) replaces the old one whole.
        if let Some(m) = map.get("metadata") {
            u.metadata = m.clone();
        }
        Ok(render::user(u))
    })?;
    Ok(answer(StatusCode::OK, &user))
}

async fn remove(
    State(dots): State<Dots>,
    Auth(caller): Auth<Caller>,
    Id(id): Id,
) -> Result<Response, DotsError> {
    let user = caller.with_app(&dots, |app| {
        let u = user_of(app, &id)?;
        if u.wallet != 0 {
            return Err(DotsError::input(format!(
                "The user's wallet holds {} cents: pay it out or transfer it back first",
                u.wallet
            )));
        }
        let busy = (app.transfers.iter()).any(|t| {
            id.parse()
                .is_ok_and(|u: payoutsim_core::ids::Uid| t.user_id == u)
                && t.lc.is_some()
                && !crate::state::TRANSFER_TERMINAL.contains(&t.status())
        });
        if busy {
            return Err(DotsError::input(
                "The user has payouts in progress; wait until they settle",
            ));
        }
        let Some(u) = app.users.remove(&id) else {
            return Err(DotsError::not_found("User", &id));
        };
        app.emails.remove(&u.email.to_ascii_lowercase());
        if app.phones.get(&phone_key(&u.phone)) == Some(&u.id) {
            app.phones.remove(&phone_key(&u.phone));
        }
        if let Some(name) = &u.username {
            app.usernames.remove(&name.to_ascii_lowercase());
        }
        app.codes.remove(&id);
        Ok(render::user(&u))
    })?;
    Ok(answer(StatusCode::OK, &user))
}

async fn send_token(
    State(dots): State<Dots>,
    Auth(caller): Auth<Caller>,
    Id(id): Id,
    Body { map, .. }: Body,
) -> Result<Response, DotsError> {
    let mut f = Fields::new(&map);
    let voice = f.boolean("use_voice").unwrap_or(false);
    f.finish()?;
    let now = dots.now_for(&caller.tenant);
    let stream = format!("{}#verification", caller.tenant);
    let code = format!("{:06}", dots.engine().ids().range(&stream, 0, 999_999));
    let ttl = chrono::TimeDelta::seconds(dots.config().verification_ttl_s);
    let cap = dots.config().sms_outbox_cap.max(1);
    caller.with_app(&dots, |app| {
        let phone = phone_key(&user_of(app, &id)?.phone);
        app.codes.insert(id.clone(), (code.clone(), now + ttl));
        while app.sms.len() >= cap {
            app.sms.pop_front();
        }
        app.sms.push_back(Sms {
            tenant: caller.tenant.clone(),
            user_id: id.clone(),
            phone_number: phone,
            token: code,
            channel: if voice { "voice" } else { "sms" },
            at: rfc3339(now),
        });
        Ok(())
    })?;
    Ok(answer(StatusCode::ACCEPTED, &json!({"success": true})))
}

async fn verify(
    State(dots): State<Dots>,
    Auth(caller): Auth<Caller>,
    Id(id): Id,
    Body { map, .. }: Body,
) -> Result<Response, DotsError> {
    let mut f = Fields::new(&map);
    let token = f.string("token", true, 6, 64);
    f.finish()?;
    let token = token.unwrap_or_default();
    let now = dots.now_for(&caller.tenant);
    let events = caller.with_app(&dots, |app| {
        user_of(app, &id)?;
        let live = app.codes.get(&id).filter(|(_, until)| now < *until);
        if live.is_none_or(|(code, _)| *code != token) {
            return Err(DotsError::input("Incorrect token"));
        }
        app.codes.remove(&id);
        let u = user_mut(app, &id)?;
        u.status = "verified".into();
        Ok(webhooks::user_updated("user.updated.ide_verified", &id))
    })?;
    dots.emit(&caller.tenant, events, now);
    Ok(answer(StatusCode::OK, &json!({"success": true})))
}

async fn methods(
    State(dots): State<Dots>,
    Auth(caller): Auth<Caller>,
    Id(id): Id,
) -> Result<Response, DotsError> {
    let list: Vec<_> = caller.with_app(&dots, |app| {
        Ok((user_of(app, &id)?.methods.iter())
            .map(render::payment_method)
            .collect())
    })?;
    Ok(answer(StatusCode::OK, &list))
}

async fn add_method(
    State(dots): State<Dots>,
    Auth(caller): Auth<Caller>,
    Id(id): Id,
    Body { map, .. }: Body,
) -> Result<Response, DotsError> {
    let mut f = Fields::new(&map);
    let platform = f.one_of("platform", true, METHOD_PLATFORMS);
    let routing = f.string("routing_number", false, 9, 9);
    let account = f.string("account_number", false, 4, 17);
    let account_type = f.one_of("account_type", false, &["checking", "savings"]);
    let email = f.email("email", false);
    let phone = f.string("phone_number", false, 1, 20);
    let handle = f.string("handle", false, 1, 64);
    let cash_tag = f.string("cash_tag", false, 1, 64);
    let is_default = f.boolean("is_default");
    let auto = f.boolean("auto_payout_enabled");
    let platform = platform.unwrap_or_default();
    match platform.as_str() {
        "ach" if routing.is_none() => f.error("routing_number", "is required for ach"),
        "ach" if account.is_none() => f.error("account_number", "is required for ach"),
        "ach"
            if routing
                .as_deref()
                .is_some_and(|r| !r.bytes().all(|b| b.is_ascii_digit())) =>
        {
            f.error("routing_number", "must be 9 digits")
        }
        "paypal" if email.is_none() => f.error("email", "is required for paypal"),
        "venmo" if phone.is_none() && handle.is_none() => f.error(
            "phone_number",
            "a phone_number or handle is required for venmo",
        ),
        "cash_app" if cash_tag.is_none() => f.error("cash_tag", "is required for cash_app"),
        _ => {}
    }
    f.finish()?;
    let now = dots.now_for(&caller.tenant);
    let method_id = dots.engine().ids().uuid(&caller.tenant);
    let (added, events) = caller.with_app(&dots, |app| {
        let u = user_mut(app, &id)?;
        let rec = MethodRec {
            id: method_id,
            platform: platform.clone(),
            email,
            phone_number: phone,
            handle,
            cash_tag,
            account_number: account,
            routing_number: routing,
            account_type: account_type.or_else(|| (platform == "ach").then(|| "checking".into())),
        };
        // One method per platform: a new one replaces the old.
        u.methods.retain(|m| m.platform != platform);
        let added = render::added_method(&rec);
        u.methods.push(rec);
        if is_default.unwrap_or(u.default_method.is_none()) {
            u.default_method = Some(platform.clone());
        }
        if let Some(a) = auto {
            u.auto_payout = a;
        }
        Ok((
            added,
            webhooks::user_updated("user.updated.payout_method", &id),
        ))
    })?;
    dots.emit(&caller.tenant, events, now);
    Ok(answer(StatusCode::OK, &added))
}
