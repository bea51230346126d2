//! The municipalities: search, filter, progress, status and the cluster marks.

use super::Component;
use crate::model::campaign::Status;
use crate::model::fuzzy::{Fuzzy, Hit, Query, fold_text};
use crate::tui::action::Action;
use crate::tui::cmd::{Cmd, Go, Screen};
use crate::tui::ctx::Ctx;
use crate::tui::cursor::{is_movement, moved, scroll_offset};
use crate::tui::filter::ListFilter;
use crate::tui::overlays::{Overlay, PickFor, Picker, Reply};
use crate::tui::text::{FieldKey, TextField};
use crate::tui::widgets::{BOLD, DIM, SELECTED, highlighted, mark_style};
use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// A registry index that matches the search, with the matched char indices of its name.
pub type Found = (usize, Vec<usize>);

pub struct List {
    pub search: TextField,
    pub searching: bool,
    pub filter: ListFilter,
    /// Registry indices shown, with the matched char indices of each name.
    pub visible: Vec<Found>,
    pub cursor: usize,
    fuzzy: Fuzzy,
    /// Registry names folded once for the search field.
    folded_names: Vec<String>,
    /// Earlier search results, each for a prefix of the next.
    search_stack: Vec<(String, Vec<Found>)>,
}

/// Most used first: the status line shows as many as fit, and help the rest.
const HINTS: &[Action] = &[
    Action::Open,
    Action::Search,
    Action::Clusters,
    Action::Review,
    Action::Filter,
    Action::Quit,
    Action::Sync,
    Action::Export,
    Action::Preview,
];

impl List {
    pub fn new(ctx: &mut Ctx) -> List {
        let mut list = List {
            search: TextField::default(),
            searching: false,
            filter: ListFilter::All,
            visible: Vec::new(),
            cursor: 0,
            fuzzy: Fuzzy::default(),
            folded_names: ctx
                .data
                .registry
                .municipalities
                .iter()
                .map(|m| fold_text(&m.name))
                .collect(),
            search_stack: Vec::new(),
        };
        list.refilter(ctx);
        list
    }

    /// Recomputes the visible rows and keeps the selected municipality selected if it is
    /// still shown.
    pub fn refilter(&mut self, ctx: &mut Ctx) {
        let query = self.search.text();
        let found = self.search_matches(&query);
        self.visible = found
            .into_iter()
            .filter(|(i, _)| self.filter.passes(ctx, *i))
            .collect();
        let reg = &ctx.data.registry.municipalities;
        self.cursor = self
            .visible
            .iter()
            .position(|(i, _)| reg[*i].id == ctx.current)
            .unwrap_or(0);
        self.sync_current(ctx);
    }

    /// The municipalities whose name matches the query. A match of a longer query is also a
    /// match of its prefix, so typing a letter only rescans the previous matches, and
    /// Backspace returns to a remembered result.
    fn search_matches(&mut self, query: &str) -> Vec<Found> {
        while let Some((q, _)) = self.search_stack.last() {
            if query.starts_with(q.as_str()) {
                break;
            }
            self.search_stack.pop();
        }
        if let Some((q, found)) = self.search_stack.last()
            && q == query
        {
            return found.clone();
        }
        let prepared = Query::new(query);
        let matches = |i: usize| {
            self.fuzzy
                .matches_folded(&self.folded_names[i], &prepared)
                .map(|h| (i, h))
        };
        let mut hits: Vec<(usize, Hit)> = match self.search_stack.last() {
            Some((_, previous)) => previous.iter().filter_map(|(i, _)| matches(*i)).collect(),
            None => (0..self.folded_names.len()).filter_map(matches).collect(),
        };
        // The names that start with what was typed first, then those with a word that does,
        // then the rest; alphabetical (registry) order within each.
        hits.sort_by_key(|(i, h)| (h.tier, *i));
        let found: Vec<Found> = hits.into_iter().map(|(i, h)| (i, h.indices)).collect();
        self.search_stack.push((query.to_string(), found.clone()));
        found
    }

