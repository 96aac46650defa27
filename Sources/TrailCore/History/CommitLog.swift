import Foundation
import Git
import GitFormat

/// One commit, as `trail log` and `trail show` report it.
public struct CommitSummary: Codable, Equatable {
    /// The commit's id (40 hex).
    public var commit: String
    /// The parents' ids (two for a merge).
    public var parents: [String]
    /// The author's name.
    public var author: String
    /// The author's email.
    public var email: String
    /// ISO 8601, in the author's time zone offset.
    public var date: String
    /// The first line of the message.
    public var subject: String
    /// The whole message, trailers included.
    public var message: String
    /// Samples in the snapshot (nil when not known without reading it).
    public var samples: Int?
    /// Branches, tags and models pointing at this commit.
    public var refs: [String]
}

/// Reads the commit history.
public struct CommitLog {
    let store: Store

    /// Reads the history of `store`.
    public init(store: Store) { self.store = store }

    /// Commits reachable from `start` (default HEAD), newest first, at most `limit`.
    public func entries(from start: String? = nil, limit: Int? = nil) throws -> [CommitSummary] {
        let repo = store.repository
        guard let tip = try start.map({ try Revisions(store: store).resolve($0) }) ?? store.headCommit() else { return [] }
        let labels = try refLabels()
        let ordered = try CommitWalk.oldestFirst(from: tip, in: repo).reversed()
        let result = ordered.prefix(limit ?? Int.max).map { summarize($0, labels: labels[$0.id] ?? []) }
        return result
    }

    /// The summary of one commit.
    public func summary(of id: ObjectID) throws -> CommitSummary {
        summarize(try store.repository.commit(id), labels: try refLabels()[id] ?? [])
    }

    private func summarize(_ info: Repository.CommitInfo, labels: [String]) -> CommitSummary {
        let samples = try? Snapshot(repository: store.repository, commit: info.id).summary().samples
        return CommitSummary(
            commit: info.id.hex, parents: info.parents.map(\.hex), author: info.author.name, email: info.author.email,
            date: isoDate(info.author), subject: String(info.message.split(separator: "\n", omittingEmptySubsequences: false).first ?? ""),
            message: info.message, samples: samples, refs: labels)
    }

    /// Short names of the refs pointing at each commit: `main`, `tag: v1`, `model: m3`.
    private func refLabels() throws -> [ObjectID: [String]] {
        let repo = store.repository
        var labels: [ObjectID: [String]] = [:]
        for (prefix, label) in [("refs/heads/", ""), ("refs/tags/", "tag: "), (Store.modelRefPrefix, "model: ")] {
            for ref in try repo.references(matching: prefix + "*") {
                guard let commit = try? repo.resolveCommit(ref.name) else { continue }
                labels[commit, default: []].append(label + ref.name.dropFirst(prefix.count))
            }
        }
        return labels
    }
}

/// An ISO 8601 date in the signature's own offset, like `git log --date=iso-strict`.
func isoDate(_ signature: Signature) -> String {
    // By hand: an ISO8601DateFormatter costs milliseconds to create (ICU), a third of what
    // `trail history` may take.
    var t = time_t(signature.time + Int64(signature.offsetMinutes) * 60)
    var parts = tm()
    gmtime_r(&t, &parts)
    let offset = abs(signature.offsetMinutes)
    let zone = signature.offsetMinutes == 0 ? "Z"
        : String(format: "%@%02d:%02d", signature.offsetMinutes < 0 ? "-" : "+", offset / 60, offset % 60)
    return String(format: "%04d-%02d-%02dT%02d:%02d:%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                  Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec)) + zone
}
