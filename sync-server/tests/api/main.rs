//! Integration tests: the real server on port 0 against SecantusDB/MongoDB and RabbitMQ,
//! with a database and queue prefix per test so tests run in parallel.

mod audit;
mod auth;
mod catalog;
mod catalog_sheet;
mod compaction;
mod customers;
mod enrollment;
mod events;
mod flights;
mod harness;
mod health;
mod malformed;
mod plans;
mod portal;
mod promotions;
mod roles;
mod shop_prices;
mod shop_streams;
mod sync;
mod tenancy;
mod variants;
