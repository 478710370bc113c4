//! A screen's grid, written as named areas (as CSS grid-template-areas) with optional track
//! sizes, and where each area lands for a given screen size. No Bevy here: the wall turns the
//! same grid into Bevy grid nodes, and the tests check placement without a window.

use std::collections::HashMap;
use std::fmt;

/// The size of one column or row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Track {
    /// A share of the room left after fixed tracks and gaps.
    Fr(f32),
    /// Logical pixels of the 1080-line design screen (scaled with the screen).
    Px(f32),
    /// A share of the screen's width (columns) or height (rows).
    Percent(f32),
}

impl Track {
    /// Reads "1fr", "2.5fr", "120px", "30%".
    pub fn parse(text: &str) -> Result<Track, String> {
        let text = text.trim();
        let (number, unit) = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .map_or((text, ""), |at| text.split_at(at));
        let value: f32 = number
            .parse()
            .map_err(|_| format!("'{text}' is not a track size: write it as 1fr, 120px or 30%"))?;
        if !(value.is_finite() && value > 0.0) {
            return Err(format!("track size '{text}' must be above zero"));
        }
        match unit.trim() {
            "fr" => Ok(Track::Fr(value)),
            "px" => Ok(Track::Px(value)),
            "%" if value <= 100.0 => Ok(Track::Percent(value)),
            "%" => Err(format!("track size '{text}' is over 100%")),
            _ => Err(format!(
                "'{text}' is not a track size: write it as 1fr, 120px or 30%"
            )),
        }
    }
}

impl fmt::Display for Track {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Track::Fr(v) => write!(f, "{v}fr"),
            Track::Px(v) => write!(f, "{v}px"),
            Track::Percent(v) => write!(f, "{v}%"),
        }
    }
}

/// One named area: 0-based first row and column, and how many each spans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Area {
    pub name: String,
    pub row: usize,
    pub row_span: usize,
    pub column: usize,
    pub column_span: usize,
}

/// Why an areas text is not a grid; `row` is 0-based within the text's non-empty lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreasError {
    pub row: usize,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub columns: Vec<Track>,
    pub rows: Vec<Track>,
    /// In order of first appearance, reading rows top to bottom.
    pub areas: Vec<Area>,
}

/// A placed rectangle in logical pixels of the screen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

/// The grid's rows as the text writes them (non-empty lines, cells split on whitespace). A `.`
/// cell is empty space.
pub fn area_rows(text: &str) -> Vec<Vec<&str>> {
    text.lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>())
        .filter(|cells| !cells.is_empty())
        .collect()
}

