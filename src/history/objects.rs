//! The objects of a history written by hand: a tree patched in place of the one it replaces,
//! each object one loose file in one write, and packs of the loose ones moved in whole.

use super::{History, HistoryError};
use crate::storage;
use std::path::{Path, PathBuf};

/// Loose objects above which a writer packs them.
const PACK_ABOVE: usize = 512;

/// Larger loose objects (the records' tree of a campaign of thousands) are left loose:
/// finding deltas between them is slow, and reading the history does not need them.
const PACK_UP_TO: u64 = 16 * 1024;

impl History {
    /// Packs the loose objects when there are many (estimated from four of the 256 object
    /// folders, as git's own `gc --auto` does from one): reading the history (`sobes log`, the
    /// history overlay) otherwise opens and inflates a file per commit.
    pub fn pack_if_many(&self) -> Result<bool, HistoryError> {
        let objects = self.repo.path().join("objects");
        let sample: usize = ["17", "5c", "a3", "e8"]
            .iter()
            .map(|d| {
                std::fs::read_dir(objects.join(d)).map_or(0, |d| {
                    d.flatten()
                        .filter(|e| e.metadata().is_ok_and(|m| m.len() <= PACK_UP_TO))
                        .count()
                })
            })
            .sum();
        if sample * 64 < PACK_ABOVE {
            return Ok(false);
        }
        self.pack_loose()
    }

    /// Puts the loose objects of up to 16 KB on disk (commits, records, small trees) into one pack,
    /// flushed to the disk, and only then removes their files. Larger ones (the records'
    /// folder of a campaign of thousands) stay loose: packing them is slow and reading the
    /// history does not need them.
    pub fn pack_loose(&self) -> Result<bool, HistoryError> {
        let err = Self::err(&self.dir);
        let io = HistoryError::io(&self.dir);
        let objects = self.repo.path().join("objects");
        let mut loose = Vec::new();
        for dir in std::fs::read_dir(&objects).map_err(&io)?.flatten() {
            let prefix = dir.file_name().to_string_lossy().into_owned();
            if prefix.len() != 2 || !prefix.chars().all(|c| c.is_ascii_hexdigit()) {
                continue;
            }
            for file in std::fs::read_dir(dir.path()).map_err(&io)?.flatten() {
                let rest = file.file_name().to_string_lossy().into_owned();
                let Ok(oid) = git2::Oid::from_str(&format!("{prefix}{rest}")) else {
                    continue;
                };
                if rest.len() == 38 && file.metadata().is_ok_and(|m| m.len() <= PACK_UP_TO) {
                    loose.push((oid, file.path()));
                }
            }
        }
        if loose.is_empty() {
            return Ok(false);
        }
        let mut builder = self.repo.packbuilder().map_err(&err)?;
        for (oid, _) in &loose {
            builder.insert_object(*oid, None).map_err(&err)?;
        }
        write_pack(&mut builder, &objects.join("pack")).map_err(&err)?;
        for (_, path) in &loose {
            let _ = storage::remove_file(path);
        }
        Ok(true)
    }
}

/// The id of `tree` with each file at its path set to its blob (or removed), subtrees
/// rebuilt once each; new trees are written, not read back.
pub fn replace(
    repo: &git2::Repository,
    tree: &git2::Tree,
    files: &[(PathBuf, Option<git2::Oid>)],
) -> Result<git2::Oid, git2::Error> {
    replace_cached(repo, tree, files, None)
}

