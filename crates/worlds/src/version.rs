//! Which interface versions count as the same, as wasmtime's linker decides it.

/// A version `major.minor.patch`, with whether it has a pre-release part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre_release: bool,
}

fn parse(text: &str) -> Option<Version> {
    let core = text.split_once('+').map_or(text, |(core, _build)| core);
    let (numbers, pre_release) = match core.split_once('-') {
        Some((numbers, pre)) if !pre.is_empty() => (numbers, true),
        Some(_) => return None,
        None => (core, false),
    };
    let mut parts = numbers.split('.').map(|p| {
        (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u64>().ok())
            .flatten()
    });
    let version = Version {
        major: parts.next()??,
        minor: parts.next()??,
        patch: parts.next()??,
        pre_release,
    };
    parts.next().is_none().then_some(version)
}

/// Whether a component importing `candidate` links against an interface of version
/// `bridged`: equal versions always do; otherwise neither may be a pre-release, and they
/// must agree on the major version, on the minor one as well for `0.x`, and on everything
/// for `0.0.x` (wasmtime's semver-compatible linking).
pub(crate) fn compatible(bridged: &str, candidate: &str) -> bool {
    if bridged == candidate {
        return true;
    }
    let (Some(a), Some(b)) = (parse(bridged), parse(candidate)) else {
        return false;
    };
    if a.pre_release || b.pre_release || a.major != b.major {
        return false;
    }
    match a.major {
        0 if a.minor == 0 => a.minor == b.minor && a.patch == b.patch,
        0 => a.minor == b.minor,
        _ => true,
    }
}

/// The name under which the semver-compatible versions of an interface are one:
/// `a:b/c@0.2.6` and `a:b/c@0.2.12` are both `a:b/c@0.2`, `a:b/c@1.2.3` is `a:b/c@1`; a
/// pre-release or `0.0.x` version, or a name without a version, is its own key. Two names
/// of one interface have the same key exactly when [`compatible`] links them.
pub(crate) fn key(name: &str) -> &str {
    let Some((path, text)) = name.rsplit_once('@') else {
        return name;
    };
    // How many dot-separated parts of the version the key keeps.
    let kept = match parse(text) {
        Some(v) if !v.pre_release && v.major == 0 && v.minor != 0 => 2,
        Some(v) if !v.pre_release && v.major != 0 => 1,
        _ => return name,
    };
    let cut = text
        .match_indices('.')
        .nth(kept - 1)
        .map_or(text.len(), |(at, _)| at);
    &name[..path.len() + 1 + cut]
}

#[cfg(test)]
mod tests {
    use super::{compatible, key};

    #[test]
    fn compatibility_follows_wasmtime() {
        assert!(compatible("0.2.0", "0.2.0"));
        assert!(compatible("0.2.0", "0.2.7"));
        assert!(compatible("0.2.0", "0.2.7+build.1"));
        assert!(!compatible("0.2.0", "0.3.0"));
        assert!(!compatible("0.2.0", "1.2.0"));
        assert!(!compatible("0.0.1", "0.0.2"));
        assert!(compatible("1.0.0", "1.4.2"));
        assert!(!compatible("0.2.0-draft", "0.2.0"));
        assert!(!compatible("0.2.0-draft", "0.2.1-draft"));
        assert!(compatible("0.2.0-draft", "0.2.0-draft"));
        assert!(!compatible("0.2.0", "0.2"));
        assert!(!compatible("0.2.0", "0.2.x"));
        assert!(!compatible("0.2.0", "0.2.0-"));
    }

    #[test]
    fn keys_group_exactly_the_compatible_versions() {
        let names = [
            "a:b/c@0.2.0",
            "a:b/c@0.2.12",
            "a:b/c@0.3.0",
            "a:b/c@0.0.1",
            "a:b/c@0.0.2",
            "a:b/c@1.0.0",
            "a:b/c@1.4.2",
            "a:b/c@2.0.0",
            "a:b/c@0.2.0-draft",
            "a:b/c@0.2.0-rc.1",
            "a:b/c",
        ];
        assert_eq!(key("a:b/c@0.2.12"), "a:b/c@0.2");
        assert_eq!(key("a:b/c@1.4.2"), "a:b/c@1");
        for x in names {
            for y in names {
                let (vx, vy) = (x.rsplit_once('@'), y.rsplit_once('@'));
                let linked = match (vx, vy) {
                    (Some((_, a)), Some((_, b))) => compatible(a, b),
                    _ => x == y,
                };
                assert_eq!(key(x) == key(y), linked, "{x} and {y}");
            }
        }
    }
}
