//! `zerotl invoke call '<JSON>'`: any function of a layer, given as the JSON of
//! `zerotl encode`; the answer is printed as JSON, an `rpc_error` as the function's
//! typed error.

use serde_json::{json, Value};
use zerotl_client::telegram::ApiConfig;
use zerotl_client::{Client, ClientConfig, InvocationError};
use zerotl_types::json;
use zerotl_types::schema::{Combinator, Schema};

use crate::codec;
use crate::layer230::LayerArg;
use crate::typed_errors;

/// How many wrappers (`invokeWithLayer`, `initConnection`, ...) a call may be given in.
const MAX_WRAPPERS: usize = 4;

/// A function call ready to send.
#[derive(Debug)]
pub struct Request {
    /// The request body: `invokeWithLayer(layer, initConnection(..., query))`, or
    /// the caller's own wrappers.
    pub body: Vec<u8>,
    /// The function whose answer and errors come back (the innermost query).
    pub function: &'static Combinator,
}

/// The function named by `v["_"]`, which must be a function of `schema`.
fn function_of(
    schema: &'static Schema,
    layer: u32,
    v: &Value,
) -> Result<&'static Combinator, String> {
    let name = v.get("_").and_then(Value::as_str).ok_or_else(|| {
        "the call must be a JSON object whose \"_\" names a function \
         ({\"_\": \"help.getConfig\"})"
            .to_owned()
    })?;
    let c = schema
        .by_name(name)
        .ok_or_else(|| format!("no function {name} in layer {layer}"))?;
    if !c.function {
        return Err(format!(
            "{name} is a constructor (of {}), not a function of layer {layer}",
            c.ty
        ));
    }
    Ok(c)
}

/// Builds the request of `text` (the JSON of a function of `layer`).
pub fn prepare(layer: u32, text: &str) -> Result<Request, String> {
    let schema = codec::layer(layer)?;
    let v: Value = serde_json::from_str(text.trim()).map_err(|e| format!("invalid JSON: {e}"))?;
    // The caller's JSON is encoded on its own first, so that an error names the
    // path inside it (`at peer.chat_idd: ...`), not inside the wrappers added below.
    json::json_to_bytes(schema, &v).map_err(|e| e.to_string())?;
    let mut function = function_of(schema, layer, &v)?;
    let mut inner = &v;
    let mut depth = 0;
    // Generic wrappers (`= X`) answer with their query's answer and errors.
    while function.ty == "X" {
        depth += 1;
        if depth > MAX_WRAPPERS {
            return Err(format!(
                "more than {MAX_WRAPPERS} wrappers around the query"
            ));
        }
        inner = inner
            .get("query")
            .ok_or_else(|| format!("{} has no query", function.name))?;
        function = function_of(schema, layer, inner)?;
    }
    let body = if depth > 0 {
        json::json_to_bytes(schema, &v)
    } else {
        // As a client does on a new connection: say which layer the JSON is in.
        let api = ApiConfig::new(0, "");
        let wrapped = json!({
            "_": "invokeWithLayer",
            "layer": layer,
            "query": {
                "_": "initConnection",
                "api_id": api.api_id,
                "device_model": api.device_model,
                "system_version": api.system_version,
                "app_version": api.app_version,
                "system_lang_code": api.system_lang_code,
                "lang_pack": api.lang_pack,
                "lang_code": api.lang_code,
                "query": v,
            },
        });
        json::json_to_bytes(schema, &wrapped)
    }
    .map_err(|e| e.to_string())?;
    Ok(Request { body, function })
}

/// The answer's bytes as JSON of the function's result type.
pub fn answer_json(layer: u32, function: &Combinator, bytes: &[u8]) -> Result<String, String> {
    let schema = codec::layer(layer)?;
    let v = json::bytes_to_json_as(schema, function.ty, bytes)
        .map_err(|e| format!("the answer is not a {}: {e}", function.ty))?;
    serde_json::to_string(&v).map_err(|e| e.to_string())
}

/// `zerotl invoke call`: the answer on stdout; the typed error (or why no answer
/// came) as the `Err` line.
pub fn run(
    server: &str,
    config: ClientConfig,
    layer_arg: LayerArg,
    bot_token: Option<&str>,
    text: &str,
) -> Result<(), String> {
    let layer = layer_arg.number();
    let request = prepare(layer, text)?;
    crate::net::runtime()?.block_on(async {
        let client = Client::connect(server, config)
            .await
            .map_err(|e| format!("cannot connect to {server}: {e}"))?;
        if let Some(token) = bot_token {
            let who = crate::layer230::login_bot(&client, token, layer_arg).await?;
            eprintln!("zerotl: logged in as {who}");
        }
        match client.invoke_raw(&request.body).await {
            Ok(answer) => {
                out!("{}", answer_json(layer, request.function, answer.bytes())?);
                Ok(())
            }
            Err(InvocationError::Rpc(e)) => {
                Err(typed_errors::describe(layer, request.function.name, &e))
            }
            Err(other) => Err(crate::failure::explain(&other)),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_in_invoke_with_layer_and_init_connection() {
        let r = prepare(230, r#"{"_":"help.getConfig"}"#).unwrap();
        assert_eq!(r.function.name, "help.getConfig");
        // invokeWithLayer#da9b0d0d 230, initConnection#c1cd5ea9, ..., help.getConfig#c4f9186b
        assert_eq!(
            &r.body[..12],
            [0x0d, 0x0d, 0x9b, 0xda, 230, 0, 0, 0, 0xa9, 0x5e, 0xcd, 0xc1]
        );
        assert_eq!(&r.body[r.body.len() - 4..], [0x6b, 0x18, 0xf9, 0xc4]);
    }

    #[test]
    fn own_wrappers_are_kept_and_looked_through() {
        let text = r#"{"_":"invokeWithoutUpdates","query":{"_":"help.getNearestDc"}}"#;
        let r = prepare(122, text).unwrap();
        assert_eq!(r.function.name, "help.getNearestDc");
        assert_eq!(r.body, codec::parse_hex("b75994bf2630b31f").unwrap());
    }

    #[test]
    fn refusals_say_what_is_wrong() {
        let e = |layer, text| prepare(layer, text).unwrap_err();
        assert_eq!(
            e(122, r#"{"_":"inputPeerChat","chat_id":1}"#),
            "inputPeerChat is a constructor (of InputPeer), not a function of layer 122"
        );
        assert!(e(
            122,
            r#"{"_":"payments.getStarsStatus","peer":{"_":"inputPeerSelf"}}"#
        )
        .contains("payments.getStarsStatus"));
        assert!(e(
            122,
            r#"{"_":"messages.exportChatInvite","peer":{"_":"inputPeerChat","chat_idd":1}}"#
        )
        .starts_with("at peer.chat_idd: no field chat_idd in inputPeerChat (layer 122)"));
        assert!(e(122, "[1]").contains("\"_\""), "{}", e(122, "[1]"));
        assert!(e(122, "{").starts_with("invalid JSON"));
        assert!(e(123, "{}").starts_with("unknown layer 123"));
        assert_eq!(
            e(122, r#"{"_":"invokeWithoutUpdates"}"#)
                .lines()
                .next()
                .map(|l| l.contains("query")),
            Some(true)
        );
    }
}
