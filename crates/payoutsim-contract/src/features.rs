//! Where the suite's feature files come from: the repository's `features/`, embedded in the
//! library at build time (so the `payoutsim` binary runs the suite from any directory), or a
//! directory on disk (`cargo test`'s checkout, or a team's own with `--features DIR`).

use std::path::PathBuf;

use cucumber::feature::Ext as _;
use cucumber::gherkin::{self, GherkinEnv};
use cucumber::{cli, parser};
use futures::stream;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

pub(crate) use embedded::STEP_ATTRIBUTES;

/// The feature files a run reads.
#[derive(Clone, Debug)]
pub enum Features {
    /// The repository's `features/` as it was when the library was built.
    Embedded,
    /// Every `*.feature` under a directory (or that one file).
    Dir(PathBuf),
}

impl Features {
    /// The repository's `features/` in the checkout the library was built from.
    pub fn checkout() -> Self {
        Self::Dir(PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../features"
        )))
    }

    /// How many feature files are embedded.
    pub fn embedded_count() -> usize {
        embedded::FEATURES.len()
    }
}

/// The suite's [`cucumber::Parser`]: reads the features of a [`Features`]. A directory goes
/// through cucumber's own parser; an embedded file is parsed from its text and given the path
/// `features/<its path>`, so a provider's folder is found as on disk.
#[derive(Clone, Copy, Debug, Default)]
pub struct FeatureParser;

impl cucumber::Parser<Features> for FeatureParser {
    type Cli = cli::Empty;

    type Output = stream::Iter<std::vec::IntoIter<parser::Result<gherkin::Feature>>>;

    fn parse(self, input: Features, _cli: cli::Empty) -> Self::Output {
        match input {
            Features::Dir(dir) => parser::Basic::new().parse(dir, parser::basic::Cli::default()),
            Features::Embedded => stream::iter(
                embedded::FEATURES
                    .iter()
                    .map(|(path, text)| parse_embedded(path, text))
                    .collect::<Vec<_>>(),
            ),
        }
    }
}

fn parse_embedded(path: &str, text: &str) -> parser::Result<gherkin::Feature> {
    let path = PathBuf::from("features").join(path);
    let mut feature = gherkin::Feature::parse(text, GherkinEnv::default()).map_err(|source| {
        gherkin::ParseFileError::Parsing {
            path: path.clone(),
            error: None,
            source,
        }
    })?;
    feature.path = Some(path);
    Ok(feature.expand_examples()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_feature_parses_and_sits_in_a_provider_folder() {
        assert!(Features::embedded_count() > 0);
        for (path, text) in embedded::FEATURES {
            let feature = parse_embedded(path, text)
                .unwrap_or_else(|e| panic!("features/{path} does not parse: {e}"));
            let folder = path.split('/').next().unwrap_or_default();
            assert!(
                crate::target::PROVIDERS.contains(&folder),
                "features/{path} is outside a provider folder"
            );
            assert!(!feature.scenarios.is_empty() || !feature.rules.is_empty());
        }
    }
}
