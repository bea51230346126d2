//! Where git meets the campaign. The rule: nothing from git reaches the working tree unless
//! it is a campaign file that parses, and no object libgit2 may find damaged is read by it
//! before it is checked here. `sync` (a hub's commits, the merge's result, the hub's own
//! objects) and `history` (its own objects after an unclean stop, the repair) both go
//! through this module.

use crate::annex::ANNEX_FILE;
use crate::data::{CLUSTERS_FILE, DataSet, MONITORING_FILE, PROTOCOL_FILE, REGISTRY_FILE};
use crate::model::registry::is_safe_id;
use crate::storage::{self, META_FILE, RECORDS_DIR, SCORES_FILE};
use git2::{Oid, Repository, Tree};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The data files a campaign may keep beside its answers (its own registry, protocol …).
pub const DATA_FILES: [&str; 5] = [
    REGISTRY_FILE,
    PROTOCOL_FILE,
    CLUSTERS_FILE,
    MONITORING_FILE,
    ANNEX_FILE,
];

/// What a path inside the campaign holds, when it is a campaign file at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    Meta,
    Scores,
    Data,
    Record(String),
}

/// The campaign file at `path` (relative, `/`-separated), or None for anything else: the
/// names are compared whole, so `..`, absolute paths, `.git` in any spelling, other folders
/// and ids that are not plain names are none of them.
pub fn place(path: &str) -> Option<Place> {
    match path {
        META_FILE => Some(Place::Meta),
        SCORES_FILE => Some(Place::Scores),
        p if DATA_FILES.contains(&p) => Some(Place::Data),
        p => {
            let id = p
                .strip_prefix(RECORDS_DIR)?
                .strip_prefix('/')?
                .strip_suffix(".ron")?;
            is_safe_id(id).then(|| Place::Record(id.to_string()))
        }
    }
}

/// The pathspecs of every campaign file, for libgit2's look at the working tree.
pub fn pathspecs() -> Vec<String> {
    let mut out = vec![META_FILE.to_string(), SCORES_FILE.to_string()];
    out.extend(DATA_FILES.iter().map(|f| f.to_string()));
    out.push(format!("{RECORDS_DIR}/*.ron"));
    out
}

/// A file of a tree that may not reach the campaign, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub path: String,
    pub why: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.why.starts_with(&self.path) {
            write!(f, "{}", self.why)
        } else {
            write!(f, "«{}»: {}", self.path.escape_debug(), self.why)
        }
    }
}

fn refuse<T>(path: &str, why: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal {
        path: path.to_string(),
        why: why.into(),
    })
}

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
    let odb = repo.odb().or_else(|e| refuse("", describe_git(&e)))?;
    let read = |path: &str, oid: Oid| -> Result<String, Refusal> {
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
    };
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
    // The tree's own data files, when it has any: its records are checked against them.
    let own_data;
    let data = if files.keys().any(|p| place(p) == Some(Place::Data)) {
        let mut texts = BTreeMap::new();
        for (path, oid) in files.iter().filter(|(p, _)| place(p) == Some(Place::Data)) {
            texts.insert(path.clone(), read(path, *oid)?);
        }
        // Each problem names its own file, line and column.
        own_data = DataSet::from_texts(&texts)
            .or_else(|e| refuse("файлы данных", crate::model::source::join_errors(&e)))?;
        if let Some(text) = texts.get(ANNEX_FILE) {
            let origin = crate::model::source::Origin::File(PathBuf::from(ANNEX_FILE));
            crate::model::template::Template::parse(text, &origin)
                .or_else(|e| refuse(ANNEX_FILE, e.to_string()))?;
        }
        &own_data
    } else {
        data
    };
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

/// Every blob of a tree by path (its folders walked), as a commit of this campaign holds
/// them; nothing is read but trees.
pub fn files_of(tree: Option<&Tree>) -> BTreeMap<String, Oid> {
    let mut out = BTreeMap::new();
    if let Some(tree) = tree {
        let _ = tree.walk(git2::TreeWalkMode::PreOrder, |root, entry| {
            if entry.kind() == Some(git2::ObjectType::Blob) {
                out.insert(format!("{root}{}", entry.name().unwrap_or("")), entry.id());
            }
            git2::TreeWalkResult::Ok
        });
    }
    out
}

/// Whose git a libgit2 error came from: the words differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Whose {
    Hub,
    History,
}

/// What went wrong in git's terms, in Russian first and libgit2's own (English) text after.
pub fn describe_git(e: &git2::Error) -> String {
    describe(e, Whose::History)
}

pub fn describe(e: &git2::Error, whose: Whose) -> String {
    format!(
        "{} (техническая причина: {})",
        git_trouble(e, whose),
        // Windows ends its system messages with CRLF.
        crate::model::collate::escape_controls(e.message().trim_end())
    )
}

