//! The TUI's state and its update: keys become actions, actions change the state and return
//! effects (save, quit) for the IO layer to run. Nothing here touches the terminal or disk.

use super::action::Action;
use super::keymap::{Keymap, Scope};
use super::keys::Key;
use super::text::{FieldKey, TextField};
use crate::annex::Format;
use crate::data::DataSet;
use crate::model::campaign::{Campaign, Mark, Record, Status, Value};
use crate::model::edit::{self, Stamp};
use crate::model::fuzzy::{Fuzzy, Query, fold_text};
use crate::model::protocol::{Kind, MAX_TEXT_CHARS, Progress, Question, order_like};
use crate::model::template::Template;
use ratatui::crossterm::event::KeyEvent;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, TryRecvError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    List,
    Interview,
    Clusters,
    Review,
    Preview,
}

impl Screen {
    pub fn scope(self) -> Scope {
        match self {
            Screen::List => Scope::List,
            Screen::Interview => Scope::Interview,
            Screen::Clusters => Scope::Clusters,
            Screen::Review => Scope::Review,
            Screen::Preview => Scope::Preview,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListFilter {
    All,
    Status(Status),
    Unassigned,
    Cluster { dim: String, cluster: u8 },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pending {
    ClearAnswer(String),
    ClearDecision(String),
    Export(ExportRequest),
}

/// An export as asked for, with what the user has already agreed to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportRequest {
    pub format: Format,
    pub path: PathBuf,
    pub force: bool,
    pub allow_incomplete: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PromptFor {
    Reviewer,
    Reason { dim: String, cluster: u8 },
    ExportPath(Format),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PickFor {
    Section,
    Filter(Vec<ListFilter>),
    ExportFormat(Vec<Format>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Overlay {
    Help,
    Confirm {
        question: String,
        then: Pending,
    },
    Prompt {
        title: String,
        field: TextField,
        purpose: PromptFor,
    },
    Picker {
        title: String,
        items: Vec<String>,
        cursor: usize,
        purpose: PickFor,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EditTarget {
    Value,
    Note,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Editing {
    pub target: EditTarget,
    pub field: TextField,
    pub error: Option<String>,
}

/// Work for the IO layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    Save(String),
    SaveConfig,
    Export(ExportRequest),
    Quit,
}

/// A registry index that matches the search, with the matched char indices of its name.
pub type Found = (usize, Vec<usize>);

/// What the list and the review show of one municipality, kept up to date as records
/// change so that no key recomputes it for every municipality.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub progress: Progress,
    pub status: Status,
    /// One mark per dimension, in the order of the dimensions.
    pub marks: Vec<Mark>,
}

/// The review's facts: `marks[dimension][municipality]`, and unfinished interviews.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Review {
    pub marks: Vec<Vec<Mark>>,
    pub incomplete: Vec<(usize, Progress)>,
}

/// A line of the review screen; lines with a municipality can be selected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewRow {
    pub text: String,
    pub municipality: Option<String>,
    pub dim: Option<usize>,
    pub header: bool,
}

pub struct App {
    pub data: DataSet,
    pub campaign: Campaign,
    pub keymap: Keymap,
    pub reviewer: Option<String>,
    pub screen: Screen,
    pub back_to: Screen,
    pub overlay: Option<Overlay>,
    pub search: TextField,
    pub searching: bool,
    pub list_filter: ListFilter,
    /// Registry indices shown in the list, with the matched char indices of each name.
    pub visible: Vec<Found>,
    pub cursor: usize,
    /// The selected or open municipality.
    pub current: String,
    /// Questions in protocol order as (section, question) indices.
    pub flat: Vec<(usize, usize)>,
    pub question: usize,
    pub option: usize,
    pub editing: Option<Editing>,
    pub dim: usize,
    pub review_cursor: usize,
    pub message: Option<(String, bool)>,
    pub last_saved: Option<String>,
    pub clock: fn() -> String,
    /// Rows that fit on a page of the current list, set when drawing.
    pub page: usize,
    fuzzy: Fuzzy,
    /// The annex template: set by the IO layer at start, else the built-in one, loaded when
    /// the annex is first needed.
    pub template: Option<Template>,
    /// The annex as Markdown lines while the preview is open, and its scroll position.
    pub preview: Vec<String>,
    pub preview_scroll: usize,
    /// Per registry index, in registry order.
    /// None while the municipality's record is still being loaded.
    pub summaries: Vec<Option<Summary>>,
    /// The review screen's lines, built when the review needs them after a change.
    review: Option<Vec<ReviewRow>>,
    /// The rest of a large campaign, parsed in the background after the first frame.
    pub loading: Option<Receiver<Result<BTreeMap<String, Record>, String>>>,
    /// A damaged file found by the background loading: the TUI stops with this message.
    pub fatal: Option<String>,
    /// Registry names folded once for the search field.
    folded_names: Vec<String>,
    /// Earlier search results, each for a prefix of the next.
    search_stack: Vec<(String, Vec<Found>)>,
}

impl App {
    pub fn new(
        data: DataSet,
        campaign: Campaign,
        keymap: Keymap,
        reviewer: Option<String>,
        clock: fn() -> String,
    ) -> App {
        let flat = data
            .protocol
            .sections
            .iter()
            .enumerate()
            .flat_map(|(s, sec)| (0..sec.questions.len()).map(move |q| (s, q)))
            .collect();
        let current = data
            .registry
            .municipalities
            .first()
            .map(|m| m.id.clone())
            .unwrap_or_default();
        let mut app = App {
            data,
            campaign,
            keymap,
            reviewer: reviewer.filter(|r| !r.trim().is_empty()),
            screen: Screen::List,
            back_to: Screen::List,
            overlay: None,
            search: TextField::default(),
            searching: false,
            list_filter: ListFilter::All,
            visible: Vec::new(),
            cursor: 0,
            current,
            flat,
            question: 0,
            option: 0,
            editing: None,
            dim: 0,
            review_cursor: 0,
            message: None,
            last_saved: None,
            clock,
            page: 10,
            fuzzy: Fuzzy::default(),
            folded_names: Vec::new(),
            search_stack: Vec::new(),
            summaries: Vec::new(),
            review: None,
            loading: None,
            fatal: None,
            template: None,
            preview: Vec::new(),
            preview_scroll: 0,
        };
        app.summaries = app
            .data
            .registry
            .municipalities
            .iter()
            .map(|m| Some(app.summarize(&m.id)))
            .collect();
        app.folded_names = app
            .data
            .registry
            .municipalities
            .iter()
            .map(|m| fold_text(&m.name))
            .collect();
        app.refilter();
        if app.reviewer.is_none() {
            app.overlay = Some(Overlay::Prompt {
                title: "Как вас записывать? Имя будет стоять у каждого ответа и решения".into(),
                field: TextField::default(),
                purpose: PromptFor::Reviewer,
            });
        }
        app
    }

    // ---- reading state -------------------------------------------------------------

    pub fn current_record(&self) -> Record {
        self.campaign.record_or_empty(&self.current).into_owned()
    }

    /// Hands the rest of a large campaign to the app: `campaign` holds only the records
    /// loaded so far; the others arrive on `rx`.
    pub fn start_loading(&mut self, rx: Receiver<Result<BTreeMap<String, Record>, String>>) {
        for (i, m) in self.data.registry.municipalities.iter().enumerate() {
            if !self.campaign.records.contains_key(&m.id) {
                self.summaries[i] = None;
            }
        }
        self.loading = Some(rx);
        self.review = None;
    }

    pub fn is_loading(&self) -> bool {
        self.loading.is_some()
    }

    /// Takes the background records if they have arrived.
    pub fn poll_loading(&mut self) {
        let Some(rx) = &self.loading else { return };
        match rx.try_recv() {
            Ok(result) => {
                self.loading = None;
                self.merge_loaded(result);
            }
            Err(TryRecvError::Empty) => {}
            Err(TryRecvError::Disconnected) => {
                self.loading = None;
                self.fatal = Some("загрузка кампании прервалась".into());
            }
        }
    }

    /// Waits for the background records.
    pub fn finish_loading(&mut self) {
        if let Some(rx) = self.loading.take() {
            let result = rx
                .recv()
                .unwrap_or_else(|_| Err("загрузка кампании прервалась".into()));
            self.merge_loaded(result);
        }
    }

    /// Records loaded in the background never replace one already in memory: only loaded
    /// records can be changed, and those are newer.
    fn merge_loaded(&mut self, result: Result<BTreeMap<String, Record>, String>) {
        match result {
            Ok(records) => {
                for (id, r) in records {
                    self.campaign.records.entry(id).or_insert(r);
                }
                let registry = &self.data.registry.municipalities;
                self.campaign
                    .add_missing(registry.iter().map(|m| m.id.as_str()));
                for (i, m) in self.data.registry.municipalities.iter().enumerate() {
                    if self.summaries[i].is_none() {
                        self.summaries[i] = Some(self.summarize(&m.id));
                    }
                }
                self.review = None;
                self.refilter();
            }
            Err(e) => self.fatal = Some(e),
        }
    }

    fn summarize(&self, id: &str) -> Summary {
        let record = self.campaign.record_or_empty(id);
        let protocol = &self.data.protocol;
        Summary {
            progress: protocol.progress(&record.answers),
            status: record.derive_status(protocol, &self.data.dimensions),
            marks: self
                .data
                .dimensions
                .0
                .iter()
                .map(|d| record.mark(d))
                .collect(),
        }
    }

    pub fn current_name(&self) -> &str {
        self.data
            .registry
            .get(&self.current)
            .map_or("", |m| m.name.as_str())
    }

    pub fn question_at(&self, i: usize) -> &Question {
        let (s, q) = self.flat[i];
        &self.data.protocol.sections[s].questions[q]
    }

    pub fn current_question(&self) -> &Question {
        self.question_at(self.question)
    }

    pub fn is_visible_at(&self, i: usize, record: &Record) -> bool {
        self.data
            .protocol
            .is_visible(self.question_at(i), &record.answers)
    }

    fn stamp(&self) -> Stamp {
        Stamp {
            by: self.reviewer.clone().unwrap_or_else(|| "?".into()),
            at: (self.clock)(),
        }
    }

    // ---- keys ------------------------------------------------------------------------

    pub fn handle_key(&mut self, event: KeyEvent) -> Vec<Effect> {
        self.poll_loading();
        let key = Key::from_event(&event);
        // Ctrl-C quits from anywhere, whatever the keymap and any open overlay say.
        if key.ctrl && key.code == super::keys::Code::Char('c') {
            return vec![Effect::Quit];
        }
        if self.overlay.is_some() {
            return self.overlay_key(&key, &event);
        }
        if self.screen == Screen::List && self.searching {
            match self.search.handle(&event) {
                FieldKey::Edited => {
                    self.refilter();
                    return vec![];
                }
                FieldKey::Moved => return vec![],
                FieldKey::Submit => {
                    self.searching = false;
                    return vec![];
                }
                FieldKey::Cancel => {
                    self.searching = false;
                    self.search = TextField::default();
                    self.refilter();
                    return vec![];
                }
                FieldKey::Ignored => {}
            }
        }
        if self.screen == Screen::Interview
            && let Some(editing) = &mut self.editing
        {
            match editing.field.handle(&event) {
                FieldKey::Submit => return self.commit_edit(),
                FieldKey::Cancel => {
                    self.editing = None;
                    return vec![];
                }
                FieldKey::Ignored if key.ctrl => {}
                _ => return vec![],
            }
        }
        match self.keymap.action(self.screen.scope(), &key) {
            Some(action) => self.update(action),
            None => vec![],
        }
    }

    pub fn handle_paste(&mut self, text: &str) {
        if let Some(Overlay::Prompt { field, .. }) = &mut self.overlay {
            field.paste(text);
        } else if let Some(e) = &mut self.editing {
            e.field.paste(text);
        } else if self.screen == Screen::List && self.searching {
            self.search.paste(text);
            self.refilter();
        }
    }

    fn overlay_key(&mut self, key: &Key, event: &KeyEvent) -> Vec<Effect> {
        let Some(overlay) = self.overlay.take() else {
            return vec![];
        };
        let action = self.keymap.action(self.screen.scope(), key);
        match overlay {
            Overlay::Help => {
                // Any key closes help; Help itself too.
                vec![]
            }
            Overlay::Confirm { question, then } => {
                match key.code {
                    // Yes in both layouts: y/д, and the same keys read in the other
                    // layout (н is y's key in ЙЦУКЕН, l is д's key in QWERTY).
                    super::keys::Code::Char('y' | 'Y' | 'д' | 'Д' | 'н' | 'l') => {
                        return self.confirmed(then);
                    }
                    super::keys::Code::Enter => return self.confirmed(then),
                    super::keys::Code::Esc | super::keys::Code::Char('n' | 'N' | 'т' | 'Т') => {}
                    _ => self.overlay = Some(Overlay::Confirm { question, then }),
                }
                vec![]
            }
            Overlay::Prompt {
                title,
                mut field,
                purpose,
            } => match field.handle(event) {
                FieldKey::Submit => self.prompt_done(field.text(), purpose, title, field),
                FieldKey::Cancel if purpose != PromptFor::Reviewer => vec![],
                _ => {
                    self.overlay = Some(Overlay::Prompt {
                        title,
                        field,
                        purpose,
                    });
                    vec![]
                }
            },
            Overlay::Picker {
                title,
                items,
                mut cursor,
                purpose,
            } => {
                match (action, key.code) {
                    (_, super::keys::Code::Esc) | (Some(Action::Back), _) => return vec![],
                    (Some(Action::Open | Action::Choose | Action::Accept), _)
                    | (_, super::keys::Code::Enter) => return self.picked(cursor, purpose),
                    (Some(Action::Up), _) => cursor = cursor.saturating_sub(1),
                    (Some(Action::Down), _) => cursor = (cursor + 1).min(items.len() - 1),
                    (Some(Action::First), _) => cursor = 0,
                    (Some(Action::Last), _) => cursor = items.len() - 1,
                    _ => {}
                }
                self.overlay = Some(Overlay::Picker {
                    title,
                    items,
                    cursor,
                    purpose,
                });
                vec![]
            }
        }
    }

    fn prompt_done(
        &mut self,
        text: String,
        purpose: PromptFor,
        title: String,
        field: TextField,
    ) -> Vec<Effect> {
        let text = text.trim().to_string();
        if text.is_empty() {
            self.overlay = Some(Overlay::Prompt {
                title,
                field,
                purpose,
            });
            return vec![];
        }
        match purpose {
            PromptFor::Reviewer => {
                self.reviewer = Some(text);
                vec![Effect::SaveConfig]
            }
            PromptFor::Reason { dim, cluster } => self.decide(&dim, cluster, Some(&text)),
            PromptFor::ExportPath(format) => self.export_step(ExportRequest {
                format,
                path: PathBuf::from(text),
                force: false,
                allow_incomplete: false,
            }),
        }
    }

    fn confirmed(&mut self, then: Pending) -> Vec<Effect> {
        if let Pending::Export(request) = then {
            return self.export_step(request);
        }
        let id = self.current.clone();
        let stamp = self.stamp();
        let record = self.campaign.record_mut(&id);
        match then {
            Pending::ClearAnswer(q) => {
                edit::set_value(record, &q, None, &stamp);
                edit::set_note(record, &q, "", &stamp);
            }
            Pending::ClearDecision(d) => edit::clear_decision(record, &d),
            Pending::Export(_) => unreachable!("handled above"),
        }
        self.changed()
    }

    fn picked(&mut self, cursor: usize, purpose: PickFor) -> Vec<Effect> {
        match purpose {
            PickFor::Section => {
                if let Some(i) = self.flat.iter().position(|(s, _)| *s == cursor) {
                    self.go_question(i, true);
                }
            }
            PickFor::Filter(filters) => {
                self.list_filter = filters[cursor].clone();
                self.refilter();
            }
            PickFor::ExportFormat(formats) => {
                let format = formats[cursor];
                let name = match format {
                    Format::Docx => "приложение.docx",
                    Format::Markdown => "приложение.md",
                    Format::Xlsx => "кластеры.xlsx",
                    Format::Csv => "кластеры.csv",
                };
                self.overlay = Some(Overlay::Prompt {
                    title: "Куда записать? (путь к файлу; относительный — от каталога, где запущен sobes)"
                        .into(),
                    field: TextField::new(name),
                    purpose: PromptFor::ExportPath(format),
                });
            }
        }
        vec![]
    }

    // ---- actions -----------------------------------------------------------------------

    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        self.message = None;
        // Moving and searching in the list work on names alone; everything else needs every
        // record, so a large campaign still loading in the background is waited for.
        let names_only = self.screen == Screen::List
            && matches!(
                action,
                Action::Up
                    | Action::Down
                    | Action::PageUp
                    | Action::PageDown
                    | Action::First
                    | Action::Last
                    | Action::Search
                    | Action::Help
                    | Action::Quit
            );
        if !names_only {
            self.finish_loading();
        }
        match action {
            Action::Quit => return vec![Effect::Quit],
            Action::Help => {
                self.overlay = Some(Overlay::Help);
                return vec![];
            }
            Action::Preview => {
                self.open_preview();
                return vec![];
            }
            Action::Export => {
                self.ensure_template();
                let formats = vec![Format::Docx, Format::Markdown, Format::Xlsx, Format::Csv];
                self.overlay = Some(Overlay::Picker {
                    title: "Выгрузить".into(),
                    items: vec![
                        "приложение к письму — Word (.docx)".into(),
                        "приложение к письму — Markdown (.md)".into(),
                        "матрица кластеров — Excel (.xlsx)".into(),
                        "матрица кластеров — CSV для Excel (.csv)".into(),
                    ],
                    cursor: 0,
                    purpose: PickFor::ExportFormat(formats),
                });
                return vec![];
            }
            _ => {}
        }
        match self.screen {
            Screen::List => self.list_action(action),
            Screen::Interview => self.interview_action(action),
            Screen::Clusters => self.clusters_action(action),
            Screen::Review => self.review_action(action),
            Screen::Preview => self.preview_action(action),
        }
    }

    fn moved(&self, pos: usize, len: usize, action: Action) -> usize {
        let last = len.saturating_sub(1);
        match action {
            Action::Up => pos.saturating_sub(1),
            Action::Down => (pos + 1).min(last),
            Action::PageUp => pos.saturating_sub(self.page.max(1)),
            Action::PageDown => (pos + self.page.max(1)).min(last),
            Action::First => 0,
            Action::Last => last,
            _ => pos,
        }
    }

    fn list_action(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::First
            | Action::Last => {
                self.cursor = self.moved(self.cursor, self.visible.len(), action);
                self.sync_current();
            }
            Action::Open if !self.visible.is_empty() => self.open_interview(),
            Action::Clusters if !self.visible.is_empty() => self.open_clusters(Screen::List),
            Action::Search => self.searching = true,
            Action::Filter => self.open_filter_picker(),
            Action::Review => {
                self.screen = Screen::Review;
            }
            Action::Back => {
                self.search = TextField::default();
                self.list_filter = ListFilter::All;
                self.refilter();
            }
            _ => {}
        }
        vec![]
    }

    fn open_filter_picker(&mut self) {
        let mut filters = vec![ListFilter::All];
        filters.extend(Status::ALL.iter().map(|s| ListFilter::Status(*s)));
        filters.push(ListFilter::Unassigned);
        for d in &self.data.dimensions.0 {
            for c in &d.clusters {
                filters.push(ListFilter::Cluster {
                    dim: d.id.clone(),
                    cluster: c.number,
                });
            }
        }
        let items = filters.iter().map(|f| self.filter_label(f)).collect();
        let cursor = filters
            .iter()
            .position(|f| *f == self.list_filter)
            .unwrap_or(0);
        self.overlay = Some(Overlay::Picker {
            title: "Показать".into(),
            items,
            cursor,
            purpose: PickFor::Filter(filters),
        });
    }

    pub fn filter_label(&self, f: &ListFilter) -> String {
        match f {
            ListFilter::All => "все муниципалитеты".into(),
            ListFilter::Status(s) => format!("статус: {}", s.label()),
            ListFilter::Unassigned => "есть нераспределённые измерения".into(),
            ListFilter::Cluster { dim, cluster } => {
                let d = self.data.dimensions.get(dim);
                format!(
                    "{}: кластер {cluster} «{}»",
                    d.map_or(dim.as_str(), |d| d.title.as_str()),
                    d.and_then(|d| d.cluster(*cluster))
                        .map_or("", |c| c.short.as_str())
                )
            }
        }
    }

    fn passes(&self, index: usize, filter: &ListFilter) -> bool {
        let Some(summary) = &self.summaries[index] else {
            return *filter == ListFilter::All;
        };
        match filter {
            ListFilter::All => true,
            ListFilter::Status(s) => summary.status == *s,
            ListFilter::Unassigned => summary.marks.iter().any(|m| m.decided().is_none()),
            ListFilter::Cluster { dim, cluster } => self
                .data
                .dimensions
                .0
                .iter()
                .position(|d| &d.id == dim)
                .is_some_and(|d| summary.marks[d].decided() == Some(*cluster)),
        }
    }

    /// Recomputes the visible rows and keeps the selected municipality selected if it is
    /// still shown.
    pub fn refilter(&mut self) {
        let query = self.search.text();
        let found = self.search_matches(&query);
        self.visible = found
            .into_iter()
            .filter(|(i, _)| self.passes(*i, &self.list_filter))
            .collect();
        let reg = &self.data.registry.municipalities;
        self.cursor = self
            .visible
            .iter()
            .position(|(i, _)| reg[*i].id == self.current)
            .unwrap_or(0);
        self.sync_current();
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
        let found: Vec<Found> = match self.search_stack.last() {
            Some((_, previous)) => previous
                .iter()
                .filter_map(|(i, _)| {
                    self.fuzzy
                        .matches_folded(&self.folded_names[*i], &prepared)
                        .map(|h| (*i, h.indices))
                })
                .collect(),
            None => self
                .folded_names
                .iter()
                .enumerate()
                .filter_map(|(i, name)| {
                    self.fuzzy
                        .matches_folded(name, &prepared)
                        .map(|h| (i, h.indices))
                })
                .collect(),
        };
        self.search_stack.push((query.to_string(), found.clone()));
        found
    }

    fn sync_current(&mut self) {
        if let Some((i, _)) = self.visible.get(self.cursor) {
            self.current = self.data.registry.municipalities[*i].id.clone();
        }
    }

    /// Opens the interview at the first required question still open on the path.
    pub fn open_interview(&mut self) {
        let record = self.current_record();
        let first_open = (0..self.flat.len()).find(|&i| {
            let q = self.question_at(i);
            q.required && self.is_visible_at(i, &record) && record.answers.value(&q.id).is_none()
        });
        self.screen = Screen::Interview;
        self.editing = None;
        self.go_question(first_open.unwrap_or(0), true);
    }

    pub fn open_clusters(&mut self, from: Screen) {
        self.back_to = from;
        self.screen = Screen::Clusters;
    }

    fn go_question(&mut self, i: usize, forward: bool) {
        let record = self.current_record();
        let n = self.flat.len();
        let mut j = i.min(n.saturating_sub(1));
        // Hidden questions are skipped in the direction of travel.
        for _ in 0..n {
            if self.is_visible_at(j, &record) {
                break;
            }
            j = if forward {
                (j + 1) % n
            } else {
                (j + n - 1) % n
            };
        }
        self.question = j;
        self.editing = None;
        let q = self.current_question();
        let options = q.kind.options();
        self.option = match record.answers.value(&q.id) {
            Some(v) => options
                .iter()
                .position(|(id, _)| v.equals(id) || v.contains(id))
                .unwrap_or(0),
            None => 0,
        };
    }

    fn step_question(&mut self, forward: bool) {
        let record = self.current_record();
        let n = self.flat.len();
        let mut j = self.question;
        loop {
            let next = if forward { j + 1 } else { j.wrapping_sub(1) };
            if next >= n {
                self.message = Some((
                    if forward {
                        "это последний вопрос протокола".into()
                    } else {
                        "это первый вопрос протокола".into()
                    },
                    false,
                ));
                return;
            }
            j = next;
            if self.is_visible_at(j, &record) {
                self.go_question(j, forward);
                return;
            }
        }
    }

    fn interview_action(&mut self, action: Action) -> Vec<Effect> {
        let q = self.current_question().clone();
        let options = q.kind.options();
        match action {
            Action::Up | Action::Down | Action::First | Action::Last => {
                self.option = self.moved(self.option, options.len(), action);
            }
            Action::Next => self.step_question(true),
            Action::Prev => self.step_question(false),
            Action::NextOpen => self.next_open(),
            Action::Section => {
                let items = self
                    .data
                    .protocol
                    .sections
                    .iter()
                    .map(|s| s.title.clone())
                    .collect();
                self.overlay = Some(Overlay::Picker {
                    title: "Раздел".into(),
                    items,
                    cursor: self.flat[self.question].0,
                    purpose: PickFor::Section,
                });
            }
            Action::Choose => return self.choose(&q, self.option),
            Action::Pick(n) if (1..=options.len()).contains(&(n as usize)) => {
                self.option = n as usize - 1;
                return self.choose(&q, self.option);
            }
            Action::Edit => match q.kind {
                Kind::Text | Kind::Number { .. } => self.start_edit(EditTarget::Value),
                _ => {
                    self.message = Some((
                        "здесь выбирают вариант: стрелки и пробел или цифра".into(),
                        false,
                    ))
                }
            },
            Action::Note => self.start_edit(EditTarget::Note),
            Action::Clear => {
                let record = self.current_record();
                if record.answers.0.contains_key(&q.id) {
                    self.overlay = Some(Overlay::Confirm {
                        question: format!("Стереть ответ и заметку на «{}»?", q.text),
                        then: Pending::ClearAnswer(q.id.clone()),
                    });
                }
            }
            Action::Clusters => self.open_clusters(Screen::Interview),
            Action::Back => {
                self.editing = None;
                self.screen = Screen::List;
                self.refilter();
            }
            _ => {}
        }
        vec![]
    }

    fn next_open(&mut self) {
        let record = self.current_record();
        let n = self.flat.len();
        let found = (1..=n).map(|k| (self.question + k) % n).find(|&i| {
            let q = self.question_at(i);
            q.required && self.is_visible_at(i, &record) && record.answers.value(&q.id).is_none()
        });
        match found {
            Some(i) => self.go_question(i, true),
            None => {
                self.message = Some((
                    "все обязательные вопросы отвечены: можно переходить к кластерам".into(),
                    false,
                ))
            }
        }
    }

    fn start_edit(&mut self, target: EditTarget) {
        let record = self.current_record();
        let q = self.current_question();
        let text = match target {
            EditTarget::Note => record.answers.note(&q.id).unwrap_or("").to_string(),
            EditTarget::Value => match record.answers.value(&q.id) {
                Some(Value::Text(t)) => t.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => String::new(),
            },
        };
        self.editing = Some(Editing {
            target,
            field: TextField::new(&text),
            error: None,
        });
    }

    fn commit_edit(&mut self) -> Vec<Effect> {
        let Some(editing) = self.editing.take() else {
            return vec![];
        };
        let q = self.current_question().clone();
        let text = editing.field.text();
        let stamp = self.stamp();
        let id = self.current.clone();
        match editing.target {
            EditTarget::Note if text.chars().count() > MAX_TEXT_CHARS => {
                self.editing = Some(Editing {
                    error: Some(format!(
                        "заметка слишком длинная: {} знаков, можно до {MAX_TEXT_CHARS}",
                        text.chars().count()
                    )),
                    ..editing
                });
                return vec![];
            }
            EditTarget::Note => {
                edit::set_note(self.campaign.record_mut(&id), &q.id, &text, &stamp);
            }
            EditTarget::Value if text.trim().is_empty() => {
                edit::set_value(self.campaign.record_mut(&id), &q.id, None, &stamp);
            }
            EditTarget::Value => match self.data.protocol.parse_value(&q, &text) {
                Ok(v) => edit::set_value(self.campaign.record_mut(&id), &q.id, Some(v), &stamp),
                Err(e) => {
                    self.editing = Some(Editing {
                        error: Some(e),
                        ..editing
                    });
                    return vec![];
                }
            },
        }
        self.changed()
    }

    fn choose(&mut self, q: &Question, option: usize) -> Vec<Effect> {
        let options = q.kind.options();
        let Some((opt, _)) = options.get(option) else {
            if matches!(q.kind, Kind::Text | Kind::Number { .. }) {
                self.start_edit(EditTarget::Value);
            }
            return vec![];
        };
        let stamp = self.stamp();
        let id = self.current.clone();
        let record = self.campaign.record_mut(&id);
        let advance = match &q.kind {
            Kind::YesNo => {
                edit::set_value(record, &q.id, Some(Value::Bool(opt == "yes")), &stamp);
                true
            }
            Kind::SingleChoice(_) => {
                edit::set_value(record, &q.id, Some(Value::Choice(opt.clone())), &stamp);
                true
            }
            Kind::MultipleChoice(choices) => {
                let mut picked = match record.answers.value(&q.id) {
                    Some(Value::Choices(cs)) => cs.clone(),
                    _ => Vec::new(),
                };
                if let Some(pos) = picked.iter().position(|c| c == opt) {
                    picked.remove(pos);
                } else {
                    picked.push(opt.clone());
                }
                let picked = order_like(choices, picked);
                let value = (!picked.is_empty()).then_some(Value::Choices(picked));
                edit::set_value(record, &q.id, value, &stamp);
                false
            }
            Kind::Number { .. } | Kind::Text => false,
        };
        let effects = self.changed();
        if advance {
            self.step_question(true);
        }
        effects
    }

    /// After a change to the current record: status refreshed, save requested.
    fn changed(&mut self) -> Vec<Effect> {
        let id = self.current.clone();
        let record = self.campaign.record_mut(&id);
        edit::refresh(record, &self.data.protocol, &self.data.dimensions);
        if let Some(i) = self.data.registry.index_of(&id) {
            self.summaries[i] = Some(self.summarize(&id));
        }
        self.review = None;
        vec![Effect::Save(id)]
    }

    fn clusters_action(&mut self, action: Action) -> Vec<Effect> {
        let dims = self.data.dimensions.0.len();
        match action {
            Action::Up | Action::Down | Action::First | Action::Last => {
                self.dim = self.moved(self.dim, dims, action);
            }
            Action::Accept => {
                let Some(d) = self.data.dimensions.0.get(self.dim) else {
                    return vec![];
                };
                let record = self.current_record();
                match d.suggest(&record.answers, &self.data.protocol) {
                    Some(s) => {
                        let id = d.id.clone();
                        return self.decide(&id, s.cluster, None);
                    }
                    None => {
                        self.message = Some((
                            "подсказки нет: выберите кластер цифрой и назовите причину".into(),
                            true,
                        ))
                    }
                }
            }
            Action::Pick(n) => {
                let Some(d) = self.data.dimensions.0.get(self.dim) else {
                    return vec![];
                };
                if d.cluster(n).is_none() {
                    return vec![];
                }
                let record = self.current_record();
                let suggested = d.suggest(&record.answers, &self.data.protocol);
                if suggested.as_ref().is_some_and(|s| s.cluster == n) {
                    let id = d.id.clone();
                    return self.decide(&id, n, None);
                }
                self.overlay = Some(Overlay::Prompt {
                    title: format!(
                        "Почему кластер {n}, а не {}? Причина попадёт в файл и в свод",
                        suggested
                            .map_or("подсказанный".into(), |s| s.cluster.to_string())
                    ),
                    field: TextField::default(),
                    purpose: PromptFor::Reason {
                        dim: d.id.clone(),
                        cluster: n,
                    },
                });
            }
            Action::Clear => {
                if let Some(d) = self.data.dimensions.0.get(self.dim)
                    && self.current_record().decisions.contains_key(&d.id)
                {
                    self.overlay = Some(Overlay::Confirm {
                        question: format!("Стереть решение по измерению «{}»?", d.title),
                        then: Pending::ClearDecision(d.id.clone()),
                    });
                }
            }
            Action::Interview => self.open_interview(),
            Action::Review => self.screen = Screen::Review,
            Action::Back => {
                self.screen = self.back_to;
                if self.screen == Screen::List {
                    self.refilter();
                }
            }
            _ => {}
        }
        vec![]
    }

    fn decide(&mut self, dim: &str, cluster: u8, reason: Option<&str>) -> Vec<Effect> {
        let Some(d) = self.data.dimensions.get(dim).cloned() else {
            return vec![];
        };
        let stamp = self.stamp();
        let id = self.current.clone();
        let record = self.campaign.record_mut(&id);
        match edit::decide(record, &d, &self.data.protocol, cluster, reason, &stamp) {
            Ok(()) => {
                let effects = self.changed();
                if self.dim + 1 < self.data.dimensions.0.len() {
                    self.dim += 1;
                }
                effects
            }
            Err(e) => {
                self.message = Some((e, true));
                vec![]
            }
        }
    }

    /// Who is where: per dimension the marks of every municipality (registry order), and
    /// the unfinished interviews with their progress. Computed from the decisions each time.
    pub fn review_counts(&self) -> Review {
        let marks = (0..self.data.dimensions.0.len())
            .map(|d| {
                self.summaries
                    .iter()
                    .map(|s| s.as_ref().map_or(Mark::Unassigned, |s| s.marks[d]))
                    .collect()
            })
            .collect();
        let incomplete = self
            .summaries
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.as_ref().map(|s| (i, s.progress)))
            .filter(|(_, p)| !p.complete())
            .collect();
        Review { marks, incomplete }
    }

    /// The review screen's lines, rebuilt only after a change.
    pub fn review_rows(&mut self) -> &[ReviewRow] {
        if self.review.is_none() {
            self.review = Some(self.build_review_rows());
        }
        self.review.as_deref().unwrap_or_default()
    }

    fn build_review_rows(&self) -> Vec<ReviewRow> {
        let review = self.review_counts();
        let reg = &self.data.registry.municipalities;
        let mut rows = Vec::new();
        let header = |text: String| ReviewRow {
            text,
            municipality: None,
            dim: None,
            header: true,
        };
        let member = |i: usize, dim: Option<usize>, note: String| ReviewRow {
            text: format!("      {}{note}", reg[i].name),
            municipality: Some(reg[i].id.clone()),
            dim,
            header: false,
        };
        for (di, d) in self.data.dimensions.0.iter().enumerate() {
            let marks = &review.marks[di];
            rows.push(header(format!("■ {}", d.title)));
            for c in &d.clusters {
                let members: Vec<usize> = (0..reg.len())
                    .filter(|&i| marks[i].decided() == Some(c.number))
                    .collect();
                rows.push(header(format!(
                    "  Кластер {} «{}» — {}",
                    c.number,
                    c.short,
                    members.len()
                )));
                for i in members {
                    let flag = match marks[i] {
                        Mark::Overridden(_) => "  (изменено вручную)",
                        Mark::Stale(_) => "  (расходится с ответами)",
                        _ => "",
                    };
                    rows.push(member(i, Some(di), flag.to_string()));
                }
            }
            let open: Vec<usize> = (0..reg.len())
                .filter(|&i| marks[i].decided().is_none())
                .collect();
            rows.push(header(format!("  Не распределены — {}", open.len())));
            for i in open {
                let hint = match marks[i] {
                    Mark::Suggested(n) => format!("  (подсказан {n}, не подтверждён)"),
                    _ => String::new(),
                };
                rows.push(member(i, Some(di), hint));
            }
        }
        rows.push(header(format!(
            "■ Интервью не закончено — {}",
            review.incomplete.len()
        )));
        for (i, p) in &review.incomplete {
            rows.push(member(
                *i,
                None,
                format!("  ({} из {})", p.answered, p.required),
            ));
        }
        rows
    }

    fn review_action(&mut self, action: Action) -> Vec<Effect> {
        let rows = self.review_rows();
        let selectable: Vec<(usize, String, Option<usize>)> = rows
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.municipality.clone().map(|m| (i, m, r.dim)))
            .collect();
        let pos = selectable
            .iter()
            .position(|(i, _, _)| *i >= self.review_cursor)
            .unwrap_or(0);
        match action {
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::First
            | Action::Last => {
                let p = self.moved(pos, selectable.len(), action);
                self.review_cursor = selectable.get(p).map_or(0, |(i, _, _)| *i);
            }
            Action::Open => {
                if let Some((_, municipality, dim)) = selectable.get(pos).cloned() {
                    self.current = municipality;
                    match dim {
                        Some(d) => {
                            self.dim = d;
                            self.open_clusters(Screen::Review);
                        }
                        None => self.open_interview(),
                    }
                }
            }
            Action::Back => {
                self.screen = Screen::List;
                self.refilter();
            }
            _ => {}
        }
        vec![]
    }

    fn ensure_template(&mut self) {
        if self.template.is_none() {
            self.template = crate::annex::load_template(None, None, &self.data)
                .ok()
                .map(|t| t.template);
        }
    }

    fn open_preview(&mut self) {
        self.ensure_template();
        if self.screen != Screen::Preview {
            self.back_to = self.screen;
        }
        self.screen = Screen::Preview;
        self.preview_scroll = 0;
        self.preview = match &self.template {
            Some(t) => crate::annex::render_markdown(&self.data, &self.campaign, t)
                .lines()
                .map(str::to_string)
                .collect(),
            None => vec!["Шаблон приложения не загружен".into()],
        };
    }

    fn preview_action(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::First
            | Action::Last => {
                self.preview_scroll = self.moved(self.preview_scroll, self.preview.len(), action);
            }
            Action::Back => {
                self.screen = self.back_to;
                if self.screen == Screen::List {
                    self.refilter();
                }
            }
            _ => {}
        }
        vec![]
    }

    /// The next step of an export: confirm replacing a file, confirm exporting with gaps,
    /// or hand it to the IO layer.
    fn export_step(&mut self, request: ExportRequest) -> Vec<Effect> {
        if !request.force && request.path.exists() {
            self.overlay = Some(Overlay::Confirm {
                question: format!("Файл {} уже есть. Заменить его?", request.path.display()),
                then: Pending::Export(ExportRequest {
                    force: true,
                    ..request
                }),
            });
            return vec![];
        }
        let gaps = crate::annex::gaps(&self.data, &self.campaign);
        if !request.allow_incomplete && !gaps.is_empty() {
            let lines = gaps.lines();
            self.overlay = Some(Overlay::Confirm {
                question: format!(
                    "Кампания не завершена. {} Выгрузить с пометками «не распределены»?",
                    lines.join(" ")
                ),
                then: Pending::Export(ExportRequest {
                    allow_incomplete: true,
                    ..request
                }),
            });
            return vec![];
        }
        vec![Effect::Export(request)]
    }

    /// Called by the IO layer after an export.
    pub fn exported(&mut self, result: Result<PathBuf, String>) {
        self.message = Some(match result {
            Ok(path) => (format!("записано: {}", path.display()), false),
            Err(e) => (format!("не выгружено: {e}"), true),
        });
    }

    /// Called by the IO layer after a save.
    pub fn saved(&mut self, result: Result<(), String>) {
        match result {
            Ok(()) => {
                let at = (self.clock)();
                self.last_saved = Some(at.get(11..19).unwrap_or(&at).to_string());
            }
            Err(e) => self.message = Some((format!("НЕ СОХРАНЕНО: {e}"), true)),
        }
    }
}
