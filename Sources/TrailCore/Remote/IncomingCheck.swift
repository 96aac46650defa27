import Foundation
import Git
import GitFormat

/// Checks everything a fetch brought into the quarantine before any local ref moves: a remote
/// is trusted no further than a manifest. Erasure records must parse and be numbered once;
/// models must be annotated tags of commits, tags must name commits; every new commit must be
/// a Trail snapshot (its `dataset.json`, folders and keys where Trail puts them, records valid
/// and under their own key, media paths that cannot leave an export folder). Only the subtrees
/// that differ from what the store already holds are read.
struct IncomingCheck {
    let store: Store
    let remote: String

    /// The problems of the incoming refs (`name` below the quarantine prefix, target), one
    /// sentence each; empty when everything may be admitted.
    func problems(_ refs: [(name: String, target: ObjectID)]) throws -> [String] {
        let repo = store.repository
        var problems: [String] = []
        var tips: [ObjectID] = []
        for (name, target) in refs {
            let shown = "\(remote)'s " + display(name)
            guard let header = repo.header(target) else {
                problems.append("\(shown) points at \(target.hex), which did not arrive")
                continue
            }
            switch name {
            case "trail/erasures":
                guard header.type == .commit else {
                    problems.append("\(shown) is a \(header.type.name), not a commit of erasure records")
                    continue
                }
                problems += erasureProblems(target, shown: shown)
            case let predictions where predictions.hasPrefix(Remotes.incomingPredictions):
                problems += predictionsProblems(predictions, target, shown: shown)
            case "trail/content":
                if header.type != .commit && header.type != .tree {
                    problems.append("\(shown) is a \(header.type.name), not the content list (a commit or a tree)")
                }
            case let model where model.hasPrefix("trail-models/"):
                guard header.type == .tag, let tag = try? repo.tag(target), repo.header(tag.target)?.type == .commit else {
                    problems.append("\(shown) is a \(header.type.name), not a model registration (an annotated tag of a dataset commit)")
                    continue
                }
                tips.append(tag.target)
            case let tagName where tagName.hasPrefix("trail-tags/"):
                var peeled = target
                if header.type == .tag, let tag = try? repo.tag(target) { peeled = tag.target }
                guard repo.header(peeled)?.type == .commit else {
                    problems.append("\(shown) names a \(repo.header(peeled)?.type.name ?? "missing object"), not a commit")
                    continue
                }
                tips.append(peeled)
            case let branch where branch.hasPrefix("heads/"):
                let short = branch.dropFirst("heads/".count)
                if ["trail-tags/", "trail-models/", "trail/"].contains(where: { short.hasPrefix($0) }) {
                    problems.append("\(shown) has a name Trail keeps for tags, models and its own refs")
                    continue
                }
                guard header.type == .commit else {
                    problems.append("\(shown) is a \(header.type.name), not a commit")
                    continue
                }
                tips.append(target)
            default:
                problems.append("\(remote) sent \(name), which no refspec asks for")
            }
        }
        problems += try snapshotProblems(tips)
        return problems
    }

    /// "branch main", "model clf-v1", "tag v1", "erasure log", "content list".
    private func display(_ name: String) -> String {
        if name == "trail/erasures" { return "erasure log (\(ErasureLog.ref))" }
        if name == "trail/content" { return "content list (\(Store.contentRef))" }
        if name.hasPrefix(Remotes.incomingPredictions) { return "predictions of \(name.dropFirst(Remotes.incomingPredictions.count))" }
        if name.hasPrefix("trail-models/") { return "model \(name.dropFirst("trail-models/".count))" }
        if name.hasPrefix("trail-tags/") { return "tag \(name.dropFirst("trail-tags/".count))" }
        return "branch \(name.hasPrefix("heads/") ? String(name.dropFirst("heads/".count)) : name)"
    }