pub(super) fn replace_cached(
    repo: &git2::Repository,
    tree: &git2::Tree,
    files: &[(PathBuf, Option<git2::Oid>)],
    cache: Option<&TreeCache>,
) -> Result<git2::Oid, git2::Error> {
    // Name → new entry (None: removed); files here, and files deeper by subfolder.
    let mut here: std::collections::BTreeMap<Vec<u8>, Option<(git2::Oid, i32)>> =
        std::collections::BTreeMap::new();
    let mut deeper: std::collections::BTreeMap<String, Vec<(PathBuf, Option<git2::Oid>)>> =
        std::collections::BTreeMap::new();
    for (path, blob) in files {
        let mut parts = path.components();
        let first = parts
            .next()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .unwrap_or_default();
        let rest: PathBuf = parts.collect();
        if rest.as_os_str().is_empty() {
            here.insert(first.into_bytes(), blob.map(|oid| (oid, 0o100644)));
        } else {
            deeper.entry(first).or_default().push((rest, *blob));
        }
    }
    for (name, files) in deeper {
        let new_sub = match tree.get_name(&name) {
            Some(e) => replace_cached(repo, &repo.find_tree(e.id())?, &files, cache)?,
            None => {
                let empty = repo.find_tree(write_tree(repo, Vec::new(), None)?)?;
                replace_cached(repo, &empty, &files, cache)?
            }
        };
        // Git keeps no empty folders: a folder left with nothing goes, as git's index would
        // have it (a removal of what was never there makes no empty one either).
        let empty = repo.find_tree(new_sub)?.is_empty();
        here.insert(name.into_bytes(), (!empty).then_some((new_sub, 0o040000)));
    }
    // Saving a record changes one id in the records' folder: 20 bytes of the tree written
    // last, not its 2,500 entries read, sorted and written out again.
    if let Some(cache) = cache
        && let Some(bytes) = cache.patched(tree.id(), &here)
    {
        let id = write_loose(repo, git2::ObjectType::Tree, &bytes)?;
        cache.moved(id, bytes);
        return Ok(id);
    }
    let mut entries: Vec<(Vec<u8>, git2::Oid, i32)> = tree
        .iter()
        .filter(|e| !here.contains_key(e.name_bytes()))
        .map(|e| (e.name_bytes().to_vec(), e.id(), e.filemode()))
        .collect();
    entries.extend(
        here.into_iter()
            .filter_map(|(name, entry)| entry.map(|(oid, mode)| (name, oid, mode))),
    );
    write_tree(repo, entries, cache)
}

/// The bytes of the last large tree written, with where each entry's id sits in them.
#[derive(Default)]
pub struct TreeCache(std::cell::RefCell<Option<CachedTree>>);

struct CachedTree {
    id: git2::Oid,
    bytes: Vec<u8>,
    /// Name → (offset of its id in `bytes`, mode).
    at: std::collections::HashMap<Vec<u8>, (usize, i32)>,
}

/// Trees smaller than this are rewritten whole (cheap, not worth a copy kept) and
/// compressed.
const LARGE_TREE: usize = 16 * 1024;

impl TreeCache {
    /// The bytes of tree `id` with `changes` made, when it is the tree kept and every change
    /// gives an existing entry a new id of the same mode (the common case: a record saved).
    fn patched(
        &self,
        id: git2::Oid,
        changes: &std::collections::BTreeMap<Vec<u8>, Option<(git2::Oid, i32)>>,
    ) -> Option<Vec<u8>> {
        let kept = self.0.borrow();
        let kept = kept.as_ref().filter(|k| k.id == id)?;
        let mut bytes = kept.bytes.clone();
        for (name, change) in changes {
            let (oid, mode) = (*change)?;
            let &(at, was) = kept.at.get(name)?;
            if was != mode {
                return None;
            }
            bytes[at..at + 20].copy_from_slice(oid.as_bytes());
        }
        Some(bytes)
    }

    /// The kept tree is now `id` with these bytes (entries at the same places).
    fn moved(&self, id: git2::Oid, bytes: Vec<u8>) {
        if let Some(kept) = self.0.borrow_mut().as_mut() {
            kept.id = id;
            kept.bytes = bytes;
        }
    }

    fn keep(&self, id: git2::Oid, bytes: Vec<u8>) {
        let mut at = std::collections::HashMap::new();
        let mut i = 0;
        while let Some(space) = bytes[i..].iter().position(|b| *b == b' ') {
            let mode = std::str::from_utf8(&bytes[i..i + space])
                .ok()
                .and_then(|m| i32::from_str_radix(m, 8).ok());
            let name_start = i + space + 1;
            let Some(nul) = bytes[name_start..].iter().position(|b| *b == 0) else {
                break;
            };
            let oid_at = name_start + nul + 1;
            if oid_at + 20 > bytes.len() {
                break;
            }
            if let Some(mode) = mode {
                at.insert(bytes[name_start..name_start + nul].to_vec(), (oid_at, mode));
            }
            i = oid_at + 20;
        }
        *self.0.borrow_mut() = Some(CachedTree { id, bytes, at });
    }
}

