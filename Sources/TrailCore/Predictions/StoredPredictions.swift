import Foundation
import Git
import GitFormat

/// `predictions.json`, beside `predictions.jsonl` in the tree of a predictions commit: what the
/// predictions are of and how many there are (written by Foundation's `JSONEncoder`: sorted keys,
/// `/` unescaped, a trailing newline).
public struct PredictionsInfo: Codable, Equatable, Sendable {
    /// The format of the two files; 1.
    public var format: Int
    /// The model the predictions are of (`refs/models/NAME`).
    public var model: String
    /// The registration they belong with: the model ref's target (its annotated tag) when they
    /// were stored. A fetch takes a remote's predictions only for the same registration.
    public var registration: String
    /// The file they were read from (its last path component).
    public var source: String
    /// Rows in `predictions.jsonl`.
    public var count: Int
    /// Rows that carry a `score`.
    public var scored: Int
    /// The id field the rows use (the dataset's id field when they were stored).
    public var idField: String
    /// The label fields every row holds, in the dataset's order.
    public var labelFields: [String]
    /// The metrics at the time of storing, against the data the model trained on; absent when
    /// that version could not be read.
    public var metrics: StoredMetrics?
}

/// A model's scores against the data it trained on, computed when its predictions were stored,
/// so that `audit model` and `diff` can name them without reading a snapshot.
public struct StoredMetrics: Codable, Equatable, Sendable {
    /// The dataset commit scored against (the model's).
    public var labels: String
    /// The label field scored.
    public var field: String
    /// Predictions scored (present in that version).
    public var samples: Int
    /// Predictions of samples that version does not hold.
    public var missing: Int
    /// Absent when nothing was scored.
    public var accuracy: Double?
    /// The unweighted mean of per-label F1 scores; absent when nothing was scored.
    public var macroF1: Double?
}

/// One model's predictions as stored: `refs/predictions/NAME` → a commit whose tree holds
/// exactly `predictions.json` and `predictions.jsonl`.
public struct StoredPredictions {
    /// The file names in the commit's tree.
    public static let infoFile = "predictions.json"
    /// The file name of the rows, one JSON object a line.
    public static let rowsFile = "predictions.jsonl"

    /// The predictions commit.
    public let commit: ObjectID
    /// The commit's `predictions.json`, decoded.
    public let info: PredictionsInfo
    /// The blob of `predictions.jsonl`.
    public let rowsBlob: ObjectID

    /// The predictions commit `commit`, checked only as far as reading needs (`check` does the rest).
    static func read(_ commit: ObjectID, repository repo: Repository, name: String) throws -> StoredPredictions {
        let shown = "the predictions of '\(name)' (commit \(commit.abbreviated()))"
        guard let info = try? repo.commit(commit), let root = try? repo.readTree(info.tree) else {
            throw TrailError(.damagedStore, "\(shown) cannot be read", hint: "run `trail verify`; `git --git-dir <store> fsck` names what is missing")
        }
        guard let infoEntry = root.first(where: { $0.name == infoFile && $0.mode == .blob }),
              let rowsEntry = root.first(where: { $0.name == rowsFile && $0.mode == .blob }) else {
            throw TrailError(.damagedStore, "\(shown) holds no \(infoFile) and \(rowsFile)", hint: "store them again with `trail model predictions \(name) FILE`")
        }
        let decoded: PredictionsInfo
        do {
            decoded = try decodeJSON(PredictionsInfo.self, from: repo.read(infoEntry.id, as: .blob))
        } catch let error as UndecodableJSON {
            throw TrailError(.damagedStore, "\(shown) has a damaged \(infoFile): \(error.problem)", hint: "store them again with `trail model predictions \(name) FILE`")
        }
        guard decoded.format == 1 else {
            throw TrailError(.refused, "\(shown) has format \(decoded.format), which this version of Trail does not read", hint: "use the Trail version that stored them")
        }
        return StoredPredictions(commit: commit, info: decoded, rowsBlob: rowsEntry.id)
    }

