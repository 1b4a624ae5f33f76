//! The "Done when" list of issue 3, for each world natively, on each broker. Each scenario
//! is one `async fn (World, Backend)`; `matrix!` makes the four tests of each.

use bytes::Bytes;
use msgbridge_host::{ComponentSpec, Message, CONSUMER_GROUP_KEY};

use crate::common::*;

macro_rules! matrix {
    ($($scenario:ident),* $(,)?) => {
        $(
            mod $scenario {
                use crate::common::{Backend, World};

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn wasi_in_process() {
                    super::$scenario(World::Wasi, Backend::InProcess).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn wasmcloud_in_process() {
                    super::$scenario(World::Wasmcloud, Backend::InProcess).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn wasi_nats() {
                    super::$scenario(World::Wasi, Backend::Nats).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn wasmcloud_nats() {
                    super::$scenario(World::Wasmcloud, Backend::Nats).await
                }
            }
        )*
    };
}

macro_rules! wasi_only {
    ($($scenario:ident),* $(,)?) => {
        $(
            mod $scenario {
                use crate::common::{Backend, World};

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn wasi_in_process() {
                    super::$scenario(World::Wasi, Backend::InProcess).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn wasi_nats() {
                    super::$scenario(World::Wasi, Backend::Nats).await
                }
            }
        )*
    };
}

matrix!(
    echo_replies_with_the_payload,
    publish_reaches_a_subscriber,
    request_gets_a_reply_from_another_component,
    request_times_out_with_a_silent_subscriber,
    request_with_no_subscriber_fails,
    wildcards_route_messages,
    handler_errors_and_traps_are_logged_and_the_host_keeps_serving,
    large_and_binary_bodies_arrive_intact,
    several_replies_answer_one_message,
    answering_without_a_reply_path_is_a_no_op,
    queue_groups_deliver_once_and_broadcast_to_all,
    subscriptions_come_from_config,
);

wasi_only!(
    expected_replies_with_several_repliers,
    content_type_and_metadata_are_delivered,
    content_type_and_metadata_travel_between_components,
    a_disconnected_client_fails_with_connection,
    set_data_replaces_the_payload,
);

fn label(scenario: &str, world: World, backend: Backend) -> String {
    format!("{scenario}-{world:?}-{backend:?}").to_lowercase()
}

async fn echo_replies_with_the_payload(world: World, backend: Backend) {
    let env = Env::new(backend, &label("echo", world, backend)).await;
    env.load("probe", world.probe(), &["probe.echo"]).await;
    let reply = env.ask("probe.echo", cmd("echo", b"hello")).await;
    assert_eq!(text(&reply.body), "hello");
    assert!(
        reply.subject.starts_with("_INBOX."),
        "reply subject {:?} is not an _INBOX. subject",
        reply.subject
    );
    // One debug line per delivery, naming the component and subject.
    log_line(&[&env.name("probe"), "probe.echo", "delivering message"]).await;
}

async fn publish_reaches_a_subscriber(world: World, backend: Backend) {
    let env = Env::new(backend, &label("publish", world, backend)).await;
    env.load("probe", world.probe(), &["probe.pub"]).await;
    let mut out = env.watch("out.published").await;
    let report = env
        .ask("probe.pub", cmd("publish out.published", b"payload"))
        .await;
    assert_eq!(text(&report.body), "ok");
    let got = next(&mut out).await;
    assert_eq!(got.subject, "out.published");
    assert_eq!(text(&got.body), "payload");
    assert_eq!(got.reply_to, None);
}

async fn request_gets_a_reply_from_another_component(world: World, backend: Backend) {
    let env = Env::new(backend, &label("request", world, backend)).await;
    env.load("caller", world.probe(), &["caller"]).await;
    env.load("responder", world.probe(), &["svc.echo"]).await;
    // Record every message on the broker while the components talk.
    let mut all = env.watch(">").await;
    let report = env
        .ask(
            "caller",
            cmd("request svc.echo 5000 -", &cmd("echo", b"hi")),
        )
        .await;
    assert_eq!(request_report(&report.body), Ok(vec![b"hi".to_vec()]));
    // The caller's request went out with an _INBOX. reply subject.
    loop {
        let seen = next(&mut all).await;
        if seen.subject == "svc.echo" {
            let reply_to = seen.reply_to.expect("a request carries a reply subject");
            assert!(
                reply_to.starts_with("_INBOX."),
                "reply subject {reply_to:?}"
            );
            break;
        }
    }
    // The same with no timeout (wasi: no options at all; wasmcloud: 5000 ms).
    let report = env
        .ask(
            "caller",
            cmd("request svc.echo - -", &cmd("echo", b"again")),
        )
        .await;
    assert_eq!(request_report(&report.body), Ok(vec![b"again".to_vec()]));
}

async fn request_times_out_with_a_silent_subscriber(world: World, backend: Backend) {
    let env = Env::new(backend, &label("silent", world, backend)).await;
    env.load("caller", world.probe(), &["caller"]).await;
    // Someone listens (so NATS has a responder) but never answers.
    let mut silent = env.watch("svc.silent").await;
    let report = env
        .ask("caller", cmd("request svc.silent 200 -", b"anyone?"))
        .await;
    assert_eq!(text(&report.body), world.timeout_report(200));
    assert_eq!(text(&next(&mut silent).await.body), "anyone?");
}

async fn request_with_no_subscriber_fails(world: World, backend: Backend) {
    let env = Env::new(backend, &label("nobody", world, backend)).await;
    env.load("caller", world.probe(), &["caller"]).await;
    let report = env
        .ask("caller", cmd("request svc.nobody 200 -", b"anyone?"))
        .await;
    let expected = match (backend, world) {
        // In memory, as in wasmCloud, a request nobody hears waits for its timeout.
        (Backend::InProcess, _) => world.timeout_report(200),
        // NATS answers at once with "no responders", worded as async-nats words it.
        (Backend::Nats, World::Wasmcloud) => {
            "err failed to send request: no responders: no responders".to_string()
        }
        (Backend::Nats, World::Wasi) => "err connection: no responders: no responders".to_string(),
    };
    assert_eq!(text(&report.body), expected);
}

async fn wildcards_route_messages(world: World, backend: Backend) {
    let env = Env::new(backend, &label("wildcards", world, backend)).await;
    env.load("probe", world.probe(), &["one.*", "deep.>"]).await;
    for subject in ["one.a", "deep.a", "deep.a.b.c"] {
        let reply = env.ask(subject, cmd("describe", b"")).await;
        let description = text(&reply.body);
        assert!(
            description.starts_with(&format!("topic={subject}\n")),
            "{subject}: {description}"
        );
    }
    // Subjects the patterns do not match reach nobody: the request fails, which on NATS is
    // an immediate "no responders" and in memory a timeout.
    for subject in ["one.a.b", "one", "deep"] {
        let result = env
            .client
            .request(
                Message::new(subject, cmd("echo", b"x")),
                Some(std::time::Duration::from_millis(300)),
                Some(1),
            )
            .await;
        assert!(
            result.is_err(),
            "{subject} reached the component: {result:?}"
        );
    }
}

async fn handler_errors_and_traps_are_logged_and_the_host_keeps_serving(
    world: World,
    backend: Backend,
) {
    let env = Env::new(backend, &label("faults", world, backend)).await;
    let name = env.load("probe", world.probe(), &["faults.*"]).await;
    env.tell("faults.fail", cmd("fail it broke", b"")).await;
    env.tell("faults.trap", cmd("trap", b"")).await;
    let line = log_line(&[&name, "faults.fail", "handler returned an error"]).await;
    assert!(line.contains("WARN"), "{line}");
    assert!(line.contains("it broke"), "{line}");
    let line = log_line(&[&name, "faults.trap", "handler trapped"]).await;
    assert!(line.contains("WARN"), "{line}");
    // A bad command is a handler error too.
    env.tell("faults.bad", cmd("no-such-command", b"")).await;
    log_line(&[&name, "faults.bad", "handler returned an error"]).await;
    // The next message is served.
    let reply = env.ask("faults.after", cmd("echo", b"still here")).await;
    assert_eq!(text(&reply.body), "still here");
}

async fn large_and_binary_bodies_arrive_intact(world: World, backend: Backend) {
    let env = Env::new(backend, &label("large", world, backend)).await;
    env.load("caller", world.probe(), &["caller"]).await;
    env.load("responder", world.probe(), &["svc.big"]).await;
    let mib = binary(1 << 20);
    assert!(std::str::from_utf8(&mib).is_err());
    // Test -> component -> test.
    let reply = env.ask("svc.big", cmd("echo", &mib)).await;
    assert_eq!(reply.body.len(), mib.len());
    assert!(reply.body == mib, "the 1 MiB body changed on the way");
    // Component -> component -> component -> test, through the messaging imports. (One
    // expected reply, so that the wasi request returns at the first one.)
    let report = env
        .ask("caller", cmd("request svc.big 30000 1", &cmd("echo", &mib)))
        .await;
    let replies = request_report(&report.body).expect("a successful request");
    assert_eq!(replies.len(), 1);
    assert!(
        replies[0] == mib,
        "the 1 MiB body changed between components"
    );
    // Non-UTF-8 and empty bodies.
    let odd = [0xff, 0xfe, 0x00, 0x80, b'\n', 0xc3];
    let reply = env.ask("svc.big", cmd("echo", &odd)).await;
    assert_eq!(reply.body.as_ref(), &odd);
    let reply = env.ask("svc.big", cmd("echo", b"")).await;
    assert!(reply.body.is_empty());
}

async fn several_replies_answer_one_message(world: World, backend: Backend) {
    let env = Env::new(backend, &label("replies", world, backend)).await;
    env.load("probe", world.probe(), &["svc.multi"]).await;
    let replies = env.ask_n("svc.multi", cmd("reply 3", b"x"), 3).await;
    let bodies: Vec<String> = replies.iter().map(|m| text(&m.body)).collect();
    assert_eq!(bodies, ["1:x", "2:x", "3:x"]);
}

async fn answering_without_a_reply_path_is_a_no_op(world: World, backend: Backend) {
    let env = Env::new(backend, &label("noreply", world, backend)).await;
    env.load("probe", world.probe(), &["svc.status"]).await;
    let mut status = env.watch("status.out").await;
    // Published without a reply subject: answering succeeds and does nothing.
    env.tell("svc.status", cmd("answer-status status.out", b"lost"))
        .await;
    assert_eq!(text(&next(&mut status).await.body), "ok");
    // With a reply subject the answer arrives, and the status is ok too.
    let reply = env
        .ask("svc.status", cmd("answer-status status.out", b"found"))
        .await;
    assert_eq!(text(&reply.body), "found");
    assert_eq!(text(&next(&mut status).await.body), "ok");
}

async fn queue_groups_deliver_once_and_broadcast_to_all(world: World, backend: Backend) {
    let env = Env::new(backend, &label("groups", world, backend)).await;
    // Two copies of one component, like two hosts running the same workload: a second
    // host on the same broker.
    let second = msgbridge_host::Host::start(
        msgbridge_host::HostConfig::new(env.host.broker().clone()).expect("config"),
    )
    .await
    .expect("second host");
    let worker = ComponentSpec::new(env.name("worker"), Bytes::from_static(world.probe()))
        .subscribe("svc.grouped");
    env.load_spec(worker.clone()).await;
    second.add_component(worker).await.expect("second copy");
    let fan = ComponentSpec::new(env.name("fan"), Bytes::from_static(world.probe()))
        .subscribe("svc.fanout")
        .config(CONSUMER_GROUP_KEY, "broadcast");
    env.load_spec(fan.clone()).await;
    second.add_component(fan).await.expect("second copy");

    // Broadcast: both copies answer.
    let replies = env.ask_n("svc.fanout", cmd("echo", b"all"), 2).await;
    assert_eq!(replies.len(), 2);
    // Queue group: one copy answers; wait a while for a second answer that must not come.
    let replies = env
        .client
        .request(
            Message::new("svc.grouped", cmd("echo", b"one")),
            Some(std::time::Duration::from_millis(3000)),
            Some(2),
        )
        .await
        .expect("one reply");
    assert_eq!(replies.len(), 1);
}

async fn subscriptions_come_from_config(world: World, backend: Backend) {
    let env = Env::new(backend, &label("config", world, backend)).await;
    let spec = ComponentSpec::new(env.name("probe"), Bytes::from_static(world.probe()))
        .config("subscriptions", "cfg.a, cfg.b.*");
    env.load_spec(spec).await;
    assert_eq!(text(&env.ask("cfg.a", cmd("echo", b"a")).await.body), "a");
    assert_eq!(text(&env.ask("cfg.b.c", cmd("echo", b"b")).await.body), "b");
}

async fn expected_replies_with_several_repliers(world: World, backend: Backend) {
    let env = Env::new(backend, &label("expected", world, backend)).await;
    env.load("caller", world.probe(), &["caller"]).await;
    for role in ["r1", "r2", "r3"] {
        env.load(role, world.probe(), &["svc.many"]).await;
    }
    let echo = cmd("echo", b"hi");
    // The count is reached first.
    let report = env
        .ask("caller", cmd("request svc.many 60000 2", &echo))
        .await;
    assert_eq!(request_report(&report.body).map(|r| r.len()), Ok(2));
    // A count without a timeout.
    let report = env.ask("caller", cmd("request svc.many - 3", &echo)).await;
    assert_eq!(
        request_report(&report.body),
        Ok(vec![b"hi".to_vec(), b"hi".to_vec(), b"hi".to_vec()])
    );
    // The timeout is reached first: what arrived is returned. (Generous, so that three
    // fresh instances answer in time on a slow machine.)
    let report = env
        .ask("caller", cmd("request svc.many 3000 10", &echo))
        .await;
    assert_eq!(request_report(&report.body).map(|r| r.len()), Ok(3));
    // A timeout alone collects every reply that arrives in time.
    let report = env
        .ask("caller", cmd("request svc.many 3000 -", &echo))
        .await;
    assert_eq!(request_report(&report.body).map(|r| r.len()), Ok(3));
    // Several replies from one replier.
    let report = env
        .ask(
            "caller",
            cmd("request svc.many 60000 6", &cmd("reply 2", b"r")),
        )
        .await;
    let mut bodies = request_report(&report.body).expect("six replies");
    bodies.sort();
    assert_eq!(
        bodies,
        [b"1:r", b"1:r", b"1:r", b"2:r", b"2:r", b"2:r"].map(|b| b.to_vec())
    );
}

async fn content_type_and_metadata_are_delivered(world: World, backend: Backend) {
    let env = Env::new(backend, &label("headers", world, backend)).await;
    env.load("probe", world.probe(), &["svc.headers"]).await;
    let message = Message::new("svc.headers", cmd("describe", b"12345"))
        .with_content_type("application/json")
        .with_metadata(vec![
            ("trace-id".to_string(), "abc".to_string()),
            ("a-key".to_string(), "1".to_string()),
        ]);
    let reply = env.ask_message(message.clone()).await;
    assert_eq!(
        text(&reply.body),
        "topic=svc.headers\ncontent-type=application/json\nmetadata=a-key=1,trace-id=abc\nlen=5"
    );
    // `echo` copies them onto its answer.
    let reply = env
        .ask_message(Message {
            body: cmd("echo", b"{}"),
            ..message
        })
        .await;
    assert_eq!(text(&reply.body), "{}");
    assert_eq!(reply.content_type.as_deref(), Some("application/json"));
    let mut metadata = reply.metadata.expect("metadata on the answer");
    metadata.sort();
    assert_eq!(
        metadata,
        [("a-key", "1"), ("trace-id", "abc")].map(|(k, v)| (k.to_string(), v.to_string()))
    );
    // No headers: none reported.
    let reply = env.ask("svc.headers", cmd("describe", b"")).await;
    assert_eq!(
        text(&reply.body),
        "topic=svc.headers\ncontent-type=-\nmetadata=-\nlen=0"
    );
}

async fn content_type_and_metadata_travel_between_components(world: World, backend: Backend) {
    let env = Env::new(backend, &label("relay", world, backend)).await;
    env.load("first", world.probe(), &["relay.first"]).await;
    env.load("second", world.probe(), &["relay.second"]).await;
    let mut out = env.watch("relay.out").await;
    // first publishes to second (copying the headers), second publishes to relay.out
    // (copying them again).
    let message = Message::new(
        "relay.first",
        cmd("publish relay.second", &cmd("publish relay.out", b"body")),
    )
    .with_content_type("text/x-relay")
    .with_metadata(vec![("k".to_string(), "v".to_string())]);
    let report = env.ask_message(message).await;
    assert_eq!(text(&report.body), "ok");
    let got = next(&mut out).await;
    assert_eq!(text(&got.body), "body");
    assert_eq!(got.content_type.as_deref(), Some("text/x-relay"));
    assert_eq!(got.metadata, Some(vec![("k".to_string(), "v".to_string())]));
}

async fn a_disconnected_client_fails_with_connection(world: World, backend: Backend) {
    let env = Env::new(backend, &label("disconnect", world, backend)).await;
    env.load("probe", world.probe(), &["svc.disconnect"]).await;
    let report = env
        .ask("svc.disconnect", cmd("disconnect out.never", b"x"))
        .await;
    assert_eq!(text(&report.body), "err connection: client is disconnected");
}

async fn set_data_replaces_the_payload(world: World, backend: Backend) {
    let env = Env::new(backend, &label("setdata", world, backend)).await;
    env.load("probe", world.probe(), &["svc.setdata"]).await;
    let mut out = env.watch("out.setdata").await;
    let report = env
        .ask("svc.setdata", cmd("set-data out.setdata", b"fresh"))
        .await;
    assert_eq!(text(&report.body), "ok");
    let got = next(&mut out).await;
    assert_eq!(text(&got.body), "fresh");
    assert_eq!(got.content_type.as_deref(), Some("text/stale"));
}