/// What a libgit2 error means for a user.
pub fn git_trouble(e: &git2::Error, whose: Whose) -> &'static str {
    use git2::{ErrorClass as C, ErrorCode as K};
    let hub = whose == Whose::Hub;
    let text = e.message().to_lowercase();
    if text.contains("no space") || text.contains("disk full") {
        return "на носителе нет места";
    }
    if text.contains("read-only")
        || text.contains("permission denied")
        || text.contains("access is denied")
    {
        return if hub {
            "нет права записи в папку узла (носитель только для чтения?)"
        } else {
            "нет права записи в папку кампании (носитель только для чтения?)"
        };
    }
    match ((e.class(), e.code()), hub) {
        ((_, K::NotFound), true) => {
            "на узле нет того, что sobes туда записывал: узел повреждён или скопирован не целиком"
        }
        ((_, K::NotFound), false) => {
            "в истории кампании нет того, что должно быть: она повреждена или скопирована не целиком"
        }
        (
            (C::Odb | C::Object | C::Reference | C::Repository | C::Index | C::Tree | C::Zlib, _),
            true,
        ) => "узел повреждён (его файлы изменены не sobes или носитель испорчен)",
        (
            (C::Odb | C::Object | C::Reference | C::Repository | C::Index | C::Tree | C::Zlib, _),
            false,
        ) => "история кампании повреждена (файлы .git изменены не sobes или носитель испорчен)",
        ((C::Os | C::Filesystem, _), true) => "папка узла недоступна",
        ((C::Os | C::Filesystem, _), false) => "папка кампании недоступна",
        (_, true) => "узел ответил не так, как ожидалось",
        (_, false) => "git ответил не так, как ожидалось",
    }
}

/// The loose objects of `objects` (a `.git/objects` or a hub's), with their ids.
pub fn loose_objects(objects: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let Ok(dirs) = std::fs::read_dir(objects) else {
        return out;
    };
    for dir in dirs.flatten() {
        let prefix = dir.file_name().to_string_lossy().into_owned();
        if prefix.len() != 2 || !prefix.bytes().all(|b| b.is_ascii_hexdigit()) {
            continue;
        }
        let Ok(files) = std::fs::read_dir(dir.path()) else {
            continue;
        };
        for file in files.flatten() {
            let rest = file.file_name().to_string_lossy().into_owned();
            if rest.len() == 38 && rest.bytes().all(|b| b.is_ascii_hexdigit()) {
                out.push((file.path(), format!("{prefix}{rest}")));
            }
        }
    }
    out
}

/// When a file last changed, its contents or its inode (a file damaged in place keeps
/// neither time).
fn changed_at(meta: &std::fs::Metadata) -> Option<SystemTime> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let ctime = SystemTime::UNIX_EPOCH
            + std::time::Duration::new(meta.ctime().max(0) as u64, meta.ctime_nsec() as u32);
        Some(meta.modified().ok()?.max(ctime))
    }
    #[cfg(not(unix))]
    {
        meta.modified().ok()
    }
}

/// The loose objects of `objects` changed since `since` (all without it) that are not whole:
/// each with why. libgit2 1.9.7 loops for ever on a truncated one (upstream issue #7342),
/// so nothing that may be damaged reaches it unchecked.
pub fn damaged_objects(objects: &Path, since: Option<SystemTime>) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for (path, id) in loose_objects(objects) {
        if let Some(since) = since {
            match std::fs::metadata(&path).ok().as_ref().and_then(changed_at) {
                Some(t) if t < since => continue,
                _ => {}
            }
        }
        if let Err(why) = verify_loose(&path, &id) {
            out.push((path, why));
        }
    }
    out.extend(damaged_packs(objects, since));
    out
}

/// The packs of `objects` changed since `since` that are cut or do not match their index:
/// each `.pack` with why. A pack ends with its checksum, which its `.idx` repeats; a pack
/// cut short, emptied or replaced ends otherwise. (A pack damaged in its middle keeps its
/// end: libgit2 finds that when it reads the object.)
fn damaged_packs(objects: &Path, since: Option<SystemTime>) -> Vec<(PathBuf, String)> {
    let Ok(entries) = std::fs::read_dir(objects.join("pack")) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in entries.flatten() {
        let path = e.path();
        if path.extension().is_none_or(|x| x != "pack") {
            continue;
        }
        let meta = std::fs::symlink_metadata(&path).ok();
        if let (Some(since), Some(t)) = (since, meta.as_ref().and_then(changed_at))
            && t < since
            && std::fs::metadata(path.with_extension("idx"))
                .ok()
                .as_ref()
                .and_then(changed_at)
                .is_some_and(|i| i < since)
        {
            continue;
        }
        if let Err(why) = verify_pack(&path) {
            out.push((path, why));
        }
    }
    out
}

