//! The shared checklist: items, their states, and the one state machine that
//! says who may move an item and how. The API enforces it; the web app shows only the actions
//! it allows.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::Role;

/// The side that ticks an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Responsible {
    Client,
    Csm,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActivityState {
    Todo,
    Done,
    /// Not applicable to this client; left out of progress.
    Skipped,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActivityAction {
    /// `todo` → `done` (tick).
    Complete,
    /// `done` or `skipped` → `todo`; needs a reason.
    Reopen,
    /// `todo` → `skipped` (not applicable); the CSM's call.
    Skip,
}

impl Responsible {
    pub fn as_str(self) -> &'static str {
        match self {
            Responsible::Client => "client",
            Responsible::Csm => "csm",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "client" => Some(Responsible::Client),
            "csm" => Some(Responsible::Csm),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Responsible::Client => "Client",
            Responsible::Csm => "CSM",
        }
    }
}

impl ActivityState {
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityState::Todo => "todo",
            ActivityState::Done => "done",
            ActivityState::Skipped => "skipped",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "todo" => Some(ActivityState::Todo),
            "done" => Some(ActivityState::Done),
            "skipped" => Some(ActivityState::Skipped),
            _ => None,
        }
    }
}

impl ActivityAction {
    pub const ALL: [ActivityAction; 3] = [
        ActivityAction::Complete,
        ActivityAction::Reopen,
        ActivityAction::Skip,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityAction::Complete => "complete",
            ActivityAction::Reopen => "reopen",
            ActivityAction::Skip => "skip",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
    /// The button text for this action.
    pub fn label(self) -> &'static str {
        match self {
            ActivityAction::Complete => "Mark done",
            ActivityAction::Reopen => "Reopen",
            ActivityAction::Skip => "Not applicable",
        }
    }
}

/// How the person acting relates to the project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectSide {
    /// A user of the client organisation.
    Client,
    /// The project's CSM, or an administrator acting for the vendor.
    Csm,
    /// Vendor staff who may read the project but not work in it.
    Observer,
}

impl ProjectSide {
    /// The side of a user, given whether they are the project's CSM.
    pub fn of(role: Role, is_project_csm: bool) -> ProjectSide {
        match role {
            Role::ClientAdmin | Role::ClientMember => ProjectSide::Client,
            Role::Admin => ProjectSide::Csm,
            Role::Csm if is_project_csm => ProjectSide::Csm,
            _ => ProjectSide::Observer,
        }
    }
}

/// Why a move is refused; the API answers `transition_not_allowed` with this text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransitionError {
    /// The item is not in a state the action starts from.
    WrongState {
        action: ActivityAction,
        state: ActivityState,
    },
    /// This side may not move this item this way.
    NotYourSide {
        action: ActivityAction,
        responsible: Responsible,
    },
    ReasonRequired,
    ReadOnly,
}

impl std::fmt::Display for TransitionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TransitionError::WrongState { action, state } => write!(
                f,
                "cannot {} an item that is {}",
                action.as_str(),
                state.as_str()
            ),
            TransitionError::NotYourSide {
                action: ActivityAction::Skip,
                ..
            } => write!(f, "only the CSM can mark an item not applicable"),
            TransitionError::NotYourSide {
                action,
                responsible,
            } => write!(
                f,
                "this item is for the {} to {}",
                responsible.label(),
                match action {
                    ActivityAction::Complete => "tick",
                    _ => "reopen",
                }
            ),
            TransitionError::ReasonRequired => write!(f, "reopening an item needs a reason"),
            TransitionError::ReadOnly => {
                write!(f, "your role can read this project but not work in it")
            }
        }
    }
}

/// The state an action leads to from `state`, if it starts there at all.
pub fn target(action: ActivityAction, state: ActivityState) -> Option<ActivityState> {
    use ActivityAction as A;
    use ActivityState as S;
    match (action, state) {
        (A::Complete, S::Todo) => Some(S::Done),
        (A::Reopen, S::Done | S::Skipped) => Some(S::Todo),
        (A::Skip, S::Todo) => Some(S::Skipped),
        _ => None,
    }
}

