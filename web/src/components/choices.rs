//! Option lists for drop-downs, built from the `shared` enums.

use shared::Role;
use shared::identity::{Availability, GrowthPotential, LifecycleStage, TouchModel};

use crate::format;

pub type Choices = Vec<(String, String)>;

fn pairs<'a>(items: impl IntoIterator<Item = (&'a str, &'a str)>) -> Choices {
    items
        .into_iter()
        .map(|(v, l)| (v.to_string(), l.to_string()))
        .collect()
}

/// A leading "none" entry with the given label.
pub fn none(label: &str) -> Choices {
    vec![(String::new(), label.to_string())]
}

pub fn roles() -> Choices {
    pairs(Role::ALL.iter().map(|r| (r.as_str(), r.label())))
}

pub fn lifecycle_stages() -> Choices {
    pairs(
        LifecycleStage::NAMES
            .iter()
            .filter_map(|n| LifecycleStage::parse(n).map(|s| (*n, format::lifecycle(s)))),
    )
}

pub fn touch_models() -> Choices {
    pairs(
        TouchModel::NAMES
            .iter()
            .filter_map(|n| TouchModel::parse(n).map(|t| (*n, format::touch(t)))),
    )
}

pub fn growth_potentials() -> Choices {
    let mut c = none("Not set");
    c.extend(pairs(GrowthPotential::NAMES.iter().filter_map(|n| {
        GrowthPotential::parse(n).map(|g| (*n, format::growth(g)))
    })));
    c
}

pub fn availabilities() -> Choices {
    pairs(
        Availability::NAMES
            .iter()
            .filter_map(|n| Availability::parse(n).map(|a| (*n, format::availability(a)))),
    )
}