    fn sync_current(&self, ctx: &mut Ctx) {
        if let Some((i, _)) = self.visible.get(self.cursor) {
            ctx.current = ctx.data.registry.municipalities[*i].id.clone();
        }
    }

    fn filter_picker(&self, ctx: &Ctx) -> Overlay {
        let mut filters = vec![ListFilter::All];
        filters.extend(Status::ALL.iter().map(|s| ListFilter::Status(*s)));
        filters.push(ListFilter::Unassigned);
        for d in &ctx.data.dimensions.0 {
            for c in &d.clusters {
                filters.push(ListFilter::Cluster {
                    dim: d.id.clone(),
                    cluster: c.number,
                });
            }
        }
        Overlay::Picker(Picker {
            title: "Показать".into(),
            items: filters.iter().map(|f| f.label(ctx)).collect(),
            cursor: filters.iter().position(|f| *f == self.filter).unwrap_or(0),
            purpose: PickFor::Filter(filters),
        })
    }
}

impl Component for List {
    fn title(&self, _ctx: &Ctx) -> String {
        "Муниципалитеты".into()
    }

    fn hints(&self, _ctx: &Ctx) -> &'static [Action] {
        HINTS
    }

    fn field_hints(&self) -> Option<&'static str> {
        self.searching
            .then_some("печатайте название · Enter открыть · Esc сбросить")
    }

    fn enter(&mut self, ctx: &mut Ctx, _go: Option<Go>) {
        self.refilter(ctx);
    }

    fn field_key(&mut self, ctx: &mut Ctx, event: &KeyEvent) -> Option<Vec<Cmd>> {
        if !self.searching {
            return None;
        }
        match self.search.handle(event) {
            FieldKey::Edited => {
                // While typing, the best match is selected: Enter opens what was typed.
                self.refilter(ctx);
                self.cursor = 0;
                self.sync_current(ctx);
            }
            FieldKey::Moved => {}
            // Enter opens what was typed (the best match is selected), as one expects of a
            // search: it does not merely end the typing.
            FieldKey::Submit => {
                self.searching = false;
                if !self.visible.is_empty() {
                    return Some(vec![Cmd::Go(Go::to(Screen::Interview))]);
                }
            }
            FieldKey::Cancel => {
                self.searching = false;
                self.search = TextField::default();
                self.refilter(ctx);
            }
            FieldKey::Ignored => return None,
        }
        Some(Vec::new())
    }

    fn paste(&mut self, ctx: &mut Ctx, text: &str) {
        if self.searching {
            self.search.paste(text);
            self.refilter(ctx);
            self.cursor = 0;
            self.sync_current(ctx);
        }
    }

    /// Moving and searching work on names alone.
    fn needs_records(&self, action: Action) -> bool {
        !(is_movement(action) || matches!(action, Action::Search))
    }

    fn update(&mut self, ctx: &mut Ctx, action: Action) -> Vec<Cmd> {
        match action {
            a if is_movement(a) => {
                self.cursor = moved(self.cursor, self.visible.len(), a, ctx.page);
                self.sync_current(ctx);
            }
            Action::Open if !self.visible.is_empty() => return vec![Cmd::Go(Go::to(Screen::Interview))],
            Action::Clusters if !self.visible.is_empty() => {
                return vec![Cmd::Go(Go::clusters(None))];
            }
            Action::Search => self.searching = true,
            Action::Filter => return vec![Cmd::Show(self.filter_picker(ctx))],
            Action::Review => return vec![Cmd::Go(Go::to(Screen::Review))],
            Action::Conflicts => return vec![Cmd::Go(Go::to(Screen::Conflicts))],
            Action::Letter => return vec![Cmd::Go(Go::to(Screen::Letter))],
            Action::Agreement => return vec![Cmd::Go(Go::to(Screen::Agreement))],
            Action::Changes => return vec![Cmd::Go(Go::to(Screen::Changes))],
            Action::Levels => return vec![Cmd::Go(Go::to(Screen::Levels))],
            Action::Back => {
                self.search = TextField::default();
                self.filter = ListFilter::All;
                self.refilter(ctx);
            }
            _ => {}
        }
        Vec::new()
    }

    fn reply(&mut self, ctx: &mut Ctx, reply: Reply) -> Vec<Cmd> {
        if let Reply::Picked(PickFor::Filter(filters), i) = reply
            && let Some(f) = filters.get(i)
        {
            self.filter = f.clone();
            self.refilter(ctx);
        }
        Vec::new()
    }

    fn draw(&mut self, frame: &mut Frame, area: Rect, ctx: &mut Ctx) {
        let [bar, table_area, legend] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(area);
        self.draw_bar(frame, bar, ctx);
        let height = table_area.height.saturating_sub(1) as usize;
        ctx.page = height.max(1);
        let offset = scroll_offset(self.cursor, height);
        let columns = self.columns(ctx, offset, height, table_area.width);
        let mut lines = vec![Line::styled(columns.header(ctx), BOLD)];
        for (row_i, (i, hits)) in self.visible.iter().enumerate().skip(offset).take(height) {
            let line = columns.row(ctx, *i, hits);
            lines.push(if row_i == self.cursor {
                line.style(SELECTED)
            } else {
                line
            });
        }
        let width = (columns.width(ctx) as u16).min(table_area.width);
        // Straight into the buffer: no wrapping or truncation machinery is needed for rows
        // that are cut to the width anyway.
        let buf = frame.buffer_mut();
        for (k, line) in lines.iter().enumerate().take(table_area.height as usize) {
            let y = table_area.y + k as u16;
            buf.set_line(table_area.x, y, line, width);
            if line.style != Style::default() {
                buf.set_style(Rect::new(table_area.x, y, width, 1), line.style);
            }
        }
        if self.visible.is_empty() {
            let msg =
                Paragraph::new("  Ничего не найдено. Esc — сбросить поиск и фильтр.").style(DIM);
            frame.render_widget(
                msg,
                Rect {
                    y: table_area.y + 1,
                    height: 1,
                    ..table_area
                },
            );
        }
        frame.render_widget(Paragraph::new(legend_text(legend.width)).style(DIM), legend);
    }
}