/// May `side` apply `action` to an item with this responsibility and state? The CSM may move
/// any item (working with the client, they often tick on the client's behalf); a client only
/// ticks and reopens the client's own items, and never skips or un-skips.
pub fn check(
    side: ProjectSide,
    responsible: Responsible,
    state: ActivityState,
    action: ActivityAction,
    reason: Option<&str>,
) -> Result<ActivityState, TransitionError> {
    if side == ProjectSide::Observer {
        return Err(TransitionError::ReadOnly);
    }
    let to = target(action, state).ok_or(TransitionError::WrongState { action, state })?;
    if side == ProjectSide::Client {
        let client_may = match action {
            ActivityAction::Complete => responsible == Responsible::Client,
            ActivityAction::Reopen => {
                responsible == Responsible::Client && state == ActivityState::Done
            }
            ActivityAction::Skip => false,
        };
        if !client_may {
            return Err(TransitionError::NotYourSide {
                action,
                responsible,
            });
        }
    }
    if action == ActivityAction::Reopen && reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(TransitionError::ReasonRequired);
    }
    Ok(to)
}

/// The actions `side` may take on an item now (a reason is assumed where one is needed).
pub fn allowed_actions(
    side: ProjectSide,
    responsible: Responsible,
    state: ActivityState,
) -> Vec<ActivityAction> {
    ActivityAction::ALL
        .into_iter()
        .filter(|a| check(side, responsible, state, *a, Some("reason")).is_ok())
        .collect()
}

/// Done out of applicable (skipped items are not applicable).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Progress {
    pub done: i64,
    pub applicable: i64,
    /// Whole per cent, 0 to 100; 100 when nothing is applicable.
    pub percent: i64,
}

impl Progress {
    pub fn new(done: i64, applicable: i64) -> Progress {
        let percent = if applicable <= 0 {
            100
        } else {
            (done * 100) / applicable
        };
        Progress {
            done,
            applicable,
            percent,
        }
    }

    /// Progress over items in these states.
    pub fn of<'a>(states: impl IntoIterator<Item = &'a ActivityState>) -> Progress {
        let (mut done, mut applicable) = (0, 0);
        for s in states {
            match s {
                ActivityState::Done => {
                    done += 1;
                    applicable += 1
                }
                ActivityState::Todo => applicable += 1,
                ActivityState::Skipped => {}
            }
        }
        Progress::new(done, applicable)
    }
}

/// Material attached to an item: a titled link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub title: String,
    /// `http://` or `https://` address.
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e10", "project_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e01",
    "category_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e02", "position": 1,
    "title": "Training: order management", "description": "Two-hour remote session.",
    "responsible": "client", "state": "todo", "due_date": "2026-12-10", "review_date": null,
    "links": [{"title": "Guide", "url": "https://help.example.com/orders"}],
    "done_at": null, "done_by_name": null, "overdue": false,
    "allowed_actions": ["complete"], "updated_at": "2026-11-23T09:00:00Z", "version": 1
})))]
pub struct Activity {
    pub id: String,
    pub project_id: String,
    pub category_id: String,
    pub position: i32,
    pub title: String,
    pub description: Option<String>,
    pub responsible: Responsible,
    pub state: ActivityState,
    pub due_date: Option<NaiveDate>,
    /// A date to look at the item again (for example a check after go-live).
    pub review_date: Option<NaiveDate>,
    pub links: Vec<Link>,
    pub done_at: Option<DateTime<Utc>>,
    pub done_by_name: Option<String>,
    /// Still to do and past its due date.
    pub overdue: bool,
    /// What the caller may do with this item now.
    pub allowed_actions: Vec<ActivityAction>,
    pub updated_at: DateTime<Utc>,
    /// Increases with every change; the `ETag` carries it.
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityCategory {
    pub id: String,
    pub name: String,
    pub position: i32,
    pub progress: Progress,
    pub items: Vec<Activity>,
}

/// A project's checklist: ordered categories with their items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityList {
    pub project_id: String,
    pub progress: Progress,
    pub categories: Vec<ActivityCategory>,
}

/// Move an item: `complete`, `reopen` (with a reason) or `skip`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"action": "reopen", "reason": "The session was cancelled"})))]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    pub action: ActivityAction,
    #[serde(default)]
    pub reason: Option<String>,
}

/// One recorded move of an item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityTransition {
    pub id: String,
    pub activity_id: String,
    pub action: ActivityAction,
    pub from_state: ActivityState,
    pub to_state: ActivityState,
    pub reason: Option<String>,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A new item in a project's checklist (the CSM's or an administrator's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "category_id": "01935c4e-8a1b-7c3d-9e4f-5a6b7c8d9e02", "title": "Training: returns",
    "responsible": "client", "due_date": "2026-12-15"
})))]
#[serde(deny_unknown_fields)]
pub struct NewActivity {
    pub category_id: String,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    pub responsible: Responsible,
    #[serde(default)]
    pub due_date: Option<NaiveDate>,
    #[serde(default)]
    pub review_date: Option<NaiveDate>,
    #[serde(default)]
    pub links: Vec<Link>,
}

