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

    /// Remote operations on `store`.
    public init(store: Store) { self.store = store }

    /// The configured remotes.
    public func list() throws -> [RemoteInfo] { try store.repository.remotes() }

    /// Adds a remote.
    public func add(_ name: String, url: String) throws {
        guard Repository.isValidReferenceName("refs/remotes/\(name)/x"), !name.contains("/") else {
            throw TrailError(.usage, "'\(name)' is not a valid remote name", hint: "use letters, digits, '-' and '_', e.g. origin")
        }
        try store.withWriteLock {
            if try store.repository.remotes().contains(where: { $0.name == name }) {
                throw TrailError(.exists(.remote, name: name), "remote '\(name)' already exists", hint: "`trail remote list` shows it; remove it first with `trail remote remove \(name)`")
            }
            try store.repository.addRemote(name, url: url)
        }
    }

    /// Removes a remote and what was fetched from it.
    public func remove(_ name: String) throws {
        try store.withWriteLock {
            guard try store.repository.remotes().contains(where: { $0.name == name }) else {
                throw TrailError(.notFound(.remote, name: name), "no remote named '\(name)'", hint: "`trail remote list` shows the remotes")
            }
            try store.repository.removeRemote(name)
            for ref in try store.repository.references(matching: "refs/remotes/\(name)/*") {
                try? store.repository.deleteReference(ref.name)
            }
        }
    }

    /// Runs a transfer, turning libgit2's errors into ones a user can act on, by their code.
    func transfer<T>(_ what: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as GitError {
            switch error.code {
            case .auth:
                throw TrailError(.remote(.authentication), "\(what): \(error.message)",
                                 hint: "give a user name and password (or token) through a git credential helper (`git config --global credential.helper store`), or TRAIL_USERNAME and TRAIL_PASSWORD")
            case .nonFastForward:
                // libgit2's own check, or the remote's refusal of a reference (its reason in the message).
                throw TrailError(.remote(.rejected), "\(what) was rejected: \(error.message)",
                                 hint: "the remote has commits this store lacks: `trail pull` first, then push again")
            case .callbackRefused:
                // The push's negotiation saw the remote's content ref move since the fetch.
                throw TrailError(.remote(.contentMovedDuringPush), "\(what): \(error.message)")
            default:
                break
            }
            // The server answered, so the URL and the network are fine: it refused this user or this push.
            if error.httpStatus == 403 {
                throw TrailError(.remote(.forbidden), "\(what) was refused by the server (HTTP 403 Forbidden)",
                                 hint: "the user may lack access, or the server takes no pushes (for git http-backend: `git config http.receivepack true` in the served repository)")
            }
            throw TrailError(.remote(.unreachable), "\(what) failed: \(error.message)", hint: "check the remote's URL (`trail remote list`) and that the server is reachable")
        }
    }
}
