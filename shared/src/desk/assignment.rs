//! Who gets a ticket: by skill first, then round-robin or
//! least-loaded among the department's online agents below their capacity. Every decision
//! carries one human sentence saying why, which the ticket's history records.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{AssignmentStrategy, Priority};
use crate::identity::Availability;

/// An agent of the ticket's department, as assignment sees them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Candidate {
    pub user_id: String,
    pub name: String,
    pub availability: Availability,
    pub skills: Vec<String>,
    /// Tickets assigned to the agent and still active.
    pub active_tickets: u32,
    /// The most active tickets the agent takes; 0 takes none.
    pub capacity: u32,
    pub last_assigned_at: Option<DateTime<Utc>>,
}

impl Candidate {
    /// Online and below capacity: the only agents who get new tickets.
    pub fn is_free(&self) -> bool {
        self.availability == Availability::Online && self.active_tickets < self.capacity
    }

    /// Skills match ignoring case and surrounding spaces ("Shopify" is "shopify ").
    pub fn has_skill(&self, skill: &str) -> bool {
        let skill = skill.trim();
        self.skills
            .iter()
            .any(|s| s.trim().eq_ignore_ascii_case(skill))
    }

    /// The name for reasons, falling back to the id when the name is blank.
    fn display_name(&self) -> &str {
        if self.name.trim().is_empty() {
            &self.user_id
        } else {
            self.name.trim()
        }
    }
}

/// The outcome of one assignment, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignmentDecision {
    /// `None`: nobody is free; the ticket waits in the unassigned queue.
    pub assignee_id: Option<String>,
    /// One sentence, e.g. "Anna Rossi: skill shopify, online, 2 of 5 active, least loaded".
    pub reason: String,
}

/// An agent in the middle of a sweep: their load so far and, once given a ticket in this
/// sweep, the order in which that happened (which puts them behind everyone not yet
/// served, the way a fresh `last_assigned_at` would).
struct Slot<'a> {
    candidate: &'a Candidate,
    active: u32,
    served: Option<u32>,
}

impl Slot<'_> {
    fn is_free(&self) -> bool {
        self.candidate.availability == Availability::Online && self.active < self.candidate.capacity
    }

    /// Longest ago served first: not served in this sweep before served in it; never
    /// assigned before assigned long ago before assigned recently; then the user id so
    /// equal agents are always taken in the same order.
    fn recency(&self) -> (Option<u32>, Option<DateTime<Utc>>, &str) {
        (
            self.served,
            self.candidate.last_assigned_at,
            &self.candidate.user_id,
        )
    }
}

/// Which of the free slots (indexes into `slots`) goes next under `strategy`.
fn next_in_line(slots: &[Slot], eligible: &[usize], strategy: AssignmentStrategy) -> Option<usize> {
    eligible.iter().copied().min_by(|&a, &b| {
        let (a, b) = (&slots[a], &slots[b]);
        match strategy {
            AssignmentStrategy::RoundRobin => a.recency().cmp(&b.recency()),
            AssignmentStrategy::LeastLoaded => {
                (a.active, a.recency()).cmp(&(b.active, b.recency()))
            }
        }
    })
}

/// The trimmed skill, when one is really asked for.
fn wanted(required_skill: Option<&str>) -> Option<&str> {
    required_skill.map(str::trim).filter(|s| !s.is_empty())
}

/// The decision for one ticket among the slots; the caller updates the chosen slot.
fn decide(
    slots: &[Slot],
    required_skill: Option<&str>,
    strategy: AssignmentStrategy,
) -> (Option<usize>, String) {
    let free: Vec<usize> = (0..slots.len()).filter(|&i| slots[i].is_free()).collect();
    let skill = wanted(required_skill);
    let skilled: Vec<usize> = match skill {
        Some(s) => free
            .iter()
            .copied()
            .filter(|&i| slots[i].candidate.has_skill(s))
            .collect(),
        None => Vec::new(),
    };
    let (pool, why) = match skill {
        Some(s) if !skilled.is_empty() => (&skilled, format!("skill {s}, ")),
        Some(s) => (
            &free,
            format!("nobody free has skill {s}, so any free agent; "),
        ),
        None => (&free, String::new()),
    };
    let Some(i) = next_in_line(slots, pool, strategy) else {
        return (None, nobody_free(slots));
    };
    let slot = &slots[i];
    let how = match strategy {
        AssignmentStrategy::RoundRobin => "next in round robin",
        AssignmentStrategy::LeastLoaded => "least loaded",
    };
    let reason = format!(
        "{}: {why}online, {} of {} active, {how}",
        slot.candidate.display_name(),
        slot.active,
        slot.candidate.capacity,
    );
    (Some(i), reason)
}

