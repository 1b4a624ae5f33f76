//! Structure-aware mutations of WebAssembly binaries (components and core modules), shared
//! by the `cargo fuzz` targets' custom mutator and the bounded runs in the test command
//! (`compose/tests/mutations.rs`, `cli/tests/mutations_cli.rs`).
//!
//! Random byte flips in a real component almost always land in the code of its embedded
//! core module, where they only exercise the validator. These mutations know the section
//! framing (`id`, LEB128 size, body), so they can aim at the small sections that say what a
//! component imports and exports, reorder, drop, duplicate or splice whole sections between
//! fixtures, descend into nested modules and components, edit interface names while keeping
//! their length, and plant huge LEB128 counts and sizes, while every other section stays
//! well framed.
//!
//! Everything here is deterministic for a seed ([`Rng`] is SplitMix64, written out so that a
//! seed means the same input whatever crate versions are locked) and uses only `std`.

/// A small deterministic PRNG (SplitMix64): the same seed gives the same mutations forever.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`0` when `n` is `0`).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `1 / n`.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    /// One of `items` (which must not be empty).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The kinds of mutation, each a function of an input, the other fixtures and an [`Rng`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Flips 1 to 8 bits anywhere in the binary.
    FlipBits,
    /// Overwrites 1 to 4 bytes inside one section's body (sections picked uniformly, so the
    /// many small type, import and export sections are hit far more often than by
    /// [`Kind::FlipBits`]), keeping the framing.
    FlipInSection,
    /// Cuts the binary at a random byte or near a section boundary.
    Truncate,
    /// Joins the front of the input to the back of another fixture, at section boundaries
    /// or at random bytes.
    Splice,
    /// Replaces one section with a section of the same id from another fixture.
    ReplaceSection,
    /// Writes a huge or overlong LEB128: a section size, a vector count at the start of a
    /// section body, or whatever LEB128 starts at a random place in a body.
    HugeLeb,
    /// Swaps two sections, moves one, or reverses them all.
    Reorder,
    /// Inserts a copy of a section somewhere.
    Duplicate,
    /// Removes one section or a run of them.
    Drop,
    /// Edits an interface, package or function name in place (same length): `producer` for
    /// `consumer`, another version digit, a changed letter.
    NameEdit,
    /// Applies one of the other mutations inside a nested core module or component and
    /// re-frames it.
    Nested,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 11] = [
        Kind::FlipBits,
        Kind::FlipInSection,
        Kind::Truncate,
        Kind::Splice,
        Kind::ReplaceSection,
        Kind::HugeLeb,
        Kind::Reorder,
        Kind::Duplicate,
        Kind::Drop,
        Kind::NameEdit,
        Kind::Nested,
    ];
}

/// The 8-byte preamble of a component (`\0asm`, version 0x0d, layer 1).
pub const COMPONENT_HEADER: [u8; 8] = *b"\0asm\x0d\x00\x01\x00";

/// Section id of a nested core module in a component.
const COMPONENT_CORE_MODULE: u8 = 1;
/// Section id of a nested component in a component.
const COMPONENT_COMPONENT: u8 = 4;

/// One section of a binary: its id and body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Section<'a> {
    /// The section id.
    pub id: u8,
    /// The section's body (without id and size).
    pub body: &'a [u8],
}

/// A binary split into its preamble, its well-framed sections, and whatever follows the
/// last section that could be framed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binary<'a> {
    /// The first 8 bytes.
    pub header: &'a [u8],
    /// The sections that could be framed, in order.
    pub sections: Vec<Section<'a>>,
    /// Bytes after them that do not frame as a section (usually empty).
    pub rest: &'a [u8],
}

impl Binary<'_> {
    /// Whether this is a component (rather than a core module).
    pub fn is_component(&self) -> bool {
        self.header[4..] == COMPONENT_HEADER[4..]
    }

    /// Byte offsets where each section starts, plus the offset of `rest`.
    pub fn boundaries(&self) -> Vec<usize> {
        let mut offsets = vec![self.header.len()];
        let mut at = self.header.len();
        for section in &self.sections {
            at += section_len(section.body);
            offsets.push(at);
        }
        offsets
    }
}

