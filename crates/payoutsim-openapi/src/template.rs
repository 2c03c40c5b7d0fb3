//! Path templates (`/v2/users/{user_id}`) matched against concrete paths, segment by segment.

/// One segment of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// `users`: must be equal.
    Literal(String),
    /// `{user_id}` or `{name}.json`: literal pieces around parameters, each parameter matching
    /// at least one character.
    Pattern(Vec<Piece>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Param,
}

/// A parsed path template.
#[derive(Debug, Clone)]
pub(crate) struct Template {
    segments: Vec<Segment>,
}

/// How specific a match is: one rank per segment, a literal segment (2) above a pattern with
/// literal text (1) above a bare parameter (0). Compared lexicographically, the first segment
/// where two templates differ decides.
pub(crate) type Rank = Vec<u8>;

impl Template {
    pub(crate) fn parse(template: &str) -> Self {
        let segments = split(template).map(parse_segment).collect();
        Self { segments }
    }

    /// The rank of the match when `path` (already without query and base path) fits.
    pub(crate) fn rank(&self, path: &str) -> Option<Rank> {
        let parts: Vec<&str> = split(path).collect();
        if parts.len() != self.segments.len() {
            return None;
        }
        let mut rank = Vec::with_capacity(parts.len());
        for (segment, part) in self.segments.iter().zip(parts) {
            match segment {
                Segment::Literal(text) if text == part => rank.push(2),
                Segment::Literal(_) => return None,
                Segment::Pattern(pieces) if fits(pieces, part) => {
                    let has_text = pieces.iter().any(|p| matches!(p, Piece::Text(_)));
                    rank.push(u8::from(has_text));
                }
                Segment::Pattern(_) => return None,
            }
        }
        Some(rank)
    }
}

/// The segments of a path: `/a/b` is `a`, `b`; `/` is one empty segment; `/a/` is `a`, ``.
fn split(path: &str) -> impl Iterator<Item = &str> {
    path.strip_prefix('/').unwrap_or(path).split('/')
}

fn parse_segment(segment: &str) -> Segment {
    if !segment.contains('{') {
        return Segment::Literal(segment.to_owned());
    }
    let mut pieces = Vec::new();
    let mut rest = segment;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        if open > 0 {
            pieces.push(Piece::Text(rest[..open].to_owned()));
        }
        pieces.push(Piece::Param);
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest.to_owned()));
    }
    Segment::Pattern(pieces)
}

fn fits(pieces: &[Piece], part: &str) -> bool {
    match pieces.split_first() {
        None => part.is_empty(),
        Some((Piece::Text(text), rest)) => part
            .strip_prefix(text.as_str())
            .is_some_and(|after| fits(rest, after)),
        Some((Piece::Param, rest)) => part
            .char_indices()
            .skip(1)
            .map(|(i, _)| i)
            .chain(std::iter::once(part.len()))
            .filter(|&end| end > 0)
            .any(|end| fits(rest, &part[end..])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parameter_matches_one_whole_segment() {
        let t = Template::parse("/v2/users/{user_id}");
        assert_eq!(t.rank("/v2/users/3f2c"), Some(vec![2, 2, 0]));
        assert_eq!(t.rank("/v2/users"), None);
        assert_eq!(t.rank("/v2/users/3f2c/verify"), None);
        assert_eq!(t.rank("/v2/users/"), None);
    }

    #[test]
    fn a_parameter_inside_a_segment_keeps_the_text_around_it() {
        let t = Template::parse("/files/{name}.json");
        assert_eq!(t.rank("/files/report.json"), Some(vec![2, 1]));
        assert_eq!(t.rank("/files/.json"), None);
        assert_eq!(t.rank("/files/report.yaml"), None);
    }

    #[test]
    fn a_literal_segment_outranks_a_parameter() {
        let literal = Template::parse("/v2/payouts/send-payout");
        let param = Template::parse("/v2/payouts/{id}");
        let path = "/v2/payouts/send-payout";
        assert!(literal.rank(path) > param.rank(path));
    }
}
