//! The list's filter: every municipality, one status, an undecided dimension, or a cluster.
//! The list screen applies it; the picker it opens offers the choices (`PickFor::Filter`).

use crate::model::campaign::Status;
use crate::tui::ctx::Ctx;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListFilter {
    All,
    Status(Status),
    Unassigned,
    Cluster { dim: String, cluster: u8 },
}

impl ListFilter {
    /// The filter in words, for the picker and the list's bar.
    pub fn label(&self, ctx: &Ctx) -> String {
        match self {
            ListFilter::All => "все муниципалитеты".into(),
            ListFilter::Status(s) => format!("статус: {}", s.label()),
            ListFilter::Unassigned => "есть нераспределённые измерения".into(),
            ListFilter::Cluster { dim, cluster } => {
                let d = ctx.data.dimensions.get(dim);
                format!(
                    "{}: кластер {cluster} «{}»",
                    d.map_or(dim.as_str(), |d| d.title.as_str()),
                    d.and_then(|d| d.cluster(*cluster))
                        .map_or("", |c| c.short.as_str())
                )
            }
        }
    }

    /// Whether the municipality at registry `index` is shown; one still loading only when
    /// nothing is filtered.
    pub fn passes(&self, ctx: &Ctx, index: usize) -> bool {
        let Some(summary) = &ctx.summaries[index] else {
            return *self == ListFilter::All;
        };
        match self {
            ListFilter::All => true,
            ListFilter::Status(s) => summary.status == *s,
            ListFilter::Unassigned => summary.marks.iter().any(|m| m.decided().is_none()),
            ListFilter::Cluster { dim, cluster } => ctx
                .data
                .dimensions
                .0
                .iter()
                .position(|d| &d.id == dim)
                .is_some_and(|d| summary.marks[d].decided() == Some(*cluster)),
        }
    }
}
