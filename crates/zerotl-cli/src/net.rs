//! `zerotl serve`, `zerotl invoke` and `zerotl demo`: the embedded test server and
//! its client on the command line.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};
use zerotl::Decode;
use zerotl_client::{Answer, Client, ClientConfig, FloodPolicy, InvocationError};
use zerotl_errors::layer122::messages::ExportChatInviteError;
use zerotl_mtproto::crypto::rsa::{RsaPrivateKey, RsaPublicKey};
use zerotl_mtproto::transport::{ProxySecret, Transport};
use zerotl_server::world::{ChatKey, World};
use zerotl_server::{ServerBuilder, ServerConnectionConfig, ServerEvent, DEFAULT_LISTEN};
use zerotl_types::layer122::enums::{ExportedChatInvite, InputPeer};
use zerotl_types::layer122::functions::messages::ExportChatInvite;

use crate::peer::PeerSpec;

/// A transport on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TransportArg {
    /// `ef`, 1-byte length / 4.
    Abridged,
    /// `eeeeeeee`, 4-byte length.
    Intermediate,
    /// `dddddddd`, 4-byte length, random padding.
    Padded,
    /// No tag; length, seq, payload, CRC32.
    Full,
    /// Abridged under obfuscated2.
    ObfuscatedAbridged,
    /// Intermediate under obfuscated2.
    ObfuscatedIntermediate,
    /// Padded intermediate under obfuscated2.
    ObfuscatedPadded,
}

impl TransportArg {
    fn config(self) -> ClientConfig {
        let (transport, obfuscated) = match self {
            TransportArg::Abridged => (Transport::Abridged, false),
            TransportArg::Intermediate => (Transport::Intermediate, false),
            TransportArg::Padded => (Transport::Padded, false),
            TransportArg::Full => (Transport::Full, false),
            TransportArg::ObfuscatedAbridged => (Transport::Abridged, true),
            TransportArg::ObfuscatedIntermediate => (Transport::Intermediate, true),
            TransportArg::ObfuscatedPadded => (Transport::Padded, true),
        };
        let config = ClientConfig::new(transport);
        if obfuscated {
            // Every obfuscated choice above has a tag.
            config
                .obfuscated()
                .expect("abridged, intermediate and padded can be obfuscated")
        } else {
            config
        }
    }
}

/// Arguments of `zerotl serve`.
#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0: any free port; the address is printed).
    #[arg(long, default_value = DEFAULT_LISTEN)]
    listen: SocketAddr,
    /// A world file (JSON; see data/worlds/README.md). Default: the built-in world.
    #[arg(long)]
    world: Option<PathBuf>,
    /// The server's RSA private key (PEM, PKCS#1 or PKCS#8). Without it a fresh
    /// 2048-bit key is made at start-up and its public half printed after the
    /// address line.
    #[arg(long, value_name = "FILE")]
    rsa_key: Option<PathBuf>,
    /// Print the public key (PKCS#1 PEM) clients must trust, then exit.
    #[arg(long, requires = "rsa_key")]
    print_public_key: bool,
    /// Also answer unencrypted requests (plain test mode). Insecure.
    #[arg(long)]
    insecure_plain: bool,
    /// Most connections at once.
    #[arg(long, default_value_t = 1024)]
    max_connections: usize,
    /// Seconds a connection may stay silent.
    #[arg(long, default_value_t = 300)]
    idle_timeout: u64,
    /// Log only connection refusals and closes for errors, not every event.
    #[arg(long)]
    quiet: bool,
    /// Serve as an MTProxy: obfuscated connections must be keyed with this secret
    /// (32 hex digits; the 34-digit `dd...` form that asks for padded
    /// intermediate is taken too, its `dd` dropped). Plain (not obfuscated)
    /// transports are still served.
    #[arg(long, value_name = "HEX", value_parser = parse_proxy_secret)]
    proxy_secret: Option<ProxySecret>,
}

/// A `--proxy-secret`: 16 bytes in hex, or 17 starting with `dd`.
fn parse_proxy_secret(hex: &str) -> Result<ProxySecret, String> {
    let digits = hex.as_bytes();
    if digits.len() % 2 != 0 || !digits.iter().all(u8::is_ascii_hexdigit) {
        return Err("not an even number of hex digits".to_owned());
    }
    let bytes: Vec<u8> = digits
        .chunks(2)
        .map(|pair| {
            let pair = std::str::from_utf8(pair).unwrap_or("00");
            u8::from_str_radix(pair, 16).unwrap_or(0)
        })
        .collect();
    ProxySecret::from_bytes(&bytes).map_err(|e| e.to_string())
}