    /// What is wrong with the predictions commit `commit` stored for model `name`, one sentence
    /// each (empty when nothing): a commit whose tree holds exactly the two files, a readable
    /// `predictions.json` of format 1 for this model, and rows that parse as canonical JSON, hold
    /// the id and every label field (a score only as a number, nothing else), with ids unique
    /// and sorted by their bytes, as many as `count` says. What a fetch and `verify` check.
    static func problems(_ commit: ObjectID, name: String, repository repo: Repository) -> [String] {
        let shown = "predictions of '\(name)' (commit \(commit.abbreviated()))"
        guard repo.header(commit)?.type == .commit, let info = try? repo.commit(commit) else {
            return ["\(shown): not a commit, or it cannot be read"]
        }
        guard let root = try? repo.readTree(info.tree) else { return ["\(shown): its tree cannot be read"] }
        let names = root.map(\.name).sorted()
        guard names == [infoFile, rowsFile], root.allSatisfy({ $0.mode == .blob }) else {
            return ["\(shown): the tree must hold exactly \(infoFile) and \(rowsFile) (it holds \(names.joined(separator: ", ")))"]
        }
        let stored: StoredPredictions
        do { stored = try read(commit, repository: repo, name: name) } catch let error as TrailError {
            return ["\(shown): \(error.message.replacingOccurrences(of: "the predictions of '\(name)' (commit \(commit.abbreviated())) ", with: ""))"]
        } catch {
            return ["\(shown) cannot be read: \(error)"]
        }
        var problems: [String] = []
        let meta = stored.info
        if meta.model != name { problems.append("\(shown): \(infoFile) says they are of model '\(meta.model)'") }
        if meta.idField.isEmpty || meta.labelFields.isEmpty || meta.labelFields.contains("") || meta.labelFields.contains(meta.idField) {
            problems.append("\(shown): \(infoFile) names no usable id and label fields")
            return problems
        }
        if ObjectID(hex: meta.registration) == nil || meta.registration.count != 40 {
            problems.append("\(shown): \(infoFile) names registration '\(meta.registration)', which is not an object id")
        }
        guard let bytes = try? repo.read(stored.rowsBlob, as: .blob) else { return problems + ["\(shown): \(rowsFile) cannot be read"] }
        var count = 0
        var previous: [UInt8]?
        var line = 0
        var start = 0
        let allowed = Set([meta.idField, PredictionFile.scoreField] + meta.labelFields)
        func problem(_ text: String) { if problems.count < 20 { problems.append("\(shown): \(rowsFile) line \(line): \(text)") } }
        while start < bytes.count {
            line += 1
            guard let end = bytes[start...].firstIndex(of: 0x0a) else {
                problem("the file does not end with a newline")
                break
            }
            let text = Array(bytes[start..<end])
            start = end + 1
            count += 1
            guard let value = try? JSONParser.parse(text, rejectingEquivalentKeys: true), case .object(let members) = value else {
                problem("not a JSON object")
                continue
            }
            guard CanonicalJSON.encode(value) == text else {
                problem("not in canonical form (keys sorted, no spaces)")
                continue
            }
            var id: [UInt8]?
            for member in members {
                if !allowed.contains(member.key) { problem("field '\(member.key)' is not part of a prediction") }
                if member.key == meta.idField {
                    switch member.value {
                    case .string(let s) where !s.isEmpty: id = Array(s.utf8)
                    case .number(let n) where !n.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }): id = Array(n.utf8)
                    default: problem("the id is not a non-empty string or an integer")
                    }
                }
                if member.key == PredictionFile.scoreField, case .number = member.value {} else if member.key == PredictionFile.scoreField {
                    problem("the score is not a number")
                }
                if meta.labelFields.contains(member.key) {
                    switch member.value {
                    case .null: break
                    case .string(let s) where !s.isEmpty: break
                    case .array(let items) where items.allSatisfy({ if case .string(let s) = $0 { return !s.isEmpty }; return false }): break
                    default: problem("the label in '\(member.key)' is not a string, a list of strings or null")
                    }
                }
            }
            for field in meta.labelFields where !members.contains(where: { $0.key == field }) { problem("no label in '\(field)'") }
            guard let id else {
                if !members.contains(where: { $0.key == meta.idField }) { problem("no id in '\(meta.idField)'") }
                continue
            }
            if let previous, !bytesPrecede(previous, id) {
                problem(previous == id ? "the id '\(String(decoding: id, as: UTF8.self))' is there twice" : "the ids are not sorted by their bytes")
            }
            previous = id
        }
        if count != meta.count { problems.append("\(shown): \(infoFile) says \(meta.count) rows, \(rowsFile) holds \(count)") }
        return problems
    }
}