/// Why nobody got the ticket, counting who was away, offline or full.
fn nobody_free(slots: &[Slot]) -> String {
    const WAITS: &str = "the ticket waits in the unassigned queue";
    if slots.is_empty() {
        return format!("Nobody assigned: the department has no agents; {WAITS}");
    }
    let count = |a: Availability| {
        slots
            .iter()
            .filter(|s| s.candidate.availability == a)
            .count()
    };
    let full = slots
        .iter()
        .filter(|s| s.candidate.availability == Availability::Online && !s.is_free())
        .count();
    let parts: Vec<String> = [
        (count(Availability::Away), "away"),
        (count(Availability::Offline), "offline"),
        (full, "at capacity"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    format!(
        "Nobody assigned: no agent is free ({}); {WAITS}",
        parts.join(", ")
    )
}

/// Skill first, then the strategy, among ONLINE agents below capacity. `away` and `offline`
/// agents get nothing new. If nobody with the skill is free, fall back to any free online agent
/// of the department and say so. Nobody free → None with the reason (the ticket waits in the
/// unassigned queue and is swept later). Ties: round-robin → oldest last_assigned_at (None
/// first), then user_id; least-loaded → fewest active, then oldest last_assigned_at, then user_id.
/// The reason is one human sentence, e.g. "Anna Rossi: skill shopify, online, 2 of 5 active, least loaded".
pub fn choose(
    candidates: &[Candidate],
    required_skill: Option<&str>,
    strategy: AssignmentStrategy,
) -> AssignmentDecision {
    let slots = slots_of(candidates);
    let (chosen, reason) = decide(&slots, required_skill, strategy);
    AssignmentDecision {
        assignee_id: chosen.map(|i| slots[i].candidate.user_id.clone()),
        reason,
    }
}

fn slots_of(candidates: &[Candidate]) -> Vec<Slot<'_>> {
    candidates
        .iter()
        .map(|c| Slot {
            candidate: c,
            active: c.active_tickets,
            served: None,
        })
        .collect()
}

/// An unassigned ticket waiting for the sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Waiting {
    pub ticket_id: String,
    pub priority: Priority,
    pub created_at: DateTime<Utc>,
    pub required_skill: Option<String>,
}

