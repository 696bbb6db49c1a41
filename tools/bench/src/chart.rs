//! The ratios of the table as a chart the book shows above it: one bar per
//! row, grouped by chapter, so a reader sees at a glance what the table's
//! "× baseline" column says.
//!
//! Drawn with plotters' SVG backend only. Its text is written as SVG
//! `<text>` elements that the browser sets in its own sans-serif font, so
//! no font file or fontconfig is needed to build or to run this.

use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::report::{Report, Subject};

const WIDTH: u32 = 960;
/// Height of one bar's line, or of one chapter's heading.
const LINE: u32 = 24;
/// Room for the caption, the axis and its description.
const FRAME: u32 = 110;
/// One colour per chapter, distinct for the common kinds of colour
/// blindness (Okabe and Ito's palette).
const COLOURS: [RGBColor; 5] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(213, 94, 0),
];

/// The original's rows: Okabe and Ito's sky blue, apart from the chapters'.
const ORIGINAL_COLOUR: RGBColor = RGBColor(86, 180, 233);

/// The peer's rows: grey, apart from the project's own.
const PEER_COLOUR: RGBColor = RGBColor(110, 110, 110);

/// A line of the chart, top to bottom.
enum Line {
    Heading(Subject),
    Bar(usize),
}

/// Writes the chart of `report`'s rows to `path`.
pub fn draw(report: &Report, path: &Path) {
    let rows = report.rows();
    let mut lines = vec![];
    for (i, row) in rows.iter().enumerate() {
        if i == 0 || rows[i - 1].subject != row.subject {
            lines.push(Line::Heading(row.subject));
        }
        lines.push(Line::Bar(i));
    }
    let count = lines.len();
    let height = FRAME + LINE * count as u32;
    let root = SVGBackend::new(path, (WIDTH, height)).into_drawing_area();
    root.fill(&WHITE).expect("draw");

    let widest = rows.iter().map(|r| r.to_baseline().high).fold(1.0, f64::max);
    // Up to the next tenth above the widest whisker, with room for its label.
    let x_max = (widest * 10.0 + 1.5).ceil() / 10.0;
    // Line `i` from the top is centred on y = count - 1 - i.
    let y_of = |i: usize| (count - 1 - i) as f64;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Requests per second, as a ratio to the same app without a session",
            ("sans-serif", 18),
        )
        .margin(12)
        .x_label_area_size(50)
        .y_label_area_size(300)
        .build_cartesian_2d(0.0..x_max, -0.5..(count as f64 - 0.5))
        .expect("a chart");
    chart
        .configure_mesh()
        .disable_y_mesh()
        .disable_y_axis()
        .light_line_style(TRANSPARENT)
        .x_labels(12)
        .x_label_formatter(&|x| format!("{x:.1}"))
        .x_desc(format!(
            "× baseline: bar the median of {} rounds, whisker the lowest to the highest round",
            report.rounds()
        ))
        .draw()
        .expect("draw the axes");

    let label_style = ("sans-serif", 13).into_font().color(&BLACK);
    let right_of = |(x, y): (i32, i32)| (x + 6, y);
    for (i, line) in lines.iter().enumerate() {
        let y = y_of(i);
        let (left, pixel_y) = chart.backend_coord(&(0.0, y));
        match *line {
            Line::Heading(subject) => {
                let style = ("sans-serif", 14)
                    .into_font()
                    .style(FontStyle::Bold)
                    .color(&colour(subject))
                    .pos(Pos::new(HPos::Left, VPos::Center));
                root.draw(&Text::new(subject.heading(), (12, pixel_y), style)).expect("draw");
            }
            Line::Bar(index) => {
                let row = &rows[index];
                let ratio = row.to_baseline();
                let colour = colour(row.subject);
                root.draw(&Text::new(
                    row.request(),
                    (left - 8, pixel_y),
                    label_style.pos(Pos::new(HPos::Right, VPos::Center)),
                ))
                .expect("draw");
                chart
                    .draw_series([Rectangle::new(
                        [(0.0, y - 0.3), (ratio.median, y + 0.3)],
                        colour.filled(),
                    )])
                    .expect("draw a bar");
                let whisker = BLACK.stroke_width(1);
                chart
                    .draw_series([
                        PathElement::new([(ratio.low, y), (ratio.high, y)], whisker),
                        PathElement::new([(ratio.low, y - 0.15), (ratio.low, y + 0.15)], whisker),
                        PathElement::new([(ratio.high, y - 0.15), (ratio.high, y + 0.15)], whisker),
                    ])
                    .expect("draw a whisker");
                root.draw(&Text::new(
                    format!("{:.2}", ratio.median),
                    right_of(chart.backend_coord(&(ratio.high, y))),
                    label_style.pos(Pos::new(HPos::Left, VPos::Center)),
                ))
                .expect("draw");
            }
        }
    }
    // The baseline itself: a ratio of 1.
    chart
        .draw_series([PathElement::new(
            [(1.0, -0.5), (1.0, count as f64 - 0.5)],
            BLACK.mix(0.6).stroke_width(1),
        )])
        .expect("draw the baseline");
    root.present().expect("write the chart");
}

/// The chapter's colour; the original's, one for every section.
fn colour(subject: Subject) -> RGBColor {
    match subject {
        Subject::Chapter(n) => COLOURS[usize::from(n - 1) % COLOURS.len()],
        Subject::Original(_) => ORIGINAL_COLOUR,
        Subject::Peer(_) => PEER_COLOUR,
    }
}

#[cfg(test)]
mod tests {
    use crate::report::tests::at;
    use crate::report::{Report, Row, Subject};
    use crate::scenario::Scenario;

    #[test]
    fn the_chart_names_every_row_and_its_chapter() {
        let mut report = Report::new(16, 1, 2);
        let rows = [
            (Subject::Chapter(1), None),
            (Subject::Chapter(2), None),
            (Subject::Chapter(2), Some(1_000)),
            (Subject::Original(2), None),
        ];
        for (subject, stored) in rows {
            report.row(Row {
                subject,
                scenario: Scenario::SignedInPage,
                stored,
                baseline: vec![at(100.0), at(90.0)],
                current: vec![at(60.0), at(50.0)],
                old: None,
            });
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("costs.svg");
        super::draw(&report, &path);
        let svg = std::fs::read_to_string(path).unwrap();
        assert!(svg.starts_with("<svg"), "{svg}");
        for text in [
            "Chapter 1: ",
            "Chapter 2: ",
            "The original, section 2: ",
            "GET /about, signed in, 1 000 stored",
            "0.58",
        ] {
            assert!(svg.contains(text), "{text:?} is missing from\n{svg}");
        }
    }
}