/// Arguments of `zerotl invoke`.
#[derive(Args)]
pub struct InvokeArgs {
    /// The server's address.
    #[arg(long, global = true, default_value = DEFAULT_LISTEN)]
    server: String,
    /// The transport.
    #[arg(long, global = true, value_enum, default_value_t = TransportArg::Abridged)]
    transport: TransportArg,
    /// A PEM file holding the server's RSA public key (or its private key, or
    /// `zerotl serve`'s output: the first PEM block is used). Repeatable. Without
    /// it the client trusts only the embedded server's built-in test key.
    #[arg(long, global = true, value_name = "FILE")]
    trust_key: Vec<PathBuf>,
    /// Speak the server's plain test mode (no encryption). Insecure.
    #[arg(long, global = true)]
    insecure_plain: bool,
    /// Seconds to wait for an answer.
    #[arg(long, global = true, default_value_t = 10)]
    timeout: u64,
    /// FLOOD_WAIT up to this many seconds is slept through and the call repeated;
    /// longer waits are printed as the error.
    #[arg(long, global = true, default_value_t = 10)]
    flood_sleep_threshold: u64,
    /// The layer to speak: 122 (the plain request) or 230 (every call wrapped in
    /// `invokeWithLayer(230, initConnection(...))`, layer 230's forms); also the
    /// layer of `call`'s JSON and answer.
    #[arg(long, global = true, value_enum, default_value = "122")]
    layer: crate::layer230::LayerArg,
    /// Log in as this bot first (`auth.importBotAuthorization`); the call is then
    /// made as the bot.
    #[arg(long, global = true, value_name = "TOKEN")]
    bot_token: Option<String>,
    /// The function to call.
    #[command(subcommand)]
    method: Method,
}

/// The functions `zerotl invoke` can call.
#[derive(Subcommand)]
pub enum Method {
    /// messages.exportChatInvite: #0df7534c peer (layer 122), or with --layer 230
    /// #a455de90 with its flags.
    ExportChatInvite {
        /// chat:ID | channel:ID:HASH | channel-from-message:ID[:MSG[:PEER]] |
        /// user:ID:HASH | user-from-message:ID[:MSG[:PEER]] | self | empty
        #[arg(long)]
        peer: PeerSpec,
        #[command(flatten)]
        options: crate::layer230::InviteOptions,
    },
    /// Any function of the layer, as JSON (`{"_":"help.getConfig"}`); prints the
    /// answer as JSON, or the function's typed error.
    Call {
        /// The function (`zerotl encode`'s JSON); it is sent inside
        /// invokeWithLayer(LAYER, initConnection(...)).
        json: String,
    },
}

/// Arguments of `zerotl demo`.
#[derive(Args)]
pub struct DemoArgs {
    /// The transport.
    #[arg(long, value_enum, default_value_t = TransportArg::Abridged)]
    transport: TransportArg,
    /// Use plain test mode instead of encryption. Insecure.
    #[arg(long)]
    insecure_plain: bool,
}

/// The async runtime of a command.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))
}

/// The first PEM block of `text` (`-----BEGIN ...` to `-----END ...-----`).
fn first_pem_block(text: &str) -> Option<&str> {
    let start = text.find("-----BEGIN ")?;
    let end_marker = text[start..].find("-----END ")? + start;
    let end = text[end_marker + 9..].find("-----")? + end_marker + 9 + 5;
    Some(&text[start..end])
}

fn read_pem(path: &PathBuf) -> Result<(String, String), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let block = first_pem_block(&text)
        .ok_or_else(|| format!("{}: no PEM block (-----BEGIN ...)", path.display()))?;
    Ok((path.display().to_string(), block.to_owned()))
}

/// The private key of `--rsa-key`, or a fresh one.
fn server_key(path: Option<&PathBuf>) -> Result<(RsaPrivateKey, bool), String> {
    match path {
        Some(path) => {
            let (name, pem) = read_pem(path)?;
            let key = RsaPrivateKey::from_pem(&pem).map_err(|e| format!("{name}: {e}"))?;
            Ok((key, false))
        }
        None => RsaPrivateKey::generate(&mut rand_core::OsRng)
            .map(|key| (key, true))
            .map_err(|e| format!("cannot make an RSA key: {e}")),
    }
}

