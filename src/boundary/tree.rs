//! A tree from git checked whole before any of its files is written: only campaign files,
//! regular and of bounded size, in git's order, each parsing as loading the campaign parses
//! it and passing its checks; data files never changed by a hub silently.

use super::{Place, Refusal, describe_git, place, refuse};
use crate::annex::ANNEX_FILE;
use crate::data::DataSet;
use crate::storage::{self, RECORDS_DIR};
use git2::{Oid, Repository, Tree};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Campaign files are regular files of git's ordinary mode; anything else is named.
fn mode_words(mode: i32) -> &'static str {
    match mode {
        0o040000 => "папка, которой в кампании быть не может",
        0o120000 => "символическая ссылка (в кампании только обычные файлы)",
        0o160000 => "подмодуль git (в кампании только обычные файлы)",
        0o100755 => "исполняемый файл (в кампании только обычные файлы)",
        _ => "запись необычного вида (в кампании только обычные файлы)",
    }
}

fn entry_name(entry: &git2::TreeEntry, folder: &str) -> Result<String, Refusal> {
    match std::str::from_utf8(entry.name_bytes()) {
        Ok(name) => Ok(format!("{folder}{name}")),
        Err(_) => refuse(
            &format!(
                "{folder}{}",
                String::from_utf8_lossy(entry.name_bytes()).escape_debug()
            ),
            "имя не в UTF-8",
        ),
    }
}

/// A tree's entries as git writes them: each name once, in git's order (a folder sorts as
/// if its name ended in «/»). A tree otherwise enters the history and `git fsck` fails on it
/// for ever.
fn in_git_order(tree: &Tree, folder: &str) -> Result<(), Refusal> {
    let key = |e: &git2::TreeEntry| {
        let mut k = e.name_bytes().to_vec();
        if e.kind() == Some(git2::ObjectType::Tree) {
            k.push(b'/');
        }
        k
    };
    let mut last: Option<Vec<u8>> = None;
    for e in tree.iter() {
        let k = key(&e);
        if last.as_ref().is_some_and(|l| *l >= k) {
            let name = String::from_utf8_lossy(e.name_bytes())
                .escape_debug()
                .to_string();
            return refuse(
                &format!("{folder}{name}"),
                "записи папки повторяются или не по порядку (так git не пишет)",
            );
        }
        last = Some(k);
    }
    Ok(())
}

/// Every file of `tree`, checked whole before any is written: only campaign files, each a
/// regular file of bounded size that parses with the code that loads a campaign and passes
/// its checks (format, protocol, registry). Files already `known` (the same blob at the
/// same path in this campaign's own last commit) are not parsed again.
pub fn check_tree(
    repo: &Repository,
    tree: &Tree,
    data: &DataSet,
    known: &BTreeMap<String, Oid>,
) -> Result<BTreeMap<String, Oid>, Refusal> {
    let (files, records) = campaign_files(repo, tree)?;
    let odb = repo.odb().or_else(|e| refuse("", describe_git(&e)))?;
    let read = |path: &str, oid: Oid| blob_text(repo, &odb, path, oid);
    let fresh = |path: &String, oid: &Oid| known.get(path) != Some(oid);
    // The campaign's data files (registry, protocol, rules, template) are never taken from a
    // hub silently: a registry changed elsewhere renames municipalities and drops others.
    // A new laptop joining (nothing known yet) takes them as the campaign has them.
    if !known.is_empty()
        && let Some((path, _)) = files
            .iter()
            .find(|(p, o)| place(p) == Some(Place::Data) && fresh(p, o))
    {
        return refuse(
            path,
            "файл данных кампании не такой, как на этом ноутбуке: sobes не меняет его по узлу молча; если его изменили намеренно, положите тот же файл в папку кампании на каждом ноутбуке",
        );
    }
    let own_data = tree_data(&files, read)?;
    let data = own_data.as_ref().unwrap_or(data);
    for (path, oid) in &files {
        if fresh(path, oid) && place(path) != Some(Place::Data) {
            let parsed = check_parsed(path, read(path, *oid)?.as_bytes(), data)?;
            if let Some(record) = parsed {
                let ours = known.get(path).and_then(|o| read(path, *o).ok());
                let new = impossible_news(&record, ours, path, data);
                if !new.is_empty() {
                    return refuse(path, new.join("; "));
                }
            }
        }
    }
    // Last: the checks of what the entries hold name what is wrong more precisely.
    in_git_order(tree, "")?;
    if let Some(id) = records {
        let sub = repo
            .find_tree(id)
            .or_else(|e| refuse(RECORDS_DIR, describe_git(&e)))?;
        in_git_order(&sub, &format!("{RECORDS_DIR}/"))?;
    }
    Ok(files)
}

/// The files of `tree` by path, when each is a campaign file of git's ordinary mode, and the
/// records' folder (its id), when there is one.
fn campaign_files(
    repo: &Repository,
    tree: &Tree,
) -> Result<(BTreeMap<String, Oid>, Option<Oid>), Refusal> {
    let mut files = BTreeMap::new();
    let mut records = None;
    for entry in tree.iter() {
        let name = entry_name(&entry, "")?;
        let mode = entry.filemode();
        if name == RECORDS_DIR && mode == 0o040000 {
            let sub = repo
                .find_tree(entry.id())
                .or_else(|e| refuse(&name, describe_git(&e)))?;
            for e in sub.iter() {
                let path = entry_name(&e, &format!("{RECORDS_DIR}/"))?;
                if !matches!(place(&path), Some(Place::Record(_))) {
                    return refuse(
                        &path,
                        "не файл записи (ожидалось municipalities/<id>.ron, id из латинских букв, цифр и «-»)",
                    );
                }
                if e.filemode() != 0o100644 {
                    return refuse(&path, mode_words(e.filemode()));
                }
                files.insert(path, e.id());
            }
            records = Some(sub.id());
            continue;
        }
        if mode != 0o100644 {
            return refuse(&name, mode_words(mode));
        }
        match place(&name) {
            Some(Place::Record(_)) | None => {
                return refuse(
                    &name,
                    "не файл кампании (ожидались campaign.ron, scores.ron, файлы данных и municipalities/<id>.ron)",
                );
            }
            Some(_) => {
                files.insert(name, entry.id());
            }
        }
    }
    Ok((files, records))
}

