//! RabbitMQ names and declarations: the topic exchange, the dead-letter route, and the
//! inbox queue of each consuming service with the routing keys it binds.

use lapin::{
    Channel, ExchangeKind,
    options::{ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions},
    types::{AMQPValue, FieldTable},
};

/// The one durable topic exchange every service publishes to.
pub const EXCHANGE: &str = "ecommerce_exchange";
/// Where rejected (poison) messages go, via each inbox's `x-dead-letter-exchange`.
pub const DEAD_LETTER_EXCHANGE: &str = "ecommerce_dlx";
pub const DEAD_LETTER_QUEUE: &str = "dead_letters";

/// A consuming service's durable inbox queue and the routing keys bound to it. Each
/// consuming service declares its own in its registration; the full map from the platform
/// design, with the services that will consume them, is in docs/architecture.md.
#[derive(Debug, Clone, Copy)]
pub struct Inbox {
    pub queue: &'static str,
    pub service: &'static str,
    pub bindings: &'static [&'static str],
}

/// Names with the deployment's (or test's) prefix applied.
#[derive(Debug, Clone)]
pub struct Names {
    prefix: String,
}

impl Names {
    pub fn new(prefix: &str) -> Self {
        Self {
            prefix: prefix.to_string(),
        }
    }

    pub fn exchange(&self) -> String {
        format!("{}{EXCHANGE}", self.prefix)
    }

    pub fn dead_letter_exchange(&self) -> String {
        format!("{}{DEAD_LETTER_EXCHANGE}", self.prefix)
    }

    pub fn dead_letter_queue(&self) -> String {
        format!("{}{DEAD_LETTER_QUEUE}", self.prefix)
    }

    pub fn queue(&self, inbox: &Inbox) -> String {
        format!("{}{}", self.prefix, inbox.queue)
    }
}

/// Declares the exchange and dead-letter route. Idempotent, as AMQP declarations are.
pub async fn declare_exchanges(channel: &Channel, names: &Names) -> lapin::Result<()> {
    let durable = ExchangeDeclareOptions {
        durable: true,
        ..Default::default()
    };
    channel
        .exchange_declare(
            names.exchange().into(),
            ExchangeKind::Topic,
            durable,
            FieldTable::default(),
        )
        .await?;
    channel
        .exchange_declare(
            names.dead_letter_exchange().into(),
            ExchangeKind::Fanout,
            durable,
            FieldTable::default(),
        )
        .await?;
    channel
        .queue_declare(
            names.dead_letter_queue().into(),
            QueueDeclareOptions {
                durable: true,
                ..Default::default()
            },
            FieldTable::default(),
        )
        .await?;
    channel
        .queue_bind(
            names.dead_letter_queue().into(),
            names.dead_letter_exchange().into(),
            "".into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await?;
    Ok(())
}

/// Declares `inbox` (durable, dead-lettering to the DLX) and binds its routing keys.
pub async fn declare_inbox(channel: &Channel, names: &Names, inbox: &Inbox) -> lapin::Result<()> {
    declare_exchanges(channel, names).await?;
    let mut args = FieldTable::default();
    args.insert(
        "x-dead-letter-exchange".into(),
        AMQPValue::LongString(names.dead_letter_exchange().into()),
    );
    let queue = names.queue(inbox);
    channel
        .queue_declare(
            queue.clone().into(),
            QueueDeclareOptions {
                durable: true,
                ..Default::default()
            },
            args,
        )
        .await?;
    for key in inbox.bindings {
        channel
            .queue_bind(
                queue.clone().into(),
                names.exchange().into(),
                (*key).into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await?;
    }
    Ok(())
}
