import Foundation
import Git
import GitFormat

extension Remotes {
    /// Where `trail clone URL [DIR]` puts the store: `DIR/.trail` (DIR relative to the current
    /// folder), or `./.trail` without DIR, as `git clone URL DIR` makes `DIR/.git`.
    public static func clonePath(into dir: String?) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        guard let dir, !dir.isEmpty else { return cwd + "/.trail" }
        let folder = dir.hasPrefix("/") ? URL(fileURLWithPath: dir) : URL(fileURLWithPath: cwd).appendingPathComponent(dir)
        return folder.standardizedFileURL.appendingPathComponent(".trail").path
    }

    /// Clones the store at `url` into a new store at `path` (see `clonePath(into:)`): every branch
    /// as a remote branch of `origin`, `main` (or the first branch) checked out, tags, models,
    /// content and erasures, and the index built. The folder holding `path` is created when
    /// missing (and removed again if the clone fails). The store is built in a temporary folder
    /// beside `path` and renamed into place when complete, so a failure (or a kill) never leaves a
    /// store that looks whole, and never touches what `path` held: it must be new or an empty
    /// folder. Temporary folders of clones that were killed are removed by the next clone there.
    public static func clone(_ url: String, into path: String, credentials: CredentialProvider?,
                             progress: ((TransferProgress) -> Void)? = nil) throws -> (Store, FetchResult) {
        let fm = FileManager.default
        let parent = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let temporaryPrefix = "." + name.drop(while: { $0 == "." }) + "-clone-"
        var createdParent = false
        var isDirectory: ObjCBool = false
        if !fm.fileExists(atPath: parent, isDirectory: &isDirectory) {
            do { try fm.createDirectory(atPath: parent, withIntermediateDirectories: true) } catch {
                throw TrailError(.fileSystem(path: parent), "cannot create \(parent): \(error.localizedDescription)", hint: "check that its parent folder exists and is writable")
            }
            createdParent = true
        } else if !isDirectory.boolValue {
            throw TrailError(.fileSystem(path: parent), "\(parent) is a file, not a folder", hint: "clone into a new or empty folder: trail clone URL DIR")
        }
        removeAbandonedClones(in: parent, prefix: temporaryPrefix)
        let existed = fm.fileExists(atPath: path, isDirectory: &isDirectory)
        if existed && (!isDirectory.boolValue || !((try? fm.contentsOfDirectory(atPath: path))?.isEmpty ?? false)) {
            throw TrailError(.fileSystem(path: path), "\(path) exists and is not empty", hint: "clone into a new or empty folder: trail clone URL DIR")
        }
        let building = parent + "/" + temporaryPrefix + String(getpid())
        try? fm.removeItem(atPath: building)
        defer { if createdParent && !fm.fileExists(atPath: path) { try? fm.removeItem(atPath: parent) } }
        do {
            var store = try Store.create(at: building, config: DatasetConfig())
            try store.repository.addRemote("origin", url: url)
            let repo = store.repository
            var branch = ""
            // Once the snapshots are here: check out the branch, take its configuration, and
            // build the index on another thread while the content arrives.
            let startIndex = { () throws -> (() throws -> Void) in
                let branches = try repo.references(matching: "refs/remotes/origin/*")
                    .map { String($0.name.dropFirst("refs/remotes/origin/".count)) }
                    .filter { !$0.hasPrefix("trail-tags/") && !$0.hasPrefix("trail-models/") && !$0.hasPrefix("trail/") }
                guard let chosen = branches.contains(Store.defaultBranch) ? Store.defaultBranch : branches.first,
                      let tip = try repo.reference("refs/remotes/origin/\(chosen)") else {
                    throw TrailError(.invalidState, "\(url) holds no Trail branches", hint: "check the URL; an empty remote is filled with `trail push`")
                }
                branch = chosen
                try repo.updateReference("refs/heads/" + chosen, to: tip, expected: nil, message: "trail clone")
                try repo.setSymbolicReference("HEAD", to: "refs/heads/" + chosen, message: "trail clone")
                // The field configuration travels in every commit; the store's copy comes from HEAD's.
                let config = try Snapshot(repository: repo, commit: tip).config()
                try Data(config.encoded()).write(to: URL(fileURLWithPath: building + "/dataset.json"), options: .atomic)
                FaultInjection.reached("clone-snapshots-arrived")
                let indexStore = try Store.open(at: building)
                final class Outcome: @unchecked Sendable { var error: Error? }
                let done = DispatchSemaphore(value: 0), outcome = Outcome()
                Thread.detachNewThread {
                    // The index is derived and written beside the git files: no git handle is
                    // shared with the transfer (the store lock is this clone's).
                    do { _ = try LineageUpdater(store: indexStore).rebuild() } catch { outcome.error = error }
                    done.signal()
                }
                return {
                    done.wait()
                    if let error = outcome.error { throw error }
                }
            }
            let fetched = try store.withWriteLock {
                try Remotes(store: store).fetchLocked("origin", credentials: credentials, progress: progress, catchUpIndex: false,
                                                      snapshotsArrived: startIndex).0
            }
            Trace.mark("clone: index built, \(branch) checked out")
            store = try Store.open(at: building)
            // Tags and models were added after the index was built: it takes them in (cheap).
            _ = try store.withWriteLock { try LineageUpdater(store: store).catchUp() }
            // The empty folder it replaces: rmdir, which refuses if something appeared there meanwhile.
            if existed, rmdir(path) != 0 {
                throw TrailError(.fileSystem(path: path), "cannot replace \(path): \(String(cString: strerror(errno)))", hint: "clone into a new or empty folder: trail clone URL DIR")
            }
            guard rename(building, path) == 0 else {
                throw TrailError(.fileSystem(path: path), "cannot move the clone into place at \(path): \(String(cString: strerror(errno)))",
                                 hint: "check that \(parent) is writable")
            }
            return (try Store.open(at: path), fetched)
        } catch {
            try? fm.removeItem(atPath: building)
            if existed && !fm.fileExists(atPath: path) { try? fm.createDirectory(atPath: path, withIntermediateDirectories: false) }
            throw TrailError(translating: error) ?? error
        }
    }

    /// Removes the temporary folders (`prefix` + pid) that clones killed before finishing left in
    /// `folder`; a folder whose process still runs is another clone's and stays.
    private static func removeAbandonedClones(in folder: String, prefix: String) {
        let fm = FileManager.default
        for entry in (try? fm.contentsOfDirectory(atPath: folder)) ?? [] where entry.hasPrefix(prefix) {
            guard let pid = pid_t(entry.dropFirst(prefix.count)), pid != getpid() else { continue }
            if kill(pid, 0) == 0 || errno == EPERM { continue }
            try? fm.removeItem(atPath: folder + "/" + entry)
        }
    }
}