impl List {
    /// The search field, how many are shown and the filter.
    fn draw_bar(&self, frame: &mut Frame, bar: Rect, ctx: &Ctx) {
        let mut bar_spans = vec![Span::raw(" Поиск: ")];
        let query = self.search.text();
        if self.searching || !query.is_empty() {
            bar_spans.push(Span::styled(
                query.clone(),
                Style::new().add_modifier(Modifier::UNDERLINED),
            ));
        } else {
            bar_spans.push(Span::styled("/ — искать", DIM));
        }
        bar_spans.push(Span::raw(format!(
            "   Показано {} из {} · {}",
            self.visible.len(),
            ctx.data.registry.len(),
            self.filter.label(ctx)
        )));
        frame.render_widget(Paragraph::new(Line::from(bar_spans)), bar);
        if self.searching {
            let x = bar.x + 8 + self.search.cursor() as u16;
            frame.set_cursor_position(Position::new(x.min(bar.right().saturating_sub(1)), bar.y));
        }
    }

    /// The columns for the rows on screen. Rows are padded lines written straight into the
    /// buffer, only as wide as the columns: this screen is redrawn on every key of the search
    /// field, and a wide terminal then costs nothing for its empty right-hand part.
    fn columns(&self, ctx: &Ctx, offset: usize, height: usize, room: u16) -> Columns {
        let registry = &ctx.data.registry.municipalities;
        let name = self
            .visible
            .iter()
            .skip(offset)
            .take(height)
            .map(|(i, _)| registry[*i].name.chars().count())
            .max()
            .unwrap_or(0)
            .max(18);
        // Cluster columns are 8 wide, or 4 when the window is too narrow for all of them.
        let dims = ctx.data.dimensions.0.len();
        let mark = if name + FIXED + 9 * dims <= room as usize {
            8
        } else {
            4
        };
        // The monitoring level, with ↑/↓ against last year's, once any scores are recorded.
        let levels = ctx.campaign.records.values().any(|r| !r.scores.is_empty());
        Columns { name, mark, levels }
    }
}

