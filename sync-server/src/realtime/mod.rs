//! The realtime hub: live sockets of terminals, woken when a stream they follow moves,
//! across server instances through RabbitMQ, with presence managers can see.

pub mod flights;
pub mod hub;
pub mod presence;
pub mod socket;
pub mod wake;

pub use hub::Hub;