/// The text of the file `path` of a tree: its kind and size read from the object's header
/// first, then the blob, which must be UTF-8.
fn blob_text(repo: &Repository, odb: &git2::Odb, path: &str, oid: Oid) -> Result<String, Refusal> {
    let (size, kind) = odb
        .read_header(oid)
        .or_else(|e| refuse(path, describe_git(&e)))?;
    if kind != git2::ObjectType::Blob {
        return refuse(path, "не файл");
    }
    if size as u64 > storage::MAX_FILE_BYTES {
        return refuse(
            path,
            format!(
                "файл слишком большой ({size} байт, можно до {})",
                storage::MAX_FILE_BYTES
            ),
        );
    }
    let blob = repo
        .find_blob(oid)
        .or_else(|e| refuse(path, describe_git(&e)))?;
    String::from_utf8(blob.content().to_vec()).or_else(|_| {
        refuse(
            path,
            "файл не в кодировке UTF-8 (повреждён или сохранён в другой кодировке)",
        )
    })
}

/// The tree's own data files as a data set, when it has any: its records are checked against
/// them.
fn tree_data(
    files: &BTreeMap<String, Oid>,
    read: impl Fn(&str, Oid) -> Result<String, Refusal>,
) -> Result<Option<DataSet>, Refusal> {
    if !files.keys().any(|p| place(p) == Some(Place::Data)) {
        return Ok(None);
    }
    let mut texts = BTreeMap::new();
    for (path, oid) in files.iter().filter(|(p, _)| place(p) == Some(Place::Data)) {
        texts.insert(path.clone(), read(path, *oid)?);
    }
    // Each problem names its own file, line and column.
    let data = DataSet::from_texts(&texts)
        .or_else(|e| refuse("файлы данных", crate::model::source::join_errors(&e)))?;
    if let Some(text) = texts.get(ANNEX_FILE) {
        let origin = crate::model::source::Origin::File(PathBuf::from(ANNEX_FILE));
        crate::model::template::Template::parse(text, &origin)
            .or_else(|e| refuse(ANNEX_FILE, e.to_string()))?;
    }
    Ok(Some(data))
}

/// A campaign file's text as a commit or a merge would write it: parsed and checked as
/// loading the campaign checks it. Data files are checked by [`check_tree`] as a set.
pub fn check_parsed(
    path: &str,
    bytes: &[u8],
    data: &DataSet,
) -> Result<Option<crate::model::campaign::Record>, Refusal> {
    let Some(place) = place(path) else {
        return refuse(path, "не файл кампании");
    };
    let Ok(text) = std::str::from_utf8(bytes) else {
        return refuse(path, "файл не в кодировке UTF-8");
    };
    let at = Path::new(path);
    let store = |e: storage::StoreError| Refusal {
        path: path.to_string(),
        why: e.to_string(),
    };
    let known = |id: &str| data.registry.get(id).is_some();
    match place {
        Place::Meta => {
            let meta = storage::parse_meta(at, text).map_err(store)?;
            let problems =
                crate::model::checks::fit_problems(&meta, &data.registry, &data.protocol);
            if !problems.is_empty() {
                return refuse(path, problems.join("; "));
            }
        }
        Place::Scores => {
            let table = storage::scores::parse_table(at, text).map_err(store)?;
            if let Some(id) = table.rows.keys().find(|id| !known(id)) {
                return refuse(path, format!("муниципалитета «{id}» нет в реестре"));
            }
        }
        Place::Record(id) => {
            let record = storage::parse_record(at, text).map_err(store)?;
            if !known(&id) {
                return refuse(path, format!("муниципалитета «{id}» нет в реестре"));
            }
            return Ok(Some(record));
        }
        Place::Data => {}
    }
    Ok(None)
}

/// [`check_parsed`] for a file whose parsed value is not needed.
pub fn check_file(path: &str, bytes: &[u8], data: &DataSet) -> Result<(), Refusal> {
    check_parsed(path, bytes, data).map(|_| ())
}

/// Values in an incoming record that no sobes could have written
/// ([`crate::model::checks::impossible_values`]) and this campaign's own version of the
/// record does not already hold (a protocol changed during the campaign leaves such
/// answers on every laptop; they are not the other side's doing).
fn impossible_news(
    theirs: &crate::model::campaign::Record,
    ours: Option<String>,
    path: &str,
    data: &DataSet,
) -> Vec<String> {
    let problems = |r: &crate::model::campaign::Record| {
        crate::model::checks::impossible_values(r, &data.protocol, &data.dimensions)
    };
    let mut new = problems(theirs);
    if !new.is_empty()
        && let Some(ours) = ours.and_then(|t| storage::parse_record(Path::new(path), &t).ok())
    {
        let old = problems(&ours);
        new.retain(|p| !old.contains(p));
    }
    new
}
