//! The support desk: the words tickets are made of, and the pure rules that
//! route, prioritise, assign and time them. The API applies these rules; the web app shows
//! their results (and uses the same status machine to decide which buttons appear).

use serde::{Deserialize, Serialize};

pub mod assignment;
pub mod automation;
pub mod canned;
pub mod config;
pub mod csat;
pub mod handoff;
pub mod inbound;
pub mod priority;
pub mod refund;
pub mod refund_request;
pub mod repeats;
pub mod routing;
pub mod sla;
pub mod status;
pub mod ticket;

/// Where a ticket is in its life. `pending_customer` pauses the SLA clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    New,
    Open,
    PendingCustomer,
    OnHold,
    Resolved,
    Closed,
}
str_enum!(TicketStatus { New => "new", Open => "open", PendingCustomer => "pending_customer", OnHold => "on_hold", Resolved => "resolved", Closed => "closed" });

impl TicketStatus {
    pub const ALL: [TicketStatus; 6] = [
        TicketStatus::New,
        TicketStatus::Open,
        TicketStatus::PendingCustomer,
        TicketStatus::OnHold,
        TicketStatus::Resolved,
        TicketStatus::Closed,
    ];
    /// Still needs work from someone (not resolved or closed).
    pub fn is_active(self) -> bool {
        !matches!(self, TicketStatus::Resolved | TicketStatus::Closed)
    }
    pub fn label(self) -> &'static str {
        match self {
            TicketStatus::New => "New",
            TicketStatus::Open => "Open",
            TicketStatus::PendingCustomer => "Waiting on customer",
            TicketStatus::OnHold => "On hold",
            TicketStatus::Resolved => "Resolved",
            TicketStatus::Closed => "Closed",
        }
    }
}

/// How a ticket reached us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = TicketChannel))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Portal,
    Email,
    Api,
    Phone,
    Chat,
}
str_enum!(Channel { Portal => "portal", Email => "email", Api => "api", Phone => "phone", Chat => "chat" });

impl Channel {
    pub const ALL: [Channel; 5] = [
        Channel::Portal,
        Channel::Email,
        Channel::Api,
        Channel::Phone,
        Channel::Chat,
    ];
}

/// The kind of problem; it decides the department (see `routing`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Cluster {
    TechnicalProblem,
    UsageHelp,
    ProductNotWorking,
    Billing,
    ReturnRefund,
    Cancellation,
}
str_enum!(Cluster { TechnicalProblem => "technical_problem", UsageHelp => "usage_help", ProductNotWorking => "product_not_working", Billing => "billing", ReturnRefund => "return_refund", Cancellation => "cancellation" });

impl Cluster {
    pub const ALL: [Cluster; 6] = [
        Cluster::TechnicalProblem,
        Cluster::UsageHelp,
        Cluster::ProductNotWorking,
        Cluster::Billing,
        Cluster::ReturnRefund,
        Cluster::Cancellation,
    ];
    pub fn label(self) -> &'static str {
        match self {
            Cluster::TechnicalProblem => "Technical problem",
            Cluster::UsageHelp => "Usage help",
            Cluster::ProductNotWorking => "Product not working",
            Cluster::Billing => "Billing",
            Cluster::ReturnRefund => "Return or refund",
            Cluster::Cancellation => "Cancellation",
        }
    }
}

/// Ticket priority; ordered, so `Urgent > High > Normal > Low`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}
str_enum!(Priority { Low => "low", Normal => "normal", High => "high", Urgent => "urgent" });

impl Priority {
    pub const ALL: [Priority; 4] = [
        Priority::Low,
        Priority::Normal,
        Priority::High,
        Priority::Urgent,
    ];
    /// One step up, for escalations; `urgent` stays `urgent`.
    pub fn raised(self) -> Priority {
        match self {
            Priority::Low => Priority::Normal,
            Priority::Normal => Priority::High,
            Priority::High | Priority::Urgent => Priority::Urgent,
        }
    }
}

/// How much a product matters to the clients who use it; feeds priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProductUrgency {
    Low,
    Normal,
    High,
    Critical,
}
str_enum!(ProductUrgency { Low => "low", Normal => "normal", High => "high", Critical => "critical" });

/// How a department spreads tickets among its available agents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AssignmentStrategy {
    /// The agent who was given a ticket longest ago goes next.
    RoundRobin,
    /// The agent with the fewest active tickets goes next.
    LeastLoaded,
}
str_enum!(AssignmentStrategy { RoundRobin => "round_robin", LeastLoaded => "least_loaded" });

/// A message in a ticket's thread: public replies reach the requester; notes never do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    Reply,
    Note,
}
str_enum!(MessageKind { Reply => "reply", Note => "note" });
