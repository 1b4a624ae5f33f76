//! What to run: one component, its subscriptions and its config.

use std::collections::{BTreeMap, BTreeSet};

use bytes::Bytes;

use crate::{InstancePolicy, Limits};

/// The config key whose value (comma-separated subjects) adds subscriptions, as in wasmCloud.
pub const SUBSCRIPTIONS_KEY: &str = "subscriptions";
/// The config key that chooses a component's queue group; the value `broadcast` gives plain
/// subscriptions instead (each instance of the host gets every message).
pub const CONSUMER_GROUP_KEY: &str = "consumer_group";
/// The [`CONSUMER_GROUP_KEY`] value for plain subscriptions.
pub const BROADCAST: &str = "broadcast";

/// One component to run: its name, its bytes, the subjects it subscribes to and its config
/// (answered through `wasi:config/store`).
#[derive(Debug, Clone)]
pub struct ComponentSpec {
    /// The component's name, used in logs, errors and as its default queue group.
    pub name: String,
    /// The component binary.
    pub wasm: Bytes,
    /// Subject patterns (`*`, `>` allowed) delivered to its handler; the config key
    /// `subscriptions` adds more.
    pub subscriptions: Vec<String>,
    /// Config entries, answered by `wasi:config/store`.
    pub config: BTreeMap<String, String>,
    /// What one instance, and the component's deliveries together, may use.
    pub limits: Limits,
    /// Fresh instances per message (the default) or warm ones.
    pub instances: InstancePolicy,
}

impl ComponentSpec {
    /// A component with no subscriptions and no config.
    pub fn new(name: impl Into<String>, wasm: impl Into<Bytes>) -> Self {
        ComponentSpec {
            name: name.into(),
            wasm: wasm.into(),
            subscriptions: Vec::new(),
            config: BTreeMap::new(),
            limits: Limits::default(),
            instances: InstancePolicy::Fresh,
        }
    }

    /// The same component also subscribed to `pattern`.
    pub fn subscribe(mut self, pattern: impl Into<String>) -> Self {
        self.subscriptions.push(pattern.into());
        self
    }

    /// The same component with config entry `key` = `value`.
    pub fn config(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.config.insert(key.into(), value.into());
        self
    }

    /// The same component with `limits`.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The same component with instances made by `policy`.
    pub fn instances(mut self, policy: InstancePolicy) -> Self {
        self.instances = policy;
        self
    }

    /// Every subscription: the explicit ones, then those of the `subscriptions` config key,
    /// without duplicates.
    pub fn all_subscriptions(&self) -> Vec<String> {
        let from_config = self
            .config
            .get(SUBSCRIPTIONS_KEY)
            .into_iter()
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        let mut seen = BTreeSet::new();
        self.subscriptions
            .iter()
            .map(|s| s.trim().to_string())
            .chain(from_config)
            .filter(|s| seen.insert(s.clone()))
            .collect()
    }

    /// The queue group its subscriptions join: the `consumer_group` config value, or the
    /// component's name; `None` for `consumer_group = broadcast`.
    pub fn queue_group(&self) -> Option<String> {
        match self.config.get(CONSUMER_GROUP_KEY).map(|s| s.trim()) {
            Some(BROADCAST) => None,
            Some(group) if !group.is_empty() => Some(group.to_string()),
            _ => Some(self.name.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscriptions_come_from_the_spec_and_the_config_key() {
        let spec = ComponentSpec::new("c", Vec::new())
            .subscribe("a.*")
            .config(SUBSCRIPTIONS_KEY, " b.> , a.*,,c ");
        assert_eq!(spec.all_subscriptions(), ["a.*", "b.>", "c"]);
    }

    #[test]
    fn queue_groups_default_to_the_name_and_broadcast_disables_them() {
        let spec = ComponentSpec::new("worker", Vec::new());
        assert_eq!(spec.queue_group().as_deref(), Some("worker"));
        let spec = spec.config(CONSUMER_GROUP_KEY, BROADCAST);
        assert_eq!(spec.queue_group(), None);
        let spec = ComponentSpec::new("w", Vec::new()).config(CONSUMER_GROUP_KEY, "team");
        assert_eq!(spec.queue_group().as_deref(), Some("team"));
    }
}
