//! What an input's first eight bytes say it is: the composer and the check both begin by
//! refusing input that is not a component, and both decide it here.

/// The WebAssembly magic number every binary begins with.
const MAGIC: [u8; 4] = *b"\0asm";
/// What follows the magic number in a core module: version 1, layer 0.
const CORE_MODULE: [u8; 4] = [1, 0, 0, 0];
/// What follows the magic number in a component: version `0xd`, layer 1.
const COMPONENT: [u8; 4] = [0x0d, 0, 1, 0];

/// Why an input is not a component, by its header. Each operation words its own refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotAComponent {
    /// It does not begin with the magic number `\0asm`: not WebAssembly.
    NotWasm,
    /// It is a core WebAssembly module.
    CoreModule,
    /// It is WebAssembly of another version or layer (or too short to say which).
    UnknownLayer,
}

/// Whether `bytes` begin as a component's binary does, or why they are not one (the
/// header only: whether the rest parses is the parser's business).
pub fn require_component(bytes: &[u8]) -> Result<(), NotAComponent> {
    let Some(rest) = bytes.strip_prefix(&MAGIC) else {
        return Err(NotAComponent::NotWasm);
    };
    if rest.starts_with(&CORE_MODULE) {
        Err(NotAComponent::CoreModule)
    } else if rest.starts_with(&COMPONENT) {
        Ok(())
    } else {
        Err(NotAComponent::UnknownLayer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_told_apart() {
        assert_eq!(require_component(b"hello"), Err(NotAComponent::NotWasm));
        assert_eq!(require_component(b""), Err(NotAComponent::NotWasm));
        assert_eq!(
            require_component(b"\0asm\x01\0\0\0rest"),
            Err(NotAComponent::CoreModule)
        );
        assert_eq!(require_component(b"\0asm\x0d\0\x01\0rest"), Ok(()));
        assert_eq!(
            require_component(b"\0asm\x02\0\0\0"),
            Err(NotAComponent::UnknownLayer)
        );
        assert_eq!(
            require_component(b"\0asm"),
            Err(NotAComponent::UnknownLayer)
        );
    }
}