/// Writes a tree object of `entries` (name, id, mode) as one loose object. A campaign's
/// records' folder is one tree of 100 KB at 2,500 municipalities; libgit2 writes such an
/// object in 8 KB pieces, a system call each, which on a slow disk was most of a commit.
fn write_tree(
    repo: &git2::Repository,
    mut entries: Vec<(Vec<u8>, git2::Oid, i32)>,
    cache: Option<&TreeCache>,
) -> Result<git2::Oid, git2::Error> {
    // Git's order: by name, a folder's name as if it ended in '/'. The entries come mostly
    // sorted (from the tree they replace), which the sort takes in one pass.
    let end = |name: &[u8], i: usize, mode: i32| match name.get(i) {
        Some(b) => *b,
        None if mode == 0o040000 => b'/',
        None => 0,
    };
    entries.sort_by(|(a, _, ma), (b, _, mb)| {
        let common = a.len().min(b.len());
        a[..common]
            .cmp(&b[..common])
            .then_with(|| end(a, common, *ma).cmp(&end(b, common, *mb)))
            .then_with(|| a.len().cmp(&b.len()))
    });
    let mut bytes = Vec::with_capacity(entries.len() * 48);
    for (name, oid, mode) in &entries {
        match mode {
            0o100644 => bytes.extend_from_slice(b"100644 "),
            0o040000 => bytes.extend_from_slice(b"40000 "),
            other => bytes.extend_from_slice(format!("{other:o} ").as_bytes()),
        }
        bytes.extend_from_slice(name);
        bytes.push(0);
        bytes.extend_from_slice(oid.as_bytes());
    }
    let id = write_loose(repo, git2::ObjectType::Tree, &bytes)?;
    if let Some(cache) = cache
        && bytes.len() > LARGE_TREE
    {
        cache.keep(id, bytes);
    }
    Ok(id)
}

/// Writes an object as a loose file in one write, as libgit2 would name and compress it.
pub(super) fn write_loose(
    repo: &git2::Repository,
    kind: git2::ObjectType,
    bytes: &[u8],
) -> Result<git2::Oid, git2::Error> {
    use std::io::Write;
    let oid = git2::Oid::hash_object(kind, bytes)?;
    let odb = repo.odb()?;
    if odb.exists(oid) {
        return Ok(oid);
    }
    let hex = oid.to_string();
    let objects = repo.path().join("objects");
    let dir = objects.join(&hex[..2]);
    if !dir.is_dir() {
        crate::storage::create_private_dir(&dir)
            .map_err(|e| git2::Error::from_str(&e.to_string()))?;
    }
    // A large tree is mostly object ids, which do not compress: zlib saves a third of it
    // and costs 2 ms per 100 KB (the records' folder of 2,500), more than the rest of a
    // save; it is stored as it is.
    let level = if kind == git2::ObjectType::Tree && bytes.len() > LARGE_TREE {
        flate2::Compression::none()
    } else {
        flate2::Compression::fast()
    };
    let mut z = flate2::write::ZlibEncoder::new(Vec::with_capacity(bytes.len() + 64), level);
    let header = format!("{} {}\0", kind.str(), bytes.len());
    z.write_all(header.as_bytes()).map_err(io_error)?;
    z.write_all(bytes).map_err(io_error)?;
    let data = z.finish().map_err(io_error)?;
    let tmp = objects.join(format!("tmp_object_sobes_{}", std::process::id()));
    let result = (|| {
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o400);
        }
        let mut f = o.open(&tmp)?;
        f.write_all(&data)?;
        // Where the whole file system cannot be flushed at once before the branch moves
        // (see `History::move_branch`), each object is.
        if !crate::storage::CAN_FLUSH_ALL {
            f.sync_all()?;
        }
        crate::storage::replace(&tmp, &dir.join(&hex[2..]))
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(io_error(e));
    }
    Ok(oid)
}

/// Writes the pack `builder` holds into `packs` (a repository's `objects/pack`): built in a
/// folder of its own and moved in pack first, index last (a reader finds a pack by its
/// index), each move written through; a pack of the same name already there holds the same
/// objects and stays. libgit2 would write over it, and Windows refuses to replace a pack
/// that a reader has mapped. libgit2 flushes what it writes (GIT_OPT_ENABLE_FSYNC_GITDIR).
pub fn write_pack(builder: &mut git2::PackBuilder, packs: &Path) -> Result<(), git2::Error> {
    let making = packs.join(format!("sobes-making-{}", std::process::id()));
    let _ = crate::storage::remove_tree(&making);
    std::fs::create_dir_all(&making).map_err(io_error)?;
    let result = (|| {
        builder.write(&making, 0o444)?;
        let name = builder.name()?.unwrap_or_default().to_string();
        for ext in ["pack", "idx"] {
            let file = format!("pack-{name}.{ext}");
            let to = packs.join(&file);
            if std::fs::symlink_metadata(&to).is_err() {
                crate::storage::replace(&making.join(&file), &to).map_err(io_error)?;
            }
        }
        crate::storage::sync_dir(packs).map_err(io_error)
    })();
    let _ = crate::storage::remove_tree(&making);
    result
}

/// A file of the objects that could not be written, as libgit2's error, said in Russian.
fn io_error(e: std::io::Error) -> git2::Error {
    git2::Error::from_str(&crate::storage::describe_io(&e))
}