/// A public key from a PEM file holding a public or a private RSA key.
fn trusted_key(path: &PathBuf) -> Result<RsaPublicKey, String> {
    let (name, pem) = read_pem(path)?;
    if pem.contains("PRIVATE KEY") {
        RsaPrivateKey::from_pem(&pem)
            .map(|key| key.public_key().clone())
            .map_err(|e| format!("{name}: {e}"))
    } else {
        RsaPublicKey::from_pem(&pem).map_err(|e| format!("{name}: {e}"))
    }
}

/// `zerotl serve`: runs until Ctrl-C or SIGTERM.
pub fn serve(args: ServeArgs) -> Result<(), String> {
    let (key, fresh) = server_key(args.rsa_key.as_ref())?;
    if args.print_public_key {
        out!("{}", key.public_key().to_pkcs1_pem().trim_end());
        return Ok(());
    }
    let public_pem = key.public_key().to_pkcs1_pem();
    let fingerprint = key.public_key().fingerprint();
    let world = match &args.world {
        Some(path) => World::load(path).map_err(|e| e.to_string())?,
        None => World::default(),
    };
    let quiet = args.quiet;
    let builder = ServerBuilder::new()
        .rsa_key(key)
        .listen(args.listen)
        .world(world)
        .insecure_plain(args.insecure_plain)
        .max_connections(args.max_connections)
        .idle_timeout(Duration::from_secs(args.idle_timeout))
        .connection_config(ServerConnectionConfig {
            proxy_secret: args.proxy_secret,
            ..ServerConnectionConfig::default()
        })
        .observer(move |event| log_event(event, quiet));
    runtime()?.block_on(async move {
        let server = builder
            .spawn()
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
        let mode = if args.insecure_plain {
            "encrypted, plain test mode on"
        } else {
            "encrypted only"
        };
        // The address line comes first (and is flushed) for scripts that started us
        // on port 0; a fresh key's public half follows, for `invoke --trust-key`.
        out!(
            "zerotl: serving on {} ({mode}; RSA key fingerprint {fingerprint:016x})",
            server.local_addr()
        );
        if fresh {
            out!("{}", public_pem.trim_end());
        }
        stop_signal().await;
        eprintln!("zerotl: shutting down");
        server.shutdown().await;
        eprintln!("zerotl: stopped");
        Ok(())
    })
}

fn log_event(event: &ServerEvent, quiet: bool) {
    use zerotl_server::CloseReason;
    let show = !quiet
        || match event {
            ServerEvent::Refused { .. } => true,
            ServerEvent::Closed { reason, .. } => !matches!(
                reason,
                CloseReason::PeerClosed | CloseReason::Shutdown | CloseReason::IdleTimeout(_)
            ),
            _ => false,
        };
    if show {
        eprintln!("zerotl serve: {event}");
    }
}

async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

type Outcome = Result<Answer<ExportChatInvite<'static>>, InvocationError<ExportChatInviteError>>;

/// The typed name of an error variant, as a user would write it.
fn variant(e: &ExportChatInviteError) -> String {
    let name = match e {
        ExportChatInviteError::ChannelPrivate => "ChannelPrivate",
        ExportChatInviteError::ChatAdminRequired => "ChatAdminRequired",
        ExportChatInviteError::ChatIdInvalid => "ChatIdInvalid",
        ExportChatInviteError::ChatWriteForbidden => "ChatWriteForbidden",
        ExportChatInviteError::PeerIdInvalid => "PeerIdInvalid",
        ExportChatInviteError::Other(e) => {
            return format!("ExportChatInviteError::Other({})", e.message)
        }
    };
    format!("ExportChatInviteError::{name}")
}

/// One line for an outcome: `chatInviteExported https://...` or
/// `error 400 CHAT_ADMIN_REQUIRED -> ExportChatInviteError::ChatAdminRequired`.
fn describe(outcome: &Outcome) -> String {
    match outcome {
        Ok(answer) => match answer.get() {
            ExportedChatInvite::ChatInviteExported(e) => {
                format!("chatInviteExported {}", e.link.as_str())
            }
            ExportedChatInvite::ChatInviteEmpty => "chatInviteEmpty".to_owned(),
        },
        Err(InvocationError::Rpc(e)) => {
            let rpc = e.as_rpc();
            format!("error {} {} -> {}", rpc.code, rpc.message, variant(e))
        }
        Err(other) => format!("failed: {}", crate::failure::explain(other)),
    }
}