/// For the sweep: which unassigned tickets go to which agents, with reasons. Tickets are
/// served highest priority first and, within a priority, oldest first (then by id, so a
/// sweep is repeatable). Each assignment counts against the agent's capacity and puts them
/// at the back of the round-robin line for the rest of the sweep. Only tickets that got an
/// agent are returned; the rest keep waiting.
pub fn sweep(
    waiting: &[Waiting],
    candidates: &[Candidate],
    strategy: AssignmentStrategy,
) -> Vec<(String, AssignmentDecision)> {
    let mut order: Vec<&Waiting> = waiting.iter().collect();
    order.sort_by(|a, b| {
        b.priority
            .cmp(&a.priority)
            .then(a.created_at.cmp(&b.created_at))
            .then(a.ticket_id.cmp(&b.ticket_id))
    });
    let mut slots = slots_of(candidates);
    let mut out = Vec::new();
    let mut served = 0u32;
    for w in order {
        if !slots.iter().any(Slot::is_free) {
            break;
        }
        let (chosen, reason) = decide(&slots, w.required_skill.as_deref(), strategy);
        if let Some(i) = chosen {
            let slot = &mut slots[i];
            slot.active += 1;
            slot.served = Some(served);
            served += 1;
            out.push((
                w.ticket_id.clone(),
                AssignmentDecision {
                    assignee_id: Some(slot.candidate.user_id.clone()),
                    reason,
                },
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use AssignmentStrategy::{LeastLoaded, RoundRobin};
    use Availability::{Away, Offline, Online};
    use chrono::TimeZone;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 1, 6, h, 0, 0)
            .single()
            .expect("valid instant")
    }

    fn cand(
        id: &str,
        availability: Availability,
        skills: &[&str],
        active: u32,
        capacity: u32,
        last: Option<u32>,
    ) -> Candidate {
        let mut name = id.to_string();
        if let Some(first) = name.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        Candidate {
            user_id: id.to_string(),
            name: format!("{name} Rossi"),
            availability,
            skills: skills.iter().map(|s| s.to_string()).collect(),
            active_tickets: active,
            capacity,
            last_assigned_at: last.map(at),
        }
    }

    fn team() -> Vec<Candidate> {
        vec![
            cand("anna", Online, &["shopify", "billing"], 2, 5, Some(10)),
            cand("bruno", Online, &["magento"], 1, 5, Some(9)),
            cand("carla", Away, &["shopify"], 0, 5, None),
            cand("dario", Offline, &["shopify", "zendesk"], 0, 5, None),
            cand("elena", Online, &["shopify", "zendesk"], 5, 5, None),
            cand("fabio", Online, &[], 0, 3, None),
        ]
    }

    /// (candidates, required skill, strategy, expected outcome)
    type Case<'a, T> = (&'a [Candidate], Option<&'a str>, AssignmentStrategy, T);

    fn who(d: &AssignmentDecision) -> Option<&str> {
        d.assignee_id.as_deref()
    }

    #[test]
    fn choose_table() {
        let full = team();
        let no_fabio: Vec<Candidate> = team()
            .into_iter()
            .filter(|c| c.user_id != "fabio")
            .collect();
        // (candidates, skill, strategy, expected)
        let cases: Vec<Case<Option<&str>>> = vec![
            // The only free agent with the skill, whatever the strategy.
            (&full, Some("shopify"), LeastLoaded, Some("anna")),
            (&full, Some("shopify"), RoundRobin, Some("anna")),
            (&full, Some(" Shopify "), RoundRobin, Some("anna")),
            (&full, Some("magento"), LeastLoaded, Some("bruno")),
            (&full, Some("billing"), RoundRobin, Some("anna")),
            // Nobody free has the skill (dario offline, elena full): anyone free.
            (&full, Some("zendesk"), LeastLoaded, Some("fabio")),
            (&full, Some("zendesk"), RoundRobin, Some("fabio")),
            (&no_fabio, Some("zendesk"), LeastLoaded, Some("bruno")),
            (&no_fabio, Some("zendesk"), RoundRobin, Some("bruno")),
            // No skill asked (or a blank one).
            (&full, None, LeastLoaded, Some("fabio")),
            (&full, None, RoundRobin, Some("fabio")),
            (&full, Some("  "), RoundRobin, Some("fabio")),
            (&no_fabio, None, LeastLoaded, Some("bruno")),
            (&no_fabio, None, RoundRobin, Some("bruno")),
            (&no_fabio[2..], None, RoundRobin, None),
            (&no_fabio[2..], Some("shopify"), LeastLoaded, None),
            (&[], None, LeastLoaded, None),
        ];
        for (cands, skill, strategy, expected) in cases {
            let d = choose(cands, skill, strategy);
            assert_eq!(
                who(&d),
                expected,
                "{skill:?} {strategy:?} among {}",
                cands.len()
            );
        }
    }

    #[test]
    fn reasons_are_one_sentence() {
        let full = team();
        let no_fabio: Vec<Candidate> = team()
            .into_iter()
            .filter(|c| c.user_id != "fabio")
            .collect();
        let cases: Vec<Case<&str>> = vec![
            (
                &full,
                Some("shopify"),
                LeastLoaded,
                "Anna Rossi: skill shopify, online, 2 of 5 active, least loaded",
            ),
            (
                &full,
                Some("shopify"),
                RoundRobin,
                "Anna Rossi: skill shopify, online, 2 of 5 active, next in round robin",
            ),
            (
                &full,
                Some(" shopify "),
                RoundRobin,
                "Anna Rossi: skill shopify, online, 2 of 5 active, next in round robin",
            ),
            (
                &full,
                None,
                LeastLoaded,
                "Fabio Rossi: online, 0 of 3 active, least loaded",
            ),
            (
                &no_fabio,
                Some("zendesk"),
                RoundRobin,
                "Bruno Rossi: nobody free has skill zendesk, so any free agent; online, 1 of 5 active, next in round robin",
            ),
            (
                &no_fabio[2..],
                None,
                RoundRobin,
                "Nobody assigned: no agent is free (1 away, 1 offline, 1 at capacity); the ticket waits in the unassigned queue",
            ),
            (
                &full[2..4],
                None,
                RoundRobin,
                "Nobody assigned: no agent is free (1 away, 1 offline); the ticket waits in the unassigned queue",
            ),
            (
                &full[4..5],
                Some("shopify"),
                LeastLoaded,
                "Nobody assigned: no agent is free (1 at capacity); the ticket waits in the unassigned queue",
            ),
            (
                &[],
                Some("shopify"),
                LeastLoaded,
                "Nobody assigned: the department has no agents; the ticket waits in the unassigned queue",
            ),
        ];
        for (cands, skill, strategy, expected) in cases {
            assert_eq!(choose(cands, skill, strategy).reason, expected);
        }
        // A blank name falls back to the id.
        let mut c = cand("u1", Online, &[], 0, 1, None);
        c.name = " ".into();
        assert_eq!(
            choose(&[c], None, LeastLoaded).reason,
            "u1: online, 0 of 1 active, least loaded"
        );
    }

    #[test]
    fn only_online_agents_below_capacity_get_tickets() {
        for availability in [Online, Away, Offline] {
            for capacity in 0..=3 {
                for active in 0..=4 {
                    let c = cand("a", availability, &["x"], active, capacity, None);
                    let expected = availability == Online && active < capacity;
                    assert_eq!(c.is_free(), expected);
                    for strategy in [RoundRobin, LeastLoaded] {
                        for skill in [None, Some("x"), Some("y")] {
                            let d = choose(std::slice::from_ref(&c), skill, strategy);
                            assert_eq!(
                                d.assignee_id.is_some(),
                                expected,
                                "{availability:?} {active}/{capacity} {skill:?}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn skill_beats_strategy_but_never_availability() {
        // The skilled agent is busier and was assigned more recently, yet wins.
        let cands = vec![
            cand("idle", Online, &[], 0, 9, None),
            cand("expert", Online, &["sap"], 8, 9, Some(23)),
        ];
        for s in [RoundRobin, LeastLoaded] {
            assert_eq!(who(&choose(&cands, Some("sap"), s)), Some("expert"));
            assert_eq!(who(&choose(&cands, None, s)), Some("idle"));
        }
        // Skilled but away, offline or full: fall back, and say so.
        for skilled in [
            cand("expert", Away, &["sap"], 0, 9, None),
            cand("expert", Offline, &["sap"], 0, 9, None),
            cand("expert", Online, &["sap"], 9, 9, None),
        ] {
            let cands = vec![cand("idle", Online, &[], 3, 9, None), skilled];
            for s in [RoundRobin, LeastLoaded] {
                let d = choose(&cands, Some("sap"), s);
                assert_eq!(who(&d), Some("idle"));
                assert!(
                    d.reason.contains("nobody free has skill sap"),
                    "{}",
                    d.reason
                );
            }
        }
        // Skills match ignoring case and spaces on both sides.
        let c = cand("a", Online, &[" SAP "], 0, 1, None);
        assert!(c.has_skill("sap") && c.has_skill(" Sap") && !c.has_skill("sa"));
    }

    #[test]
    fn tie_breaks() {
        // (a, b, strategy, winner)
        let cases = [
            // Round robin: never assigned first, then oldest, then user id; load ignored.
            (
                cand("b", Online, &[], 4, 9, None),
                cand("a", Online, &[], 0, 9, Some(8)),
                RoundRobin,
                "b",
            ),
            (
                cand("b", Online, &[], 4, 9, Some(7)),
                cand("a", Online, &[], 0, 9, Some(8)),
                RoundRobin,
                "b",
            ),
            (
                cand("b", Online, &[], 0, 9, Some(8)),
                cand("a", Online, &[], 4, 9, Some(8)),
                RoundRobin,
                "a",
            ),
            (
                cand("b", Online, &[], 0, 9, None),
                cand("a", Online, &[], 4, 9, None),
                RoundRobin,
                "a",
            ),
            // Least loaded: fewest active, then oldest, then user id.
            (
                cand("b", Online, &[], 1, 9, Some(9)),
                cand("a", Online, &[], 2, 9, None),
                LeastLoaded,
                "b",
            ),
            (
                cand("b", Online, &[], 2, 9, None),
                cand("a", Online, &[], 2, 9, Some(1)),
                LeastLoaded,
                "b",
            ),
            (
                cand("b", Online, &[], 2, 9, Some(3)),
                cand("a", Online, &[], 2, 9, Some(4)),
                LeastLoaded,
                "b",
            ),
            (
                cand("b", Online, &[], 2, 9, Some(3)),
                cand("a", Online, &[], 2, 9, Some(3)),
                LeastLoaded,
                "a",
            ),
            (
                cand("b", Online, &[], 2, 9, None),
                cand("a", Online, &[], 2, 9, None),
                LeastLoaded,
                "a",
            ),
            // Least loaded counts tickets, not the share of capacity.
            (
                cand("b", Online, &[], 2, 3, None),
                cand("a", Online, &[], 3, 30, None),
                LeastLoaded,
                "b",
            ),
        ];
        for (a, b, strategy, winner) in cases {
            let ab = [a.clone(), b.clone()];
            let ba = [b, a];
            assert_eq!(who(&choose(&ab, None, strategy)), Some(winner), "{ab:?}");
            assert_eq!(who(&choose(&ba, None, strategy)), Some(winner), "{ba:?}");
        }
    }

    fn waiting(id: &str, priority: Priority, created_hour: u32, skill: Option<&str>) -> Waiting {
        Waiting {
            ticket_id: id.to_string(),
            priority,
            created_at: at(created_hour),
            required_skill: skill.map(str::to_string),
        }
    }

    fn counts(result: &[(String, AssignmentDecision)], ids: &[&str]) -> Vec<usize> {
        ids.iter()
            .map(|id| result.iter().filter(|(_, d)| who(d) == Some(*id)).count())
            .collect()
    }

    #[test]
    fn round_robin_sweep_spreads_evenly() {
        let agents = vec![
            cand("a", Online, &[], 0, 20, Some(5)),
            cand("b", Online, &[], 7, 20, Some(3)),
            cand("c", Online, &[], 1, 20, Some(4)),
        ];
        let tickets: Vec<Waiting> = (0..10)
            .map(|i| waiting(&format!("t{i:02}"), Priority::Normal, i, None))
            .collect();
        let out = sweep(&tickets, &agents, RoundRobin);
        assert_eq!(out.len(), 10);
        assert_eq!(counts(&out, &["a", "b", "c"]), vec![3, 4, 3]);
        // Longest-waiting agent first, then around the circle.
        let order: Vec<&str> = out.iter().filter_map(|(_, d)| who(d)).collect();
        assert_eq!(order, ["b", "c", "a", "b", "c", "a", "b", "c", "a", "b"]);
        let tickets_in_order: Vec<&str> = out.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(
            tickets_in_order,
            [
                "t00", "t01", "t02", "t03", "t04", "t05", "t06", "t07", "t08", "t09"
            ]
        );
        // Reasons show the load growing.
        assert_eq!(
            out[0].1.reason,
            "B Rossi: online, 7 of 20 active, next in round robin"
        );
        assert_eq!(
            out[3].1.reason,
            "B Rossi: online, 8 of 20 active, next in round robin"
        );
    }

    #[test]
    fn least_loaded_sweep_levels_the_load() {
        let agents = vec![
            cand("a", Online, &[], 0, 20, None),
            cand("b", Online, &[], 2, 20, None),
            cand("c", Online, &[], 4, 20, None),
        ];
        let tickets: Vec<Waiting> = (0..10)
            .map(|i| waiting(&format!("t{i}"), Priority::Low, i, None))
            .collect();
        let out = sweep(&tickets, &agents, LeastLoaded);
        assert_eq!(counts(&out, &["a", "b", "c"]), vec![5, 3, 2]);
        let order: Vec<&str> = out.iter().filter_map(|(_, d)| who(d)).collect();
        assert_eq!(order, ["a", "a", "b", "a", "b", "a", "c", "b", "a", "c"]);
    }

    #[test]
    fn sweep_respects_capacity_and_availability() {
        let agents = vec![
            cand("a", Online, &[], 0, 2, None),
            cand("b", Online, &[], 1, 2, None),
            cand("c", Away, &[], 0, 9, None),
            cand("d", Offline, &[], 0, 9, None),
            cand("e", Online, &[], 0, 0, None),
        ];
        let tickets: Vec<Waiting> = (0..10)
            .map(|i| waiting(&format!("t{i}"), Priority::High, i, None))
            .collect();
        for strategy in [RoundRobin, LeastLoaded] {
            let out = sweep(&tickets, &agents, strategy);
            assert_eq!(
                counts(&out, &["a", "b", "c", "d", "e"]),
                vec![2, 1, 0, 0, 0],
                "{strategy:?}"
            );
            let ids: Vec<&str> = out.iter().map(|(t, _)| t.as_str()).collect();
            assert_eq!(ids, ["t0", "t1", "t2"]);
        }
        assert!(sweep(&tickets, &agents[2..], RoundRobin).is_empty());
        assert!(sweep(&tickets, &[], RoundRobin).is_empty());
        assert!(sweep(&[], &agents, RoundRobin).is_empty());
    }

    #[test]
    fn sweep_serves_highest_priority_then_oldest() {
        use Priority::*;
        let tickets = vec![
            waiting("low-old", Low, 1, None),
            waiting("high-new", High, 9, None),
            waiting("urgent-new", Urgent, 8, None),
            waiting("normal", Normal, 2, None),
            waiting("high-old", High, 3, None),
            waiting("high-old-b", High, 3, None),
            waiting("urgent-old", Urgent, 5, None),
        ];
        let one = vec![cand("a", Online, &[], 0, 4, None)];
        let out = sweep(&tickets, &one, LeastLoaded);
        let ids: Vec<&str> = out.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(ids, ["urgent-old", "urgent-new", "high-old", "high-old-b"]);
        let plenty = vec![cand("a", Online, &[], 0, 99, None)];
        let ids: Vec<String> = sweep(&tickets, &plenty, RoundRobin)
            .into_iter()
            .map(|(t, _)| t)
            .collect();
        assert_eq!(
            ids,
            [
                "urgent-old",
                "urgent-new",
                "high-old",
                "high-old-b",
                "high-new",
                "normal",
                "low-old"
            ]
        );
    }

    #[test]
    fn sweep_matches_skills_per_ticket() {
        let agents = vec![
            cand("generalist", Online, &[], 0, 9, None),
            cand("expert", Online, &["sap"], 0, 1, Some(1)),
        ];
        let tickets = vec![
            waiting("plain", Priority::Normal, 1, None),
            waiting("sap-1", Priority::Normal, 2, Some("sap")),
            waiting("sap-2", Priority::Normal, 3, Some("sap")),
        ];
        let out = sweep(&tickets, &agents, RoundRobin);
        let pairs: Vec<(&str, Option<&str>)> =
            out.iter().map(|(t, d)| (t.as_str(), who(d))).collect();
        assert_eq!(
            pairs,
            [
                ("plain", Some("generalist")),
                ("sap-1", Some("expert")),
                ("sap-2", Some("generalist"))
            ]
        );
        assert_eq!(
            out[1].1.reason,
            "Expert Rossi: skill sap, online, 0 of 1 active, next in round robin"
        );
        assert!(out[2].1.reason.contains("nobody free has skill sap"));
    }

    #[test]
    fn decisions_serialise() {
        let d = choose(&team(), Some("shopify"), LeastLoaded);
        let v = serde_json::to_value(&d).expect("serialise");
        assert_eq!(v["assignee_id"], "anna");
        let back: AssignmentDecision = serde_json::from_value(v).expect("parse");
        assert_eq!(back, d);
        let c = cand("anna", Online, &["x"], 1, 2, Some(3));
        let v = serde_json::to_value(&c).expect("serialise");
        assert_eq!(v["availability"], "online");
        assert_eq!(serde_json::from_value::<Candidate>(v).expect("parse"), c);
    }
}
