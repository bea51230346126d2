//! The command line: the TUI by default, and commands for scripts and tests. Here: the
//! entry point, standard output, and each command sent to the function that does it. Its
//! files: `args` (what clap reads), `usage` (clap's errors in Russian), `reports`, `export`,
//! `monitoring`, `sync` (the hub and the history), `hub` (a server hub's token), `commands`
//! (making a campaign, writing into one) and `check`.

/// A line to standard output through [`out`].
macro_rules! outln {
    ($($arg:tt)*) => {
        out(&format!("{}\n", format!($($arg)*)))
    };
}

mod args;
mod check;
mod commands;
mod export;
mod hub;
pub mod monitoring;
mod reports;
mod sync;
mod usage;

use crate::annex::ExportOptions;
use crate::data::Overrides;
use crate::model::collate::escape_controls;
use crate::session::{Failure, Options, Session};
use crate::storage;
pub use args::{CampaignAction, Cli, Command, HubAction};
use clap::Parser;
pub use reports::{agreement_report, compare_report, questions_tsv, status_table};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn overrides(cli: &Cli) -> Overrides {
    Overrides {
        registry: cli.registry.clone(),
        protocol: cli.protocol.clone(),
        clusters: cli.clusters.clone(),
        monitoring: cli.monitoring.clone(),
    }
}

/// How a session opens: on `campaign`, with the data, keymap, name and template the flags
/// give.
fn options(cli: &Cli, campaign: Option<PathBuf>) -> Options {
    Options {
        campaign,
        data: overrides(cli),
        keymap: cli.keymap.clone(),
        as_name: cli.as_name.clone(),
        annex: cli.annex.clone(),
    }
}

/// Writes to standard output. A reader that went away (`sobes lists | head -1`) ends the
/// command quietly; what comes from files and users is printed with control characters
/// escaped, so a value cannot clear the screen or retitle the terminal.
pub(crate) fn out(text: &str) -> Result<(), Failure> {
    use std::io::Write;
    let text = escape_controls(text);
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(Failure {
            message: String::new(),
            code: 0,
        }),
        Err(e) => Err(Failure::new(format!(
            "стандартный вывод: {}",
            storage::describe_io(&e)
        ))),
    }
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage::clap_failure(e),
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            if !f.message.is_empty() {
                eprintln!("sobes: {}", escape_controls(&f.message));
            }
            ExitCode::from(f.code)
        }
    }
}

/// Runs a command; `new` and `check` before any campaign is opened (`check` opens nothing,
/// and reports what would not open), every other on the campaign the session opens.
pub fn run(cli: Cli) -> Result<(), Failure> {
    match &cli.command {
        Some(Command::New {
            dir,
            from_hub: Some(hub),
            ..
        }) => {
            let ctx = Session::open(options(&cli, Some(dir.clone())))?;
            return sync::cmd_join(&ctx, hub);
        }
        Some(Command::New {
            dir,
            from: Some(name),
            ..
        }) => return commands::new_from(&cli, dir, name),
        Some(Command::New {
            dir,
            title,
            previous,
            carry,
            ..
        }) => {
            return commands::new_campaign(&cli, dir, title.clone(), previous.as_deref(), *carry);
        }
        Some(Command::Check) => return check::cmd_check(&cli),
        Some(Command::Hub {
            action: HubAction::Login { address },
        }) => return hub::cmd_hub_login(address),
        _ => {}
    }
    let ctx = Session::open(options(&cli, cli.campaign.clone()))?;
    match cli.command {
        None => crate::tui::run(ctx),
        Some(command) => dispatch(&ctx, command, cli.annex.as_deref(), cli.all),
    }
}

/// A command on the open campaign, to the function that does it; `annex` and `all` are
/// the global flags.
fn dispatch(ctx: &Session, cmd: Command, annex: Option<&Path>, all: bool) -> Result<(), Failure> {
    match cmd {
        Command::New { .. } | Command::Check | Command::Hub { .. } => {
            unreachable!("run handles them")
        }
        Command::Resolve { name } => commands::cmd_resolve(ctx, &name),
        Command::Questions => out(&questions_tsv(&ctx.data)),
        Command::Set {
            municipality,
            question,
            value,
            note,
        } => commands::cmd_set(ctx, &municipality, &question, &value, note.as_deref()),
        Command::Decide {
            municipality,
            dimension,
            cluster,
            reason,
            final_,
        } => commands::cmd_decide(
            ctx,
            &municipality,
            &dimension,
            cluster,
            reason.as_deref(),
            final_,
        ),
        Command::Score {
            municipality,
            indicator,
            value,
        } => commands::cmd_score(ctx, &municipality, &indicator, &value),
        Command::Levels { tsv } => monitoring::cmd_levels(ctx, tsv),
        Command::ImportMonitoring {
            file,
            sheet,
            skip_bad_rows,
        } => monitoring::cmd_import(ctx, &file, sheet.as_deref(), skip_bad_rows),
        Command::Compare { tsv } => reports::cmd_compare(ctx, tsv),
        Command::Agreement { tsv } => reports::cmd_agreement(ctx, tsv, all),
        Command::Status { tsv } => reports::cmd_status(ctx, tsv),
        Command::Export {
            format,
            output,
            force,
            allow_incomplete,
            municipality,
            per_municipality,
        } => {
            let opts = ExportOptions {
                force,
                allow_incomplete,
            };
            let format = format.as_deref();
            if municipality.is_some() || per_municipality {
                export::cmd_letters(ctx, annex, format, &output, municipality.as_deref(), opts)
            } else {
                export::cmd_export(ctx, annex, format, &output, opts, all)
            }
        }
        Command::Lists { tsv } => export::cmd_lists(ctx, annex, tsv),
        Command::Sync { hub, new_hub } => sync::cmd_sync(ctx, &hub, new_hub),
        Command::Repair => sync::cmd_repair(ctx),
        Command::Conflicts { tsv } => sync::cmd_conflicts(ctx, tsv, all),
        Command::Campaign { action } => commands::cmd_campaign(ctx, action),
        Command::Log {
            municipality,
            question,
            dimension,
            tsv,
        } => sync::cmd_log(
            ctx,
            municipality.as_deref(),
            question.as_deref(),
            dimension.as_deref(),
            tsv,
            all,
        ),
    }
}