/// Reads an unsigned LEB128 of at most 5 bytes at `bytes[pos..]`: the value (which may
/// exceed `u32::MAX` for a malformed last byte) and the number of bytes it takes.
pub fn read_leb(bytes: &[u8], pos: usize) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for i in 0..5 {
        let byte = *bytes.get(pos + i)?;
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// Appends `value` as a minimal unsigned LEB128.
pub fn write_leb(mut value: u64, out: &mut Vec<u8>) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// The framed length of a section with this body: id, LEB128 size, body.
fn section_len(body: &[u8]) -> usize {
    let mut size = Vec::new();
    write_leb(body.len() as u64, &mut size);
    1 + size.len() + body.len()
}

/// Splits `bytes` into sections, or `None` when it does not even start with `\0asm` and a
/// version.
pub fn split(bytes: &[u8]) -> Option<Binary<'_>> {
    if bytes.len() < 8 || !bytes.starts_with(b"\0asm") {
        return None;
    }
    let mut sections = Vec::new();
    let mut pos = 8;
    while pos < bytes.len() {
        let id = bytes[pos];
        let Some((size, width)) = read_leb(bytes, pos + 1) else {
            break;
        };
        let start = pos + 1 + width;
        let Some(end) = usize::try_from(size)
            .ok()
            .and_then(|size| start.checked_add(size))
            .filter(|end| *end <= bytes.len())
        else {
            break;
        };
        // Keep the framing canonical so that `join` gives back the same bytes.
        if section_len(&bytes[start..end]) != end - pos {
            break;
        }
        sections.push(Section {
            id,
            body: &bytes[start..end],
        });
        pos = end;
    }
    Some(Binary {
        header: &bytes[..8],
        sections,
        rest: &bytes[pos..],
    })
}

/// Frames `sections` after `header`, then appends `rest`.
pub fn join<'a>(
    header: &[u8],
    sections: impl IntoIterator<Item = (u8, &'a [u8])>,
    rest: &[u8],
) -> Vec<u8> {
    let mut out = header.to_vec();
    for (id, body) in sections {
        push_section(&mut out, id, body);
    }
    out.extend_from_slice(rest);
    out
}

fn push_section(out: &mut Vec<u8>, id: u8, body: &[u8]) {
    out.push(id);
    write_leb(body.len() as u64, out);
    out.extend_from_slice(body);
}

/// Rebuilds `binary` with section `index`'s body replaced by `body`.
fn with_body(binary: &Binary<'_>, index: usize, body: &[u8]) -> Vec<u8> {
    join(
        binary.header,
        binary
            .sections
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id, if i == index { body } else { s.body })),
        binary.rest,
    )
}

/// Rebuilds `binary` with its sections in the order `order` (indices, may repeat or omit).
fn reordered(binary: &Binary<'_>, order: &[usize]) -> Vec<u8> {
    join(
        binary.header,
        order
            .iter()
            .map(|&i| (binary.sections[i].id, binary.sections[i].body)),
        binary.rest,
    )
}

/// Applies a mutation of `kind` to `input`; `others` are the fixtures to splice from (may
/// include `input`). A kind that does not apply (say, [`Kind::Reorder`] on a binary of one
/// section) falls back to [`Kind::FlipBits`], so the result always differs in intent.
pub fn mutate(kind: Kind, input: &[u8], others: &[&[u8]], rng: &mut Rng) -> Vec<u8> {
    mutate_at_depth(kind, input, others, rng, 0)
}

/// Applies 1 to `max` mutations of random kinds; returns the kinds applied and the result.
pub fn mutate_stacked(
    input: &[u8],
    others: &[&[u8]],
    rng: &mut Rng,
    max: usize,
) -> (Vec<Kind>, Vec<u8>) {
    let count = rng.range(1, max.max(1));
    let mut kinds = Vec::with_capacity(count);
    let mut data = input.to_vec();
    for _ in 0..count {
        let kind = *rng.pick(&Kind::ALL);
        data = mutate(kind, &data, others, rng);
        kinds.push(kind);
    }
    (kinds, data)
}