/// Reads the named areas: every row has the same number of cells and every name covers one
/// rectangle.
pub fn parse_areas(text: &str) -> Result<(usize, usize, Vec<Area>), AreasError> {
    let rows = area_rows(text);
    let Some(first) = rows.first() else {
        return Err(AreasError {
            row: 0,
            message: "the areas are empty: write one line per row, one name per cell".into(),
        });
    };
    let columns = first.len();
    for (index, row) in rows.iter().enumerate() {
        if row.len() != columns {
            return Err(AreasError {
                row: index,
                message: format!(
                    "row {} has {} cells but row 1 has {columns}: every row needs the same number",
                    index + 1,
                    row.len()
                ),
            });
        }
        if let Some(bad) = row.iter().find(|cell| !is_area_name(cell)) {
            return Err(AreasError {
                row: index,
                message: format!(
                    "'{bad}' is not an area name: use letters, digits, '-' and '_' (or '.' for empty)"
                ),
            });
        }
    }
    // One pass over the cells for each name's bounding box and cell count, in order of first
    // appearance: a name per cell scanned against every cell made a 40,000-name layout take
    // seconds to check (and to reload).
    struct Bounds<'a> {
        name: &'a str,
        first_row: usize,
        last_row: usize,
        first_column: usize,
        last_column: usize,
        cells: usize,
    }
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut bounds: Vec<Bounds> = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        for (c, &name) in row.iter().enumerate() {
            if name == "." {
                continue;
            }
            match index.get(name) {
                Some(&i) => {
                    let b = &mut bounds[i];
                    b.last_row = r;
                    b.first_column = b.first_column.min(c);
                    b.last_column = b.last_column.max(c);
                    b.cells += 1;
                }
                None => {
                    index.insert(name, bounds.len());
                    bounds.push(Bounds {
                        name,
                        first_row: r,
                        last_row: r,
                        first_column: c,
                        last_column: c,
                        cells: 1,
                    });
                }
            }
        }
    }
    let mut areas: Vec<Area> = Vec::with_capacity(bounds.len());
    for b in &bounds {
        let (row_span, column_span) = (
            b.last_row - b.first_row + 1,
            b.last_column - b.first_column + 1,
        );
        // Its cells all lie in its bounding box: as many as the box holds means it fills it.
        if b.cells != row_span * column_span {
            let stray = (b.first_row..=b.last_row)
                .flat_map(|rr| (b.first_column..=b.last_column).map(move |cc| (rr, cc)))
                .find(|&(rr, cc)| rows[rr][cc] != b.name);
            if let Some((rr, cc)) = stray {
                return Err(AreasError {
                    row: rr,
                    message: format!(
                        "area '{}' is not a rectangle: row {}, column {} holds '{}' inside its \
                         bounding box (rows {}-{}, columns {}-{})",
                        b.name,
                        rr + 1,
                        cc + 1,
                        rows[rr][cc],
                        b.first_row + 1,
                        b.last_row + 1,
                        b.first_column + 1,
                        b.last_column + 1
                    ),
                });
            }
        }
        areas.push(Area {
            name: b.name.to_string(),
            row: b.first_row,
            row_span,
            column: b.first_column,
            column_span,
        });
    }
    Ok((rows.len(), columns, areas))
}

fn is_area_name(cell: &str) -> bool {
    cell == "."
        || cell
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
}

/// Where each track starts and how long it is, for `length` logical pixels with `gap` between
/// tracks and `padding` at both ends. Fixed tracks are served first; `fr` tracks share what is
/// left (never less than zero), as CSS does with `minmax(0, Nfr)`.
pub fn solve_tracks(tracks: &[Track], length: f32, gap: f32, padding: f32) -> Vec<(f32, f32)> {
    let inner = (length - 2.0 * padding - gap * tracks.len().saturating_sub(1) as f32).max(0.0);
    let fixed: f32 = tracks
        .iter()
        .map(|t| match t {
            Track::Px(v) => *v,
            Track::Percent(p) => p / 100.0 * length,
            Track::Fr(_) => 0.0,
        })
        .sum();
    let fractions: f32 = tracks
        .iter()
        .map(|t| if let Track::Fr(f) = t { *f } else { 0.0 })
        .sum();
    let per_fraction = if fractions > 0.0 {
        (inner - fixed).max(0.0) / fractions
    } else {
        0.0
    };
    let mut at = padding;
    tracks
        .iter()
        .map(|t| {
            let size = match t {
                Track::Px(v) => *v,
                Track::Percent(p) => p / 100.0 * length,
                Track::Fr(f) => f * per_fraction,
            };
            let placed = (at, size);
            at += size + gap;
            placed
        })
        .collect()
}

impl Grid {
    /// Each area's rectangle on a screen of `width` × `height` logical pixels.
    pub fn place(&self, width: f32, height: f32, gap: f32, padding: f32) -> Vec<(String, Rect)> {
        let columns = solve_tracks(&self.columns, width, gap, padding);
        let rows = solve_tracks(&self.rows, height, gap, padding);
        self.areas
            .iter()
            .filter_map(|area| {
                let (x, _) = *columns.get(area.column)?;
                let (y, _) = *rows.get(area.row)?;
                let (last_x, last_w) = *columns.get(area.column + area.column_span - 1)?;
                let (last_y, last_h) = *rows.get(area.row + area.row_span - 1)?;
                Some((
                    area.name.clone(),
                    Rect {
                        x,
                        y,
                        width: last_x + last_w - x,
                        height: last_y + last_h - y,
                    },
                ))
            })
            .collect()
    }