/// The columns after the name: kind, answers and status, with their spaces.
const FIXED: usize = 1 + 4 + 7 + 12;

/// The widths of the table's columns.
struct Columns {
    name: usize,
    mark: usize,
    /// Whether the monitoring level is shown.
    levels: bool,
}

impl Columns {
    fn width(&self, ctx: &Ctx) -> usize {
        let levels = if self.levels { 15 } else { 0 };
        self.name + FIXED + (self.mark + 1) * ctx.data.dimensions.0.len() + levels
    }

    fn header(&self, ctx: &Ctx) -> String {
        let mut header = pad("Муниципалитет", self.name) + &pad("Вид", 3) + &pad("Ответы", 6);
        header += &pad("Статус", 11);
        for d in &ctx.data.dimensions.0 {
            let title: String = d.column().chars().take(self.mark).collect();
            header += &pad(&title, self.mark);
        }
        if self.levels {
            header += &pad("Мониторинг", 14);
        }
        header
    }

    /// A municipality's row: its name with what the search matched, kind, progress, status
    /// (a conflict first), the marks (last year's cluster beside a changed one: «3→1»), the
    /// monitoring level.
    fn row<'a>(&self, ctx: &'a Ctx, i: usize, hits: &[usize]) -> Line<'a> {
        let m = &ctx.data.registry.municipalities[i];
        let mut spans = highlighted(&m.name, hits);
        spans.push(Span::raw(" ".repeat(self.name + 1 - m.name.chars().count())));
        spans.push(Span::raw(pad(&m.kind, 3)));
        let Some(summary) = &ctx.summaries[i] else {
            spans.push(Span::styled(pad("…", 6) + "загрузка", DIM));
            return Line::from(spans);
        };
        let p = summary.progress;
        spans.push(Span::raw(pad(&format!("{}/{}", p.answered, p.required), 6)));
        if summary.conflicts > 0 {
            let text = format!("конфликт {}", summary.conflicts);
            spans.push(Span::styled(pad(&text, 11), crate::tui::widgets::ERROR));
        } else {
            spans.push(Span::raw(pad(summary.status.label(), 11)));
        }
        let last = ctx.campaign.last_year.as_ref();
        for (mark, d) in summary.marks.iter().zip(&ctx.data.dimensions.0) {
            let cell = match (last.and_then(|l| l.cluster(&m.id, &d.id)), mark.decided()) {
                (Some(b), Some(n)) if b != n => format!("{b}→{}", mark.cell()),
                _ => mark.cell(),
            };
            spans.push(Span::styled(pad(&cell, self.mark), mark_style(*mark)));
        }
        if self.levels {
            let record = ctx.campaign.record_or_empty(&m.id);
            let cell = match ctx.data.monitoring.overall_level(&record.score_values()) {
                Some((i, level)) => {
                    let before = last.and_then(|l| l.level(&m.id));
                    format!("{}{}", level.name, crate::model::monitoring::arrow(before, i))
                }
                None => "·".into(),
            };
            spans.push(Span::raw(pad(&cell, 14)));
        }
        Line::from(spans)
    }
}

/// `text` padded to `width`, and the space between columns.
fn pad(text: &str, width: usize) -> String {
    let n = text.chars().count();
    format!("{text}{} ", " ".repeat(width.saturating_sub(n)))
}

/// The legend in the longest wording that fits: cut, it would hide the last mark.
fn legend_text(width: u16) -> &'static str {
    [
        " кластер: 2 решено · 2? подсказан · 2* изменён с причиной · 2! расходится с ответами",
        " 2 решено · 2? подсказан · 2* изменён с причиной · 2! расходится с ответами",
        " 2 решено · 2? подсказан · 2* с причиной · 2! расходится",
    ]
    .into_iter()
    .find(|t| t.chars().count() <= width as usize)
    .unwrap_or(" 2 решено · 2? подсказан · 2* изменён · 2! спорный")
}