fn mutate_at_depth(
    kind: Kind,
    input: &[u8],
    others: &[&[u8]],
    rng: &mut Rng,
    depth: usize,
) -> Vec<u8> {
    let result = match split(input) {
        Some(binary) => match kind {
            Kind::FlipBits => None,
            Kind::FlipInSection => flip_in_section(&binary, rng),
            Kind::Truncate => Some(truncate(input, &binary, rng)),
            Kind::Splice => splice(input, &binary, others, rng),
            Kind::ReplaceSection => replace_section(&binary, others, rng),
            Kind::HugeLeb => huge_leb(input, &binary, rng),
            Kind::Reorder => reorder(&binary, rng),
            Kind::Duplicate => duplicate(&binary, rng),
            Kind::Drop => drop_sections(&binary, rng),
            Kind::NameEdit => name_edit(&binary, rng),
            Kind::Nested if depth < 3 => nested(&binary, others, rng, depth),
            Kind::Nested => None,
        },
        None => match kind {
            Kind::Truncate if !input.is_empty() => Some(input[..rng.below(input.len())].to_vec()),
            _ => None,
        },
    };
    result.unwrap_or_else(|| flip_bits(input, rng))
}

fn flip_bits(input: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut out = input.to_vec();
    if out.is_empty() {
        out.push(rng.next_u64() as u8);
        return out;
    }
    for _ in 0..rng.range(1, 8) {
        let at = rng.below(out.len());
        out[at] ^= 1 << rng.below(8);
    }
    out
}

fn flip_in_section(binary: &Binary<'_>, rng: &mut Rng) -> Option<Vec<u8>> {
    let candidates: Vec<usize> = (0..binary.sections.len())
        .filter(|&i| !binary.sections[i].body.is_empty())
        .collect();
    if candidates.is_empty() {
        return None;
    }
    let index = *rng.pick(&candidates);
    let mut body = binary.sections[index].body.to_vec();
    for _ in 0..rng.range(1, 4) {
        let at = rng.below(body.len());
        body[at] = match rng.below(3) {
            0 => body[at] ^ (1 << rng.below(8)),
            1 => rng.next_u64() as u8,
            // An interesting byte: zero, a continuation bit, all ones, a count of one.
            _ => *rng.pick(&[0x00, 0x01, 0x7f, 0x80, 0xff]),
        };
    }
    Some(with_body(binary, index, &body))
}

fn truncate(input: &[u8], binary: &Binary<'_>, rng: &mut Rng) -> Vec<u8> {
    let at = if rng.one_in(2) {
        let boundaries = binary.boundaries();
        let at = *rng.pick(&boundaries) as isize + rng.range(0, 4) as isize - 2;
        at.clamp(0, input.len() as isize) as usize
    } else {
        rng.below(input.len())
    };
    input[..at.min(input.len().saturating_sub(1))].to_vec()
}

fn splice(input: &[u8], binary: &Binary<'_>, others: &[&[u8]], rng: &mut Rng) -> Option<Vec<u8>> {
    if others.is_empty() {
        return None;
    }
    let other = *rng.pick(others);
    if rng.one_in(3) {
        // At random bytes.
        let front = rng.below(input.len() + 1);
        let back = rng.below(other.len() + 1);
        let mut out = input[..front].to_vec();
        out.extend_from_slice(&other[back..]);
        return Some(out);
    }
    let theirs = split(other)?;
    let mine = rng.below(binary.sections.len() + 1);
    let from = rng.below(theirs.sections.len() + 1);
    Some(join(
        binary.header,
        binary.sections[..mine]
            .iter()
            .chain(&theirs.sections[from..])
            .map(|s| (s.id, s.body)),
        theirs.rest,
    ))
}

