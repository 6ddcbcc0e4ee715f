//! HTTP-level tests of the whole API. Every test that touches storage runs twice: on SQLite
//! and on a real PostgreSQL, each time on a database of its own.

mod databases;
mod garage;
mod images;
mod paths;
mod proxy;
mod receiver;
mod support;

mod access;
mod auth;
mod authors;
mod caching;
mod concurrency;
mod cursors;
mod demo;
mod errors;
mod feeds;
mod fields;
mod ghost;
mod listing;
mod media;
mod migrations;
mod openapi;
mod outages;
mod pages;
mod plans;
mod posts;
mod previews;
mod revisions;
mod search;
mod security;
mod settings;
mod shapes;
mod snapshots;
mod tags;
mod webhooks;
mod wire;
