//! The objects of a `.git` or a hub checked whole before libgit2 reads them: every loose
//! object inflated and hashed against its name, every pack's ends matched with its index.

use crate::storage;
use git2::Oid;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

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
    let out = inflate(&bytes)?;
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

/// The object a loose file's zlib stream holds, header and all; refused once it declares or
/// reaches more than [`MAX_OBJECT`], or when the stream ends before the object does.
fn inflate(bytes: &[u8]) -> Result<Vec<u8>, String> {
    use flate2::{Decompress, FlushDecompress, Status};
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
            return Ok(out);
        }
        if z.total_in() == was_in && z.total_out() == was_out && out.len() < out.capacity() {
            return Err("файл обрезан (сжатые данные кончаются раньше объекта)".into());
        }
    }
}