fn replace_section(binary: &Binary<'_>, others: &[&[u8]], rng: &mut Rng) -> Option<Vec<u8>> {
    if binary.sections.is_empty() || others.is_empty() {
        return None;
    }
    let index = rng.below(binary.sections.len());
    let id = binary.sections[index].id;
    let other = *rng.pick(others);
    let other = split(other)?;
    let same: Vec<&Section<'_>> = other.sections.iter().filter(|s| s.id == id).collect();
    let body = if !same.is_empty() && !rng.one_in(4) {
        rng.pick(&same).body
    } else if !other.sections.is_empty() {
        rng.pick(&other.sections).body
    } else {
        return None;
    };
    Some(with_body(binary, index, body))
}

/// LEB128 encodings that no sane input has: the largest `u32`, `2^31`, an overlong
/// encoding of zero, and a five-byte value whose last byte overflows 32 bits.
const HUGE_LEBS: &[&[u8]] = &[
    &[0xff, 0xff, 0xff, 0xff, 0x0f],
    &[0x80, 0x80, 0x80, 0x80, 0x08],
    &[0x80, 0x80, 0x80, 0x80, 0x00],
    &[0xff, 0xff, 0xff, 0xff, 0x7f],
    &[0xff, 0xff, 0xff, 0x7f],
];

fn huge_leb(input: &[u8], binary: &Binary<'_>, rng: &mut Rng) -> Option<Vec<u8>> {
    if binary.sections.is_empty() {
        return None;
    }
    let index = rng.below(binary.sections.len());
    let section = binary.sections[index];
    let huge = *rng.pick(HUGE_LEBS);
    match rng.below(3) {
        0 => {
            // The section's own size: everything after it is swallowed or runs short.
            let start = binary.boundaries()[index];
            let (_, width) = read_leb(input, start + 1)?;
            let mut out = input[..start + 1].to_vec();
            out.extend_from_slice(huge);
            out.extend_from_slice(&input[start + 1 + width..]);
            Some(out)
        }
        1 => {
            // The first LEB128 of the body: the item count of most sections.
            let (_, width) = read_leb(section.body, 0)?;
            let mut body = huge.to_vec();
            body.extend_from_slice(&section.body[width..]);
            Some(with_body(binary, index, &body))
        }
        _ => {
            // Whatever LEB128 starts at a random place in the body (a string length, an
            // index, a count).
            if section.body.is_empty() {
                return None;
            }
            let at = rng.below(section.body.len());
            let (_, width) = read_leb(section.body, at)?;
            let mut body = section.body[..at].to_vec();
            body.extend_from_slice(huge);
            body.extend_from_slice(&section.body[at + width..]);
            Some(with_body(binary, index, &body))
        }
    }
}

fn reorder(binary: &Binary<'_>, rng: &mut Rng) -> Option<Vec<u8>> {
    let n = binary.sections.len();
    if n < 2 {
        return None;
    }
    let mut order: Vec<usize> = (0..n).collect();
    match rng.below(3) {
        0 => {
            let a = rng.below(n);
            let b = (a + rng.range(1, n - 1)) % n;
            order.swap(a, b);
        }
        1 => {
            let moved = order.remove(rng.below(n));
            order.insert(rng.below(n), moved);
        }
        _ => order.reverse(),
    }
    Some(reordered(binary, &order))
}

