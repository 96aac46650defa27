import Foundation
import Git
import GitFormat

/// A predictions file read and checked, not yet stored (nothing is written until `add`).
public struct PendingPredictions {
    let file: PredictionFile
    /// Rows read.
    public var count: Int { file.rows.count }
    /// The label fields the rows hold.
    public var labelFields: [String] { file.labelFields }
}

/// What storing predictions did.
public struct PredictionsResult: Codable, Equatable, Sendable {
    /// The model the predictions are of.
    public var model: String
    /// The predictions commit `refs/predictions/MODEL` now names.
    public var commit: String
    /// The predictions commit it replaced (kept as the new one's parent); absent the first time.
    public var previous: String?
    /// True when the file held exactly the stored predictions: nothing was written.
    public var unchanged: Bool
    /// Rows stored.
    public var count: Int
    /// Rows that carry a `score`.
    public var scored: Int
    /// The file they were read from (its last path component).
    public var source: String
    /// The label fields every row holds, in the dataset's order.
    public var labelFields: [String]
    /// The scores against the model's own data, as stored.
    public var metrics: StoredMetrics?
}

/// Models' predictions, stored with them so that any model can be scored again against any
/// version of the labels: `refs/predictions/NAME` → a commit (parent: the predictions it
/// replaced) whose tree holds `predictions.json` and `predictions.jsonl` (see
/// `StoredPredictions`). Registrations never move; predictions may be replaced, and their history kept.
public struct Predictions {
    let store: Store

    /// Where predictions refs live.
    public static let refPrefix = "refs/predictions/"

    /// Stored predictions in `store`.
    public init(store: Store) { self.store = store }

    /// Reads and checks a predictions file against the store's field roles; writes nothing.
    public func read(file path: String, format: ManifestFormat? = nil) throws -> PendingPredictions {
        PendingPredictions(file: try PredictionFile(path: path, format: format, config: store.config))
    }

    /// Stores `pending` as the predictions of the registered model `model`, replacing (and
    /// keeping as history) any stored before. Takes the lock.
    public func add(_ pending: PendingPredictions, to model: String, by author: Signature) throws -> PredictionsResult {
        try store.withWriteLock {
            guard let registration = try store.repository.reference(Store.modelRefPrefix + model) else {
                throw TrailError(.notFound(.model, name: model), "no model named '\(model)'", hint: "register it first: trail model register \(model) REV --predictions FILE")
            }
            return try addLocked(pending, to: model, registration: registration, by: author)
        }
    }