async fn call(client: &Client, peer: &PeerSpec) -> Result<Outcome, String> {
    let bytes = peer.to_tl();
    let peer = InputPeer::decode_from_slice(&bytes).map_err(|e| format!("peer: {e}"))?;
    // The request borrows `bytes`; the answer owns its buffer, so it is retyped
    // for a request of any lifetime (the check repeats the one `invoke` made).
    match client.invoke(&ExportChatInvite { peer }).await {
        Ok(answer) => Answer::new(answer.into_raw())
            .map(Ok)
            .map_err(|e| format!("answer: {e}")),
        Err(e) => Ok(Err(e)),
    }
}

/// `zerotl invoke`: prints the typed result (stdout) or the typed error (stderr,
/// exit status 1).
pub fn invoke(args: InvokeArgs) -> Result<(), String> {
    let mut config = args.transport.config();
    let keys = if args.trust_key.is_empty() {
        // Asked for by name: the client crate trusts no test key on its own.
        vec![zerotl_server::keys::test_server_public_key()]
    } else {
        args.trust_key
            .iter()
            .map(trusted_key)
            .collect::<Result<Vec<_>, _>>()?
    };
    config = config.trust(keys);
    if args.insecure_plain {
        config = config.insecure_plain();
    }
    config = config
        .timeout(Duration::from_secs(args.timeout))
        .flood(FloodPolicy {
            sleep_threshold: Duration::from_secs(args.flood_sleep_threshold),
            ..FloodPolicy::default()
        });
    let (peer, options) = match args.method {
        Method::ExportChatInvite { peer, options } => (peer, options),
        Method::Call { json } => {
            return crate::call::run(
                &args.server,
                config,
                args.layer,
                args.bot_token.as_deref(),
                &json,
            )
        }
    };
    let layer230 = args.layer == crate::layer230::LayerArg::L230;
    if !layer230 && options.any() {
        return Err("export-chat-invite's flags need --layer 230".to_owned());
    }
    runtime()?.block_on(async {
        let client = Client::connect(args.server.as_str(), config)
            .await
            .map_err(|e| format!("cannot connect to {}: {e}", args.server))?;
        if let Some(token) = &args.bot_token {
            let who = crate::layer230::login_bot(&client, token, args.layer).await?;
            eprintln!("zerotl: logged in as {who}");
        }
        if layer230 {
            let line = crate::layer230::export(&client, &peer, &options).await?;
            out!("{line}");
            return Ok(());
        }
        let outcome = call(&client, &peer).await?;
        let line = describe(&outcome);
        match outcome {
            Ok(_) => {
                out!("{line}");
                Ok(())
            }
            Err(_) => Err(line),
        }
    })
}

/// Prints one demo line for a layer-230 or bot call: 1 if it was not as expected.
fn demo_line(what: &str, line: Result<String, String>, ok: bool) -> usize {
    let text = match line {
        Ok(l) | Err(l) => l,
    };
    let mark = if ok { "" } else { "  <- UNEXPECTED" };
    out!("{what:<16} -> {text}{mark}");
    usize::from(!ok)
}

/// What a demo call must give.
// Typed errors keep their texts inline (no allocation): large by design.
#[allow(clippy::large_enum_variant)]
enum Expected {
    Link,
    Error(ExportChatInviteError),
}