/// Changes to an item's details (not its state: use a transition). Absent fields stay;
/// `null` clears an optional one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"due_date": "2026-12-20"})))]
#[serde(deny_unknown_fields)]
pub struct ActivityPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::identity::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub description: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responsible: Option<Responsible>,
    #[serde(
        default,
        deserialize_with = "crate::identity::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<NaiveDate>))]
    pub due_date: Option<Option<NaiveDate>>,
    #[serde(
        default,
        deserialize_with = "crate::identity::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<NaiveDate>))]
    pub review_date: Option<Option<NaiveDate>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links: Option<Vec<Link>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use ActivityAction as A;
    use ActivityState as S;
    use ProjectSide as P;
    use Responsible as R;

    const STATES: [S; 3] = [S::Todo, S::Done, S::Skipped];

    #[test]
    fn every_combination_follows_the_table() {
        // (side, responsible, state, action) → allowed? Written out in full so a change to
        // the rules has to change this table too.
        for side in [P::Client, P::Csm, P::Observer] {
            for resp in [R::Client, R::Csm] {
                for state in STATES {
                    for action in A::ALL {
                        let expected = match (side, action, state) {
                            (P::Observer, _, _) => false,
                            (_, A::Complete, S::Todo) => side == P::Csm || resp == R::Client,
                            (_, A::Reopen, S::Done) => side == P::Csm || resp == R::Client,
                            (_, A::Reopen, S::Skipped) => side == P::Csm,
                            (_, A::Skip, S::Todo) => side == P::Csm,
                            _ => false,
                        };
                        let got = check(side, resp, state, action, Some("why")).is_ok();
                        assert_eq!(got, expected, "{side:?} {resp:?} {state:?} {action:?}");
                        assert_eq!(
                            allowed_actions(side, resp, state).contains(&action),
                            expected
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn targets_and_reasons() {
        assert_eq!(
            check(P::Csm, R::Csm, S::Todo, A::Complete, None),
            Ok(S::Done)
        );
        assert_eq!(
            check(P::Csm, R::Csm, S::Todo, A::Skip, None),
            Ok(S::Skipped)
        );
        assert_eq!(
            check(P::Csm, R::Csm, S::Done, A::Reopen, None),
            Err(TransitionError::ReasonRequired)
        );
        assert_eq!(
            check(P::Client, R::Client, S::Done, A::Reopen, Some("  ")),
            Err(TransitionError::ReasonRequired)
        );
        assert_eq!(
            check(P::Client, R::Client, S::Done, A::Reopen, Some("redo")),
            Ok(S::Todo)
        );
        let err = check(P::Client, R::Csm, S::Todo, A::Complete, None).expect_err("refused");
        assert_eq!(err.to_string(), "this item is for the CSM to tick");
        let err = check(P::Csm, R::Csm, S::Done, A::Complete, None).expect_err("refused");
        assert_eq!(err.to_string(), "cannot complete an item that is done");
    }

    #[test]
    fn sides_by_role() {
        assert_eq!(ProjectSide::of(Role::ClientMember, false), P::Client);
        assert_eq!(ProjectSide::of(Role::ClientAdmin, false), P::Client);
        assert_eq!(ProjectSide::of(Role::Csm, true), P::Csm);
        assert_eq!(ProjectSide::of(Role::Csm, false), P::Observer);
        assert_eq!(ProjectSide::of(Role::Admin, false), P::Csm);
        for r in [Role::AccountManager, Role::SupportAgent, Role::Sales] {
            assert_eq!(ProjectSide::of(r, false), P::Observer);
        }
    }

    #[test]
    fn progress_leaves_out_skipped_items() {
        assert_eq!(
            Progress::of(&[S::Done, S::Todo, S::Skipped]),
            Progress::new(1, 2)
        );
        assert_eq!(Progress::new(1, 2).percent, 50);
        assert_eq!(Progress::new(2, 3).percent, 66);
        assert_eq!(Progress::of(&[S::Skipped]).percent, 100);
        assert_eq!(Progress::of(&[]).percent, 100);
    }
}
