//! Wire tests: Kashpay served on `127.0.0.1:0`, talked to with reqwest the way the documented
//! clients talk to it (Basic header on authenticate, Bearer + Entity-i after, paging headers).

mod support;

use serde_json::{Value, json};
use support::*;

/// Sends `request` and reads its answer's JSON body.
async fn json_of(request: reqwest::RequestBuilder) -> Value {
    let answer = request.send().await.expect("the server answers");
    answer.json().await.expect("the answer is JSON")
}

#[tokio::test]
async fn a_client_authenticates_orders_and_reads_its_operations_over_http() {
    // Arrange
    let sim = sim(11);
    let base = sim.serve().await;
    let http = reqwest::Client::new();

    // Act
    let login = json_of(
        http.post(format!("{base}/AuthenticationService/authenticate"))
            .header("Authorization", "Basic YWRtaW46c2VjcmV0")
            .json(&json!({"entity": ENTITY, "password": PASSWORD, "user": USER})),
    )
    .await;
    let token = login["authenticationResponse"]["token"].as_str().unwrap();
    let order = http
        .post(format!("{base}/OKPay/createOrder"))
        .bearer_auth(token)
        .header("Entity-i", ENTITY)
        .json(&order_body("WIRE1", json!(250), CLABE))
        .send()
        .await
        .unwrap();
    let order_status = order.status().as_u16();
    let order: Value = order.json().await.unwrap();
    let ops = json_of(
        http.get(format!("{base}/EntitiesServices/getOperations"))
            .bearer_auth(token)
            .header("Entity-i", ENTITY)
            .header("page", "0")
            .header("size", "10")
            .header("status", "25")
            .header("type", "1"),
    )
    .await;

    // Assert
    assert_eq!(order_status, 200);
    assert_eq!(order["orderEntityResponse"]["status"], 25, "{order}");
    assert_eq!(ops["totalItems"], 1, "{ops}");
    assert_eq!(ops["operations"][0]["alphanumericReference"], "WIRE1");
    assert_eq!(ops["operations"][0]["targetIDCode"], "40002");
    // The operation shows its order's texts (rendered from the order, not copied into it).
    let (op, made) = (&ops["operations"][0], &order["orderEntityResponse"]);
    let shown = ["transactionID", "numericReference", "internalReference"].map(|f| op[f].clone());
    let ordered = ["referenceCreatedPayment", "numericReference", "id"].map(|f| made[f].clone());
    assert!(ordered.iter().all(Value::is_string), "{made}");
    assert_eq!(shown, ordered, "{op}");
    assert_eq!(op["targetName"], "Florentino Eter", "{op}");
    assert_eq!(op["targetID"], CLABE, "{op}");
    assert_eq!(op["observation"], "Deposito Maria", "{op}");
}

#[tokio::test]
async fn a_call_without_entity_i_is_a_401_envelope_over_http() {
    let sim = sim(11);
    let base = sim.serve().await;
    let token = sim.token(ENTITY).await;

    let resp = reqwest::Client::new()
        .get(format!("{base}/EntitiesServices/getBalance"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();

    assert_eq!(resp.status().as_u16(), 401);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], 1005);
    assert_eq!(body["success"], false);
}
