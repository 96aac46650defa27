import Foundation
import Git
import GitFormat

/// Remotes: any git server or path. Trail talks to it through libgit2 and keeps, besides
/// branches, the refs git does not know about: models, the content ref and the erasure log.
///
/// Fetching (Fetch.swift) brings everything into a quarantine, checks it (`IncomingCheck`), moves
/// it into `refs/remotes/<remote>/...`, then reconciles:
/// tags and models are added when new (they never move), the content ref becomes the union of
/// both sides (less what was erased), and the erasure logs are merged and carried out, so
/// erasure travels with the data. Push.swift, Pull.swift and Clone.swift hold the others.
public struct Remotes {
    let store: Store

    public init(store: Store) { self.store = store }

    /// The configured remotes.
    public func list() throws -> [Repository.RemoteInfo] { try store.repository.remotes() }

    /// Adds a remote.
    public func add(_ name: String, url: String) throws {
        guard Repository.isValidReferenceName("refs/remotes/\(name)/x"), !name.contains("/") else {
            throw TrailError("'\(name)' is not a valid remote name", hint: "use letters, digits, '-' and '_', e.g. origin", exitCode: 2)
        }
        try store.withWriteLock {
            if try store.repository.remotes().contains(where: { $0.name == name }) {
                throw TrailError("remote '\(name)' already exists", hint: "`trail remote list` shows it; remove it first with `trail remote remove \(name)`")
            }
            try store.repository.addRemote(name, url: url)
        }
    }

    /// Removes a remote and what was fetched from it.
    public func remove(_ name: String) throws {
        try store.withWriteLock {
            guard try store.repository.remotes().contains(where: { $0.name == name }) else {
                throw TrailError("no remote named '\(name)'", hint: "`trail remote list` shows the remotes")
            }
            try store.repository.removeRemote(name)
            for ref in try store.repository.references(matching: "refs/remotes/\(name)/*") {
                try? store.repository.deleteReference(ref.name)
            }
        }
    }

    /// Runs a transfer, turning libgit2's errors into ones a user can act on.
    func transfer<T>(_ what: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as GitError {
            if error.code == .auth {
                throw TrailError("\(what): \(error.message)",
                                 hint: "give a user name and password (or token) through a git credential helper (`git config --global credential.helper store`), or TRAIL_USERNAME and TRAIL_PASSWORD")
            }
            if error.code == .nonFastForward || error.message.contains("non-fast-forward") || error.message.contains("fetch first") {
                throw TrailError("\(what) was rejected: \(error.message)",
                                 hint: "the remote has commits this store lacks: `trail pull` first, then push again")
            }
            if error.message.contains("content ref moved") { throw TrailError("\(what): \(error.message)") }
            // The server answered, so the URL and the network are fine: it refused this user or this push.
            if error.message.contains("status code: 403") {
                throw TrailError("\(what) was refused by the server (HTTP 403 Forbidden)",
                                 hint: "the user may lack access, or the server takes no pushes (for git http-backend: `git config http.receivepack true` in the served repository)")
            }
            throw TrailError("\(what) failed: \(error.message)", hint: "check the remote's URL (`trail remote list`) and that the server is reachable")
        }
    }
}