    pub fn area(&self, name: &str) -> Option<&Area> {
        self.areas.iter().find(|a| a.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shape_that_is_not_a_rectangle_names_its_first_stray_cell() {
        let error = parse_areas("a a\na b\n").expect_err("an L");
        assert_eq!(error.row, 1);
        assert_eq!(
            error.message,
            "area 'a' is not a rectangle: row 2, column 2 holds 'b' inside its bounding box \
             (rows 1-2, columns 1-2)"
        );
        let error = parse_areas("a b a\n").expect_err("split");
        assert_eq!(
            error.message,
            "area 'a' is not a rectangle: row 1, column 2 holds 'b' inside its bounding box \
             (rows 1-1, columns 1-3)"
        );
        // Many areas, each a cell: every one found, in reading order.
        let text: String = (0..50)
            .map(|r| {
                (0..50)
                    .map(|c| format!("a{r}_{c}"))
                    .collect::<Vec<_>>()
                    .join(" ")
                    + "\n"
            })
            .collect();
        let (_, _, areas) = parse_areas(&text).expect("valid");
        assert_eq!(areas.len(), 2500);
        assert_eq!(areas[51].name, "a1_1");
        assert_eq!((areas[51].row, areas[51].column), (1, 1));
    }

    #[test]
    fn areas_become_rectangles() {
        let (rows, columns, areas) = parse_areas(
            "
            stream volume volume
            stream sov    alerts
            ",
        )
        .expect("valid areas");
        assert_eq!((rows, columns), (2, 3));
        assert_eq!(
            areas[0],
            Area {
                name: "stream".into(),
                row: 0,
                row_span: 2,
                column: 0,
                column_span: 1
            }
        );
        assert_eq!(areas[1].column_span, 2);
        assert_eq!(
            areas.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(),
            ["stream", "volume", "sov", "alerts"]
        );
    }

    #[test]
    fn an_l_shaped_area_is_refused_on_its_row() {
        let error = parse_areas("a a\na b").expect_err("an L is not a rectangle");
        assert_eq!(error.row, 1);
        assert!(
            error.message.contains("'a' is not a rectangle"),
            "{}",
            error.message
        );
        let split = parse_areas("a b a").expect_err("a name in two places");
        assert!(
            split.message.contains("not a rectangle"),
            "{}",
            split.message
        );
    }

    #[test]
    fn ragged_rows_are_refused() {
        let error = parse_areas("a b\na").expect_err("ragged");
        assert_eq!(error.row, 1);
        assert!(error.message.contains("row 2 has 1 cells but row 1 has 2"));
    }

    #[test]
    fn empty_cells_are_allowed() {
        let (_, _, areas) = parse_areas("a .\na b").expect("dots are gaps");
        assert_eq!(areas.len(), 2);
    }

    #[test]
    fn track_sizes() {
        assert_eq!(Track::parse("2fr"), Ok(Track::Fr(2.0)));
        assert_eq!(Track::parse("120px"), Ok(Track::Px(120.0)));
        assert_eq!(Track::parse("25%"), Ok(Track::Percent(25.0)));
        assert!(Track::parse("12em").is_err());
        assert!(Track::parse("0fr").is_err());
        assert!(Track::parse("150%").is_err());
    }

    #[test]
    fn tracks_share_what_fixed_ones_leave() {
        let placed = solve_tracks(
            &[Track::Px(100.0), Track::Fr(1.0), Track::Fr(3.0)],
            1000.0,
            10.0,
            0.0,
        );
        assert_eq!(placed, vec![(0.0, 100.0), (110.0, 220.0), (340.0, 660.0)]);
    }
}