/// `zerotl demo`: the embedded server on an ephemeral port and a client calling
/// it; one line per call; `Err` (exit status 1) unless every line is as expected.
pub fn demo(args: DemoArgs) -> Result<(), String> {
    use ExportChatInviteError as E;
    let calls: [(&str, Expected); 9] = [
        ("chat:1", Expected::Link),
        ("channel:10:1010", Expected::Link),
        ("chat:1", Expected::Link),
        ("channel:11:1111", Expected::Error(E::ChannelPrivate)),
        ("chat:2", Expected::Error(E::ChatAdminRequired)),
        ("chat:99", Expected::Error(E::ChatIdInvalid)),
        ("chat:3", Expected::Error(E::ChatWriteForbidden)),
        ("channel:10:9999", Expected::Error(E::PeerIdInvalid)),
        ("self", Expected::Error(E::PeerIdInvalid)),
    ];
    // A fresh server key, trusted by the client: the flow of a real deployment.
    let (key, _) = server_key(None)?;
    let mut config = args
        .transport
        .config()
        .trust(vec![key.public_key().clone()]);
    // The bot logs in on an auth key of its own (plain test mode has none to
    // remember a login by: the bot always speaks encrypted).
    let bot_config = args
        .transport
        .config()
        .trust(vec![key.public_key().clone()]);
    if args.insecure_plain {
        config = config.insecure_plain();
    }
    let mode = if args.insecure_plain {
        "plain test mode"
    } else {
        "encrypted"
    };
    runtime()?.block_on(async move {
        let server = ServerBuilder::new()
            .rsa_key(key)
            .listen("127.0.0.1:0".parse().expect("a valid address"))
            .insecure_plain(args.insecure_plain)
            .spawn()
            .await
            .map_err(|e| format!("cannot start the server: {e}"))?;
        out!(
            "zerotl demo: server on {}, client over {:?} ({mode})",
            server.local_addr(),
            args.transport
        );
        let client = Client::connect(server.local_addr(), config)
            .await
            .map_err(|e| format!("cannot connect: {e}"))?;
        let mut failures = 0;
        let mut previous_link: Option<String> = None;
        for (spec, expected) in &calls {
            let peer: PeerSpec = spec.parse()?;
            let outcome = call(&client, &peer).await?;
            let mut line = format!("{spec:<16} -> {}", describe(&outcome));
            let ok = match (expected, &outcome) {
                (Expected::Link, Ok(answer)) => match answer.get() {
                    ExportedChatInvite::ChatInviteExported(e) => {
                        let link = e.link.as_str().to_owned();
                        let key = match peer {
                            PeerSpec::Channel(id, _) => ChatKey::Channel(id.into()),
                            PeerSpec::Chat(id) => ChatKey::Chat(id.into()),
                            _ => ChatKey::Chat(0),
                        };
                        // The server now holds this link, and it differs from the last one.
                        let fresh = server.world().current_link(key).as_ref() == Some(&link)
                            && (*spec != "chat:1" || previous_link.as_ref() != Some(&link));
                        if *spec == "chat:1" {
                            if previous_link.is_some() {
                                line.push_str("  (new link; the previous one is revoked)");
                            }
                            previous_link = Some(link);
                        }
                        fresh
                    }
                    ExportedChatInvite::ChatInviteEmpty => false,
                },
                (Expected::Error(want), Err(InvocationError::Rpc(got))) => want == got,
                _ => false,
            };
            if !ok {
                failures += 1;
                line.push_str("  <- UNEXPECTED");
            }
            out!("{line}");
        }
        // Layer 230: the same session names layer 230 and gets 230's answer.
        let chat: PeerSpec = "chat:1".parse()?;
        let options = crate::layer230::InviteOptions::with(5, "demo");
        let line = crate::layer230::export(&client, &chat, &options).await;
        let ok = line.as_ref().is_ok_and(|l| {
            l.contains("admin_id=1000") && l.contains("usage_limit=5 title=\"demo\"")
        });
        failures += demo_line("230 chat:1", line, ok);
        // A bot: a second connection (its own auth key) logs in, then exports.
        let bot = Client::connect(server.local_addr(), bot_config)
            .await
            .map_err(|e| format!("cannot connect: {e}"))?;
        let l230 = crate::layer230::LayerArg::L230;
        let token = zerotl_server::world::DEFAULT_BOT_TOKEN;
        let line = match crate::layer230::login_bot(&bot, token, l230).await {
            Ok(who) => {
                let channel: PeerSpec = "channel:10:1010".parse()?;
                let none = crate::layer230::InviteOptions::default();
                crate::layer230::export(&bot, &channel, &none)
                    .await
                    .map(|l| format!("{l}  (as {who})"))
            }
            Err(e) => Err(e),
        };
        let ok = line.as_ref().is_ok_and(|l| l.contains("admin_id=123456"));
        failures += demo_line("bot channel:10", line, ok);
        server.shutdown().await;
        let total = calls.len() + 2;
        if failures == 0 {
            out!("zerotl demo: all {total} calls answered as expected");
            Ok(())
        } else {
            Err(format!(
                "{failures} of {total} calls were not answered as expected"
            ))
        }
    })
}
