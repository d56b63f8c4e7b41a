//! Real-time events. Writers append rows to `events` inside their transaction (one row per
//! recipient); a dispatcher in each process reads new rows and hands them to the WebSocket
//! connections of that process. On PostgreSQL a `NOTIFY` (carrying only a sequence number)
//! wakes the dispatchers of every process on the database, so an event raised through one
//! process reaches clients connected to another. Clients that were away catch up by
//! sequence number through `GET /events?after=`.

pub mod bus;
pub mod events;
pub mod presence;

pub use bus::Bus;
