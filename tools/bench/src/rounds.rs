//! Side by side: the servers of one row take turns under wrk.
//!
//! Measuring the baseline once and every chapter after it compares figures
//! taken minutes apart, and a shared two-core machine drifts by more than
//! the differences sought. So each row runs several short rounds; in each
//! round every server of the row is driven in turn (A B A B …, or A B C A
//! B C … with an older build), and a ratio is taken within each round,
//! between figures measured seconds apart. The row reports the median of
//! those ratios and their range.

use std::time::Duration;

use launcher::progress::Progress;

use crate::report::Measurement;
use crate::scenario;
use crate::server::Server;

/// One server of a row, with the wrk script it is driven with.
pub struct Contender<'a> {
    pub server: &'a Server,
    pub script: String,
}

/// How a row's rounds are run.
pub struct Rounds {
    pub rounds: u32,
    /// How long each server is driven in each round.
    pub duration: Duration,
    pub connections: u32,
}

impl Rounds {
    /// Runs the rounds of one row, named `row` in the progress, one step
    /// per round. Only one server is driven at a time; the others sit idle.
    /// Returns each contender's measurements, round by round.
    pub fn run(
        &self,
        row: &str,
        contenders: &[Contender],
        progress: &mut Progress,
    ) -> Vec<Vec<Measurement>> {
        let mut measured = vec![Vec::new(); contenders.len()];
        for round in 1..=self.rounds {
            progress.step(format!("{row}, round {round} of {}", self.rounds));
            for (contender, measurements) in contenders.iter().zip(&mut measured) {
                let m = scenario::wrk(
                    contender.server,
                    self.duration,
                    self.connections,
                    &contender.script,
                );
                measurements.push(m);
            }
        }
        measured
    }
}

/// The per-round ratios of one server's requests/s to another's, in brief.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ratio {
    pub median: f64,
    /// The lowest and highest per-round ratio: the spread.
    pub low: f64,
    pub high: f64,
}

impl Ratio {
    /// `numerator[i] / denominator[i]` for every round `i`, summed up.
    pub fn of(numerator: &[Measurement], denominator: &[Measurement]) -> Ratio {
        assert_eq!(numerator.len(), denominator.len(), "one figure per round each");
        let ratios: Vec<f64> = numerator
            .iter()
            .zip(denominator)
            .map(|(n, d)| n.requests_per_second / d.requests_per_second)
            .collect();
        Ratio {
            median: median(ratios.iter().copied()),
            low: ratios.iter().copied().fold(f64::INFINITY, f64::min),
            high: ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        }
    }
}

/// The middle value; the mean of the two middle ones for an even count.
pub fn median(values: impl IntoIterator<Item = f64>) -> f64 {
    let mut values: Vec<f64> = values.into_iter().collect();
    assert!(!values.is_empty(), "a median of nothing");
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    if !values.len().is_multiple_of(2) {
        values[middle]
    } else {
        (values[middle - 1] + values[middle]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(requests_per_second: f64) -> Measurement {
        Measurement {
            requests_per_second,
            p50_ms: 0.0,
            p99_ms: 0.0,
            bad_status: 0,
            socket_errors: 0,
            cpu_us_per_request: 0.0,
        }
    }

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median([3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median([4.0, 1.0, 3.0, 2.0]), 2.5);
    }

    #[test]
    fn a_ratio_is_taken_within_each_round() {
        // The machine slows down by half in the second round: both servers
        // feel it, and the ratio does not.
        let chapter = [at(50.0), at(25.0), at(60.0)];
        let baseline = [at(100.0), at(50.0), at(100.0)];
        let ratio = Ratio::of(&chapter, &baseline);
        assert_eq!(ratio, Ratio { median: 0.5, low: 0.5, high: 0.6 });
    }
}
