//! # http-api
//!
//! The HTTP front end of the wasmCloud docs' seed scenario: it exports
//! `wasi:http/incoming-handler@0.2.x` (bindings from the `wasip2` crate) and imports
//! `wasmcloud:messaging/consumer@0.2.0`.
//!
//! `POST /task` with a JSON object body such as `{"worker":"leet","payload":"Hello World"}`
//! sends the payload's UTF-8 bytes as a request on subject `tasks.<worker>` with a 5 s
//! timeout, like the wasmCloud template does:
//!
//! | outcome | status | body |
//! |---|---|---|
//! | the worker answered | 200 | the reply's body, unchanged |
//! | body not a JSON object with string fields `worker` and `payload`, or `worker` not made of `A-Z a-z 0-9 _ -` | 400 | `bad request: …` |
//! | body over 1 MiB | 413 | `request body too large …` |
//! | the request failed (timeout, no responders, …) | 502 | `request to tasks.<worker> failed: <host error>` |
//! | the request body could not be read | 500 | `reading the request body: …` |
//! | `/task` with another method | 405 | `method not allowed: use POST` |
//! | any other path | 404 | `not found` |
//!
//! Other members of the JSON object are accepted and ignored; a duplicated `worker` or
//! `payload` is an error. Error bodies are `text/plain` lines; a reply body is served as
//! `text/plain; charset=utf-8` when it is UTF-8 and `application/octet-stream` otherwise.
//!
//! ```text
//! curl -X POST localhost:8000/task -d '{"worker":"leet","payload":"Hello World"}'
//! H3110 W0r1d
//! ```

use std::io::{Read as _, Write as _};

use wasip2::exports::http::incoming_handler::Guest;
use wasip2::http::types::{
    Fields, IncomingBody, IncomingRequest, Method, OutgoingBody, OutgoingResponse, ResponseOutparam,
};

mod json;

wit_bindgen::generate!({
    path: "../../wit",
    inline: "
        package msgbridge:examples;

        world http-api {
            import wasmcloud:messaging/consumer@0.2.0;
        }
    ",
    world: "msgbridge:examples/http-api",
    generate_all,
});

use wasmcloud::messaging::consumer;

/// How long a task request waits for the worker's reply, as in the wasmCloud template.
const REQUEST_TIMEOUT_MS: u32 = 5000;

/// Largest request body accepted.
const MAX_BODY: u64 = 1 << 20;

/// The exported `wasi:http/incoming-handler`.
struct HttpApi;

impl Guest for HttpApi {
    fn handle(request: IncomingRequest, response_out: ResponseOutparam) {
        let response = route(&request);
        drop(request);
        respond(response_out, response);
    }
}

wasip2::http::proxy::export!(HttpApi);

/// A response to send: status, content-type and body.
struct Response {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
}

impl Response {
    /// A `text/plain` response whose body is `text` and a newline.
    fn text(status: u16, text: impl Into<String>) -> Self {
        let mut body = text.into().into_bytes();
        body.push(b'\n');
        Response {
            status,
            content_type: "text/plain; charset=utf-8",
            body,
        }
    }
}

/// Decides the response to `request` (see the crate docs).
fn route(request: &IncomingRequest) -> Response {
    let path_with_query = request.path_with_query().unwrap_or_default();
    let path = path_with_query
        .split_once('?')
        .map_or(path_with_query.as_str(), |(path, _)| path);
    if path != "/task" {
        return Response::text(404, "not found");
    }
    if !matches!(request.method(), Method::Post) {
        return Response::text(405, "method not allowed: use POST");
    }
    let body = match read_body(request) {
        Ok(body) => body,
        Err(response) => return response,
    };
    let task = match json::parse_task(&body) {
        Ok(task) => task,
        Err(e) => return Response::text(400, format!("bad request: {e}")),
    };
    let subject = format!("tasks.{}", task.worker);
    match consumer::request(&subject, task.payload.as_bytes(), REQUEST_TIMEOUT_MS) {
        Ok(reply) => Response {
            status: 200,
            content_type: if std::str::from_utf8(&reply.body).is_ok() {
                "text/plain; charset=utf-8"
            } else {
                "application/octet-stream"
            },
            body: reply.body,
        },
        Err(e) => Response::text(502, format!("request to {subject} failed: {e}")),
    }
}

/// Reads the whole request body, up to [`MAX_BODY`] bytes.
fn read_body(request: &IncomingRequest) -> Result<Vec<u8>, Response> {
    let failed = |what: &str| Response::text(500, format!("reading the request body: {what}"));
    let body = request
        .consume()
        .map_err(|()| failed("body already consumed"))?;
    let mut bytes = Vec::new();
    {
        let stream = body.stream().map_err(|()| failed("no body stream"))?;
        stream
            .take(MAX_BODY + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| failed(&e.to_string()))?;
    }
    drop(IncomingBody::finish(body));
    if bytes.len() as u64 > MAX_BODY {
        return Err(Response::text(
            413,
            format!("request body too large (limit {MAX_BODY} bytes)"),
        ));
    }
    Ok(bytes)
}

/// Sends `response` through `out`. Once the head is sent, a failure to write the body can
/// only be signalled by not finishing it, which the host reports to the client.
fn respond(out: ResponseOutparam, response: Response) {
    let headers = Fields::new();
    // Constant, valid header: this cannot fail.
    let _ = headers.set("content-type", &[response.content_type.as_bytes().to_vec()]);
    let outgoing = OutgoingResponse::new(headers);
    let _ = outgoing.set_status_code(response.status);
    let Ok(body) = outgoing.body() else {
        return;
    };
    ResponseOutparam::set(out, Ok(outgoing));
    let written = match body.write() {
        Ok(mut stream) => {
            stream.write_all(&response.body).is_ok() && stream.blocking_flush().is_ok()
        }
        Err(()) => false,
    };
    if written {
        let _ = OutgoingBody::finish(body, None);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_the_seed_task() {
        let task = super::json::parse_task(br#"{"worker":"leet","payload":"Hello World"}"#)
            .expect("valid task");
        assert_eq!(task.worker, "leet");
        assert_eq!(task.payload, "Hello World");
    }
}
