import Foundation
import GitFormat

extension Repository {
    /// Pushes `refspecs` (`[+]src:dst`) through `transport` with a pack Trail makes itself:
    /// the objects the server lacks are walked twice, once to count them and find repeats
    /// (`FirstOccurrences`), once to stream them, so memory stays bounded however many objects
    /// go (libgit2's pack builder held about 120 bytes for each, and searched for deltas that
    /// Trail's records and texts barely have). Behaves as libgit2's push does: a non-forced
    /// update must be a fast-forward of what the server holds, `negotiate` sees the updates
    /// before anything is sent, and references the server refuses are reported together.
    func push(through transport: PushTransport, url: String, refspecs: [String],
              progress: ((TransferProgress) -> Void)?, negotiate: (([PushUpdate]) -> String?)?) throws {
        let operation = "push to \(url)"
        let ad = try transport.advertisement()
        var commands: [ReceivePack.Command] = []
        var updates: [PushUpdate] = []
        for spec in refspecs {
            let force = spec.hasPrefix("+")
            let parts = spec.dropFirst(force ? 1 : 0).split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, let new = try reference(parts[0]) else {
                transport.finishWithoutPush()
                throw GitError(code: .invalidSpec, operation: operation, message: "no local reference for refspec \(spec)")
            }
            let old = ad.refs[parts[1]] ?? .zero
            if old == new { continue }
            if !force && old != .zero {
                let fastForward = contains(old) && header(old)?.type == .commit && header(new)?.type == .commit
                    && (try? isDescendant(new, of: old)) == true
                guard fastForward else {
                    transport.finishWithoutPush()
                    throw GitError(code: .nonFastForward, operation: operation, message: "cannot push non-fastforwardable reference")
                }
            }
            commands.append(ReceivePack.Command(old: old, new: new, ref: parts[1]))
            updates.append(PushUpdate(source: parts[0], destination: parts[1], remoteOld: old == .zero ? nil : old, new: new))
        }
        if let negotiate, let message = negotiate(updates) {
            transport.finishWithoutPush()
            throw GitError(code: .callbackRefused, operation: operation, message: message)
        }
        guard !commands.isEmpty else { transport.finishWithoutPush(); return }

        let tips = commands.map(\.new)
        let known = Array(Set(ad.refs.values))
        // A parentless commit (the content list) is sent as a change from the one it replaces.
        let replacing = commands.map(\.old).filter { $0 != .zero }
        var occurrences = FirstOccurrences(directory: objectsDirectory + "/pack")
        try forEachObjectToSend(tips: tips, known: known, replacing: replacing) { try occurrences.add($0.id) }
        try occurrences.finish()
        let total = occurrences.distinct
        let report = try transport.push(commands, objectCount: total) { append in
            var batch: [PendingObject] = []
            var batchBytes = 0, n = 0, sent = 0
            func flush() throws {
                try append(batch)
                sent += batch.count
                batch.removeAll(keepingCapacity: true)
                batchBytes = 0
                progress?(TransferProgress(receivedObjects: sent, totalObjects: total, receivedBytes: 0))
            }
            try forEachObjectToSend(tips: tips, known: known, replacing: replacing) { object in
                defer { n += 1 }
                guard occurrences.isFirst(n) else { return }
                let data = try object.data ?? read(object.id).data
                batch.append(PendingObject(type: object.type, id: object.id, data: data))
                batchBytes += data.count
                if batch.count >= 16384 || batchBytes >= 32 << 20 { try flush() }
            }
            try flush()
        }
        if let problem = report.unpackError {
            throw GitError(operation: operation, message: "the server could not store the objects: \(problem)")
        }
        let rejected = report.refs.compactMap { ref in ref.error.map { "\(ref.ref): \($0)" } }
        if !rejected.isEmpty {
            throw GitError(code: .nonFastForward, operation: operation, message: rejected.joined(separator: "; "))
        }
    }
}
