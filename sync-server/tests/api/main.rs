//! Integration tests: the real server on port 0 against SecantusDB/MongoDB and RabbitMQ,
//! with a database and queue prefix per test so tests run in parallel.

#[allow(clippy::disallowed_methods)] // inspects what the server stored, as a test may
mod audit;
mod auth;
mod catalog;
mod catalog_sheet;
#[allow(clippy::disallowed_methods)] // inspects what the server stored, as a test may
mod categories;
mod compaction;
mod customers;
mod enrollment;
mod events;
mod exceptions;
mod flights;
mod harness;
mod health;
mod journal;
mod malformed;
mod orders;
mod payment;
mod payments;
mod plans;
mod portal;
mod promotions;
mod roles;
mod shop_prices;
#[allow(clippy::disallowed_methods)] // inspects what the server stored, as a test may
mod shop_streams;
mod stock;
mod sync;
mod tenancy;
mod tenancy_sweep;
mod variants;
mod web_orders;