/// A pack's header and end agree with its index.
fn verify_pack(pack: &Path) -> Result<(), String> {
    use std::io::{Read, Seek, SeekFrom};
    let regular = |p: &Path| std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_file());
    let idx = pack.with_extension("idx");
    if !regular(pack) || !regular(&idx) {
        return Err("пакет объектов или его индекс — не обычный файл или пропал".into());
    }
    let cut = || "пакет объектов обрезан или не совпадает со своим индексом".to_string();
    let read_end = |p: &Path, from_end: u64, n: usize| -> Option<Vec<u8>> {
        let mut f = std::fs::File::open(p).ok()?;
        let len = f.metadata().ok()?.len();
        f.seek(SeekFrom::Start(len.checked_sub(from_end)?)).ok()?;
        let mut buf = vec![0; n];
        f.read_exact(&mut buf).ok()?;
        Some(buf)
    };
    let mut head = [0u8; 12];
    std::fs::File::open(pack)
        .and_then(|mut f| f.read_exact(&mut head))
        .map_err(|_| cut())?;
    // The index's fan-out table ends with the number of objects, after 8 bytes of header.
    let mut count = [0u8; 4];
    std::fs::File::open(&idx)
        .and_then(|mut f| {
            f.seek(SeekFrom::Start(8 + 255 * 4))?;
            f.read_exact(&mut count)
        })
        .map_err(|_| cut())?;
    let trailer = read_end(pack, 20, 20).ok_or_else(cut)?;
    let recorded = read_end(&idx, 40, 20).ok_or_else(cut)?;
    if &head[..4] != b"PACK" || head[8..12] != count || trailer != recorded {
        return Err(cut());
    }
    Ok(())
}

/// Larger inflated objects are refused rather than held: a campaign file is at most 4 MiB
/// and the records' folder of a campaign of thousands is a tree of a few hundred KB, so a
/// small zlib bomb on a stick costs milliseconds, not minutes.
pub const MAX_OBJECT: usize = 16 * 1024 * 1024;

/// A loose object's file is a whole zlib stream of a git object whose id is its name.
pub fn verify_loose(path: &Path, id: &str) -> Result<(), String> {
    use flate2::{Decompress, FlushDecompress, Status};
    // Compressed, an object is never larger than its content: one larger than any object
    // sobes takes is refused unread.
    let meta = std::fs::symlink_metadata(path).map_err(|e| storage::describe_io(&e))?;
    // A link (to /dev/zero), a FIFO or a device would be read for ever or wait for ever.
    if !meta.file_type().is_file() {
        return Err("не обычный файл (ссылка, канал или устройство)".into());
    }
    let size = meta.len();
    if size > MAX_OBJECT as u64 {
        return Err("объект слишком большой".into());
    }
    let bytes = std::fs::read(path).map_err(|e| storage::describe_io(&e))?;
    if bytes.is_empty() {
        return Err("пустой файл".into());
    }
    let mut z = Decompress::new(true);
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len().saturating_mul(3).min(1 << 24) + 64);
    // The size the header declares, once read: a larger one is refused before the rest is
    // inflated (a small file may declare gigabytes), and no more than it is inflated.
    let mut declared: Option<usize> = None;
    loop {
        if declared.is_none()
            && let Some(nul) = out.iter().take(64).position(|b| *b == 0)
        {
            let size = std::str::from_utf8(&out[..nul])
                .ok()
                .and_then(|h| h.split_once(' '))
                .and_then(|(_, n)| n.parse::<usize>().ok())
                .ok_or("заголовок объекта повреждён")?;
            if size > MAX_OBJECT {
                return Err("объект слишком большой".into());
            }
            declared = Some(nul + 1 + size);
        }
        if declared.is_some_and(|d| out.len() > d) {
            return Err("длина объекта не совпадает с заголовком".into());
        }
        if out.len() == out.capacity() {
            if out.len() >= MAX_OBJECT + 64 {
                return Err("объект слишком большой".into());
            }
            let want = declared.map_or(out.len().max(4096), |d| (d + 1).saturating_sub(out.len()));
            out.reserve(want.max(1));
        }
        let (was_in, was_out) = (z.total_in(), z.total_out());
        let input = &bytes[z.total_in() as usize..];
        let status = z
            .decompress_vec(input, &mut out, FlushDecompress::Finish)
            .map_err(|_| "сжатые данные повреждены".to_string())?;
        if status == Status::StreamEnd {
            break;
        }
        if z.total_in() == was_in && z.total_out() == was_out && out.len() < out.capacity() {
            return Err("файл обрезан (сжатые данные кончаются раньше объекта)".into());
        }
    }
    let Some(nul) = out.iter().position(|b| *b == 0) else {
        return Err("нет заголовка объекта".into());
    };
    let header = std::str::from_utf8(&out[..nul]).map_err(|_| "заголовок объекта повреждён")?;
    let (kind, size) = header
        .split_once(' ')
        .ok_or("заголовок объекта повреждён")?;
    let kind = match kind {
        "blob" => git2::ObjectType::Blob,
        "tree" => git2::ObjectType::Tree,
        "commit" => git2::ObjectType::Commit,
        "tag" => git2::ObjectType::Tag,
        _ => return Err("неизвестный вид объекта".into()),
    };
    let body = &out[nul + 1..];
    if size.parse::<usize>().ok() != Some(body.len()) {
        return Err("длина объекта не совпадает с заголовком".into());
    }
    let oid = Oid::hash_object(kind, body).map_err(|e| e.message().to_string())?;
    if oid.to_string() != id {
        return Err("содержимое не соответствует имени объекта".into());
    }
    Ok(())
}
