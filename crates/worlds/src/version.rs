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

#[cfg(test)]
mod tests {
    use super::compatible;

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
}