fn duplicate(binary: &Binary<'_>, rng: &mut Rng) -> Option<Vec<u8>> {
    let n = binary.sections.len();
    if n == 0 {
        return None;
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.insert(rng.below(n + 1), rng.below(n));
    Some(reordered(binary, &order))
}

fn drop_sections(binary: &Binary<'_>, rng: &mut Rng) -> Option<Vec<u8>> {
    let n = binary.sections.len();
    if n == 0 {
        return None;
    }
    let from = rng.below(n);
    let count = if rng.one_in(4) {
        rng.range(1, n - from)
    } else {
        1
    };
    let order: Vec<usize> = (0..n)
        .filter(|i| !(from..from + count).contains(i))
        .collect();
    Some(reordered(binary, &order))
}

/// Same-length swaps between words of the messaging interfaces' names.
const NAME_SWAPS: &[(&[u8], &[u8])] = &[
    (b"producer", b"consumer"),
    (b"consumer", b"producer"),
    (b"wasi:messaging", b"wasi:messagins"),
    (b"wasmcloud:messaging", b"wasmcloud:messagine"),
    (b"handler", b"handlex"),
    (b"request-reply", b"request-repla"),
    (b"0.2.0-draft", b"0.3.0-draft"),
    (b"0.2.0-draft", b"0.2.0-drafu"),
    (b"@0.2.0", b"@0.3.0"),
    (b"@0.2.0", b"@1.2.0"),
    (b"types", b"typez"),
    (b"message", b"messagf"),
    (b"incoming-handler", b"outgoing-handler"),
];

/// Sections small enough to scan for names (type, import, export sections and the like; not
/// the code of a core module).
const NAME_SCAN_LIMIT: usize = 64 * 1024;

fn name_edit(binary: &Binary<'_>, rng: &mut Rng) -> Option<Vec<u8>> {
    // Every (section, offset, swap) where a swap's word occurs.
    let mut sites = Vec::new();
    for (index, section) in binary.sections.iter().enumerate() {
        if section.body.len() > NAME_SCAN_LIMIT {
            continue;
        }
        for (swap, (from, _)) in NAME_SWAPS.iter().enumerate() {
            for at in 0..section.body.len().saturating_sub(from.len() - 1) {
                if section.body[at..].starts_with(from) {
                    sites.push((index, at, swap));
                }
            }
        }
    }
    if sites.is_empty() {
        return None;
    }
    let &(index, at, swap) = rng.pick(&sites);
    let mut body = binary.sections[index].body.to_vec();
    let (from, to) = NAME_SWAPS[swap];
    if rng.one_in(3) {
        // A single changed character inside the word, still a valid name character.
        let i = at + rng.below(from.len());
        body[i] = *rng.pick(b"abcdefghijklmnopqrstuvwxyz0123456789-.:/@");
    } else {
        body[at..at + from.len()].copy_from_slice(to);
    }
    Some(with_body(binary, index, &body))
}

fn nested(binary: &Binary<'_>, others: &[&[u8]], rng: &mut Rng, depth: usize) -> Option<Vec<u8>> {
    if !binary.is_component() {
        return None;
    }
    let candidates: Vec<usize> = (0..binary.sections.len())
        .filter(|&i| {
            matches!(
                binary.sections[i].id,
                COMPONENT_CORE_MODULE | COMPONENT_COMPONENT
            )
        })
        .collect();
    if candidates.is_empty() {
        return None;
    }
    let index = *rng.pick(&candidates);
    let kind = *rng.pick(&Kind::ALL);
    let inner = mutate_at_depth(kind, binary.sections[index].body, others, rng, depth + 1);
    Some(with_body(binary, index, &inner))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small component-framed binary with four sections.
    fn sample() -> Vec<u8> {
        join(
            &COMPONENT_HEADER,
            [
                (0u8, &b"\x04name"[..]),
                (7, &b"\x01\x40\x00\x01\x00"[..]),
                (
                    10,
                    &b"\x01\x00\x1ewasi:messaging/producer@0.2.0\x01\x00"[..],
                ),
                (11, &b""[..]),
            ],
            &[],
        )
    }

    #[test]
    fn split_and_join_round_trip() {
        let bytes = sample();
        let binary = split(&bytes).unwrap();
        assert_eq!(binary.sections.len(), 4);
        assert!(binary.is_component());
        let again = join(
            binary.header,
            binary.sections.iter().map(|s| (s.id, s.body)),
            binary.rest,
        );
        assert_eq!(again, bytes);
    }

    #[test]
    fn every_kind_changes_the_input_deterministically() {
        let bytes = sample();
        for kind in Kind::ALL {
            for seed in 0..20 {
                let a = mutate(kind, &bytes, &[&bytes], &mut Rng::new(seed));
                let b = mutate(kind, &bytes, &[&bytes], &mut Rng::new(seed));
                assert_eq!(a, b, "{kind:?} is not deterministic");
            }
            let changed = (0..20)
                .filter(|&seed| mutate(kind, &bytes, &[&bytes], &mut Rng::new(seed)) != bytes)
                .count();
            assert!(changed > 0, "{kind:?} never changed the input");
        }
    }
}
