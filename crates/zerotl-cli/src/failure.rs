//! How the command line words a call that got no answer.

use std::fmt::Display;

use zerotl_client::InvocationError;

/// The message of `e`, naming the command-line options where the library's
/// message names `ClientConfig` methods.
pub fn explain<E: Display>(e: &InvocationError<E>) -> String {
    match e {
        InvocationError::PlainRefused(t) => format!(
            "the server refused an unencrypted request ({t}): it may require encryption; \
             leave out --insecure-plain (and name its key with --trust-key unless it uses \
             the built-in test key)"
        ),
        other => other.to_string(),
    }
}