    /// `add` for a caller that holds the lock (`model register --predictions`).
    func addLocked(_ pending: PendingPredictions, to model: String, registration: ObjectID, by author: Signature) throws -> PredictionsResult {
        let repo = store.repository
        let ref = Self.refPrefix + model
        let previous = try repo.reference(ref)
        let rows = pending.file.canonicalBytes
        let source = (pending.file.file as NSString).lastPathComponent
        var info = PredictionsInfo(format: 1, model: model, registration: registration.hex, source: source, count: pending.count,
                                   scored: pending.file.scored, idField: store.config.idField, labelFields: pending.labelFields, metrics: nil)
        // The model's own data: scored now, so that audits can name the figures without a walk.
        if let trained = try? repo.resolveCommit(Store.modelRefPrefix + model) {
            info.metrics = try Evaluator(store: store).storedMetrics(rows: rows, info: info, against: Snapshot(repository: repo, commit: trained))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let infoBlob = PendingObject(type: .blob, data: Array(try encoder.encode(info)) + [0x0a])
        let rowsBlob = PendingObject(type: .blob, data: rows)
        let tree = PendingObject(type: .tree, data: TreeFormat.encode([
            TreeEntry(mode: .blob, name: StoredPredictions.infoFile, id: infoBlob.id),
            TreeEntry(mode: .blob, name: StoredPredictions.rowsFile, id: rowsBlob.id),
        ]))
        var result = PredictionsResult(model: model, commit: previous?.hex ?? "", previous: previous?.hex, unchanged: true, count: info.count,
                                       scored: info.scored, source: source, labelFields: info.labelFields, metrics: info.metrics)
        if let previous, try repo.commit(previous).tree == tree.id { return result }
        let message = "Predictions of \(model): \(info.count) sample\(info.count == 1 ? "" : "s")\n\nTrail-Model: \(model)\nTrail-Predictions: \(source)\nTrail-Samples: \(info.count)\n"
        let commit = PendingObject(type: .commit, data: CommitFormat.encodeCommit(tree: tree.id, parents: previous.map { [$0] } ?? [],
                                                                                  author: author, committer: author, message: message))
        try store.writeMissing([rowsBlob, infoBlob, tree, commit])
        try repo.updateReference(ref, to: commit.id, expected: previous, message: "trail model predictions")
        result.commit = commit.id.hex
        result.unchanged = false
        return result
    }

    /// The predictions stored for `model`, or nil.
    public func stored(_ model: String) throws -> StoredPredictions? {
        guard Repository.isValidReferenceName(Self.refPrefix + model), let commit = try store.repository.reference(Self.refPrefix + model) else { return nil }
        return try StoredPredictions.read(commit, repository: store.repository, name: model)
    }

    /// The predictions stored for `model`, or an error that says how to store some.
    func require(_ model: String) throws -> StoredPredictions {
        if let stored = try stored(model) { return stored }
        guard Repository.isValidReferenceName(Store.modelRefPrefix + model), try store.repository.reference(Store.modelRefPrefix + model) != nil else {
            throw TrailError(.notFound(.model, name: model), "no model named '\(model)'", hint: "`trail model list` shows the registered models")
        }
        throw TrailError(.notFound(.predictions, name: model), "model '\(model)' has no stored predictions",
                         hint: "store them with `trail model predictions \(model) FILE` (JSON Lines or CSV: id, label, optional score)")
    }
}

/// A model's stored predictions in brief, for `audit model`.
public struct PredictionsSummary: Codable, Equatable, Sendable {
    /// The predictions commit.
    public var commit: String
    /// Rows stored.
    public var count: Int
    /// Rows that carry a `score`.
    public var scored: Int
    /// The file they were read from (its last path component).
    public var source: String
    /// The label fields every row holds, in the dataset's order.
    public var labelFields: [String]
    /// Who stored them, and when (the commit's author and date).
    public var storedBy: String
    /// When they were stored: the commit's author date, as ISO 8601 with its UTC offset.
    public var storedAt: String
    /// How many times predictions were stored for the model (this and the earlier ones).
    public var versions: Int
    /// The scores on the model's own data, as stored.
    public var metrics: StoredMetrics?
}

extension Predictions {
    /// The summary of `model`'s stored predictions, or nil when it has none.
    public func summary(of model: String) throws -> PredictionsSummary? {
        guard let stored = try stored(model) else { return nil }
        let repo = store.repository
        let commit = try repo.commit(stored.commit)
        var versions = 0
        var next: ObjectID? = stored.commit
        while let id = next, versions < 10_000 {
            versions += 1
            next = try repo.commit(id).parents.first
        }
        let info = stored.info
        return PredictionsSummary(commit: stored.commit.hex, count: info.count, scored: info.scored, source: info.source,
                                  labelFields: info.labelFields, storedBy: "\(commit.author.name) <\(commit.author.email)>",
                                  storedAt: isoDate(commit.author), versions: versions, metrics: info.metrics)
    }

    /// The stored metrics of the models among `revisions` (as a user names them: `clf-v4` or
    /// `models/clf-v4`) that have predictions, by model name; nil when none has.
    public func storedMetrics(of revisions: [String]) -> [String: StoredMetrics]? {
        var result: [String: StoredMetrics] = [:]
        for revision in revisions {
            let name = revision.hasPrefix("models/") ? String(revision.dropFirst("models/".count)) : revision
            if let metrics = (try? stored(name))??.info.metrics { result[name] = metrics }
        }
        return result.isEmpty ? nil : result
    }
}
