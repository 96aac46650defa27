import Git
import GitFormat

/// A model registered against the dataset version it trained on.
public struct ModelInfo: Codable, Equatable {
    /// The model's name (`refs/models/NAME`).
    public var name: String
    /// The dataset commit the model trained on.
    public var commit: String
    /// The annotated tag object recording the registration.
    public var tag: String
    /// `Name <email>` of who registered the model; nil when the registration records none.
    public var registeredBy: String?
    /// When the model was registered, as ISO 8601 with the tagger's UTC offset; nil when the registration records none.
    public var registeredAt: String?
    /// Free-form metadata (`--meta key=value`): training run, metrics, ...
    public var meta: [String: String]
}

/// Models: `refs/models/<name>`, each an annotated tag pointing at the dataset commit, with
/// metadata as `key: value` lines in the tag message. Registrations never move.
public struct Models {
    let store: Store

    /// Registered models of `store`.
    public init(store: Store) { self.store = store }

    /// Registers model `name` as trained on `revision`; with `predictions`, stores them with it
    /// under the same lock (if they cannot be stored, the registration is taken back).
    public func register(_ name: String, revision: String, meta: [(String, String)], by tagger: Signature,
                         predictions: PendingPredictions? = nil) throws -> ModelInfo {
        let ref = Store.modelRefPrefix + name
        try Branches(store: store).checkName(name, ref: ref, kind: "model")
        for (key, value) in meta {
            guard !key.isEmpty, !key.contains(":"), !key.contains("\n"), !value.contains("\n") else {
                throw TrailError(.usage, "metadata '\(key)=\(value)' cannot be stored", hint: "keys need no ':' and neither part may span lines")
            }
        }
        let commit = try Revisions(store: store).resolve(revision)
        let keys = meta.map(\.0)
        if Set(keys).count != keys.count { throw TrailError(.usage, "a --meta key is given twice", hint: "give each key once") }
        var message = "Model \(name)\n"
        if !meta.isEmpty { message += "\n" + meta.map { "\($0.0): \($0.1)" }.joined(separator: "\n") + "\n" }
        return try store.withWriteLock {
            if let existing = try store.repository.reference(ref) {
                throw TrailError(.exists(.model, name: name), "model '\(name)' is already registered (tag \(existing.abbreviated()))",
                                 hint: "a registration records what a model trained on and never moves; register the new model under a new name")
            }
            let tag = try store.repository.write(.tag, CommitFormat.encodeTag(target: commit, type: .commit, name: name, tagger: tagger, message: message))
            try store.repository.updateReference(ref, to: tag, expected: nil, message: "trail model register")
            if let predictions {
                do { _ = try Predictions(store: store).addLocked(predictions, to: name, registration: tag, by: tagger) } catch {
                    try? store.repository.deleteReference(ref)
                    throw error
                }
            }
            try? LineageUpdater(store: store).refreshModels()
            return try info(name: name, tag: tag)
        }
    }

    /// All registered models, by name.
    public func list() throws -> [ModelInfo] {
        try store.repository.references(matching: Store.modelRefPrefix + "*").map {
            try info(name: String($0.name.dropFirst(Store.modelRefPrefix.count)), tag: $0.target)
        }
    }

    private func info(name: String, tag: ObjectID) throws -> ModelInfo {
        let repo = store.repository
        guard let parsed = try? repo.tag(tag) else {
            // Written by hand as a plain ref to a commit: still a model, without metadata.
            return ModelInfo(name: name, commit: tag.hex, tag: tag.hex, registeredBy: nil, registeredAt: nil, meta: [:])
        }
        var meta: [String: String] = [:]
        for line in parsed.message.split(separator: "\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            meta[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return ModelInfo(name: name, commit: parsed.target.hex, tag: tag.hex,
                         registeredBy: parsed.tagger.map { "\($0.name) <\($0.email)>" },
                         registeredAt: parsed.tagger.map(isoDate), meta: meta)
    }
}

import Foundation
