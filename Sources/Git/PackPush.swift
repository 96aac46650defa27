import Foundation
import GitFormat

extension Repository {
    /// Pushes `refspecs` (`[+]src:dst`) through `transport` with a pack Trail makes itself:
    /// the objects the server lacks are walked twice, once to count them and find repeats
    /// (`FirstOccurrences`), once to stream them, so memory stays bounded however many objects
    /// go (libgit2's pack builder held about 120 bytes for each, and searched for deltas that
    /// Trail's records and texts barely have). Behaves as libgit2's push does: a non-forced
    /// update must be a fast-forward of what the server holds, `negotiate` sees the updates
    /// before anything is sent, references the server refuses are reported together, and the
    /// tracking branches of `remoteName` (a configured remote) follow the branches it accepted.
    func push(through transport: PushTransport, url: String, remoteName: String?, refspecs: [String],
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

        guard ad.capabilities.contains("report-status") else {
            transport.finishWithoutPush()
            throw GitError(operation: operation, message: "the server does not report what it did with a push (no report-status capability)")
        }
        // A parentless commit (the content list) is sent as a change from the one it replaces.
        let walk = try pushWalk(tips: commands.map(\.new), known: Array(Set(ad.refs.values).union(ad.haves)),
                                replacing: commands.map(\.old).filter { $0 != .zero })
        var occurrences = FirstOccurrences(directory: objectsDirectory + "/pack")
        defer { occurrences.discard() }
        // The two walks must yield the same sequence: an order-dependent digest of it checks that.
        var counted = SequenceDigest()
        try forEachObject(in: walk) { object in
            try occurrences.add(object.id)
            counted.add(object.id)
        }
        try occurrences.finish()
        let total = occurrences.distinct
        let report = try transport.push(commands, objectCount: total) { append in
            var batch: [PendingObject] = []
            var batchBytes = 0, n = 0, sent = 0
            var walked = SequenceDigest()
            func flush() throws {
                try append(batch)
                sent += batch.count
                batch.removeAll(keepingCapacity: true)
                batchBytes = 0
                progress?(TransferProgress(receivedObjects: sent, totalObjects: total, receivedBytes: 0))
            }
            try forEachObject(in: walk) { object in
                defer { n += 1 }
                walked.add(object.id)
                guard n < occurrences.count else { throw GitError(operation: operation, message: "the objects to send changed during the push") }
                guard occurrences.isFirst(n) else { return }
                var type = object.type, data = object.data ?? []
                if object.data == nil { (type, data) = try read(object.id) }
                batch.append(PendingObject(type: type, id: object.id, data: data))
                batchBytes += data.count
                if batch.count >= 16384 || batchBytes >= 32 << 20 { try flush() }
            }
            // Before the last bytes: a pack cut short is refused whole by the server.
            guard walked == counted else { throw GitError(operation: operation, message: "the objects to send changed during the push") }
            try flush()
        }
        if let problem = report.unpackError {
            throw GitError(operation: operation, message: "the server could not store the objects: \(problem)")
        }
        var rejected = report.refs.compactMap { ref in ref.error.map { "\(ref.ref): \($0)" } }
        let reported = Set(report.refs.map(\.ref))
        rejected += commands.filter { !reported.contains($0.ref) }.map { "\($0.ref): the remote did not report its status" }
        if !rejected.isEmpty {
            throw GitError(code: .nonFastForward, operation: operation, message: rejected.joined(separator: "; "))
        }
        // As git and libgit2 do, a named remote's tracking branches follow what it accepted.
        if let remoteName {
            for c in commands where c.ref.hasPrefix("refs/heads/") {
                try? updateReference("refs/remotes/\(remoteName)/" + c.ref.dropFirst("refs/heads/".count), to: c.new, expected: nil, message: "push", force: true)
            }
        }
    }
}

/// An order-dependent digest of a sequence of object ids, for comparing two walks in one
/// process (FNV-1a over the ids' hash values, which are seeded per process).
struct SequenceDigest: Equatable {
    private var state: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ id: ObjectID) {
        state = (state ^ UInt64(bitPattern: Int64(id.hashValue))) &* 0x0000_0100_0000_01b3
    }
}
