//! Sync with terminals: the protocol check, upstream ingest of journal batches and their
//! projection into orders and stock, and the
//! downstream change streams. Endpoints accept device tokens only: a terminal pushes its
//! own journal and reads its own company's and shop's streams.

pub mod backfill;
pub mod batches;
pub mod ingest;
pub mod project;
pub mod projector;
pub mod protocol;
pub mod queue;
pub mod routes;
