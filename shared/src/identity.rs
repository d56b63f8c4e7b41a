//! Organisations, users, departments and invitations.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize};

use crate::Role;

/// `vendor` is the one company running Tandem; `client` organisations are its customers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    Vendor,
    Client,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TouchModel {
    High,
    Low,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LifecycleStage {
    Onboarding,
    Adopting,
    Mature,
    AtRisk,
    Churned,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GrowthPotential {
    Low,
    Medium,
    High,
}

/// A support agent's availability, used by ticket assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    Online,
    Away,
    Offline,
}

str_enum!(OrgKind { Vendor => "vendor", Client => "client" });
str_enum!(TouchModel { High => "high", Low => "low" });
str_enum!(LifecycleStage { Onboarding => "onboarding", Adopting => "adopting", Mature => "mature", AtRisk => "at_risk", Churned => "churned" });
str_enum!(GrowthPotential { Low => "low", Medium => "medium", High => "high" });
str_enum!(Availability { Online => "online", Away => "away", Offline => "offline" });

/// Distinguishes "field absent" (outer `None`) from "field set to null" (inner `None`) in
/// PATCH bodies, so a client can clear an optional value.
pub fn double_option<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e0f", "name": "FaShop Srl", "kind": "client",
    "plan": "business", "contract_start": "2026-01-15", "industry": "fashion e-commerce",
    "yearly_spend": 48000, "size": 40, "growth_potential": "high", "segment": "mid-market",
    "touch_model": "high", "lifecycle_stage": "onboarding",
    "csm_id": "01935c4e-8a1b-7c3d-9e4f-000000000001", "csm_name": "Carla Conti",
    "created_at": "2026-01-10T09:00:00Z", "updated_at": "2026-01-10T09:00:00Z", "version": 1
})))]
pub struct Organization {
    pub id: String,
    pub name: String,
    pub kind: OrgKind,
    pub plan: Option<String>,
    pub contract_start: Option<NaiveDate>,
    pub industry: Option<String>,
    /// Yearly spend in whole units of the vendor's currency.
    pub yearly_spend: Option<i64>,
    /// Size or volume (for example employees or monthly orders).
    pub size: Option<i32>,
    pub growth_potential: Option<GrowthPotential>,
    pub segment: Option<String>,
    pub touch_model: TouchModel,
    pub lifecycle_stage: LifecycleStage,
    /// The CSM assigned to this organisation.
    pub csm_id: Option<String>,
    pub csm_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Increases with every change; the `ETag` carries it.
    pub version: i32,
}

/// A new client organisation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "name": "Rossi Ceramiche", "plan": "standard", "contract_start": "2026-12-01",
    "industry": "ceramics", "yearly_spend": 12000, "size": 15, "growth_potential": "medium",
    "touch_model": "high"
})))]
#[serde(deny_unknown_fields)]
pub struct NewOrganization {
    pub name: String,
    #[serde(default)]
    pub plan: Option<String>,
    #[serde(default)]
    pub contract_start: Option<NaiveDate>,
    #[serde(default)]
    pub industry: Option<String>,
    #[serde(default)]
    pub yearly_spend: Option<i64>,
    #[serde(default)]
    pub size: Option<i32>,
    #[serde(default)]
    pub growth_potential: Option<GrowthPotential>,
    #[serde(default)]
    pub segment: Option<String>,
    /// Defaults to `high`.
    #[serde(default)]
    pub touch_model: Option<TouchModel>,
    /// Defaults to `onboarding`.
    #[serde(default)]
    pub lifecycle_stage: Option<LifecycleStage>,
    #[serde(default)]
    pub csm_id: Option<String>,
}

/// Changes to an organisation: absent fields stay as they are, `null` clears an optional one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"plan": "business", "csm_id": null})))]
#[serde(deny_unknown_fields)]
pub struct OrganizationPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub plan: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<NaiveDate>))]
    pub contract_start: Option<Option<NaiveDate>>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub industry: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub yearly_spend: Option<Option<i64>>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i32>))]
    pub size: Option<Option<i32>>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<GrowthPotential>))]
    pub growth_potential: Option<Option<GrowthPotential>>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub segment: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub touch_model: Option<TouchModel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle_stage: Option<LifecycleStage>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub csm_id: Option<Option<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e10", "organization_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e0f",
    "organization_name": "FaShop Srl", "email": "admin@fashop.test", "name": "Francesca Fabbri",
    "role": "client_admin", "availability": null, "department_ids": [], "skills": [], "active": true,
    "ticket_capacity": 10,
    "created_at": "2026-01-10T09:00:00Z", "updated_at": "2026-01-10T09:00:00Z", "version": 1
})))]
pub struct User {
    pub id: String,
    pub organization_id: String,
    pub organization_name: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// Support agents only.
    pub availability: Option<Availability>,
    pub department_ids: Vec<String>,
    pub skills: Vec<String>,
    pub active: bool,
    /// Most active tickets the desk assigns to this user at once (support agents).
    pub ticket_capacity: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// A new user. Staff roles join the vendor organisation; client roles need `organization_id`.
/// Without `password` the user cannot sign in until they set one through an invitation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "email": "member2@fashop.test", "name": "Marco Fabbri", "role": "client_member",
    "organization_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e0f", "password": "a long passphrase"
})))]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub role: Option<Role>,
    #[serde(default)]
    pub organization_id: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub department_ids: Vec<String>,
    #[serde(default)]
    pub skills: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"name": "Marco F.", "active": false})))]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability: Option<Availability>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skills: Option<Vec<String>>,
    /// Support agents: most active tickets at once, 1 to 200.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket_capacity: Option<i32>,
}

/// What people change about themselves: their name, and (support agents) their availability.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"availability": "away"})))]
#[serde(deny_unknown_fields)]
pub struct MePatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability: Option<Availability>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e20", "name": "Technical support",
    "description": "Faults and product problems", "member_count": 1,
    "assignment_strategy": "round_robin", "created_at": "2026-01-10T09:00:00Z"
})))]
pub struct Department {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub member_count: i64,
    /// How new tickets are spread among the department's available agents.
    pub assignment_strategy: crate::desk::AssignmentStrategy,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"name": "Billing", "description": "Invoices, refunds, cancellations"})))]
#[serde(deny_unknown_fields)]
pub struct NewDepartment {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e30", "email": "new@verdi.test", "name": "Nuova Persona",
    "role": "client_member", "organization_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e0f",
    "organization_name": "Verdi Arredamenti", "status": "pending",
    "expires_at": "2026-01-17T09:00:00Z", "created_at": "2026-01-10T09:00:00Z"
})))]
pub struct Invitation {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub organization_id: String,
    pub organization_name: String,
    /// `pending`, `accepted` or `expired`.
    pub status: String,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "email": "new@verdi.test", "name": "Nuova Persona", "role": "client_member",
    "organization_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e0f"
})))]
#[serde(deny_unknown_fields)]
pub struct NewInvitation {
    pub email: String,
    pub name: String,
    pub role: Option<Role>,
    #[serde(default)]
    pub organization_id: Option<String>,
}

/// Accepting an invitation sets the new user's password and signs them in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"token": "kq3…", "password": "a long passphrase"})))]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitation {
    pub token: String,
    pub password: String,
}