    /// Every record of the log must parse, and each sequence number, content id and sample id be
    /// well formed: one bad record would otherwise stop every later command on this store.
    private func erasureProblems(_ tip: ObjectID, shown: String) -> [String] {
        let log: ErasureLog
        do { log = try ErasureLog.read(store.repository, at: tip) } catch let error as TrailError {
            return ["\(shown): \(error.message)"]
        } catch {
            return ["\(shown) cannot be read: \(error)"]
        }
        var problems: [String] = []
        var seen: [Int: Int] = [:]
        for record in log.records { seen[record.sequence, default: 0] += 1 }
        for (sequence, count) in seen.sorted(by: { $0.key < $1.key }) where count > 1 {
            problems.append("\(shown) holds \(count) erasure records numbered \(sequence)")
        }
        for record in log.records {
            if record.sequence < 1 { problems.append("\(shown): erasure record \(record.sequence) has a sequence number below 1") }
            if record.format != 1 { problems.append("\(shown): erasure record \(record.sequence) has format \(record.format), which this version of Trail does not read") }
            for hex in record.content where ObjectID(hex: hex) == nil || hex.count != 40 {
                problems.append("\(shown): erasure record \(record.sequence) names content '\(hex)', which is not an object id")
            }
            if record.samples.contains(where: \.isEmpty) { problems.append("\(shown): erasure record \(record.sequence) names an empty sample id") }
        }
        return problems
    }

    /// The new commits behind `tips` (not already reachable from a local ref): each must be a
    /// Trail snapshot whose records are valid and whose media paths stay inside their folder.
    private func snapshotProblems(_ tips: [ObjectID]) throws -> [String] {
        let repo = store.repository
        let local = try store.historyRefs(includingFetched: true)
        let known = Set(local.map(\.commit))
        // The trees of branch tips, and of what earlier fetches brought: those new commits mostly share.
        let base = local.filter { $0.kind == .branch || $0.kind == .fetched }.map(\.commit)
        var problems: [String] = []
        // Everything reachable from a local ref is the store's own already: only the rest is read.
        let commits: [ObjectID]
        do {
            commits = try repo.commits(from: Array(Set(tips)), hiding: Array(known))
        } catch {
            return problems + ["the history the remote sent cannot be read: \(error)"]
        }
        guard !commits.isEmpty else { return problems }
        // Each commit's field configuration, once per distinct file; records are read with the
        // id field their snapshots name (a clone's store has no configuration of its own yet).
        var configs = Set<ObjectID>()
        var idFields: [String] = []
        for commit in commits {
            guard let root = try? Snapshot(repository: repo, commit: commit).rootEntries else { continue }  // named by the walk
            guard let config = root.first(where: { $0.name == Snapshot.configFile && $0.mode == .blob }) else {
                problems.append("commit \(commit.abbreviated()) is not a Trail snapshot: it has no \(Snapshot.configFile)")
                continue
            }
            guard configs.insert(config.id).inserted else { continue }
            do {
                let decoded = try DatasetConfig.decode(repo.read(config.id, as: .blob))
                try decoded.validate()
                if !idFields.contains(decoded.idField) { idFields.append(decoded.idField) }
            } catch {
                problems.append("the \(Snapshot.configFile) of commit \(commit.abbreviated()) is not a valid field configuration: \(error)")
            }
        }
        var walkProblems: [String] = []
        Trace.mark("incoming: \(commits.count) new commits, reading their records")
        if idFields.isEmpty { idFields = [store.config.idField] }
        let findings = try RecordWalk.run(commits: commits, repository: repo, problems: &walkProblems, checkLayout: true,
                                          skippingTreesOf: base) { [idFields] id, key, commit, bytes -> [String]? in
            // A record is valid when it is valid under one of the configurations (they rarely differ).
            var finding = Verifier.check(record: id, key: key, commit: commit, bytes: bytes, idField: idFields[0])
            for other in idFields.dropFirst() where !finding.problems.isEmpty {
                let retry = Verifier.check(record: id, key: key, commit: commit, bytes: bytes, idField: other)
                if retry.problems.isEmpty { finding = retry }
            }
            var found = finding.problems
            for (field, path) in finding.media {
                guard let why = MediaPath.unsafe(path) else { continue }
                found.append("record \(id.hex) of sample '\(finding.sample)' names media path '\(path)' (field '\(field)'), which would leave an export folder: \(why)")
            }
            return found.isEmpty ? nil : found
        }.records
        problems += (walkProblems + findings.flatMap { $0 }).map(Self.withoutRestoreAdvice)
        return problems
    }

    /// Verify's messages end with how to repair the local store; for a refused fetch nothing
    /// local needs repair.
    private static func withoutRestoreAdvice(_ message: String) -> String {
        var text = message
        for advice in ["; if a newer Trail wrote it, use that version, else \(Verifier.restore)", "; the tree was written outside Trail: \(Verifier.restore)",
                       ": restore the history from a clone or a backup", "; \(Verifier.restore)", ": \(Verifier.restore)"] {
            text = text.replacingOccurrences(of: advice, with: "")
        }
        return text
    }
}
